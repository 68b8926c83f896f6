//! HTTP Range requests (RFC 9110 §14): one byte range is served as 206;
//! several ranges, or a header that does not parse, get the whole file.

use std::ops::RangeInclusive;

/// What a Range header asks of a file of `len` bytes.
#[derive(Debug, PartialEq, Eq)]
pub enum Ranged {
    /// No (usable) range: the whole file.
    Whole,
    /// One satisfiable range.
    Part(RangeInclusive<u64>),
    /// A range that starts past the end: 416.
    Unsatisfiable,
}

pub fn parse(header: Option<&str>, len: u64) -> Ranged {
    let Some(spec) = header.and_then(|value| value.trim().strip_prefix("bytes=")) else {
        return Ranged::Whole;
    };
    if spec.contains(',') {
        return Ranged::Whole;
    }
    let Some((start, end)) = spec.trim().split_once('-') else {
        return Ranged::Whole;
    };
    let number = |text: &str| -> Option<u64> {
        (!text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()))
            .then(|| text.parse().ok())
            .flatten()
    };
    let (start, end) = (start.trim(), end.trim());
    let first = match (number(start), number(end)) {
        // bytes=-N: the last N bytes.
        (None, Some(suffix)) if start.is_empty() => {
            if suffix == 0 || len == 0 {
                return Ranged::Unsatisfiable;
            }
            return Ranged::Part(len.saturating_sub(suffix)..=len - 1);
        }
        (Some(first), _) => first,
        _ => return Ranged::Whole,
    };
    if first >= len {
        return Ranged::Unsatisfiable;
    }
    let last = match (end.is_empty(), number(end)) {
        (true, _) => len - 1,
        (false, Some(last)) if last >= first => last.min(len - 1),
        _ => return Ranged::Whole,
    };
    Ranged::Part(first..=last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(parse(None, 100), Ranged::Whole);
        assert_eq!(parse(Some("bytes=0-9"), 100), Ranged::Part(0..=9));
        assert_eq!(parse(Some("bytes=90-"), 100), Ranged::Part(90..=99));
        assert_eq!(parse(Some("bytes=90-500"), 100), Ranged::Part(90..=99));
        assert_eq!(parse(Some("bytes=-10"), 100), Ranged::Part(90..=99));
        assert_eq!(parse(Some("bytes=-500"), 100), Ranged::Part(0..=99));
        assert_eq!(parse(Some("bytes=100-"), 100), Ranged::Unsatisfiable);
        assert_eq!(parse(Some("bytes=-0"), 100), Ranged::Unsatisfiable);
        assert_eq!(parse(Some("bytes=0-1,5-6"), 100), Ranged::Whole);
        assert_eq!(parse(Some("bytes=9-3"), 100), Ranged::Whole);
        assert_eq!(parse(Some("bytes=x-3"), 100), Ranged::Whole);
        assert_eq!(parse(Some("items=0-3"), 100), Ranged::Whole);
        assert_eq!(parse(Some("bytes=-"), 100), Ranged::Whole);
    }
}
