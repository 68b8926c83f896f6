//! Files embedded in a binary and served over HTTP (the web console's and
//! the web app's pages, scripts, styles and vendored libraries), so a
//! browser needs nothing from outside the cluster. Each answer carries an
//! `ETag` (a hash of the file, computed once), and a browser asking with
//! the current one gets `304` without the body; files are sent gzipped to
//! browsers that take it (compressed once, on first request).

use std::collections::HashMap;
use std::io::Write;
use std::sync::{Mutex, OnceLock};

use flate2::write::GzEncoder;
use flate2::Compression;

use http::{header, HeaderMap, HeaderValue, StatusCode};
use sha2::{Digest, Sha256};

use super::{full, Response};

/// `window.schatDom`: the DOM helpers (elements built from text only) and
/// formatters the console and the web app share; each serves it among its
/// own files.
pub const DOM_JS: &[u8] = include_bytes!("dom.js");

/// Our own files change with each build: the browser asks again each time
/// (they are small).
pub const REVALIDATE: &str = "no-cache";
/// Vendored files live under a versioned path and never change there.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

pub const HTML: &str = "text/html; charset=utf-8";
pub const JS: &str = "text/javascript; charset=utf-8";
pub const CSS: &str = "text/css; charset=utf-8";
pub const TEXT: &str = "text/plain; charset=utf-8";

/// One embedded file and the path it is served at.
#[derive(Clone, Copy, Debug)]
pub struct Embedded {
    pub path: &'static str,
    pub content_type: &'static str,
    /// The `Cache-Control` header to send with it.
    pub cache_control: &'static str,
    pub body: &'static [u8],
}

impl Embedded {
    pub const fn new(
        path: &'static str,
        content_type: &'static str,
        cache_control: &'static str,
        body: &'static [u8],
    ) -> Embedded {
        Embedded {
            path,
            content_type,
            cache_control,
            body,
        }
    }

    /// The answer to a GET with `request`'s headers: the file (gzipped
    /// when the browser takes gzip and it pays), its type, caching rule
    /// and ETag; `304` without the body when `If-None-Match` names the
    /// current ETag.
    pub fn answer(&self, request: &HeaderMap) -> Response {
        let forms = self.forms();
        let (body, etag, gzipped) = match &forms.gzip {
            Some((packed, etag)) if accepts_gzip(request) => (&packed[..], etag, true),
            _ => (self.body, &forms.etag, false),
        };
        let current = request
            .get_all(header::IF_NONE_MATCH)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .any(|tag| tag.trim() == etag || tag.trim() == "*");
        let mut response = if current {
            let mut response = http::Response::new(full(""));
            *response.status_mut() = StatusCode::NOT_MODIFIED;
            response
        } else {
            http::Response::new(full(body))
        };
        let headers = response.headers_mut();
        if let Ok(value) = HeaderValue::from_str(etag) {
            headers.insert(header::ETAG, value);
        }
        if gzipped {
            headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        }
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(self.content_type),
        );
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(self.cache_control),
        );
        response
    }

    /// The file's ETag as sent uncompressed.
    pub fn etag(&self) -> &'static str {
        &self.forms().etag
    }

    /// The file's ETag and gzipped form, made once per file (the set of
    /// embedded files is fixed and small).
    fn forms(&self) -> &'static Forms {
        static FORMS: OnceLock<Mutex<HashMap<(usize, usize), &'static Forms>>> = OnceLock::new();
        let key = (self.body.as_ptr() as usize, self.body.len());
        let mut forms = FORMS
            .get_or_init(Mutex::default)
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        forms
            .entry(key)
            .or_insert_with(|| Box::leak(Box::new(Forms::of(self.body))))
    }
}

/// The file of `files` served at `path` (like `/` or `/assets/app.js`),
/// if any. A query string left on the path is ignored.
pub fn find<'a>(files: &'a [Embedded], path: &str) -> Option<&'a Embedded> {
    let path = path.split_once('?').map_or(path, |(path, _)| path);
    files.iter().find(|file| file.path == path)
}

/// The `src="..."` and `href="..."` values of an HTML page, in order, for
/// checks that everything a page loads is embedded beside it.
pub fn references(html: &str) -> Vec<&str> {
    let mut found = Vec::new();
    for attr in ["src=\"", "href=\""] {
        let mut rest = html;
        while let Some(at) = rest.find(attr) {
            rest = &rest[at + attr.len()..];
            let Some(end) = rest.find('"') else { break };
            found.push(&rest[..end]);
            rest = &rest[end..];
        }
    }
    found
}

/// A file's ETag, and its gzipped body with that form's own ETag when
/// gzip makes it smaller.
#[derive(Debug)]
struct Forms {
    etag: String,
    gzip: Option<(Vec<u8>, String)>,
}

/// Smaller files are sent as they are.
const GZIP_MIN_BYTES: usize = 1024;

impl Forms {
    fn of(body: &[u8]) -> Forms {
        let digest = Sha256::digest(body);
        let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
        let gzip = (body.len() >= GZIP_MIN_BYTES)
            .then(|| {
                let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
                encoder.write_all(body).ok()?;
                encoder.finish().ok()
            })
            .flatten()
            .filter(|packed| packed.len() < body.len())
            .map(|packed| (packed, format!("\"{hex}-gzip\"")));
        Forms {
            etag: format!("\"{hex}\""),
            gzip,
        }
    }
}

/// Whether `Accept-Encoding` takes gzip (by name or `*`, without `q=0`).
fn accepts_gzip(request: &HeaderMap) -> bool {
    request
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|coding| {
            let mut parts = coding.split(';').map(str::trim);
            let name = parts.next().unwrap_or_default();
            let refused = parts.any(|param| {
                param
                    .strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q == 0.0)
            });
            (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILES: &[Embedded] = &[Embedded {
        path: "/a.js",
        content_type: JS,
        cache_control: REVALIDATE,
        body: b"1",
    }];

    #[test]
    fn found_by_exact_path_with_the_query_ignored() {
        assert_eq!(find(FILES, "/a.js?v=2").map(|f| f.body), Some(&b"1"[..]));
        for path in ["/a", "/a.js/", "/A.js", "/../a.js", ""] {
            assert!(find(FILES, path).is_none(), "{path}");
        }
        let response = FILES[0].answer(&HeaderMap::new());
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()[header::CONTENT_TYPE], JS);
        assert_eq!(response.headers()[header::CACHE_CONTROL], REVALIDATE);
        let etag = response.headers()[header::ETAG].clone();
        assert_eq!(etag, FILES[0].etag());
        assert_eq!(etag.len(), 34, "{etag:?}");
    }

    #[test]
    fn gzip_when_taken_and_worth_it() {
        const BIG: &[u8] = &[b'a'; 4096];
        let file = Embedded::new("/big.js", JS, REVALIDATE, BIG);
        let mut request = HeaderMap::new();
        request.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_static("br, gzip;q=0.8"),
        );
        let response = file.answer(&request);
        assert_eq!(response.headers()[header::CONTENT_ENCODING], "gzip");
        assert_eq!(response.headers()[header::VARY], "accept-encoding");
        let gzip_etag = response.headers()[header::ETAG].clone();
        assert_ne!(gzip_etag, file.etag(), "each form has its own ETag");
        let packed = &file.forms().gzip.as_ref().expect("gzipped").0;
        let mut unpacked = Vec::new();
        std::io::Read::read_to_end(
            &mut flate2::read::GzDecoder::new(&packed[..]),
            &mut unpacked,
        )
        .expect("gunzip");
        assert_eq!(unpacked, BIG);
        // Its current copy, asked for again gzipped: 304.
        request.insert(header::IF_NONE_MATCH, gzip_etag);
        assert_eq!(file.answer(&request).status(), StatusCode::NOT_MODIFIED);
        for refused in ["gzip;q=0", "identity", "br"] {
            let mut request = HeaderMap::new();
            request.insert(header::ACCEPT_ENCODING, HeaderValue::from_static(refused));
            let response = file.answer(&request);
            assert!(
                response.headers().get(header::CONTENT_ENCODING).is_none(),
                "{refused}"
            );
        }
        // A small file is sent as it is.
        request.remove(header::IF_NONE_MATCH);
        assert!(FILES[0]
            .answer(&request)
            .headers()
            .get(header::CONTENT_ENCODING)
            .is_none());
    }

    #[test]
    fn a_current_copy_gets_304_and_a_stale_one_the_file() {
        let mut request = HeaderMap::new();
        request.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_static("\"0000\", \"1111\""),
        );
        assert_eq!(FILES[0].answer(&request).status(), StatusCode::OK);
        let tags = format!("\"0000\", {}", FILES[0].etag());
        request.insert(header::IF_NONE_MATCH, HeaderValue::from_str(&tags).unwrap());
        let response = FILES[0].answer(&request);
        assert_eq!(response.status(), StatusCode::NOT_MODIFIED);
        assert_eq!(response.headers()[header::ETAG], FILES[0].etag());
    }
}
