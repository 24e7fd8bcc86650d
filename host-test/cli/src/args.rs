//! The command line's grammar (clap derive): subcommands, flags, generated help, and how a
//! parse error becomes the `{"error": {"kind": "usage", ...}}` the other errors share.

use clap::{Args, Parser, Subcommand};
use serde_json::{json, Value};

/// Run the Okta connector component (wasm32-wasip2) from the command line: list, describe and
/// run its actions against a real org or the embedded fake one.
#[derive(Debug, Parser)]
#[command(name = "okta-connector", version, after_help = AFTER_HELP)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every action: id and label.
    Actions {
        /// A JSON array of {"id", "label"} objects.
        #[arg(long)]
        json: bool,
    },
    /// Print the catalog as the component's describe() returns it: every connection, trigger
    /// and action with the JSON Schema of its input, hints and OAuth scopes, the environment
    /// the component reads and the hosts it may call.
    Catalog,
    /// Show an action, a trigger or a connection kind: what it does, its inputs with their
    /// types, defaults, allowed values and comments; for a trigger, its state and what it emits.
    Describe {
        /// An action's id as `actions` lists it (`users.create`), a trigger's (`users.new`,
        /// `event-hook`) or a connection kind's (`api_token`, `oauth_code`, `client_credentials`).
        #[arg(value_name = "ID")]
        id: String,
        /// The catalog entry with its JSON Schema.
        #[arg(long)]
        json: bool,
    },
    /// Run an action and print its result as JSON; on failure print {"error": {...}} on stderr.
    #[command(after_help = CONNECTION_HELP)]
    Run(RunArgs),
    /// Run one poll of a polling trigger (system-log.new, users.new, users.updated) and print
    /// {"items": [...], "state": "..."}; pass the state back with --state on the next poll.
    #[command(after_help = CONNECTION_HELP)]
    Poll(PollArgs),
    /// The Event Hook trigger: `hook serve` deploys a hook and prints the events Okta delivers.
    Hook {
        #[command(subcommand)]
        command: HookCommand,
    },
    /// Sign in and print the connection with its tokens (secret) for --connection, or save it
    /// with --save. The authorization-code flow for an `oauth_code` connection: print the
    /// authorize URL, read the URL the browser was sent back to on standard input, exchange the
    /// code. With --device, the device authorization for an `oauth_device` connection (a
    /// native app, no secret, no redirect): print the code and where to enter it, then wait
    /// until the user has signed in on any device.
    #[command(after_help = CONNECTION_HELP)]
    Authorize(AuthorizeArgs),
    /// Serve every action as a Model Context Protocol tool over standard input and output, for
    /// AI agents: the connection comes from the command line as for `run` (the embedded fake org
    /// without one); destructive tools ask the user to confirm through the client.
    #[command(after_help = CONNECTION_HELP)]
    Mcp(McpArgs),
    /// Serve the fake Okta org on 127.0.0.1 until Ctrl-C, seeded, plus N generated users, with
    /// an OAuth web app and a DPoP service app (printed).
    FakeOrg(okta_fake_org::serve::ServeArgs),
    /// A tour of every area and the triggers against the embedded fake org.
    Demo,
    /// Print a completion script for a shell (bash, zsh, fish, elvish, powershell).
    Completions {
        #[arg(value_enum, value_name = "SHELL")]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The action's id, as `actions` lists it (`users.list`).
    #[arg(value_name = "ACTION")]
    pub action: String,
    /// The input: a JSON object keyed by the input's field names in snake_case (`first_name`,
    /// `send_email`), `@FILE`, or `@-` for standard input.
    #[arg(long, value_name = "JSON|@FILE|@-", default_value = "{}", hide_default_value = true)]
    pub input: String,
    /// A list action's items one JSON object per line, every page (Fetch All implied), each
    /// page written as it arrives. (With `"fetch_all": true` and without this flag, a list
    /// action prints one JSON array, also written as the pages arrive.)
    #[arg(long)]
    pub jsonl: bool,
    /// A list action with Fetch All: print its result whole, `{"items": [...], "next_cursor":
    /// ...}` as the action returns it (within OKTA_MAX_TOTAL_BYTES), instead of streaming.
    #[arg(long, conflicts_with = "jsonl")]
    pub no_stream: bool,
    #[command(flatten)]
    pub target: TargetArgs,
}

/// Which org answers and how much is shown: shared by `run` and `poll`.
#[derive(Debug, Args)]
pub struct TargetArgs {
    /// The connection: JSON or @FILE (see CONNECTION below). Without it, OKTA_CLIENT_ORGURL and
    /// OKTA_CLIENT_TOKEN, else the embedded fake org.
    #[arg(long, value_name = "JSON|@FILE")]
    pub connection: Option<String>,
    /// Answer from the embedded fake org even when a connection is given.
    #[arg(long)]
    pub fake_org: bool,
    /// Print every HTTP exchange on stderr as it completes (credentials redacted).
    #[arg(long)]
    pub trace: bool,
}

#[derive(Debug, Args)]
pub struct PollArgs {
    /// The trigger's id: `system-log.new`, `users.new` or `users.updated`.
    #[arg(value_name = "TRIGGER")]
    pub trigger: String,
    /// The trigger's input (JSON object, `@FILE` or `@-`): `{"filter": ...}` for system-log.new.
    #[arg(long, value_name = "JSON|@FILE|@-", default_value = "{}", hide_default_value = true)]
    pub input: String,
    /// The state the previous poll printed: `@FILE` holding the string's value as printed (not
    /// JSON-quoted), or the value itself. Without it, a first run.
    #[arg(long, value_name = "@FILE|STATE")]
    pub state: Option<String>,
    #[command(flatten)]
    pub target: TargetArgs,
}

#[derive(Debug, Args)]
pub struct AuthorizeArgs {
    /// The `oauth_code` connection (JSON or @FILE): domain, client id and secret, scopes
    /// (`offline_access` for a refresh token); with --device, the `oauth_device` connection:
    /// domain, the native app's client id, scopes.
    #[arg(long, value_name = "JSON|@FILE")]
    pub connection: Option<String>,
    /// Where Okta sends the browser back: one registered on the app (not with --device).
    #[arg(long, value_name = "URI", conflicts_with = "device")]
    pub redirect_uri: Option<String>,
    /// The Device Authorization Grant: no browser redirect, no client secret. The code and the
    /// URL to enter it at are printed on stderr; the command waits (at most until the code
    /// expires, about 10 minutes) until the user has signed in and approved.
    #[arg(long)]
    pub device: bool,
    /// Write the connection with its tokens to FILE (readable by its owner only) instead of
    /// printing it.
    #[arg(long, value_name = "FILE")]
    pub save: Option<std::path::PathBuf>,
    /// The embedded fake org's admin approves at once (its demo app unless --connection
    /// names another); then two users are listed with the new tokens.
    #[arg(long)]
    pub fake_org: bool,
}

#[derive(Debug, Args)]
pub struct McpArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// List only the read-only tools (those the catalog says change nothing).
    #[arg(long)]
    pub read_only: bool,
    /// Run destructive tools without asking when the client cannot ask the user (it has no MCP
    /// elicitation); without this flag they are refused then. Clients that can ask always do.
    #[arg(long)]
    pub allow_destructive: bool,
    /// The most bytes of items a Fetch All returns; past it the result stops with a cursor to
    /// continue from with `after`.
    #[arg(long, value_name = "BYTES", default_value_t = 256 * 1024)]
    pub max_result_bytes: usize,
}

#[derive(Debug, Subcommand)]
pub enum HookCommand {
    /// Deploy an event hook for --public-url, serve Okta's requests on --listen, print each
    /// event as one JSON line on stdout; on Ctrl-C or SIGTERM, remove the hook and exit 0.
    /// Deliveries are received one at a time, each with the state the previous one left, so
    /// each event prints once whatever arrives concurrently; headers, idle connections,
    /// bodies (at most 4 MiB) and the number of connections are bounded before the
    /// component sees a request.
    #[command(after_help = CONNECTION_HELP)]
    Serve(ServeArgs),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The trigger's input (JSON object, `@FILE` or `@-`): `items`, `dynamic_items`, `headers`, `filters`.
    #[arg(long, value_name = "JSON|@FILE|@-", default_value = "{}", hide_default_value = true)]
    pub input: String,
    /// Where to listen, e.g. 127.0.0.1:8443 (put TLS in front for a real org: Okta calls https only).
    #[arg(long, value_name = "ADDR:PORT")]
    pub listen: std::net::SocketAddr,
    /// The URL Okta calls, which must reach --listen.
    #[arg(long, value_name = "URL")]
    pub public_url: String,
    /// The connection: JSON or @FILE (see CONNECTION below).
    #[arg(long, value_name = "JSON|@FILE")]
    pub connection: Option<String>,
    /// A request's headers must be complete this long after its first byte, or the
    /// connection is closed.
    #[arg(long, value_name = "SECS", default_value_t = 10)]
    pub header_timeout: u64,
    /// A connection that sends nothing this long (after connecting, or between requests) is
    /// closed; a body that takes longer to arrive is answered 408.
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub idle_timeout: u64,
    /// Connections served at once; more wait to be accepted.
    #[arg(long, value_name = "N", default_value_t = 256)]
    pub max_connections: usize,
}

/// The CONNECTION section, shared by the top-level help and `run --help`.
macro_rules! connection_help {
    () => {
        "\
CONNECTION (--connection: JSON, or @FILE)
  {\"api_token\": {\"domain\": \"acme.okta.com\", \"token\": \"...\"}}
  {\"oauth_code\": {\"domain\": \"acme.okta.com\", \"scopes\": [\"okta.users.read\"], \"client_id\": \"...\",
                  \"client_secret\": \"...\", \"access_token\": \"...\", \"refresh_token\": \"...\"}}
  {\"client_credentials\": {\"domain\": \"acme.okta.com\", \"client_id\": \"...\",
                          \"private_key\": \"-----BEGIN PRIVATE KEY-----...\", \"key_id\": \"...\",
                          \"scopes\": \"okta.users.read okta.users.manage\"}}
  {\"oauth_device\": {\"domain\": \"acme.okta.com\", \"scopes\": [\"okta.users.read\", \"offline_access\"],
                    \"client_id\": \"...\", \"access_token\": \"...\", \"refresh_token\": \"...\"}}
  Fields are the WIT records' fields in snake_case; `access_token`, `refresh_token` and `key_id`
  may be left out. Requests go to the network over kept-alive connections (TLS with the
  system's roots; SSL_CERT_FILE names other ones). Without --connection: OKTA_CLIENT_ORGURL and
  OKTA_CLIENT_TOKEN (the Okta SDKs' names) give an API-token connection to that org; without
  those, the embedded fake org answers in-process at https://fake-org.okta.com.
  Local orgs are allowed: this command runs your own connections, so `domain` may also be
  http:// on localhost or a private address, or an IP address (a fake org, a test server on
  your network). The component alone, as a multi-tenant host runs it, accepts https to public
  DNS names only (OKTA_ALLOW_LOCAL_ORGS=1 in its environment allows local orgs there).
  oauth_code, oauth_device: when the refresh token rotates during a command, the new tokens are written
  back to the --connection @FILE they came from (atomically, mode 0600; a token given as
  {\"file\": PATH} is written to PATH), else printed on stderr to store in place of the old."
    };
}

const AFTER_HELP: &str = concat!(
    "\
Examples:
  okta-connector actions
  okta-connector describe users.create
  okta-connector run users.list --input '{\"limit\": 2}'
  okta-connector run users.get --input @user.json --connection @connection.json --trace
  okta-connector authorize --device --connection @native-app.json --save okta.json
  okta-connector mcp --connection @okta.json
  okta-connector fake-org --port 8080 --users 1000
  okta-connector completions bash > ~/.local/share/bash-completion/completions/okta-connector

",
    connection_help!(),
    "

Progress (pages, items, rate-limit waits) shows on stderr when it is a terminal.

Environment:
  OKTA_CONNECTOR_WASM   run this component instead of the one built into the binary
  OKTA_GUEST_STDERR=1   show the component's own stderr
  XDG_CACHE_HOME        the compiled component is cached in $XDG_CACHE_HOME/okta-connector
                        (default ~/.cache/okta-connector)

Exit status: 0 success, 1 the action (or the host) failed, 2 usage error."
);

const CONNECTION_HELP: &str = connection_help!();

/// A parse error as the usage error's JSON: clap's first line and the usage line, with any
/// quoted value that is not a plain word or flag left out (a misplaced argument can be a
/// connection with its token).
pub fn usage_error(e: &clap::Error) -> Value {
    let text = e.render().to_string();
    let mut lines = text.lines();
    let first = lines.next().unwrap_or("").trim_start_matches("error: ");
    let usage = text.lines().find_map(|l| l.strip_prefix("Usage: ")).map(str::to_string);
    let mut error = json!({ "kind": "usage", "message": hide_values(first), "hint": "okta-connector help" });
    if let Some(usage) = usage {
        error["usage"] = Value::String(usage);
    }
    error
}

/// Replaces each `'quoted'` part of a clap message that is neither a flag (`--port <N>`)
/// nor a short plain word (`bogus`, `users.get`) with `'…'`.
fn hide_values(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut parts = message.split('\'');
    if let Some(head) = parts.next() {
        out.push_str(head);
    }
    let rest: Vec<&str> = parts.collect();
    // `split('\'')` alternates outside/inside quotes; an odd count of quotes leaves the tail as is.
    let mut i = 0;
    while i < rest.len() {
        if i + 1 < rest.len() {
            let quoted = rest[i];
            out.push('\'');
            out.push_str(if shown(quoted) { quoted } else { "…" });
            out.push('\'');
            out.push_str(rest[i + 1]);
            i += 2;
        } else {
            out.push('\'');
            out.push_str(rest[i]);
            i += 1;
        }
    }
    out
}

fn shown(quoted: &str) -> bool {
    let flag = quoted.starts_with('-') && !quoted.contains('=');
    let word = quoted.len() <= 32
        && quoted.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_'));
    flag && quoted.len() <= 64 || word
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_grammar_is_consistent() {
        Cli::command().debug_assert();
    }

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("okta-connector").chain(args.iter().copied()))
    }

    #[test]
    fn usage_errors_are_caught_before_anything_runs() {
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
            &["completions", "tcsh"],
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
        assert!(parse(&[]).unwrap().command.is_none());
        match parse(&["run", "users.get", "--input={\"id\":\"1\"}", "--trace"]).unwrap().command {
            Some(Command::Run(RunArgs {
                action,
                input,
                jsonl: false,
                no_stream: false,
                target: TargetArgs { connection: None, fake_org: false, trace: true },
            })) => {
                assert_eq!(action, "users.get");
                assert_eq!(input, "{\"id\":\"1\"}");
            }
            other => panic!("run not parsed: {other:?}"),
        }
        match parse(&["run", "users.list"]).unwrap().command {
            Some(Command::Run(RunArgs { input, .. })) => assert_eq!(input, "{}"),
            other => panic!("run not parsed: {other:?}"),
        }
    }

    #[test]
    fn usage_errors_leave_out_values_that_could_be_secrets() {
        let secret = r#"{"api_token": {"domain": "acme.okta.com", "token": "00AbCdSecret"}}"#;
        let e = parse(&["run", "users.get", secret]).unwrap_err();
        let v = usage_error(&e);
        assert_eq!(v["kind"], "usage");
        assert!(!v.to_string().contains("00AbCdSecret"), "{v}");
        assert_eq!(v["message"], "unexpected argument '…' found");
        assert_eq!(v["usage"], "okta-connector run [OPTIONS] <ACTION>");

        let e = parse(&["bogus"]).unwrap_err();
        assert_eq!(usage_error(&e)["message"], "unrecognized subcommand 'bogus'");
        let e = parse(&["fake-org", "--port", "http"]).unwrap_err();
        assert_eq!(usage_error(&e)["message"], "invalid value 'http' for '--port <N>': invalid digit found in string");
        let e = parse(&["run", "users.get", "--conection={\"token\":\"00AbCdSecret\"}"]).unwrap_err();
        assert!(!usage_error(&e).to_string().contains("00AbCdSecret"), "{}", usage_error(&e));
    }
}
