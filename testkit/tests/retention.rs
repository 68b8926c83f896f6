//! What storage keeps: a group's history is cut to the newest
//! `chat.history_max_messages` (and clients pulling from older seqs start
//! at the oldest kept), and a dismissed group leaves no key behind — its
//! de-duplication records included.

use schat_client::MessageSync;
use schat_runtime::config::ChatConfig;
use schat_testkit::{ClusterSpec, TestCluster};

#[tokio::test]
async fn only_the_newest_messages_are_kept_and_pulls_start_there() {
    let cluster = TestCluster::start(ClusterSpec {
        chat: ChatConfig {
            history_max_messages: 10,
            ..ClusterSpec::default().chat
        },
        ..ClusterSpec::default()
    })
    .await
    .unwrap();
    let (owner, _, _) = cluster.user(1, "keeper").await.unwrap();
    let group = owner
        .create_group(schat_client::CreateGroupRequest {
            name: "short memory".to_string(),
            ..Default::default()
        })
        .await
        .unwrap();
    let mut last = 0;
    for index in 0..25 {
        let id = format!("m{index}");
        last = owner.send_text(group.gid, &id, &id).await.unwrap().seq;
    }
    let page = owner.pull(group.gid, 1, 0).await.unwrap();
    assert_eq!(page.latest_seq, last);
    assert_eq!(page.first_seq, last - 9);
    let seqs: Vec<u64> = page.messages.iter().map(|message| message.seq).collect();
    assert_eq!(seqs, ((last - 9)..=last).collect::<Vec<_>>());
    assert_eq!(page.messages.last().unwrap().text, "m24");

    // A client catching up from the start gets exactly what is kept.
    let mut sync = MessageSync::new();
    let caught_up = sync.catch_up(&owner, group.gid, 1).await.unwrap();
    assert_eq!(caught_up.len(), 10);
    let history = owner.history(group.gid, 0, 50).await.unwrap();
    assert_eq!(history.messages.len(), 10);
    // A message the retention deleted cannot be recalled, and trying
    // touches nothing that is kept.
    let refused = owner.recall(group.gid, 3).await;
    assert_eq!(
        refused.err().and_then(|err| err.code()),
        Some(schat_client::ResultCode::BadRequest)
    );
    let oldest = owner.pull(group.gid, last - 9, 1).await.unwrap();
    assert_eq!(oldest.messages[0].text, "m15");
    assert!(!oldest.messages[0].recalled);
    // A retried send of a kept message is still recognised.
    let again = owner.send_text(group.gid, "m24", "m24").await.unwrap();
    assert!(again.duplicate);
    assert_eq!(again.seq, last);
}

#[tokio::test]
async fn a_dismissed_group_leaves_no_key_behind() {
    let cluster = TestCluster::start(ClusterSpec::default()).await.unwrap();
    let (owner, _, _) = cluster.user(1, "tidy").await.unwrap();
    let (member, _, _) = cluster.user(2, "guest").await.unwrap();
    let group = owner
        .create_group(schat_client::CreateGroupRequest {
            name: "brief".to_string(),
            ..Default::default()
        })
        .await
        .unwrap();
    member.join_group(group.gid, "", "").await.unwrap();
    for index in 0..20 {
        let id = format!("d{index}");
        owner.send_text(group.gid, &id, &id).await.unwrap();
        member.send_text(group.gid, &id, &id).await.unwrap();
    }
    member.mark_read(group.gid, 5).await.unwrap();
    let pattern = format!("*{{g:{}}}*", group.gid);
    assert!(!cluster.redis_keys(&pattern).unwrap().is_empty());
    owner.dismiss_group(group.gid).await.unwrap();
    assert_eq!(cluster.redis_keys(&pattern).unwrap(), Vec::<String>::new());
}

#[tokio::test]
async fn a_full_redis_refuses_sends_plainly_and_keeps_serving_reads() {
    // One server, whose memory limit the test sets.
    let spec = ClusterSpec {
        redis: schat_testkit::RedisMode::Single,
        ..ClusterSpec::default()
    };
    let cluster = TestCluster::start(spec).await.unwrap();
    let (owner, _, _) = cluster.user(1, "filler").await.unwrap();
    let group = owner
        .create_group(schat_client::CreateGroupRequest {
            name: "full".to_string(),
            ..Default::default()
        })
        .await
        .unwrap();
    let first = owner
        .send_text(group.gid, "before", "before")
        .await
        .unwrap();
    // Redis at its limit, with no eviction (as scripts/run.sh runs it).
    let port = cluster.redis().port().to_string();
    for (key, value) in [("maxmemory-policy", "noeviction"), ("maxmemory", "1")] {
        let set = std::process::Command::new("redis-cli")
            .args(["-p", &port, "CONFIG", "SET", key, value])
            .output()
            .unwrap();
        assert!(set.status.success());
    }
    let refused = owner.send_text(group.gid, "after", "after").await;
    match refused {
        Err(err) => {
            assert_eq!(
                err.code(),
                Some(schat_client::ResultCode::Unavailable),
                "{err}"
            );
            assert!(err.to_string().contains("storage is full"), "{err}");
        }
        Ok(sent) => panic!("stored into a full Redis: {sent:?}"),
    }
    // What is stored stays readable.
    let page = owner.pull(group.gid, first.seq, 0).await.unwrap();
    assert_eq!(page.messages.first().unwrap().text, "before");
}
