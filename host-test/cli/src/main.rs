//! The `okta-connector` command line: list, describe and run the component's actions, serve
//! the fake org, give the demo tour, print shell completions.
//!
//! * `args`: the grammar (clap), help, usage errors as JSON;
//! * `output`: stdout and stderr without panics (a closed pipe ends the command quietly);
//! * `watch`: `--trace` and the progress line, from each exchange as it completes;
//! * `stream`: a list action's items written page by page as the listing reads them;
//! * `text`: describe's text and order-keeping JSON indentation; `demo`: the tour.
//!
//! Exit status: 0 success; 1 the action or the host failed, `{"error": {...}}` on stderr;
//! 2 usage error, `{"error": {"kind": "usage", ...}}` on stderr.
//!
//! The component is built into the binary (`host-test/cli/build.rs`) and compiled once per user
//! into `Connector::user_cache_dir()`; `OKTA_CONNECTOR_WASM` names another one.

mod args;
mod authorize;
mod catalog;
mod demo;
mod mcp;
pub(crate) mod output;
mod receiver;
mod stream;
mod text;
mod tokens;
mod triggers;
mod watch;

use std::io::{IsTerminal as _, Read as _};
use std::process::ExitCode;

use anyhow::{Context as _, Result};
use clap::{CommandFactory as _, Parser as _};
use serde_json::{json, Value};

use okta_fake_org::FakeOrg;
use okta_harness::{
    api_token, connection_from_json, connection_secrets, error_json, scrub, Backend, Connection, Connector,
    InstanceOptions, Record,
};

use args::{Cli, Command, RunArgs};
use catalog::{Catalog, Kind};
use output::{err, outln};

/// The domain the in-process fake org is reached at (it answers any origin).
pub const FAKE_ORG_DOMAIN: &str = "https://fake-org.okta.com";

/// The release component this binary carries (see `host-test/cli/build.rs`).
static EMBEDDED_COMPONENT: &[u8] = include_bytes!(env!("OKTA_CONNECTOR_COMPONENT"));

/// A failure and the exit status it gives.
pub enum Failure {
    Usage(Value),
    /// The action's error.
    Action(Value),
    Host(anyhow::Error),
    /// Stdout's reader has gone: stop, say nothing.
    Closed,
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Failure::Host(e)
    }
}

/// A usage error with this message.
pub(crate) fn usage(message: impl Into<String>) -> Failure {
    Failure::Usage(json!({ "kind": "usage", "message": message.into(), "hint": "okta-connector help" }))
}

pub fn main() -> ExitCode {
    let result = match Cli::try_parse() {
        Ok(cli) => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Failure::Host(e.into()))
            .and_then(|runtime| runtime.block_on(execute(cli.command))),
        Err(e) => match e.kind() {
            clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                output::out(&styled(e.render()))
            }
            _ => Err(Failure::Usage(args::usage_error(&e))),
        },
    };
    match result {
        Ok(()) | Err(Failure::Closed) => ExitCode::SUCCESS,
        Err(Failure::Usage(error)) => {
            print_error(&error);
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

/// clap's help text, in colour only on a terminal.
fn styled(text: clap::builder::StyledStr) -> String {
    if std::io::stdout().is_terminal() {
        text.ansi().to_string()
    } else {
        text.to_string()
    }
}

fn print_error(error: &Value) {
    let text = serde_json::to_string_pretty(&json!({ "error": error })).unwrap_or_default();
    err(&format!("{text}\n"));
}

async fn execute(command: Option<Command>) -> Result<(), Failure> {
    match command {
        None => output::out(&format!("{}\n", styled(Cli::command().render_help()))),
        Some(Command::Actions { json }) => actions(json).await,
        Some(Command::Catalog) => print_catalog().await,
        Some(Command::Describe { id, json }) => describe(&id, json).await,
        Some(Command::Run(args)) => run(args).await,
        Some(Command::Poll(args)) => triggers::poll(&load_connector()?, args).await,
        Some(Command::Hook { command: args::HookCommand::Serve(args) }) => {
            triggers::serve(std::sync::Arc::new(load_connector()?), args).await
        }
        Some(Command::Authorize(args)) => {
            let connection = args.connection.as_deref().map(|c| read_arg("--connection", c)).transpose()?;
            let fake = args.fake_org.then_some(FAKE_ORG_DOMAIN);
            let stored = if args.device {
                authorize::authorize_device(connection.as_deref(), fake).await
            } else {
                authorize::authorize(connection.as_deref(), args.redirect_uri.as_deref(), fake).await
            }
            .map_err(|e| Failure::Action(json!({ "kind": "authorize", "message": format!("{e:#}") })))?;
            match &args.save {
                Some(path) => {
                    let text = serde_json::to_string_pretty(&stored).unwrap_or_default() + "\n";
                    tokens::write_private(path, text.as_bytes())
                        .map_err(|e| Failure::Host(anyhow::anyhow!("cannot write {}: {e}", path.display())))?;
                    output::err(&format!("Saved to {} (readable by you only).\n", path.display()));
                    Ok(())
                }
                None => outln!("{}", serde_json::to_string_pretty(&stored).unwrap_or_default()),
            }
        }
        Some(Command::Mcp(args)) => mcp::serve(args).await,
        Some(Command::FakeOrg(args)) => {
            okta_fake_org::serve::serve(&args, |line| outln!("{line}").map_err(|_| anyhow::anyhow!("stdout closed")))
                .await
                .map_err(Failure::Host)
        }
        Some(Command::Demo) => demo::demo(std::sync::Arc::new(load_connector()?)).await,
        Some(Command::Completions { shell }) => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "okta-connector", &mut script);
            output::out(&String::from_utf8_lossy(&script))
        }
    }
}

/// The component: `OKTA_CONNECTOR_WASM` when set, else the one built into this binary.
fn load_connector() -> Result<Connector> {
    match std::env::var_os("OKTA_CONNECTOR_WASM").filter(|p| !p.is_empty()) {
        Some(path) => Connector::load(&path).with_context(|| format!("OKTA_CONNECTOR_WASM={}", path.to_string_lossy())),
        None => {
            Connector::load_bytes(EMBEDDED_COMPONENT, "okta_connector.wasm", Connector::user_cache_dir().as_deref())
        }
    }
}

/// `JSON`, `@FILE`, or `@-` for standard input.
pub(crate) fn read_arg(flag: &str, value: &str) -> Result<String, Failure> {
    match value.strip_prefix('@') {
        Some("-") => {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .map_err(|e| usage(format!("{flag}: cannot read standard input: {e}")))?;
            Ok(s)
        }
        Some(path) => std::fs::read_to_string(path).map_err(|e| usage(format!("{flag}: cannot read {path}: {e}"))),
        None => Ok(value.to_string()),
    }
}

/// The catalog's text as the component returns it, and a newline.
async fn print_catalog() -> Result<(), Failure> {
    let connector = load_connector()?;
    // Describing sends nothing: a script with no steps fails any request.
    let mut instance = connector.instantiate(Backend::Scripted(Vec::new())).await?;
    let text = instance.describe().await?;
    outln!("{text}")
}

async fn actions(as_json: bool) -> Result<(), Failure> {
    let catalog = Catalog::of(&load_connector()?).await?;
    let actions = catalog.entries(Kind::Action);
    let field = |a: &Value, k: &str| a.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    if as_json {
        let list: Vec<Value> =
            actions.iter().map(|a| json!({ "id": field(a, "id"), "label": field(a, "label") })).collect();
        return outln!("{}", serde_json::to_string_pretty(&list).unwrap_or_default());
    }
    let width = actions.iter().map(|a| field(a, "id").len()).max().unwrap_or(0);
    let mut text = String::new();
    for a in actions {
        text.push_str(&format!("{:width$}  {}\n", field(a, "id"), field(a, "label")));
    }
    output::out(&text)
}

async fn describe(id: &str, as_json: bool) -> Result<(), Failure> {
    let catalog = Catalog::of(&load_connector()?).await?;
    let (kind, entry) = catalog.find(id, &[Kind::Action, Kind::Trigger, Kind::Connection])?;
    if as_json {
        outln!("{}", serde_json::to_string_pretty(entry).unwrap_or_default())
    } else {
        output::out(&text::describe_text(kind, entry))
    }
}

/// The options of the instances that run a person's connections: their own, so local orgs
/// are allowed (see the help's CONNECTION).
pub(crate) fn instance_options() -> InstanceOptions {
    InstanceOptions { allow_local_orgs: true, ..InstanceOptions::default() }
}

/// The connection and backend `run` uses (see the help's CONNECTION).
pub(crate) fn choose_connection(given: Option<&str>, force_fake: bool) -> Result<(Connection, Backend), Failure> {
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
        let c = connection_from_json(text).map_err(|e| usage(format!("--connection: {e:#}")))?;
        return Ok((c, backend(true)));
    }
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
    match (env("OKTA_CLIENT_ORGURL"), env("OKTA_CLIENT_TOKEN")) {
        (Some(url), Some(token)) if !force_fake => Ok((api_token(&url, &token), Backend::Network)),
        _ => Ok((api_token(FAKE_ORG_DOMAIN, FakeOrg::TOKEN), backend(false))),
    }
}

async fn run(args: RunArgs) -> Result<(), Failure> {
    let input = read_arg("--input", &args.input)?;
    let connection = args.target.connection.as_deref().map(|c| read_arg("--connection", c)).transpose()?;
    let (connection, backend) = choose_connection(connection.as_deref(), args.target.fake_org)?;
    let connector = load_connector()?;
    let catalog = Catalog::of(&connector).await?;
    catalog.find(&args.action, &[Kind::Action])?;
    let secrets = secrets_of(&catalog, &connection, &args.action, &input);
    let listing = catalog.is_listing(&args.action);
    if args.jsonl && !listing {
        return Err(usage(format!(
            "--jsonl: `{}` is not a list action: its result is not a list of items",
            args.action
        )));
    }
    let fetch_all = serde_json::from_str::<Value>(&input).is_ok_and(|v| v["fetch_all"] == true);
    // The progress line is for people: only on a terminal, and not over the trace.
    let progress = std::io::stderr().is_terminal() && !args.target.trace;
    let watch = watch::Watch::new(&args.action, args.target.trace, progress, secrets.clone());
    // Nothing is kept of the exchanges: the trace and the progress line see each as it ends.
    let options = InstanceOptions { observer: watch.observer(), record: Record::Nothing, ..instance_options() };
    let mut instance = connector.instantiate_with(backend, options).await?;
    let host_failure = |e: anyhow::Error| Failure::Host(anyhow::anyhow!(scrub(&format!("{e:#}"), &secrets)));
    let action_failure =
        |e| Failure::Action(serde_json::from_str(&scrub(&error_json(&e).to_string(), &secrets)).unwrap_or(Value::Null));
    if listing && !args.no_stream && (fetch_all || args.jsonl) {
        let format = if args.jsonl { stream::Format::Lines } else { stream::Format::Array };
        let streamed = stream::listing(&mut instance, &args.action, &connection, &input, format).await;
        watch.finish();
        tokens::keep_rotated(&mut instance, &connection, args.target.connection.as_deref()).await;
        return match streamed {
            Ok(stream::Streamed::Done) => Ok(()),
            Ok(stream::Streamed::Failed(e)) => Err(action_failure(e)),
            Err(stream::StreamError::Output(f)) => Err(f),
            Err(stream::StreamError::Host(e)) => Err(host_failure(e)),
        };
    }
    let result = instance.invoke(&args.action, &connection, &input).await;
    watch.finish();
    tokens::keep_rotated(&mut instance, &connection, args.target.connection.as_deref()).await;
    match result.map_err(host_failure)? {
        Ok(text) => outln!("{}", text::pretty_json(&text)),
        Err(e) => Err(action_failure(e)),
    }
}

/// What must never be printed for this run: the connection's secrets and the input's values
/// the catalog marks secret (a server may echo either back in an answer the trace shows).
pub(crate) fn secrets_of(catalog: &Catalog, connection: &Connection, id: &str, input: &str) -> Vec<String> {
    let mut secrets = connection_secrets(connection);
    if let Ok(input) = serde_json::from_str::<Value>(input) {
        secrets.extend(catalog.input_secrets(id, &input));
    }
    secrets
}
