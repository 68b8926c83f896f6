//! Requests that run beside their session task, so that one slow request
//! (a chat_serv that went quiet, a long page) does not hold up the
//! connection's others. Requests about one group run one after another in a
//! *lane*, so they are stored and answered in the order the client sent
//! them; every other request runs on its own. The session counts what runs
//! here against its in-flight limit.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use schat_proto::client::{
    client_message::Body as Request, server_message::Body as Response, ResultCode,
};
use schat_proto::server::Method;
use schat_runtime::Failure;

use crate::session::{answer, Inbox};
use crate::Logic;

/// One request taken from a session, to run beside it.
#[derive(Debug)]
pub struct Job {
    pub uid: u64,
    pub request_id: u32,
    pub request: Request,
}

/// What runs beside one session: a count, and the lanes of the groups with
/// requests waiting. An idle session holds an empty map (no allocation).
#[derive(Debug, Default)]
pub struct Running {
    count: AtomicUsize,
    lanes: Mutex<HashMap<u64, VecDeque<Job>>>,
}

impl Running {
    /// Requests taken and not answered yet.
    pub fn count(&self) -> usize {
        self.count.load(Ordering::Acquire)
    }

    fn lanes(&self) -> MutexGuard<'_, HashMap<u64, VecDeque<Job>>> {
        self.lanes
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }
}

/// Starts `job` beside the session: behind the group's earlier requests if
/// it names a group, else at once.
pub fn start(logic: &Arc<Logic>, inbox: &Arc<Inbox>, conn_id: u64, job: Job) {
    inbox.running.count.fetch_add(1, Ordering::AcqRel);
    let lane = match crate::chat::target(&job.request) {
        Some(target) if target.method == Method::Hash => Some(target.hash_key),
        _ => None,
    };
    if let Some(gid) = lane {
        let mut lanes = inbox.running.lanes();
        if let Some(waiting) = lanes.get_mut(&gid) {
            // A runner is at work on this group: it takes this one next.
            waiting.push_back(job);
            return;
        }
        lanes.insert(gid, VecDeque::new());
    }
    let (logic_ref, inbox) = (logic.clone(), inbox.clone());
    logic
        .shutdown
        .spawn(run(logic_ref, inbox, conn_id, lane, job));
}

/// Runs `job`, then the lane's next ones until it is empty.
async fn run(logic: Arc<Logic>, inbox: Arc<Inbox>, conn_id: u64, lane: Option<u64>, job: Job) {
    let mut job = job;
    loop {
        let request_id = job.request_id;
        let result = Box::pin(execute(&logic, job)).await;
        answer(&logic, conn_id, request_id, result, &logic.log);
        inbox.running.count.fetch_sub(1, Ordering::AcqRel);
        inbox.ready.notify_one();
        let Some(gid) = lane else { return };
        let mut lanes = inbox.running.lanes();
        match lanes.get_mut(&gid).and_then(VecDeque::pop_front) {
            Some(next) => job = next,
            None => {
                lanes.remove(&gid);
                return;
            }
        }
    }
}

/// Requests answered by logic itself or forwarded to a chat_serv.
async fn execute(logic: &Logic, job: Job) -> Result<Response, Failure> {
    let uid = job.uid;
    if let Request::Invite(invite) = &job.request {
        // Users live behind db_logic, which chat_serv cannot ask: an
        // invitation must name someone who exists.
        if invite.uid == 0 {
            return Err(Failure::new(ResultCode::NoSuchUser, "no such user"));
        }
        crate::profile::fetch_one(logic, invite.uid).await?;
    }
    if let Some(target) = crate::chat::target(&job.request) {
        return crate::chat::forward(logic, uid, target, job.request).await;
    }
    match job.request {
        Request::GetProfile(_) => crate::profile::own(logic, uid).await,
        Request::UpdateProfile(update) => crate::profile::update(logic, uid, update).await,
        Request::GetUsers(lookup) => crate::profile::users(logic, lookup).await,
        _ => Err(Failure::new(
            ResultCode::UnknownMessage,
            "unknown message type",
        )),
    }
}
