//! Files embedded in a binary and served over HTTP (the web console's and
//! the web app's pages, scripts, styles and vendored libraries), so a
//! browser needs nothing from outside the cluster.

use http::{header, HeaderValue};

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

    /// A 200 answer with the file, its type and its caching rule.
    pub fn response(&self) -> Response {
        let mut response = http::Response::new(full(self.body));
        let headers = response.headers_mut();
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
        let response = FILES[0].response();
        assert_eq!(response.headers()[header::CONTENT_TYPE], JS);
        assert_eq!(response.headers()[header::CACHE_CONTROL], REVALIDATE);
    }
}
