//! The web app's files: what the page loads is embedded and local, the page
//! has nothing inline, the script never builds markup from strings, the
//! generated protobuf code covers client.proto, and the policy names the
//! cluster's own servers only.

use super::*;
use schat_runtime::http::embedded::references;

fn text(path: &str) -> &'static str {
    let file = embedded::find(FILES, path).unwrap_or_else(|| panic!("{path} is embedded"));
    std::str::from_utf8(file.body).expect("text file is UTF-8")
}

#[test]
fn every_file_the_page_loads_is_embedded_and_local() {
    let refs = references(text("/"));
    assert_eq!(refs.len(), 5, "styles and four scripts: {refs:?}");
    for reference in refs {
        // Relative, so the app also works under a path behind a proxy.
        assert!(
            reference.starts_with("app/") && !reference.contains(".."),
            "{reference} is not a file of the app"
        );
        let path = format!("/{reference}");
        assert!(embedded::find(FILES, &path).is_some(), "{reference}");
    }
    for path in ["/app/app.js", "/app/app.css", "/"] {
        for remote in ["http://", "https://", "//cdn", "@import", "url("] {
            assert!(!text(path).contains(remote), "{path} mentions {remote}");
        }
    }
}

#[test]
fn the_page_has_no_inline_script_style_or_handlers() {
    let html = text("/");
    assert_eq!(
        html.matches("<script").count(),
        html.matches("<script src=\"app/").count(),
        "every script is a file"
    );
    assert!(!html.contains("<style"), "no inline styles");
    for attr in [
        " style=",
        " onclick=",
        " onload=",
        " onerror=",
        " onsubmit=",
        "javascript:",
    ] {
        assert!(!html.contains(attr), "the page has {attr}");
    }
}

#[test]
fn the_script_never_turns_strings_into_markup_or_code() {
    for script in [text("/app/app.js"), text("/app/dom.js")] {
        for sink in [
            "innerHTML",
            "outerHTML",
            "insertAdjacentHTML",
            "document.write",
            "eval(",
            "new Function",
            "setTimeout(\"",
            "createContextualFragment",
        ] {
            assert!(!script.contains(sink), "the page's script uses {sink}");
        }
    }
    let generated = text("/app/client_proto.js");
    assert!(!generated.contains("eval(") && !generated.contains("Function("));
}

/// Every message of client.proto, with its fields, is in the generated
/// code: run scripts/web-proto.sh after changing the proto.
#[test]
fn generated_code_covers_client_proto() {
    let proto = include_str!("../../../../proto/client.proto");
    let generated = text("/app/client_proto.js");
    let mut message = None;
    let mut checked = 0;
    for line in proto.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("message ") {
            let name = rest.split_whitespace().next().expect("a message name");
            assert!(
                generated.contains(&format!("client.{name} = (function")),
                "message {name} is missing: run scripts/web-proto.sh"
            );
            message = Some(name);
            continue;
        }
        let (Some(name), Some((declaration, _))) = (message, line.split_once(';')) else {
            continue;
        };
        let Some((left, _number)) = declaration.split_once(" = ") else {
            continue;
        };
        let Some(field) = left.split_whitespace().last() else {
            continue;
        };
        if left.starts_with("option") || field.chars().all(|c| c.is_ascii_uppercase() || c == '_') {
            continue;
        }
        assert!(
            generated.contains(&format!("{name}.prototype.{field} = "))
                || generated.contains(&format!("{name}.prototype[\"{field}\"] = ")),
            "{name}.{field} is missing: run scripts/web-proto.sh"
        );
        checked += 1;
    }
    assert!(checked > 150, "fields checked: {checked}");
}

#[test]
fn vendored_files_carry_their_version() {
    for file in FILES.iter().filter(|f| f.path.starts_with("/app/vendor/")) {
        assert!(
            file.path
                .starts_with(&format!("/app/vendor/protobufjs-{PROTOBUFJS_VERSION}/")),
            "{}",
            file.path
        );
        assert_eq!(file.cache_control, IMMUTABLE);
    }
    let runtime = text(&format!(
        "/app/vendor/protobufjs-{PROTOBUFJS_VERSION}/protobuf.min.js"
    ));
    assert!(runtime.contains(&format!("protobuf.js v{PROTOBUFJS_VERSION}")));
    let script = include_str!("../../../../scripts/web-proto.sh");
    assert!(script.contains(&format!("PROTOBUFJS={PROTOBUFJS_VERSION}")));
    assert!(text("/").contains(&format!("\"app/vendor/protobufjs-{PROTOBUFJS_VERSION}/")));
}

const CLUSTER: &str = r#"{
  "cluster": "t",
  "redis": { "host": "127.0.0.1", "port": 6390 },
  "procs": [
    { "id": 1, "name": "disp_serv-1", "type": "disp_serv", "host": "127.0.0.1", "port": 7301 },
    { "id": 11, "name": "online_serv-1", "type": "online_serv", "host": "127.0.0.1" },
    { "id": 101, "name": "conn_serv-1", "type": "conn_serv", "host": "127.0.0.1", "port": 7001, "ws_port": 7011, "logic": "logic_serv-1" },
    { "id": 201, "name": "logic_serv-1", "type": "logic_serv", "host": "127.0.0.1", "port": 7101 },
    { "id": 301, "name": "db_logic_serv-1", "type": "db_logic_serv", "host": "127.0.0.1", "port": 7201, "logic": "logic_serv-1" },
    { "id": 401, "name": "chat_serv-1", "type": "chat_serv", "host": "127.0.0.1" },
    { "id": 501, "name": "db_chat_serv-1", "type": "db_chat_serv", "host": "127.0.0.1", "port": 7401, "chat": "chat_serv-1" },
    { "id": 601, "name": "file_serv-1", "type": "file_serv", "host": "127.0.0.1", "port": 7501, "serv_index": 1, "data_dir": "d" },
    { "id": 602, "name": "file_serv-2", "type": "file_serv", "host": "127.0.0.1", "port": 7502, "serv_index": 2, "data_dir": "d", "public": "https://files.example.org/x" },
    { "id": 701, "name": "dir_serv-1", "type": "dir_serv", "host": "127.0.0.1", "port": 7600 }
  ]
}"#;

#[test]
fn the_policy_names_only_the_clusters_servers() {
    let config = ClusterConfig::parse(CLUSTER).expect("config");
    let policy = content_security_policy(&config);
    assert!(policy.contains("default-src 'none'"), "{policy}");
    assert!(policy.contains("script-src 'self';"), "{policy}");
    assert!(policy.contains("style-src 'self';"), "{policy}");
    assert!(
        policy.contains("img-src http://127.0.0.1:7501 https://files.example.org;"),
        "{policy}"
    );
    assert!(
        policy.contains(
            "connect-src 'self' ws://127.0.0.1:7011 http://127.0.0.1:7501 https://files.example.org;"
        ),
        "{policy}"
    );
    assert!(
        policy.ends_with("require-trusted-types-for 'script'"),
        "{policy}"
    );
    for unsafe_source in ["unsafe-inline", "unsafe-eval", "*", "data:", "blob:"] {
        assert!(!policy.contains(unsafe_source), "{policy}");
    }
    let response = serve(&config, "/", &HeaderMap::new()).expect("the page");
    let headers = response.headers();
    assert_eq!(headers[header::CONTENT_SECURITY_POLICY], policy.as_str());
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(headers[header::REFERRER_POLICY], "no-referrer");
    assert_eq!(headers[header::CONTENT_TYPE], HTML);
    assert!(headers.contains_key(header::ETAG));
    for path in ["/app/", "/app/app.js.map", "/app/../Cargo.toml", "/v1/dir"] {
        assert!(serve(&config, path, &HeaderMap::new()).is_none(), "{path}");
    }
}
