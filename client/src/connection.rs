//! One connection to a conn_serv.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use schat_proto::client::{
    client_message::Body as Request, login_request::Credential, server_message::Body as Response,
    ChatMessage, ClientMessage, DeviceInfo, DeviceKind, EndDeviceRequest, GetProfileRequest,
    GetUsersRequest, ListDevicesRequest, LoginRequest, LoginResponse, LogoutRequest, Notice,
    PasswordCredential, PingRequest, RegisterRequest, ResultCode, ServerMessage,
    UpdateProfileRequest, UserProfile,
};
use schat_proto::{FrameCodec, Wire, WireError};
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::{mpsc, oneshot};
use tokio_util::codec::{FramedRead, FramedWrite};

use crate::ClientOptions;

/// Frames the client may queue before `send` waits.
const SEND_QUEUE: usize = 256;

/// Why a client call failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("cannot connect: {0}")]
    Connect(std::io::Error),
    /// The server answered with a result code other than OK.
    #[error("{}: {reason}", code.as_str_name())]
    Server { code: ResultCode, reason: String },
    /// The connection is gone; the reason is the server's notice, if any.
    #[error("connection closed: {0}")]
    Closed(String),
    #[error("no response within {0:?}")]
    Timeout(Duration),
    #[error("protocol error: {0}")]
    Protocol(String),
    /// An HTTP server (dir_serv, file_serv) refused the request.
    #[error("HTTP {status}: {reason}")]
    Http { status: u16, reason: String },
}

impl ClientError {
    /// The server's result code, if the server refused the request.
    pub fn code(&self) -> Option<ResultCode> {
        match self {
            ClientError::Server { code, .. } => Some(*code),
            _ => None,
        }
    }
}

/// Something the server sent without being asked.
#[derive(Clone, Debug, PartialEq)]
pub enum Push {
    /// This session was closed because the user logged in elsewhere.
    Kicked { reason: String },
    /// The server is about to close the connection.
    Closing { code: ResultCode, reason: String },
    /// A new message in one of the user's groups.
    Message(ChatMessage),
    /// A notice: an application, a decision, an invitation, a kick, a
    /// dismissal (also listed by `notices` until acknowledged).
    Notice(Notice),
    /// The other user of direct conversation `gid` is typing.
    Typing { gid: u64, uid: u64 },
    /// The user's read cursor of conversation `gid` moved to `read_seq`
    /// (a mark_read from any of the user's devices).
    ReadMarked { gid: u64, read_seq: u64 },
    /// A push this library does not know yet.
    Other(ServerMessage),
}

type Waiters = Arc<Mutex<Waiting>>;

#[derive(Debug, Default)]
struct Waiting {
    by_request: HashMap<u32, oneshot::Sender<ServerMessage>>,
    /// Set once the connection has ended, with the reason.
    closed: Option<String>,
    /// The latest file-server token and its expiry: from login, then from
    /// the server's FileToken pushes.
    file_token: Option<(String, u64)>,
    /// The device logins name (see [`Client::set_device`]).
    device: (String, DeviceKind),
}

/// A connection to a conn_serv. Cheap to share by reference; requests may
/// run concurrently.
#[derive(Debug)]
pub struct Client {
    out: mpsc::Sender<Bytes>,
    waiters: Waiters,
    next_request: AtomicU32,
    pushes: tokio::sync::Mutex<mpsc::UnboundedReceiver<Push>>,
    request_timeout: Duration,
}

impl Client {
    pub async fn connect(addr: &str) -> Result<Client, ClientError> {
        Client::connect_with(addr, ClientOptions::default()).await
    }

    pub async fn connect_with(addr: &str, options: ClientOptions) -> Result<Client, ClientError> {
        let stream = match options.local_ip {
            None => TcpStream::connect(addr)
                .await
                .map_err(ClientError::Connect)?,
            Some(ip) => {
                let remote = tokio::net::lookup_host(addr)
                    .await
                    .map_err(ClientError::Connect)?
                    .next()
                    .ok_or_else(|| {
                        ClientError::Connect(std::io::Error::other("address resolves to nothing"))
                    })?;
                let socket = if remote.is_ipv4() {
                    TcpSocket::new_v4()
                } else {
                    TcpSocket::new_v6()
                }
                .map_err(ClientError::Connect)?;
                socket.bind((ip, 0).into()).map_err(ClientError::Connect)?;
                socket.connect(remote).await.map_err(ClientError::Connect)?
            }
        };
        let _ = stream.set_nodelay(true);
        Ok(Client::start(stream, options))
    }

    fn start(stream: TcpStream, options: ClientOptions) -> Client {
        let (read_half, write_half) = stream.into_split();
        let (out_tx, out_rx) = mpsc::channel(SEND_QUEUE);
        let (push_tx, push_rx) = mpsc::unbounded_channel();
        let waiters: Waiters = Arc::default();
        tokio::spawn(write_loop(
            FramedWrite::new(write_half, FrameCodec::new(options.max_frame)),
            out_rx,
        ));
        tokio::spawn(read_loop(
            FramedRead::new(read_half, FrameCodec::new(options.max_frame)),
            waiters.clone(),
            push_tx,
        ));
        if let Some(every) = options.keepalive {
            // A weak sender: dropping the Client still closes the socket.
            tokio::spawn(keepalive(out_tx.downgrade(), every));
        }
        Client {
            out: out_tx,
            waiters,
            next_request: AtomicU32::new(1),
            pushes: tokio::sync::Mutex::new(push_rx),
            request_timeout: options.request_timeout,
        }
    }

    /// Sends one request and waits for its response body.
    pub async fn request(&self, body: Request) -> Result<Response, ClientError> {
        let request_id = self.fresh_request_id();
        let (tx, rx) = oneshot::channel();
        {
            let mut waiting = self.waiters.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(reason) = &waiting.closed {
                return Err(ClientError::Closed(reason.clone()));
            }
            waiting.by_request.insert(request_id, tx);
        }
        let frame = ClientMessage {
            request_id,
            body: Some(body),
        }
        .encode_frame();
        if self.out.send(frame).await.is_err() {
            return Err(self.closed_error());
        }
        let reply = match tokio::time::timeout(self.request_timeout, rx).await {
            Ok(Ok(reply)) => reply,
            Ok(Err(_)) => return Err(self.closed_error()),
            Err(_) => {
                let mut waiting = self.waiters.lock().unwrap_or_else(|p| p.into_inner());
                waiting.by_request.remove(&request_id);
                return Err(ClientError::Timeout(self.request_timeout));
            }
        };
        let code = reply.code();
        if code != ResultCode::Ok {
            return Err(ClientError::Server {
                code,
                reason: reply.reason,
            });
        }
        reply
            .body
            .ok_or_else(|| ClientError::Protocol("response without a body".to_string()))
    }

    /// Sends raw bytes as one frame (for tests of the server's defences).
    pub async fn send_raw_frame(&self, frame: Bytes) -> Result<(), ClientError> {
        self.out.send(frame).await.map_err(|_| self.closed_error())
    }

    /// Waits for the next push; `None` once the connection has ended.
    pub async fn next_push(&self) -> Option<Push> {
        self.pushes.lock().await.recv().await
    }

    /// Whether the connection has ended, and why.
    pub fn closed_reason(&self) -> Option<String> {
        let waiting = self.waiters.lock().unwrap_or_else(|p| p.into_inner());
        waiting.closed.clone()
    }

    /// The current token for the file servers and when it expires (ms since
    /// the epoch), once logged in. The server replaces it before it expires
    /// for as long as the session lasts.
    pub fn file_token(&self) -> Option<(String, u64)> {
        let waiting = self.waiters.lock().unwrap_or_else(|p| p.into_inner());
        waiting.file_token.clone()
    }

    /// Round-trip time to the server.
    pub async fn ping(&self) -> Result<Duration, ClientError> {
        let start = Instant::now();
        match self
            .request(Request::Ping(PingRequest { client_time_ms: 0 }))
            .await?
        {
            Response::Pong(_) => Ok(start.elapsed()),
            _ => Err(unexpected("pong")),
        }
    }

    /// Creates an account; returns its uid.
    pub async fn register(
        &self,
        account: &str,
        password: &str,
        display_name: &str,
    ) -> Result<u64, ClientError> {
        let body = Request::Register(RegisterRequest {
            account: account.to_string(),
            password: password.to_string(),
            display_name: display_name.to_string(),
        });
        match self.request(body).await? {
            Response::Register(registered) => Ok(registered.uid),
            _ => Err(unexpected("register")),
        }
    }

    pub async fn login_password(
        &self,
        account: &str,
        password: &str,
    ) -> Result<LoginResponse, ClientError> {
        self.login(Credential::Password(PasswordCredential {
            account: account.to_string(),
            password: password.to_string(),
        }))
        .await
    }

    /// Logs in with a token from an earlier login (no password hashing).
    pub async fn login_token(&self, token: &str) -> Result<LoginResponse, ClientError> {
        self.login(Credential::Token(token.to_string())).await
    }

    /// Names the device the next logins are from: an id the client keeps
    /// (1 to 64 of A-Z a-z 0-9 . _ -) and its kind. Until this is called,
    /// logins are from the default device, which every client that names
    /// none shares.
    pub fn set_device(&self, device_id: &str, kind: DeviceKind) {
        let mut waiting = self.waiters.lock().unwrap_or_else(|p| p.into_inner());
        waiting.device = (device_id.to_string(), kind);
    }

    async fn login(&self, credential: Credential) -> Result<LoginResponse, ClientError> {
        let (device_id, device_kind) = {
            let waiting = self.waiters.lock().unwrap_or_else(|p| p.into_inner());
            waiting.device.clone()
        };
        let body = Request::Login(LoginRequest {
            credential: Some(credential),
            client: concat!("schat-client ", env!("CARGO_PKG_VERSION")).to_string(),
            device_id,
            device_kind: device_kind as i32,
        });
        match self.request(body).await? {
            Response::Login(login) => {
                let mut waiting = self.waiters.lock().unwrap_or_else(|p| p.into_inner());
                waiting.file_token =
                    Some((login.file_token.clone(), login.file_token_expires_at_ms));
                Ok(login)
            }
            _ => Err(unexpected("login")),
        }
    }

    /// Logs this device out: its tokens stop working; the user's other
    /// devices stay logged in.
    pub async fn logout(&self) -> Result<(), ClientError> {
        self.logout_of(false).await
    }

    /// Logs out on every device: every token of the user stops working
    /// and the other devices' sessions are closed.
    pub async fn logout_everywhere(&self) -> Result<(), ClientError> {
        self.logout_of(true).await
    }

    async fn logout_of(&self, all_devices: bool) -> Result<(), ClientError> {
        match self
            .request(Request::Logout(LogoutRequest { all_devices }))
            .await?
        {
            Response::Logout(_) => Ok(()),
            _ => Err(unexpected("logout")),
        }
    }

    /// The user's devices, most recently used first.
    pub async fn devices(&self) -> Result<Vec<DeviceInfo>, ClientError> {
        match self
            .request(Request::ListDevices(ListDevicesRequest {}))
            .await?
        {
            Response::Devices(devices) => Ok(devices.devices),
            _ => Err(unexpected("list_devices")),
        }
    }

    /// Ends another of the user's devices: its session is closed and its
    /// tokens stop working.
    pub async fn end_device(&self, device_id: &str) -> Result<(), ClientError> {
        let request = EndDeviceRequest {
            device_id: device_id.to_string(),
        };
        match self.request(Request::EndDevice(request)).await? {
            Response::Done(_) => Ok(()),
            _ => Err(unexpected("end_device")),
        }
    }

    pub async fn profile(&self) -> Result<UserProfile, ClientError> {
        match self
            .request(Request::GetProfile(GetProfileRequest {}))
            .await?
        {
            Response::Profile(profile) => Ok(profile),
            _ => Err(unexpected("profile")),
        }
    }

    pub async fn update_profile(
        &self,
        update: UpdateProfileRequest,
    ) -> Result<UserProfile, ClientError> {
        match self.request(Request::UpdateProfile(update)).await? {
            Response::Profile(profile) => Ok(profile),
            _ => Err(unexpected("profile")),
        }
    }

    /// Looks users up by uid and by account name.
    pub async fn users(
        &self,
        uids: Vec<u64>,
        accounts: Vec<String>,
    ) -> Result<Vec<UserProfile>, ClientError> {
        match self
            .request(Request::GetUsers(GetUsersRequest { uids, accounts }))
            .await?
        {
            Response::Users(users) => Ok(users.users),
            _ => Err(unexpected("users")),
        }
    }

    fn fresh_request_id(&self) -> u32 {
        loop {
            let id = self.next_request.fetch_add(1, Ordering::Relaxed);
            if id != 0 && id != u32::MAX {
                return id;
            }
        }
    }

    fn closed_error(&self) -> ClientError {
        ClientError::Closed(
            self.closed_reason()
                .unwrap_or_else(|| "connection closed".to_string()),
        )
    }
}

pub(crate) fn unexpected(what: &str) -> ClientError {
    ClientError::Protocol(format!("unexpected response to {what}"))
}

async fn write_loop(
    mut sink: FramedWrite<tokio::net::tcp::OwnedWriteHalf, FrameCodec>,
    mut out: mpsc::Receiver<Bytes>,
) {
    while let Some(frame) = out.recv().await {
        if sink.feed(frame).await.is_err() {
            return;
        }
        while let Ok(frame) = out.try_recv() {
            if sink.feed(frame).await.is_err() {
                return;
            }
        }
        if sink.flush().await.is_err() {
            return;
        }
    }
    let _ = sink.close().await;
}

async fn read_loop(
    mut frames: FramedRead<tokio::net::tcp::OwnedReadHalf, FrameCodec>,
    waiters: Waiters,
    pushes: mpsc::UnboundedSender<Push>,
) {
    let mut notice: Option<String> = None;
    let ended = loop {
        let frame = match frames.next().await {
            None => break "closed by server".to_string(),
            Some(Err(err)) => break err.to_string(),
            Some(Ok(frame)) => frame.freeze(),
        };
        let message = match ServerMessage::decode_frame(frame) {
            Ok(message) => message,
            Err(err) => break WireError::to_string(&err),
        };
        if message.request_id != 0 {
            let waiter = {
                let mut waiting = waiters.lock().unwrap_or_else(|p| p.into_inner());
                waiting.by_request.remove(&message.request_id)
            };
            if let Some(waiter) = waiter {
                let _ = waiter.send(message);
            }
            continue;
        }
        let push = match message.body {
            Some(Response::Kicked(kicked)) => {
                notice = Some(format!("kicked: {}", kicked.reason));
                Push::Kicked {
                    reason: kicked.reason,
                }
            }
            Some(Response::Closing(closing)) => {
                notice = Some(format!(
                    "{}: {}",
                    closing.code().as_str_name(),
                    closing.reason
                ));
                Push::Closing {
                    code: closing.code(),
                    reason: closing.reason,
                }
            }
            Some(Response::FileToken(fresh)) => {
                let mut waiting = waiters.lock().unwrap_or_else(|p| p.into_inner());
                waiting.file_token = Some((fresh.token, fresh.expires_at_ms));
                continue;
            }
            Some(Response::Message(chat)) => Push::Message(chat),
            Some(Response::Notice(notice)) => Push::Notice(notice),
            Some(Response::Typing(typing)) => Push::Typing {
                gid: typing.gid,
                uid: typing.uid,
            },
            Some(Response::ReadMarked(marked)) => Push::ReadMarked {
                gid: marked.gid,
                read_seq: marked.read_seq,
            },
            _ => Push::Other(message),
        };
        let _ = pushes.send(push);
    };
    let mut waiting = waiters.lock().unwrap_or_else(|p| p.into_inner());
    waiting.closed = Some(notice.unwrap_or(ended));
    // Dropping the waiters wakes every pending request with "closed".
    waiting.by_request.clear();
}

async fn keepalive(out: mpsc::WeakSender<Bytes>, every: Duration) {
    let mut tick = tokio::time::interval(every);
    tick.tick().await;
    loop {
        tick.tick().await;
        // Request id u32::MAX is reserved for keepalives; its pong is ignored.
        let frame = ClientMessage {
            request_id: u32::MAX,
            body: Some(Request::Ping(PingRequest { client_time_ms: 0 })),
        }
        .encode_frame();
        let Some(out) = out.upgrade() else { return };
        if out.send(frame).await.is_err() {
            return;
        }
    }
}
