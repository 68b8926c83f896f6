//! Raw HTTP/1.1 over TCP from a chosen loopback source address, for tests
//! of connection caps and deadlines that a full client would hide (it
//! reconnects, pools and times out on its own).

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

/// A connection to `server` from `source` (any 127.0.0.x on Linux
/// loopback).
pub async fn connect_from(source: &str, server: SocketAddr) -> io::Result<TcpStream> {
    let source: IpAddr = source
        .parse()
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "not an IP address"))?;
    let socket = TcpSocket::new_v4()?;
    socket.bind(SocketAddr::new(source, 0))?;
    socket.connect(server).await
}

/// An answer: status and body.
#[derive(Debug)]
pub struct RawResponse {
    pub status: u16,
    pub body: Vec<u8>,
}

/// Sends `GET path` on a kept-alive connection and reads the answer.
pub async fn get(stream: &mut TcpStream, path: &str) -> io::Result<RawResponse> {
    let request = format!("GET {path} HTTP/1.1\r\nHost: test\r\n\r\n");
    stream.write_all(request.as_bytes()).await?;
    read_response(stream).await
}

/// Reads one answer (headers, then `Content-Length` bytes of body).
pub async fn read_response(stream: &mut TcpStream) -> io::Result<RawResponse> {
    let mut buf = Vec::new();
    let header_end = loop {
        if let Some(at) = buf.windows(4).position(|window| window == b"\r\n\r\n") {
            break at + 4;
        }
        if buf.len() > 64 * 1024 || read_some(stream, &mut buf).await? == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "closed before a whole answer",
            ));
        }
    };
    let head = String::from_utf8_lossy(&buf[..header_end]).to_string();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse::<u16>().ok())
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "no status line"))?;
    let length = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())
                .flatten()
        })
        .unwrap_or(0);
    while buf.len() < header_end + length {
        if read_some(stream, &mut buf).await? == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "closed in the body",
            ));
        }
    }
    Ok(RawResponse {
        status,
        body: buf[header_end..header_end + length].to_vec(),
    })
}

/// Waits up to `within` for the server to close the connection: true when
/// it did (end of stream or a reset), false when it is still open.
pub async fn closed_within(stream: &mut TcpStream, within: Duration) -> bool {
    let mut scratch = [0u8; 1024];
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut scratch)).await {
            Err(_) => return false,
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => continue,
        }
    }
}

async fn read_some(stream: &mut TcpStream, buf: &mut Vec<u8>) -> io::Result<usize> {
    let mut chunk = [0u8; 8192];
    let n = stream.read(&mut chunk).await?;
    buf.extend_from_slice(&chunk[..n]);
    Ok(n)
}
