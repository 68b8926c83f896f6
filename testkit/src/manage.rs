//! Talking to a test cluster's manage_serv: operators created in its
//! data_dir as `manage_serv operator add` does, and a small console
//! client (session cookie and CSRF token, or an API token) over real HTTP,
//! with its event stream and logins from a chosen loopback address.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use bytes::Bytes;
use http::{Method, StatusCode};
use manage_serv::accounts::{Accounts, Role};
use schat_client::{HttpClient, HttpResponse};
use schat_runtime::password::Passwords;
use serde_json::{json, Value};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::{raw_http, TestCluster};

/// The data_dir of a manage_serv of `cluster`.
pub fn data_dir(cluster: &TestCluster, manage: &str) -> PathBuf {
    PathBuf::from(
        cluster
            .config
            .proc_by_name(manage)
            .ok()
            .and_then(|proc| proc.data_dir.clone())
            .unwrap_or_default(),
    )
}

/// Creates an operator in a manage_serv's data_dir.
pub async fn add_operator(
    cluster: &TestCluster,
    manage: &str,
    name: &str,
    password: &str,
    role: Role,
) -> anyhow::Result<()> {
    let hash = Passwords::new(&cluster.config.auth)?
        .hash(password.to_string())
        .await?;
    Accounts::open(&data_dir(cluster, manage))?.add_operator(name, role, hash)?;
    Ok(())
}

/// One answer: status and JSON body (`Null` when the body is not JSON).
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub json: Value,
    pub response: HttpResponse,
}

/// A console client.
#[derive(Clone, Debug)]
pub struct Console {
    pub base: String,
    http: HttpClient,
    /// The session cookie (`schat_console=...`), after a login.
    pub cookie: Option<String>,
    pub csrf: Option<String>,
    /// An API token, sent as `Authorization: Bearer`.
    pub bearer: Option<String>,
}

impl Console {
    /// A client of `manage`'s console with no credentials.
    pub fn new(cluster: &TestCluster, manage: &str) -> Console {
        let base = cluster.http_url(manage);
        // A TLS console's self-signed certificate is trusted.
        let http = if base.starts_with("https:") {
            HttpClient::with_ca_file(&cluster.ca_file(manage)).unwrap_or_default()
        } else {
            HttpClient::default()
        };
        Console {
            base,
            http,
            cookie: None,
            csrf: None,
            bearer: None,
        }
    }

    /// Logs in; the answer (the client keeps the session on success).
    pub async fn login(&mut self, name: &str, password: &str) -> anyhow::Result<Answer> {
        let answer = self
            .send(
                Method::POST,
                "/api/v1/login",
                Some(json!({ "name": name, "password": password })),
                &[],
            )
            .await?;
        if answer.status == StatusCode::OK {
            let set_cookie = answer
                .response
                .headers
                .get(http::header::SET_COOKIE)
                .and_then(|value| value.to_str().ok())
                .context("no Set-Cookie on login")?;
            self.cookie = set_cookie.split(';').next().map(str::to_string);
            self.csrf = answer.json["csrf"].as_str().map(str::to_string);
        }
        Ok(answer)
    }

    /// A client logged in as a fresh operator of `role` (the waits of
    /// the first poll included: the console answers at once).
    pub async fn operator(
        cluster: &TestCluster,
        manage: &str,
        name: &str,
        role: Role,
    ) -> anyhow::Result<Console> {
        let password = format!("{name}-password-123");
        add_operator(cluster, manage, name, &password, role).await?;
        let mut console = Console::new(cluster, manage);
        let answer = console.login(name, &password).await?;
        anyhow::ensure!(
            answer.status == StatusCode::OK,
            "login failed: {:?}",
            answer.json
        );
        Ok(console)
    }

    pub async fn get(&self, path: &str) -> anyhow::Result<Answer> {
        self.send(Method::GET, path, None, &[]).await
    }

    /// A POST with the session's CSRF token (when there is a session).
    pub async fn post(&self, path: &str, body: Value) -> anyhow::Result<Answer> {
        self.send(Method::POST, path, Some(body), &[]).await
    }

    pub async fn delete(&self, path: &str) -> anyhow::Result<Answer> {
        self.send(Method::DELETE, path, None, &[]).await
    }

    /// Any request; `extra` headers are added (a test's own CSRF header
    /// replaces the session's).
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        extra: &[(&str, String)],
    ) -> anyhow::Result<Answer> {
        let mut headers: Vec<(&str, String)> = Vec::new();
        if let Some(cookie) = &self.cookie {
            headers.push(("cookie", cookie.clone()));
        }
        if let Some(bearer) = &self.bearer {
            headers.push(("authorization", format!("Bearer {bearer}")));
        }
        let own_csrf = extra.iter().any(|(name, _)| *name == "x-csrf-token");
        if let (Some(csrf), false, true) = (
            &self.csrf,
            own_csrf,
            method == Method::POST || method == Method::DELETE,
        ) {
            headers.push(("x-csrf-token", csrf.clone()));
        }
        headers.extend(extra.iter().map(|(name, value)| (*name, value.clone())));
        let body = match body {
            Some(body) => {
                headers.push(("content-type", "application/json".to_string()));
                Bytes::from(body.to_string())
            }
            None => Bytes::new(),
        };
        let response = self
            .http
            .send(method, &format!("{}{path}", self.base), &headers, body)
            .await?;
        Ok(Answer {
            status: response.status,
            json: serde_json::from_slice(&response.body).unwrap_or(Value::Null),
            response,
        })
    }

    /// Opens `GET /api/v1/events` with this client's cookie or token
    /// (plain HTTP) and waits for its first `procs` event. The server
    /// closes the connection when the stream ends; see
    /// [`Console::stream_ends_within`].
    pub async fn open_events(&self) -> anyhow::Result<TcpStream> {
        let addr = self
            .base
            .strip_prefix("http://")
            .context("the event stream helper speaks plain HTTP")?;
        let mut stream = TcpStream::connect(addr).await?;
        let mut request =
            format!("GET /api/v1/events HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
        if let Some(cookie) = &self.cookie {
            request.push_str(&format!("Cookie: {cookie}\r\n"));
        }
        if let Some(bearer) = &self.bearer {
            request.push_str(&format!("Authorization: Bearer {bearer}\r\n"));
        }
        request.push_str("\r\n");
        stream.write_all(request.as_bytes()).await?;
        let mut seen = Vec::new();
        let started = tokio::time::timeout(Duration::from_secs(20), async {
            let mut chunk = [0u8; 4096];
            while !String::from_utf8_lossy(&seen).contains("event: procs") {
                let n = stream.read(&mut chunk).await?;
                anyhow::ensure!(
                    n > 0,
                    "closed before the first event: {}",
                    String::from_utf8_lossy(&seen)
                );
                seen.extend_from_slice(&chunk[..n]);
                anyhow::ensure!(seen.len() < 1 << 20, "no procs event in the first MiB");
            }
            Ok(())
        })
        .await;
        started.context("no procs event within 20 s")??;
        Ok(stream)
    }

    /// Whether an event stream from [`Console::open_events`] ends (the
    /// server closes it) within `within`, reading its events meanwhile.
    pub async fn stream_ends_within(stream: &mut TcpStream, within: Duration) -> bool {
        raw_http::closed_within(stream, within).await
    }

    /// The row of process `name` in `GET /api/v1/procs`.
    pub async fn proc_row(&self, name: &str) -> anyhow::Result<Value> {
        let answer = self.get("/api/v1/procs").await?;
        answer.json["procs"]
            .as_array()
            .and_then(|procs| procs.iter().find(|row| row["name"] == name))
            .cloned()
            .with_context(|| format!("no row for {name}: {:?}", answer.json))
    }

    /// Waits until every process is up.
    pub async fn wait_all_up(&self, within: Duration) -> bool {
        crate::eventually(within, || async {
            match self.get("/api/v1/procs").await {
                Ok(answer) => answer.json["procs"]
                    .as_array()
                    .is_some_and(|procs| procs.iter().all(|row| row["state"] == "up")),
                Err(_) => false,
            }
        })
        .await
    }
}

/// The status of a login sent from loopback address `source` (any
/// 127.0.0.x), to tell the throttle's addresses apart.
pub async fn login_from(
    cluster: &TestCluster,
    manage: &str,
    source: &str,
    name: &str,
    password: &str,
) -> anyhow::Result<StatusCode> {
    let server = cluster
        .config
        .proc_by_name(manage)?
        .addr()
        .context("no listen address")?
        .parse()?;
    let mut stream = raw_http::connect_from(source, server).await?;
    let body = json!({ "name": name, "password": password }).to_string();
    let request = format!(
        "POST /api/v1/login HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await?;
    let answer = raw_http::read_response(&mut stream).await?;
    Ok(StatusCode::from_u16(answer.status)?)
}

/// A ClusterSpec's manage section with fast polling, for tests.
pub fn fast_manage() -> schat_runtime::config::ManageConfig {
    schat_runtime::config::ManageConfig {
        poll_interval_ms: 200,
        stale_after_ms: 700,
        down_after_ms: 1_500,
        command_timeout_ms: 2_000,
        ..Default::default()
    }
}
