//! The console's static files (HTML, script, styles, the vendored chart
//! library), embedded in the binary so the console works with no internet.
//!
//! | path                                         | file                              | cache           |
//! |----------------------------------------------|-----------------------------------|-----------------|
//! | `/`, `/index.html`                           | `assets/index.html`               | revalidate      |
//! | `/assets/app.js`, `dom.js`, `app.css`        | `assets/app.js`, ...              | revalidate      |
//! | `/assets/vendor/uplot-<version>/...`         | `assets/vendor/uPlot.*`           | a year, immutable |
//!
//! The vendored files' URLs carry the library's version, so they can be
//! cached for good: a new version is a new URL.

use schat_runtime::http::embedded::{self, Embedded, CSS, HTML, IMMUTABLE, JS, REVALIDATE, TEXT};

/// The version of uPlot in `assets/vendor/` (see its README.md).
pub const UPLOT_VERSION: &str = "1.6.32";

/// Every embedded file.
const FILES: &[Embedded] = &[
    Embedded::new(
        "/",
        HTML,
        REVALIDATE,
        include_bytes!("../assets/index.html"),
    ),
    Embedded::new(
        "/index.html",
        HTML,
        REVALIDATE,
        include_bytes!("../assets/index.html"),
    ),
    Embedded::new(
        "/assets/app.js",
        JS,
        REVALIDATE,
        include_bytes!("../assets/app.js"),
    ),
    Embedded::new("/assets/dom.js", JS, REVALIDATE, embedded::DOM_JS),
    Embedded::new(
        "/assets/app.css",
        CSS,
        REVALIDATE,
        include_bytes!("../assets/app.css"),
    ),
    Embedded::new(
        "/assets/vendor/uplot-1.6.32/uPlot.iife.min.js",
        JS,
        IMMUTABLE,
        include_bytes!("../assets/vendor/uPlot.iife.min.js"),
    ),
    Embedded::new(
        "/assets/vendor/uplot-1.6.32/uPlot.min.css",
        CSS,
        IMMUTABLE,
        include_bytes!("../assets/vendor/uPlot.min.css"),
    ),
    Embedded::new(
        "/assets/vendor/uplot-1.6.32/LICENSE",
        TEXT,
        IMMUTABLE,
        include_bytes!("../assets/vendor/uPlot.LICENSE"),
    ),
];

/// The file served at `path` (like `/` or `/assets/app.js`), if any. The
/// query string, if the caller left one on, is ignored.
pub fn asset(path: &str) -> Option<&'static Embedded> {
    embedded::find(FILES, path)
}

/// The paths of every embedded file.
pub fn paths() -> impl Iterator<Item = &'static str> {
    FILES.iter().map(|file| file.path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use schat_runtime::http::embedded::references;

    fn text(path: &str) -> &'static str {
        let asset = asset(path).unwrap_or_else(|| panic!("{path} is embedded"));
        std::str::from_utf8(asset.body).expect("text asset is UTF-8")
    }

    #[test]
    fn every_file_the_page_references_is_embedded_and_nothing_is_remote() {
        let html = text("/");
        let refs = references(html);
        assert!(refs.len() >= 5, "the page references its files: {refs:?}");
        for reference in refs {
            if reference.starts_with('#') {
                continue;
            }
            assert!(
                reference.starts_with('/'),
                "{reference}: the page loads only from its own server"
            );
            assert!(asset(reference).is_some(), "{reference} is not embedded");
        }
    }

    #[test]
    fn our_script_and_styles_fetch_nothing_from_outside() {
        for path in ["/assets/app.js", "/assets/dom.js", "/assets/app.css", "/"] {
            let body = text(path);
            for scheme in ["http://", "https://", "//cdn", "@import"] {
                assert!(!body.contains(scheme), "{path} mentions {scheme}");
            }
        }
    }

    #[test]
    fn content_types_and_caching_follow_the_kind_of_file() {
        let page = asset("/").expect("page");
        assert_eq!(page.content_type, "text/html; charset=utf-8");
        assert_eq!(page.cache_control, "no-cache");
        assert_eq!(
            asset("/assets/app.js").expect("script").content_type,
            "text/javascript; charset=utf-8"
        );
        assert_eq!(
            asset("/assets/app.css").expect("styles").content_type,
            "text/css; charset=utf-8"
        );
        let chart = asset("/assets/vendor/uplot-1.6.32/uPlot.iife.min.js").expect("uPlot");
        assert_eq!(chart.cache_control, "public, max-age=31536000, immutable");
        assert!(chart.body.len() > 10_000, "the whole library is embedded");
        let licence = text("/assets/vendor/uplot-1.6.32/LICENSE");
        assert!(licence.contains("MIT License"));
        assert_eq!(
            asset("/assets/app.js?v=1").map(|a| a.body.len()),
            Some(text("/assets/app.js").len())
        );
    }

    #[test]
    fn vendored_paths_carry_the_version_and_unknown_paths_are_none() {
        for path in paths().filter(|path| path.starts_with("/assets/vendor/")) {
            assert!(
                path.starts_with(&format!("/assets/vendor/uplot-{UPLOT_VERSION}/")),
                "{path}"
            );
        }
        let readme = include_str!("../assets/vendor/README.md");
        assert!(readme.contains(&format!("uplot@{UPLOT_VERSION}")));
        for path in [
            "/assets/",
            "/assets/vendor/uPlot.iife.min.js",
            "/../Cargo.toml",
            "/api/v1/procs",
        ] {
            assert!(asset(path).is_none(), "{path}");
        }
    }
}
