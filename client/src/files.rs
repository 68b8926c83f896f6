//! The directory and the file servers: where to connect, uploads and
//! downloads.
//!
//! ```no_run
//! # async fn demo(client: &schat_client::Client) -> Result<(), schat_client::ClientError> {
//! use schat_client::files::{Directory, UploadTarget};
//! let http = schat_client::HttpClient::default();
//! let dir = Directory::lookup(&http, "http://127.0.0.1:7600").await?;
//! let (token, _) = client.file_token().expect("logged in");
//! let upload = dir
//!     .files(http)
//!     .upload(&token, UploadTarget::Chat(7), "cat.png", std::fs::read("cat.png").unwrap().into())
//!     .await?;
//! println!("{}", upload.url); // then send it as an IMAGE message's media_url
//! # Ok(()) }
//! ```

use std::collections::BTreeMap;

use bytes::{BufMut, Bytes, BytesMut};
use http::Method;

use crate::http::HttpClient;
use crate::ClientError;

/// What dir_serv answered.
#[derive(Clone, Debug)]
pub struct Directory {
    /// The conn_serv to connect to (`host:port`).
    pub conn_addr: String,
    pub conn_id: u32,
    /// The same conn_serv's WebSocket URL, for browsers (`ws://host:port/`),
    /// when it has one.
    pub conn_ws_url: Option<String>,
    /// File servers by serv_index.
    pub file_servers: BTreeMap<u32, FileServer>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileServer {
    /// Base URL, like `http://127.0.0.1:7501`.
    pub url: String,
    /// Whether the directory saw it live.
    pub up: bool,
}

impl Directory {
    /// Asks the dir_serv at `dir_url` (a base URL) for a conn_serv.
    pub async fn lookup(http: &HttpClient, dir_url: &str) -> Result<Directory, ClientError> {
        let url = format!("{}/v1/dir", dir_url.trim_end_matches('/'));
        let answer = http
            .send(Method::GET, &url, &[], Bytes::new())
            .await?
            .success()?;
        let value: serde_json::Value = serde_json::from_slice(&answer.body)
            .map_err(|err| ClientError::Protocol(format!("directory answer: {err}")))?;
        let bad = || ClientError::Protocol("directory answer lacks conn.addr".to_string());
        let conn_addr = value["conn"]["addr"].as_str().ok_or_else(bad)?.to_string();
        let conn_id = value["conn"]["id"].as_u64().unwrap_or_default() as u32;
        let conn_ws_url = value["conn"]["ws_url"].as_str().map(str::to_string);
        let file_servers = value["files"]
            .as_array()
            .map(|servers| {
                servers
                    .iter()
                    .filter_map(|server| {
                        let index = u32::try_from(server["serv_index"].as_u64()?).ok()?;
                        let url = server["url"].as_str()?.to_string();
                        let up = server["up"].as_bool().unwrap_or(true);
                        Some((index, FileServer { url, up }))
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ok(Directory {
            conn_addr,
            conn_id,
            conn_ws_url,
            file_servers,
        })
    }

    /// A file client for the servers this directory lists.
    pub fn files(&self, http: HttpClient) -> Files {
        Files {
            http,
            servers: self.file_servers.clone(),
        }
    }
}

/// Where an upload goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UploadTarget {
    /// A file for a group's chat (members only).
    Chat(u64),
    /// The caller's avatar (an image).
    Avatar,
    /// A group's avatar (the owner only; an image).
    GroupAvatar(u64),
}

impl UploadTarget {
    fn path(self) -> String {
        match self {
            UploadTarget::Chat(gid) => format!("/v1/upload/chat/{gid}"),
            UploadTarget::Avatar => "/v1/upload/avatar".to_string(),
            UploadTarget::GroupAvatar(gid) => format!("/v1/upload/group-avatar/{gid}"),
        }
    }
}

/// A stored upload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Uploaded {
    /// The file's URL path (`/f/<serv_index>/...`): what goes into a
    /// message's media_url or an avatar_url.
    pub url: String,
    pub size: u64,
    /// Detected from the content.
    pub content_type: String,
    pub sha256: String,
}

/// Uploads to and downloads from the file servers.
#[derive(Clone, Debug)]
pub struct Files {
    http: HttpClient,
    servers: BTreeMap<u32, FileServer>,
}

impl Files {
    pub fn new(http: HttpClient, servers: BTreeMap<u32, FileServer>) -> Files {
        Files { http, servers }
    }

    /// The base URL of the server holding `serv_index`.
    pub fn server_url(&self, serv_index: u32) -> Option<&str> {
        self.servers
            .get(&serv_index)
            .map(|server| server.url.as_str())
    }

    /// The absolute URL of a file URL path.
    pub fn absolute(&self, path: &str) -> Result<String, ClientError> {
        let index = serv_index_of(path)
            .ok_or_else(|| ClientError::Protocol(format!("not a file URL: {path:?}")))?;
        let base = self.server_url(index).ok_or_else(|| {
            ClientError::Protocol(format!("no file server with serv_index {index}"))
        })?;
        Ok(format!("{}{path}", base.trim_end_matches('/')))
    }

    /// Uploads `content` (named `file_name`) to a live file server, chosen
    /// at random so uploads spread.
    pub async fn upload(
        &self,
        token: &str,
        target: UploadTarget,
        file_name: &str,
        content: Bytes,
    ) -> Result<Uploaded, ClientError> {
        let live: Vec<&FileServer> = self.servers.values().filter(|server| server.up).collect();
        if live.is_empty() {
            return Err(ClientError::Protocol("no file server is up".to_string()));
        }
        let server = live[rand::random_range(0..live.len())];
        let url = format!("{}{}", server.url.trim_end_matches('/'), target.path());
        self.upload_to(&url, token, file_name, content).await
    }

    /// Uploads to one server's absolute upload URL.
    pub async fn upload_to(
        &self,
        url: &str,
        token: &str,
        file_name: &str,
        content: Bytes,
    ) -> Result<Uploaded, ClientError> {
        let boundary = format!("schat-{:016x}", rand::random::<u64>());
        let body = multipart(&boundary, file_name, &content);
        let headers = [
            ("authorization", format!("Bearer {token}")),
            (
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            ),
        ];
        let answer = self
            .http
            .send(Method::POST, url, &headers, body)
            .await?
            .success()?;
        let value: serde_json::Value = serde_json::from_slice(&answer.body)
            .map_err(|err| ClientError::Protocol(format!("upload answer: {err}")))?;
        let text = |key: &str| value[key].as_str().unwrap_or_default().to_string();
        Ok(Uploaded {
            url: text("url"),
            size: value["size"].as_u64().unwrap_or_default(),
            content_type: text("content_type"),
            sha256: text("sha256"),
        })
    }

    /// Downloads a file by its URL path; `range` asks for bytes
    /// `start..=end` (end open with `None`).
    pub async fn download(
        &self,
        token: &str,
        path: &str,
        range: Option<(u64, Option<u64>)>,
    ) -> Result<Download, ClientError> {
        let url = self.absolute(path)?;
        let mut headers = vec![("authorization", format!("Bearer {token}"))];
        if let Some((start, end)) = range {
            let end = end.map(|end| end.to_string()).unwrap_or_default();
            headers.push(("range", format!("bytes={start}-{end}")));
        }
        let answer = self
            .http
            .send(Method::GET, &url, &headers, Bytes::new())
            .await?
            .success()?;
        let header = |name: http::header::HeaderName| {
            answer
                .headers
                .get(name)
                .and_then(|value| value.to_str().ok())
                .map(str::to_string)
        };
        Ok(Download {
            status: answer.status.as_u16(),
            content_type: header(http::header::CONTENT_TYPE).unwrap_or_default(),
            content_range: header(http::header::CONTENT_RANGE),
            body: answer.body,
        })
    }
}

/// A downloaded file or part of one.
#[derive(Clone, Debug)]
pub struct Download {
    /// 200 for the whole file, 206 for a range.
    pub status: u16,
    pub content_type: String,
    pub content_range: Option<String>,
    pub body: Bytes,
}

/// The serv_index of a file URL path (`/f/<serv_index>/...`).
pub fn serv_index_of(path: &str) -> Option<u32> {
    path.strip_prefix("/f/")?.split('/').next()?.parse().ok()
}

/// A multipart/form-data body with one part, `file`.
fn multipart(boundary: &str, file_name: &str, content: &[u8]) -> Bytes {
    let file_name: String = file_name
        .chars()
        .filter(|c| !c.is_control() && *c != '"' && *c != '\\')
        .collect();
    let mut body = BytesMut::with_capacity(content.len() + 256);
    body.put_slice(format!("--{boundary}\r\n").as_bytes());
    body.put_slice(
        format!("Content-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n")
            .as_bytes(),
    );
    body.put_slice(b"Content-Type: application/octet-stream\r\n\r\n");
    body.put_slice(content);
    body.put_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    body.freeze()
}
