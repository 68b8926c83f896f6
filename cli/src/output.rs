//! What the CLI prints: profiles, groups, one line per message, notice or
//! push, and dates. Every command prints through these.

use schat_client::{DeviceInfo, DeviceKind, GroupInfo, Push, UserProfile};

pub fn print_profile(profile: &UserProfile) {
    println!("uid:          {}", profile.uid);
    println!("account:      {}", profile.account);
    println!("display name: {}", profile.display_name);
    if !profile.description.is_empty() {
        println!("description:  {}", profile.description);
    }
    if !profile.avatar_url.is_empty() {
        println!("avatar:       {}", profile.avatar_url);
    }
    println!(
        "online:       {}",
        if profile.online { "yes" } else { "no" }
    );
    println!("joined:       {}", utc_date(profile.created_at_ms));
}

/// One line for a chat message: `[gid#seq HH:MM] uid: text`.
pub fn message_line(message: &schat_client::ChatMessage) -> String {
    use schat_client::MessageKind;
    let time = utc_date(message.sent_at_ms);
    let clock = time.get(11..16).unwrap_or("");
    let head = format!(
        "[{}#{} {clock}] #{}",
        message.gid, message.seq, message.sender_uid
    );
    match message.kind() {
        _ if message.recalled => format!("{head} (recalled)"),
        MessageKind::Text => format!("{head}: {}", message.text),
        MessageKind::System => format!("{head} {}", message.text),
        MessageKind::Recall => format!("{head} recalled message #{}", message.recall_of),
        kind => format!(
            "{head}: [{}] {} {}",
            kind.as_str_name().to_ascii_lowercase(),
            message.media_url,
            message.text
        ),
    }
}

/// One line for a notice.
pub fn notice_line(notice: &schat_client::Notice) -> String {
    use schat_client::NoticeKind;
    let group = format!("group {} ({})", notice.gid, notice.group_name);
    match notice.kind() {
        NoticeKind::ContactRequest if notice.note.is_empty() => format!(
            "#{} asks to be your contact (accept {})",
            notice.from_uid, notice.from_uid
        ),
        NoticeKind::ContactRequest => format!(
            "#{} asks to be your contact: {} (accept {})",
            notice.from_uid, notice.note, notice.from_uid
        ),
        NoticeKind::ContactAccepted => format!("#{} is now your contact", notice.from_uid),
        NoticeKind::ContactDeclined => {
            format!("#{} declined your contact request", notice.from_uid)
        }
        NoticeKind::Application => format!(
            "#{} applied to join {group}: {} (approve with: approve {} {})",
            notice.from_uid, notice.note, notice.gid, notice.from_uid
        ),
        NoticeKind::Approved => format!("you were approved into {group}"),
        NoticeKind::Denied => format!("your application to {group} was denied"),
        NoticeKind::Invited => format!(
            "#{} invited you to {group} (join {})",
            notice.from_uid, notice.gid
        ),
        NoticeKind::Kicked => format!("you were removed from {group}"),
        NoticeKind::Dismissed => format!("{group} was dismissed"),
        NoticeKind::RoleChanged => format!(
            "#{} made you {} of {group}",
            notice.from_uid,
            match notice.role() {
                schat_client::Role::Owner => "the owner",
                schat_client::Role::Admin => "an admin",
                schat_client::Role::Member => "a plain member",
            }
        ),
        NoticeKind::MuteChanged if notice.until_ms == 0 => {
            format!("#{} let you send in {group} again", notice.from_uid)
        }
        NoticeKind::MuteChanged => format!(
            "#{} muted you in {group} until {}",
            notice.from_uid,
            utc_date(notice.until_ms)
        ),
        NoticeKind::NoticeUnspecified => format!("notice about {group}"),
    }
}

/// `ms` since the epoch as `2026-11-30 19:43 UTC`.
pub fn utc_date(ms: u64) -> String {
    schat_client::time::Utc::from_ms(ms).minutes()
}

/// One group, a field a line.
pub fn print_group(group: &GroupInfo) {
    println!("gid:         {}", group.gid);
    println!("name:        {}", group.name);
    if !group.description.is_empty() {
        println!("description: {}", group.description);
    }
    println!("owner:       #{}", group.owner_uid);
    println!(
        "join:        {}{}",
        group.join_policy().as_str_name().to_ascii_lowercase(),
        if group.public {
            ", public"
        } else {
            ", private"
        }
    );
    println!(
        "members:     {} of {}",
        group.member_count, group.member_cap
    );
    if group.mute_all {
        println!("muted:       only the owner and admins may send");
    }
    println!("messages:    {}", group.latest_seq);
    println!("created:     {}", utc_date(group.created_at_ms));
}

/// One line for a group or direct conversation of `my_groups`.
pub fn conversation_line(state: &schat_client::GroupState) -> String {
    let group = state.group.clone().unwrap_or_default();
    let mut line = if group.kind() == schat_client::GroupKind::Direct {
        format!(
            "{:>6}  dm with #{:<16} {:>5} unread  (#{} read up to #{})",
            group.gid, group.peer_uid, state.unread, group.peer_uid, state.peer_read_seq
        )
    } else {
        format!(
            "{:>6}  {:<24} {:>5} members  {:>5} unread",
            group.gid, group.name, group.member_count, state.unread
        )
    };
    if state.notifications_muted {
        line.push_str("  (quiet)");
    }
    line
}

/// The lines of a contact list: contacts (online first), requests both
/// ways, blocks, the privacy setting.
pub fn contact_lines(list: &schat_client::ContactsResponse) -> Vec<String> {
    let mut lines = Vec::new();
    let mut contacts = list.contacts.clone();
    contacts.sort_by_key(|contact| (!contact.online, contact.uid));
    for contact in &contacts {
        lines.push(format!(
            "#{:<8} {:<7} since {}",
            contact.uid,
            if contact.online { "online" } else { "offline" },
            utc_date(contact.since_ms)
        ));
    }
    if contacts.is_empty() {
        lines.push("no contacts yet".to_string());
    }
    for request in &list.incoming {
        lines.push(format!(
            "request from #{}: {} (accept {})",
            request.from_uid, request.note, request.from_uid
        ));
    }
    for uid in &list.outgoing {
        lines.push(format!("asked #{uid}, no answer yet"));
    }
    for uid in &list.blocked {
        lines.push(format!("blocked #{uid}"));
    }
    lines.push(format!(
        "direct messages from: {}",
        match list.privacy() {
            schat_client::Privacy::Anyone => "anyone",
            schat_client::Privacy::ContactsOnly => "contacts only",
        }
    ));
    lines
}

/// One line for a member: uid, role, when it joined, and a mute still
/// running at `now_ms`.
pub fn member_line(member: &schat_client::Member, now_ms: u64) -> String {
    let mut line = format!(
        "#{:<8} {:<6} joined {}",
        member.uid,
        member.role().as_str_name().to_ascii_lowercase(),
        utc_date(member.joined_at_ms)
    );
    if member.muted_until_ms > now_ms {
        line.push_str(&format!(
            ", muted until {}",
            utc_date(member.muted_until_ms)
        ));
    }
    line
}

/// One of the user's devices: id, kind, client, and whether it is online.
pub fn device_line(device: &DeviceInfo) -> String {
    let name = if device.device_id.is_empty() {
        "(default device)"
    } else {
        &device.device_id
    };
    let kind = match device.kind() {
        DeviceKind::Unspecified => "device",
        DeviceKind::Phone => "phone",
        DeviceKind::Desktop => "desktop",
        DeviceKind::Web => "web",
        DeviceKind::Cli => "cli",
    };
    let mut line = format!("{name}  {kind}");
    if !device.client.is_empty() {
        line.push_str(&format!(" ({})", device.client));
    }
    if device.online {
        line.push_str(&format!(
            "  online since {}",
            utc_date(device.online_since_ms)
        ));
    } else {
        line.push_str(&format!("  last login {}", utc_date(device.last_login_ms)));
    }
    if device.current {
        line.push_str("  (this device)");
    }
    line
}

/// A push that arrived while the shell waits for input.
pub fn print_push(push: &Push) {
    match push {
        Push::Kicked { reason } => println!("\n*** signed out: {reason}"),
        Push::Closing { code, reason } => {
            println!("\n*** server closing ({}): {reason}", code.as_str_name())
        }
        Push::Message(message) => println!("\n{}", message_line(message)),
        Push::Notice(notice) => println!("\n*** {}", notice_line(notice)),
        Push::Typing { gid, uid } => println!("\n*** #{uid} is typing in {gid}"),
        // Read on one of the user's devices: nothing to show here.
        Push::ReadMarked { .. } => {}
        Push::Other(message) => println!("\n*** {message:?}"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn utc_dates() {
        assert_eq!(super::utc_date(0), "1970-01-01 00:00 UTC");
        assert_eq!(super::utc_date(1_795_467_600_000), "2026-11-23 21:00 UTC");
        assert_eq!(super::utc_date(951_782_400_000), "2000-02-29 00:00 UTC");
    }
}
