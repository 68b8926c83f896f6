//! Group and message commands, and the live chat view.

use std::time::{SystemTime, UNIX_EPOCH};

use clap::{Subcommand, ValueEnum};
use schat_client::{
    Client, CreateGroupRequest, GroupKind, JoinPolicy, JoinStatus, MessageKind, MessageSync, Push,
    Role, SendMessageRequest,
};
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::output::{conversation_line, member_line, message_line, notice_line, print_group};
use crate::Failure;

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Policy {
    Open,
    Password,
    Approval,
    Invite,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Media {
    Image,
    File,
    Voice,
    Video,
}

#[derive(Debug, Subcommand)]
pub enum GroupCommand {
    /// Create a group.
    Create {
        name: String,
        #[arg(long, default_value = "")]
        description: String,
        #[arg(long, value_enum, default_value = "open")]
        policy: Policy,
        /// For --policy password.
        #[arg(long, default_value = "")]
        password: String,
        /// Leave the group out of the public listing.
        #[arg(long)]
        private: bool,
        /// Member cap (default: the server's).
        #[arg(long, default_value_t = 0)]
        cap: u32,
    },
    /// Join a group (or apply, for groups that need the owner's approval).
    #[command(alias = "apply")]
    Join {
        gid: u64,
        #[arg(long, default_value = "")]
        password: String,
        /// A note to the owner of an approval group.
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Approve an application (owner or admin).
    Approve { gid: u64, user: String },
    /// Deny an application (owner or admin).
    Deny { gid: u64, user: String },
    /// Invite a user (owner or admin).
    Invite { gid: u64, user: String },
    /// Leave a group.
    Quit { gid: u64 },
    /// Remove a member (owner; admins remove members, not admins).
    Kick { gid: u64, user: String },
    /// Make a member an admin (owner).
    Admin { gid: u64, user: String },
    /// Make an admin a plain member again (owner).
    Unadmin { gid: u64, user: String },
    /// Hand the group to a member; you become an admin (owner).
    Transfer { gid: u64, user: String },
    /// Keep a member from sending for a while (owner or admin).
    Mute {
        gid: u64,
        user: String,
        /// How long: 90s, 10m, 2h, 3d (at most 30 days).
        #[arg(long = "for", value_parser = parse_span, default_value = "10m")]
        duration: u32,
    },
    /// Let a muted member send again (owner or admin).
    Unmute { gid: u64, user: String },
    /// Only the owner and admins may send (owner or admin).
    MuteAll { gid: u64 },
    /// Everyone may send again (owner or admin).
    UnmuteAll { gid: u64 },
    /// Who has read a message (its sender, the owner or an admin).
    Readers { gid: u64, seq: u64 },
    /// No offline push notifications from a conversation (messages still
    /// arrive).
    Quiet { gid: u64 },
    /// Offline push notifications from a conversation again.
    Unquiet { gid: u64 },
    /// Remove a group with its members and history (owner).
    Dismiss { gid: u64 },
    /// Show a group.
    Info { gid: u64 },
    /// List a group's members.
    Members { gid: u64 },
    /// Your groups, with unread counts.
    Groups,
    /// Public groups.
    Public,
    /// Send a text message, or media with --media and --url.
    Send {
        gid: u64,
        text: Vec<String>,
        #[arg(long, value_enum)]
        media: Option<Media>,
        #[arg(long, default_value = "")]
        url: String,
    },
    /// Show a page of a group's history (newest first page by default).
    History {
        gid: u64,
        /// Show messages before this seq.
        #[arg(long, default_value_t = 0)]
        before: u64,
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
    /// Recall a message.
    Recall { gid: u64, seq: u64 },
    /// Show (and acknowledge) your notices.
    Notices,
    /// Chat live in a group: incoming messages appear as they arrive; each
    /// line you type is sent. /quit leaves.
    Chat { gid: u64 },
}

/// For a direct conversation: how far the other user has read.
async fn peer_read(client: &Client, gid: u64) -> Result<Option<String>, Failure> {
    let states = client.my_groups().await?;
    Ok(states.iter().find_map(|state| {
        let group = state.group.as_ref()?;
        (group.gid == gid && group.kind() == GroupKind::Direct).then(|| {
            format!(
                "#{} has read up to #{}",
                group.peer_uid, state.peer_read_seq
            )
        })
    }))
}

/// Makes `user` an admin of `gid`, or a plain member again.
async fn set_role(client: &Client, gid: u64, user: &str, role: Role) -> Result<(), Failure> {
    let uid = resolve_user(client, user).await?;
    client.set_role(gid, uid, role).await?;
    let what = match role {
        Role::Admin => "an admin",
        _ => "a plain member",
    };
    println!("#{uid} is now {what} of group {gid}");
    Ok(())
}

/// A duration such as `90s`, `10m`, `2h`, `3d` (a bare number: seconds).
fn parse_span(text: &str) -> Result<u32, String> {
    let text = text.trim();
    let (number, unit) = text.split_at(
        text.find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len()),
    );
    let number: u32 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a duration like 90s, 10m, 2h or 3d"))?;
    let scale = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(format!("unknown unit {unit:?}: use s, m, h or d")),
    };
    number
        .checked_mul(scale)
        .ok_or_else(|| format!("{text:?} is too long"))
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_millis() as u64)
}

pub async fn execute(client: &Client, command: GroupCommand) -> Result<(), Failure> {
    match command {
        GroupCommand::Create {
            name,
            description,
            policy,
            password,
            private,
            cap,
        } => {
            let join_policy = match policy {
                Policy::Open => JoinPolicy::Open,
                Policy::Password => JoinPolicy::Password,
                Policy::Approval => JoinPolicy::Approval,
                Policy::Invite => JoinPolicy::InviteOnly,
            };
            let group = client
                .create_group(CreateGroupRequest {
                    name,
                    description,
                    join_policy: join_policy as i32,
                    password,
                    public: !private,
                    member_cap: cap,
                    ..CreateGroupRequest::default()
                })
                .await?;
            println!("created group {}", group.gid);
            print_group(&group);
        }
        GroupCommand::Join {
            gid,
            password,
            note,
        } => {
            let joined = client.join_group(gid, &password, &note).await?;
            match joined.status() {
                JoinStatus::Joined => println!("joined group {gid}"),
                JoinStatus::Pending => println!("applied to group {gid}; the owner decides"),
                JoinStatus::AlreadyMember => println!("already a member of group {gid}"),
            }
        }
        GroupCommand::Approve { gid, user } => {
            let uid = resolve_user(client, &user).await?;
            client.decide_application(gid, uid, true).await?;
            println!("approved #{uid} into group {gid}");
        }
        GroupCommand::Deny { gid, user } => {
            let uid = resolve_user(client, &user).await?;
            client.decide_application(gid, uid, false).await?;
            println!("denied #{uid}");
        }
        GroupCommand::Invite { gid, user } => {
            let uid = resolve_user(client, &user).await?;
            client.invite(gid, uid).await?;
            println!("invited #{uid} to group {gid}");
        }
        GroupCommand::Quit { gid } => {
            client.quit_group(gid).await?;
            println!("left group {gid}");
        }
        GroupCommand::Kick { gid, user } => {
            let uid = resolve_user(client, &user).await?;
            client.kick_member(gid, uid).await?;
            println!("removed #{uid} from group {gid}");
        }
        GroupCommand::Admin { gid, user } => set_role(client, gid, &user, Role::Admin).await?,
        GroupCommand::Unadmin { gid, user } => set_role(client, gid, &user, Role::Member).await?,
        GroupCommand::Transfer { gid, user } => {
            let uid = resolve_user(client, &user).await?;
            client.transfer_ownership(gid, uid).await?;
            println!("#{uid} now owns group {gid}; you are an admin");
        }
        GroupCommand::Mute {
            gid,
            user,
            duration,
        } => {
            let uid = resolve_user(client, &user).await?;
            client.mute_member(gid, uid, duration).await?;
            println!("muted #{uid} in group {gid} for {duration} s");
        }
        GroupCommand::Unmute { gid, user } => {
            let uid = resolve_user(client, &user).await?;
            client.mute_member(gid, uid, 0).await?;
            println!("#{uid} may send in group {gid} again");
        }
        GroupCommand::MuteAll { gid } => {
            client.mute_all(gid, true).await?;
            println!("group {gid} is muted: only the owner and admins may send");
        }
        GroupCommand::UnmuteAll { gid } => {
            client.mute_all(gid, false).await?;
            println!("group {gid} is unmuted");
        }
        GroupCommand::Quiet { gid } => {
            client.set_notifications(gid, true).await?;
            println!("no push notifications from {gid} while you are offline");
        }
        GroupCommand::Unquiet { gid } => {
            client.set_notifications(gid, false).await?;
            println!("push notifications from {gid} are on");
        }
        GroupCommand::Readers { gid, seq } => {
            let mut after = 0;
            let mut first = true;
            loop {
                let page = client.readers(gid, seq, after, 200).await?;
                if first {
                    println!(
                        "#{seq}: read by {}, not yet by {}",
                        page.read_count, page.unread_count
                    );
                    first = false;
                }
                for uid in &page.readers {
                    println!("  #{uid}");
                }
                if page.next_after_uid == 0 {
                    break;
                }
                after = page.next_after_uid;
            }
        }
        GroupCommand::Dismiss { gid } => {
            client.dismiss_group(gid).await?;
            println!("dismissed group {gid}");
        }
        GroupCommand::Info { gid } => print_group(&client.group(gid).await?),
        GroupCommand::Members { gid } => {
            let mut after = 0;
            loop {
                let page = client.members(gid, after, 200).await?;
                for member in &page.members {
                    println!("{}", member_line(member, now_ms()));
                }
                if page.next_after_uid == 0 {
                    break;
                }
                after = page.next_after_uid;
            }
        }
        GroupCommand::Groups => {
            for state in client.my_groups().await? {
                println!("{}", conversation_line(&state));
            }
        }
        GroupCommand::Public => {
            let mut after = 0;
            loop {
                let page = client.public_groups(after, 100).await?;
                for group in &page.groups {
                    println!(
                        "{:>6}  {:<24} {:>5} members  {}",
                        group.gid,
                        group.name,
                        group.member_count,
                        group.join_policy().as_str_name().to_ascii_lowercase()
                    );
                }
                if page.next_after_gid == 0 {
                    break;
                }
                after = page.next_after_gid;
            }
        }
        GroupCommand::Send {
            gid,
            text,
            media,
            url,
        } => {
            let kind = match media {
                None => MessageKind::Text,
                Some(Media::Image) => MessageKind::Image,
                Some(Media::File) => MessageKind::File,
                Some(Media::Voice) => MessageKind::Voice,
                Some(Media::Video) => MessageKind::Video,
            };
            let sent = client
                .send_message(SendMessageRequest {
                    gid,
                    client_msg_id: fresh_message_id(),
                    kind: kind as i32,
                    text: text.join(" "),
                    media_url: url,
                })
                .await?;
            println!("sent as #{} in group {gid}", sent.seq);
        }
        GroupCommand::History { gid, before, limit } => {
            let page = client.history(gid, before, limit).await?;
            for message in &page.messages {
                println!("{}", message_line(message));
            }
            if let Some(read) = peer_read(client, gid).await? {
                println!("{read}");
            }
            if let Some(last) = page.messages.last() {
                client.mark_read(gid, last.seq).await?;
            }
        }
        GroupCommand::Recall { gid, seq } => {
            client.recall(gid, seq).await?;
            println!("recalled #{seq}");
        }
        GroupCommand::Notices => {
            let notices = client.notices(0).await?;
            for notice in &notices {
                println!("{}", notice_line(notice));
            }
            if let Some(last) = notices.last() {
                client.ack_notices(last.id).await?;
            } else {
                println!("no notices");
            }
        }
        GroupCommand::Chat { gid } => chat_view(client, gid).await?,
    }
    Ok(())
}

/// A uid from `#123`, `123` or an account name.
pub(crate) async fn resolve_user(client: &Client, user: &str) -> Result<u64, Failure> {
    if let Ok(uid) = user.trim_start_matches('#').parse::<u64>() {
        return Ok(uid);
    }
    let found = client.users(Vec::new(), vec![user.to_string()]).await?;
    found
        .first()
        .map(|profile| profile.uid)
        .ok_or_else(|| Failure::refused(format!("no user named {user:?}")))
}

pub fn fresh_message_id() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_nanos())
        .unwrap_or(0);
    format!("cli-{}-{nanos}", std::process::id())
}

/// The live view: the last page of history, then every new message as it
/// arrives (gaps pulled), and lines typed are sent.
async fn chat_view(client: &Client, gid: u64) -> Result<(), Failure> {
    let group = client.group(gid).await?;
    println!(
        "--- {} (group {gid}); type to send, /quit to leave",
        group.name
    );
    let mut sync = MessageSync::new();
    let recent = client.history(gid, 0, 20).await?;
    for message in &recent.messages {
        println!("{}", message_line(message));
    }
    let from = recent
        .messages
        .first()
        .map_or(recent.latest_seq + 1, |first| first.seq);
    for message in sync.catch_up(client, gid, from).await? {
        if recent.messages.iter().all(|shown| shown.seq != message.seq) {
            println!("{}", message_line(&message));
        }
    }
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    loop {
        tokio::select! {
            push = client.next_push() => match push {
                Some(Push::Message(message)) if message.gid == gid => {
                    for message in sync.accept(client, message).await? {
                        println!("{}", message_line(&message));
                        client.mark_read(gid, message.seq).await?;
                    }
                }
                Some(Push::Notice(notice)) => println!("*** {}", notice_line(&notice)),
                Some(Push::Typing { gid: typing_in, uid }) if typing_in == gid => {
                    println!("*** #{uid} is typing...");
                }
                Some(Push::Kicked { reason }) => return Err(Failure::refused(format!("signed out: {reason}"))),
                Some(Push::Closing { reason, .. }) => return Err(Failure::refused(format!("server closing: {reason}"))),
                Some(_) => {}
                None => return Err(Failure::refused("connection closed")),
            },
            line = lines.next_line() => {
                let line = match line {
                    Ok(Some(line)) => line,
                    Ok(None) => return Ok(()),
                    Err(err) => return Err(Failure::usage(format!("cannot read input: {err}"))),
                };
                let text = line.trim();
                if text == "/quit" {
                    return Ok(());
                }
                if !text.is_empty() {
                    client.send_text(gid, &fresh_message_id(), text).await?;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_span;

    #[test]
    fn spans_parse_with_units_and_refuse_garbage() {
        assert_eq!(parse_span("90"), Ok(90));
        assert_eq!(parse_span("90s"), Ok(90));
        assert_eq!(parse_span("10m"), Ok(600));
        assert_eq!(parse_span("2h"), Ok(7200));
        assert_eq!(parse_span("3d"), Ok(259_200));
        assert!(parse_span("10w").is_err());
        assert!(parse_span("m").is_err());
        assert!(parse_span("99999999d").is_err());
    }
}
