//! What may be uploaded: the type is detected from the content, never
//! taken from the client's name or header.

/// A detected, accepted type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Kind {
    pub mime: &'static str,
    pub ext: &'static str,
    pub image: bool,
}

/// Images, audio and video every server accepts.
const MEDIA: [(&str, bool); 10] = [
    ("image/jpeg", true),
    ("image/png", true),
    ("image/gif", true),
    ("image/webp", true),
    ("video/mp4", false),
    ("audio/ogg", false),
    ("audio/opus", false),
    ("audio/mpeg", false),
    ("audio/m4a", false),
    ("audio/amr", false),
];

/// Bytes of the start of a file that detection looks at.
pub const SNIFF_BYTES: usize = 8192;

/// The type of content starting with `head`, if it is accepted: a medium
/// type, or one of `other_types` from the cluster file.
pub fn detect(head: &[u8], other_types: &[String]) -> Option<Kind> {
    let found = infer::get(head)?;
    let mime = found.mime_type();
    let image = MEDIA
        .iter()
        .find(|(media, _)| *media == mime)
        .map(|(_, image)| *image);
    let allowed = image.is_some() || other_types.iter().any(|other| other == mime);
    allowed.then(|| Kind {
        mime,
        ext: found.extension(),
        image: image.unwrap_or(false),
    })
}

/// The content type to serve a stored file with, from its first bytes.
pub fn content_type(head: &[u8]) -> &'static str {
    infer::get(head).map_or("application/octet-stream", |found| found.mime_type())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_is_detected_from_content() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        let kind = detect(png, &[]).unwrap();
        assert_eq!(
            (kind.mime, kind.ext, kind.image),
            ("image/png", "png", true)
        );
        let jpeg = b"\xff\xd8\xff\xe0\0\x10JFIF\0";
        assert_eq!(detect(jpeg, &[]).unwrap().ext, "jpg");
        let amr = b"#!AMR\n\x3c\x48\x00\x11\x22\x33\x44";
        assert_eq!(detect(amr, &[]).unwrap().mime, "audio/amr");
    }

    #[test]
    fn other_types_need_the_config() {
        let pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n";
        assert_eq!(detect(pdf, &[]), None);
        let allowed = ["application/pdf".to_string()];
        assert_eq!(detect(pdf, &allowed).unwrap().ext, "pdf");
        assert_eq!(detect(b"#!/bin/sh\necho hi\n", &allowed), None);
        assert_eq!(detect(b"plain text", &allowed), None);
    }
}
