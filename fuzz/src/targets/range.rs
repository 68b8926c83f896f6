//! Range headers (`file_serv::range::parse`) against file lengths: every
//! answer stays inside the file (and the length the handler computes from
//! it cannot overflow); the simple forms (`bytes=A-B`, `bytes=A-`,
//! `bytes=-N`) get exactly the answer RFC 9110 gives; mutated and arbitrary
//! headers only ever fall back to the whole file or a refusal.

use arbitrary::Unstructured;
use file_serv::range::{parse, Ranged};

use crate::ensure;
use crate::mutate::mutate;
use crate::targets::Violation;

const DICTIONARY: [&[u8]; 9] = [
    b"bytes=",
    b"-",
    b",",
    b" ",
    b"0",
    b"18446744073709551615",
    b"18446744073709551616",
    b"+",
    b"\t",
];

pub fn run(input: &[u8]) -> Result<(), Violation> {
    let mut u = Unstructured::new(input);
    let len = number(&mut u, None);
    let (header, expected) = header(&mut u, len);
    let answer = parse(Some(&header), len);
    check_bounds(&header, len, &answer)?;
    if let Some(expected) = expected {
        ensure!(
            answer == expected,
            "{header:?} on {len} bytes gave {answer:?}, expected {expected:?}"
        );
    }
    let text = if u.ratio(7, 8).unwrap_or(true) {
        let mut bytes = header.into_bytes();
        mutate(&mut bytes, &mut u, &DICTIONARY);
        String::from_utf8_lossy(&bytes).into_owned()
    } else {
        u.arbitrary::<String>().unwrap_or_default()
    };
    let answer = parse(Some(&text), len);
    check_bounds(&text, len, &answer)?;
    ensure!(
        parse(None, len) == Ranged::Whole,
        "no header did not give the whole file"
    );
    Ok(())
}

/// A file length or a position: the edges of the u64 range, small values,
/// or values near `len`.
fn number(u: &mut Unstructured<'_>, len: Option<u64>) -> u64 {
    match (u.int_in_range(0..=4u8).unwrap_or(0), len) {
        (0, _) => *u.choose(&[0, 1, 2, u64::MAX - 1, u64::MAX]).unwrap_or(&0),
        (1, Some(len)) => len
            .saturating_sub(2)
            .saturating_add(u.int_in_range(0..=4).unwrap_or(0)),
        (2, _) => u.arbitrary().unwrap_or(0),
        _ => u.int_in_range(0..=300).unwrap_or(0),
    }
}

/// A header of a simple form with its exact answer, or a form the parser
/// falls back on (several ranges, a reversed range) with the whole file.
fn header(u: &mut Unstructured<'_>, len: u64) -> (String, Option<Ranged>) {
    let first = number(u, Some(len));
    let last = number(u, Some(len));
    let space = if u.ratio(1, 8).unwrap_or(false) {
        " "
    } else {
        ""
    };
    match u.int_in_range(0..=4u8).unwrap_or(0) {
        0 => {
            let expected = if first >= len {
                Ranged::Unsatisfiable
            } else if last < first {
                Ranged::Whole
            } else {
                Ranged::Part(first..=last.min(len - 1))
            };
            (
                format!("bytes={space}{first}-{last}{space}"),
                Some(expected),
            )
        }
        1 => {
            let expected = if first >= len {
                Ranged::Unsatisfiable
            } else {
                Ranged::Part(first..=len - 1)
            };
            (format!("bytes={first}-"), Some(expected))
        }
        2 => {
            let expected = if last == 0 || len == 0 {
                Ranged::Unsatisfiable
            } else {
                Ranged::Part(len - last.min(len)..=len - 1)
            };
            (format!("bytes=-{last}"), Some(expected))
        }
        3 => (format!("bytes={first}-{last},{last}-"), Some(Ranged::Whole)),
        _ => (format!("items={first}-{last}"), Some(Ranged::Whole)),
    }
}

/// A part lies inside the file; a refusal only when the file is empty or
/// the header names a start.
fn check_bounds(header: &str, len: u64, answer: &Ranged) -> Result<(), Violation> {
    match answer {
        Ranged::Part(span) => {
            ensure!(
                span.start() <= span.end() && *span.end() < len,
                "{header:?} on {len} bytes gave {span:?}, outside the file"
            );
            ensure!(
                (span.end() - span.start()).checked_add(1).is_some(),
                "{header:?}: the length of {span:?} overflows"
            );
        }
        Ranged::Unsatisfiable => ensure!(
            header.contains("bytes="),
            "{header:?} was refused though it is no byte range"
        ),
        Ranged::Whole => {}
    }
    Ok(())
}
