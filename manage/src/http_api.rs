//! The console's HTTP side: the page (from `assets`), `/metrics`, and the
//! JSON API under `/api/v1` (see the table) with its access rules.
//!
//! | route                                  | who            |
//! |----------------------------------------|----------------|
//! | `GET /`, `GET /assets/...`             | anyone         |
//! | `GET /metrics`                         | anyone, or the bearer of `manage.metrics_token_file` |
//! | `POST /api/v1/login`                   | anyone (throttled) |
//! | `POST /api/v1/logout`, `GET /api/v1/me`| a session      |
//! | `GET` procs, events, users, groups, alarms, audit; `POST /api/v1/commands/preview` | viewer |
//! | `POST /api/v1/commands`, `POST /api/v1/users/{uid}/kick`, `/api/v1/tokens` | admin |
//!
//! A request with the session cookie that changes state (POST, DELETE)
//! must carry the session's CSRF token in `X-CSRF-Token`; one with
//! `Authorization: Bearer <API token>` needs none (a browser never adds
//! that header by itself). Secrets (CSRF and `/metrics` tokens) are
//! compared in constant time. Every answer carries a
//! Content-Security-Policy that allows only the console's own files (the
//! page has no inline script), and under TLS Strict-Transport-Security.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::{header, HeaderValue, Method, StatusCode};
use http_body_util::{BodyExt, Limited};
use schat_runtime::http::{error, full, json, Request, Response};
use schat_runtime::logging::warn;
use schat_runtime::{Fabric, Node};
use serde_json::{json, Value};

use crate::accounts::Role;
use crate::audit::Audit;
use crate::auth::{
    cleared_cookie, cookie_value, same_secret, session_cookie, typed_name, Auth, LoginError,
    Principal,
};
use crate::poll::Published;
use crate::{assets, audit, events, metrics, views};

mod actions;

/// Largest request body read.
const MAX_BODY: usize = 64 * 1024;

/// The page loads only its own script, styles and data.
pub const CONTENT_SECURITY_POLICY: &str =
    "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// How a request proved who it is.
enum Credential {
    Session(String),
    Bearer(String),
}

/// What the handlers share.
#[derive(Debug)]
pub struct Console {
    pub node: Node,
    pub fabric: Fabric,
    pub published: Published,
    pub auth: Arc<Auth>,
    pub audit: Audit,
    /// The bearer token `/metrics` requires, if any (the file named by
    /// the running configuration, read again when it changes).
    pub metrics_token: MetricsToken,
    /// Served over TLS (cookies get `Secure`).
    pub secure: bool,
}

/// How to create the first operator, for a console that has none.
pub fn setup_hint(node: &Node) -> String {
    format!(
        "no operator exists yet: create one with `manage_serv --name {} operator add NAME --role admin`",
        node.me.name
    )
}

impl Console {
    /// Answers one request.
    pub async fn handle(self: Arc<Console>, request: Request, peer: SocketAddr) -> Response {
        let mut response = self.route(request, peer).await;
        let headers = response.headers_mut();
        headers
            .entry(header::CACHE_CONTROL)
            .or_insert(HeaderValue::from_static("no-store"));
        headers.insert(
            "x-content-type-options",
            HeaderValue::from_static("nosniff"),
        );
        headers.insert("x-frame-options", HeaderValue::from_static("DENY"));
        headers.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
        headers.insert(
            "content-security-policy",
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        );
        if self.secure {
            headers.insert(
                header::STRICT_TRANSPORT_SECURITY,
                HeaderValue::from_static("max-age=31536000"),
            );
        }
        response
    }

    async fn route(&self, request: Request, peer: SocketAddr) -> Response {
        let method = request.method().clone();
        let path = request.uri().path().to_string();
        if method == Method::GET && (path == "/" || path.starts_with("/assets/")) {
            return match assets::asset(&path) {
                Some(asset) => asset.answer(request.headers()),
                None => error(StatusCode::NOT_FOUND, "no such file"),
            };
        }
        if path == "/metrics" {
            return self.metrics(&request);
        }
        let Some(api) = path.strip_prefix("/api/v1/") else {
            return error(StatusCode::NOT_FOUND, "no such page");
        };
        let segments: Vec<String> = api.split('/').map(str::to_string).collect();
        let from = peer.ip().to_string();
        if method == Method::POST && api == "login" {
            return self.login(request, peer).await;
        }
        let (principal, credential) = match self.principal(&request) {
            Ok(found) => found,
            Err(response) => return response,
        };
        let changes_state = method == Method::POST || method == Method::DELETE;
        if changes_state {
            if let Some(csrf) = &principal.csrf {
                let sent = request
                    .headers()
                    .get("x-csrf-token")
                    .and_then(|value| value.to_str().ok());
                if !sent.is_some_and(|sent| same_secret(sent, csrf)) {
                    return error(StatusCode::FORBIDDEN, "missing or wrong X-CSRF-Token");
                }
            }
        }
        let query = request.uri().query().unwrap_or("").to_string();
        let admin_only = matches!(
            (&method, segments.first().map(String::as_str)),
            (&Method::POST, Some("commands")) if segments.len() == 1
        ) || (segments.first().map(String::as_str) == Some("tokens"))
            || (method == Method::POST && segments.get(2).map(String::as_str) == Some("kick"));
        if admin_only && principal.role != Role::Admin {
            return error(StatusCode::FORBIDDEN, "only an admin may do this");
        }
        let body = if changes_state {
            match read_json(request).await {
                Ok(body) => body,
                Err(response) => return response,
            }
        } else {
            Value::Null
        };
        let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
        match (&method, segments.as_slice()) {
            (&Method::POST, ["logout"]) => {
                if let Credential::Session(id) = &credential {
                    self.auth.logout(id);
                }
                self.audit
                    .record(&principal.name, &from, "logout", "", "ok");
                let mut response = json(StatusCode::OK, &json!({ "ok": true }));
                set_cookie(&mut response, &cleared_cookie(self.secure));
                response
            }
            (&Method::GET, ["me"]) => json(
                StatusCode::OK,
                &json!({ "name": principal.name, "role": principal.role.name(),
                    "csrf": principal.csrf }),
            ),
            (&Method::GET, ["procs"]) => {
                let snapshot = self.published.latest();
                let mut response = http::Response::new(full(snapshot.procs_json.clone()));
                response.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                );
                response
            }
            (&Method::GET, ["procs", name]) => {
                let snapshot = self.published.latest();
                match snapshot.proc(name) {
                    Some(proc) => json(StatusCode::OK, &views::detail(snapshot.now_ms, proc)),
                    None => error(StatusCode::NOT_FOUND, "no such process"),
                }
            }
            (&Method::GET, ["procs", name, "series"]) => {
                if self.published.latest().proc(name).is_none() {
                    return error(StatusCode::NOT_FOUND, "no such process");
                }
                json(
                    StatusCode::OK,
                    &views::series(&self.published.history.of(name)),
                )
            }
            (&Method::GET, ["events"]) => {
                let auth = self.auth.clone();
                // Checked again before every poll's events: a session that
                // ends, or a token revoked or expired, ends the stream.
                let allowed: events::StillAllowed = match credential {
                    Credential::Session(id) => Box::new(move || auth.session_alive(&id)),
                    Credential::Bearer(secret) => Box::new(move || auth.bearer(&secret).is_some()),
                };
                events::stream(
                    self.published.snapshot.clone(),
                    self.node.shutdown.clone(),
                    allowed,
                )
            }
            (&Method::GET, ["alarms"]) => {
                json(StatusCode::OK, &json!(self.published.latest().alarms))
            }
            (&Method::GET, ["audit"]) => {
                let limit = query_param(&query, "limit")
                    .and_then(|limit| limit.parse::<usize>().ok())
                    .unwrap_or(100)
                    .min(audit::KEPT);
                json(
                    StatusCode::OK,
                    &json!({ "entries": self.audit.latest(limit) }),
                )
            }
            (&Method::GET, ["users"]) => self.user(&query).await,
            (&Method::POST, ["users", uid, "kick"]) => {
                self.kick(&principal, &from, uid, &body).await
            }
            (&Method::GET, ["groups", gid]) => self.group(gid).await,
            (&Method::POST, ["commands", "preview"]) => self.preview(&body),
            (&Method::POST, ["commands"]) => self.command(&principal, &from, &body).await,
            (&Method::GET, ["tokens"]) => {
                let tokens = self
                    .auth
                    .accounts
                    .tokens_json(schat_runtime::time::now_ms());
                json(StatusCode::OK, &json!({ "tokens": tokens }))
            }
            (&Method::POST, ["tokens"]) => self.create_token(&principal, &from, &body),
            (&Method::DELETE, ["tokens", id]) => match self.auth.accounts.revoke_token(id) {
                Ok(token) => {
                    self.audit.record(
                        &principal.name,
                        &from,
                        "token_revoke",
                        &format!("{} ({})", token.id, token.name),
                        "ok",
                    );
                    json(StatusCode::OK, &json!({ "revoked": token.id }))
                }
                Err(err) => error(StatusCode::NOT_FOUND, &err.to_string()),
            },
            _ => error(StatusCode::NOT_FOUND, "no such API route"),
        }
    }

    /// The caller, by bearer token or session cookie, and how it proved it.
    #[allow(clippy::result_large_err)]
    fn principal(&self, request: &Request) -> Result<(Principal, Credential), Response> {
        let headers = request.headers();
        if let Some(value) = headers.get(header::AUTHORIZATION) {
            let token = value
                .to_str()
                .ok()
                .and_then(|value| value.strip_prefix("Bearer "))
                .map(str::trim);
            return match token.and_then(|token| Some((self.auth.bearer(token)?, token))) {
                Some((principal, token)) => Ok((principal, Credential::Bearer(token.to_string()))),
                None => Err(error(
                    StatusCode::UNAUTHORIZED,
                    "the API token is unknown, expired or revoked",
                )),
            };
        }
        let id = headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .find_map(|value| cookie_value(value, crate::auth::COOKIE))
            .map(str::to_string);
        match id.and_then(|id| self.auth.session(&id).map(|principal| (principal, id))) {
            Some((principal, id)) => Ok((principal, Credential::Session(id))),
            None => {
                let mut body = json!({ "error": "not logged in" });
                if !self.auth.has_operators() {
                    body["setup"] = json!(setup_hint(&self.node));
                }
                Err(json(StatusCode::UNAUTHORIZED, &body))
            }
        }
    }

    fn metrics(&self, request: &Request) -> Response {
        let file = crate::current_config(&self.node)
            .manage
            .metrics_token_file
            .clone();
        if let Some(file) = file {
            let Some(expected) = self.metrics_token.read(&file) else {
                // The named file cannot be read: closed, not open.
                warn!(self.node.log, "Cannot read manage.metrics_token_file"; "path" => &file);
                return error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "manage.metrics_token_file cannot be read",
                );
            };
            let sent = request
                .headers()
                .get(header::AUTHORIZATION)
                .and_then(|value| value.to_str().ok())
                .and_then(|value| value.strip_prefix("Bearer "));
            if !sent.is_some_and(|sent| same_secret(sent, &expected)) {
                return error(StatusCode::UNAUTHORIZED, "/metrics needs its bearer token");
            }
        }
        let snapshot = self.published.latest();
        let mut response = http::Response::new(full(metrics::text(&snapshot).to_string()));
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(metrics::CONTENT_TYPE),
        );
        response
    }

    async fn login(&self, request: Request, peer: SocketAddr) -> Response {
        let from = peer.ip().to_string();
        let audit = |name: &str, action: &str, result: &str| {
            // Never more of a typed name than an operator's could be.
            self.audit
                .record(typed_name(name), &from, action, "", result);
        };
        let body = match read_json(request).await {
            Ok(body) => body,
            Err(response) => return response,
        };
        let (Some(name), Some(password)) = (body["name"].as_str(), body["password"].as_str())
        else {
            return error(StatusCode::BAD_REQUEST, "login needs name and password");
        };
        match self.auth.login(name, password, peer.ip()).await {
            Ok((id, principal)) => {
                audit(name, "login", "ok");
                let mut response = json(
                    StatusCode::OK,
                    &json!({ "name": principal.name, "role": principal.role.name(),
                        "csrf": principal.csrf }),
                );
                set_cookie(&mut response, &session_cookie(&id, self.secure));
                response
            }
            Err(LoginError::Throttled { wait, audit: first }) => {
                if first {
                    audit(name, "login_failed", "throttled");
                }
                let mut response = error(
                    StatusCode::TOO_MANY_REQUESTS,
                    "too many failed logins: try again later",
                );
                if let Ok(value) = HeaderValue::from_str(&(wait.as_secs() + 1).to_string()) {
                    response.headers_mut().insert(header::RETRY_AFTER, value);
                }
                response
            }
            Err(LoginError::BadCredentials) => {
                audit(name, "login_failed", "bad credentials");
                let mut body = json!({ "error": "wrong name or password" });
                if !self.auth.has_operators() {
                    body["setup"] = json!(setup_hint(&self.node));
                }
                json(StatusCode::UNAUTHORIZED, &body)
            }
            Err(LoginError::Internal(reason)) => {
                audit(name, "login_failed", &reason);
                error(StatusCode::SERVICE_UNAVAILABLE, &reason)
            }
        }
    }
}

/// The `/metrics` bearer token, read from its file when the file (or
/// its name) changed since the last scrape.
#[derive(Debug, Default)]
pub struct MetricsToken {
    cached: Mutex<Option<CachedToken>>,
}

#[derive(Debug)]
struct CachedToken {
    path: String,
    stamp: (std::time::SystemTime, u64, u64),
    token: String,
}

impl MetricsToken {
    /// The token in `path`, `None` when the file cannot be read or is empty.
    pub fn read(&self, path: &str) -> Option<String> {
        let meta = std::fs::metadata(path).ok()?;
        #[cfg(unix)]
        let inode = std::os::unix::fs::MetadataExt::ino(&meta);
        #[cfg(not(unix))]
        let inode = 0;
        let stamp = (meta.modified().ok()?, meta.len(), inode);
        let mut cached = self.cached.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(cached) = cached.as_ref() {
            if cached.path == path && cached.stamp == stamp {
                return Some(cached.token.clone());
            }
        }
        let token = std::fs::read_to_string(path).ok()?.trim().to_string();
        if token.is_empty() {
            *cached = None;
            return None;
        }
        *cached = Some(CachedToken {
            path: path.to_string(),
            stamp,
            token: token.clone(),
        });
        Some(token)
    }
}

fn set_cookie(response: &mut Response, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
}

/// The body as JSON (an empty body reads as `{}`).
#[allow(clippy::result_large_err)]
async fn read_json(request: Request) -> Result<Value, Response> {
    let bytes: Bytes = match Limited::new(request.into_body(), MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => {
            return Err(error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "the body is too large",
            ))
        }
    };
    if bytes.is_empty() {
        return Ok(json!({}));
    }
    serde_json::from_slice(&bytes).map_err(|err| {
        error(
            StatusCode::BAD_REQUEST,
            &format!("the body is not JSON: {err}"),
        )
    })
}

/// A query parameter, percent-decoded.
fn query_param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (key == name).then(|| percent_decode(value))
    })
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let byte = bytes[index];
        let hex = bytes
            .get(index + 1..index + 3)
            .and_then(|pair| std::str::from_utf8(pair).ok())
            .and_then(|pair| u8::from_str_radix(pair, 16).ok());
        match (byte, hex) {
            (b'%', Some(decoded)) => {
                out.push(decoded);
                index += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                index += 1;
            }
            _ => {
                out.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_parameters_are_decoded() {
        assert_eq!(
            query_param("account=al%20ice&uid=3", "account").as_deref(),
            Some("al ice")
        );
        assert_eq!(query_param("uid=3", "uid").as_deref(), Some("3"));
        assert_eq!(query_param("uid=3", "account"), None);
        assert_eq!(percent_decode("a%2"), "a%2");
        assert_eq!(percent_decode("%e4%bd%a0"), "你");
    }
}
