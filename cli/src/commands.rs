//! Running one command against a connection that is opened (and logged in
//! with the saved token) only when the command needs it.

use std::path::{Path, PathBuf};

use schat_client::files::{Directory, Files};
use schat_client::{Client, ClientError, DeviceKind, HttpClient, ProfileUpdate, ResultCode};

use crate::output::{self, print_profile};
use crate::session_file::{self, SavedSession};
use crate::{Command, Failure};

/// Runs one command and exits.
pub async fn one_shot(
    endpoint: Endpoint,
    session_file: &Path,
    command: Command,
) -> Result<(), Failure> {
    let mut runner = Runner::new(endpoint, session_file, false);
    runner.execute(command).await
}

/// Where the client connects.
#[derive(Clone, Debug)]
pub struct Endpoint {
    /// A conn_serv to use directly; without it the directory picks one.
    pub server: Option<String>,
    /// The dir_serv's base URL.
    pub dir: String,
    /// An extra CA certificate to trust for HTTPS.
    pub ca_file: Option<PathBuf>,
    /// The device id given on the command line, if any.
    pub device: Option<String>,
}

impl Endpoint {
    /// Where the shell says it is.
    pub fn describe(&self) -> String {
        match &self.server {
            Some(server) => server.clone(),
            None => format!("the cluster of {}", self.dir),
        }
    }
}

/// A connection and who it is logged in as.
pub struct Runner {
    endpoint: Endpoint,
    /// The conn_serv of the current connection.
    server: String,
    directory: Option<Directory>,
    session_file: PathBuf,
    interactive: bool,
    client: Option<Client>,
    logged_in: Option<String>,
}

impl Runner {
    pub fn new(endpoint: Endpoint, session_file: &Path, interactive: bool) -> Runner {
        Runner {
            server: endpoint.server.clone().unwrap_or_default(),
            endpoint,
            directory: None,
            session_file: session_file.to_path_buf(),
            interactive,
            client: None,
            logged_in: None,
        }
    }

    /// The open connection, if any.
    pub fn connection(&self) -> Option<&Client> {
        self.client.as_ref()
    }

    /// Forgets a connection that has ended.
    pub fn drop_connection(&mut self) {
        self.client = None;
        self.logged_in = None;
    }

    pub fn prompt(&self) -> String {
        match &self.logged_in {
            Some(account) => format!("schat {account}> "),
            None => "schat> ".to_string(),
        }
    }

    async fn connect(&mut self) -> Result<&Client, Failure> {
        if self
            .client
            .as_ref()
            .is_some_and(|client| client.closed_reason().is_some())
        {
            self.drop_connection();
        }
        if self.client.is_none() {
            if self.endpoint.server.is_none() {
                // Ask the directory afresh: the last conn_serv may be gone.
                self.directory = None;
                self.server = self.directory().await?.conn_addr.clone();
            }
            let device = match &self.endpoint.device {
                Some(device) => device.clone(),
                None => session_file::device_id(&self.session_file)?,
            };
            let client = Client::connect(&self.server).await.map_err(|err| Failure {
                message: format!("{} ({})", err, self.server),
                exit_code: crate::EXIT_CONNECTION,
            })?;
            client.set_device(&device, DeviceKind::Cli);
            self.client = Some(client);
        }
        self.client
            .as_ref()
            .ok_or_else(|| Failure::usage("no connection"))
    }

    fn http(&self) -> Result<HttpClient, Failure> {
        match &self.endpoint.ca_file {
            None => Ok(HttpClient::default()),
            Some(path) => {
                HttpClient::with_ca_file(path).map_err(|err| Failure::usage(err.to_string()))
            }
        }
    }

    /// What the directory answered (asked once per connection).
    async fn directory(&mut self) -> Result<&Directory, Failure> {
        if self.directory.is_none() {
            let http = self.http()?;
            let found = Directory::lookup(&http, &self.endpoint.dir)
                .await
                .map_err(|err| Failure {
                    message: format!(
                        "cannot use the directory at {}: {err} (or connect directly with --server HOST:PORT)",
                        self.endpoint.dir
                    ),
                    exit_code: crate::EXIT_CONNECTION,
                })?;
            self.directory = Some(found);
        }
        self.directory
            .as_ref()
            .ok_or_else(|| Failure::usage("no directory"))
    }

    /// A client for the file servers the directory lists.
    async fn files(&mut self) -> Result<Files, Failure> {
        let http = self.http()?;
        Ok(self.directory().await?.files(http))
    }

    /// Makes sure this connection is logged in, with the saved token.
    async fn logged_in_client(&mut self) -> Result<&Client, Failure> {
        self.connect().await?;
        if self.logged_in.is_none() {
            let saved = session_file::load(&self.session_file)?;
            let client = self.connect().await?;
            match client.login_token(&saved.token).await {
                Ok(_) => {}
                Err(ClientError::Server {
                    code: ResultCode::TokenExpired | ResultCode::TokenInvalid,
                    ..
                }) => {
                    session_file::remove(&self.session_file);
                    return Err(Failure::refused(
                        "your session has ended: run `schat login ACCOUNT` again",
                    ));
                }
                Err(err) => return Err(err.into()),
            }
            self.logged_in = Some(saved.account);
        }
        self.connect().await
    }

    pub async fn execute(&mut self, command: Command) -> Result<(), Failure> {
        match command {
            Command::Register {
                account,
                display_name,
                password_stdin,
            } => {
                let password = read_password(password_stdin, "new password: ", self.interactive)?;
                let client = self.connect().await?;
                let uid = client
                    .register(&account, &password, display_name.as_deref().unwrap_or(""))
                    .await?;
                println!("registered {account} as uid {uid}");
            }
            Command::Login {
                account,
                password_stdin,
            } => {
                let password = read_password(password_stdin, "password: ", self.interactive)?;
                if self.logged_in.is_some() {
                    // A fresh connection: this one belongs to the old login.
                    self.drop_connection();
                }
                self.connect().await?;
                let server = self.server.clone();
                let client = self.connect().await?;
                let login = client.login_password(&account, &password).await?;
                let profile = login.profile.unwrap_or_default();
                session_file::save(
                    &self.session_file,
                    &SavedSession {
                        server,
                        account: profile.account.clone(),
                        uid: login.uid,
                        token: login.token,
                        token_expires_at_ms: login.token_expires_at_ms,
                    },
                )?;
                println!("logged in as {} (uid {})", profile.account, login.uid);
                self.logged_in = Some(profile.account);
            }
            Command::Logout { all } => {
                let client = self.logged_in_client().await?;
                if all {
                    client.logout_everywhere().await?;
                } else {
                    client.logout().await?;
                }
                session_file::remove(&self.session_file);
                self.logged_in = None;
                println!(
                    "{}",
                    if all {
                        "logged out on every device"
                    } else {
                        "logged out"
                    }
                );
            }
            Command::Devices => {
                let devices = self.logged_in_client().await?.devices().await?;
                for device in &devices {
                    println!("{}", output::device_line(device));
                }
            }
            Command::EndDevice { device_id } => {
                self.logged_in_client()
                    .await?
                    .end_device(&device_id)
                    .await?;
                println!("device {device_id} logged out");
            }
            Command::Whoami => {
                let profile = self.logged_in_client().await?.profile().await?;
                print_profile(&profile);
            }
            Command::Profile { users } => {
                let client = self.logged_in_client().await?;
                if users.is_empty() {
                    print_profile(&client.profile().await?);
                    return Ok(());
                }
                let mut uids = Vec::new();
                let mut accounts = Vec::new();
                for user in &users {
                    match user.strip_prefix('#').map(str::parse::<u64>) {
                        Some(Ok(uid)) => uids.push(uid),
                        Some(Err(_)) => return Err(Failure::usage(format!("bad uid {user:?}"))),
                        None => accounts.push(user.clone()),
                    }
                }
                let found = client.users(uids, accounts).await?;
                if found.is_empty() {
                    return Err(Failure::refused("no such user"));
                }
                for (index, profile) in found.iter().enumerate() {
                    if index > 0 {
                        println!();
                    }
                    print_profile(profile);
                }
            }
            Command::SetProfile {
                display_name,
                description,
                avatar_url,
            } => {
                if display_name.is_none() && description.is_none() && avatar_url.is_none() {
                    return Err(Failure::usage(
                        "give at least one of --display-name, --description, --avatar-url",
                    ));
                }
                let client = self.logged_in_client().await?;
                let profile = client
                    .update_profile(ProfileUpdate {
                        display_name,
                        description,
                        avatar_url,
                    })
                    .await?;
                print_profile(&profile);
            }
            Command::Ping => {
                let rtt = self.connect().await?.ping().await?;
                println!(
                    "pong from {} in {:.2} ms",
                    self.server,
                    rtt.as_secs_f64() * 1000.0
                );
            }
            Command::Group(command) => {
                let client = self.logged_in_client().await?;
                crate::groups::execute(client, command).await?;
            }
            Command::People(command) => {
                let client = self.logged_in_client().await?;
                crate::contacts::execute(client, command).await?;
            }
            Command::File(command) => {
                self.logged_in_client().await?;
                let files = self.files().await?;
                let client = self.logged_in_client().await?;
                crate::files::execute(client, &files, command).await?;
            }
            Command::Shell => return Err(Failure::usage("already in the shell")),
        }
        Ok(())
    }
}

fn read_password(from_stdin: bool, prompt: &str, interactive: bool) -> Result<String, Failure> {
    if from_stdin && !interactive {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .map_err(|err| Failure::usage(format!("cannot read the password: {err}")))?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_string());
    }
    if let Ok(password) = std::env::var("SCHAT_PASSWORD") {
        return Ok(password);
    }
    rpassword::prompt_password(prompt).map_err(|err| {
        Failure::usage(format!(
            "cannot prompt for a password ({err}); use --password-stdin or SCHAT_PASSWORD"
        ))
    })
}
