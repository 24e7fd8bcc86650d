//! `okta-connector poll` and `okta-connector hook serve`: the triggers from the command line.
//!
//! `poll TRIGGER [--input] [--state @FILE] [--connection]` prints one JSON object
//! `{"items": [...], "state": "..."}`; the state is a string to keep and pass back (its value,
//! not JSON-quoted, when in a file). `hook serve` deploys the Event Hook trigger's hook for
//! `--public-url`, answers Okta's requests on `--listen` through the component's receive, prints
//! each event as one JSON line on stdout, and on Ctrl-C or SIGTERM removes the hook and exits 0.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{anyhow, Context as _};
use serde_json::{json, Value};

use okta_harness::{connection_secrets, error_json, scrub, Connector, InstanceOptions};

use super::args::{PollArgs, ServeArgs};
use super::catalog::{Catalog, Kind};
use super::output::{err, outln};
use super::receiver::{self, Bounds, Hook};
use super::{choose_connection, instance_options, read_arg, secrets_of, text, watch, Failure};

fn json_object(flag: &str, text: &str) -> Result<Value, Failure> {
    match serde_json::from_str::<Value>(text) {
        Ok(v @ Value::Object(_)) => Ok(v),
        _ => Err(super::usage(format!("{flag}: must be a JSON object"))),
    }
}

/// The state a poll continues from: the file's content (trimmed) for `@FILE`, else the value.
fn read_state(value: &str) -> Result<String, Failure> {
    match value.strip_prefix('@') {
        Some(path) => std::fs::read_to_string(path)
            .map(|s| s.trim().to_string())
            .map_err(|e| super::usage(format!("--state: cannot read {path}: {e}"))),
        None => Ok(value.to_string()),
    }
}

pub async fn poll(connector: &Connector, args: PollArgs) -> Result<(), Failure> {
    let input = json_object("--input", &read_arg("--input", &args.input)?)?;
    let state = args.state.as_deref().map(read_state).transpose()?;
    let connection = args.target.connection.as_deref().map(|c| read_arg("--connection", c)).transpose()?;
    let (connection, backend) = choose_connection(connection.as_deref(), args.target.fake_org)?;
    let catalog = Catalog::of(connector).await?;
    let (_, entry) = catalog.find(&args.trigger, &[Kind::Trigger])?;
    if entry["kind"] != "polling" {
        return Err(super::usage(format!("`{}` is not a polling trigger: use `hook serve`", args.trigger)));
    }
    let secrets = secrets_of(&catalog, &connection, &args.trigger, &input.to_string());
    let watch = watch::Watch::new(&args.trigger, args.target.trace, false, secrets.clone());
    let options = InstanceOptions { observer: watch.observer(), ..instance_options() };
    let mut instance = connector.instantiate_with(backend, options).await?;
    let result = instance.poll(&args.trigger, &connection, &input, state.as_deref()).await;
    watch.finish();
    super::tokens::keep_rotated(&mut instance, &connection, args.target.connection.as_deref()).await;
    match result.map_err(|e| Failure::Host(anyhow!(scrub(&format!("{e:#}"), &secrets))))? {
        Ok((items, state)) => {
            let out = json!({ "items": items, "state": state }).to_string();
            outln!("{}", text::pretty_json(&out))
        }
        Err(e) => Err(Failure::Action(
            serde_json::from_str(&scrub(&error_json(&e).to_string(), &secrets)).unwrap_or(Value::Null),
        )),
    }
}

pub async fn serve(connector: Arc<Connector>, args: ServeArgs) -> Result<(), Failure> {
    let input = json_object("--input", &read_arg("--input", &args.input)?)?;
    let connection = args.connection.as_deref().map(|c| read_arg("--connection", c)).transpose()?;
    let (connection, backend) = choose_connection(connection.as_deref(), false)?;
    let secrets = connection_secrets(&connection);
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let bounds = Bounds {
        header_timeout: Duration::from_secs(args.header_timeout.max(1)),
        idle_timeout: Duration::from_secs(args.idle_timeout.max(1)),
        max_connections: args.max_connections.max(1),
    };
    // The receive side runs before the deploy returns: Okta verifies the URL during it.
    let hook = Arc::new(Hook::new(connector.clone(), input.clone()));
    let server = tokio::spawn(receiver::accept(listener, hook.clone(), bounds));

    // One instance deploys and tears down: a token it refreshes in between stays its own.
    let mut instance = connector.instantiate_with(backend, instance_options()).await?;
    let deployed = instance.deploy_hook(&connection, &input, &args.public_url, None).await;
    super::tokens::keep_rotated(&mut instance, &connection, args.connection.as_deref()).await;
    let (id, deployed_state) = match deployed {
        Ok(Ok(d)) => d,
        Ok(Err(e)) => {
            server.abort();
            return Err(Failure::Action(
                serde_json::from_str(&scrub(&error_json(&e).to_string(), &secrets)).unwrap_or(Value::Null),
            ));
        }
        Err(e) => {
            server.abort();
            return Err(Failure::Host(anyhow!(scrub(&format!("{e:#}"), &secrets))));
        }
    };
    hook.set_state(deployed_state).await;
    err(&format!(
        "Event hook {id} deployed for {}, served on {}: events print on stdout, one JSON line each. Ctrl-C to stop.\n",
        args.public_url, args.listen
    ));

    stop_signal().await;
    server.abort();
    let last = hook.state().await;
    let removed = instance.teardown_hook(&connection, &last).await;
    super::tokens::keep_rotated(&mut instance, &connection, args.connection.as_deref()).await;
    match removed {
        Ok(Ok(())) => {
            err(&format!("Event hook {id} removed.\n"));
            Ok(())
        }
        Ok(Err(e)) => Err(Failure::Action(
            serde_json::from_str(&scrub(&error_json(&e).to_string(), &secrets)).unwrap_or(Value::Null),
        )),
        Err(e) => Err(Failure::Host(anyhow!(scrub(&format!("{e:#}"), &secrets)))),
    }
}

/// Ctrl-C, or SIGTERM where there is one.
async fn stop_signal() {
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
                return;
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
