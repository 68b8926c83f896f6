//! The console's static files (HTML, script, styles, the vendored chart
//! library), embedded in the binary so the console works with no internet.

/// One embedded file.
#[derive(Clone, Copy, Debug)]
pub struct Asset {
    pub content_type: &'static str,
    pub body: &'static [u8],
}

/// The file served at `path` (like `/` or `/assets/app.js`), if any.
pub fn asset(path: &str) -> Option<Asset> {
    let (content_type, body): (&'static str, &'static [u8]) = match path {
        "/" | "/index.html" => (
            "text/html; charset=utf-8",
            include_bytes!("../assets/index.html"),
        ),
        _ => return None,
    };
    Some(Asset { content_type, body })
}
