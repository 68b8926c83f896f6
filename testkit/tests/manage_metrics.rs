//! manage_serv's view of the cluster: the procs API rows, chart series,
//! the Prometheus text (parsed), a process going down and coming back
//! (state, schat_up, alarms), and the optional bearer token on /metrics.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use http::StatusCode;
use manage_serv::accounts::Role;
use schat_client::CreateGroupRequest;
use schat_testkit::manage::{fast_manage, Console};
use schat_testkit::{eventually, ClusterSpec, TestCluster};

const WAIT: Duration = Duration::from_secs(20);

fn spec() -> ClusterSpec {
    ClusterSpec {
        sets: 1,
        chats: 2,
        manages: 1,
        manage: fast_manage(),
        ..ClusterSpec::default()
    }
}

/// One sample line of the text format.
#[derive(Debug)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

/// Parses the Prometheus text format: `# HELP`/`# TYPE` lines and
/// `name{label="value",...} value` samples; panics on anything else.
fn parse(text: &str) -> (BTreeMap<String, String>, Vec<Sample>) {
    let mut types = BTreeMap::new();
    let mut samples = Vec::new();
    for line in text.lines().filter(|line| !line.is_empty()) {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').expect("TYPE line");
            types.insert(name.to_string(), kind.to_string());
            continue;
        }
        if line.starts_with("# HELP ") || line == "# EOF" {
            continue;
        }
        let (series, value) = line.rsplit_once(' ').expect("sample line");
        let value: f64 = value.parse().unwrap_or_else(|_| panic!("value in {line}"));
        let (name, labels) = match series.split_once('{') {
            Some((name, rest)) => {
                let body = rest.strip_suffix('}').expect("closing brace");
                let mut labels = BTreeMap::new();
                for pair in body.split("\",").filter(|pair| !pair.is_empty()) {
                    let (key, value) = pair.split_once("=\"").expect("label pair");
                    labels.insert(key.to_string(), value.trim_end_matches('"').to_string());
                }
                (name.to_string(), labels)
            }
            None => (series.to_string(), BTreeMap::new()),
        };
        assert!(
            name.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':'),
            "bad metric name {name}"
        );
        samples.push(Sample {
            name,
            labels,
            value,
        });
    }
    (types, samples)
}

fn family_of<'a>(types: &'a BTreeMap<String, String>, sample: &str) -> Option<&'a str> {
    if let Some(kind) = types.get(sample) {
        return Some(kind);
    }
    // A counter's samples end in _total, a histogram's in _bucket, _sum
    // and _count; the TYPE line names the family.
    if let Some(kind) = sample
        .strip_suffix("_total")
        .and_then(|family| types.get(family))
        .filter(|kind| *kind == "counter")
    {
        return Some(kind);
    }
    ["_bucket", "_sum", "_count"]
        .iter()
        .filter_map(|suffix| sample.strip_suffix(suffix))
        .filter_map(|family| types.get(family))
        .find(|kind| *kind == "histogram")
        .map(String::as_str)
}

#[tokio::test]
async fn procs_series_and_metrics_cover_every_process() -> anyhow::Result<()> {
    let cluster = TestCluster::start(spec()).await?;
    let console = Console::operator(&cluster, "manage_serv-1", "viewer1", Role::Viewer).await?;
    assert!(console.wait_all_up(WAIT).await, "not every process came up");

    // Some traffic, so counters move.
    let (client, _, _) = cluster.user(1, "metrics-alice").await?;
    let group = client
        .create_group(CreateGroupRequest {
            name: "metrics".to_string(),
            ..CreateGroupRequest::default()
        })
        .await?;
    for index in 0..5 {
        client
            .send_text(group.gid, &format!("m{index}"), &format!("hello {index}"))
            .await?;
    }

    let procs = console.get("/api/v1/procs").await?;
    assert_eq!(procs.status, StatusCode::OK);
    let rows = procs.json["procs"].as_array().unwrap().clone();
    let names: BTreeSet<String> = rows
        .iter()
        .map(|row| row["name"].as_str().unwrap().to_string())
        .collect();
    let configured: BTreeSet<String> = cluster
        .config
        .procs
        .iter()
        .map(|p| p.name.clone())
        .collect();
    assert_eq!(names, configured, "a row for every process");
    let keys: Vec<(String, String)> = rows
        .iter()
        .map(|row| {
            (
                row["set"].as_str().unwrap().to_string(),
                row["name"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "rows sorted by set then name");
    // Here every process is this test's own: pids and memory are checked
    // against the real binaries in binaries.rs and console_browser.rs.
    for row in &rows {
        assert!(row["pid"].is_u64() && row["rss_bytes"].is_u64(), "{row}");
        assert!(row["uptime_secs"].is_u64(), "{row}");
        assert_eq!(row["log_level"], "info", "{row}");
        for key in [
            "cpu_percent",
            "messages_per_s",
            "deliveries_per_s",
            "connections",
        ] {
            assert!(row[key].is_number(), "{key} in {row}");
        }
    }
    let conn = console.proc_row("conn_serv-1").await?;
    assert_eq!(conn["set"], "logic_serv-1");
    assert_eq!(conn["type"], "conn_serv");

    // The owning chat_serv stored the messages: its detail says so.
    let stored = eventually(WAIT, || async {
        let mut total = 0.0;
        for chat in ["chat_serv-1", "chat_serv-2"] {
            let Ok(detail) = console.get(&format!("/api/v1/procs/{chat}")).await else {
                return false;
            };
            total += detail.json["metrics"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|metric| metric["name"] == "messages_stored_total")
                .map(|metric| metric["value"].as_f64().unwrap_or(0.0))
                .sum::<f64>();
        }
        total >= 5.0
    })
    .await;
    assert!(stored, "messages_stored_total did not reach 5");

    let series_ok = eventually(WAIT, || async {
        let Ok(series) = console.get("/api/v1/procs/chat_serv-1/series").await else {
            return false;
        };
        let n = series.json["t"].as_array().map_or(0, Vec::len);
        n >= 3
            && [
                "messages_per_s",
                "deliveries_per_s",
                "connections",
                "cpu_percent",
                "rss_bytes",
            ]
            .iter()
            .all(|key| series.json[key].as_array().map_or(0, Vec::len) == n)
    })
    .await;
    assert!(series_ok, "the series has no points");
    assert_eq!(
        console.get("/api/v1/procs/nobody/series").await?.status,
        StatusCode::NOT_FOUND
    );

    // /metrics needs no login.
    let anonymous = Console::new(&cluster, "manage_serv-1");
    let answer = anonymous.get("/metrics").await?;
    assert_eq!(answer.status, StatusCode::OK);
    let content_type = answer.response.headers["content-type"]
        .to_str()?
        .to_string();
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    let text = String::from_utf8(answer.response.body.to_vec())?;
    let (types, samples) = parse(&text);
    for sample in &samples {
        assert!(
            family_of(&types, &sample.name).is_some(),
            "{} has no TYPE line",
            sample.name
        );
        assert!(
            sample.labels.contains_key("proc") && sample.labels.contains_key("type"),
            "{} lacks proc/type labels",
            sample.name
        );
        for forbidden in ["uid", "gid", "conn_id", "account"] {
            assert!(!sample.labels.contains_key(forbidden), "{sample:?}");
        }
        assert!(
            sample.name.starts_with("schat_") || sample.name.starts_with("process_"),
            "{}",
            sample.name
        );
    }
    for proc in &cluster.config.procs {
        let of = |name: &str| {
            samples
                .iter()
                .find(|s| s.name == name && s.labels["proc"] == proc.name)
                .unwrap_or_else(|| panic!("no {name} for {}", proc.name))
        };
        assert_eq!(of("schat_up").value, 1.0);
        assert_eq!(of("schat_up").labels["type"], proc.kind.name());
        let build = of("schat_build_info");
        assert_eq!(build.value, 1.0);
        assert!(build.labels.contains_key("version") && build.labels.contains_key("commit"));
        // Every process here is this test itself, so only their presence
        // says anything: the values are checked against real processes in
        // binaries.rs (the_console_shows_each_binary_its_own_pid_memory_and_files).
        for family in [
            "process_resident_memory_bytes",
            "process_cpu_seconds_total",
            "process_open_fds",
            "process_max_fds",
            "process_start_time_seconds",
        ] {
            assert!(of(family).value.is_finite(), "{family}");
        }
    }
    assert_eq!(
        types.get("schat_messages_stored_total").map(String::as_str),
        Some("counter")
    );
    assert_eq!(types.get("schat_up").map(String::as_str), Some("gauge"));
    let conn_clients = samples
        .iter()
        .find(|s| s.name == "schat_clients" && s.labels["proc"] == "conn_serv-1")
        .expect("schat_clients of conn_serv-1");
    assert!(conn_clients.value >= 1.0);
    // Redis round trips: one histogram family, buckets up to +Inf.
    assert_eq!(
        types
            .get("schat_redis_roundtrip_seconds")
            .map(String::as_str),
        Some("histogram")
    );
    let all_trips = samples
        .iter()
        .find(|s| {
            s.name == "schat_redis_roundtrip_seconds_bucket"
                && s.labels["proc"] == "db_logic_serv-1"
                && s.labels.get("le").map(String::as_str) == Some("+Inf")
        })
        .expect("the +Inf bucket of db_logic_serv-1");
    let count = samples
        .iter()
        .find(|s| {
            s.name == "schat_redis_roundtrip_seconds_count" && s.labels["proc"] == "db_logic_serv-1"
        })
        .expect("the count of db_logic_serv-1");
    assert!(count.value >= 1.0);
    assert_eq!(all_trips.value, count.value);
    Ok(())
}

#[tokio::test]
async fn a_stopped_process_is_down_and_alarmed_then_back() -> anyhow::Result<()> {
    let mut cluster = TestCluster::start(spec()).await?;
    let console = Console::operator(&cluster, "manage_serv-1", "viewer1", Role::Viewer).await?;
    assert!(console.wait_all_up(WAIT).await, "not every process came up");

    cluster.stop("chat_serv-2").await?;
    cluster.stop("db_chat_serv-1").await?;
    let anonymous = Console::new(&cluster, "manage_serv-1");
    let down = eventually(WAIT, || async {
        let (Ok(chat), Ok(db_chat)) = (
            console.proc_row("chat_serv-2").await,
            console.proc_row("db_chat_serv-1").await,
        ) else {
            return false;
        };
        chat["state"] == "down" && db_chat["state"] == "down"
    })
    .await;
    assert!(down, "the stopped processes are not down");
    let row = console.proc_row("chat_serv-2").await?;
    assert!(row["uptime_secs"].is_null(), "{row}");
    let text = String::from_utf8(anonymous.get("/metrics").await?.response.body.to_vec())?;
    let (_, samples) = parse(&text);
    let up = |proc: &str| {
        samples
            .iter()
            .find(|s| s.name == "schat_up" && s.labels["proc"] == proc)
            .map(|s| s.value)
    };
    assert_eq!(up("chat_serv-2"), Some(0.0));
    assert_eq!(up("db_chat_serv-1"), Some(0.0));
    assert_eq!(up("chat_serv-1"), Some(1.0));
    assert!(
        !samples.iter().any(|s| s.name == "process_resident_memory_bytes"
            && s.labels["proc"] == "chat_serv-2"),
        "a down process still exports its figures"
    );
    let alarms = console.get("/api/v1/alarms").await?.json;
    let active = alarms["active"].as_array().unwrap();
    for proc in ["chat_serv-2", "db_chat_serv-1"] {
        let alarm = active
            .iter()
            .find(|a| a["kind"] == "proc_down" && a["proc"] == proc)
            .unwrap_or_else(|| panic!("no proc_down alarm for {proc}: {alarms}"));
        assert!(alarm["raised_at_ms"].as_u64().unwrap() > 0);
        assert!(alarm["cleared_at_ms"].is_null());
    }

    cluster.restart("chat_serv-2").await?;
    let cleared = eventually(WAIT, || async {
        let Ok(answer) = console.get("/api/v1/alarms").await else {
            return false;
        };
        answer.json["recent"].as_array().is_some_and(|recent| {
            recent.iter().any(|a| {
                a["kind"] == "proc_down"
                    && a["proc"] == "chat_serv-2"
                    && a["cleared_at_ms"].as_u64() >= a["raised_at_ms"].as_u64()
            })
        }) && console
            .proc_row("chat_serv-2")
            .await
            .is_ok_and(|row| row["state"] == "up")
    })
    .await;
    assert!(
        cleared,
        "chat_serv-2 did not come back up with its alarm cleared"
    );
    Ok(())
}

#[tokio::test]
async fn metrics_can_require_a_bearer_token() -> anyhow::Result<()> {
    let secrets = tempfile::tempdir()?;
    let token_file = secrets.path().join("metrics.token");
    std::fs::write(&token_file, "scrape-secret-42\n")?;
    let mut spec = spec();
    spec.chats = 1;
    spec.manage.metrics_token_file = Some(token_file.display().to_string());
    let cluster = TestCluster::start(spec).await?;
    let mut scraper = Console::new(&cluster, "manage_serv-1");
    assert_eq!(
        scraper.get("/metrics").await?.status,
        StatusCode::UNAUTHORIZED
    );
    scraper.bearer = Some("wrong".to_string());
    assert_eq!(
        scraper.get("/metrics").await?.status,
        StatusCode::UNAUTHORIZED
    );
    scraper.bearer = Some("scrape-secret-42".to_string());
    let answer = scraper.get("/metrics").await?;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(String::from_utf8_lossy(&answer.response.body).contains("schat_up{"));
    Ok(())
}
