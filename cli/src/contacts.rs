//! Contact, block, privacy and direct-message commands. A direct
//! conversation has a gid like a group: `history`, `chat`, `recall` and
//! `readers` work on it as on a group.

use clap::{Subcommand, ValueEnum};
use schat_client::{Client, Privacy};

use crate::groups::{fresh_message_id, resolve_user};
use crate::output::contact_lines;
use crate::Failure;

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Who {
    /// Anyone may start a direct conversation with you.
    Anyone,
    /// Only your contacts may.
    Contacts,
}

#[derive(Debug, Subcommand)]
pub enum PeopleCommand {
    /// Open the direct conversation with a user (prints its id) and send
    /// the text, if any.
    Dm { user: String, text: Vec<String> },
    /// Your contacts (with who is online), requests, blocks and privacy.
    Contacts,
    /// Ask a user to be your contact.
    AddContact {
        user: String,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Accept a contact request.
    Accept { user: String },
    /// Decline a contact request.
    Decline { user: String },
    /// Stop being contacts.
    RemoveContact { user: String },
    /// Stop a user from messaging you or asking to be your contact.
    Block { user: String },
    /// Lift a block.
    Unblock { user: String },
    /// Who may start a direct conversation with you.
    Privacy {
        #[arg(value_enum)]
        who: Who,
    },
}

pub async fn execute(client: &Client, command: PeopleCommand) -> Result<(), Failure> {
    match command {
        PeopleCommand::Dm { user, text } => {
            let uid = resolve_user(client, &user).await?;
            let conversation = client.open_direct(uid).await?;
            let gid = conversation.gid;
            if text.is_empty() {
                println!("direct conversation {gid} with #{uid} (history {gid}, chat {gid})");
            } else {
                let sent = client
                    .send_text(gid, &fresh_message_id(), &text.join(" "))
                    .await?;
                println!(
                    "sent as #{} in direct conversation {gid} with #{uid}",
                    sent.seq
                );
            }
        }
        PeopleCommand::Contacts => {
            for line in contact_lines(&client.contacts().await?) {
                println!("{line}");
            }
        }
        PeopleCommand::AddContact { user, note } => {
            let uid = resolve_user(client, &user).await?;
            client.add_contact(uid, &note).await?;
            println!("asked #{uid} to be your contact");
        }
        PeopleCommand::Accept { user } => {
            let uid = resolve_user(client, &user).await?;
            client.decide_contact(uid, true).await?;
            println!("#{uid} is now your contact");
        }
        PeopleCommand::Decline { user } => {
            let uid = resolve_user(client, &user).await?;
            client.decide_contact(uid, false).await?;
            println!("declined #{uid}");
        }
        PeopleCommand::RemoveContact { user } => {
            let uid = resolve_user(client, &user).await?;
            client.remove_contact(uid).await?;
            println!("#{uid} is no longer your contact");
        }
        PeopleCommand::Block { user } => {
            let uid = resolve_user(client, &user).await?;
            client.block(uid, true).await?;
            println!("blocked #{uid}");
        }
        PeopleCommand::Unblock { user } => {
            let uid = resolve_user(client, &user).await?;
            client.block(uid, false).await?;
            println!("unblocked #{uid}");
        }
        PeopleCommand::Privacy { who } => {
            let privacy = match who {
                Who::Anyone => Privacy::Anyone,
                Who::Contacts => Privacy::ContactsOnly,
            };
            client.set_privacy(privacy).await?;
            println!("privacy: {}", privacy.as_str_name().to_ascii_lowercase());
        }
    }
    Ok(())
}
