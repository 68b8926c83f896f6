//! Byte mutations of a valid input, chosen by the fuzzer's bytes: bit
//! flips, interesting bytes, insertions, deletions, copies, truncation,
//! dictionary tokens and protobuf varints; and the cutting of a stream
//! into reads.

use arbitrary::Unstructured;

/// Bytes that often sit on a boundary: zero, one, sign and continuation
/// bits, protobuf tags and wire types.
const INTERESTING_BYTES: [u8; 14] = [
    0x00, 0x01, 0x02, 0x07, 0x08, 0x0a, 0x10, 0x12, 0x1a, 0x7f, 0x80, 0x81, 0xfe, 0xff,
];

/// Values whose varints stress length fields: zero, one byte, two bytes, the
/// edges of `i32`, `u32` and `u64`.
const INTERESTING_VALUES: [u64; 10] = [
    0,
    1,
    127,
    128,
    16_384,
    0x7fff_ffff,
    0x8000_0000,
    0xffff_ffff,
    0x7fff_ffff_ffff_ffff,
    u64::MAX,
];

/// Applies one mutation to `data`, or sometimes two to eight. `dictionary`
/// holds tokens worth inserting (boundaries, separators).
pub fn mutate(data: &mut Vec<u8>, u: &mut Unstructured<'_>, dictionary: &[&[u8]]) {
    let count = if u.ratio(3, 4).unwrap_or(true) {
        1
    } else {
        u.int_in_range(2..=8u8).unwrap_or(2)
    };
    for _ in 0..count {
        mutate_once(data, u, dictionary);
    }
}

fn mutate_once(data: &mut Vec<u8>, u: &mut Unstructured<'_>, dictionary: &[&[u8]]) {
    let op = u.int_in_range(0..=8u8).unwrap_or(0);
    let at = position(data.len(), u);
    match op {
        0 if at < data.len() => {
            let bit = u.int_in_range(0..=7u8).unwrap_or(0);
            data[at] ^= 1 << bit;
        }
        1 if at < data.len() => {
            data[at] = *u.choose(&INTERESTING_BYTES).unwrap_or(&0);
        }
        2 => {
            let len = u.int_in_range(1..=8usize).unwrap_or(1);
            let bytes: Vec<u8> = (0..len).map(|_| u.arbitrary::<u8>().unwrap_or(0)).collect();
            data.splice(at..at, bytes);
        }
        3 => {
            let len = u.int_in_range(1..=16usize).unwrap_or(1);
            let end = (at + len).min(data.len());
            data.drain(at..end);
        }
        4 if at < data.len() => {
            let len = u.int_in_range(1..=32usize).unwrap_or(1);
            let end = (at + len).min(data.len());
            let copy = data[at..end].to_vec();
            let to = position(data.len(), u);
            data.splice(to..to, copy);
        }
        5 => data.truncate(at),
        6 if !dictionary.is_empty() => {
            let token = *u.choose(dictionary).unwrap_or(&dictionary[0]);
            data.splice(at..at, token.iter().copied());
        }
        7 => {
            let value = *u.choose(&INTERESTING_VALUES).unwrap_or(&0);
            data.splice(at..at, varint(value));
        }
        _ => {
            // Overwrite a byte with a random one.
            if at < data.len() {
                data[at] = u.arbitrary::<u8>().unwrap_or(0);
            }
        }
    }
}

/// Cuts `data` into reads of chosen sizes, from one byte to all of it, the
/// way a network delivers a stream; reads of long data are at least
/// 1/256 of it, to keep their number (and the time they take) bounded.
pub fn split<'d>(u: &mut Unstructured<'_>, data: &'d [u8]) -> Vec<&'d [u8]> {
    let min_read = (data.len() / 256).max(1);
    let mut reads = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        let len = match u.int_in_range(0..=3u8).unwrap_or(3) {
            0 => 1,
            1 => u.int_in_range(1..=8usize).unwrap_or(1),
            2 => u.int_in_range(1..=rest.len()).unwrap_or(1),
            _ => rest.len(),
        };
        let (read, after) = rest.split_at(len.max(min_read).min(rest.len()));
        reads.push(read);
        rest = after;
    }
    reads
}

/// A position in `0..=len`, biased to the ends where headers and tails are.
fn position(len: usize, u: &mut Unstructured<'_>) -> usize {
    match u.int_in_range(0..=3u8).unwrap_or(0) {
        0 => u.int_in_range(0..=len.min(8)).unwrap_or(0),
        1 => len - u.int_in_range(0..=len.min(8)).unwrap_or(0),
        _ => u.int_in_range(0..=len).unwrap_or(0),
    }
}

/// The protobuf varint of `value`.
pub fn varint(mut value: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(10);
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_keep_every_byte_in_order() {
        let data: Vec<u8> = (0..200).collect();
        for seed in 0..50u8 {
            let noise = [seed; 64];
            let reads = split(&mut Unstructured::new(&noise), &data);
            assert!(reads.iter().all(|read| !read.is_empty()));
            assert_eq!(reads.concat(), data);
        }
    }

    #[test]
    fn varints() {
        assert_eq!(varint(0), [0]);
        assert_eq!(varint(300), [0xac, 0x02]);
        assert_eq!(varint(u64::MAX).len(), 10);
    }

    #[test]
    fn mutations_change_the_input_and_never_panic() {
        let mut changed = 0;
        for seed in 0..2000u32 {
            let noise: Vec<u8> = seed.to_le_bytes().repeat(8);
            let mut u = Unstructured::new(&noise);
            let mut data = b"hello, world".to_vec();
            mutate(&mut data, &mut u, &[b"--", b"\r\n"]);
            changed += usize::from(data != b"hello, world");
        }
        assert!(changed > 1000, "only {changed} of 2000 inputs changed");
        let mut empty = Vec::new();
        mutate(&mut empty, &mut Unstructured::new(&[]), &[]);
    }
}
