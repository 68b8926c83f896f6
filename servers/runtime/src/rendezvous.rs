//! Rendezvous (highest-random-weight) hashing: which live process of a
//! type owns a key. When a process leaves only its keys move, and they move
//! back when it returns. disp picks HASH targets with it; a caller uses the
//! same function to know which process its HASH call went to.

/// The owner of `hash_key` among `candidates`, if any.
pub fn owner(hash_key: u64, candidates: impl IntoIterator<Item = u32>) -> Option<u32> {
    candidates
        .into_iter()
        .max_by_key(|&proc_id| score(hash_key, proc_id))
}

/// A well-mixed 64-bit score of (key, process); splitmix64's finaliser.
pub fn score(hash_key: u64, proc_id: u32) -> u64 {
    let mut z = hash_key ^ (u64::from(proc_id).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::score;

    fn owner(key: u64, live: &[u32]) -> u32 {
        *live.iter().max_by_key(|&&id| score(key, id)).unwrap()
    }

    #[test]
    fn removing_a_process_moves_only_its_keys() {
        let all = [1, 2, 3, 4];
        let without_3 = [1, 2, 4];
        let mut moved = 0;
        for key in 0..10_000u64 {
            let before = owner(key, &all);
            let after = owner(key, &without_3);
            if before != 3 {
                assert_eq!(before, after, "key {key} moved although its owner lived");
            } else {
                moved += 1;
            }
        }
        // Roughly a quarter of the keys belonged to process 3.
        assert!((2_000..3_000).contains(&moved), "moved {moved}");
    }

    #[test]
    fn keys_spread_evenly() {
        let live = [11, 12, 13];
        let mut counts = [0u32; 3];
        for key in 0..30_000u64 {
            let index = live.iter().position(|&id| id == owner(key, &live)).unwrap();
            counts[index] += 1;
        }
        for count in counts {
            assert!((9_000..11_000).contains(&count), "{counts:?}");
        }
    }
}
