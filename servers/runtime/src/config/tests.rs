//! The committed cluster.json must load; each kind of fault must be refused
//! with a message that names it.

use super::{origin_of, ClusterConfig, ConfigError, ProcKind};

const COMMITTED: &str = include_str!("../../../../cluster.json");

fn edited(edit: impl FnOnce(&mut serde_json::Value)) -> Result<ClusterConfig, ConfigError> {
    let mut value: serde_json::Value = serde_json::from_str(COMMITTED).unwrap();
    edit(&mut value);
    ClusterConfig::parse(&value.to_string())
}

fn proc_index(value: &serde_json::Value, name: &str) -> usize {
    value["procs"]
        .as_array()
        .unwrap()
        .iter()
        .position(|proc| proc["name"] == name)
        .unwrap()
}

fn refused(edit: impl FnOnce(&mut serde_json::Value)) -> String {
    match edited(edit) {
        Ok(_) => panic!("an invalid config was accepted"),
        Err(err) => err.to_string(),
    }
}

#[test]
fn committed_cluster_json_is_valid() {
    let config = ClusterConfig::parse(COMMITTED).unwrap();
    assert_eq!(config.procs_of(ProcKind::ConnServ).count(), 2);
    assert_eq!(config.procs_of(ProcKind::LogicServ).count(), 2);
    assert_eq!(config.procs_of(ProcKind::DbLogicServ).count(), 2);
    assert_eq!(config.procs_of(ProcKind::DispServ).count(), 2);
    assert_eq!(config.procs_of(ProcKind::OnlineServ).count(), 2);
    assert_eq!(config.procs_of(ProcKind::ChatServ).count(), 2);
    assert_eq!(config.procs_of(ProcKind::DbChatServ).count(), 2);
    assert_eq!(config.procs_of(ProcKind::FileServ).count(), 2);
    assert_eq!(config.procs_of(ProcKind::DirServ).count(), 1);
    assert_eq!(config.file_serv(2).unwrap().name, "file_serv-2");
    assert_eq!(
        config.file_serv(1).unwrap().public_addr().unwrap(),
        "http://127.0.0.1:7501"
    );
    let chat = config.proc_by_name("chat_serv-2").unwrap();
    let db_chat = config
        .paired_with(&chat.name, ProcKind::DbChatServ)
        .unwrap();
    assert_eq!(db_chat.name, "db_chat_serv-2");
    let logic = config.proc_by_name("logic_serv-1").unwrap();
    let conn = config.paired_with(&logic.name, ProcKind::ConnServ).unwrap();
    assert_eq!(conn.name, "conn_serv-1");
}

#[test]
fn unknown_key_is_named() {
    let message = refused(|value| value["limits"]["max_conections"] = 5.into());
    assert!(
        message.contains("unknown field `max_conections`"),
        "{message}"
    );
    let message = refused(|value| value["procs"][0]["colour"] = "red".into());
    assert!(message.contains("unknown field `colour`"), "{message}");
}

#[test]
fn duplicate_id_is_named() {
    let message = refused(|value| value["procs"][1]["id"] = 1.into());
    assert!(message.contains("proc id 1 is used by both"), "{message}");
}

#[test]
fn duplicate_port_is_named() {
    let message = refused(|value| value["procs"][1]["port"] = 7301.into());
    assert!(
        message.contains("127.0.0.1:7301 is used by both"),
        "{message}"
    );
    let message = refused(|value| value["procs"][1]["port"] = 6390.into());
    assert!(message.contains("\"redis\""), "{message}");
}

#[test]
fn logic_without_conn_is_named() {
    let message = refused(|value| {
        let conn = proc_index(value, "conn_serv-2");
        value["procs"].as_array_mut().unwrap().remove(conn);
    });
    assert!(
        message.contains("logic_serv \"logic_serv-2\" has no conn_serv"),
        "{message}"
    );
}

#[test]
fn logic_shared_by_two_conns_is_named() {
    let message = refused(|value| {
        let conn = proc_index(value, "conn_serv-2");
        value["procs"][conn]["logic"] = "logic_serv-1".into();
    });
    assert!(message.contains("named by two conn_servs"), "{message}");
}

#[test]
fn chat_without_db_chat_and_wrong_set_keys_are_named() {
    let message = refused(|value| {
        let db = proc_index(value, "db_chat_serv-1");
        value["procs"].as_array_mut().unwrap().remove(db);
    });
    assert!(
        message.contains("chat_serv \"chat_serv-1\" has no db_chat_serv"),
        "{message}"
    );
    let message = refused(|value| {
        let db = proc_index(value, "db_chat_serv-1");
        value["procs"][db]["logic"] = "logic_serv-1".into();
    });
    assert!(message.contains("must not have \"logic\""), "{message}");
    let message = refused(|value| value["chat"]["default_member_cap"] = 20_000.into());
    assert!(message.contains("chat.default_member_cap"), "{message}");
}

#[test]
fn pairing_with_a_missing_logic_is_named() {
    let message = refused(|value| {
        let db = proc_index(value, "db_logic_serv-1");
        value["procs"][db]["logic"] = "logic_serv-9".into();
    });
    assert!(message.contains("\"logic_serv-9\""), "{message}");
}

#[test]
fn missing_redis_is_named() {
    let message = refused(|value| {
        value.as_object_mut().unwrap().remove("redis");
    });
    assert!(message.contains("missing field `redis`"), "{message}");
}

#[test]
fn missing_disp_is_named() {
    let message = refused(|value| {
        value["procs"]
            .as_array_mut()
            .unwrap()
            .retain(|proc| proc["type"] != "disp_serv");
    });
    assert!(message.contains("at least one disp_serv"), "{message}");
}

#[test]
fn unknown_proc_type_is_named() {
    let message = refused(|value| value["procs"][0]["type"] = "teapot_serv".into());
    assert!(
        message.contains("unknown variant `teapot_serv`"),
        "{message}"
    );
}

#[test]
fn bad_values_are_named() {
    let message = refused(|value| value["limits"]["max_frame_bytes"] = 10.into());
    assert!(message.contains("limits.max_frame_bytes"), "{message}");
    let message = refused(|value| value["timing"]["peer_timeout_ms"] = 100.into());
    assert!(message.contains("timing.peer_timeout_ms"), "{message}");
    let message = refused(|value| value["log"]["level"] = "loud".into());
    assert!(message.contains("log.level"), "{message}");
    let message = refused(|value| value["http"]["max_per_address"] = 100_000.into());
    assert!(message.contains("http.max_per_address"), "{message}");
    let message = refused(|value| value["http"]["idle_timeout_ms"] = 1_000.into());
    assert!(message.contains("http.idle_timeout_ms"), "{message}");
    let message = refused(|value| value["http"]["stall_timeout_ms"] = 0.into());
    assert!(message.contains("http.stall_timeout_ms"), "{message}");
    let message = refused(|value| value["limits"]["client_send_queue_bytes"] = 1000.into());
    assert!(
        message.contains("limits.client_send_queue_bytes"),
        "{message}"
    );
    let message = refused(|value| value["limits"]["client_login_timeout_secs"] = 0.into());
    assert!(
        message.contains("limits.client_login_timeout_secs"),
        "{message}"
    );
    let message = refused(|value| value["redis"]["memory_alarm_percent"] = 0.into());
    assert!(message.contains("memory_alarm_percent"), "{message}");
    let message = refused(|value| value["redis"]["ack_replicas"] = 9.into());
    assert!(message.contains("ack_replicas 9"), "{message}");
    let message = refused(|value| value["redis"]["ack_timeout_ms"] = 0.into());
    assert!(message.contains("ack_timeout_ms"), "{message}");
    let message = refused(|value| value["auth"]["throttle"]["free_failures"] = 3.into());
    assert!(
        message.contains("unknown field `free_failures`"),
        "{message}"
    );
}

#[test]
fn garbage_is_refused_with_position() {
    let err = ClusterConfig::parse("{ \"procs\": [ }").unwrap_err();
    assert!(err.to_string().contains("line 1"), "{err}");
}

#[test]
fn file_and_dir_keys_are_checked() {
    let message = refused(|value| {
        let file = proc_index(value, "file_serv-2");
        value["procs"][file]["serv_index"] = 1.into();
    });
    assert!(
        message.contains("serv_index 1 is used by both"),
        "{message}"
    );
    let message = refused(|value| {
        let file = proc_index(value, "file_serv-1");
        value["procs"][file]["serv_index"] = 0.into();
    });
    assert!(message.contains("needs \"serv_index"), "{message}");
    let message = refused(|value| {
        let file = proc_index(value, "file_serv-1");
        value["procs"][file]
            .as_object_mut()
            .unwrap()
            .remove("data_dir");
    });
    assert!(message.contains("needs \"data_dir\""), "{message}");
    let message = refused(|value| {
        let logic = proc_index(value, "logic_serv-1");
        value["procs"][logic]["weight"] = 5.into();
    });
    assert!(
        message.contains("must not have \"weight\": only conn_serv"),
        "{message}"
    );
    let message = refused(|value| {
        let disp = proc_index(value, "disp_serv-1");
        value["procs"][disp]["tls"] =
            serde_json::json!({ "cert_file": "c.pem", "key_file": "k.pem" });
    });
    assert!(message.contains("must not have \"tls\""), "{message}");
    let message = refused(|value| value["files"]["key_rotation_secs"] = 60.into());
    assert!(message.contains("files.key_rotation_secs"), "{message}");
    let message = refused(|value| value["files"]["other_types"] = serde_json::json!(["pdf"]));
    assert!(message.contains("files.other_types"), "{message}");
    let message = refused(|value| value["directory"]["load_expiry_ms"] = 10.into());
    assert!(message.contains("directory.load_expiry_ms"), "{message}");
}

#[test]
fn manage_section_has_defaults_and_is_checked() {
    let config = ClusterConfig::parse(COMMITTED).unwrap();
    assert_eq!(config.manage.poll_interval_ms, 1_000);
    assert_eq!(config.manage.history_minutes, 15);
    assert!(config.manage.metrics_token_file.is_none());
    let config = edited(|value| {
        value["manage"] = serde_json::json!({
            "poll_interval_ms": 500,
            "metrics_token_file": "secrets/metrics.token"
        })
    })
    .unwrap();
    assert_eq!(config.manage.poll_interval_ms, 500);
    assert_eq!(config.manage.down_after_ms, 5_000);
    assert_eq!(
        config.manage.metrics_token_file.as_deref(),
        Some("secrets/metrics.token")
    );
    let message = refused(|value| value["manage"] = serde_json::json!({ "pol_interval_ms": 5 }));
    assert!(message.contains("pol_interval_ms"), "{message}");
    let message = refused(|value| value["manage"] = serde_json::json!({ "stale_after_ms": 500 }));
    assert!(message.contains("manage.stale_after_ms"), "{message}");
    let message = refused(|value| value["manage"] = serde_json::json!({ "down_after_ms": 3000 }));
    assert!(message.contains("manage.down_after_ms"), "{message}");
    let message = refused(|value| value["manage"] = serde_json::json!({ "history_minutes": 0 }));
    assert!(message.contains("manage.history_minutes"), "{message}");
    let message = refused(|value| value["manage"] = serde_json::json!({ "login_block_secs": 0 }));
    assert!(message.contains("manage.login_block_secs"), "{message}");
    let message =
        refused(|value| value["manage"] = serde_json::json!({ "metrics_token_file": "" }));
    assert!(message.contains("manage.metrics_token_file"), "{message}");
}

/// The committed file with two hosts, every process on `a` except
/// conn_serv-2 on `b`.
fn with_hosts(value: &mut serde_json::Value) {
    value["hosts"] = serde_json::json!({
        "a": { "address": "127.0.0.1", "root": "/srv/schat" },
        "b": { "address": "127.0.0.2", "ssh": "schat@127.0.0.2:2222", "identity": "keys/id", "root": "/srv/schat" },
    });
    for proc in value["procs"].as_array_mut().unwrap() {
        proc["host"] = "a".into();
    }
    let conn = proc_index(value, "conn_serv-2");
    value["procs"][conn]["host"] = "b".into();
}

#[test]
fn processes_listen_on_the_address_of_the_host_they_name() {
    let config = edited(with_hosts).unwrap();
    let conn = config.proc_by_name("conn_serv-2").unwrap();
    assert_eq!(conn.host, "b");
    assert_eq!(conn.addr().unwrap(), "127.0.0.2:7002");
    assert_eq!(
        config.proc_by_name("conn_serv-1").unwrap().addr().unwrap(),
        "127.0.0.1:7001"
    );
    // The file round-trips with the names, not the addresses.
    let again = ClusterConfig::parse(&serde_json::to_string(&config).unwrap()).unwrap();
    assert_eq!(again.proc_by_name("conn_serv-2").unwrap().host, "b");
    let target = super::SshTarget::parse(config.hosts["b"].ssh.as_deref().unwrap()).unwrap();
    assert_eq!(
        (target.user.as_str(), target.address.as_str(), target.port),
        ("schat", "127.0.0.2", 2222)
    );
}

#[test]
fn bad_hosts_are_named() {
    type Edit = fn(&mut serde_json::Value);
    // Each edit of the two-host file, and what the refusal must say.
    let cases: [(Edit, &str); 9] = [
        (
            |value| value["procs"][0]["host"] = "c".into(),
            "names host \"c\", which is not in hosts",
        ),
        (
            |value| value["hosts"]["b"]["root"] = "relative/dir".into(),
            "hosts.b: root \"relative/dir\" must be an absolute path",
        ),
        (
            |value| value["hosts"]["b"]["ssh"] = "127.0.0.2".into(),
            "hosts.b: ssh \"127.0.0.2\" is not user@address[:port]",
        ),
        (
            |value| value["hosts"]["b"]["ssh"] = "me@127.0.0.2:notaport".into(),
            "is not a port",
        ),
        (
            |value| value["hosts"]["a"]["identity"] = "keys/id".into(),
            "identity is only for hosts reached over ssh",
        ),
        (
            |value| {
                value["hosts"]["a"]["root"] = "/srv/other".into();
                value["hosts"]["c"] =
                    serde_json::json!({ "address": "127.0.0.3", "root": "/srv/other" });
            },
            "is also \"a\"'s on the same machine",
        ),
        (
            // The same machine by another user and port, the root with a
            // trailing slash.
            |value| {
                value["hosts"]["c"] = serde_json::json!({
                    "address": "127.0.0.2", "ssh": "other@127.0.0.2:22", "root": "/srv/schat/"
                });
            },
            "is also \"b\"'s on the same machine",
        ),
        (
            |value| value["hosts"]["a"]["supervisor"] = "upstart".into(),
            "unknown variant `upstart`",
        ),
        (
            // Two hosts on one address collide on a port like two processes do.
            |value| {
                value["hosts"]["b"]["address"] = "127.0.0.1".into();
                let conn = proc_index(value, "conn_serv-2");
                value["procs"][conn]["port"] = 7001.into();
            },
            "address 127.0.0.1:7001 is used by both",
        ),
    ];
    for (edit, expected) in cases {
        let message = refused(|value| {
            with_hosts(value);
            edit(value);
        });
        assert!(message.contains(expected), "{expected}: {message}");
    }
}

#[test]
fn process_names_that_cannot_be_file_names_are_refused() {
    for bad in ["conn serv-1", "../x", "-x", ".x", "a;b", "a%i", "a/b", ""] {
        let message = refused(|value| value["procs"][0]["name"] = bad.into());
        assert!(
            message.contains("must be letters, digits"),
            "{bad}: {message}"
        );
    }
}

#[test]
fn redis_cluster_nodes_are_checked() {
    let cluster = |value: &mut serde_json::Value| {
        let redis = value["redis"].as_object_mut().unwrap();
        redis.remove("host");
        redis.remove("port");
        redis.insert(
            "cluster_nodes".to_string(),
            serde_json::json!(["127.0.0.1:7000", "127.0.0.1:7001"]),
        );
    };
    let config = edited(cluster).unwrap();
    assert!(config.redis.is_cluster());
    assert_eq!(
        config.redis.describe(),
        "Redis Cluster 127.0.0.1:7000,127.0.0.1:7001"
    );
    // Both a server and a cluster.
    let both = refused(|value| {
        value["redis"]["cluster_nodes"] = serde_json::json!(["127.0.0.1:7000"]);
    });
    assert!(both.contains("not both"), "{both}");
    let bad_node = refused(|value| {
        cluster(value);
        value["redis"]["cluster_nodes"] = serde_json::json!(["127.0.0.1"]);
    });
    assert!(bad_node.contains("is not host:port"), "{bad_node}");
    let db = refused(|value| {
        cluster(value);
        value["redis"]["db"] = 2.into();
    });
    assert!(db.contains("only database 0"), "{db}");
}

#[test]
fn device_and_websocket_settings_are_checked() {
    for devices in [0, 33] {
        let err = refused(|value| value["auth"]["max_devices"] = devices.into());
        assert!(err.contains("auth.max_devices"), "{err}");
    }
    assert_eq!(edited(|_| {}).unwrap().auth.max_devices, 5);
    let ws_elsewhere = refused(|value| {
        let logic = proc_index(value, "logic_serv-1");
        value["procs"][logic]["ws_port"] = 7099.into();
    });
    assert!(ws_elsewhere.contains("\"ws_port\""), "{ws_elsewhere}");
    let tls_without_ws = refused(|value| {
        let conn = proc_index(value, "conn_serv-1");
        value["procs"][conn]
            .as_object_mut()
            .unwrap()
            .remove("ws_port");
        value["procs"][conn]["tls"] =
            serde_json::json!({"cert_file": "c.pem", "key_file": "c.key", "generate": true});
    });
    assert!(tls_without_ws.contains("has none"), "{tls_without_ws}");
    let config = edited(|value| {
        let conn = proc_index(value, "conn_serv-1");
        value["procs"][conn]["tls"] =
            serde_json::json!({"cert_file": "c.pem", "key_file": "c.key", "generate": true});
    })
    .unwrap();
    let conn = config.proc_by_name("conn_serv-1").unwrap();
    assert_eq!(conn.ws_url().unwrap(), "wss://127.0.0.1:7011/");
}

#[test]
fn offline_push_settings_are_checked() {
    let push = |value: &mut serde_json::Value, settings: serde_json::Value| {
        value["offline_push"] = settings;
    };
    let on = edited(|value| {
        push(
            value,
            serde_json::json!({"url": "https://gateway.example/notify", "signing_key": "0123456789abcdef"}),
        )
    })
    .unwrap();
    assert!(on.offline_push.enabled());
    assert!(!edited(|_| {}).unwrap().offline_push.enabled());
    for (settings, named) in [
        (
            serde_json::json!({"url": "http://gateway.example/notify", "signing_key": "0123456789abcdef"}),
            "must be https",
        ),
        (
            serde_json::json!({"url": "https://gateway.example/notify", "signing_key": "short"}),
            "at least 16 characters",
        ),
        (
            serde_json::json!({"url": "https://g.example/", "signing_key": "0123456789abcdef", "coalesce_secs": 0}),
            "offline_push.coalesce_secs",
        ),
        (
            serde_json::json!({"url": "https://g.example/", "signing_key": "0123456789abcdef", "queue_max": 0}),
            "offline_push.queue_max",
        ),
    ] {
        let err = refused(|value| push(value, settings));
        assert!(err.contains(named), "{named:?} not in {err}");
    }
    // Plain http only on loopback.
    let local = edited(|value| {
        push(
            value,
            serde_json::json!({"url": "http://127.0.0.1:9000/notify", "signing_key": "0123456789abcdef"}),
        )
    });
    assert!(local.is_ok());
}

#[test]
fn web_origins_are_the_dir_servs_and_the_listed_ones() {
    let config = ClusterConfig::parse(COMMITTED).expect("committed cluster.json");
    assert_eq!(
        config.web_origins(),
        ["http://127.0.0.1:7600", "http://localhost:7600"]
    );
    let config = edited(|c| {
        let dir = proc_index(c, "dir_serv-1");
        c["procs"][dir]["public"] = "https://chat.example.org/schat/".into();
        c["limits"]["web_origins"] = serde_json::json!(["https://chat.example.org"]);
    })
    .expect("valid");
    // A public URL with a path counts by its origin; a repeat once.
    assert_eq!(config.web_origins(), ["https://chat.example.org"]);
    // The former name of the setting still reads.
    let config = edited(|c| {
        let limits = c["limits"].as_object_mut().expect("limits");
        limits.remove("web_origins");
        limits.insert(
            "websocket_origins".into(),
            serde_json::json!(["http://x.example"]),
        );
    })
    .expect("valid");
    assert_eq!(config.limits.web_origins, ["http://x.example"]);
}

#[test]
fn origin_of_keeps_scheme_host_and_port() {
    assert_eq!(
        origin_of("https://a.example:8443/x/y").as_deref(),
        Some("https://a.example:8443")
    );
    assert_eq!(
        origin_of("ws://127.0.0.1:7011/").as_deref(),
        Some("ws://127.0.0.1:7011")
    );
    assert_eq!(
        origin_of("HTTPS://Chat.Example.org:443/").as_deref(),
        Some("https://chat.example.org")
    );
    assert_eq!(origin_of("http://h:80").as_deref(), Some("http://h"));
    assert_eq!(origin_of("http://h:8080").as_deref(), Some("http://h:8080"));
    for not_a_url in [
        "127.0.0.1:7001",
        "://x",
        "http://",
        "",
        "http://a b",
        "http://a;b",
        "ht-tp://a",
    ] {
        assert_eq!(origin_of(not_a_url), None, "{not_a_url}");
    }
    for bad in [
        "https://chat.example.org/",
        "HTTP://x",
        "https://x:443",
        "x",
    ] {
        let err = refused(|c| c["limits"]["web_origins"] = serde_json::json!([bad]));
        assert!(err.contains("limits.web_origins"), "{bad}: {err}");
    }
}
