//! A slot holding the current link to one peer, if it is up, and the
//! transport that sends through it.

use std::sync::Mutex;

use bytes::Bytes;
use schat_proto::server::Route;

use crate::link::LinkSender;
use crate::rpc::{CallError, Transport};

/// The current link to one peer, replaced on every reconnect.
#[derive(Debug, Default)]
pub struct LinkSlot {
    link: Mutex<Option<LinkSender>>,
}

impl LinkSlot {
    pub fn get(&self) -> Option<LinkSender> {
        let guard = self
            .link
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        guard.as_ref().filter(|link| !link.is_closed()).cloned()
    }

    pub fn is_up(&self) -> bool {
        self.get().is_some()
    }

    /// Installs a new link, returning the one it replaces.
    pub fn set(&self, link: LinkSender) -> Option<LinkSender> {
        let mut guard = self
            .link
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        guard.replace(link)
    }

    /// Empties the slot if it still holds `link`; true if it did.
    pub fn clear_if(&self, link: &LinkSender) -> bool {
        let mut guard = self
            .link
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        let holds = guard
            .as_ref()
            .is_some_and(|current| current.same_link(link));
        if holds {
            *guard = None;
        }
        holds
    }
}

/// Sends everything through one slot (a paired link).
#[derive(Debug, Default)]
pub struct SlotTransport {
    pub slot: std::sync::Arc<LinkSlot>,
    pub peer_name: String,
}

impl Transport for SlotTransport {
    fn send_frame(&self, _route: &Route, frame: Bytes, _first: usize) -> Result<usize, CallError> {
        match self.slot.get() {
            Some(link) => Ok(link.send(frame).map(|()| 0)?),
            None => Err(CallError::Unavailable(format!(
                "{} is down",
                self.peer_name
            ))),
        }
    }

    fn is_up(&self) -> bool {
        self.slot.is_up()
    }
}
