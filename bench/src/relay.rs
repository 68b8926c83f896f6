//! `relay` and `floor`: the physical-limit reference.
//!
//! `relay` is a bare server speaking just enough of the client protocol
//! for the traffic scenarios (register, login, create and join a group,
//! send, pull), in one process, with no persistence, no routing and no
//! other processes: a send is acknowledged at once and its push written to
//! every member's socket. `floor` runs the ingest scenario against a relay
//! child process, so the cluster's figures can be read as ratios of what
//! this machine can do at all with the same frames.

use std::collections::HashMap;
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use schat_client::{ChatMessage, GroupInfo};
use schat_proto::client::{
    client_message::Body as Request, server_message::Body as Response, ClientMessage,
    JoinGroupResponse, JoinStatus, LoginResponse, MessagesResponse, PongResponse, RegisterResponse,
    ResultCode, SendMessageResponse, ServerMessage,
};
use schat_proto::{FrameCodec, Wire};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_util::codec::{FramedRead, FramedWrite};

use crate::traffic::{self, TrafficArgs};
use crate::Common;

#[derive(Debug, clap::Args)]
pub struct RelayArgs {
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: String,
    /// Stop after this many seconds.
    #[arg(long, default_value_t = 600)]
    seconds: u64,
}

#[derive(Default)]
struct Relay {
    next_id: AtomicU64,
    accounts: Mutex<HashMap<String, u64>>,
    groups: Mutex<HashMap<u64, Group>>,
}

#[derive(Default)]
struct Group {
    info: GroupInfo,
    members: Vec<mpsc::UnboundedSender<Bytes>>,
    messages: Vec<ChatMessage>,
}

/// Runs the relay until `seconds` pass; prints `listening <addr>` first.
pub async fn relay(args: RelayArgs) -> anyhow::Result<()> {
    let listener = TcpListener::bind(&args.listen).await?;
    println!("listening {}", listener.local_addr()?);
    let relay = Arc::new(Relay::default());
    let deadline = tokio::time::sleep(Duration::from_secs(args.seconds));
    tokio::pin!(deadline);
    loop {
        tokio::select! {
            _ = &mut deadline => return Ok(()),
            accepted = listener.accept() => {
                let (stream, _) = accepted?;
                tokio::spawn(serve(relay.clone(), stream));
            }
        }
    }
}

async fn serve(relay: Arc<Relay>, stream: TcpStream) {
    let _ = stream.set_nodelay(true);
    let (read_half, write_half) = stream.into_split();
    let mut frames = FramedRead::new(read_half, FrameCodec::default());
    let mut sink = FramedWrite::new(write_half, FrameCodec::default());
    let (out, mut queue) = mpsc::unbounded_channel::<Bytes>();
    tokio::spawn(async move {
        while let Some(frame) = queue.recv().await {
            if sink.feed(frame).await.is_err() {
                return;
            }
            while let Ok(frame) = queue.try_recv() {
                if sink.feed(frame).await.is_err() {
                    return;
                }
            }
            if sink.flush().await.is_err() {
                return;
            }
        }
    });
    let mut uid = 0;
    while let Some(Ok(frame)) = frames.next().await {
        let Ok(message) = ClientMessage::decode_frame(frame.freeze()) else {
            return;
        };
        let Some(body) = message.body else { continue };
        let reply = answer(&relay, &mut uid, &out, body);
        let _ = out.send(
            reply
                .map_or_else(
                    |code| ServerMessage::error(message.request_id, code, "not in the relay"),
                    |body| ServerMessage::ok(message.request_id, body),
                )
                .encode_frame(),
        );
    }
}

fn answer(
    relay: &Relay,
    uid: &mut u64,
    out: &mpsc::UnboundedSender<Bytes>,
    request: Request,
) -> Result<Response, ResultCode> {
    let mut groups = relay.groups.lock().unwrap_or_else(|p| p.into_inner());
    Ok(match request {
        Request::Ping(ping) => Response::Pong(PongResponse {
            client_time_ms: ping.client_time_ms,
            server_time_ms: 0,
        }),
        Request::Register(register) => {
            let id = relay.next_id.fetch_add(1, Ordering::Relaxed) + 1;
            let mut accounts = relay.accounts.lock().unwrap_or_else(|p| p.into_inner());
            Response::Register(RegisterResponse {
                uid: *accounts.entry(register.account).or_insert(id),
            })
        }
        Request::Login(login) => {
            let account = match login.credential {
                Some(schat_proto::client::login_request::Credential::Password(password)) => {
                    password.account
                }
                _ => return Err(ResultCode::BadRequest),
            };
            let accounts = relay.accounts.lock().unwrap_or_else(|p| p.into_inner());
            *uid = *accounts.get(&account).ok_or(ResultCode::AuthFailed)?;
            Response::Login(LoginResponse {
                uid: *uid,
                ..LoginResponse::default()
            })
        }
        Request::CreateGroup(create) => {
            let gid = relay.next_id.fetch_add(1, Ordering::Relaxed) + 1;
            let info = GroupInfo {
                gid,
                name: create.name,
                owner_uid: *uid,
                ..GroupInfo::default()
            };
            groups.insert(
                gid,
                Group {
                    info: info.clone(),
                    members: vec![out.clone()],
                    messages: Vec::new(),
                },
            );
            Response::Group(info)
        }
        Request::JoinGroup(join) => {
            let group = groups.get_mut(&join.gid).ok_or(ResultCode::NoSuchGroup)?;
            group.members.push(out.clone());
            Response::JoinGroup(JoinGroupResponse {
                status: JoinStatus::Joined as i32,
                group: Some(group.info.clone()),
            })
        }
        Request::SendMessage(send) => {
            let group = groups.get_mut(&send.gid).ok_or(ResultCode::NoSuchGroup)?;
            let message = ChatMessage {
                gid: send.gid,
                seq: group.messages.len() as u64 + 1,
                sender_uid: *uid,
                client_msg_id: send.client_msg_id,
                kind: send.kind,
                text: send.text,
                media_url: send.media_url,
                ..ChatMessage::default()
            };
            let frame = ServerMessage::push(Response::Message(message.clone())).encode_frame();
            for member in &group.members {
                let _ = member.send(frame.clone());
            }
            let seq = message.seq;
            group.messages.push(message);
            Response::SendMessage(SendMessageResponse {
                seq,
                server_time_ms: 0,
                duplicate: false,
            })
        }
        Request::PullMessages(pull) => {
            let group = groups.get(&pull.gid).ok_or(ResultCode::NoSuchGroup)?;
            let from = pull.from_seq.max(1) as usize;
            let limit = if pull.limit == 0 {
                200
            } else {
                pull.limit.min(200)
            } as usize;
            Response::Messages(MessagesResponse {
                gid: pull.gid,
                messages: group
                    .messages
                    .iter()
                    .skip(from - 1)
                    .take(limit)
                    .cloned()
                    .collect(),
                latest_seq: group.messages.len() as u64,
                first_seq: 1,
            })
        }
        _ => return Err(ResultCode::UnknownMessage),
    })
}

/// Runs ingest against a relay child process.
pub async fn floor(common: &Common, args: TrafficArgs) -> anyhow::Result<()> {
    let exe = std::env::current_exe().context("own executable")?;
    let mut child = tokio::process::Command::new(exe)
        .args(["relay", "--listen", "127.0.0.1:0", "--seconds", "600"])
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .context("starting the relay")?;
    let stdout = child.stdout.take().context("relay output")?;
    let mut lines = BufReader::new(stdout).lines();
    let addr = loop {
        let line = lines.next_line().await?.context("relay exited")?;
        if let Some(addr) = line.strip_prefix("listening ") {
            break addr.to_string();
        }
    };
    let relay_common = Common {
        servers: vec![addr],
        pids_dir: std::path::PathBuf::from("/nonexistent"),
        ..common.clone()
    };
    let result = traffic::run(&relay_common, args, traffic::Shape::Floor).await;
    let _ = child.kill().await;
    result
}
