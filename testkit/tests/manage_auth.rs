//! Who may use manage_serv's console and API: logins and sessions, CSRF
//! tokens, roles, the login throttle (per name and address, parallel
//! attempts included), sessions and event streams that end (idle, new
//! password, operator removed, token revoked), settings a reload applies,
//! and API tokens that expire or are revoked. Every login, failure and
//! token change audited, without letting a flood grow the log.

use std::time::Duration;

use http::{Method, StatusCode};
use manage_serv::accounts::Accounts;
use manage_serv::accounts::Role;
use schat_testkit::manage::{add_operator, data_dir, fast_manage, login_from, Console};
use schat_testkit::{eventually, ClusterSpec, TestCluster};
use serde_json::json;

const WAIT: Duration = Duration::from_secs(20);

fn spec() -> ClusterSpec {
    let mut manage = fast_manage();
    manage.login_account_failures = 3;
    manage.login_address_failures = 100;
    // Generous: a loaded machine must not idle a session out mid-test
    // (the idle test sets a short time by a reload).
    manage.session_idle_secs = 600;
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
    let page = anonymous.get("/").await?;
    assert_eq!(page.status, StatusCode::OK);
    for answer in [&page, &answer] {
        let csp = answer.response.headers["content-security-policy"].to_str()?;
        assert!(
            csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"),
            "{csp}"
        );
        assert!(!answer
            .response
            .headers
            .contains_key("strict-transport-security"));
    }

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

    let audit = admin.get("/api/v1/audit?limit=100").await?.json;
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
    // Blocked from this address now: even the right password is refused.
    let answer = console.login("target", "right-password-1").await?;
    assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(answer.response.headers.contains_key("retry-after"));
    // A flood of refused attempts is audited once.
    for _ in 0..20 {
        let answer = console.login("target", "wrong-password").await?;
        assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS);
    }
    // The operator, from another address, still gets in: guesses from
    // elsewhere do not lock an account.
    assert_eq!(
        login_from(
            &cluster,
            "manage_serv-1",
            "127.0.0.2",
            "target",
            "right-password-1"
        )
        .await?,
        StatusCode::OK
    );

    // Attempts sent at once are counted before their passwords are
    // checked: no more than the limit are checked.
    add_operator(
        &cluster,
        "manage_serv-1",
        "racer",
        "racer-password-1",
        Role::Viewer,
    )
    .await?;
    let racing = (0..12).map(|_| async {
        let mut console = Console::new(&cluster, "manage_serv-1");
        console
            .login("racer", "wrong-password")
            .await
            .map(|answer| answer.status)
    });
    let statuses = futures_util::future::join_all(racing).await;
    let checked = statuses
        .iter()
        .filter(|status| matches!(status, Ok(StatusCode::UNAUTHORIZED)))
        .count();
    assert!(checked <= 3, "{checked} attempts checked: {statuses:?}");
    assert!(statuses.iter().all(|status| matches!(
        status,
        Ok(StatusCode::UNAUTHORIZED | StatusCode::TOO_MANY_REQUESTS)
    )));

    // A name of any length is recorded as "(invalid)", not as sent.
    let long = "n".repeat(60_000);
    assert_eq!(
        console.login(&long, "whatever").await?.status,
        StatusCode::UNAUTHORIZED
    );

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
    let audit = other.get("/api/v1/audit?limit=1000").await?.json;
    let entries = audit["entries"].as_array().unwrap();
    let failures = |result: &str| {
        entries
            .iter()
            .filter(|e| {
                e["who"] == "target" && e["action"] == "login_failed" && e["result"] == result
            })
            .count()
    };
    assert_eq!(failures("bad credentials"), 3);
    assert_eq!(failures("throttled"), 1, "{audit}");
    assert!(entries
        .iter()
        .any(|e| e["who"] == "target" && e["action"] == "login" && e["from"] == "127.0.0.2"));
    assert!(entries
        .iter()
        .any(|e| e["who"] == "(invalid)" && e["action"] == "login_failed"));
    let text = audit.to_string();
    assert!(!text.contains(&long[..100]), "a typed name kept whole");
    assert!(
        !text.contains("wrong-password"),
        "a password in the audit log"
    );
    let on_disk = std::fs::read_to_string(data_dir(&cluster, "manage_serv-1").join("audit.jsonl"))?;
    assert!(on_disk.len() < 64 * 1024, "{} bytes", on_disk.len());
    Ok(())
}

#[tokio::test]
async fn sessions_and_event_streams_end_with_their_credentials() -> anyhow::Result<()> {
    let mut cluster = TestCluster::start(spec()).await?;
    let admin = Console::operator(&cluster, "manage_serv-1", "boss", Role::Admin).await?;
    let accounts = Accounts::open(&data_dir(&cluster, "manage_serv-1"))?;

    // A revoked token's stream ends.
    let created = admin
        .post(
            "/api/v1/tokens",
            json!({ "name": "board", "role": "viewer", "ttl_secs": 3600 }),
        )
        .await?;
    let mut board = Console::new(&cluster, "manage_serv-1");
    board.bearer = created.json["token"].as_str().map(str::to_string);
    let mut stream = board.open_events().await?;
    let id = created.json["id"].as_str().unwrap_or_default();
    assert_eq!(
        admin.delete(&format!("/api/v1/tokens/{id}")).await?.status,
        StatusCode::OK
    );
    assert!(
        Console::stream_ends_within(&mut stream, WAIT).await,
        "a revoked token's event stream goes on"
    );

    // A removed operator's stream ends.
    let leaver = Console::operator(&cluster, "manage_serv-1", "leaver", Role::Viewer).await?;
    let mut stream = leaver.open_events().await?;
    accounts.remove_operator("leaver")?;
    assert!(
        Console::stream_ends_within(&mut stream, WAIT).await,
        "a removed operator's event stream goes on"
    );

    // A new password ends the sessions of the old one, streams included.
    let changer = Console::operator(&cluster, "manage_serv-1", "changer", Role::Admin).await?;
    let mut stream = changer.open_events().await?;
    assert_eq!(changer.get("/api/v1/me").await?.status, StatusCode::OK);
    let hash = schat_runtime::password::Passwords::new(&cluster.config.auth)?
        .hash("changer-new-password".to_string())
        .await?;
    accounts.set_password("changer", hash)?;
    assert_eq!(
        changer.get("/api/v1/me").await?.status,
        StatusCode::UNAUTHORIZED,
        "a session outlived its password"
    );
    assert!(Console::stream_ends_within(&mut stream, WAIT).await);

    // A reload applies a shorter idle time, and an event stream does
    // not keep a session alive: the stream ends once the session has
    // been idle that long, and the session is gone.
    cluster.edit_config(|config| config.manage.session_idle_secs = 2)?;
    let reloaded = cluster.reload("manage_serv-1")?;
    assert!(reloaded.ok, "{reloaded:?}");
    assert_eq!(reloaded.changed, ["manage.session_idle_secs"]);
    let sleepy = Console::operator(&cluster, "manage_serv-1", "sleepy", Role::Viewer).await?;
    let mut stream = sleepy.open_events().await?;
    assert!(
        Console::stream_ends_within(&mut stream, WAIT).await,
        "an idle session's event stream goes on"
    );
    assert_eq!(
        sleepy.get("/api/v1/me").await?.status,
        StatusCode::UNAUTHORIZED,
        "an idle session did not expire"
    );
    Ok(())
}

#[tokio::test]
async fn a_reload_applies_the_metrics_token_file() -> anyhow::Result<()> {
    let mut cluster = TestCluster::start(spec()).await?;
    let console = Console::new(&cluster, "manage_serv-1");
    assert_eq!(console.get("/metrics").await?.status, StatusCode::OK);
    let dir = tempfile::tempdir()?;
    let token_file = dir.path().join("metrics.token");
    std::fs::write(&token_file, "first-secret\n")?;
    let path = token_file.display().to_string();
    cluster.edit_config(|config| config.manage.metrics_token_file = Some(path))?;
    let reloaded = cluster.reload("manage_serv-1")?;
    assert!(
        reloaded.ok && reloaded.needs_restart.is_empty(),
        "{reloaded:?}"
    );
    let mut scraper = Console::new(&cluster, "manage_serv-1");
    assert_eq!(
        scraper.get("/metrics").await?.status,
        StatusCode::UNAUTHORIZED,
        "/metrics open after a reload named a token file"
    );
    scraper.bearer = Some("first-secret".to_string());
    assert_eq!(scraper.get("/metrics").await?.status, StatusCode::OK);
    // A new token in the file replaces the old at once.
    std::fs::write(&token_file, "second-secret-longer\n")?;
    assert_eq!(
        scraper.get("/metrics").await?.status,
        StatusCode::UNAUTHORIZED
    );
    scraper.bearer = Some("second-secret-longer".to_string());
    assert_eq!(scraper.get("/metrics").await?.status, StatusCode::OK);
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
            json!({ "name": "short", "role": "admin", "ttl_secs": 1 }),
        )
        .await?;
    assert_eq!(short.status, StatusCode::OK, "{}", short.json);
    let mut brief = Console::new(&cluster, "manage_serv-1");
    brief.bearer = short.json["token"].as_str().map(str::to_string);
    // Whether it still works at once depends on the machine's speed (its
    // expiry is unit-tested on a set clock): only that it stops is checked.
    let expired = eventually(WAIT, || async {
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
    let hsts = login
        .response
        .headers
        .get(http::header::STRICT_TRANSPORT_SECURITY)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    assert!(hsts.starts_with("max-age="), "no HSTS under TLS: {hsts:?}");
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
