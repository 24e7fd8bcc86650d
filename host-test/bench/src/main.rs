//! `okta-bench`: the bench behind `make bench` (full) and `make bench-quick` (small numbers,
//! run by `make test`). See `bench/README.md` and the `okta-bench` library beside this file.
//!
//! ```text
//! okta-bench [--quick] [--users N] [--reps N] [--warmup N] [--limit N] [--overhead-calls N]
//!            [--rate-calls N] [--rate-limit N] [--rate-window-ms N] [--timeout-s N]
//!            [--tls 0|1] [--tls-connection-ms N] [--tls-request-ms N]
//!            [--results FILE] [--work DIR] [--python PATH] [--node PATH]
//! ```
//!
//! Hidden subcommands, used by the driver itself: `measure` (the launcher each contender runs
//! under) and `component-list` (the component contender).

use okta_bench as bench;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("measure") => bench::measure::launcher_main(&args[1..]),
        Some("component-list") => bench::component_list::main(&args[1..]),
        Some("-h" | "--help" | "help") => {
            println!("{}", USAGE);
            ExitCode::SUCCESS
        }
        _ => bench::drive::main(&args),
    }
}

const USAGE: &str = "\
okta-bench: lists every user of a loopback fake Okta org with the connector component (through
the wasmtime host), Okta's Python and Node SDKs and a native Rust client, checks they return the
same ids, and reports times, requests, connections and peak memory; then the component, the
native client and the Node SDK again over TLS with a real org's delays; plus the component's
per-action overhead, size and behaviour under a rate limit.

  okta-bench            the full bench (50 000 users, 5 rounds), results in bench/results.md
  okta-bench --quick    the same with small numbers (make test), results in target/bench/quick/

Overrides: --users N --reps N --warmup N --limit N --overhead-calls N --rate-calls N
--rate-limit N --rate-window-ms N --timeout-s N --tls 0|1 --tls-connection-ms N
--tls-request-ms N --results FILE --work DIR --python PATH --node PATH. Needs bench/.venv and
bench/node/node_modules (bench/setup.sh) and the component (make build). Exits 1 when any
contender fails or returns other ids, or the component opens more than one connection for a
listing.";
