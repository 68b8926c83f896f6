//! The handle to chat_serv's group actors: where they run, which group has
//! which, and the bound on what each holds.
//!
//! Group actors ([`crate::actor`]) run on the actix arbiter of the system
//! the chat_serv binary runs in, over the process's own runtime (one thread
//! by default): the actors do the ordering and the batching, the same
//! thread the I/O, and a hand-off between them costs no thread wake-up.
//! (A chat_serv started without a system around it, as in-process tests
//! do, gets an arbiter thread of its own.) Nothing outside this module
//! touches an actor's address. An actor starts with
//! its group's first write and stops when idle, when its group is
//! dismissed, or when the group hashes to another chat_serv.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use actix::{Actor, Addr};
use actix_rt::{ArbiterHandle, System};
use dashmap::DashMap;
use schat_proto::client::ResultCode;

use crate::actor::{GroupActor, Leave, Write};
use crate::{Chat, Failure};

/// One active group: its actor and how many writes it holds.
#[derive(Debug)]
struct Entry {
    addr: Addr<GroupActor>,
    held: Arc<AtomicUsize>,
}

/// The group actors of this chat_serv.
pub(crate) struct GroupActors {
    registry: DashMap<u64, Entry>,
    arbiter: ArbiterHandle,
    /// The system this started for itself, when it found none.
    own_system: Option<System>,
}

impl std::fmt::Debug for GroupActors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GroupActors")
            .field("active", &self.registry.len())
            .finish_non_exhaustive()
    }
}

impl GroupActors {
    /// Runs the actors on this thread's arbiter, or when there is none,
    /// on a thread of their own (an actix system with its arbiter).
    pub fn start() -> std::io::Result<GroupActors> {
        if let Some(arbiter) = actix_rt::Arbiter::try_current() {
            return Ok(GroupActors {
                registry: DashMap::new(),
                arbiter,
                own_system: None,
            });
        }
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("groups".to_string())
            .spawn(move || {
                let runner = System::new();
                let _ = tx.send((System::current(), actix_rt::Arbiter::current()));
                runner.run()
            })?;
        let (system, arbiter) = rx
            .recv()
            .map_err(|_| std::io::Error::other("the group actors' thread did not start"))?;
        Ok(GroupActors {
            registry: DashMap::new(),
            arbiter,
            own_system: Some(system),
        })
    }

    /// Hands `write` to its group's actor, starting one if the group has
    /// none; past `chat.group_queue_max` writes held it is answered BUSY.
    pub fn write(&self, chat: &Arc<Chat>, gid: u64, write: Write) {
        let limit = chat.config.load().chat.group_queue_max as usize;
        let entry = self.registry.entry(gid).or_insert_with(|| {
            let held = Arc::new(AtomicUsize::new(0));
            let (chat, actor_held) = (chat.clone(), held.clone());
            let addr = GroupActor::start_in_arbiter(&self.arbiter, move |_| {
                GroupActor::new(gid, chat, actor_held)
            });
            Entry { addr, held }
        });
        if entry.held.load(Ordering::Relaxed) >= limit {
            chat.metrics.busy_refusals.inc();
            write.refuse(Failure::new(
                ResultCode::Busy,
                "this group has too many messages waiting to be stored; send again shortly",
            ));
            return;
        }
        entry.held.fetch_add(1, Ordering::Relaxed);
        // A stopped actor drops the write, whose answer then says so.
        entry.addr.do_send(write);
    }

    /// Takes `gid` out of the registry if `addr` is still its actor (an
    /// idle actor leaving); true if it was.
    pub fn forget(&self, gid: u64, addr: &Addr<GroupActor>) -> bool {
        self.registry
            .remove_if(&gid, |_, entry| entry.addr == *addr)
            .is_some()
    }

    /// Stops the actor of `gid`, once it has stored and pushed what it
    /// holds (a dismissed group).
    pub fn release(&self, gid: u64) {
        if let Some((_, entry)) = self.registry.remove(&gid) {
            entry.addr.do_send(Leave);
        }
    }

    /// Stops the actors of the groups `leave` picks (they hash to another
    /// chat_serv now). Returns how many.
    pub fn release_where(&self, leave: impl Fn(u64) -> bool) -> usize {
        let leaving: Vec<u64> = self
            .registry
            .iter()
            .map(|entry| *entry.key())
            .filter(|&gid| leave(gid))
            .collect();
        for &gid in &leaving {
            self.release(gid);
        }
        leaving.len()
    }

    /// Active groups (actors running).
    pub fn len(&self) -> usize {
        self.registry.len()
    }

    /// Stops every actor (and the thread they run on, if it is their
    /// own); writes they had not stored are answered UNAVAILABLE by their
    /// drop.
    pub fn stop(&self) {
        for entry in self.registry.iter() {
            entry.addr.do_send(Leave);
        }
        self.registry.clear();
        if let Some(system) = &self.own_system {
            system.stop();
        }
    }
}
