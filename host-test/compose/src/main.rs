//! `okta-compose SOCKET PLUG OUT`: the connector component (`SOCKET`) with the imports that
//! `PLUG` exports satisfied by an instance of it, written to `OUT` — what `make build-local`
//! runs to make `okta_connector.local.wasm`, the connector with its per-instance rate-limit
//! budget composed in, for hosts that do not keep one (see `wit/rate-limits.wit`).

use std::path::Path;
use std::process::ExitCode;

use anyhow::{bail, Context as _, Result};
use wac_graph::types::Package;
use wac_graph::{CompositionGraph, EncodeOptions};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [socket, plug, out] = args.as_slice() else {
        eprintln!("usage: okta-compose SOCKET.wasm PLUG.wasm OUT.wasm");
        return ExitCode::from(2);
    };
    match compose(Path::new(socket), Path::new(plug)).and_then(|bytes| {
        std::fs::write(out, &bytes).with_context(|| format!("cannot write {out}"))?;
        Ok(bytes.len())
    }) {
        Ok(len) => {
            println!("{out}: {len} bytes ({socket} with {plug} plugged in)");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("okta-compose: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// `socket` with every import `plug` exports taken from one instance of `plug`.
fn compose(socket: &Path, plug: &Path) -> Result<Vec<u8>> {
    let read = |p: &Path| std::fs::read(p).with_context(|| format!("cannot read {}", p.display()));
    let mut graph = CompositionGraph::new();
    let socket = Package::from_bytes("okta:connector", None, read(socket)?, graph.types_mut())
        .context("the connector component")?;
    let socket = graph.register_package(socket)?;
    let plug = Package::from_bytes("okta:rate-limits-local", None, read(plug)?, graph.types_mut())
        .context("the rate-limit budget component")?;
    let plug = graph.register_package(plug)?;
    wac_graph::plug(&mut graph, vec![plug], socket)?;
    let bytes = graph.encode(EncodeOptions::default())?;
    if bytes.is_empty() {
        bail!("the composition is empty");
    }
    Ok(bytes)
}
