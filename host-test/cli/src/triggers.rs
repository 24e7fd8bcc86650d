//! `okta-connector poll` and `okta-connector hook serve`: the triggers from the command line.
//!
//! `poll TRIGGER [--input] [--state @FILE] [--connection]` prints one JSON object
//! `{"items": [...], "state": "..."}`; the state is a string to keep and pass back (its value,
//! not JSON-quoted, when in a file). `hook serve` deploys the Event Hook trigger's hook for
//! `--public-url`, answers Okta's requests on `--listen` through the component's receive, prints
//! each event as one JSON line on stdout, and on Ctrl-C or SIGTERM removes the hook and exits 0.

use std::sync::{Arc, Mutex};

use anyhow::{anyhow, Context as _};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use serde_json::{json, Value};

use okta_harness::{connection_secrets, error_json, scrub, Connector, InstanceOptions};

use super::args::{PollArgs, ServeArgs};
use super::catalog::{Catalog, Kind};
use super::output::{err, outln};
use super::{choose_connection, read_arg, secrets_of, text, watch, Failure};

/// The largest request body read from Okta; a larger one is answered 413 by the component.
const MAX_DELIVERY: usize = 4 * 1024 * 1024 + 1;

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
    let options = InstanceOptions { observer: watch.observer(), ..InstanceOptions::default() };
    let mut instance = connector.instantiate_with(backend, options).await?;
    let result = instance.poll(&args.trigger, &connection, &input, state.as_deref()).await;
    watch.finish();
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
    // The receive side runs before the deploy returns: Okta verifies the URL during it.
    let state = Arc::new(Mutex::new(String::new()));
    let server = tokio::spawn(accept(listener, connector.clone(), input.clone(), state.clone()));

    let mut deployer = connector.instantiate(backend.clone()).await?;
    let deployed = deployer.deploy_hook(&connection, &input, &args.public_url, None).await;
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
    *state.lock().unwrap() = deployed_state;
    err(&format!(
        "Event hook {id} deployed for {}, served on {}: events print on stdout, one JSON line each. Ctrl-C to stop.\n",
        args.public_url, args.listen
    ));

    stop_signal().await;
    server.abort();
    let last = state.lock().unwrap().clone();
    let mut remover = connector.instantiate(backend).await?;
    match remover.teardown_hook(&connection, &last).await {
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

pub(crate) async fn accept(
    listener: tokio::net::TcpListener,
    connector: Arc<Connector>,
    input: Value,
    state: Arc<Mutex<String>>,
) {
    loop {
        let Ok((stream, _)) = listener.accept().await else { return };
        let (connector, input, state) = (connector.clone(), input.clone(), state.clone());
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req: http::Request<hyper::body::Incoming>| {
                let (connector, input, state) = (connector.clone(), input.clone(), state.clone());
                async move { Ok::<_, std::convert::Infallible>(answer(&connector, &input, &state, req).await) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                .await;
        });
    }
}

/// One request from Okta, through the component's receive.
async fn answer(
    connector: &Connector,
    input: &Value,
    state: &Mutex<String>,
    req: http::Request<hyper::body::Incoming>,
) -> http::Response<Full<Bytes>> {
    let (parts, body) = req.into_parts();
    // At most one byte past the limit is read: the component then answers 413.
    let body = match Limited::new(body, MAX_DELIVERY).collect().await {
        Ok(c) => c.to_bytes(),
        Err(_) => Bytes::from(vec![b' '; MAX_DELIVERY]),
    };
    let headers: Vec<(String, String)> =
        parts.headers.iter().map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string())).collect();
    let header_refs: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let current = state.lock().unwrap().clone();
    let reception = match connector.instantiate(okta_harness::Backend::Scripted(Vec::new())).await {
        Ok(mut instance) => instance.receive_hook(input, &current, parts.method.as_str(), &header_refs, &body).await,
        Err(e) => Err(e),
    };
    let reception = match reception {
        Ok(r) => r,
        Err(e) => {
            err(&format!("the component failed: {e:#}\n"));
            return http::Response::builder().status(500).body(Full::new(Bytes::new())).unwrap_or_default();
        }
    };
    if !reception.state.is_empty() {
        *state.lock().unwrap() = reception.state.clone();
    }
    if let Ok(Value::Array(events)) = serde_json::from_str::<Value>(&reception.events) {
        for event in events {
            if outln!("{event}").is_err() {
                break;
            }
        }
    }
    let mut response = http::Response::builder().status(reception.status);
    for kv in &reception.headers {
        response = response.header(kv.key.as_str(), kv.value.as_str());
    }
    response.body(Full::new(Bytes::from(reception.body))).unwrap_or_default()
}
