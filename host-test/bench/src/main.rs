//! `okta-bench`: the bench behind `make bench` (full) and `make bench-quick` (small numbers,
//! run by CI after `make test`). See `bench/README.md` and the `okta-bench` library beside this file.
//! Hidden subcommands, used by the driver itself: `measure` (the launcher each contender runs
//! under) and `component-list` (the component contender).

use std::process::ExitCode;

use clap::Parser as _;
use okta_bench::{component_list, config, drive, measure};

/// Lists every user of a loopback fake Okta org with the connector component (through the
/// wasmtime host), Okta's Python and Node SDKs and a native Rust client, checks they return
/// the same ids, and reports times, requests, connections and peak memory; then the component,
/// the native client and the Node SDK again over TLS with a real org's delays; plus the
/// component's per-action overhead, size and behaviour under a rate limit. Needs bench/.venv and
/// bench/node/node_modules (bench/setup.sh) and the component (make build). Exits 1 when any
/// contender fails or returns other ids, or the component opens more than one connection for
/// a listing.
#[derive(clap::Parser)]
#[command(name = "okta-bench", version)]
struct Cli {
    #[command(subcommand)]
    command: Option<Sub>,
    #[command(flatten)]
    options: config::Options,
}

#[derive(clap::Subcommand)]
enum Sub {
    /// Run a command and print its wall time, peak RSS and CPU time as JSON.
    #[command(hide = true)]
    Measure(measure::LaunchArgs),
    /// List every user with the component.
    #[command(hide = true)]
    ComponentList(component_list::ListArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match &cli.command {
        Some(Sub::Measure(args)) => measure::launcher_main(args),
        Some(Sub::ComponentList(args)) => component_list::main(args),
        None => drive::main(&cli.options),
    }
}
