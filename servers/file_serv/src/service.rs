//! The HTTP endpoints of file_serv.
//!
//! | method and path | what |
//! |---|---|
//! | `GET /health` | 200 with the server's serv_index |
//! | `POST /v1/upload/chat/<gid>` | a file for a group's chat (members only) |
//! | `POST /v1/upload/avatar` | the caller's avatar (images only) |
//! | `POST /v1/upload/group-avatar/<gid>` | a group's avatar (owner only, images only) |
//! | `GET` / `HEAD /f/<serv_index>/<scope>/<name>` | a file; Range supported; group chat files for members only |
//! | `OPTIONS` any path | a browser's preflight (see `cors.rs`) |
//!
//! Uploads are `multipart/form-data` with one part named `file`, streamed
//! to disk while hashed; the type is detected from the content. Every
//! request needs a file token (`Authorization: Bearer <token>`, or
//! `?token=` on downloads, for players that cannot set headers). Every
//! refusal is a 4xx with `{"error": reason}`, and nothing is stored.

use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use futures_util::{StreamExt, TryStreamExt};
use http::{header, HeaderValue, Method, StatusCode};
use http_body_util::{BodyExt, BodyStream, StreamBody};
use hyper::body::Frame;
use schat_runtime::file_url::{FileUrl, Scope};
use schat_runtime::http::{error, full, json, Body, Request, Response};
use schat_runtime::logging::debug;
use tokio::io::{AsyncReadExt, AsyncSeekExt};
use tokio_util::io::ReaderStream;

use crate::access::Denied;
use crate::cors::Cors;
use crate::kinds::{self, SNIFF_BYTES};
use crate::range::{self, Ranged};
use crate::Files;

/// Room for multipart boundaries and part headers around the file.
pub const MULTIPART_OVERHEAD: u64 = 64 * 1024;

/// Answers one request, counting refusals against the client's address.
pub async fn handle(files: &Files, request: Request, peer: SocketAddr) -> Response {
    let cors = Cors::of(&files.config.current(), request.headers());
    if request.method() == Method::OPTIONS {
        return cors.preflight();
    }
    let mut response = serve(files, request, peer).await;
    cors.allow(&mut response);
    response
}

async fn serve(files: &Files, request: Request, peer: SocketAddr) -> Response {
    if let Some(wait_secs) = files.throttle.blocked(peer.ip()) {
        let mut response = error(
            StatusCode::TOO_MANY_REQUESTS,
            &format!("too many failed requests from this address; retry in {wait_secs} s"),
        );
        if let Ok(value) = HeaderValue::from_str(&wait_secs.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        return response;
    }
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let response = route(files, request).await;
    if counts_as_failure(response.status()) {
        files.throttle.failed(peer.ip());
        debug!(files.log, "Refused"; "peer" => %peer, "method" => %method,
            "path" => &path, "status" => response.status().as_u16());
    }
    response
}

/// Refusals that suggest probing or abuse; a 404 for a replaced avatar, a
/// 416 from a player probing ranges, a 408 for an upload stalled on a slow
/// network and a 429 itself do not count.
fn counts_as_failure(status: StatusCode) -> bool {
    matches!(
        status,
        StatusCode::BAD_REQUEST
            | StatusCode::UNAUTHORIZED
            | StatusCode::FORBIDDEN
            | StatusCode::PAYLOAD_TOO_LARGE
            | StatusCode::UNSUPPORTED_MEDIA_TYPE
    )
}

async fn route(files: &Files, request: Request) -> Response {
    let path = request.uri().path();
    let method = request.method();
    if path == "/health" {
        return json(
            StatusCode::OK,
            &serde_json::json!({ "ok": true, "serv_index": files.store.serv_index() }),
        );
    }
    if let Some(target) = path.strip_prefix("/v1/upload/") {
        if method != Method::POST {
            return error(StatusCode::METHOD_NOT_ALLOWED, "uploads are POST");
        }
        let target = target.to_string();
        return match upload(files, &target, request).await {
            Ok(response) => {
                files.uploads.inc();
                response
            }
            Err(refusal) => refusal.into(),
        };
    }
    if path.starts_with("/f/") {
        if method != Method::GET && method != Method::HEAD {
            return error(
                StatusCode::METHOD_NOT_ALLOWED,
                "files are read with GET or HEAD",
            );
        }
        return match download(files, &request).await {
            Ok(response) => {
                if response.status().is_success() {
                    files.downloads.inc();
                }
                response
            }
            Err(refusal) => refusal.into(),
        };
    }
    error(StatusCode::NOT_FOUND, "no such endpoint")
}

/// A refused request: its status and reason.
struct Refusal(StatusCode, String);

impl Refusal {
    fn new(status: StatusCode, reason: impl Into<String>) -> Refusal {
        Refusal(status, reason.into())
    }
}

impl From<Refusal> for Response {
    fn from(Refusal(status, reason): Refusal) -> Response {
        error(status, &reason)
    }
}

impl From<Denied> for Refusal {
    fn from(denied: Denied) -> Refusal {
        let status = match denied {
            Denied::NoToken | Denied::Token(_) => StatusCode::UNAUTHORIZED,
            Denied::NoGroup => StatusCode::NOT_FOUND,
            Denied::NotMember | Denied::NotOwner => StatusCode::FORBIDDEN,
            Denied::NoKey(_) | Denied::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        };
        Refusal::new(status, denied.to_string())
    }
}

fn internal(err: std::io::Error) -> Refusal {
    Refusal::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        format!("storage error: {err}"),
    )
}

/// The file token of a request: the bearer header, or `token=` in the query.
fn token_of(request: &Request) -> Option<String> {
    if let Some(value) = request.headers().get(header::AUTHORIZATION) {
        let value = value.to_str().ok()?;
        return value
            .strip_prefix("Bearer ")
            .map(|token| token.trim().to_string());
    }
    request
        .uri()
        .query()?
        .split('&')
        .find_map(|pair| pair.strip_prefix("token="))
        .map(str::to_string)
}

fn gid_of(text: &str) -> Result<u64, Refusal> {
    text.parse::<u64>()
        .ok()
        .filter(|gid| *gid > 0)
        .ok_or_else(|| Refusal::new(StatusCode::BAD_REQUEST, "group id must be a number above 0"))
}

async fn upload(files: &Files, target: &str, request: Request) -> Result<Response, Refusal> {
    let uid = files.access.user(token_of(&request).as_deref()).await?;
    // The group and whether only its owner may upload.
    let (scope, images_only, group) = match target.split_once('/') {
        None if target == "avatar" => (Scope::UserAvatar(uid), true, None),
        Some(("chat", gid)) => {
            let gid = gid_of(gid)?;
            files.access.require_member(gid, uid).await?;
            (Scope::Chat(gid), false, Some((gid, false)))
        }
        Some(("group-avatar", gid)) => {
            let gid = gid_of(gid)?;
            files.access.require_owner(gid, uid).await?;
            (Scope::GroupAvatar(gid), true, Some((gid, true)))
        }
        _ => {
            return Err(Refusal::new(
                StatusCode::NOT_FOUND,
                "no such upload endpoint",
            ))
        }
    };
    let max = files.config.current().files.max_upload_bytes;
    let boundary = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| multer::parse_boundary(value).ok())
        .ok_or_else(|| {
            Refusal::new(
                StatusCode::BAD_REQUEST,
                "expected a multipart/form-data body with a boundary",
            )
        })?;
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|len| len > max.saturating_add(MULTIPART_OVERHEAD)) {
        return Err(too_large(max));
    }
    let body = body_data(
        request.into_body(),
        files.config.current().http.stall_timeout(),
    );
    let mut multipart =
        multer::Multipart::with_constraints(body, boundary, upload_constraints(max));
    let mut field = loop {
        match multipart.next_field().await {
            Ok(Some(field)) if field.name() == Some("file") => break field,
            Ok(Some(_other)) => continue,
            Ok(None) => {
                return Err(Refusal::new(
                    StatusCode::BAD_REQUEST,
                    "the multipart body has no part named \"file\"",
                ))
            }
            Err(err) => return Err(multipart_error(err, max)),
        }
    };

    let mut upload = files.store.begin().await.map_err(internal)?;
    let mut head: Vec<u8> = Vec::new();
    let mut kind = None;
    let outcome: Result<(), Refusal> = async {
        loop {
            let chunk = match field.chunk().await {
                Ok(Some(chunk)) => chunk,
                Ok(None) => break,
                Err(err) => return Err(multipart_error(err, max)),
            };
            if upload.size + chunk.len() as u64 > max {
                return Err(too_large(max));
            }
            if kind.is_none() {
                let wanted = SNIFF_BYTES - head.len();
                head.extend_from_slice(&chunk[..chunk.len().min(wanted)]);
                if head.len() == SNIFF_BYTES {
                    kind = Some(accept(files, &head, images_only)?);
                }
            }
            upload.write(&chunk).await.map_err(internal)?;
        }
        if upload.size == 0 {
            return Err(Refusal::new(StatusCode::BAD_REQUEST, "the file is empty"));
        }
        if kind.is_none() {
            kind = Some(accept(files, &head, images_only)?);
        }
        // The group may have gone (or the user left it) while the body
        // arrived: check once more, uncached, before the file is kept.
        if let Some((gid, owner)) = group {
            files.access.recheck(gid, uid, owner).await?;
        }
        Ok(())
    }
    .await;
    if let Err(refusal) = outcome {
        upload.discard().await;
        return Err(refusal);
    }
    let kind = kind.unwrap_or_else(|| unreachable!("set when the body ended"));
    let size = upload.size;
    let url = files
        .store
        .commit(upload, scope, kind.ext)
        .await
        .map_err(internal)?;
    debug!(files.log, "Stored"; "uid" => uid, "url" => %url, "bytes" => size, "type" => kind.mime);
    Ok(json(
        StatusCode::CREATED,
        &serde_json::json!({
            "url": url.to_string(),
            "size": size,
            "content_type": kind.mime,
            "sha256": url.hash(),
        }),
    ))
}

/// What the multipart parser of an upload enforces: the whole body within
/// `max_upload` bytes plus [`MULTIPART_OVERHEAD`] (any `max_upload` the
/// config check accepts, up to `u64::MAX`).
pub fn upload_constraints(max_upload: u64) -> multer::Constraints {
    let limit = max_upload.saturating_add(MULTIPART_OVERHEAD);
    multer::Constraints::new().size_limit(multer::SizeLimit::new().whole_stream(limit))
}

fn accept(files: &Files, head: &[u8], images_only: bool) -> Result<kinds::Kind, Refusal> {
    match kinds::detect(head, &files.config.current().files.other_types) {
        Some(kind) if kind.image || !images_only => Ok(kind),
        Some(kind) => Err(Refusal::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!(
                "avatars must be images (jpeg, png, gif, webp), not {}",
                kind.mime
            ),
        )),
        None => Err(Refusal::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!(
                "this type of file is not accepted (detected {})",
                kinds::content_type(head)
            ),
        )),
    }
}

fn too_large(max: u64) -> Refusal {
    Refusal::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("uploads are limited to {max} bytes"),
    )
}

/// The data of an upload's body, ending in [`Stalled`] when nothing arrives
/// for `stall`.
fn body_data(
    body: hyper::body::Incoming,
    stall: Duration,
) -> impl futures_util::Stream<Item = Result<Bytes, BoxError>> {
    futures_util::stream::unfold(Some(BodyStream::new(body)), move |frames| async move {
        let mut frames = frames?;
        loop {
            match tokio::time::timeout(stall, frames.next()).await {
                Err(_) => return Some((Err(Stalled(stall).into()), None)),
                Ok(None) => return None,
                Ok(Some(Err(err))) => return Some((Err(err.into()), None)),
                Ok(Some(Ok(frame))) => {
                    if let Ok(data) = frame.into_data() {
                        return Some((Ok(data), Some(frames)));
                    }
                }
            }
        }
    })
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// An upload's body that sent nothing for the stall deadline.
#[derive(Debug, thiserror::Error)]
#[error("no upload data for {} ms", .0.as_millis())]
struct Stalled(Duration);

fn multipart_error(err: multer::Error, max: u64) -> Refusal {
    match err {
        multer::Error::StreamSizeExceeded { .. } | multer::Error::FieldSizeExceeded { .. } => {
            too_large(max)
        }
        multer::Error::StreamReadFailed(source) if source.is::<Stalled>() => {
            Refusal::new(StatusCode::REQUEST_TIMEOUT, source.to_string())
        }
        other => Refusal::new(
            StatusCode::BAD_REQUEST,
            format!("malformed multipart body: {other}"),
        ),
    }
}

async fn download(files: &Files, request: &Request) -> Result<Response, Refusal> {
    let path = request.uri().path();
    let url = FileUrl::parse(path)
        .ok_or_else(|| Refusal::new(StatusCode::BAD_REQUEST, "malformed file path"))?;
    if url.serv_index != files.store.serv_index() {
        return Err(Refusal::new(
            StatusCode::NOT_FOUND,
            format!(
                "that file is on serv_index {}; this server is {}",
                url.serv_index,
                files.store.serv_index()
            ),
        ));
    }
    let uid = files.access.user(token_of(request).as_deref()).await?;
    if let Scope::Chat(gid) = url.scope {
        files.access.require_member(gid, uid).await?;
    }
    let Some((mut file, len)) = files.store.open_file(&url).await.map_err(internal)? else {
        return Err(Refusal::new(StatusCode::NOT_FOUND, "no such file"));
    };
    let mut head = vec![0; SNIFF_BYTES.min(len as usize)];
    file.read_exact(&mut head).await.map_err(internal)?;
    let content_type = kinds::content_type(&head);
    let range_header = request
        .headers()
        .get(header::RANGE)
        .and_then(|value| value.to_str().ok());
    let (status, span) = match range::parse(range_header, len) {
        Ranged::Whole => (StatusCode::OK, (len > 0).then(|| 0..=len - 1)),
        Ranged::Part(span) => (StatusCode::PARTIAL_CONTENT, Some(span)),
        Ranged::Unsatisfiable => {
            let mut response = error(StatusCode::RANGE_NOT_SATISFIABLE, "range not satisfiable");
            insert(
                &mut response,
                header::CONTENT_RANGE,
                &format!("bytes */{len}"),
            );
            return Ok(response);
        }
    };
    let body_len = span
        .as_ref()
        .map_or(0, |span| span.end() - span.start() + 1);
    let body: Body = match (&span, request.method() == Method::HEAD) {
        (Some(span), false) => {
            file.seek(std::io::SeekFrom::Start(*span.start()))
                .await
                .map_err(internal)?;
            let chunks = ReaderStream::new(file.take(body_len)).map_ok(Frame::data);
            BodyExt::boxed(StreamBody::new(chunks))
        }
        _ => full(Bytes::new()),
    };
    let mut response = http::Response::new(body);
    *response.status_mut() = status;
    insert(&mut response, header::CONTENT_TYPE, content_type);
    insert(&mut response, header::CONTENT_LENGTH, &body_len.to_string());
    insert(&mut response, header::ACCEPT_RANGES, "bytes");
    insert(&mut response, header::ETAG, &format!("\"{}\"", url.hash()));
    // A file is data, never a page of this server's origin: no sniffing
    // it into HTML, and, opened as a page anyway, no script and no origin.
    insert(&mut response, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    insert(&mut response, header::CONTENT_SECURITY_POLICY, "sandbox");
    insert(
        &mut response,
        header::CACHE_CONTROL,
        "private, max-age=31536000, immutable",
    );
    if let (StatusCode::PARTIAL_CONTENT, Some(span)) = (status, &span) {
        insert(
            &mut response,
            header::CONTENT_RANGE,
            &format!("bytes {}-{}/{len}", span.start(), span.end()),
        );
    }
    Ok(response)
}

/// Sets a header; every value this server builds is plain ASCII.
fn insert(response: &mut Response, name: header::HeaderName, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        response.headers_mut().insert(name, value);
    }
}

#[cfg(test)]
mod tests {
    use futures_util::FutureExt;

    use super::*;

    /// `files.max_upload_bytes` may be as large as `u64::MAX`: the limit
    /// saturates instead of overflowing.
    #[test]
    fn the_largest_upload_limit_does_not_overflow() {
        let body = b"--b\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nhi\r\n--b--\r\n";
        let stream =
            futures_util::stream::iter([Ok::<_, std::io::Error>(Bytes::from_static(body))]);
        let mut multipart =
            multer::Multipart::with_constraints(stream, "b", upload_constraints(u64::MAX));
        let field = multipart
            .next_field()
            .now_or_never()
            .unwrap()
            .unwrap()
            .unwrap();
        assert_eq!(field.bytes().now_or_never().unwrap().unwrap(), &b"hi"[..]);
    }
}
