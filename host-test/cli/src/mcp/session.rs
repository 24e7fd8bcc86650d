//! The component instance behind the tools, and how one call runs in it.
//!
//! One instance serves the whole session, so OAuth tokens are asked for once an hour, not per
//! call; calls take turns. After each call with a user-delegated OAuth connection the newest
//! tokens are read back (refresh tokens rotate) and kept for the next instance, and written back
//! to the `--connection @FILE` they came from. A cancelled call is dropped with its instance
//! (an interrupted component instance cannot be entered again); the next call makes a new one.
//! Each exchange is shown to the caller as a progress notification when it asked for them.

use std::sync::{Arc, Mutex};

use anyhow::Result;
use rmcp::model::{ProgressNotificationParam, ProgressToken};
use rmcp::service::Peer;
use rmcp::RoleServer;
use serde_json::{json, Value};
use tokio_util::sync::CancellationToken;

use okta_harness::{
    connection_secrets, error_json, scrub, Backend, Connection, Connector, ExchangeObserver, Instance, InstanceOptions,
};

use super::results::{Gathered, Next};
use super::tools::ActionTool;
use crate::output::err;
use crate::tokens;
use crate::watch::{list_length, rate_limit_wait};

/// Progress notifications queued for one call; more are dropped (they are only progress).
const PROGRESS_QUEUE: usize = 64;
/// The most pages one Fetch All reads, whatever the size cap (the guest's own bound).
const MAX_PAGES: usize = 20_000;

/// How a call ended.
pub enum Outcome {
    /// The action's result, and a note for the agent (a capped listing's).
    Done(Value, Option<String>),
    /// The action failed: the error JSON, scrubbed.
    Failed(Value),
    /// The client cancelled the call.
    Cancelled,
}

/// Who hears about the current call's progress.
struct Sink {
    queue: tokio::sync::mpsc::Sender<(f64, String)>,
    action: String,
    requests: usize,
    pages: usize,
    items: usize,
}

pub struct Session {
    connector: Connector,
    backend: Backend,
    /// The connection, with the newest tokens the instance handed back.
    connection: Connection,
    /// The `--connection` argument the connection came from (`@FILE`: where rotated tokens go).
    source: Option<String>,
    /// Rotated tokens could not be written back: said once.
    unsaved_said: bool,
    instance: Option<Instance>,
    sink: Arc<Mutex<Option<Sink>>>,
    trace: bool,
    /// The connection's secrets and every token since.
    known: Vec<String>,
    /// Never shown, whatever the server echoes: `known` and the current call's secret inputs.
    secrets: Arc<Mutex<Vec<String>>>,
}

impl Session {
    pub fn new(
        connector: Connector,
        backend: Backend,
        connection: Connection,
        source: Option<String>,
        trace: bool,
    ) -> Session {
        let known = connection_secrets(&connection);
        let secrets = Arc::new(Mutex::new(known.clone()));
        Session {
            known,
            connector,
            backend,
            connection,
            source,
            unsaved_said: false,
            instance: None,
            sink: Arc::new(Mutex::new(None)),
            trace,
            secrets,
        }
    }

    async fn instance(&mut self) -> Result<&mut Instance> {
        if self.instance.is_none() {
            let sink = self.sink.clone();
            let secrets = self.secrets.clone();
            let trace = self.trace;
            let requests = Arc::new(Mutex::new(0usize));
            let observer = ExchangeObserver::new(move |exchange| {
                if trace {
                    let mut n = requests.lock().unwrap();
                    *n += 1;
                    err(&scrub(&format!("#{} {exchange}", *n), &secrets.lock().unwrap()));
                }
                if let Some(sink) = sink.lock().unwrap().as_mut() {
                    sink.saw(list_length(exchange), rate_limit_wait(exchange));
                }
            });
            // A person's own connection, as for `run`: local orgs allowed.
            let options = InstanceOptions { observer: Some(observer), ..crate::instance_options() };
            self.instance = Some(self.connector.instantiate_with(self.backend.clone(), options).await?);
        }
        Ok(self.instance.as_mut().expect("made above"))
    }

    /// The instance's catalog (`describe()`).
    pub async fn catalog(&mut self) -> Result<Value> {
        self.instance().await?.describe_json().await
    }

    /// The scopes an OAuth connection was granted (`connections.test`; the connection's own
    /// when that fails), `None` for an API token.
    pub async fn granted_scopes(&mut self) -> Option<Vec<String>> {
        let configured: Option<Vec<String>> = match &self.connection {
            Connection::ApiToken(_) => None,
            Connection::OauthCode(c) => Some(c.scopes.clone()),
            Connection::OauthDevice(c) => Some(c.scopes.clone()),
            Connection::ClientCredentials(c) => Some(c.scopes.split_whitespace().map(str::to_string).collect()),
        };
        match configured {
            None => None,
            Some(configured) => {
                let connection = self.connection.clone();
                let checked = match self.instance().await {
                    Ok(instance) => instance.connections().test(&connection).await,
                    Err(e) => Err(e),
                };
                self.keep_tokens().await;
                match checked {
                    Ok(Ok(check)) => Some(check.scopes),
                    Ok(Err(e)) => {
                        let e = scrub(&error_json(&e).to_string(), &self.secrets.lock().unwrap());
                        err(&format!(
                            "okta-connector mcp: the connection check failed, listing tools by the connection's scopes: {e}\n"
                        ));
                        Some(configured)
                    }
                    Err(e) => {
                        err(&format!("okta-connector mcp: the connection check failed: {e:#}\n"));
                        self.instance = None;
                        Some(configured)
                    }
                }
            }
        }
    }

    /// Runs `tool` with `args` (already confirmed when it needed to be), paging a Fetch All
    /// itself up to `max_bytes` of items.
    pub async fn run(
        &mut self,
        tool: &ActionTool,
        args: Value,
        progress: Option<(Peer<RoleServer>, ProgressToken)>,
        cancel: &CancellationToken,
        max_bytes: usize,
    ) -> Outcome {
        let input_secrets =
            tool.secret_inputs.iter().filter_map(|k| args.get(k).and_then(Value::as_str).map(str::to_string));
        *self.secrets.lock().unwrap() = self.known.iter().cloned().chain(input_secrets).collect();
        let forwarder = progress.map(|(peer, token)| {
            let (queue, mut rx) = tokio::sync::mpsc::channel::<(f64, String)>(PROGRESS_QUEUE);
            *self.sink.lock().unwrap() =
                Some(Sink { queue, action: tool.name.clone(), requests: 0, pages: 0, items: 0 });
            tokio::spawn(async move {
                while let Some((progress, message)) = rx.recv().await {
                    let mut p = ProgressNotificationParam::new(token.clone(), progress);
                    p.message = Some(message);
                    let _ = peer.notify_progress(p).await;
                }
            })
        });
        let fetch_all = tool.pages && args.get("fetch_all") == Some(&Value::Bool(true));
        let outcome = if fetch_all {
            self.fetch_all(tool, args, cancel, max_bytes).await
        } else {
            self.once(&tool.action, &args, cancel).await.map(|v| (v, None))
        };
        // Closing the queue ends the forwarder once it has sent what is queued.
        *self.sink.lock().unwrap() = None;
        if let Some(forwarder) = forwarder {
            let _ = forwarder.await;
        }
        self.keep_tokens().await;
        if let Some(instance) = &self.instance {
            // The session may run for days: keep no exchanges.
            instance.clear_exchanges();
        }
        *self.secrets.lock().unwrap() = self.known.clone();
        match outcome {
            Ok((value, note)) => Outcome::Done(value, note),
            Err(Stop::Failed(e)) => Outcome::Failed(e),
            Err(Stop::Cancelled) => Outcome::Cancelled,
        }
    }

    /// One call of the action; a failure as its scrubbed error JSON.
    async fn once(&mut self, action: &str, args: &Value, cancel: &CancellationToken) -> Result<Value, Stop> {
        let connection = self.connection.clone();
        let input = args.to_string();
        let instance = match self.instance().await {
            Ok(i) => i,
            Err(e) => return Err(Stop::Failed(json!({ "kind": "host", "message": format!("{e:#}") }))),
        };
        let result = tokio::select! {
            r = instance.invoke(action, &connection, &input) => Some(r),
            _ = cancel.cancelled() => None,
        };
        let Some(result) = result else {
            // A component instance interrupted mid-call cannot be entered again.
            self.instance = None;
            return Err(Stop::Cancelled);
        };
        let secrets = self.secrets.lock().unwrap().clone();
        match result {
            Ok(Ok(text)) => serde_json::from_str(&text).map_err(|_| {
                Stop::Failed(json!({ "kind": "host", "message": format!("{action} returned text that is not JSON") }))
            }),
            Ok(Err(e)) => Err(Stop::Failed(
                serde_json::from_str(&scrub(&error_json(&e).to_string(), &secrets)).unwrap_or(Value::Null),
            )),
            Err(e) => {
                // A trap leaves the instance unusable too.
                self.instance = None;
                Err(Stop::Failed(json!({ "kind": "host", "message": scrub(&format!("{e:#}"), &secrets) })))
            }
        }
    }

    /// A Fetch All, page by page: stops at the cap with the cursor to continue from, and
    /// between pages when cancelled.
    async fn fetch_all(
        &mut self,
        tool: &ActionTool,
        mut args: Value,
        cancel: &CancellationToken,
        max_bytes: usize,
    ) -> Result<(Value, Option<String>), Stop> {
        args["fetch_all"] = json!(false);
        let mut cursor = args.get("after").and_then(Value::as_str).map(str::to_string);
        let mut gathered = Gathered::new(max_bytes);
        while gathered.pages() < MAX_PAGES {
            match &cursor {
                Some(c) => args["after"] = json!(c),
                None => {
                    if let Some(o) = args.as_object_mut() {
                        o.remove("after");
                    }
                }
            }
            let page = self.once(&tool.action, &args, cancel).await?;
            match gathered.add(page, cursor.as_deref()) {
                Next::Page(next) => cursor = Some(next),
                Next::Done => break,
            }
        }
        Ok(gathered.finish(&tool.name))
    }

    /// Reads back the newest tokens of a user-delegated connection, so that a rotated refresh
    /// token is never lost: kept for the next instance and written to the connection's file.
    async fn keep_tokens(&mut self) {
        let Some(instance) = self.instance.as_mut() else { return };
        let Some(t) = tokens::rotated(instance, &self.connection).await else { return };
        let saved = tokens::save(&self.connection, &t, self.source.as_deref());
        let (access, refresh) = match &mut self.connection {
            Connection::OauthCode(c) => (&mut c.access_token, &mut c.refresh_token),
            Connection::OauthDevice(c) => (&mut c.access_token, &mut c.refresh_token),
            _ => return,
        };
        *access = Some(t.access_token.clone());
        if t.refresh_token.is_some() {
            *refresh = t.refresh_token.clone();
        }
        let fresh = [Some(t.access_token), t.refresh_token].into_iter().flatten();
        self.known.extend(fresh.clone());
        self.secrets.lock().unwrap().extend(fresh);
        if let (Err(why), false) = (saved, self.unsaved_said) {
            // Not the tokens themselves: a client keeps the server's stderr in its logs.
            err(&format!(
                "okta-connector mcp: warning: the OAuth tokens were renewed and the refresh token rotated, but they could not be saved ({why}); \
                 this server keeps using them until it stops. Give the connection as --connection @FILE to keep them across starts.\n"
            ));
            self.unsaved_said = true;
        }
    }
}

/// Why a call stopped early.
enum Stop {
    Failed(Value),
    Cancelled,
}

impl Sink {
    /// One exchange completed: `items` when it was a list page, `wait` when it spent the
    /// rate-limit bucket (seconds until the reset).
    fn saw(&mut self, items: Option<usize>, wait: Option<u64>) {
        self.requests += 1;
        if let Some(n) = items {
            self.pages += 1;
            self.items += n;
        }
        let mut message = match self.pages {
            0 => format!("{}: {} request(s)", self.action, self.requests),
            _ => format!("{}: {} page(s), {} item(s)", self.action, self.pages, self.items),
        };
        if let Some(wait) = wait {
            message.push_str(&format!("; rate limit reached, waiting about {wait} s for the reset"));
        }
        let _ = self.queue.try_send((self.requests as f64, message));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_counts_pages_and_says_when_it_waits_for_the_rate_limit() {
        let (queue, mut rx) = tokio::sync::mpsc::channel(PROGRESS_QUEUE);
        let mut sink = Sink { queue, action: "users_list".into(), requests: 0, pages: 0, items: 0 };
        sink.saw(None, None);
        sink.saw(Some(200), None);
        sink.saw(Some(150), Some(23));
        let seen: Vec<(f64, String)> = std::iter::from_fn(|| rx.try_recv().ok()).collect();
        assert_eq!(
            seen,
            [
                (1.0, "users_list: 1 request(s)".to_string()),
                (2.0, "users_list: 1 page(s), 200 item(s)".to_string()),
                (
                    3.0,
                    "users_list: 2 page(s), 350 item(s); rate limit reached, waiting about 23 s for the reset"
                        .to_string()
                ),
            ]
        );
        // A client that reads slowly loses progress, never the call.
        for _ in 0..PROGRESS_QUEUE * 2 {
            sink.saw(Some(1), None);
        }
        assert_eq!(std::iter::from_fn(|| rx.try_recv().ok()).count(), PROGRESS_QUEUE);
    }
}
