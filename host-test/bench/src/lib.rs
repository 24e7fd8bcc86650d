//! The bench behind `make bench` / `make bench-quick` (binary `okta-bench`): the component
//! through the wasmtime host against Okta's Python and Node SDKs and a native Rust client,
//! each listing every user of a loopback fake org, plus the component's per-action overhead,
//! its size, and its behaviour under a rate limit. See `bench/README.md`.
//!
//! * [`config`]: what a run is told (the full bench, `--quick`, the overrides);
//! * [`drive`]: the driver — serves the fake org, runs the contenders, checks their ids;
//! * [`outcome`]: what a run found; [`report`]: the Markdown page made of it.
//! * [`measure`]: the launcher the driver runs each contender under (a small process, so a
//!   contender's peak RSS does not inherit the driver's; see there).
//! * [`component_list`]: the component contender (hidden subcommand `component-list`).
//! * [`kinds`]: the warm per-action cost of each connection kind.
//! * [`size`]: what each crate adds to the component (binary `okta-size`, `make size`).

pub mod component_list;
pub mod config;
pub mod drive;
pub mod kinds;
pub mod measure;
pub mod outcome;
pub mod report;
pub mod size;
pub mod stats;

/// The last `BENCH key=value ...` line a contender printed on stderr, as pairs.
pub fn bench_line(stderr: &str) -> Vec<(String, String)> {
    stderr
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("BENCH "))
        .map(|l| {
            l.split_whitespace()
                .filter_map(|kv| kv.split_once('='))
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        })
        .unwrap_or_default()
}
