//! The memory of a listing, as a host sees it: the component listing every user of a loopback
//! org of [`Config::users`] and of [`Config::large_users`], in-process (`okta-bench
//! component-list`) and through the command line (`okta-connector run users.list`), each way
//! in its own process under the launcher, side by side in the same rounds.
//!
//! Ways: Fetch All through the typed export with the harness logging every exchange's bodies
//! (what every host of the harness did before it could keep nothing), Fetch All keeping nothing,
//! a listing (`listings.open`) writing each page as it arrives, and the command line's Fetch
//! All whole (`--no-stream`) and streamed (a JSON array written page by page). Fetch All
//! refuses a listing past `OKTA_MAX_TOTAL_BYTES` (96 MiB, about 130 000 users), so only the
//! streaming ways run on the large org.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Result};
use serde::Deserialize;

use okta_fake_org::loopback::{Delays, ServedOrg};
use okta_fake_org::FakeOrg;

use crate::config::Config;
use crate::measure::Measured;

/// How a host lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Way {
    /// In-process, Fetch All, the harness logging every body.
    InProcessAllLogged,
    /// In-process, Fetch All, nothing logged.
    InProcessAll,
    /// In-process, a listing.
    InProcessStream,
    /// `okta-connector run users.list --no-stream` with Fetch All.
    CliWhole,
    /// `okta-connector run users.list` with Fetch All: streamed.
    CliStream,
}

impl Way {
    pub const ALL: [Way; 5] =
        [Way::InProcessAllLogged, Way::InProcessAll, Way::InProcessStream, Way::CliWhole, Way::CliStream];

    /// Whether it reads past the Fetch All cap.
    pub fn streams(self) -> bool {
        matches!(self, Way::InProcessStream | Way::CliStream)
    }

    pub fn key(self) -> &'static str {
        match self {
            Way::InProcessAllLogged => "in-process-all-logged",
            Way::InProcessAll => "in-process-all",
            Way::InProcessStream => "in-process-stream",
            Way::CliWhole => "cli-whole",
            Way::CliStream => "cli-stream",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Way::InProcessAllLogged => "in-process, Fetch All, harness logging every body (before)",
            Way::InProcessAll => "in-process, Fetch All (typed export)",
            Way::InProcessStream => "in-process, listing (`listings.open`), streaming",
            Way::CliWhole => "CLI, Fetch All whole (`--no-stream`)",
            Way::CliStream => "CLI, Fetch All streamed (JSON array)",
        }
    }
}

/// One run of one way.
#[derive(Clone, Debug)]
pub struct MemoryRun {
    pub way: Way,
    pub users: usize,
    pub warmup: bool,
    pub measured: Measured,
    pub ids: Result<(), String>,
}

impl MemoryRun {
    pub fn ok(&self) -> bool {
        self.measured.success() && self.ids.is_ok()
    }

    pub fn failure(&self) -> Option<String> {
        let what = if !self.measured.success() { self.measured.status.clone() } else { self.ids.clone().err()? };
        Some(format!("memory {} ({} users): {what}", self.way.key(), self.users))
    }
}

pub fn cli_path(exe: &Path) -> PathBuf {
    exe.with_file_name("okta-connector")
}

/// Runs every way on an org of each size, round by round.
pub fn measure(
    c: &Config,
    exe: &Path,
    server: &tokio::runtime::Runtime,
    launch: impl Fn(&[String], &Path) -> Result<Measured>,
) -> Result<Vec<MemoryRun>> {
    let mut runs = Vec::new();
    for users in [c.users, c.large_users].into_iter().filter(|n| *n > 0) {
        let org = FakeOrg::empty();
        org.generate_users(users);
        org.set_rate_limit(1_000_000, Duration::from_secs(60));
        let expected = org.user_ids();
        let served = server.block_on(ServedOrg::start(org, None, Delays::default()))?;
        let ways: Vec<Way> = Way::ALL.into_iter().filter(|w| users <= c.users || w.streams()).collect();
        let warmups = if users == c.users { c.warmup.min(1) } else { 0 };
        for round in 0..warmups + c.memory_reps {
            let mut order = ways.clone();
            order.rotate_left(round % ways.len());
            for way in order {
                let stem = c.work.join(format!("memory-{}-{users}-{round}", way.key()));
                let out = stem.with_extension("out");
                let argv = command(c, exe, way, served.url(), &out);
                let measured = launch(&argv, &stem)?;
                let ids = if measured.success() { check(&expected, way, &out, &stem) } else { Err("failed".into()) };
                let _ = std::fs::remove_file(&out);
                let _ = std::fs::remove_file(stem.with_extension("stdout"));
                println!(
                    "[memory {users}{}] {:<22} {:>8.3} s  {:>7.1} MB  {}",
                    if round < warmups { " warm-up" } else { "" },
                    way.key(),
                    measured.wall_s,
                    measured.maxrss_kb as f64 / 1024.0,
                    match &ids {
                        Ok(()) => format!("ok ({users} ids)"),
                        Err(e) => format!("FAILED: {e}"),
                    }
                );
                runs.push(MemoryRun { way, users, warmup: round < warmups, measured, ids });
            }
        }
    }
    Ok(runs)
}

fn command(c: &Config, exe: &Path, way: Way, url: &str, out: &Path) -> Vec<String> {
    let list = |mode: &str, record: &str| -> Vec<String> {
        [exe.display().to_string(), "component-list".into(), "--url".into(), url.into(), "--token".into()]
            .into_iter()
            .chain([FakeOrg::TOKEN.into(), "--limit".into(), c.limit.to_string(), "--mode".into(), mode.into()])
            .chain(["--record".into(), record.into(), "--out".into(), out.display().to_string()])
            .collect()
    };
    let cli = |extra: &[&str]| -> Vec<String> {
        let input = format!(r#"{{"fetch_all": true, "limit": {}}}"#, c.limit);
        let connection = format!(r#"{{"api_token": {{"domain": "{url}", "token": "{}"}}}}"#, FakeOrg::TOKEN);
        [cli_path(exe).display().to_string(), "run".into(), "users.list".into(), "--input".into(), input]
            .into_iter()
            .chain(["--connection".into(), connection])
            .chain(extra.iter().map(|s| s.to_string()))
            .collect()
    };
    match way {
        Way::InProcessAllLogged => list("all", "everything"),
        Way::InProcessAll => list("all", "nothing"),
        Way::InProcessStream => list("stream", "nothing"),
        Way::CliWhole => cli(&["--no-stream"]),
        Way::CliStream => cli(&[]),
    }
}

#[derive(Deserialize)]
struct Id {
    id: String,
}

#[derive(Deserialize)]
struct Whole {
    items: Vec<Id>,
    next_cursor: Option<String>,
}

/// `Ok` when the run wrote exactly the org's ids, in order.
fn check(expected: &[String], way: Way, out: &Path, stem: &Path) -> Result<(), String> {
    let read = |path: &Path| std::fs::File::open(path).map(std::io::BufReader::new).map_err(|e| e.to_string());
    let got: Vec<String> = match way {
        Way::InProcessAllLogged | Way::InProcessAll | Way::InProcessStream => {
            std::fs::read_to_string(out).map_err(|e| e.to_string())?.lines().map(str::to_string).collect()
        }
        Way::CliStream => serde_json::from_reader::<_, Vec<Id>>(read(&stem.with_extension("stdout"))?)
            .map_err(|e| format!("stdout is not a JSON array of users: {e}"))?
            .into_iter()
            .map(|u| u.id)
            .collect(),
        Way::CliWhole => {
            let whole: Whole = serde_json::from_reader(read(&stem.with_extension("stdout"))?)
                .map_err(|e| format!("stdout is not a page of users: {e}"))?;
            if let Some(cursor) = whole.next_cursor {
                return Err(format!("Fetch All returned a next cursor {cursor}"));
            }
            whole.items.into_iter().map(|u| u.id).collect()
        }
    };
    if got == expected {
        Ok(())
    } else {
        Err(format!("{} ids, expected {} in the org's order", got.len(), expected.len()))
    }
}

/// `Err` naming what the memory section needs and is missing.
pub fn preflight(exe: &Path) -> Result<()> {
    let cli = cli_path(exe);
    if !cli.exists() {
        bail!("{} (cargo build -p okta-connector-cli, same profile as okta-bench)", cli.display());
    }
    Ok(())
}
