//! The reload plan: what it applies, what it keeps for a restart, and what
//! it refuses.

use serde_json::{json, Value};

use super::plan;
use crate::config::ClusterConfig;

const COMMITTED: &str = include_str!("../../../../cluster.json");

fn committed() -> Value {
    serde_json::from_str(COMMITTED).unwrap()
}

fn parse(value: &Value) -> ClusterConfig {
    ClusterConfig::parse(&value.to_string()).unwrap()
}

fn procs(value: &mut Value) -> &mut Vec<Value> {
    value["procs"].as_array_mut().unwrap()
}

/// Plans the change `edit` makes to the committed file, for `me`.
fn planned(me: &str, edit: impl FnOnce(&mut Value)) -> Result<super::Plan, String> {
    let old = parse(&committed());
    let mut new = committed();
    edit(&mut new);
    let me = old.proc_by_name(me).unwrap().clone();
    plan(&old, parse(&new), &me)
}

#[test]
fn nothing_changed_is_an_empty_plan() {
    let plan = planned("chat_serv-1", |_| {}).unwrap();
    assert!(plan.changed.is_empty(), "{:?}", plan.changed);
    assert!(plan.needs_restart.is_empty(), "{:?}", plan.needs_restart);
}

#[test]
fn live_settings_are_applied_and_named() {
    let plan = planned("chat_serv-1", |new| {
        new["chat"]["max_message_bytes"] = 100.into();
        new["timing"]["request_timeout_ms"] = 7000.into();
        new["auth"]["throttle"]["window_secs"] = 60.into();
        new["log"] = json!({"level": "debug", "format": "json"});
    })
    .unwrap();
    assert_eq!(
        plan.changed,
        [
            "auth.throttle.window_secs",
            "chat.max_message_bytes",
            "log.format",
            "log.level",
            "timing.request_timeout_ms"
        ]
    );
    assert!(plan.needs_restart.is_empty());
    assert_eq!(plan.config.chat.max_message_bytes, 100);
    assert_eq!(plan.config.timing.request_timeout_ms, 7000);
}

#[test]
fn restart_settings_are_reported_and_keep_their_old_value() {
    let plan = planned("chat_serv-1", |new| {
        new["redis"]["db"] = 3.into();
        new["limits"]["worker_threads"] = 4.into();
        new["limits"]["max_frame_bytes"] = 1_000_000.into();
        new["limits"]["client_send_queue"] = 10.into();
    })
    .unwrap();
    assert_eq!(plan.changed, ["limits.client_send_queue"]);
    assert_eq!(
        plan.needs_restart,
        [
            "limits.max_frame_bytes",
            "limits.worker_threads",
            "redis.db"
        ]
    );
    assert_eq!(plan.config.redis.db, 0);
    assert_eq!(plan.config.limits.worker_threads, 1);
    assert_eq!(plan.config.limits.max_frame_bytes, 262_144);
    assert_eq!(plan.config.limits.client_send_queue, 10);
}

#[test]
fn added_sets_are_taken_and_a_new_disp_waits_for_a_restart() {
    let plan = planned("disp_serv-1", |new| {
        procs(new).extend([
            json!({"id": 403, "name": "chat_serv-3", "type": "chat_serv", "host": "127.0.0.1"}),
            json!({"id": 503, "name": "db_chat_serv-3", "type": "db_chat_serv", "host": "127.0.0.1", "port": 7403, "chat": "chat_serv-3"}),
            json!({"id": 3, "name": "disp_serv-3", "type": "disp_serv", "host": "127.0.0.1", "port": 7303}),
        ]);
    })
    .unwrap();
    assert_eq!(
        plan.changed,
        ["procs: added chat_serv-3", "procs: added db_chat_serv-3"]
    );
    assert_eq!(
        plan.needs_restart,
        ["procs: added disp_serv-3 (a new disp_serv)"]
    );
    assert!(plan.config.proc_by_id(403).is_some());
    assert!(plan.config.proc_by_id(3).is_none());
}

#[test]
fn weights_and_levels_change_live_but_other_entry_changes_do_not() {
    let plan = planned("dir_serv-1", |new| {
        let procs = procs(new);
        procs[4]["weight"] = 5.into(); // conn_serv-1
        procs[5]["log"] = "debug".into(); // logic_serv-1
        procs[7]["port"] = 7999.into(); // conn_serv-2
    })
    .unwrap();
    assert_eq!(
        plan.changed,
        ["procs.conn_serv-1.weight", "procs.logic_serv-1.log"]
    );
    assert_eq!(plan.needs_restart, ["procs: changed conn_serv-2"]);
    let conn_2 = plan.config.proc_by_name("conn_serv-2").unwrap();
    assert_eq!(conn_2.port, Some(7002));
    assert_eq!(
        plan.config.proc_by_name("conn_serv-1").unwrap().weight,
        Some(5)
    );
    assert_eq!(
        plan.config
            .log_level_of(&procs_of_plan(&plan, "logic_serv-1")),
        "debug"
    );
}

fn procs_of_plan(plan: &super::Plan, name: &str) -> crate::config::ProcConfig {
    plan.config.proc_by_name(name).unwrap().clone()
}

#[test]
fn a_removed_process_is_kept_until_restart() {
    let plan = planned("disp_serv-1", |new| {
        procs(new).retain(|proc| proc["name"] != "file_serv-2");
    })
    .unwrap();
    assert_eq!(plan.needs_restart, ["procs: removed file_serv-2"]);
    assert!(plan.config.proc_by_name("file_serv-2").is_ok());
}

#[test]
fn own_entry_removed_is_refused() {
    let err = planned("file_serv-2", |new| {
        procs(new).retain(|proc| proc["name"] != "file_serv-2");
    })
    .unwrap_err();
    assert!(
        err.contains("file_serv-2 is not in the new cluster file"),
        "{err}"
    );
}

#[test]
fn a_change_that_only_a_restart_can_apply_is_refused() {
    // file_serv-2 removed and its id taken by a new process: keeping the
    // old entry for the running process would give one id to two.
    let err = planned("disp_serv-1", |new| {
        let procs = procs(new);
        procs.retain(|proc| proc["name"] != "file_serv-2");
        procs.push(
            json!({"id": 602, "name": "file_serv-3", "type": "file_serv", "host": "127.0.0.1",
            "port": 7503, "serv_index": 3, "data_dir": "data/files"}),
        );
    })
    .unwrap_err();
    assert!(err.contains("without a restart"), "{err}");
    assert!(err.contains("602"), "{err}");
}
