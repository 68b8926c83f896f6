//! Cross-entry checks of a parsed cluster file.

use std::collections::{HashMap, HashSet};

use super::{ClusterConfig, ConfigError, HttpConfig, ManageConfig, ProcConfig, ProcKind, SET_KEYS};

pub(super) fn topology(config: &ClusterConfig) -> Result<(), ConfigError> {
    if config.procs.is_empty() {
        return Err(ConfigError::NoProcs);
    }
    let mut ids: HashMap<u32, &str> = HashMap::new();
    let mut names: HashSet<&str> = HashSet::new();
    let mut addrs: HashMap<String, &str> = HashMap::new();
    let redis_addr = format!("{}:{}", config.redis.host, config.redis.port);
    for proc in &config.procs {
        if proc.id == 0 {
            return Err(ConfigError::ZeroId {
                name: proc.name.clone(),
            });
        }
        if let Some(first) = ids.insert(proc.id, &proc.name) {
            return Err(ConfigError::DuplicateId {
                id: proc.id,
                first: first.to_string(),
                second: proc.name.clone(),
            });
        }
        // Names become file names, service and unit names on hosts.
        let mut chars = proc.name.chars();
        let first_ok = chars
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
        if !first_ok || !chars.all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)) {
            return Err(ConfigError::BadName {
                name: proc.name.clone(),
            });
        }
        if !names.insert(&proc.name) {
            return Err(ConfigError::DuplicateName {
                name: proc.name.clone(),
            });
        }
        let kind = proc.kind.name();
        match (proc.kind.needs_port(), proc.addr()) {
            (true, None) => {
                return Err(ConfigError::MissingPort {
                    name: proc.name.clone(),
                    kind,
                })
            }
            (false, Some(_)) => {
                return Err(ConfigError::UnexpectedPort {
                    name: proc.name.clone(),
                    kind,
                })
            }
            // Port 0 means "any free port" and is only used by tests.
            (true, Some(addr)) if proc.port != Some(0) => {
                claim_addr(&mut addrs, &redis_addr, addr, &proc.name)?;
            }
            (true, Some(_)) | (false, None) => {}
        }
        // A conn_serv's WebSocket port is an address like any other.
        if let Some(addr) = proc.ws_addr().filter(|_| proc.ws_port != Some(0)) {
            claim_addr(&mut addrs, &redis_addr, addr, &proc.name)?;
        }
        set_keys(config, proc)?;
        kind_keys(proc)?;
    }
    let mut indexes: HashMap<u32, &str> = HashMap::new();
    for proc in config.procs_of(ProcKind::FileServ) {
        let index = proc.serv_index.unwrap_or_default();
        if let Some(first) = indexes.insert(index, &proc.name) {
            return Err(ConfigError::DuplicateServIndex {
                index,
                first: first.to_string(),
                second: proc.name.clone(),
            });
        }
    }
    for leader in &config.procs {
        for &kind in leader.kind.set_members() {
            let mut members = config
                .procs_of(kind)
                .filter(|proc| names_leader(proc, leader));
            let Some(first) = members.next() else {
                return Err(ConfigError::SetWithout {
                    leader: leader.name.clone(),
                    leader_kind: leader.kind.name(),
                    kind: kind.name(),
                });
            };
            if let Some(second) = members.next() {
                return Err(ConfigError::SetSharedBy {
                    leader: leader.name.clone(),
                    leader_kind: leader.kind.name(),
                    kind: kind.name(),
                    first: first.name.clone(),
                    second: second.name.clone(),
                });
            }
        }
    }
    let has = |kind| config.procs_of(kind).next().is_some();
    for (needing, needs) in [
        (ProcKind::LogicServ, "logic_servs"),
        (ProcKind::ChatServ, "chat_servs"),
        (ProcKind::FileServ, "file_servs"),
        (ProcKind::DirServ, "dir_servs"),
    ] {
        if !has(needing) {
            continue;
        }
        for kind in [ProcKind::DispServ, ProcKind::OnlineServ] {
            if !has(kind) {
                return Err(ConfigError::MissingKind {
                    needs,
                    kind: kind.name(),
                });
            }
        }
    }
    if has(ProcKind::OnlineServ) && !has(ProcKind::DispServ) {
        return Err(ConfigError::MissingKind {
            needs: "online_servs",
            kind: "disp_serv",
        });
    }
    Ok(())
}

/// A process's set keys: present exactly where its kind needs one, and
/// naming a process of the right kind.
fn set_keys(config: &ClusterConfig, proc: &ProcConfig) -> Result<(), ConfigError> {
    let kind = proc.kind.name();
    let leader = proc.kind.set_leader();
    for key in SET_KEYS {
        let value = proc.set_key(key);
        match (leader, value) {
            (Some((needed, leader_kind)), None) if needed == key => {
                return Err(ConfigError::MissingSetKey {
                    name: proc.name.clone(),
                    kind,
                    key,
                    leader_kind: leader_kind.name(),
                })
            }
            (Some((needed, leader_kind)), Some(name)) if needed == key => {
                let exists = config
                    .procs
                    .iter()
                    .any(|other| other.name == *name && other.kind == leader_kind);
                if !exists {
                    return Err(ConfigError::UnknownLeader {
                        name: proc.name.clone(),
                        key,
                        leader: name.clone(),
                        leader_kind: leader_kind.name(),
                    });
                }
            }
            (_, Some(_)) => {
                return Err(ConfigError::UnexpectedSetKey {
                    name: proc.name.clone(),
                    kind,
                    key,
                })
            }
            (_, None) => {}
        }
    }
    Ok(())
}

/// Keys only some kinds take: present only there, and required where the
/// kind cannot work without them.
fn kind_keys(proc: &ProcConfig) -> Result<(), ConfigError> {
    let kind = proc.kind;
    let unexpected = |key, only| ConfigError::UnexpectedKey {
        name: proc.name.clone(),
        kind: kind.name(),
        key,
        only,
    };
    let is_file = kind == ProcKind::FileServ;
    let has_data = matches!(kind, ProcKind::FileServ | ProcKind::ManageServ);
    let is_http = matches!(
        kind,
        ProcKind::FileServ | ProcKind::DirServ | ProcKind::ManageServ
    );
    if !is_file && proc.serv_index.is_some() {
        return Err(unexpected("serv_index", "file_serv"));
    }
    if !has_data && proc.data_dir.is_some() {
        return Err(unexpected("data_dir", "file_serv and manage_serv"));
    }
    if kind != ProcKind::ConnServ && proc.weight.is_some() {
        return Err(unexpected("weight", "conn_serv"));
    }
    if kind != ProcKind::ConnServ && proc.ws_port.is_some() {
        return Err(unexpected("ws_port", "conn_serv"));
    }
    if !is_http && kind != ProcKind::ConnServ && proc.tls.is_some() {
        return Err(unexpected(
            "tls",
            "file_serv, dir_serv, manage_serv and conn_serv (for its ws_port)",
        ));
    }
    if kind == ProcKind::ConnServ && proc.tls.is_some() && proc.ws_port.is_none() {
        return Err(ConfigError::Value {
            field: "tls",
            problem: format!(
                "{:?}: a conn_serv's tls serves its ws_port (wss), and it has none",
                proc.name
            ),
        });
    }
    if !is_http && kind != ProcKind::ConnServ && proc.public.is_some() {
        return Err(unexpected("public", "conn_serv and the HTTP servers"));
    }
    let needs = |key| ConfigError::KindNeeds {
        name: proc.name.clone(),
        kind: kind.name(),
        key,
    };
    if is_file && matches!(proc.serv_index, None | Some(0)) {
        return Err(needs("serv_index (1 or more)"));
    }
    if has_data && proc.data_dir.as_deref().is_none_or(str::is_empty) {
        return Err(needs("data_dir"));
    }
    Ok(())
}

/// Whether `proc` names `leader` as the leader of its set.
fn names_leader(proc: &ProcConfig, leader: &ProcConfig) -> bool {
    proc.kind
        .set_leader()
        .and_then(|(key, _)| proc.set_key(key))
        .is_some_and(|name| *name == leader.name)
}

/// `field` (`value`) must be greater than `other` (`than`).
fn must_exceed(
    field: &'static str,
    value: u64,
    other: &'static str,
    than: u64,
) -> Result<(), ConfigError> {
    if value > than {
        return Ok(());
    }
    Err(ConfigError::Value {
        field,
        problem: format!("{value} must exceed {other} ({than})"),
    })
}

pub(super) fn values(config: &ClusterConfig) -> Result<(), ConfigError> {
    let redis = &config.redis;
    if !redis.is_cluster() {
        if redis.host.is_empty() {
            return Err(ConfigError::Redis(
                "host is empty (give host and port, or cluster_nodes)".to_string(),
            ));
        }
        if redis.port == 0 {
            return Err(ConfigError::Redis("port must not be 0".to_string()));
        }
    } else {
        if !redis.host.is_empty() || redis.port != 0 {
            return Err(ConfigError::Redis(
                "give host and port (one server) or cluster_nodes (a Redis Cluster), not both"
                    .to_string(),
            ));
        }
        if redis.db != 0 {
            return Err(ConfigError::Redis(format!(
                "db {} with cluster_nodes: a Redis Cluster has only database 0",
                redis.db
            )));
        }
        for node in &redis.cluster_nodes {
            let valid = node.rsplit_once(':').is_some_and(|(host, port)| {
                !host.is_empty() && port.parse::<u16>().is_ok_and(|port| port != 0)
            });
            if !valid {
                return Err(ConfigError::Redis(format!(
                    "cluster node {node:?} is not host:port"
                )));
            }
        }
    }
    if config.redis.ack_replicas > 5 {
        return Err(ConfigError::Redis(format!(
            "ack_replicas {} is outside 0..=5",
            config.redis.ack_replicas
        )));
    }
    if !(10..=60_000).contains(&config.redis.ack_timeout_ms) {
        return Err(ConfigError::Redis(format!(
            "ack_timeout_ms {} is outside 10..=60000",
            config.redis.ack_timeout_ms
        )));
    }
    if !(1..=100).contains(&config.redis.memory_alarm_percent) {
        return Err(ConfigError::Redis(format!(
            "memory_alarm_percent {} is outside 1..=100",
            config.redis.memory_alarm_percent
        )));
    }
    let limits = &config.limits;
    for origin in &limits.web_origins {
        if super::origin_of(origin).as_ref() != Some(origin) {
            return Err(ConfigError::Value {
                field: "limits.web_origins",
                problem: format!(
                    "{origin:?} is not an origin as browsers send it: scheme://host[:port], \
                     lower case, no path, no default port"
                ),
            });
        }
    }
    if !(1024..=16 * 1024 * 1024).contains(&limits.max_frame_bytes) {
        return Err(ConfigError::Value {
            field: "limits.max_frame_bytes",
            problem: format!("{} is outside 1024..=16777216", limits.max_frame_bytes),
        });
    }
    for (field, value) in [
        ("limits.max_connections", limits.max_connections),
        ("limits.client_send_queue", limits.client_send_queue),
        ("limits.peer_send_queue", limits.peer_send_queue),
    ] {
        if value == 0 {
            return Err(ConfigError::Value {
                field,
                problem: "must be at least 1".to_string(),
            });
        }
    }
    if limits.client_send_queue_bytes < 2 * limits.max_frame_bytes {
        return Err(ConfigError::Value {
            field: "limits.client_send_queue_bytes",
            problem: format!(
                "{} must hold at least two frames of limits.max_frame_bytes ({})",
                limits.client_send_queue_bytes, limits.max_frame_bytes
            ),
        });
    }
    if limits.client_login_timeout_secs == 0 {
        return Err(ConfigError::Value {
            field: "limits.client_login_timeout_secs",
            problem: "must be at least 1".to_string(),
        });
    }
    if limits.client_idle_timeout_secs == 0 {
        return Err(ConfigError::Value {
            field: "limits.client_idle_timeout_secs",
            problem: "must be at least 1".to_string(),
        });
    }
    let timing = &config.timing;
    must_exceed(
        "timing.peer_timeout_ms",
        timing.peer_timeout_ms,
        "timing.peer_heartbeat_ms",
        timing.peer_heartbeat_ms,
    )?;
    must_exceed(
        "timing.presence_expiry_ms",
        timing.presence_expiry_ms,
        "timing.presence_beat_ms",
        timing.presence_beat_ms,
    )?;
    for (field, value) in [
        ("timing.peer_heartbeat_ms", timing.peer_heartbeat_ms),
        ("timing.presence_beat_ms", timing.presence_beat_ms),
        ("timing.request_timeout_ms", timing.request_timeout_ms),
        ("timing.reconnect_max_ms", timing.reconnect_max_ms),
        ("auth.token_ttl_secs", config.auth.token_ttl_secs),
    ] {
        if value == 0 {
            return Err(ConfigError::Value {
                field,
                problem: "must be at least 1".to_string(),
            });
        }
    }
    let chat = &config.chat;
    for (field, value) in [
        ("chat.default_member_cap", chat.default_member_cap),
        ("chat.owner_group_cap", chat.owner_group_cap),
        ("chat.user_group_cap", chat.user_group_cap),
        ("chat.group_queue_max", chat.group_queue_max),
    ] {
        if value == 0 {
            return Err(ConfigError::Value {
                field,
                problem: "must be at least 1".to_string(),
            });
        }
    }
    if chat.default_member_cap > chat.max_member_cap {
        return Err(ConfigError::Value {
            field: "chat.default_member_cap",
            problem: format!(
                "{} exceeds chat.max_member_cap ({})",
                chat.default_member_cap, chat.max_member_cap
            ),
        });
    }
    if chat.max_message_bytes == 0 || chat.max_message_bytes + 1024 > limits.max_frame_bytes {
        return Err(ConfigError::Value {
            field: "chat.max_message_bytes",
            problem: format!(
                "{} must be at least 1 and leave 1024 bytes of limits.max_frame_bytes ({})",
                chat.max_message_bytes, limits.max_frame_bytes
            ),
        });
    }
    let auth = &config.auth;
    if auth.argon2_memory_kib < 8 * auth.argon2_lanes.max(1)
        || auth.argon2_iterations == 0
        || auth.argon2_lanes == 0
    {
        return Err(ConfigError::Value {
            field: "auth.argon2_*",
            problem: "argon2 needs iterations >= 1, lanes >= 1 and memory >= 8 KiB per lane"
                .to_string(),
        });
    }
    if !(1..=super::MAX_DEVICES_LIMIT).contains(&auth.max_devices) {
        return Err(ConfigError::Value {
            field: "auth.max_devices",
            problem: format!(
                "{} must be 1 to {}",
                auth.max_devices,
                super::MAX_DEVICES_LIMIT
            ),
        });
    }
    offline_push(&config.offline_push)?;
    let files = &config.files;
    for (field, value) in [
        ("files.max_upload_bytes", files.max_upload_bytes),
        ("files.token_ttl_secs", files.token_ttl_secs),
        ("files.sweep_interval_secs", files.sweep_interval_secs),
        ("directory.load_report_ms", config.directory.load_report_ms),
    ] {
        if value == 0 {
            return Err(ConfigError::Value {
                field,
                problem: "must be at least 1".to_string(),
            });
        }
    }
    if files.key_rotation_secs < files.token_ttl_secs {
        return Err(ConfigError::Value {
            field: "files.key_rotation_secs",
            problem: format!(
                "{} must be at least files.token_ttl_secs ({}): a token must outlive at most one rotation",
                files.key_rotation_secs, files.token_ttl_secs
            ),
        });
    }
    if config.directory.load_expiry_ms <= config.directory.load_report_ms {
        return Err(ConfigError::Value {
            field: "directory.load_expiry_ms",
            problem: format!(
                "{} must exceed directory.load_report_ms ({})",
                config.directory.load_expiry_ms, config.directory.load_report_ms
            ),
        });
    }
    if let Some(bad) = files.other_types.iter().find(|mime| !mime.contains('/')) {
        return Err(ConfigError::Value {
            field: "files.other_types",
            problem: format!("{bad:?} is not a MIME type like \"application/pdf\""),
        });
    }
    http(&config.http)?;
    manage(&config.manage)?;
    if crate::logging::parse_level(&config.log.level).is_none() {
        return Err(ConfigError::Value {
            field: "log.level",
            problem: format!(
                "{:?} is not one of trace, debug, info, warn, error",
                config.log.level
            ),
        });
    }
    if let Some(proc) = config.procs.iter().find(|proc| {
        proc.log
            .as_deref()
            .is_some_and(|level| crate::logging::parse_level(level).is_none())
    }) {
        return Err(ConfigError::ProcLogLevel {
            name: proc.name.clone(),
            level: proc.log.clone().unwrap_or_default(),
        });
    }
    Ok(())
}

fn http(http: &HttpConfig) -> Result<(), ConfigError> {
    for (field, value) in [
        ("http.max_connections", http.max_connections as u64),
        ("http.max_per_address", http.max_per_address as u64),
        ("http.header_timeout_ms", http.header_timeout_ms),
        ("http.stall_timeout_ms", http.stall_timeout_ms),
    ] {
        if value == 0 {
            return Err(ConfigError::Value {
                field,
                problem: "must be at least 1".to_string(),
            });
        }
    }
    if http.max_per_address > http.max_connections {
        return Err(ConfigError::Value {
            field: "http.max_per_address",
            problem: format!(
                "{} exceeds http.max_connections ({})",
                http.max_per_address, http.max_connections
            ),
        });
    }
    if http.idle_timeout_ms < http.header_timeout_ms {
        return Err(ConfigError::Value {
            field: "http.idle_timeout_ms",
            problem: format!(
                "{} is below http.header_timeout_ms ({}): a kept-alive connection gets at least as long for its next request as a new one for its first",
                http.idle_timeout_ms, http.header_timeout_ms
            ),
        });
    }
    Ok(())
}

fn manage(manage: &ManageConfig) -> Result<(), ConfigError> {
    for (field, value) in [
        ("manage.session_idle_secs", manage.session_idle_secs),
        (
            "manage.login_account_failures",
            manage.login_account_failures.into(),
        ),
        (
            "manage.login_address_failures",
            manage.login_address_failures.into(),
        ),
        ("manage.login_block_secs", manage.login_block_secs),
        ("manage.redis_p99_alarm_ms", manage.redis_p99_alarm_ms),
        ("manage.command_timeout_ms", manage.command_timeout_ms),
    ] {
        if value == 0 {
            return Err(ConfigError::Value {
                field,
                problem: "must be at least 1".to_string(),
            });
        }
    }
    if manage.poll_interval_ms < 100 {
        return Err(ConfigError::Value {
            field: "manage.poll_interval_ms",
            problem: format!("{} is below 100", manage.poll_interval_ms),
        });
    }
    must_exceed(
        "manage.stale_after_ms",
        manage.stale_after_ms,
        "manage.poll_interval_ms",
        manage.poll_interval_ms,
    )?;
    must_exceed(
        "manage.down_after_ms",
        manage.down_after_ms,
        "manage.stale_after_ms",
        manage.stale_after_ms,
    )?;
    if !(1..=1440).contains(&manage.history_minutes) {
        return Err(ConfigError::Value {
            field: "manage.history_minutes",
            problem: format!("{} is outside 1..=1440", manage.history_minutes),
        });
    }
    if manage.metrics_token_file.as_deref() == Some("") {
        return Err(ConfigError::Value {
            field: "manage.metrics_token_file",
            problem: "is empty: leave it out for an open /metrics".to_string(),
        });
    }
    Ok(())
}

fn offline_push(push: &super::OfflinePushConfig) -> Result<(), ConfigError> {
    if !push.enabled() {
        return Ok(());
    }
    let bad = |field: &'static str, problem: String| Err(ConfigError::Value { field, problem });
    let Ok(uri) = push.url.parse::<http::Uri>() else {
        return bad("offline_push.url", format!("{:?} is not a URL", push.url));
    };
    let loopback = uri.host().is_some_and(|host| {
        host == "localhost"
            || host
                .trim_matches(|c| c == '[' || c == ']')
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    });
    match uri.scheme_str() {
        Some("https") => {}
        Some("http") if loopback => {}
        _ => {
            return bad(
                "offline_push.url",
                format!(
                    "{:?} must be https (http only on a loopback address)",
                    push.url
                ),
            )
        }
    }
    if push.signing_key.chars().count() < 16 {
        return bad(
            "offline_push.signing_key",
            "must be at least 16 characters".to_string(),
        );
    }
    for (field, value, range) in [
        ("offline_push.coalesce_secs", push.coalesce_secs, 1..=3_600),
        (
            "offline_push.batch_max",
            u64::from(push.batch_max),
            1..=1_000,
        ),
        (
            "offline_push.queue_max",
            u64::from(push.queue_max),
            1..=1_000_000,
        ),
        ("offline_push.retries", u64::from(push.retries), 0..=20),
        ("offline_push.timeout_ms", push.timeout_ms, 100..=60_000),
    ] {
        if !range.contains(&value) {
            return bad(
                field,
                format!("{value} is outside {}..={}", range.start(), range.end()),
            );
        }
    }
    Ok(())
}

/// Records that `name` listens on `addr`; refused when Redis or another
/// process listens there.
fn claim_addr<'a>(
    addrs: &mut HashMap<String, &'a str>,
    redis_addr: &str,
    addr: String,
    name: &'a str,
) -> Result<(), ConfigError> {
    let first = if addr == redis_addr {
        Some("redis")
    } else {
        addrs.insert(addr.clone(), name)
    };
    match first {
        Some(first) => Err(ConfigError::DuplicateAddr {
            addr,
            first: first.to_string(),
            second: name.to_string(),
        }),
        None => Ok(()),
    }
}
