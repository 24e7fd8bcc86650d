//! The `okta-connector` command line: list, describe and run the component's actions, serve
//! the fake org, and give the demo tour.
//!
//! Arguments are parsed by hand: five subcommands with a handful of flags do not justify a
//! parser dependency (and its build time) in a crate whose build is dominated by wasmtime.

use std::io::{Read as _, Write as _};
use std::process::ExitCode;

use anyhow::{anyhow, Context as _, Result};
use serde_json::{json, Value};

use okta_host::fake_org::FakeOrg;
use okta_host::harness::{
    api_token, client_credentials, connection_from_json, error_json, redact_body, render, Backend, Connection,
    Connector, Instance,
};

const USAGE: &str = "\
okta-connector: run the Okta connector component (wasm32-wasip2) from the command line

USAGE
  okta-connector actions [--json]
      List every action: id and label.
  okta-connector describe ACTION [--json]
      Show an action: what it does, its inputs with their types, defaults and comments
      (--json: the catalog entry with its JSON Schema).
  okta-connector run ACTION [--input JSON|@FILE] [--connection JSON|@FILE] [--fake-org] [--trace]
      Run an action. The input is a JSON object keyed by the input's field names in
      snake_case (`first_name`, `send_email`); `@-` reads standard input. Prints the result
      as JSON on stdout; on failure prints {\"error\": {...}} on stderr.
      --fake-org  answer from the embedded fake org even when a connection is given
      --trace     print every HTTP exchange on stderr (credentials redacted)
  okta-connector authorize [--connection JSON|@FILE] [--redirect-uri URI] [--fake-org]
      The OAuth 2.0 authorization-code flow for an `oauth_code` connection: prints the
      authorize URL, reads the URL the browser was sent back to on standard input, exchanges
      the code and prints the connection with its tokens (secret) for --connection.
      --fake-org  the embedded fake org's admin approves at once (its demo web app unless
                  --connection names another); then lists two users with the new tokens
  okta-connector fake-org [--port N] [--users N]
      Serve the fake Okta org on 127.0.0.1 (port 0: any free port) until Ctrl-C, seeded,
      plus N generated users, with an OAuth web app and a DPoP service app (printed).
  okta-connector demo
      A tour of the Users actions against the embedded fake org, then two actions through a
      service app (client credentials with DPoP).
  okta-connector help

CONNECTION (--connection: JSON, or @FILE)
  {\"api_token\": {\"domain\": \"acme.okta.com\", \"token\": \"...\"}}
  {\"oauth_code\": {\"domain\": \"acme.okta.com\", \"scopes\": [\"okta.users.read\"], \"client_id\": \"...\",
                  \"client_secret\": \"...\", \"access_token\": \"...\", \"refresh_token\": \"...\"}}
  {\"client_credentials\": {\"domain\": \"acme.okta.com\", \"client_id\": \"...\",
                          \"private_key\": \"-----BEGIN PRIVATE KEY-----...\", \"key_id\": \"...\",
                          \"scopes\": \"okta.users.read okta.users.manage\"}}
  Fields are the WIT records' fields in snake_case; `access_token`, `refresh_token` and
  `key_id` may be left out. Requests go to the network (--fake-org: to the embedded fake org,
  which knows the demo OAuth apps `okta-connector fake-org` prints). Any field may point at
  its value instead of holding it: {\"env\": \"OKTA_CLIENT_SECRET\"} (an environment variable)
  or {\"file\": \"okta-key.pem\"} (a file), so secrets stay out of the JSON and shell history.
  Without --connection: OKTA_CLIENT_ORGURL and OKTA_CLIENT_TOKEN (the Okta SDKs' names) give
  an API-token connection to that org; without those, the embedded fake org answers
  in-process at https://fake-org.okta.com.

ENVIRONMENT
  OKTA_CONNECTOR_WASM   the component (default: target/wasm32-wasip2/release/okta_connector.wasm
                        in this repository; build it with `make build`)
  OKTA_GUEST_STDERR=1   show the component's own stderr

EXIT STATUS
  0 success, 1 the action (or the host) failed, 2 usage error.
";

/// The domain the in-process fake org is reached at (it answers any origin).
pub const FAKE_ORG_DOMAIN: &str = "https://fake-org.okta.com";

enum Command {
    Help,
    Actions { json: bool },
    Describe { action: String, json: bool },
    Run { action: String, input: String, connection: Option<String>, fake_org: bool, trace: bool },
    FakeOrg { port: u16, users: usize },
    Authorize { connection: Option<String>, redirect: Option<String>, fake_org: bool },
    Demo,
}

/// A failure and the exit status it gives.
enum Failure {
    Usage(String),
    /// The action's error, already shown.
    Action(Value),
    Host(anyhow::Error),
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Failure::Host(e)
    }
}

pub fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = parse(&args).and_then(|command| {
        let runtime =
            tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| Failure::Host(e.into()))?;
        runtime.block_on(execute(command))
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(message)) => {
            print_error(&json!({ "kind": "usage", "message": message, "hint": "okta-connector help" }));
            ExitCode::from(2)
        }
        Err(Failure::Action(error)) => {
            print_error(&error);
            ExitCode::from(1)
        }
        Err(Failure::Host(e)) => {
            print_error(&json!({ "kind": "host", "message": format!("{e:#}") }));
            ExitCode::from(1)
        }
    }
}

fn print_error(error: &Value) {
    let text = serde_json::to_string_pretty(&json!({ "error": error })).unwrap_or_default();
    let _ = writeln!(std::io::stderr(), "{text}");
}

fn parse(args: &[String]) -> Result<Command, Failure> {
    let usage = |m: String| Failure::Usage(m);
    let Some((sub, rest)) = args.split_first() else {
        return Ok(Command::Help);
    };
    let mut positional = Vec::new();
    let mut flags: Vec<(String, Option<String>)> = Vec::new();
    let mut i = 0;
    while i < rest.len() {
        let arg = &rest[i];
        if let Some(flag) = arg.strip_prefix("--") {
            let (name, inline) = match flag.split_once('=') {
                Some((n, v)) => (n.to_string(), Some(v.to_string())),
                None => (flag.to_string(), None),
            };
            let takes_value = matches!(name.as_str(), "input" | "connection" | "port" | "users" | "redirect-uri");
            let value = match (takes_value, inline) {
                (true, Some(v)) => Some(v),
                (true, None) => {
                    i += 1;
                    Some(rest.get(i).cloned().ok_or_else(|| usage(format!("--{name} needs a value")))?)
                }
                (false, Some(_)) => return Err(usage(format!("--{name} takes no value"))),
                (false, None) => None,
            };
            if flags.iter().any(|(n, _)| *n == name) {
                return Err(usage(format!("--{name} given twice")));
            }
            flags.push((name, value));
        } else if arg == "-h" {
            flags.push(("help".into(), None));
        } else {
            positional.push(arg.clone());
        }
        i += 1;
    }
    if flags.iter().any(|(n, _)| n == "help") || matches!(sub.as_str(), "help" | "-h" | "--help") {
        return Ok(Command::Help);
    }
    let allowed: &[&str] = match sub.as_str() {
        "actions" => &["json"],
        "describe" => &["json"],
        "run" => &["input", "connection", "fake-org", "trace"],
        "fake-org" => &["port", "users"],
        "authorize" => &["connection", "redirect-uri", "fake-org"],
        "demo" => &[],
        other => return Err(usage(format!("unknown command `{other}`"))),
    };
    if let Some((bad, _)) = flags.iter().find(|(n, _)| !allowed.contains(&n.as_str())) {
        return Err(usage(format!("`{sub}` takes no --{bad}")));
    }
    let flag = |name: &str| flags.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
    let wanted_positional = usize::from(matches!(sub.as_str(), "describe" | "run"));
    if positional.len() != wanted_positional {
        return Err(usage(match wanted_positional {
            0 => format!("`{sub}` takes no argument, got `{}`", positional.join(" ")),
            _ => format!("`{sub}` takes one ACTION (see `okta-connector actions`)"),
        }));
    }
    Ok(match sub.as_str() {
        "actions" => Command::Actions { json: flag("json").is_some() },
        "describe" => Command::Describe { action: positional.remove(0), json: flag("json").is_some() },
        "run" => Command::Run {
            action: positional.remove(0),
            input: match flag("input").flatten() {
                Some(v) => read_arg("--input", &v)?,
                None => "{}".to_string(),
            },
            connection: flag("connection").flatten().map(|v| read_arg("--connection", &v)).transpose()?,
            fake_org: flag("fake-org").is_some(),
            trace: flag("trace").is_some(),
        },
        "fake-org" => Command::FakeOrg {
            port: match flag("port").flatten() {
                Some(p) => p.parse().map_err(|_| usage(format!("--port: `{p}` is not a port number")))?,
                None => 0,
            },
            users: match flag("users").flatten() {
                Some(n) => n.parse().map_err(|_| usage(format!("--users: `{n}` is not a count")))?,
                None => 0,
            },
        },
        "authorize" => Command::Authorize {
            connection: flag("connection").flatten().map(|v| read_arg("--connection", &v)).transpose()?,
            redirect: flag("redirect-uri").flatten(),
            fake_org: flag("fake-org").is_some(),
        },
        _ => Command::Demo,
    })
}

/// `JSON`, `@FILE`, or `@-` for standard input.
fn read_arg(flag: &str, value: &str) -> Result<String, Failure> {
    match value.strip_prefix('@') {
        Some("-") => {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .map_err(|e| Failure::Usage(format!("{flag}: cannot read standard input: {e}")))?;
            Ok(s)
        }
        Some(path) => {
            std::fs::read_to_string(path).map_err(|e| Failure::Usage(format!("{flag}: cannot read {path}: {e}")))
        }
        None => Ok(value.to_string()),
    }
}

async fn execute(command: Command) -> Result<(), Failure> {
    match command {
        Command::Help => {
            print!("{USAGE}");
            Ok(())
        }
        Command::Actions { json } => actions(json).await,
        Command::Describe { action, json } => describe(&action, json).await,
        Command::Run { action, input, connection, fake_org, trace } => {
            run(&action, &input, connection.as_deref(), fake_org, trace).await
        }
        Command::FakeOrg { port, users } => serve_fake_org(port, users).await,
        Command::Authorize { connection, redirect, fake_org } => {
            let fake = fake_org.then_some(FAKE_ORG_DOMAIN);
            let stored = crate::authorize::authorize(connection.as_deref(), redirect.as_deref(), fake)
                .await
                .map_err(|e| Failure::Action(json!({ "kind": "authorize", "message": format!("{e:#}") })))?;
            println!("{}", serde_json::to_string_pretty(&stored).unwrap_or_default());
            Ok(())
        }
        Command::Demo => demo().await,
    }
}

async fn catalog() -> Result<Value> {
    let connector = Connector::load_default()?;
    let mut instance = connector.instantiate(Backend::Network).await?;
    instance.describe_json().await
}

fn catalog_actions(catalog: &Value) -> Vec<Value> {
    catalog.get("actions").and_then(Value::as_array).cloned().unwrap_or_default()
}

async fn actions(as_json: bool) -> Result<(), Failure> {
    let actions = catalog_actions(&catalog().await?);
    let field = |a: &Value, k: &str| a.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    if as_json {
        let list: Vec<Value> =
            actions.iter().map(|a| json!({ "id": field(a, "id"), "label": field(a, "label") })).collect();
        println!("{}", serde_json::to_string_pretty(&list).unwrap_or_default());
        return Ok(());
    }
    let width = actions.iter().map(|a| field(a, "id").len()).max().unwrap_or(0);
    for a in &actions {
        println!("{:width$}  {}", field(a, "id"), field(a, "label"));
    }
    Ok(())
}

async fn describe(action: &str, as_json: bool) -> Result<(), Failure> {
    let catalog = catalog().await?;
    let actions = catalog_actions(&catalog);
    let Some(entry) = actions.iter().find(|a| a.get("id").and_then(Value::as_str) == Some(action)) else {
        let ids: Vec<&str> = actions.iter().filter_map(|a| a.get("id").and_then(Value::as_str)).collect();
        return Err(Failure::Usage(format!("unknown action `{action}`; actions: {}", ids.join(", "))));
    };
    if as_json {
        println!("{}", serde_json::to_string_pretty(entry).unwrap_or_default());
    } else {
        print!("{}", describe_text(entry));
    }
    Ok(())
}

/// An action's catalog entry as text: header, comment, details, then each input.
fn describe_text(entry: &Value) -> String {
    let s = |k: &str| entry.get(k).and_then(Value::as_str).unwrap_or("");
    let mut out = format!("{}: {}\n", s("id"), s("label"));
    for k in ["comment", "details"] {
        if !s(k).is_empty() {
            out.push_str(&format!("\n{}\n", s(k)));
        }
    }
    let schema = entry.get("input_schema").cloned().unwrap_or(Value::Null);
    let has_inputs = schema.get("properties").and_then(Value::as_object).is_some_and(|p| !p.is_empty());
    if has_inputs {
        out.push_str("\nInput (a JSON object; keys in snake_case):\n");
        schema_fields(&schema, 1, &mut out);
    } else {
        out.push_str("\nInput: none (pass {}).\n");
    }
    out
}

fn schema_fields(schema: &Value, depth: usize, out: &mut String) {
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return;
    };
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let indent = "  ".repeat(depth);
    let mut names: Vec<&String> = props.keys().collect();
    // Required fields first, then the catalog's order (alphabetical).
    names.sort_by_key(|n| !required.contains(&n.as_str()));
    for name in names {
        let p = &props[name];
        let mut facts = vec![type_name(p)];
        if required.contains(&name.as_str()) {
            facts.push("required".into());
        }
        if let Some(d) = p.get("default") {
            facts.push(format!("default: {d}"));
        }
        out.push_str(&format!("{indent}{name} ({})\n", facts.join(", ")));
        let title = p.get("title").and_then(Value::as_str).unwrap_or("");
        let description = p.get("description").and_then(Value::as_str).unwrap_or("");
        let text = match (title.is_empty(), description.is_empty()) {
            (false, false) => format!("{title}: {description}"),
            (false, true) => title.to_string(),
            _ => description.to_string(),
        };
        if !text.is_empty() {
            out.push_str(&format!("{indent}    {text}\n"));
        }
        let nested = match p.get("items") {
            Some(items) if items.get("properties").is_some() => Some(items),
            _ if p.get("properties").is_some() => Some(p),
            _ => None,
        };
        if let Some(n) = nested {
            schema_fields(n, depth + 2, out);
        }
    }
}

fn type_name(p: &Value) -> String {
    let t = match p.get("type") {
        Some(Value::String(t)) => t.clone(),
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(" | "),
        _ => "any".to_string(),
    };
    match (t.as_str(), p.get("items").and_then(|i| i.get("type")).and_then(Value::as_str)) {
        ("array", Some(item)) => format!("array of {item}"),
        _ => t,
    }
}

/// The connection and backend `run` uses (see USAGE).
fn choose_connection(given: Option<&str>, force_fake: bool) -> Result<(Connection, Backend), Failure> {
    let backend = |network: bool| {
        if network && !force_fake {
            Backend::Network
        } else {
            let org = FakeOrg::seeded();
            org.register_demo_apps();
            Backend::FakeOrg(org)
        }
    };
    if let Some(text) = given {
        let c = connection_from_json(text).map_err(|e| Failure::Usage(format!("--connection: {e:#}")))?;
        return Ok((c, backend(true)));
    }
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
    match (env("OKTA_CLIENT_ORGURL"), env("OKTA_CLIENT_TOKEN")) {
        (Some(url), Some(token)) if !force_fake => Ok((api_token(&url, &token), Backend::Network)),
        _ => Ok((api_token(FAKE_ORG_DOMAIN, FakeOrg::TOKEN), backend(false))),
    }
}

async fn run(
    action: &str,
    input: &str,
    connection: Option<&str>,
    force_fake: bool,
    trace: bool,
) -> Result<(), Failure> {
    let (connection, backend) = choose_connection(connection, force_fake)?;
    let connector = Connector::load_default()?;
    let mut instance = connector.instantiate(backend).await?;
    let result = instance.invoke(action, &connection, input).await;
    if trace {
        eprint!("{}", render(&instance.exchanges()));
    }
    match result? {
        Ok(text) => {
            println!("{}", pretty_json(&text));
            Ok(())
        }
        Err(e) => Err(Failure::Action(error_json(&e))),
    }
}

async fn serve_fake_org(port: u16, users: usize) -> Result<(), Failure> {
    let org = FakeOrg::seeded();
    if users > 0 {
        org.generate_users(users);
    }
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .with_context(|| format!("cannot listen on 127.0.0.1:{port}"))?;
    let url = format!("http://{}", listener.local_addr().context("no local address")?);
    let connection = json!({ "api_token": { "domain": url, "token": FakeOrg::TOKEN } });
    println!("Fake Okta org at {url} ({} users)", org.user_count());
    println!("API token: {}", FakeOrg::TOKEN);
    org.register_demo_apps();
    {
        use okta_host::fake_org::demo_apps::*;
        println!("OAuth web app: {WEB_CLIENT_ID} {WEB_CLIENT_SECRET} {WEB_REDIRECT_URI}");
        println!("OAuth service app (DPoP): {SERVICE_CLIENT_ID} kid {SERVICE_KEY_ID}, key fixtures/keys/rsa-pkcs8.pem");
    }
    println!("Try: okta-connector run users.list --input '{{\"limit\": 2}}' --connection '{connection}'");
    println!("Ctrl-C to stop.");
    let _ = std::io::stdout().flush();
    org.serve(listener).await.context("the fake org stopped")?;
    Ok(())
}

/// Indents JSON text without parsing it into a map, so Okta's key order survives (the text
/// comes from the component, which passes Okta's JSON through as sent).
fn pretty_json(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    let mut chars = text.trim().chars().peekable();
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        out.push_str(&"  ".repeat(depth));
    };
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' => {
                out.push(c);
                while chars.peek().is_some_and(|c| c.is_whitespace()) {
                    chars.next();
                }
                match chars.peek() {
                    Some(&close) if close == '}' || close == ']' => {
                        out.push(close);
                        chars.next();
                    }
                    _ => {
                        depth += 1;
                        newline(&mut out, depth);
                    }
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c if c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    out
}

/// The `make demo` tour: one user through its lifecycle, and a paged listing.
async fn demo() -> Result<(), Failure> {
    let connector = Connector::load_default()?;
    let org = FakeOrg::seeded();
    let connection = api_token(FAKE_ORG_DOMAIN, FakeOrg::TOKEN);
    println!("Okta connector demo: the Users actions against the embedded fake Okta org");
    println!("({FAKE_ORG_DOMAIN}, answered in-process; {} users seeded)\n", org.user_count());
    let mut tour = Tour { connector: &connector, org, connection };

    let user = tour
        .step(
            "users.create",
            json!({
                "login": "ada.lovelace@example.com",
                "email": "ada.lovelace@example.com",
                "first_name": "Ada",
                "last_name": "Lovelace",
                "department": "Analytical Engines",
                "password": "Demo-Passw0rd!2026",
                "activate": false
            }),
        )
        .await?;
    let id = user.get("id").and_then(Value::as_str).ok_or_else(|| anyhow!("users.create returned no id"))?.to_string();
    tour.step("users.activate", json!({ "id": id, "send_email": false })).await?;
    let page = tour.step("users.list", json!({ "limit": 2 })).await?;
    if let Some(cursor) = page.get("next_cursor").and_then(Value::as_str) {
        tour.step("users.list", json!({ "limit": 2, "after": cursor })).await?;
    }
    tour.step("users.suspend", json!({ "id": id })).await?;
    tour.step("users.unsuspend", json!({ "id": id })).await?;
    tour.step("users.reset-password", json!({ "id": id, "send_email": false })).await?;
    tour.step("users.delete", json!({ "id": id })).await?;
    // Gone: the last call shows the not-found error a deleted user gives.
    match tour.step("users.get", json!({ "id": id })).await {
        Err(Failure::Action(e)) if e["kind"] == "not-found" => {}
        Err(other) => return Err(other),
        Ok(_) => return Err(Failure::Host(anyhow!("users.get still finds the deleted user"))),
    }
    println!("\nDone: {} users left in the fake org.", tour.org.user_count());
    demo_service_app(&connector, &tour.org).await
}

/// The demo's second part: a service app (client credentials, `private_key_jwt`, DPoP), two
/// actions in one instance: the nonce challenge, one token, then proofs on every call.
async fn demo_service_app(connector: &Connector, org: &FakeOrg) -> Result<(), Failure> {
    use okta_host::fake_org::demo_apps::{SERVICE_CLIENT_ID, SERVICE_KEY_ID};
    const KEY: &str = include_str!("../../fixtures/keys/rsa-pkcs8.pem");
    org.register_demo_apps();
    println!("\nThe same org through a service app: client credentials with a private_key_jwt assertion");
    println!("(RS256, fixtures/keys/rsa-pkcs8.pem, kid {SERVICE_KEY_ID}) and DPoP, two actions in one instance\n");
    let connection = client_credentials(
        FAKE_ORG_DOMAIN,
        SERVICE_CLIENT_ID,
        KEY,
        Some(SERVICE_KEY_ID),
        "okta.users.read okta.groups.read",
    );
    let mut instance = connector.instantiate(Backend::FakeOrg(org.clone())).await?;
    for (action, input) in [("users.list", json!({ "limit": 2 })), ("groups.list", json!({ "limit": 2 }))] {
        println!("{action} {input}");
        let before = instance.exchanges().len();
        let result = instance.invoke_json(action, &connection, &input).await?;
        for e in &instance.exchanges()[before..] {
            let auth = e.request_header("authorization").and_then(|a| a.split_once(' ')).map_or("none", |(s, _)| s);
            let answer = match e.response_json() {
                Some(j) if j.get("error").is_some() => format!(" ({})", j["error"].as_str().unwrap_or("")),
                Some(j) if j.get("token_type").is_some() => {
                    format!(" (token_type {})", j["token_type"].as_str().unwrap_or(""))
                }
                _ => String::new(),
            };
            let proof = if e.request_header("dpop").is_some() { ", DPoP proof" } else { "" };
            println!("  -> {} {}{answer}  [Authorization: {auth}{proof}]", e.line(), e.status.unwrap_or(0));
        }
        match result {
            Ok(v) => {
                let names: Vec<&str> = v["items"]
                    .as_array()
                    .map(|items| {
                        items
                            .iter()
                            .filter_map(|i| i["profile"]["login"].as_str().or(i["profile"]["name"].as_str()))
                            .collect()
                    })
                    .unwrap_or_default();
                println!("  => {}\n", names.join(", "));
            }
            Err(e) => return Err(Failure::Action(error_json(&e))),
        }
    }
    Ok(())
}

struct Tour<'a> {
    connector: &'a Connector,
    org: FakeOrg,
    connection: Connection,
}

impl Tour<'_> {
    /// Runs one action in a fresh instance, printing the call and its (summarised) result.
    async fn step(&mut self, action: &str, input: Value) -> Result<Value, Failure> {
        println!("{action} {}", redact_body(input.to_string().as_bytes()));
        let mut instance: Instance = self.connector.instantiate(Backend::FakeOrg(self.org.clone())).await?;
        let requests = |i: &Instance| i.exchanges().iter().map(|e| e.line()).collect::<Vec<_>>().join(", ");
        match instance.invoke_json(action, &self.connection, &input).await? {
            Ok(v) => {
                println!("  -> {}", requests(&instance));
                println!("  => {}\n", summarise(&v));
                Ok(v)
            }
            Err(e) => {
                println!("  -> {}", requests(&instance));
                println!("  => error {}\n", error_json(&e));
                Err(Failure::Action(error_json(&e)))
            }
        }
    }
}

/// Users shrink to id, status and names; pages to their summarised items and cursor.
fn summarise(v: &Value) -> Value {
    if let Some(items) = v.get("items").and_then(Value::as_array) {
        return json!({
            "items": items.iter().map(summarise).collect::<Vec<_>>(),
            "next_cursor": v.get("next_cursor").cloned().unwrap_or(Value::Null),
        });
    }
    match (v.get("id"), v.get("status"), v.get("profile")) {
        (Some(id), Some(status), Some(profile)) => {
            let mut p = serde_json::Map::new();
            for k in ["login", "firstName", "lastName"] {
                if let Some(x) = profile.get(k) {
                    p.insert(k.into(), x.clone());
                }
            }
            json!({ "id": id, "status": status, "profile": p })
        }
        _ => v.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pretty_json_keeps_key_order_and_strings() {
        let text = r#"{"z":1,"a":{"s":"x, {y}: \"q\"","e":{},"l":[]},"n":[1,2]}"#;
        let pretty = pretty_json(text);
        let reparsed: Value = serde_json::from_str(&pretty).unwrap();
        assert_eq!(reparsed, serde_json::from_str::<Value>(text).unwrap());
        assert!(pretty.starts_with("{\n  \"z\": 1,\n  \"a\": {"), "{pretty}");
        assert!(pretty.contains("\"e\": {}"), "{pretty}");
        assert!(pretty.contains("\"s\": \"x, {y}: \\\"q\\\"\""), "{pretty}");
    }

    #[test]
    fn usage_errors_are_caught_before_anything_runs() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        for bad in [
            &["bogus"][..],
            &["run"],
            &["run", "a", "b"],
            &["describe"],
            &["actions", "--input", "{}"],
            &["run", "users.get", "--input"],
            &["run", "users.get", "--trace=yes"],
            &["fake-org", "--port", "http"],
            &["run", "users.get", "--input", "{}", "--input", "{}"],
        ] {
            assert!(matches!(parse(&args(bad)), Err(Failure::Usage(_))), "{bad:?}");
        }
        assert!(matches!(parse(&args(&[])), Ok(Command::Help)));
        assert!(matches!(parse(&args(&["run", "x", "--help"])), Ok(Command::Help)));
        match parse(&args(&["run", "users.get", "--input={\"id\":\"1\"}", "--trace"])) {
            Ok(Command::Run { action, input, connection: None, fake_org: false, trace: true }) => {
                assert_eq!(action, "users.get");
                assert_eq!(input, "{\"id\":\"1\"}");
            }
            _ => panic!("run not parsed"),
        }
    }
}
