//! Cross-origin access for the cluster's web pages (the web app served by
//! dir_serv, other `limits.web_origins`): a browser page on another origin
//! may upload (POST with `Authorization`, so the browser first asks with a
//! preflight `OPTIONS`) and read the answers only if this server says so.
//! Pages of other origins get no such permission; a request without an
//! `Origin` (not a browser) is served as before.

use http::{header, HeaderMap, HeaderValue, StatusCode};
use schat_runtime::config::ClusterConfig;
use schat_runtime::http::{error, full, Response};

/// What the request's `Origin` allows.
#[derive(Debug)]
pub enum Cors {
    /// No `Origin`: not a page in a browser.
    NoOrigin,
    /// One of the cluster's web origins, echoed back in the answer.
    Allowed(HeaderValue),
    Refused,
}

/// How long a browser may keep a preflight's answer.
const PREFLIGHT_MAX_AGE_SECS: &str = "600";

impl Cors {
    pub fn of(config: &ClusterConfig, headers: &HeaderMap) -> Cors {
        let Some(origin) = headers.get(header::ORIGIN) else {
            return Cors::NoOrigin;
        };
        let listed = config
            .web_origins()
            .iter()
            .any(|allowed| allowed.as_bytes() == origin.as_bytes());
        if listed {
            Cors::Allowed(origin.clone())
        } else {
            Cors::Refused
        }
    }

    /// The answer to a preflight `OPTIONS`: the methods and headers the
    /// file endpoints take, for an allowed origin only.
    pub fn preflight(&self) -> Response {
        let Cors::Allowed(_) = self else {
            return error(
                StatusCode::FORBIDDEN,
                "this page's origin may not use the file servers (limits.web_origins)",
            );
        };
        let mut response = http::Response::new(full(""));
        *response.status_mut() = StatusCode::NO_CONTENT;
        let headers = response.headers_mut();
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, HEAD, POST"),
        );
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("authorization, range"),
        );
        headers.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static(PREFLIGHT_MAX_AGE_SECS),
        );
        self.allow(&mut response);
        response
    }

    /// Lets an allowed page read `response`.
    pub fn allow(&self, response: &mut Response) {
        let headers = response.headers_mut();
        headers.append(header::VARY, HeaderValue::from_static("origin"));
        if let Cors::Allowed(origin) = self {
            headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
        }
    }
}
