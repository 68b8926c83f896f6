//! The disp fabric as a process sees it: packets for targets that are down
//! are answered with an error at once instead of vanishing.

use std::time::{Duration, Instant};

use schat_proto::client::ResultCode;
use schat_proto::server::{server_msg::Msg, Locate, ProcType};
use schat_runtime::logging::test_logger;
use schat_runtime::{CallError, Fabric, Incoming, Node, Shutdown, Target};
use schat_testkit::{eventually, ClusterSpec, TestCluster};
use tokio::sync::mpsc;

/// Joins the fabric as `name` (which must be stopped in the cluster).
/// Requests addressed to it arrive on the returned receiver.
async fn join_as(
    cluster: &TestCluster,
    name: &str,
) -> (Fabric, Shutdown, mpsc::Receiver<Incoming>) {
    let shutdown = Shutdown::new();
    let node = Node::new(
        schat_runtime::LiveConfig::fixed((*cluster.config).clone()),
        cluster.config.proc_by_name(name).unwrap().clone(),
        test_logger(name),
        Default::default(),
        shutdown.clone(),
    );
    let (inbox, requests) = mpsc::channel(16);
    let fabric = Fabric::start(&node, inbox);
    let up = eventually(Duration::from_secs(5), || async {
        fabric.live_disps() == 2
    })
    .await;
    assert!(up, "did not reach both disps");
    (fabric, shutdown, requests)
}

/// Answered UNAVAILABLE at once: bounced by disp, or failed by this
/// process when the disps' table said the target went down first.
fn assert_bounced(result: Result<Msg, CallError>, started: Instant) {
    match result {
        Err(CallError::Remote { code, reason }) => {
            assert_eq!(code, ResultCode::Unavailable);
            assert!(reason.contains("no live process"), "{reason}");
        }
        Err(CallError::Unavailable(reason)) => {
            assert!(reason.contains("went down"), "{reason}");
        }
        other => panic!("expected an UNAVAILABLE bounce, got {other:?}"),
    }
    // Well inside the 3 s request timeout: disp answered, nothing timed out.
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn packets_for_dead_targets_are_bounced() {
    // No chat_servs: a type with no process at all.
    let spec = ClusterSpec {
        chats: 0,
        ..ClusterSpec::default()
    };
    let mut cluster = TestCluster::start(spec).await.unwrap();
    cluster.stop("online_serv-2").await.unwrap();
    let (fabric, shutdown, _requests) = join_as(&cluster, "online_serv-2").await;
    let locate = || Msg::Locate(Locate { uids: vec![1] });

    // An id that does not exist, a type with no process at all, and a
    // process that was stopped.
    let started = Instant::now();
    let spec = fabric
        .channel()
        .call(Target::spec(ProcType::Logic, 999), locate())
        .await;
    assert_bounced(spec, started);

    let started = Instant::now();
    let none = fabric
        .channel()
        .call(Target::any(ProcType::Chat), locate())
        .await;
    assert_bounced(none, started);

    cluster.stop("online_serv-1").await.unwrap();
    let started = Instant::now();
    let stopped = fabric
        .channel()
        .call(Target::spec(ProcType::Online, 11), locate())
        .await;
    assert_bounced(stopped, started);

    // A live target gets the packet, through whichever disp the key picks:
    // logic_serv answers a Locate, which it does not serve, with
    // UNKNOWN_MESSAGE.
    for hash_key in 1..=4 {
        let target = Target::spec(ProcType::Logic, 201).keyed(hash_key);
        match fabric.channel().call(target, locate()).await {
            Err(CallError::Remote { code, .. }) => assert_eq!(code, ResultCode::UnknownMessage),
            other => panic!("expected logic_serv's answer, got {other:?}"),
        }
    }
    shutdown.trigger();
}
