//! The `okta-connector` command line, run as a user would: output on stdout, JSON errors on
//! stderr, exit status 0 / 1 (action failed) / 2 (usage); the binary copied elsewhere (its
//! component built in, compiled once into the user's cache); a reader that stops early;
//! progress on a terminal only; the trace as it happens; shell completions.

use std::io::{BufRead as _, Read as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use okta_fake_org::loopback::{Delays, ServedOrg};
use okta_fake_org::{FakeOrg, Fault};
use serde_json::Value;

const SECRET: &str = "cli-secret-token-must-not-leak";

fn cli(args: &[&str]) -> Output {
    cli_env(args, &[])
}

fn cli_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = command(Path::new(env!("CARGO_BIN_EXE_okta-connector")));
    cmd.args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("the okta-connector binary runs")
}

/// The binary at `exe` with none of the variables that would choose its org or component,
/// and the compiled component cached under this test run's temporary directory.
fn command(exe: &Path) -> Command {
    let mut cmd = Command::new(exe);
    cmd.env_remove("OKTA_CLIENT_ORGURL")
        .env_remove("OKTA_CLIENT_TOKEN")
        .env_remove("OKTA_CONNECTOR_WASM")
        .env("XDG_CACHE_HOME", Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-cache"));
    cmd
}

/// A fresh directory under this test run's temporary directory.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
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

    let o = cli(&["describe", "policies.list"]);
    let out = stdout(&o);
    assert!(out.contains("type (string, required, one of: ACCESS_POLICY, "), "{out}");
    assert!(out.contains("limit (integer, default: 200, 1 to 1000)"), "{out}");
}

#[test]
fn describe_shows_triggers_and_connection_kinds() {
    let o = cli(&["describe", "event-hook"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.starts_with("event-hook: Event Hook (webhook trigger)"), "{out}");
    assert!(out.contains("Emits: the events of Okta's deliveries"), "{out}");
    assert!(out.contains("State: an opaque string from the deploy"), "{out}");
    assert!(out.contains("items (array of string)"), "{out}");

    let out = stdout(&cli(&["describe", "users.new"]));
    assert!(out.starts_with("users.new: New Users (polling trigger)"), "{out}");
    assert!(out.contains("Emits: Okta `User` objects"), "{out}");
    assert!(out.contains("pass it to the next poll"), "{out}");

    let out = stdout(&cli(&["describe", "client_credentials"]));
    assert!(out.starts_with("client_credentials: OAuth 2.0 Client Credentials (connection kind)"), "{out}");
    assert!(out.contains("private_key (string, required, secret)"), "{out}");

    let o = cli(&["describe", "client_credentials", "--json"]);
    let entry: Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(entry["input_schema"]["properties"]["private_key"]["writeOnly"], true);
}

#[test]
fn unknown_ids_are_usage_errors_naming_the_nearest() {
    for (args, nearest) in [
        (vec!["run", "users.lst"], "`users.list`"),
        (vec!["describe", "users.lst"], "`users.list`"),
        (vec!["poll", "users.nw"], "`users.new`"),
    ] {
        let o = cli(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        let e = error(&o);
        assert_eq!(e["kind"], "usage", "{args:?}");
        assert!(e["message"].as_str().unwrap().contains(nearest), "{args:?}: {e}");
    }
    let o = cli(&["poll", "event-hook"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(error(&o)["message"].as_str().unwrap().contains("hook serve"));
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
    for help in [&["help"][..], &["--help"], &[]] {
        let o = cli(help);
        assert!(o.status.success(), "{help:?}");
        let out = stdout(&o);
        assert!(out.contains("Usage: okta-connector [COMMAND]"), "{help:?}: {out}");
        assert!(out.contains("okta-connector run users.list --input"), "{out}");
        assert!(out.contains("\"api_token\""), "{out}");
        assert!(!out.contains('\x1b'), "no colour when stdout is not a terminal");
    }
    let o = cli(&["run", "--help"]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("Usage: okta-connector run [OPTIONS] <ACTION>"), "{}", stdout(&o));
    assert!(stdout(&o).contains("--input <JSON|@FILE|@->"), "{}", stdout(&o));
    assert!(stdout(&o).contains("\"client_credentials\""), "{}", stdout(&o));

    let o = cli(&["run", "users.get", "--input", "{}", "--input", "{}"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(error(&o)["message"], "the argument '--input <JSON|@FILE|@->' cannot be used multiple times");
    assert_eq!(error(&o)["usage"], "okta-connector run [OPTIONS] <ACTION>");
}

#[test]
fn version_and_completions() {
    let o = cli(&["--version"]);
    assert!(o.status.success());
    assert_eq!(stdout(&o), format!("okta-connector {}\n", env!("CARGO_PKG_VERSION")));

    for (shell, marker) in
        [("bash", "complete -F"), ("zsh", "#compdef okta-connector"), ("fish", "complete -c okta-connector")]
    {
        let o = cli(&["completions", shell]);
        assert!(o.status.success(), "{shell}: {}", stderr(&o));
        let script = stdout(&o);
        assert!(script.contains(marker), "{shell}: {script}");
        for word in ["actions", "describe", "run", "fake-org", "demo", "completions", "connection", "trace"] {
            assert!(script.contains(word), "{shell} completes {word}");
        }
    }
    let o = cli(&["completions", "tcsh"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(error(&o)["kind"], "usage");
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
fn demo_tours_every_area_and_the_triggers() {
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
        "groups.add-user",
        "apps.assign-user",
        "policies.list",
        "realms.list",
        "system-log.get",
        "event-hooks.create",
        "poll users.new (with the last state)",
        "event-hook trigger deployed",
        "\"eventType\":\"group.lifecycle.create\"",
        "event-hook trigger torn down",
    ] {
        assert!(out.contains(step), "no {step} in:\n{out}");
    }
    assert!(!out.contains("Demo-Passw0rd") && !out.contains("Demo-App-Passw0rd"), "a demo password is shown:\n{out}");
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

#[test]
fn a_copied_binary_runs_anywhere_with_its_component_built_in() {
    let dir = scratch("installed");
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let exe = bin.join("okta-connector");
    std::fs::copy(env!("CARGO_BIN_EXE_okta-connector"), &exe).unwrap();
    let elsewhere = dir.join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let cache = dir.join("cache");
    let run = |cache_home: &Path, extra: &[(&str, &str)]| {
        let mut cmd = command(&exe);
        cmd.current_dir(&elsewhere).env("XDG_CACHE_HOME", cache_home).env("HOME", dir.join("home"));
        cmd.args(["run", "users.list", "--input", r#"{"limit": 2}"#]);
        for (k, v) in extra {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    };

    let o = run(&cache, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let page: Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(page["items"].as_array().map(Vec::len), Some(2));
    // Compiled once into the user's cache, then loaded from there.
    let cached: Vec<String> = std::fs::read_dir(cache.join("okta-connector"))
        .expect("the cache directory was made")
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(cached.len(), 1, "{cached:?}");
    assert!(cached[0].starts_with("okta_connector.") && cached[0].ends_with(".cwasm"), "{cached:?}");
    let o = run(&cache, &[]);
    assert!(o.status.success(), "{}", stderr(&o));

    // A cache that cannot be written only costs a compile.
    let not_a_dir = dir.join("file");
    std::fs::write(&not_a_dir, "").unwrap();
    let o = run(&not_a_dir, &[]);
    assert!(o.status.success(), "{}", stderr(&o));

    // OKTA_CONNECTOR_WASM names another component, and says so when it is missing.
    let missing = dir.join("nowhere.wasm");
    let o = run(&cache, &[("OKTA_CONNECTOR_WASM", missing.to_str().unwrap())]);
    assert_eq!(o.status.code(), Some(1));
    let e = error(&o);
    assert_eq!(e["kind"], "host");
    assert!(e["message"].as_str().unwrap().contains("OKTA_CONNECTOR_WASM="), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_reader_that_stops_early_ends_the_command_quietly() {
    for args in [&["actions"][..], &["run", "users.list", "--input", r#"{"limit": 200, "fetch_all": true}"#]] {
        let mut child = command(Path::new(env!("CARGO_BIN_EXE_okta-connector")))
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Like `| head -1`: read one line, then close the pipe while output is still coming.
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        assert!(!line.is_empty(), "{args:?} printed nothing");
        let status = child.wait().unwrap();
        let mut err = String::new();
        child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
        assert!(!err.contains("panicked") && !err.contains("Broken pipe"), "{args:?}: {err}");
        assert_eq!(err, "", "{args:?} is quiet");
        assert_eq!(status.code(), Some(0), "{args:?}");
    }
}

/// A fake org with 1 000 users served on loopback, whose fourth list request gets a 429
/// that resets in a second.
async fn rate_limited_org() -> (FakeOrg, ServedOrg, String) {
    let org = FakeOrg::empty();
    org.generate_users(1_000);
    org.set_rate_limit(1_000_000, Duration::from_secs(60));
    org.inject_fault_after("GET", "/api/v1/users", Fault::RateLimited { reset_after_secs: 1 }, 3, 1);
    let served = ServedOrg::start(org.clone(), None, Delays::default()).await.unwrap();
    let conn = format!(r#"{{"api_token": {{"domain": "{}", "token": "{}"}}}}"#, served.url(), FakeOrg::TOKEN);
    (org, served, conn)
}

const FETCH_ALL: &str = r#"{"limit": 100, "fetch_all": true}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn progress_shows_on_a_terminal_and_only_there() {
    let (_org, _served, conn) = rate_limited_org().await;
    let on_terminal = tokio::task::spawn_blocking(move || run_with_stderr_on_a_terminal(&conn)).await.unwrap();
    let (out, terminal) = on_terminal;
    let items: Value = serde_json::from_slice(&out).expect("JSON on stdout");
    assert_eq!(items.as_array().map(Vec::len), Some(1_000));
    assert!(terminal.contains("\r\x1b[2Kusers.list: 1 page, 100 items (1 request, "), "{terminal:?}");
    assert!(
        terminal.contains("users.list: 3 pages, 300 items (4 requests, ")
            && terminal.contains("s); rate limit reached, waiting about 1 s for the reset"),
        "{terminal:?}"
    );
    assert!(terminal.contains("users.list: 10 pages, 1000 items (11 requests, "), "{terminal:?}");
    assert!(terminal.ends_with("\r\x1b[2K"), "the line is cleared at the end: {terminal:?}");

    // The same run with stderr on a pipe: nothing but the result.
    let (_org, _served, conn) = rate_limited_org().await;
    let o =
        tokio::task::spawn_blocking(move || cli(&["run", "users.list", "--input", FETCH_ALL, "--connection", &conn]))
            .await
            .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stderr(&o), "");
}

/// Runs the fetch-all with stderr on a pseudo-terminal; gives stdout and what the terminal got.
fn run_with_stderr_on_a_terminal(conn: &str) -> (Vec<u8>, String) {
    use std::os::fd::{FromRawFd as _, OwnedFd};
    let (mut master, mut slave) = (-1, -1);
    // SAFETY: openpty writes two new descriptors into the out-pointers; null name/termios/
    // winsize are allowed.
    let r = unsafe { libc::openpty(&mut master, &mut slave, std::ptr::null_mut(), std::ptr::null(), std::ptr::null()) };
    assert_eq!(r, 0, "openpty: {}", std::io::Error::last_os_error());
    // SAFETY: both descriptors were just opened and are owned here alone.
    let (master, slave) = unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
    let mut child = command(Path::new(env!("CARGO_BIN_EXE_okta-connector")))
        .args(["run", "users.list", "--input", FETCH_ALL, "--connection", conn])
        .stdout(Stdio::piped())
        .stderr(Stdio::from(slave))
        .spawn()
        .unwrap();
    // The child holds the only slave descriptor now (ours moved into `Stdio`), so reading the
    // master ends (EIO) when the child exits.
    let reader = std::thread::spawn(move || {
        let mut terminal = Vec::new();
        let _ = std::fs::File::from(master).read_to_end(&mut terminal);
        terminal
    });
    let mut out = Vec::new();
    child.stdout.take().unwrap().read_to_end(&mut out).unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "the CLI did not finish");
        std::thread::sleep(Duration::from_millis(20));
    };
    let terminal = String::from_utf8_lossy(&reader.join().unwrap()).into_owned();
    assert!(status.success(), "{terminal}");
    (out, terminal)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_trace_shows_each_exchange_as_it_completes() {
    let org = FakeOrg::empty();
    org.generate_users(300);
    org.set_rate_limit(1_000_000, Duration::from_secs(60));
    // The second page comes three seconds late: the first must be on stderr meanwhile.
    org.inject_fault_after("GET", "/api/v1/users", Fault::Delay(Duration::from_secs(3)), 1, 1);
    let served = ServedOrg::start(org, None, Delays::default()).await.unwrap();
    let conn = format!(r#"{{"api_token": {{"domain": "{}", "token": "{}"}}}}"#, served.url(), FakeOrg::TOKEN);
    let url = served.url().to_string();
    tokio::task::spawn_blocking(move || {
        let mut child = command(Path::new(env!("CARGO_BIN_EXE_okta-connector")))
            .args(["run", "users.list", "--input", FETCH_ALL, "--connection", &conn, "--trace"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = std::io::BufReader::new(child.stderr.take().unwrap()).lines();
        let first = lines.next().expect("a trace line").unwrap();
        assert_eq!(first, format!("#1 GET {url}/api/v1/users?limit=100"));
        assert!(child.try_wait().unwrap().is_none(), "the first exchange showed while the action still ran");
        let rest: Vec<String> = lines.map(Result::unwrap).collect();
        assert!(child.wait().unwrap().success());
        assert!(rest.iter().any(|l| l.starts_with("#2 GET ")), "{rest:?}");
        assert!(rest.iter().any(|l| l == "  authorization: SSWS [redacted]"), "{rest:?}");
        assert!(!rest.iter().any(|l| l.contains(FakeOrg::TOKEN)));
    })
    .await
    .unwrap();
}

#[test]
fn poll_prints_items_and_a_state_that_the_next_poll_continues_from() {
    let dir = scratch("poll");
    // The embedded org starts afresh on every run, so its first run sees no users as new.
    let first = cli(&["poll", "users.new"]);
    assert!(first.status.success(), "{}", stderr(&first));
    let out: Value = serde_json::from_slice(&first.stdout).expect("JSON");
    assert_eq!(out["items"], serde_json::json!([]), "a first run records where the org stands");
    let state = out["state"].as_str().expect("a state string").to_string();
    assert!(!state.is_empty());

    // The state goes back from a file (the value as printed) and as the value itself.
    let file = dir.join("state");
    std::fs::write(&file, format!("{state}\n")).unwrap();
    for given in [format!("@{}", file.display()), state.clone()] {
        let next = cli(&["poll", "users.new", "--state", &given]);
        assert!(next.status.success(), "{}", stderr(&next));
        let out: Value = serde_json::from_slice(&next.stdout).expect("JSON");
        assert!(out["items"].is_array() && out["state"].is_string(), "{out}");
    }

    let bad = cli(&["poll", "users.new", "--state", "not a state"]);
    assert_eq!(bad.status.code(), Some(1), "{}", stderr(&bad));
    assert_eq!(error(&bad)["kind"], "invalid-input", "{}", stderr(&bad));
    let unknown = cli(&["poll", "users.gone"]);
    assert_ne!(unknown.status.code(), Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn poll_continues_from_its_state_against_a_served_org() {
    let org = FakeOrg::seeded();
    let served = ServedOrg::start(org.clone(), None, Delays::default()).await.unwrap();
    let conn = format!(r#"{{"api_token": {{"domain": "{}", "token": "{}"}}}}"#, served.url(), FakeOrg::TOKEN);
    let c = conn.clone();
    let first = tokio::task::spawn_blocking(move || cli(&["poll", "users.new", "--connection", &c])).await.unwrap();
    assert!(first.status.success(), "{}", stderr(&first));
    let state = serde_json::from_slice::<Value>(&first.stdout).unwrap()["state"].as_str().unwrap().to_string();

    let create = r#"{"first_name": "Poll", "last_name": "Cli", "email": "poll.cli@example.com", "login": "poll.cli@example.com"}"#;
    let c = conn.clone();
    let made =
        tokio::task::spawn_blocking(move || cli(&["run", "users.create", "--input", create, "--connection", &c]))
            .await
            .unwrap();
    assert!(made.status.success(), "{}", stderr(&made));

    let c = conn.clone();
    let s = state.clone();
    let next =
        tokio::task::spawn_blocking(move || cli(&["poll", "users.new", "--state", &s, "--connection", &c, "--trace"]))
            .await
            .unwrap();
    assert!(next.status.success(), "{}", stderr(&next));
    let out: Value = serde_json::from_slice(&next.stdout).unwrap();
    let logins: Vec<&str> =
        out["items"].as_array().unwrap().iter().filter_map(|u| u["profile"]["login"].as_str()).collect();
    assert_eq!(logins, ["poll.cli@example.com"]);
    let trace = stderr(&next);
    assert!(trace.contains("GET ") && trace.contains("/api/v1/users?"), "{trace}");
    assert!(!trace.contains(FakeOrg::TOKEN), "{trace}");

    // The same state again: the user comes out again (the host keeps the newest state).
    let again =
        tokio::task::spawn_blocking(move || cli(&["poll", "users.new", "--state", &state, "--connection", &conn]))
            .await
            .unwrap();
    let out2: Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(out2["items"].as_array().map(Vec::len), Some(1));
    let newest = out["state"].as_str().unwrap().to_string();
    let c = format!(r#"{{"api_token": {{"domain": "{}", "token": "{}"}}}}"#, served.url(), FakeOrg::TOKEN);
    let after =
        tokio::task::spawn_blocking(move || cli(&["poll", "users.new", "--state", &newest, "--connection", &c]))
            .await
            .unwrap();
    let out3: Value = serde_json::from_slice(&after.stdout).unwrap();
    assert_eq!(out3["items"], serde_json::json!([]), "nothing new since the newest state");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hook_serve_deploys_prints_each_event_and_removes_the_hook_on_sigterm() {
    let org = FakeOrg::seeded();
    let served = ServedOrg::start(org.clone(), None, Delays::default()).await.unwrap();
    let conn = format!(r#"{{"api_token": {{"domain": "{}", "token": "{}"}}}}"#, served.url(), FakeOrg::TOKEN);
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let listen = format!("127.0.0.1:{port}");
    let public = format!("http://127.0.0.1:{port}/okta/events");
    let input =
        r#"{"items": ["group.lifecycle.create"], "headers": [{"key": "X-Shared", "value": "hook-header-secret"}]}"#;

    let mut child = command(Path::new(env!("CARGO_BIN_EXE_okta-connector")))
        .args(["hook", "serve", "--input", input, "--listen", &listen, "--public-url", &public, "--connection", &conn])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout_pipe = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout_pipe).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });

    let stderr_pipe = child.stderr.take().unwrap();
    let said = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let said_w = said.clone();
    let stderr_reader = std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr_pipe).lines() {
            let Ok(line) = line else { break };
            let mut s = said_w.lock().unwrap();
            s.push_str(&line);
            s.push('\n');
        }
    });

    // Deployed (created, verified through the component, activated) before it says so.
    let deadline = Instant::now() + Duration::from_secs(60);
    while !said.lock().unwrap().contains("deployed") {
        assert!(Instant::now() < deadline, "never deployed: {}", said.lock().unwrap());
        assert!(child.try_wait().unwrap().is_none(), "hook serve exited early: {}", said.lock().unwrap());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(org.requests().iter().any(|r| r.method == "POST" && r.path.ends_with("/lifecycle/verify")));

    let c = conn.clone();
    let made = tokio::task::spawn_blocking(move || {
        cli(&["run", "groups.create", "--input", r#"{"name": "Hook CLI group"}"#, "--connection", &c])
    })
    .await
    .unwrap();
    assert!(made.status.success(), "{}", stderr(&made));
    let group: Value = serde_json::from_slice(&made.stdout).unwrap();

    let line = rx.recv_timeout(Duration::from_secs(30)).expect("an event line on stdout");
    let event: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
    assert_eq!(event["eventType"], "group.lifecycle.create", "{event}");
    assert!(line.contains(group["id"].as_str().unwrap()), "the event names the new group: {line}");
    assert!(rx.recv_timeout(Duration::from_millis(500)).is_err(), "one event, printed once");

    let killed = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(killed.success());
    let status = tokio::task::spawn_blocking(move || {
        let status = child.wait().unwrap();
        stderr_reader.join().unwrap();
        (status, said.lock().unwrap().clone())
    })
    .await
    .unwrap();
    assert!(status.0.success(), "{}", status.1);
    assert!(status.1.contains("removed"), "{}", status.1);
    assert!(!status.1.contains("hook-header-secret") && !status.1.contains(FakeOrg::TOKEN), "{}", status.1);
    let deletes =
        org.requests().iter().filter(|r| r.method == "DELETE" && r.path.starts_with("/api/v1/eventHooks/")).count();
    assert_eq!(deletes, 1, "the hook was removed");
}

/// A server that answers every request 400 with an Okta error body quoting the request back:
/// its Authorization header and its body.
async fn echoing_server() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else { return };
            tokio::spawn(async move {
                let service = hyper::service::service_fn(|req: http::Request<hyper::body::Incoming>| async move {
                    use http_body_util::BodyExt as _;
                    let auth =
                        req.headers().get("authorization").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
                    let body = req.into_body().collect().await.map(|c| c.to_bytes()).unwrap_or_default();
                    let summary = format!("You sent {auth} and {}", String::from_utf8_lossy(&body));
                    let doc = serde_json::json!({
                        "errorCode": "E0000001", "errorSummary": summary, "errorId": "oae-echo",
                        "errorCauses": [{"errorSummary": summary}],
                    });
                    Ok::<_, std::convert::Infallible>(
                        http::Response::builder()
                            .status(400)
                            .header("content-type", "application/json")
                            .header("x-echo", auth)
                            .body(http_body_util::Full::new(bytes::Bytes::from(doc.to_string())))
                            .unwrap(),
                    )
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    url
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_a_server_echoes_never_reach_the_output_or_the_trace() {
    let url = echoing_server().await;
    let password = "Echoed-Passw0rd-4711";
    let conn = format!(r#"{{"api_token": {{"domain": "{url}", "token": "{SECRET}"}}}}"#);
    let input = format!(
        r#"{{"first_name": "E", "last_name": "Cho", "email": "e@example.com", "login": "e@example.com", "password": "{password}"}}"#
    );
    let o = tokio::task::spawn_blocking(move || {
        cli(&["run", "users.create", "--input", &input, "--connection", &conn, "--trace"])
    })
    .await
    .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let (out, err) = (stdout(&o), stderr(&o));
    assert!(err.contains("E0000001") && err.contains("[redacted]"), "the echo is shown, redacted:\n{err}");
    for secret in [SECRET, password] {
        assert!(!out.contains(secret) && !err.contains(secret), "{secret} leaked:\n{out}\n{err}");
    }
}

const KEY_FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/keys/rsa-pkcs8.pem");

#[test]
fn oauth_connections_take_their_secrets_from_files_and_the_environment() {
    use okta_fake_org::demo_apps::*;
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
    assert_eq!(c["client_id"], okta_fake_org::demo_apps::WEB_CLIENT_ID);
    assert!(c["access_token"].is_string() && c["refresh_token"].is_string());
    let err = stderr(&o);
    assert!(err.contains("https://fake-org.okta.com/oauth2/v1/authorize?client_id="), "{err}");
    assert!(err.contains("code_challenge_method=S256"), "{err}");
    assert!(err.contains("Requests: POST /oauth2/v1/token, GET /api/v1/users?limit=2"), "{err}");
    assert!(!err.contains(c["access_token"].as_str().unwrap()), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authorize_reads_the_redirect_from_standard_input() {
    use okta_fake_org::demo_apps::*;
    use std::io::{BufRead as _, BufReader, Write as _};
    let org = FakeOrg::seeded();
    org.register_demo_apps();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(org.clone().serve(listener));
    let conn = format!(
        r#"{{"oauth_code": {{"domain": "{origin}", "scopes": ["okta.users.read"], "client_id": "{WEB_CLIENT_ID}", "client_secret": "{WEB_CLIENT_SECRET}"}}}}"#
    );
    let mut child = command(Path::new(env!("CARGO_BIN_EXE_okta-connector")))
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

/// Fetch All of a list action is written as the pages arrive: one JSON array, one item per
/// line; `--jsonl` writes the items alone, one per line (Fetch All implied). Both hold every
/// user of the org once, in order, whatever the page size.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fetch_all_streams_a_json_array_or_json_lines() {
    let org = FakeOrg::empty();
    org.generate_users(1_234);
    org.set_rate_limit(1_000_000, Duration::from_secs(60));
    let served = ServedOrg::start(org.clone(), None, Delays::default()).await.unwrap();
    let conn = format!(r#"{{"api_token": {{"domain": "{}", "token": "{}"}}}}"#, served.url(), FakeOrg::TOKEN);
    let run = move |args: Vec<String>| {
        let mut all: Vec<String> = vec!["run".into(), "users.list".into(), "--connection".into(), conn.clone()];
        all.extend(args);
        let o = cli(&all.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(stderr(&o), "");
        String::from_utf8(o.stdout).unwrap()
    };
    let want = org.user_ids();
    let id = |item: &Value| item["id"].as_str().unwrap().to_string();
    let array = tokio::task::spawn_blocking({
        let run = run.clone();
        move || run(vec!["--input".into(), r#"{"fetch_all": true, "limit": 100}"#.into()])
    })
    .await
    .unwrap();
    assert!(array.starts_with("[\n{\"id\":") && array.ends_with("}\n]\n"), "{}", &array[..80]);
    assert_eq!(array.lines().count(), 1_234 + 2, "one line per item between the brackets");
    let items: Vec<Value> = serde_json::from_str(&array).expect("one JSON array");
    assert_eq!(items.iter().map(id).collect::<Vec<_>>(), want);

    let lines =
        tokio::task::spawn_blocking(move || run(vec!["--jsonl".into(), "--input".into(), r#"{"limit": 77}"#.into()]))
            .await
            .unwrap();
    let items: Vec<Value> = lines.lines().map(|l| serde_json::from_str(l).expect("a JSON line")).collect();
    assert_eq!(items.iter().map(id).collect::<Vec<_>>(), want);
    assert!(lines.ends_with("}\n"));
    assert_eq!(served.requests(), 13 + 17, "pages of 100, then of 77");
}

#[test]
fn jsonl_is_for_list_actions() {
    let o = cli(&["run", "users.get", "--fake-org", "--jsonl", "--input", r#"{"id": "x"}"#]);
    assert_eq!(o.status.code(), Some(2));
    let e = error(&o);
    assert_eq!(e["kind"], "usage");
    assert!(e["message"].as_str().unwrap().contains("not a list action"), "{e}");
}

/// Connects the fake org's demo web app for its admin (`offline_access`: a refresh token), as
/// `authorize` would, and gives the connection JSON with the tokens.
async fn connected_web_app(org: &FakeOrg, origin: &str) -> (Value, okta_harness::TokenSet) {
    use okta_fake_org::demo_apps::*;
    let c = okta_harness::oauth_code(origin, WEB_CLIENT_ID, WEB_CLIENT_SECRET, &["okta.users.read", "offline_access"]);
    let options = okta_harness::InstanceOptions { allow_local_orgs: true, ..Default::default() };
    let mut instance =
        crate::support::common::connector().instantiate_with(okta_harness::Backend::Network, options).await.unwrap();
    let start = instance.connections().begin_authorization(&c, WEB_REDIRECT_URI, "s").await.unwrap().unwrap();
    let back = org.authorize(&start.url).await.unwrap();
    let code = url::form_urlencoded::parse(back.split_once('?').unwrap().1.as_bytes())
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    let tokens =
        instance.connections().exchange_code(&c, &code, WEB_REDIRECT_URI, &start.code_verifier).await.unwrap().unwrap();
    let json = serde_json::json!({ "oauth_code": {
        "domain": origin, "scopes": ["okta.users.read", "offline_access"], "client_id": WEB_CLIENT_ID,
        "client_secret": WEB_CLIENT_SECRET, "access_token": tokens.access_token, "refresh_token": tokens.refresh_token,
    }});
    (json, tokens)
}

/// A run whose access token Okta no longer takes refreshes, and the refresh token rotates: the
/// CLI writes the new set back into the `--connection @FILE` it read (atomically, mode 0600),
/// so the next run presents it and needs no refresh; given inline, the new set is printed on
/// stderr with what to store.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotated_tokens_are_saved_back_to_the_connection_file() {
    let org = FakeOrg::seeded();
    org.register_demo_apps();
    let served = ServedOrg::start(org.clone(), None, Delays::default()).await.unwrap();
    let (json, first) = connected_web_app(&org, served.url()).await;
    let dir = scratch("rotated-tokens");
    let file = dir.join("web.json");
    std::fs::write(&file, serde_json::to_string_pretty(&json).unwrap()).unwrap();
    let arg = format!("@{}", file.display());

    org.revoke_access_tokens();
    let before = org.token_stats().requests;
    let a = arg.clone();
    let o = tokio::task::spawn_blocking(move || {
        cli(&["run", "users.list", "--input", r#"{"limit": 1}"#, "--connection", &a])
    })
    .await
    .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(org.token_stats().requests, before + 1, "one refresh");
    assert!(!stderr(&o).contains("warning"), "{}", stderr(&o));
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let rotated = saved["oauth_code"]["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(Some(rotated.as_str()), first.refresh_token.as_deref(), "the rotated refresh token was saved");
    assert_ne!(saved["oauth_code"]["access_token"].as_str(), Some(first.access_token.as_str()));
    assert_eq!(saved["oauth_code"]["client_secret"], json["oauth_code"]["client_secret"], "the rest as it was");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    }
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1, "no temporary file left behind");

    // The next run presents the saved set: its access token works, nothing is refreshed.
    let a = arg.clone();
    let o = tokio::task::spawn_blocking(move || {
        cli(&["run", "users.list", "--input", r#"{"limit": 1}"#, "--connection", &a])
    })
    .await
    .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(org.token_stats().requests, before + 1, "no second refresh");
    let unchanged: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(unchanged, saved);

    // Inline: nowhere to write, so the new set is printed on stderr with what to store.
    org.revoke_access_tokens();
    let inline = serde_json::to_string(&saved).unwrap();
    let o = tokio::task::spawn_blocking(move || {
        cli(&["run", "users.list", "--input", r#"{"limit": 1}"#, "--connection", &inline])
    })
    .await
    .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let warning = stderr(&o);
    assert!(warning.contains("warning") && warning.contains("Store these"), "{warning}");
    let newest = warning.split("Store these").nth(1).unwrap();
    assert!(newest.contains("refresh_token") && !newest.contains(&rotated), "a newer refresh token: {warning}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A device connection's rotated tokens go back to its file like an `oauth_code` one's: the
/// native app signed in through the device authorization, its access token revoked, one run
/// refreshes and the file gets the new set (the rest as it was); the next run needs no refresh.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotated_device_tokens_are_saved_back_to_the_connection_file() {
    use okta_fake_org::demo_apps::*;
    use okta_harness::DevicePoll;
    let org = FakeOrg::seeded();
    org.register_demo_apps();
    org.set_device_interval(Duration::from_secs(1));
    let served = ServedOrg::start(org.clone(), None, Delays::default()).await.unwrap();
    let c = okta_harness::oauth_device(served.url(), NATIVE_CLIENT_ID, &NATIVE_SCOPES);
    let options = okta_harness::InstanceOptions { allow_local_orgs: true, ..Default::default() };
    let mut instance =
        crate::support::common::connector().instantiate_with(okta_harness::Backend::Network, options).await.unwrap();
    let start = instance.connections().begin_device_authorization(&c).await.unwrap().unwrap();
    org.decide_device(&start.user_code, true).unwrap();
    tokio::time::sleep(Duration::from_secs(u64::from(start.interval))).await;
    let DevicePoll::Tokens(first) =
        instance.connections().poll_device_authorization(&c, &start.device_code).await.unwrap().unwrap()
    else {
        panic!("tokens after the user allowed");
    };
    let json = serde_json::json!({ "oauth_device": {
        "domain": served.url(), "scopes": NATIVE_SCOPES, "client_id": NATIVE_CLIENT_ID,
        "access_token": first.access_token, "refresh_token": first.refresh_token,
    }});
    let dir = scratch("rotated-device-tokens");
    let file = dir.join("native.json");
    std::fs::write(&file, serde_json::to_string_pretty(&json).unwrap()).unwrap();
    let arg = format!("@{}", file.display());

    org.revoke_access_tokens();
    let before = org.token_stats().requests;
    let run = |arg: String| {
        tokio::task::spawn_blocking(move || {
            cli(&["run", "users.list", "--input", r#"{"limit": 1}"#, "--connection", &arg])
        })
    };
    let o = run(arg.clone()).await.unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(org.token_stats().requests, before + 1, "one refresh");
    assert!(!stderr(&o).contains("warning"), "{}", stderr(&o));
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_ne!(saved["oauth_device"]["refresh_token"].as_str(), first.refresh_token.as_deref(), "rotated, saved");
    assert_ne!(saved["oauth_device"]["access_token"].as_str(), Some(first.access_token.as_str()));
    for field in ["domain", "scopes", "client_id"] {
        assert_eq!(saved["oauth_device"][field], json["oauth_device"][field], "{field} as it was");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let o = run(arg).await.unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(org.token_stats().requests, before + 1, "the saved set works: no second refresh");
    std::fs::remove_dir_all(&dir).unwrap();
}
