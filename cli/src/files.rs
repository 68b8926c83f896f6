//! File commands: uploads, file and image messages, downloads, avatars.

use std::path::{Path, PathBuf};

use bytes::Bytes;
use clap::Subcommand;
use schat_client::files::{Files, UploadTarget, Uploaded};
use schat_client::{Client, MessageKind, ProfileUpdate, SendMessageRequest, UpdateGroupRequest};

use crate::groups::fresh_message_id;
use crate::Failure;

#[derive(Debug, Subcommand)]
pub enum FileCommand {
    /// Upload a file and print its URL (for a group's chat by default).
    Upload {
        file: PathBuf,
        /// The group the file is for (members only).
        #[arg(long, conflicts_with_all = ["avatar", "group_avatar"], required_unless_present_any = ["avatar", "group_avatar"])]
        group: Option<u64>,
        /// As your avatar (an image).
        #[arg(long)]
        avatar: bool,
        /// As this group's avatar (owner; an image).
        #[arg(long, conflicts_with = "avatar")]
        group_avatar: Option<u64>,
    },
    /// Upload a file and send it to a group (kind from its content).
    SendFile {
        gid: u64,
        file: PathBuf,
        /// Text shown with it.
        #[arg(long, default_value = "")]
        caption: String,
    },
    /// Upload an image and send it to a group.
    SendImage {
        gid: u64,
        file: PathBuf,
        #[arg(long, default_value = "")]
        caption: String,
    },
    /// Download a file by its URL (/f/...); `-o -` writes to standard output.
    Download {
        url: String,
        /// Where to write it (default: the URL's file name, here).
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Upload an image and make it your avatar.
    SetAvatar { file: PathBuf },
    /// Upload an image and make it a group's avatar (owner).
    SetGroupAvatar { gid: u64, file: PathBuf },
}

pub async fn execute(client: &Client, files: &Files, command: FileCommand) -> Result<(), Failure> {
    match command {
        FileCommand::Upload {
            file,
            group,
            avatar,
            group_avatar,
        } => {
            let target = match (group, avatar, group_avatar) {
                (Some(gid), _, _) => UploadTarget::Chat(gid),
                (_, true, _) => UploadTarget::Avatar,
                (_, _, Some(gid)) => UploadTarget::GroupAvatar(gid),
                _ => {
                    return Err(Failure::usage(
                        "give --group GID, --avatar or --group-avatar GID",
                    ))
                }
            };
            let uploaded = upload(client, files, target, &file).await?;
            println!(
                "{} ({}, {} bytes)",
                uploaded.url, uploaded.content_type, uploaded.size
            );
        }
        FileCommand::SendFile { gid, file, caption } => {
            let uploaded = upload(client, files, UploadTarget::Chat(gid), &file).await?;
            send(
                client,
                gid,
                &uploaded,
                kind_of(&uploaded.content_type),
                caption,
            )
            .await?;
        }
        FileCommand::SendImage { gid, file, caption } => {
            let uploaded = upload(client, files, UploadTarget::Chat(gid), &file).await?;
            if !uploaded.content_type.starts_with("image/") {
                return Err(Failure::usage(format!(
                    "{} is not an image ({}); use send-file",
                    file.display(),
                    uploaded.content_type
                )));
            }
            send(client, gid, &uploaded, MessageKind::Image, caption).await?;
        }
        FileCommand::Download { url, output } => {
            let path = url_path(&url);
            let download = files.download(&token(client)?, path, None).await?;
            match output.as_deref() {
                Some(out) if out == Path::new("-") => {
                    use std::io::Write;
                    std::io::stdout()
                        .write_all(&download.body)
                        .map_err(|err| Failure::usage(format!("cannot write: {err}")))?;
                }
                _ => {
                    let out = output.unwrap_or_else(|| {
                        PathBuf::from(path.rsplit('/').next().unwrap_or("download"))
                    });
                    std::fs::write(&out, &download.body).map_err(|err| {
                        Failure::usage(format!("cannot write {}: {err}", out.display()))
                    })?;
                    println!(
                        "saved {} ({}, {} bytes)",
                        out.display(),
                        download.content_type,
                        download.body.len()
                    );
                }
            }
        }
        FileCommand::SetAvatar { file } => {
            let uploaded = upload(client, files, UploadTarget::Avatar, &file).await?;
            client
                .update_profile(ProfileUpdate {
                    avatar_url: Some(uploaded.url.clone()),
                    ..ProfileUpdate::default()
                })
                .await?;
            println!("avatar set: {}", uploaded.url);
        }
        FileCommand::SetGroupAvatar { gid, file } => {
            let uploaded = upload(client, files, UploadTarget::GroupAvatar(gid), &file).await?;
            client
                .update_group(UpdateGroupRequest {
                    gid,
                    avatar_url: Some(uploaded.url.clone()),
                    ..UpdateGroupRequest::default()
                })
                .await?;
            println!("group {gid} avatar set: {}", uploaded.url);
        }
    }
    Ok(())
}

fn token(client: &Client) -> Result<String, Failure> {
    client
        .file_token()
        .map(|(token, _)| token)
        .filter(|token| !token.is_empty())
        .ok_or_else(|| Failure::refused("the server gave no file token"))
}

async fn upload(
    client: &Client,
    files: &Files,
    target: UploadTarget,
    file: &Path,
) -> Result<Uploaded, Failure> {
    let content = std::fs::read(file)
        .map_err(|err| Failure::usage(format!("cannot read {}: {err}", file.display())))?;
    let name = file
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(files
        .upload(&token(client)?, target, &name, Bytes::from(content))
        .await?)
}

async fn send(
    client: &Client,
    gid: u64,
    uploaded: &Uploaded,
    kind: MessageKind,
    caption: String,
) -> Result<(), Failure> {
    let sent = client
        .send_message(SendMessageRequest {
            gid,
            client_msg_id: fresh_message_id(),
            kind: kind as i32,
            text: caption,
            media_url: uploaded.url.clone(),
        })
        .await?;
    println!(
        "sent {} ({}) as #{} in group {gid}",
        uploaded.url, uploaded.content_type, sent.seq
    );
    Ok(())
}

/// The message kind for a detected content type.
fn kind_of(content_type: &str) -> MessageKind {
    match content_type.split('/').next() {
        Some("image") => MessageKind::Image,
        Some("video") => MessageKind::Video,
        Some("audio") => MessageKind::Voice,
        _ => MessageKind::File,
    }
}

/// The path of a file URL, whether given as a path or an absolute URL.
fn url_path(url: &str) -> &str {
    match url.find("/f/") {
        Some(start) => &url[start..],
        None => url,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sent_file_takes_its_kind_from_the_detected_type() {
        assert_eq!(kind_of("image/png"), MessageKind::Image);
        assert_eq!(kind_of("video/mp4"), MessageKind::Video);
        assert_eq!(kind_of("audio/ogg"), MessageKind::Voice);
        assert_eq!(kind_of("application/pdf"), MessageKind::File);
    }

    #[test]
    fn downloads_take_paths_or_absolute_urls() {
        let path = "/f/1/g2/abc.png";
        assert_eq!(url_path(path), path);
        assert_eq!(url_path("http://127.0.0.1:7501/f/1/g2/abc.png"), path);
        assert_eq!(url_path("nonsense"), "nonsense");
    }
}
