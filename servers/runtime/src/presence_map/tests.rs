//! The presence map converges to each logic's truth.

use std::time::Duration;

use schat_proto::server::{PresenceBeat, PresenceDelta, PresenceEntry, PresenceSnapshot};
use tokio::time::Instant;

use super::{PresenceMap, Verdict};

fn entry(uid: u64, logic_id: u32) -> PresenceEntry {
    PresenceEntry {
        uid,
        logic_id,
        conn_proc_id: 100 + logic_id,
        conn_id: uid,
        session_id: uid * 10,
        since_ms: 0,
    }
}

fn delta(logic_id: u32, version: u64, online: &[u64], offline: &[u64]) -> PresenceDelta {
    PresenceDelta {
        logic_id,
        epoch: 7,
        version,
        online: online.iter().map(|&uid| entry(uid, logic_id)).collect(),
        offline: offline.to_vec(),
    }
}

fn snapshot(logic_id: u32, version: u64, uids: &[u64]) -> PresenceSnapshot {
    PresenceSnapshot {
        logic_id,
        epoch: 7,
        version,
        entries: uids.iter().map(|&uid| entry(uid, logic_id)).collect(),
    }
}

#[test]
fn unknown_logic_is_asked_for_a_snapshot_once() {
    let mut map = PresenceMap::default();
    let now = Instant::now();
    let beat = PresenceBeat {
        logic_id: 1,
        epoch: 7,
        version: 3,
        n_users: 2,
    };
    assert_eq!(map.apply_beat(&beat, now), Verdict::NeedSnapshot(1));
    assert_eq!(map.apply_beat(&beat, now), Verdict::Stale);
    assert_eq!(
        map.apply_snapshot(snapshot(1, 3, &[5, 6]), now),
        Verdict::Applied
    );
    assert_eq!(map.apply_beat(&beat, now), Verdict::Applied);
    assert_eq!(map.locate(&[5, 6, 7]).len(), 2);
}

#[test]
fn deltas_in_order_apply_and_gaps_ask() {
    let mut map = PresenceMap::default();
    let now = Instant::now();
    map.apply_snapshot(snapshot(1, 0, &[]), now);
    assert_eq!(
        map.apply_delta(delta(1, 1, &[5], &[]), now),
        Verdict::Applied
    );
    assert_eq!(
        map.apply_delta(delta(1, 2, &[6], &[5]), now),
        Verdict::Applied
    );
    assert_eq!(map.locate(&[5, 6]).len(), 1);
    assert_eq!(map.apply_delta(delta(1, 2, &[9], &[]), now), Verdict::Stale);
    assert_eq!(
        map.apply_delta(delta(1, 4, &[8], &[]), now),
        Verdict::NeedSnapshot(1)
    );
    assert!(map.locate(&[8]).is_empty());
}

#[test]
fn silent_logic_expires() {
    let mut map = PresenceMap::default();
    let start = Instant::now();
    map.apply_snapshot(snapshot(1, 0, &[5]), start);
    map.apply_snapshot(snapshot(2, 0, &[6]), start + Duration::from_secs(4));
    let expired = map.expire(Duration::from_secs(5), start + Duration::from_secs(6));
    assert_eq!(expired, vec![(1, 1)]);
    assert!(map.locate(&[5]).is_empty());
    assert_eq!(map.locate(&[6]).len(), 1);
}

#[test]
fn restarted_logic_is_resynchronised() {
    let mut map = PresenceMap::default();
    let now = Instant::now();
    map.apply_snapshot(snapshot(1, 5, &[5]), now);
    let mut restarted = delta(1, 1, &[6], &[]);
    restarted.epoch = 8;
    assert_eq!(map.apply_delta(restarted, now), Verdict::NeedSnapshot(1));
}

#[test]
fn a_follower_trusts_only_complete_fresh_state() {
    let mut map = PresenceMap::default();
    let start = Instant::now();
    let fresh = Duration::from_millis(400);
    let live: std::collections::BTreeSet<u32> = [1, 2].into();
    assert!(!map.covers(&live, start, fresh), "nothing known yet");
    assert!(
        !map.covers(&Default::default(), start, fresh),
        "no logic live"
    );
    map.apply_snapshot(snapshot(1, 3, &[5]), start);
    assert!(!map.covers(&live, start, fresh), "logic 2 unknown");
    map.apply_snapshot(snapshot(2, 1, &[6]), start);
    assert!(map.covers(&live, start, fresh));
    // Packets stop arriving: the state is no longer trusted.
    assert!(!map.covers(&live, start + Duration::from_millis(500), fresh));
    // A gap asks for a snapshot; until it comes, not trusted either.
    let later = start + Duration::from_millis(100);
    assert_eq!(
        map.apply_delta(delta(1, 9, &[7], &[]), later),
        Verdict::NeedSnapshot(1)
    );
    assert!(!map.covers(&live, later, fresh));
    // A beat that agrees with what is held settles it.
    let beat = PresenceBeat {
        logic_id: 1,
        epoch: 7,
        version: 3,
        n_users: 1,
    };
    assert_eq!(map.apply_beat(&beat, later), Verdict::Applied);
    assert!(map.covers(&live, later, fresh));
}
