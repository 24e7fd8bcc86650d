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
    // Then a service app: the nonce challenge, one token, DPoP on every call.
    for line in [
        "-> POST /oauth2/v1/token 400 (use_dpop_nonce)",
        "-> POST /oauth2/v1/token 200 (token_type DPoP)",
        "-> GET /api/v1/users?limit=2 200  [Authorization: DPoP, DPoP proof]",
        "-> GET /api/v1/groups?limit=2 200  [Authorization: DPoP, DPoP proof]",
    ] {
        assert!(out.contains(line), "no `{line}` in:\n{out}");
    }
    assert_eq!(out.matches("/oauth2/v1/token").count(), 2, "one token for both actions");
    assert!(!out.contains("PRIVATE KEY") && !out.contains("eyJ"), "a key or token is shown:\n{out}");
}

const KEY_FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/keys/rsa-pkcs8.pem");

#[test]
fn oauth_connections_take_their_secrets_from_files_and_the_environment() {
    use okta_host::fake_org::demo_apps::*;
    let conn = format!(
        r#"{{"client_credentials": {{"domain": "https://fake-org.okta.com", "client_id": {{"env": "DEMO_CLIENT_ID"}},
            "private_key": {{"file": "{KEY_FILE}"}}, "key_id": "{SERVICE_KEY_ID}", "scopes": "okta.users.read"}}}}"#
    );
    let o = cli_env(
        &["run", "users.list", "--input", r#"{"limit": 1}"#, "--fake-org", "--connection", &conn, "--trace"],
        &[("DEMO_CLIENT_ID", SERVICE_CLIENT_ID)],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let trace = stderr(&o);
    assert_eq!(trace.matches("POST https://fake-org.okta.com/oauth2/v1/token").count(), 2, "{trace}");
    assert!(
        trace.contains("client_assertion=[redacted]") && trace.contains("authorization: DPoP [redacted]"),
        "{trace}"
    );
    assert!(!trace.contains("eyJ"), "{trace}");

    // A variable that is not set, a file that is not there: named, and nothing is sent.
    let o = cli(&["run", "users.list", "--fake-org", "--connection", &conn]);
    assert_eq!(o.status.code(), Some(2));
    assert!(error(&o)["message"].as_str().unwrap().contains("DEMO_CLIENT_ID, which is not set"), "{}", stderr(&o));
    let missing = conn.replace(KEY_FILE, "/nonexistent/key.pem");
    let o = cli_env(&["run", "users.list", "--fake-org", "--connection", &missing], &[("DEMO_CLIENT_ID", "x")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(error(&o)["message"].as_str().unwrap().contains("/nonexistent/key.pem"), "{}", stderr(&o));
}

#[test]
fn authorize_runs_the_code_flow_against_the_fake_org() {
    let o = cli(&["authorize", "--fake-org"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let stored: Value = serde_json::from_slice(&o.stdout).expect("the connection JSON");
    let c = &stored["oauth_code"];
    assert_eq!(c["client_id"], okta_host::fake_org::demo_apps::WEB_CLIENT_ID);
    assert!(c["access_token"].is_string() && c["refresh_token"].is_string());
    let err = stderr(&o);
    assert!(err.contains("https://fake-org.okta.com/oauth2/v1/authorize?client_id="), "{err}");
    assert!(err.contains("code_challenge_method=S256"), "{err}");
    assert!(err.contains("Requests: POST /oauth2/v1/token, GET /api/v1/users?limit=2"), "{err}");
    assert!(!err.contains(c["access_token"].as_str().unwrap()), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authorize_reads_the_redirect_from_standard_input() {
    use okta_host::fake_org::demo_apps::*;
    use std::io::{BufRead as _, BufReader, Write as _};
    let org = FakeOrg::seeded();
    org.register_demo_apps();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(org.clone().serve(listener));
    Connector::shared().unwrap_or_else(|e| panic!("{e:#}"));
    let conn = format!(
        r#"{{"oauth_code": {{"domain": "{origin}", "scopes": ["okta.users.read"], "client_id": "{WEB_CLIENT_ID}", "client_secret": "{WEB_CLIENT_SECRET}"}}}}"#
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_okta-connector"))
        .args(["authorize", "--connection", &conn, "--redirect-uri", WEB_REDIRECT_URI])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr_lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let url = tokio::task::spawn_blocking(move || {
        let mut seen = Vec::new();
        while let Some(Ok(line)) = stderr_lines.next() {
            if let Some(url) = line.trim().strip_prefix(&format!("{origin}/oauth2/v1/authorize?")) {
                return (format!("{origin}/oauth2/v1/authorize?{url}"), seen, stderr_lines);
            }
            seen.push(line);
        }
        panic!("no authorize URL in {seen:?}");
    })
    .await
    .unwrap();
    let (url, _, rest) = url;
    // The user's browser: the org approves and sends it back with the code.
    let back = org.authorize(&url).await.unwrap();
    writeln!(child.stdin.take().unwrap(), "{back}").unwrap();
    let out = tokio::task::spawn_blocking(move || child.wait_with_output()).await.unwrap().unwrap();
    let rest: Vec<String> = rest.map_while(Result::ok).collect();
    assert!(out.status.success(), "{rest:?}");
    assert!(rest.iter().any(|l| l.starts_with("Note:") && l.contains("offline_access")), "the hint: {rest:?}");
    let stored: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert!(stored["oauth_code"]["access_token"].is_string());
    assert!(stored["oauth_code"]["refresh_token"].is_null(), "no offline_access, no refresh token");
    server.abort();
}
