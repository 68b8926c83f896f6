//! Upload bodies: `multipart/form-data` parsed by multer with the
//! constraints file_serv builds (`file_serv::service::upload_constraints`)
//! for a chosen `files.max_upload_bytes`, read the way the upload handler
//! reads them (the first part named `file`, chunk by chunk), from a body
//! cut into arbitrary reads. Well-formed bodies within the limits must give
//! back the file exactly; mutated bodies and hostile Content-Type values
//! must only be refused; no part ever yields more than the stream limit,
//! and a body within the limit is never refused as too large.

use arbitrary::Unstructured;
use bytes::Bytes;
use file_serv::service::{upload_constraints, MULTIPART_OVERHEAD};
use futures_util::FutureExt;

use crate::ensure;
use crate::mutate::{mutate, split};
use crate::targets::Violation;

/// The default `files.max_upload_bytes`.
const DEFAULT_MAX_UPLOAD: u64 = 20 * 1024 * 1024;
/// Characters RFC 2046 allows in a boundary (a space only inside); the
/// last seven need quotes in a Content-Type.
const BOUNDARY_CHARS: &[u8] =
    b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'+_-.(),/:=?";
/// The ones that need no quotes.
const TOKEN_CHARS: usize = BOUNDARY_CHARS.len() - 7;

pub fn run(input: &[u8]) -> Result<(), Violation> {
    let mut u = Unstructured::new(input);
    let mutated = u.ratio(1, 2).unwrap_or(false);
    let max_upload = max_upload(&mut u);
    let boundary = boundary(&mut u);
    let content_type = content_type(&mut u, &boundary);
    let (mut body, expected) = body(&mut u, &boundary, max_upload);
    if mutated {
        let delimiter = format!("\r\n--{boundary}");
        let dictionary: [&[u8]; 6] = [
            delimiter.as_bytes(),
            b"--",
            b"\r\n",
            b"\r\n\r\n",
            b"Content-Disposition: form-data; name=\"file\"\r\n",
            b"Content-Type: application/octet-stream\r\n",
        ];
        mutate(&mut body, &mut u, &dictionary);
    }
    let reads = split(&mut u, &body);

    // The handler answers 400 when the Content-Type names no boundary.
    let Ok(parsed_boundary) = multer::parse_boundary(&content_type) else {
        return Ok(());
    };
    let stream_limit = max_upload.saturating_add(MULTIPART_OVERHEAD);
    let outcome = read_upload(&reads, parsed_boundary.clone(), max_upload)?;
    match &outcome {
        Upload::File(content) => ensure!(
            content.len() as u64 <= stream_limit,
            "a part of {} bytes passed a stream limit of {stream_limit}",
            content.len()
        ),
        Upload::Refused(multer::Error::StreamSizeExceeded { limit }) => {
            ensure!(
                *limit == stream_limit && body.len() as u64 > stream_limit,
                "a body of {} bytes was refused as over the limit of {limit} (expected {stream_limit})",
                body.len()
            );
        }
        _ => {}
    }
    let well_formed = !mutated && parsed_boundary == boundary;
    if let (true, Some(expected)) = (well_formed, expected) {
        let outcome_text = describe(&outcome);
        match expected {
            Expected::File(content) => ensure!(
                matches!(&outcome, Upload::File(got) if *got == content),
                "a well-formed upload of {} bytes (max {max_upload}) gave {outcome_text}",
                content.len()
            ),
            Expected::NoFile => ensure!(
                matches!(outcome, Upload::NoFile),
                "a well-formed body without a file part gave {outcome_text}"
            ),
        }
    }
    Ok(())
}

/// What the upload handler makes of a body, before the content checks.
enum Upload {
    /// The whole content of the first part named `file`.
    File(Vec<u8>),
    /// No part is named `file`.
    NoFile,
    Refused(multer::Error),
}

/// What a well-formed body must give.
enum Expected {
    File(Vec<u8>),
    NoFile,
}

fn describe(outcome: &Upload) -> String {
    match outcome {
        Upload::File(content) => format!("a file of {} bytes", content.len()),
        Upload::NoFile => "no file part".to_string(),
        Upload::Refused(err) => format!("a refusal: {err}"),
    }
}

/// Reads the body as `service::upload` does, from an in-memory stream: every
/// step must complete without waiting, since all the bytes are there.
fn read_upload(reads: &[&[u8]], boundary: String, max_upload: u64) -> Result<Upload, Violation> {
    let chunks: Vec<Result<Bytes, std::io::Error>> = reads
        .iter()
        .map(|read| Ok(Bytes::copy_from_slice(read)))
        .collect();
    let stream = futures_util::stream::iter(chunks);
    let mut multipart =
        multer::Multipart::with_constraints(stream, boundary, upload_constraints(max_upload));
    let mut field = loop {
        let Some(next) = multipart.next_field().now_or_never() else {
            return Err(Violation(
                "next_field waited on a complete body".to_string(),
            ));
        };
        match next {
            Ok(Some(field)) if field.name() == Some("file") => break field,
            Ok(Some(_other)) => continue,
            Ok(None) => return Ok(Upload::NoFile),
            Err(err) => return Ok(Upload::Refused(err)),
        }
    };
    let mut content = Vec::new();
    loop {
        let Some(chunk) = field.chunk().now_or_never() else {
            return Err(Violation("chunk waited on a complete body".to_string()));
        };
        match chunk {
            Ok(Some(chunk)) => content.extend_from_slice(&chunk),
            Ok(None) => return Ok(Upload::File(content)),
            Err(err) => return Ok(Upload::Refused(err)),
        }
    }
}

/// `files.max_upload_bytes`: small (so bodies cross it), the default, and
/// the largest values the config check accepts.
fn max_upload(u: &mut Unstructured<'_>) -> u64 {
    match u.int_in_range(0..=3u8).unwrap_or(0) {
        0 => u.int_in_range(1..=64).unwrap_or(1),
        1 => *u
            .choose(&[100, 1000, 4096, DEFAULT_MAX_UPLOAD])
            .unwrap_or(&1),
        2 => u64::MAX - u.int_in_range(0..=MULTIPART_OVERHEAD).unwrap_or(0),
        _ => u.int_in_range(1..=8192).unwrap_or(1),
    }
}

fn boundary(u: &mut Unstructured<'_>) -> String {
    match u.int_in_range(0..=3u8).unwrap_or(0) {
        0 => "XyZ".to_string(),
        1 => format!("schat-{:016x}", u.arbitrary::<u64>().unwrap_or(0)),
        choice => {
            let chars = if choice == 2 {
                &BOUNDARY_CHARS[..TOKEN_CHARS]
            } else {
                BOUNDARY_CHARS
            };
            let len = u.int_in_range(1..=70usize).unwrap_or(1);
            (0..len)
                .map(|_| char::from(*u.choose(chars).unwrap_or(&b'a')))
                .collect()
        }
    }
}

fn content_type(u: &mut Unstructured<'_>, boundary: &str) -> String {
    match u.int_in_range(0..=11u8).unwrap_or(0) {
        0..=2 => format!("multipart/form-data; boundary={boundary}"),
        3..=5 => format!("multipart/form-data; boundary=\"{boundary}\""),
        6 => format!("multipart/form-data; charset=utf-8; boundary={boundary}"),
        7 => format!("Multipart/Form-Data; BOUNDARY={boundary}"),
        8 => "multipart/form-data".to_string(),
        9 => format!("text/plain; boundary={boundary}"),
        _ => u.arbitrary::<String>().unwrap_or_default(),
    }
}

/// A body of zero to four parts, a `file` among them or not, with contents
/// around the size limit; and what it must give if it is well formed.
fn body(u: &mut Unstructured<'_>, boundary: &str, max_upload: u64) -> (Vec<u8>, Option<Expected>) {
    let delimiter = format!("\r\n--{boundary}");
    let mut body = Vec::new();
    let mut expected = Expected::NoFile;
    let mut well_formed = true;
    let parts = u.int_in_range(0..=4u8).unwrap_or(0);
    for _ in 0..parts {
        let name = *u
            .choose(&["file", "file", "other", "", "FILE", "file2"])
            .unwrap_or(&"file");
        let content = content(u, max_upload);
        let contains_delimiter = content
            .windows(delimiter.len())
            .any(|window| window == delimiter.as_bytes());
        well_formed &= !contains_delimiter;
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        let mut disposition = format!("Content-Disposition: form-data; name=\"{name}\"");
        if u.arbitrary().unwrap_or(false) {
            disposition.push_str("; filename=\"cat.jpg\"");
        }
        body.extend_from_slice(disposition.as_bytes());
        body.extend_from_slice(b"\r\n");
        if u.arbitrary().unwrap_or(false) {
            body.extend_from_slice(b"Content-Type: application/octet-stream\r\n");
        }
        body.extend_from_slice(b"\r\n");
        body.extend_from_slice(&content);
        body.extend_from_slice(b"\r\n");
        if name == "file" && matches!(expected, Expected::NoFile) {
            expected = Expected::File(content);
        }
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    if u.ratio(1, 8).unwrap_or(false) {
        body.extend_from_slice(b"epilogue, ignored\r\n");
    }
    let fits = body.len() as u64 <= max_upload.saturating_add(MULTIPART_OVERHEAD);
    (body, (well_formed && fits).then_some(expected))
}

/// Content of a length near the upload limit, near the stream limit (the
/// whole body then straddles it), or of any length, of any bytes.
fn content(u: &mut Unstructured<'_>, max_upload: u64) -> Vec<u8> {
    // Out of bytes, `int_in_range` gives 0: the cheap choice.
    let len = match u.int_in_range(0..=15u8).unwrap_or(0) {
        1 if max_upload <= 8192 => {
            let stream_limit = (max_upload + MULTIPART_OVERHEAD) as usize;
            stream_limit - 256 + u.int_in_range(0..=512usize).unwrap_or(0)
        }
        2..=5 if max_upload <= 8192 => {
            (max_upload as usize + 1).saturating_sub(u.int_in_range(0..=2usize).unwrap_or(0))
        }
        _ => {
            let len = u.arbitrary_len::<u8>().unwrap_or(0).min(1024);
            return u.bytes(len).unwrap_or_default().to_vec();
        }
    };
    vec![u.arbitrary::<u8>().unwrap_or(0); len]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_simple_upload_gives_its_file() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"\r\n\r\nhello\r\n--XyZ--\r\n";
        let reads: Vec<&[u8]> = body.chunks(3).collect();
        match read_upload(&reads, "XyZ".to_string(), 100).unwrap() {
            Upload::File(content) => assert_eq!(content, b"hello"),
            other => panic!("{}", describe(&other)),
        }
    }
}
