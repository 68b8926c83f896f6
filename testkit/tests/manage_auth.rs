//! Who may use manage_serv's console and API: logins and sessions, CSRF
//! tokens, roles, the login throttle, idle sessions, and API tokens that
//! expire or are revoked. Every login, failure and token change audited.

use std::time::Duration;

use http::{Method, StatusCode};
use manage_serv::accounts::Accounts;
use manage_serv::accounts::Role;
use schat_testkit::manage::{add_operator, data_dir, fast_manage, Console};
use schat_testkit::{eventually, ClusterSpec, TestCluster};
use serde_json::json;

const WAIT: Duration = Duration::from_secs(20);

fn spec() -> ClusterSpec {
    let mut manage = fast_manage();
    manage.login_account_failures = 3;
    manage.login_address_failures = 100;
    ClusterSpec {
        sets: 1,
        chats: 1,
        disps: 1,
        onlines: 1,
        manages: 1,
        manage,
        ..ClusterSpec::default()
    }
}

const COMMAND: &str = "/api/v1/commands";

fn log_level() -> serde_json::Value {
    json!({ "command": "log_level", "match": "online_serv-1", "level": "debug" })
}

#[tokio::test]
async fn sessions_roles_and_csrf() -> anyhow::Result<()> {
    let cluster = TestCluster::start(spec()).await?;
    let anonymous = Console::new(&cluster, "manage_serv-1");

    // No operator yet: the API refuses and says how to create one.
    let answer = anonymous.get("/api/v1/procs").await?;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert!(
        answer.json["setup"]
            .as_str()
            .unwrap()
            .contains("operator add"),
        "{}",
        answer.json
    );
    assert_eq!(anonymous.get("/").await?.status, StatusCode::OK);

    let viewer = Console::operator(&cluster, "manage_serv-1", "watcher", Role::Viewer).await?;
    let admin = Console::operator(&cluster, "manage_serv-1", "boss", Role::Admin).await?;
    assert_eq!(
        anonymous.get("/api/v1/procs").await?.status,
        StatusCode::UNAUTHORIZED
    );
    assert!(anonymous.get("/api/v1/procs").await?.json["setup"].is_null());

    // The cookie is strict.
    let mut fresh = Console::new(&cluster, "manage_serv-1");
    let login = fresh.login("boss", "boss-password-123").await?;
    let cookie = login.response.headers["set-cookie"].to_str()?.to_string();
    assert!(cookie.starts_with("schat_console="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    assert!(
        cookie.contains("Path=/") && !cookie.contains("Secure"),
        "{cookie}"
    );
    let me = fresh.get("/api/v1/me").await?.json;
    assert_eq!(me["name"], "boss");
    assert_eq!(me["role"], "admin");
    assert_eq!(me["csrf"], login.json["csrf"]);

    // Viewers read but do not command.
    assert_eq!(viewer.get("/api/v1/procs").await?.status, StatusCode::OK);
    assert_eq!(
        viewer
            .post("/api/v1/commands/preview", log_level())
            .await?
            .status,
        StatusCode::OK
    );
    assert_eq!(
        viewer.post(COMMAND, log_level()).await?.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        viewer.post("/api/v1/users/5/kick", json!({})).await?.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        viewer.get("/api/v1/tokens").await?.status,
        StatusCode::FORBIDDEN
    );

    // A state change with the cookie needs the session's CSRF token.
    let mut missing = admin.clone();
    missing.csrf = None;
    assert_eq!(
        missing.post(COMMAND, log_level()).await?.status,
        StatusCode::FORBIDDEN
    );
    let wrong = admin
        .send(
            Method::POST,
            COMMAND,
            Some(log_level()),
            &[("x-csrf-token", "not-the-token".to_string())],
        )
        .await?;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    let other_session = admin
        .send(
            Method::POST,
            COMMAND,
            Some(log_level()),
            &[("x-csrf-token", viewer.csrf.clone().unwrap())],
        )
        .await?;
    assert_eq!(other_session.status, StatusCode::FORBIDDEN);
    assert_eq!(
        missing.post("/api/v1/logout", json!({})).await?.status,
        StatusCode::FORBIDDEN
    );
    let done = admin.post(COMMAND, log_level()).await?;
    assert_eq!(done.status, StatusCode::OK, "{}", done.json);
    assert_eq!(done.json["results"][0]["outcome"], "done");

    // Logout ends the session.
    assert_eq!(
        fresh.post("/api/v1/logout", json!({})).await?.status,
        StatusCode::OK
    );
    assert_eq!(
        fresh.get("/api/v1/me").await?.status,
        StatusCode::UNAUTHORIZED
    );

    // A new password ends the operator's sessions.
    let watcher_hash = cheap_hash("watcher-new-password").await?;
    Accounts::open(&data_dir(&cluster, "manage_serv-1"))?.set_password("watcher", watcher_hash)?;
    assert_eq!(
        viewer.get("/api/v1/me").await?.status,
        StatusCode::UNAUTHORIZED,
        "a session outlived its password"
    );

    // The page runs only its own files.
    let page = anonymous.get("/").await?;
    let csp = page
        .response
        .headers
        .get(http::header::CONTENT_SECURITY_POLICY)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(
        csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );

    let again = admin;
    let audit = again.get("/api/v1/audit?limit=100").await?.json;
    let entries = audit["entries"].as_array().unwrap();
    let has = |who: &str, action: &str| {
        entries
            .iter()
            .any(|e| e["who"] == who && e["action"] == action && e["from"] == "127.0.0.1")
    };
    assert!(has("boss", "login"));
    assert!(has("boss", "logout"));
    assert!(has("boss", "command:log_level"));
    Ok(())
}

#[tokio::test]
async fn failed_logins_are_throttled_and_audited() -> anyhow::Result<()> {
    let cluster = TestCluster::start(spec()).await?;
    add_operator(
        &cluster,
        "manage_serv-1",
        "target",
        "right-password-1",
        Role::Admin,
    )
    .await?;
    let mut console = Console::new(&cluster, "manage_serv-1");
    for _ in 0..3 {
        let answer = console.login("target", "wrong-password").await?;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    }
    // Blocked now: even the right password is refused.
    let answer = console.login("target", "right-password-1").await?;
    assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(answer.response.headers.contains_key("retry-after"));
    // Another account is not blocked.
    add_operator(
        &cluster,
        "manage_serv-1",
        "other",
        "other-password-1",
        Role::Viewer,
    )
    .await?;
    let mut other = Console::new(&cluster, "manage_serv-1");
    assert_eq!(
        other.login("other", "other-password-1").await?.status,
        StatusCode::OK
    );
    let audit = other.get("/api/v1/audit?limit=100").await?.json;
    let entries = audit["entries"].as_array().unwrap();
    let failures = entries
        .iter()
        .filter(|e| e["who"] == "target" && e["action"] == "login_failed")
        .count();
    assert_eq!(failures, 4);
    assert!(entries.iter().any(|e| e["who"] == "target"
        && e["result"]
            .as_str()
            .unwrap_or_default()
            .starts_with("throttled")));

    // Refusals while blocked are not audited one by one: only the attempt
    // that began the block was.
    for _ in 0..5 {
        let answer = console.login("target", "wrong-password").await?;
        assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS);
    }
    let audit = other.get("/api/v1/audit?limit=100").await?.json;
    let failures = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["who"] == "target" && e["action"] == "login_failed")
        .count();
    assert_eq!(failures, 4, "refused attempts were audited one by one");

    // A name of any length is audited clipped.
    let long = "n".repeat(10_000);
    console.login(&long, "wrong-password").await?;
    let audit = other.get("/api/v1/audit?limit=5").await?.json;
    let newest = audit["entries"][0]["who"].as_str().unwrap_or_default();
    assert!(
        newest.starts_with("nnn") && newest.chars().count() <= 65,
        "{newest}"
    );
    assert!(
        !audit.to_string().contains("wrong-password"),
        "a password in the audit log"
    );
    Ok(())
}

#[tokio::test]
async fn api_tokens_work_until_expired_or_revoked() -> anyhow::Result<()> {
    let cluster = TestCluster::start(spec()).await?;
    let admin = Console::operator(&cluster, "manage_serv-1", "boss", Role::Admin).await?;
    let created = admin
        .post(
            "/api/v1/tokens",
            json!({ "name": "ci", "role": "admin", "ttl_secs": 3600 }),
        )
        .await?;
    assert_eq!(created.status, StatusCode::OK, "{}", created.json);
    let secret = created.json["token"].as_str().unwrap().to_string();
    let id = created.json["id"].as_str().unwrap().to_string();

    let mut script = Console::new(&cluster, "manage_serv-1");
    script.bearer = Some(secret.clone());
    // A bearer needs no CSRF token.
    let answer = script.post(COMMAND, log_level()).await?;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json);
    let listed = admin.get("/api/v1/tokens").await?;
    let text = listed.json.to_string();
    assert!(text.contains(&id) && !text.contains(&secret), "{text}");

    let viewer_token = admin
        .post(
            "/api/v1/tokens",
            json!({ "name": "grafana", "role": "viewer", "ttl_secs": 3600 }),
        )
        .await?;
    let mut reader = Console::new(&cluster, "manage_serv-1");
    reader.bearer = viewer_token.json["token"].as_str().map(str::to_string);
    assert_eq!(reader.get("/api/v1/procs").await?.status, StatusCode::OK);
    assert_eq!(
        reader.post(COMMAND, log_level()).await?.status,
        StatusCode::FORBIDDEN
    );

    let revoked = admin.delete(&format!("/api/v1/tokens/{id}")).await?;
    assert_eq!(revoked.status, StatusCode::OK);
    assert_eq!(
        script.get("/api/v1/procs").await?.status,
        StatusCode::UNAUTHORIZED
    );

    let short = admin
        .post(
            "/api/v1/tokens",
            json!({ "name": "short", "role": "admin", "ttl_secs": 5 }),
        )
        .await?;
    let mut brief = Console::new(&cluster, "manage_serv-1");
    brief.bearer = short.json["token"].as_str().map(str::to_string);
    assert_eq!(brief.get("/api/v1/procs").await?.status, StatusCode::OK);
    let expired = eventually(WAIT, || async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        brief
            .get("/api/v1/procs")
            .await
            .is_ok_and(|answer| answer.status == StatusCode::UNAUTHORIZED)
    })
    .await;
    assert!(expired, "an expired token still works");
    let mut forged = Console::new(&cluster, "manage_serv-1");
    forged.bearer = Some("smt_forged".to_string());
    assert_eq!(
        forged.get("/api/v1/procs").await?.status,
        StatusCode::UNAUTHORIZED
    );

    let audit = admin.get("/api/v1/audit?limit=100").await?.json;
    let entries = audit["entries"].as_array().unwrap();
    assert!(entries
        .iter()
        .any(|e| e["action"] == "token_create" && e["who"] == "boss"));
    assert!(entries.iter().any(|e| e["action"] == "token_revoke"));
    assert!(entries
        .iter()
        .any(|e| e["action"] == "command:log_level" && e["who"] == "token:ci"));
    Ok(())
}

#[tokio::test]
async fn the_console_over_https_sets_a_secure_cookie() -> anyhow::Result<()> {
    let cluster = TestCluster::start(ClusterSpec {
        http_tls: true,
        ..spec()
    })
    .await?;
    let url = cluster.http_url("manage_serv-1");
    assert!(url.starts_with("https://"), "{url}");

    let mut admin = Console::new(&cluster, "manage_serv-1");
    add_operator(
        &cluster,
        "manage_serv-1",
        "tls-admin",
        "tls-admin-password",
        Role::Admin,
    )
    .await?;
    let login = admin.login("tls-admin", "tls-admin-password").await?;
    assert_eq!(login.status, StatusCode::OK, "{}", login.json);
    let cookie = login
        .response
        .headers
        .get(http::header::SET_COOKIE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_string();
    for flag in ["HttpOnly", "SameSite=Strict", "Secure"] {
        assert!(cookie.contains(flag), "{flag} missing from {cookie}");
    }
    assert_eq!(admin.get("/api/v1/me").await?.json["name"], "tls-admin");
    let metrics = admin.get("/metrics").await?;
    assert_eq!(metrics.status, StatusCode::OK);

    // Plain HTTP to the TLS port gets no console.
    let plain = schat_client::HttpClient::default()
        .send(
            Method::GET,
            &format!("{}/metrics", url.replacen("https://", "http://", 1)),
            &[],
            Default::default(),
        )
        .await;
    assert!(
        plain.is_err() || plain.is_ok_and(|answer| answer.status != StatusCode::OK),
        "plain HTTP was served"
    );
    Ok(())
}

/// An argon2id hash made cheaply, for a password changed behind the
/// console's back (as `manage_serv operator passwd` does).
async fn cheap_hash(password: &str) -> anyhow::Result<String> {
    let params = schat_runtime::config::AuthConfig {
        argon2_memory_kib: 64,
        argon2_iterations: 1,
        ..Default::default()
    };
    let passwords = schat_runtime::password::Passwords::new(&params)?;
    Ok(passwords.hash(password.to_string()).await?)
}

#[tokio::test]
async fn idle_sessions_end() -> anyhow::Result<()> {
    let mut manage = fast_manage();
    manage.session_idle_secs = 2;
    let cluster = TestCluster::start(ClusterSpec { manage, ..spec() }).await?;
    let idle = Console::operator(&cluster, "manage_serv-1", "sleepy", Role::Viewer).await?;
    assert_eq!(idle.get("/api/v1/me").await?.status, StatusCode::OK);
    // Any request would keep the session alive, so this lets the idle time
    // pass without asking: the passing of time is what is tested.
    tokio::time::sleep(Duration::from_millis(3_000)).await;
    assert_eq!(
        idle.get("/api/v1/me").await?.status,
        StatusCode::UNAUTHORIZED,
        "an idle session did not expire"
    );
    Ok(())
}
