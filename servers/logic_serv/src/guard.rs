//! The throttle on password logins and registrations (`auth.throttle`):
//! asks db_logic_serv, which keeps the counts in Redis for every logic.
//! A refusal is RATE_LIMITED with the wait in the reason.

use std::net::{IpAddr, SocketAddr};

use schat_proto::client::ResultCode;
use schat_proto::server::{auth_guard::Op, AuthGuard};
use schat_runtime::time::now_ms;

use crate::context::Logic;
use schat_runtime::Failure;

/// The address a session is throttled by: its client address (an IPv6
/// /64), or none for loopback unless `auth.throttle.on_loopback`.
pub fn address_of(logic: &Logic, peer: Option<IpAddr>) -> String {
    match peer {
        Some(ip) if !ip.is_loopback() || logic.config.current().auth.throttle.on_loopback => {
            schat_runtime::http::client_address(ip).to_string()
        }
        _ => String::new(),
    }
}

/// Parses the peer address conn_serv sends with a connection's frames.
pub fn parse_peer(peer: &str) -> Option<IpAddr> {
    peer.parse::<SocketAddr>().ok().map(|addr| addr.ip())
}

async fn ask(logic: &Logic, op: Op, account: &str, address: &str) -> Result<u64, Failure> {
    let guard = AuthGuard {
        op: op as i32,
        account: account.to_string(),
        address: address.to_string(),
        now_ms: now_ms(),
    };
    Ok(logic.db(guard).await?.retry_after_ms)
}

fn refused(what: &str, wait_ms: u64) -> Failure {
    let secs = wait_ms.div_ceil(1000).max(1);
    Failure::new(
        ResultCode::RateLimited,
        format!("{what}; retry in {secs} s"),
    )
}

/// Refuses a password login while the account or the address backs off.
pub async fn check_login(logic: &Logic, account: &str, address: &str) -> Result<(), Failure> {
    match ask(logic, Op::CheckLogin, account, address).await? {
        0 => Ok(()),
        wait => Err(refused("too many failed logins", wait)),
    }
}

/// Counts a failed password login against the account and the address.
pub async fn login_failed(logic: &Logic, account: &str, address: &str) -> Result<(), Failure> {
    ask(logic, Op::LoginFailed, account, address)
        .await
        .map(drop)
}

/// Forgives the account's failures after a successful login.
pub async fn login_ok(logic: &Logic, account: &str) -> Result<(), Failure> {
    ask(logic, Op::LoginOk, account, "").await.map(drop)
}

/// Counts a registration from the address, or refuses it when the address
/// is at its limit.
pub async fn reserve_registration(logic: &Logic, address: &str) -> Result<(), Failure> {
    match ask(logic, Op::ReserveRegistration, "", address).await? {
        0 => Ok(()),
        wait => Err(refused("too many registrations from your address", wait)),
    }
}

/// Uncounts a registration that failed.
pub async fn release_registration(logic: &Logic, address: &str) -> Result<(), Failure> {
    ask(logic, Op::ReleaseRegistration, "", address)
        .await
        .map(drop)
}
