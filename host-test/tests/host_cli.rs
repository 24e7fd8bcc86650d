//! The `okta-connector` command line, run as a user would: output on stdout, JSON errors on
//! stderr, exit status 0 / 1 (action failed) / 2 (usage).

use std::process::{Command, Output};

use okta_host::fake_org::FakeOrg;
use okta_host::harness::Connector;
use serde_json::Value;

const SECRET: &str = "cli-secret-token-must-not-leak";

fn cli(args: &[&str]) -> Output {
    cli_env(args, &[])
}

fn cli_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    // Fail with the harness's message (run `make build`) when the component is missing.
    Connector::shared().unwrap_or_else(|e| panic!("{e:#}"));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_okta-connector"));
    cmd.args(args).env_remove("OKTA_CLIENT_ORGURL").env_remove("OKTA_CLIENT_TOKEN");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("the okta-connector binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The `{"error": {...}}` object on stderr.
fn error(o: &Output) -> Value {
    let v: Value =
        serde_json::from_slice(&o.stderr).unwrap_or_else(|e| panic!("stderr is not JSON ({e}): {}", stderr(o)));
    v["error"].clone()
}

#[test]
fn actions_lists_ids_and_labels() {
    let o = cli(&["actions"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.lines().any(|l| l.starts_with("users.create ") && l.ends_with("Create User")), "{out}");
    assert!(out.lines().any(|l| l.starts_with("users.reset-password ")), "{out}");

    let o = cli(&["actions", "--json"]);
    let list: Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert!(list.as_array().is_some_and(|a| a.iter().any(|x| x["id"] == "users.list" && x["label"] == "List Users")));
}

#[test]
fn describe_shows_inputs_defaults_and_comments() {
    let o = cli(&["describe", "users.create"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.starts_with("users.create: Create User"), "{out}");
    assert!(out.contains("login (string, required)"), "{out}");
    assert!(out.contains("activate (boolean, default: true)"), "{out}");
    assert!(out.contains("POST /api/v1/users"), "{out}");

    let o = cli(&["describe", "users.create", "--json"]);
    let entry: Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(entry["id"], "users.create");
    assert!(entry["input_schema"]["properties"]["login"].is_object());

    let o = cli(&["describe", "users.nope"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(error(&o)["kind"], "usage");
}

#[test]
fn run_against_the_embedded_fake_org() {
    let o = cli(&["run", "users.list", "--input", r#"{"limit": 2}"#]);
    assert!(o.status.success(), "{}", stderr(&o));
    let page: Value = serde_json::from_slice(&o.stdout).expect("JSON on stdout");
    assert_eq!(page["items"].as_array().map(Vec::len), Some(2));
    assert!(page["next_cursor"].is_string(), "{page}");
    assert!(stdout(&o).contains("\n  \"items\": ["), "pretty-printed: {}", stdout(&o));
}

#[test]
fn run_reads_input_from_a_file() {
    let path = std::env::temp_dir().join(format!("okta-cli-input-{}.json", std::process::id()));
    std::fs::write(&path, r#"{"id": "fake.admin@example.com"}"#).unwrap();
    let o = cli(&["run", "users.get", "--input", &format!("@{}", path.display())]);
    let _ = std::fs::remove_file(&path);
    assert!(o.status.success(), "{}", stderr(&o));
    let user: Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(user["profile"]["login"], "fake.admin@example.com");
}

#[test]
fn action_errors_are_json_on_stderr_with_status_1() {
    let o = cli(&["run", "users.get", "--input", r#"{"id": ""}"#]);
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    let e = error(&o);
    assert_eq!(e["kind"], "invalid-input");
    assert_eq!(e["field"], "id");

    let o = cli(&["run", "users.get", "--input", r#"{"id": "no-such-user"}"#]);
    assert_eq!(o.status.code(), Some(1));
    let e = error(&o);
    assert_eq!(e["kind"], "not-found");
    assert_eq!(e["error_code"], "E0000007");
}

#[test]
fn bad_connections_never_show_the_secret() {
    let conn = format!(r#"{{"api_token": {{"domain": "http://acme.okta.com", "token": "{SECRET}"}}}}"#);
    let o = cli(&["run", "users.get", "--input", r#"{"id": "x"}"#, "--connection", &conn, "--trace"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(error(&o)["field"], "domain");
    assert!(!stderr(&o).contains(SECRET) && !stdout(&o).contains(SECRET));

    // Malformed connection JSON is a usage error, and does not echo the value either.
    let conn = format!(r#"{{"api_token": "{SECRET}"}}"#);
    let o = cli(&["run", "users.get", "--connection", &conn]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(error(&o)["kind"], "usage");
    assert!(!stderr(&o).contains(SECRET), "{}", stderr(&o));
}

#[test]
fn usage_errors_exit_2() {
    for args in [&["bogus"][..], &["run"], &["run", "users.get", "--nope"], &["fake-org", "--port", "x"]] {
        let o = cli(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert_eq!(error(&o)["kind"], "usage", "{args:?}");
    }
    let o = cli(&["help"]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("okta-connector run ACTION"));
    assert!(stdout(&o).contains("\"api_token\""));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_over_the_network_with_a_connection_or_the_sdk_variables() {
    let org = FakeOrg::seeded();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(org.clone().serve(listener));

    let conn = format!(r#"{{"api_token": {{"domain": "{origin}", "token": "{}"}}}}"#, FakeOrg::TOKEN);
    let o = tokio::task::spawn_blocking(move || {
        let input = r#"{"id": "fake.admin@example.com"}"#;
        cli(&["run", "users.get", "--input", input, "--connection", &conn, "--trace"])
    })
    .await
    .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let user: Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(user["profile"]["login"], "fake.admin@example.com");
    let trace = stderr(&o);
    assert!(trace.contains(&format!("GET {origin}/api/v1/users/fake.admin%40example.com")), "{trace}");
    assert!(trace.contains("authorization: SSWS [redacted]") && !trace.contains(FakeOrg::TOKEN), "{trace}");

    let env = [("OKTA_CLIENT_ORGURL", origin.clone()), ("OKTA_CLIENT_TOKEN", FakeOrg::TOKEN.to_string())];
    let o = tokio::task::spawn_blocking(move || {
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        cli_env(&["run", "users.list", "--input", r#"{"limit": 1}"#], &env)
    })
    .await
    .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let page: Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(page["items"].as_array().map(Vec::len), Some(1));
    assert!(org.requests().len() >= 2, "both runs reached the loopback org");
    server.abort();
}

#[test]
fn demo_tours_the_users_actions() {
    let o = cli(&["demo"]);
    assert!(o.status.success(), "{}\n{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    for step in [
        "users.create",
        "users.activate",
        "users.list {\"limit\":2}",
        "users.list {\"after\":",
        "users.suspend",
        "users.unsuspend",
        "users.reset-password",
        "users.delete",
    ] {
        assert!(out.contains(step), "no {step} in:\n{out}");
    }
    assert!(!out.contains("Demo-Passw0rd"), "the demo password is shown:\n{out}");
}
