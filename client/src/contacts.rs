//! Contacts, blocks, privacy and direct conversations of the client
//! library. A direct conversation is a group of kind DIRECT: once opened,
//! its messages go through the group calls (`send_text`, `pull`,
//! `history`, `mark_read`, `recall`) with its gid.

use schat_proto::client::{
    client_message::Body as Request, server_message::Body as Response, AddContactRequest,
    BlockRequest, ContactsResponse, DecideContactRequest, GroupInfo, ListContactsRequest,
    OpenDirectRequest, Privacy, RemoveContactRequest, SetPrivacyRequest, TypingRequest,
};

use crate::connection::unexpected;
use crate::{Client, ClientError};

impl Client {
    /// The direct conversation with `uid` (created on first open).
    pub async fn open_direct(&self, uid: u64) -> Result<GroupInfo, ClientError> {
        match self
            .request(Request::OpenDirect(OpenDirectRequest { uid }))
            .await?
        {
            Response::Group(group) => Ok(group),
            _ => Err(unexpected("open_direct")),
        }
    }

    /// Asks `uid` to become a contact (or accepts, if `uid` asked first).
    pub async fn add_contact(&self, uid: u64, note: &str) -> Result<(), ClientError> {
        let request = Request::AddContact(AddContactRequest {
            uid,
            note: note.to_string(),
        });
        self.done(request, "add_contact").await
    }

    pub async fn decide_contact(&self, uid: u64, accept: bool) -> Result<(), ClientError> {
        let request = Request::DecideContact(DecideContactRequest { uid, accept });
        self.done(request, "decide_contact").await
    }

    pub async fn remove_contact(&self, uid: u64) -> Result<(), ClientError> {
        let request = Request::RemoveContact(RemoveContactRequest { uid });
        self.done(request, "remove_contact").await
    }

    /// Blocks `uid` (`blocked`), or lifts the block.
    pub async fn block(&self, uid: u64, blocked: bool) -> Result<(), ClientError> {
        self.done(Request::Block(BlockRequest { uid, blocked }), "block")
            .await
    }

    pub async fn contacts(&self) -> Result<ContactsResponse, ClientError> {
        match self
            .request(Request::ListContacts(ListContactsRequest {}))
            .await?
        {
            Response::Contacts(contacts) => Ok(contacts),
            _ => Err(unexpected("list_contacts")),
        }
    }

    /// Tells the other user of direct conversation `gid` that you are
    /// typing (at most one every 2 s is passed on; extra ones are dropped).
    pub async fn typing(&self, gid: u64) -> Result<(), ClientError> {
        self.done(Request::Typing(TypingRequest { gid }), "typing")
            .await
    }

    /// Who may start a direct conversation with you.
    pub async fn set_privacy(&self, privacy: Privacy) -> Result<(), ClientError> {
        let request = Request::SetPrivacy(SetPrivacyRequest {
            privacy: privacy as i32,
        });
        self.done(request, "set_privacy").await
    }
}
