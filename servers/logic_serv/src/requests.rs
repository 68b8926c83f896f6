//! Requests that run beside their session task, so that one slow request
//! (a chat_serv that went quiet, a long page) does not hold up the
//! connection's others. Requests about one group run one after another in a
//! *lane*, so they are stored and answered in the order the client sent
//! them; every other request runs on its own. At most `MAX_RUNNERS` run at
//! once per session; the session counts what waits or runs here against
//! its in-flight limit.

use std::collections::{HashMap, VecDeque};
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use futures_util::FutureExt;

use schat_proto::client::{client_message::Body as Request, ResultCode};
use schat_proto::server::Method;
use schat_runtime::Failure;

use schat_runtime::Target;

use crate::context::Logic;
use crate::reply::{answer, answer_frame, Reply};

/// One request taken from a session, to run beside it.
#[derive(Debug)]
pub struct Job {
    pub uid: u64,
    pub request_id: u32,
    pub request: Request,
    /// The chat_serv it goes to (None: logic answers it), worked out once.
    target: Option<Target>,
}

impl Job {
    pub fn new(uid: u64, request_id: u32, request: Request) -> Job {
        Job {
            target: crate::chat::target(&request),
            uid,
            request_id,
            request,
        }
    }
}

/// Requests of one session that run at once, at most; more wait their turn
/// (so 64 requests in flight cost at most this many pages in memory).
const MAX_RUNNERS: usize = 8;

/// What runs beside one session: a count, and the queues, which exist
/// only while something runs (an idle session holds a null pointer).
#[derive(Debug, Default)]
pub struct Running {
    count: AtomicUsize,
    queues: Mutex<Option<Box<Queues>>>,
}

#[derive(Debug, Default)]
struct Queues {
    /// Runners at work.
    runners: usize,
    /// A lane per group with a request running: the ones waiting behind it.
    lanes: HashMap<u64, VecDeque<Job>>,
    /// Requests waiting for a runner, in arrival order (only while
    /// `MAX_RUNNERS` are at work).
    waiting: VecDeque<(Option<u64>, Job)>,
}

impl Queues {
    /// The next request for a runner that finished its lane: the first
    /// waiting one that is not behind a running lane (those join their
    /// lane); None, and one runner fewer, when nothing waits.
    fn next_for_free_runner(&mut self) -> Option<(Option<u64>, Job)> {
        while let Some((lane, job)) = self.waiting.pop_front() {
            match lane {
                Some(gid) if self.lanes.contains_key(&gid) => {
                    if let Some(behind) = self.lanes.get_mut(&gid) {
                        behind.push_back(job);
                    }
                }
                Some(gid) => {
                    self.lanes.insert(gid, VecDeque::new());
                    return Some((lane, job));
                }
                None => return Some((None, job)),
            }
        }
        self.runners -= 1;
        None
    }
}

impl Running {
    /// Requests taken and not answered yet.
    pub fn count(&self) -> usize {
        self.count.load(Ordering::Acquire)
    }

    fn queues(&self) -> MutexGuard<'_, Option<Box<Queues>>> {
        self.queues
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }
}

/// What starts requests here (a session's inbox): it holds their count and
/// queues, and hears when each is answered.
pub trait Owner: Send + Sync + 'static {
    fn running(&self) -> &Running;
    /// One of its requests was answered.
    fn answered(&self);
}

/// Starts `job` beside the session: behind the group's earlier requests if
/// it names a group, else at once, unless `MAX_RUNNERS` are at work.
pub fn start<O: Owner>(logic: &Arc<Logic>, owner: &Arc<O>, conn_id: u64, job: Job) {
    owner.running().count.fetch_add(1, Ordering::AcqRel);
    let lane = match job.target {
        Some(target) if target.method == Method::Hash => Some(target.hash_key),
        _ => None,
    };
    {
        let mut guard = owner.running().queues();
        let queues = guard.get_or_insert_with(Box::default);
        if let Some(behind) = lane.and_then(|gid| queues.lanes.get_mut(&gid)) {
            // A runner is at work on this group: it takes this one next.
            behind.push_back(job);
            return;
        }
        if queues.runners >= MAX_RUNNERS {
            queues.waiting.push_back((lane, job));
            return;
        }
        queues.runners += 1;
        if let Some(gid) = lane {
            queues.lanes.insert(gid, VecDeque::new());
        }
    }
    let (logic_ref, owner) = (logic.clone(), owner.clone());
    logic
        .shutdown
        .spawn(run(logic_ref, owner, conn_id, lane, job));
}

/// Runs `job`, then its lane's next ones, then waiting ones, until there
/// is nothing left for it.
async fn run<O: Owner>(
    logic: Arc<Logic>,
    owner: Arc<O>,
    conn_id: u64,
    lane: Option<u64>,
    job: Job,
) {
    let (mut lane, mut job) = (lane, job);
    loop {
        let request_id = job.request_id;
        // A bug in one request must not leave its lane, and every request
        // queued behind it, waiting forever.
        let result = AssertUnwindSafe(Box::pin(execute(&logic, job)))
            .catch_unwind()
            .await
            .unwrap_or_else(|_| {
                Err(Failure::new(
                    ResultCode::Internal,
                    "the request failed inside the server",
                ))
            });
        match result {
            Ok(Reply::Frame(frame)) => answer_frame(&logic, conn_id, request_id, frame),
            Ok(Reply::Body(body)) => answer(&logic, conn_id, request_id, Ok(body), &logic.log),
            Err(failure) => answer(&logic, conn_id, request_id, Err(failure), &logic.log),
        }
        owner.running().count.fetch_sub(1, Ordering::AcqRel);
        owner.answered();
        let mut guard = owner.running().queues();
        let Some(queues) = guard.as_mut() else {
            // Unreachable: the queues live while a runner does.
            return;
        };
        if let Some(gid) = lane {
            if let Some(next) = queues.lanes.get_mut(&gid).and_then(VecDeque::pop_front) {
                job = next;
                continue;
            }
            queues.lanes.remove(&gid);
        }
        match queues.next_for_free_runner() {
            Some((next_lane, next)) => (lane, job) = (next_lane, next),
            None => {
                if queues.runners == 0 {
                    // Idle again: give the queues' memory back.
                    *guard = None;
                }
                return;
            }
        }
    }
}

/// Requests answered by logic itself or forwarded to a chat_serv.
async fn execute(logic: &Logic, job: Job) -> Result<Reply, Failure> {
    let uid = job.uid;
    // Users live behind db_logic, which chat_serv cannot ask: a request
    // that reaches out to someone must name someone who exists.
    let named = match &job.request {
        Request::Invite(invite) => Some(invite.uid),
        Request::OpenDirect(open) => Some(open.uid),
        Request::AddContact(add) => Some(add.uid),
        Request::Block(block) => Some(block.uid),
        _ => None,
    };
    if let Some(named) = named {
        if named == 0 {
            return Err(Failure::new(ResultCode::NoSuchUser, "no such user"));
        }
        crate::profile::fetch_one(logic, named).await?;
    }
    if let Some(target) = job.target {
        return crate::chat::forward(logic, uid, (job.request_id, job.request), target).await;
    }
    let body = match job.request {
        Request::GetProfile(_) => crate::profile::own(logic, uid).await,
        Request::UpdateProfile(update) => crate::profile::update(logic, uid, update).await,
        Request::GetUsers(lookup) => crate::profile::users(logic, lookup).await,
        _ => Err(Failure::new(
            ResultCode::UnknownMessage,
            "unknown message type",
        )),
    };
    body.map(Reply::Body)
}
