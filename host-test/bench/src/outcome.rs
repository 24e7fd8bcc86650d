//! What a run of the bench found, as the driver collects it and the report shows it.

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use crate::config::Config;
use crate::kinds::KindCost;
use crate::measure::Measured;
use crate::stats::Summary;

/// The four ways to list the org's users.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Contender {
    Component,
    Python,
    Node,
    Native,
    /// Not one of the four: the component listing page by page, to show what `fetch_all` costs.
    ComponentPaged,
}

impl Contender {
    pub const ALL: [Contender; 5] =
        [Contender::Component, Contender::Python, Contender::Node, Contender::Native, Contender::ComponentPaged];

    /// Those that list over TLS too.
    pub const TLS: [Contender; 3] = [Contender::Component, Contender::Native, Contender::Node];

    /// One of the component's own runs (it must open one connection per listing).
    pub fn is_component(self) -> bool {
        matches!(self, Contender::Component | Contender::ComponentPaged)
    }

    pub fn key(self) -> &'static str {
        match self {
            Contender::Component => "component",
            Contender::Python => "python-sdk",
            Contender::Node => "node-sdk",
            Contender::Native => "native-rust",
            Contender::ComponentPaged => "component-paged",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Contender::Component => "component (wasmtime host, pooled Backend::Network)",
            Contender::Python => "Okta Python SDK",
            Contender::Node => "Okta Node SDK",
            Contender::Native => "native Rust (hyper-util pooled client + serde_json)",
            Contender::ComponentPaged => "extra: component page by page (`after` cursor, one instance)",
        }
    }
}

/// Where the contenders list from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Setting {
    /// Plain HTTP on loopback, no added delay.
    Loopback,
    /// TLS with a test CA, and a real org's delays.
    Tls,
}

/// One contender's run.
#[derive(Clone, Debug)]
pub struct Run {
    pub contender: Contender,
    pub setting: Setting,
    pub round: usize,
    pub warmup: bool,
    pub measured: Measured,
    /// The contender's own `BENCH` line (`list_s`, `import_s`, `sdk`, ...).
    pub bench: Vec<(String, String)>,
    /// Requests the fake org received during the run.
    pub requests: usize,
    /// Requests whose `Authorization` was `SSWS<token>` with no space.
    pub auth_without_space: usize,
    pub user_agents: Vec<String>,
    /// TCP connections the org accepted during the run.
    pub tcp_connections: Option<u64>,
    /// CPU time of this process (the fake org's runtime) during the run.
    pub server_cpu_s: f64,
    /// `Err` says how the ids differ from the org's.
    pub ids: Result<(), String>,
    pub stderr_tail: String,
}

impl Run {
    /// What went wrong in this run (wrong ids, or the process failed), if anything.
    pub fn failure(&self) -> Option<String> {
        let what = if !self.measured.success() {
            self.measured.status.clone()
        } else if let Err(e) = &self.ids {
            e.clone()
        } else if self.extra_connections() {
            format!("opened {} connections for one listing (goal: 1)", self.tcp_connections.unwrap_or(0))
        } else {
            return None;
        };
        Some(format!("{}{} round {}: {what}", self.contender.key(), self.setting.suffix(), self.round + 1))
    }

    /// A component run that opened more than one connection.
    pub fn extra_connections(&self) -> bool {
        self.contender.is_component() && self.tcp_connections.is_some_and(|n| n > 1)
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.bench.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
    pub fn get_f64(&self, key: &str) -> Option<f64> {
        self.get(key).and_then(|v| v.parse().ok())
    }
    pub fn ok(&self) -> bool {
        self.measured.success() && self.ids.is_ok()
    }
}

impl Setting {
    /// ` over TLS` where it applies, for messages.
    pub fn suffix(self) -> &'static str {
        match self {
            Setting::Loopback => "",
            Setting::Tls => " over TLS",
        }
    }
}

/// Per-action overhead: instantiate + Get User against the in-process fake org.
#[derive(Clone, Debug)]
pub struct Overhead {
    pub calls: usize,
    pub instantiate: Summary,
    pub get_user: Summary,
    pub total: Summary,
    /// The fake org answering the same request directly, without the component.
    pub fake_org_alone: Summary,
}

/// Many Get Users in one instance against a rate-limited org.
#[derive(Clone, Debug)]
pub struct RateRun {
    pub calls: usize,
    pub limit: u32,
    pub window: Duration,
    pub ok: usize,
    pub failed: Vec<String>,
    pub responses_429: usize,
    pub requests: usize,
    pub total_s: f64,
    pub minimum_s: f64,
}

/// Everything the report shows.
pub struct Outcomes {
    pub config: Config,
    pub runs: Vec<Run>,
    /// The TLS org's URL, when that part ran.
    pub tls_url: Option<String>,
    pub rss_floor_kb: u64,
    pub overhead: Result<Overhead, String>,
    pub kinds: Result<Vec<KindCost>, String>,
    pub rate: Result<RateRun, String>,
    pub component_bytes: u64,
    pub component_path: PathBuf,
    /// What each crate adds to the component, read from the unstripped copy `make size` builds.
    pub component_crates: Result<crate::size::Breakdown, String>,
    pub host_profile: &'static str,
    pub started: SystemTime,
    pub elapsed: Duration,
    pub load_before: String,
    pub load_after: String,
}
