//! What a run of the bench is told: the full bench (`make bench`), the quick one (`make
//! bench-quick`, run by CI after `make test`), and the overrides the command line takes.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Result};
use okta_fake_org::loopback::Delays;

/// The command line's overrides of the full or quick configuration.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct Options {
    /// The same bench with small numbers (2 000 users), results in target/bench/quick/.
    #[arg(long)]
    pub quick: bool,
    /// Users in the org.
    #[arg(long, value_name = "N")]
    pub users: Option<usize>,
    /// Warm-up rounds.
    #[arg(long, value_name = "N")]
    pub warmup: Option<usize>,
    /// Measured rounds.
    #[arg(long, value_name = "N")]
    pub reps: Option<usize>,
    /// Users in the large org of the memory section (0 skips it).
    #[arg(long, value_name = "N")]
    pub large_users: Option<usize>,
    /// Measured rounds of the memory section.
    #[arg(long, value_name = "N")]
    pub memory_reps: Option<usize>,
    /// Users per page (1 to 200).
    #[arg(long, value_name = "N")]
    pub limit: Option<u32>,
    /// Get User calls for the per-action overhead and the connection kinds.
    #[arg(long, value_name = "N")]
    pub overhead_calls: Option<usize>,
    /// Get User calls against the rate-limited org.
    #[arg(long, value_name = "N")]
    pub rate_calls: Option<usize>,
    /// Instances making the Get Users at once.
    #[arg(long, value_name = "N")]
    pub rate_instances: Option<usize>,
    /// Also run the instances on Okta's 60-second windows (1) or not (0).
    #[arg(long, value_name = "0|1")]
    pub rate_minute: Option<u8>,
    /// Only the rate-limit section (with --memory-only: both), no other.
    #[arg(long)]
    pub rate_only: bool,
    /// Only the memory section (with --rate-only: both), no other.
    #[arg(long)]
    pub memory_only: bool,
    /// Requests per window of the rate-limited org.
    #[arg(long, value_name = "N")]
    pub rate_limit: Option<u32>,
    /// The rate-limit window, in milliseconds.
    #[arg(long, value_name = "MS")]
    pub rate_window_ms: Option<u64>,
    /// The component as it was before the shared rate-limit budget (`make before-build`), for
    /// the rate-limit section's "before" rows; an empty path: none.
    #[arg(long, value_name = "WASM")]
    pub before_component: Option<PathBuf>,
    /// The most one contender's run may take, in seconds.
    #[arg(long, value_name = "S")]
    pub timeout_s: Option<f64>,
    /// List over TLS too (1) or not (0).
    #[arg(long, value_name = "0|1")]
    pub tls: Option<u8>,
    /// Delay before a new TLS connection's first byte, in milliseconds.
    #[arg(long, value_name = "MS")]
    pub tls_connection_ms: Option<u64>,
    /// Delay before each response over TLS, in milliseconds.
    #[arg(long, value_name = "MS")]
    pub tls_request_ms: Option<u64>,
    /// Where the report is written.
    #[arg(long, value_name = "FILE")]
    pub results: Option<PathBuf>,
    /// Where the contenders' outputs go.
    #[arg(long, value_name = "DIR")]
    pub work: Option<PathBuf>,
    /// The Python with Okta's SDK (bench/setup.sh makes it).
    #[arg(long, value_name = "PATH")]
    pub python: Option<PathBuf>,
    /// The Node.js that runs Okta's Node SDK.
    #[arg(long, value_name = "PATH")]
    pub node: Option<PathBuf>,
}

/// Everything a run of the bench is told.
#[derive(Clone, Debug)]
pub struct Config {
    pub label: String,
    pub users: usize,
    /// The large org of the memory section: only streaming reads it (Fetch All refuses it).
    pub large_users: usize,
    pub memory_reps: usize,
    pub warmup: usize,
    pub reps: usize,
    pub limit: u32,
    pub overhead_calls: usize,
    pub rate_calls: usize,
    pub rate_limit: u32,
    pub rate_window: Duration,
    pub rate_instances: usize,
    /// Also a run on 60-second windows (limit: half the calls, so two windows).
    pub rate_minute: bool,
    pub rate_only: bool,
    pub memory_only: bool,
    /// The component built before the shared budget ([`BEFORE_COMPONENT`]), when there is one.
    pub before_component: Option<PathBuf>,
    pub timeout_s: f64,
    /// Also list over TLS with [`Config::tls_delays`].
    pub tls: bool,
    pub tls_delays: Delays,
    pub results: PathBuf,
    pub work: PathBuf,
    pub python: PathBuf,
    pub node: PathBuf,
    pub bench_dir: PathBuf,
    /// The unstripped release component `make size` builds, for the size breakdown.
    pub unstripped_component: PathBuf,
}

/// Where `make before-build` leaves the component as it was before the shared rate-limit
/// budget (see the Makefile's `BEFORE_BUDGET`).
pub const BEFORE_COMPONENT: &str = "target/before-budget/okta_connector.wasm";

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

impl Config {
    /// `make bench`: the full numbers.
    pub fn full() -> Config {
        let root = repo_root();
        Config {
            label: "full".into(),
            users: 50_000,
            large_users: 500_000,
            memory_reps: 3,
            warmup: 1,
            reps: 5,
            limit: 200,
            overhead_calls: 1_000,
            rate_calls: 4_000,
            rate_limit: 1_000,
            // Shorter than Okta's minute to keep the bench short, not so short that the reset's
            // whole second (any client that honours it starts each window up to 1 s late)
            // weighs 10 % of a window.
            rate_window: Duration::from_secs(20),
            rate_instances: 20,
            rate_minute: true,
            rate_only: false,
            memory_only: false,
            before_component: Some(root.join(BEFORE_COMPONENT)).filter(|p| p.exists()),
            timeout_s: 900.0,
            tls: true,
            tls_delays: Delays::REAL_ORG,
            results: root.join("bench/results.md"),
            work: root.join("target/bench/full"),
            python: root.join("bench/.venv/bin/python"),
            node: PathBuf::from("node"),
            bench_dir: root.join("bench"),
            unstripped_component: root.join(crate::size::UNSTRIPPED),
        }
    }

    /// `make bench-quick`: the same harness with small numbers (run by CI after `make test`).
    pub fn quick() -> Config {
        let root = repo_root();
        Config {
            label: "quick".into(),
            users: 2_000,
            large_users: 20_000,
            memory_reps: 1,
            warmup: 1,
            reps: 2,
            overhead_calls: 50,
            // Two windows: a reset seen, short enough for a CI run.
            rate_calls: 50,
            rate_limit: 25,
            rate_window: Duration::from_secs(1),
            rate_instances: 5,
            rate_minute: false,
            before_component: None,
            timeout_s: 180.0,
            results: root.join("target/bench/quick/results.md"),
            work: root.join("target/bench/quick"),
            ..Config::full()
        }
    }

    /// The configuration the command line asks for: `--quick` or the full bench, then any
    /// overrides.
    pub fn from_options(o: &Options) -> Result<Config> {
        let mut c = if o.quick { Config::quick() } else { Config::full() };
        macro_rules! take {
            ($($field:ident),*) => { $(if let Some(v) = o.$field.clone() { c.$field = v; })* };
        }
        take!(
            users,
            large_users,
            memory_reps,
            warmup,
            reps,
            limit,
            overhead_calls,
            rate_calls,
            rate_instances,
            rate_limit,
            timeout_s,
            results,
            work,
            python,
            node
        );
        if let Some(ms) = o.rate_window_ms {
            c.rate_window = Duration::from_millis(ms);
        }
        if let Some(path) = &o.before_component {
            c.before_component = Some(path.clone()).filter(|p| !p.as_os_str().is_empty());
        }
        if let Some(minute) = o.rate_minute {
            c.rate_minute = minute != 0;
        }
        c.rate_only |= o.rate_only;
        c.memory_only |= o.memory_only;
        if let Some(tls) = o.tls {
            c.tls = tls != 0;
        }
        if let Some(ms) = o.tls_connection_ms {
            c.tls_delays.per_connection = Duration::from_millis(ms);
        }
        if let Some(ms) = o.tls_request_ms {
            c.tls_delays.per_request = Duration::from_millis(ms);
        }
        if c.reps == 0 || c.users == 0 || c.rate_limit == 0 || !(1..=200).contains(&c.limit) {
            bail!("--reps, --users and --rate-limit must be positive, --limit within 1..=200");
        }
        Ok(c)
    }
}
