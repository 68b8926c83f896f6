//! Signed tokens (`schat_runtime::signed`, under session tokens and file
//! tokens, which clients send in logins and upload/download requests): a
//! sealed token opens to its numbers and verifies under its key only; a
//! mutated or arbitrary token that still opens and verifies must be
//! exactly the text the key would seal for those numbers, so no second
//! spelling of a token (signs, leading zeros, base64 trailing bits) is
//! accepted. File tokens: parse, then verify against key and clock.

use arbitrary::Unstructured;
use schat_runtime::{file_token, signed};

use crate::ensure;
use crate::messages::id;
use crate::mutate::mutate;
use crate::targets::Violation;

const DICTIONARY: [&[u8]; 9] = [b".", b"+", b"0", b"-", b"=", b"_", b"A", b"f1.", b"v1."];

pub fn run(input: &[u8]) -> Result<(), Violation> {
    let mut u = Unstructured::new(input);
    let key_len = u.int_in_range(0..=64usize).unwrap_or(32);
    let key = u.bytes(key_len.min(u.len())).unwrap_or_default().to_vec();
    let version = *u.choose(&["v1", "f1", ""]).unwrap_or(&"v1");
    let numbers = [
        id(&mut u).unwrap_or(0),
        id(&mut u).unwrap_or(0),
        id(&mut u).unwrap_or(0),
    ];
    let token = signed::seal(&key, version, numbers);
    let opened = signed::open::<3>(&token, version);
    ensure!(
        opened
            .as_ref()
            .is_some_and(|opened| opened.numbers == numbers && opened.signed_by(&key)),
        "sealed token {token:?} did not open and verify"
    );
    let other_key = [key.as_slice(), b"!"].concat();
    ensure!(
        opened.is_some_and(|opened| !opened.signed_by(&other_key)),
        "{token:?} verified under another key"
    );
    let now_ms = id(&mut u).unwrap_or(0);
    if version == "f1" {
        let [epoch, uid, expires_at_ms] = numbers;
        let parsed = file_token::parse(&token);
        let verified = parsed.as_ref().map(|parsed| parsed.verify(&key, now_ms));
        let expected = if expires_at_ms > now_ms {
            Ok(uid)
        } else {
            Err(file_token::FileTokenError::Expired)
        };
        ensure!(
            parsed
                .as_ref()
                .is_ok_and(|parsed| parsed.epoch == epoch && parsed.uid == uid)
                && verified == Ok(expected),
            "file token {token:?} at {now_ms} gave {verified:?}"
        );
    }

    let text = if u.ratio(7, 8).unwrap_or(true) {
        let mut bytes = token.into_bytes();
        mutate(&mut bytes, &mut u, &DICTIONARY);
        String::from_utf8_lossy(&bytes).into_owned()
    } else {
        u.arbitrary::<String>().unwrap_or_default()
    };
    if let Some(opened) = signed::open::<3>(&text, version) {
        if opened.signed_by(&key) {
            let canonical = signed::seal(&key, version, opened.numbers);
            ensure!(
                text == canonical,
                "{text:?} verified, but the key seals {canonical:?} for its numbers"
            );
        }
    }
    if let Ok(parsed) = file_token::parse(&text) {
        if let Ok(uid) = parsed.verify(&key, now_ms) {
            let canonical = match parsed.issued_at_ms {
                Some(issued_at_ms) => {
                    file_token::sign(&key, parsed.epoch, uid, issued_at_ms, parsed.expires_at_ms)
                }
                None => signed::seal(&key, "f1", [parsed.epoch, uid, parsed.expires_at_ms]),
            };
            ensure!(
                text == canonical && uid == parsed.uid && parsed.expires_at_ms > now_ms,
                "file token {text:?} verified, but the key signs {canonical:?}"
            );
        }
    }
    Ok(())
}
