//! Files embedded in a binary and served over HTTP (the web console's and
//! the web app's pages, scripts, styles and vendored libraries), so a
//! browser needs nothing from outside the cluster. Each answer carries an
//! `ETag` (a hash of the file, computed once), and a browser asking with
//! the current one gets `304` without the body.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use http::{header, HeaderMap, HeaderValue, StatusCode};
use sha2::{Digest, Sha256};

use super::{full, Response};

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

    /// The answer to a GET with `request`'s headers: the file, its type,
    /// caching rule and ETag; `304` without the body when `If-None-Match`
    /// names the current ETag.
    pub fn answer(&self, request: &HeaderMap) -> Response {
        let etag = self.etag();
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
            http::Response::new(full(self.body))
        };
        let headers = response.headers_mut();
        if let Ok(value) = HeaderValue::from_str(etag) {
            headers.insert(header::ETAG, value);
        }
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

    /// `"<first 16 bytes of the SHA-256 of the body, hex>"`, computed once
    /// per file.
    pub fn etag(&self) -> &'static str {
        static TAGS: OnceLock<Mutex<HashMap<(usize, usize), &'static str>>> = OnceLock::new();
        let key = (self.body.as_ptr() as usize, self.body.len());
        let mut tags = TAGS
            .get_or_init(Mutex::default)
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        tags.entry(key).or_insert_with(|| {
            let digest = Sha256::digest(self.body);
            let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
            // One per embedded file: a fixed, small set.
            Box::leak(format!("\"{hex}\"").into_boxed_str())
        })
    }
}

/// The file of `files` served at `path` (like `/` or `/assets/app.js`),
/// if any. A query string left on the path is ignored.
pub fn find<'a>(files: &'a [Embedded], path: &str) -> Option<&'a Embedded> {
    let path = path.split_once('?').map_or(path, |(path, _)| path);
    files.iter().find(|file| file.path == path)
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
