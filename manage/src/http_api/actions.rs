//! The console's actions that go out to the cluster or change accounts:
//! look-ups, kicks, commands (preview and run) and API tokens, each
//! audited where it changes something.

use http::StatusCode;
use schat_proto::server::UserLookup;
use schat_runtime::http::{error, json, Response};
use serde_json::{json, Value};

use super::{query_param, Console};
use crate::accounts::Role;
use crate::auth::Principal;
use crate::commands::{self, Command, Outcome};

impl Console {
    pub(super) async fn user(&self, query: &str) -> Response {
        let lookup = match (query_param(query, "account"), query_param(query, "uid")) {
            (Some(account), None) if !account.is_empty() => UserLookup { account, uid: 0 },
            (None, Some(uid)) => match uid.parse::<u64>() {
                Ok(uid) if uid > 0 => UserLookup {
                    account: String::new(),
                    uid,
                },
                _ => return error(StatusCode::BAD_REQUEST, "uid must be a positive number"),
            },
            _ => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "give exactly one of account and uid",
                )
            }
        };
        let within = crate::current_config(&self.node).manage.command_timeout();
        match commands::user(&self.fabric, within, lookup).await {
            Ok(info) => json(
                StatusCode::OK,
                &json!({
                    "exists": info.exists,
                    "uid": info.uid,
                    "account": info.account,
                    "nickname": info.nickname,
                    "online": !info.sessions.is_empty(),
                    "sessions": info.sessions.iter().map(|s| json!({
                        "logic": s.logic, "conn": s.conn, "session_id": s.session_id,
                        "since_ms": s.since_ms, "device": s.device,
                    })).collect::<Vec<_>>(),
                }),
            ),
            Err(err) => error(StatusCode::BAD_GATEWAY, &err.to_string()),
        }
    }

    pub(super) async fn group(&self, gid: &str) -> Response {
        let Some(gid) = gid.parse::<u64>().ok().filter(|gid| *gid > 0) else {
            return error(StatusCode::BAD_REQUEST, "gid must be a positive number");
        };
        let within = crate::current_config(&self.node).manage.command_timeout();
        match commands::group(&self.fabric, within, gid).await {
            Ok(group) => json(
                StatusCode::OK,
                &json!({
                    "exists": group.exists,
                    "gid": group.gid,
                    "name": group.name,
                    "owner_uid": group.owner_uid,
                    "member_count": group.member_count,
                    "member_uids": group.member_uids,
                    "latest_seq": group.latest_seq,
                    "chat_serv": group.chat_serv,
                }),
            ),
            Err(err) => error(StatusCode::BAD_GATEWAY, &err.to_string()),
        }
    }

    pub(super) async fn kick(
        &self,
        principal: &Principal,
        from: &str,
        uid: &str,
        body: &Value,
    ) -> Response {
        let Some(uid) = uid.parse::<u64>().ok().filter(|uid| *uid > 0) else {
            return error(StatusCode::BAD_REQUEST, "uid must be a positive number");
        };
        let reason = body["reason"].as_str().unwrap_or("kicked by an operator");
        let config = crate::current_config(&self.node);
        let results = commands::kick(&self.fabric, &config, uid, reason).await;
        self.audit.record(
            &principal.name,
            from,
            "kick",
            &format!("uid:{uid}"),
            &summary(&results),
        );
        json(StatusCode::OK, &json!({ "results": results }))
    }

    pub(super) fn preview(&self, body: &Value) -> Response {
        let config = crate::current_config(&self.node);
        let pattern = body["match"].as_str().unwrap_or_default();
        if let Some(name) = body["command"].as_str() {
            if let Err(reason) = Command::parse(name, body["level"].as_str().or(Some("info"))) {
                return error(StatusCode::BAD_REQUEST, &reason);
            }
        }
        match commands::matching(&config, pattern) {
            Ok(procs) => json(
                StatusCode::OK,
                &json!({ "matched": procs.iter().map(|p| &p.name).collect::<Vec<_>>() }),
            ),
            Err(reason) => error(StatusCode::BAD_REQUEST, &reason),
        }
    }

    pub(super) async fn command(
        &self,
        principal: &Principal,
        from: &str,
        body: &Value,
    ) -> Response {
        let config = crate::current_config(&self.node);
        let command = match Command::parse(
            body["command"].as_str().unwrap_or_default(),
            body["level"].as_str(),
        ) {
            Ok(command) => command,
            Err(reason) => return error(StatusCode::BAD_REQUEST, &reason),
        };
        let pattern = body["match"].as_str().unwrap_or_default();
        let procs = match commands::matching(&config, pattern) {
            Ok(procs) if procs.is_empty() => {
                return error(StatusCode::BAD_REQUEST, "no process matches")
            }
            Ok(procs) => procs,
            Err(reason) => return error(StatusCode::BAD_REQUEST, &reason),
        };
        let results = commands::run(&self.node, &self.fabric, &config, &procs, &command).await;
        let target = match &command {
            Command::LogLevel(level) => format!("{pattern} level={level}"),
            _ => pattern.to_string(),
        };
        self.audit.record(
            &principal.name,
            from,
            &format!("command:{}", command.name()),
            &target,
            &summary(&results),
        );
        json(StatusCode::OK, &json!({ "results": results }))
    }

    pub(super) fn create_token(&self, principal: &Principal, from: &str, body: &Value) -> Response {
        let name = body["name"].as_str().unwrap_or_default();
        let Some(role) = body["role"].as_str().and_then(Role::parse) else {
            return error(StatusCode::BAD_REQUEST, "role must be admin or viewer");
        };
        let Some(ttl_secs) = body["ttl_secs"].as_u64() else {
            return error(
                StatusCode::BAD_REQUEST,
                "ttl_secs must be a number of seconds",
            );
        };
        match self
            .auth
            .accounts
            .create_token(name, role, ttl_secs, &principal.name)
        {
            Ok((record, secret)) => {
                self.audit.record(
                    &principal.name,
                    from,
                    "token_create",
                    &format!("{} ({}, {})", record.id, record.name, role.name()),
                    "ok",
                );
                json(
                    StatusCode::OK,
                    &json!({ "id": record.id, "token": secret,
                        "expires_at_ms": record.expires_at_ms }),
                )
            }
            Err(err) => error(StatusCode::BAD_REQUEST, &err.to_string()),
        }
    }
}

/// "2 done, 1 failed, 0 timeout" and the failures' reasons, for the audit log.
fn summary(results: &[Outcome]) -> String {
    let count = |outcome: &str| results.iter().filter(|r| r.outcome == outcome).count();
    let mut text = format!(
        "{} done, {} failed, {} timeout",
        count("done"),
        count("failed"),
        count("timeout")
    );
    for result in results.iter().filter(|result| !result.is_done()) {
        text.push_str(&format!("; {}: {}", result.proc, result.detail));
    }
    text
}
