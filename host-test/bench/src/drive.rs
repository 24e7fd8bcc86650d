//! The driver: `okta-bench [--quick] [--results FILE] [overrides]` (see [`crate::config`]).
//!
//! 1. Seeds a fake org with N deterministic users and serves it on 127.0.0.1 from its own
//!    multi-thread tokio runtime (2 workers) in this process, counting the connections it
//!    accepts.
//! 2. Runs the four contenders in rounds — a warm-up round, then `reps` measured ones, the
//!    order rotated each round — each as its own process under the `measure` launcher, and
//!    checks every run's ids against the org's, in order.
//! 3. Serves the same org over TLS (a test CA made at run time) with a real org's delays
//!    (30 ms per new connection, 10 ms per request) and runs the component, the native client
//!    and the Node SDK over it the same way. Any component run that opens more than one
//!    connection fails the bench.
//! 4. Measures a listing's memory in-process and through the CLI, Fetch All and streaming, on
//!    orgs of `users` and `large_users` ([`crate::memory`]).
//! 5. Measures the per-action overhead (instantiate + Get User, in-process fake org), the
//!    warm per-action cost of each connection kind ([`crate::kinds`]), the component's size,
//!    and a rate-limited run of Get Users in one instance.
//! 6. Prints the report and writes it to `--results`.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant, SystemTime};

use anyhow::{anyhow, bail, Context as _, Result};
use bytes::Bytes;

use okta_fake_org::loopback::{Delays, ServedOrg, TestCa};
use okta_fake_org::{FakeOrg, Outcome, SeenRequest};
use okta_harness::{api_token, error_json, Backend, Connector, GetUserInput};

use crate::config::{Config, Options};
use crate::measure::{self, Measured};
use crate::outcome::{Contender, Outcomes, Overhead, Run, Setting};
use crate::report;
use crate::stats::summarize;

/// The org a round lists from.
pub struct Target<'a> {
    pub setting: Setting,
    pub url: String,
    /// The test CA's PEM file (TLS only).
    pub ca: Option<PathBuf>,
    pub served: &'a ServedOrg,
}

fn native_list_path(exe: &Path) -> PathBuf {
    exe.with_file_name("okta-native-list")
}

/// Program and arguments that list every user of the target into `out` with `contender`, and
/// the environment they need.
fn command(
    contender: Contender,
    c: &Config,
    exe: &Path,
    target: &Target,
    out: &Path,
) -> (Vec<String>, Vec<(String, String)>) {
    let common = |v: &mut Vec<String>| {
        v.extend(["--url".into(), target.url.clone(), "--token".into(), FakeOrg::TOKEN.into()]);
        v.extend(["--limit".into(), c.limit.to_string(), "--out".into(), out.display().to_string()]);
    };
    let mut v: Vec<String> = match contender {
        Contender::Component => vec![exe.display().to_string(), "component-list".into()],
        Contender::ComponentPaged => {
            vec![exe.display().to_string(), "component-list".into(), "--mode".into(), "paged".into()]
        }
        Contender::Python => {
            vec![c.python.display().to_string(), c.bench_dir.join("python/list_users.py").display().to_string()]
        }
        Contender::Node => {
            vec![c.node.display().to_string(), c.bench_dir.join("node/list_users.js").display().to_string()]
        }
        Contender::Native => vec![native_list_path(exe).display().to_string()],
    };
    common(&mut v);
    let mut env = Vec::new();
    if let Some(ca) = &target.ca {
        match contender {
            // Node adds these to its bundled roots.
            Contender::Node => env.push(("NODE_EXTRA_CA_CERTS".to_string(), ca.display().to_string())),
            // aiohttp's default context reads the CA file OpenSSL is told of.
            Contender::Python => env.push(("SSL_CERT_FILE".to_string(), ca.display().to_string())),
            _ => v.extend(["--ca".into(), ca.display().to_string()]),
        }
    }
    (v, env)
}

/// Runs the bench; exit 1 when a contender failed or returned other ids, 2 when it could not run.
pub fn main(options: &Options) -> ExitCode {
    match drive(options) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("okta-bench: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn preflight(c: &Config, exe: &Path) -> Result<PathBuf> {
    let component = Connector::default_path();
    let mut missing = Vec::new();
    if !component.exists() {
        missing.push(format!("the component at {} (make build)", component.display()));
    }
    if let Err(e) = crate::memory::preflight(exe) {
        missing.push(e.to_string());
    }
    if !native_list_path(exe).exists() {
        missing.push(format!("{} (cargo build -p okta-bench)", native_list_path(exe).display()));
    }
    if !c.python.exists() {
        missing.push(format!("{} (bench/setup.sh makes the venv)", c.python.display()));
    }
    if !c.bench_dir.join("node/node_modules/@okta/okta-sdk-nodejs/package.json").exists() {
        missing.push("bench/node/node_modules/@okta/okta-sdk-nodejs (bench/setup.sh runs npm ci)".into());
    }
    if !missing.is_empty() {
        bail!("missing:\n  {}", missing.join("\n  "));
    }
    Ok(component)
}

fn drive(options: &Options) -> Result<bool> {
    let c = Config::from_options(options)?;
    let exe = std::env::current_exe().context("cannot find this executable")?;
    let component_path = preflight(&c, &exe)?;
    std::fs::create_dir_all(&c.work).with_context(|| format!("cannot create {}", c.work.display()))?;
    let started = SystemTime::now();
    let clock = Instant::now();
    let load_before = loadavg();
    let host_profile = if cfg!(debug_assertions) { "debug" } else { "release" };
    println!(
        "okta-bench ({}, {host_profile} host): {} users, limit={}, {} warm-up + {} measured rounds",
        c.label, c.users, c.limit, c.warmup, c.reps
    );

    // The org, on its own runtime.
    let org = FakeOrg::empty();
    org.generate_users(c.users);
    org.set_rate_limit(1_000_000, Duration::from_secs(60));
    org.tolerate_ssws_without_space(true);
    let expected = org.user_ids();
    if expected.len() != c.users {
        bail!("the fake org holds {} users, not {}", expected.len(), c.users);
    }
    let server =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).thread_name("fake-org").enable_all().build()?;
    if c.rate_only || c.memory_only {
        let cli_cache = [("XDG_CACHE_HOME".to_string(), c.work.join("cli-cache").display().to_string())];
        let memory = match c.memory_only {
            true => crate::memory::measure(&c, &exe, &server, |argv, stem| {
                launch(&c, &exe, argv, &cli_cache, stem).map(|(measured, _)| measured)
            })?,
            false => Vec::new(),
        };
        let runs = if c.rate_only { rate_limited(&c, &server)? } else { Vec::new() };
        let ok = runs.iter().all(|r| r.failed.is_empty()) && memory.iter().all(crate::memory::MemoryRun::ok);
        let text = report::render_sections(&c, &memory, &runs, &loadavg());
        println!("\n{text}");
        std::fs::write(&c.results, &text).with_context(|| format!("cannot write {}", c.results.display()))?;
        println!("written to {}", c.results.display());
        return Ok(ok);
    }
    let plain = server.block_on(ServedOrg::start(org.clone(), None, Delays::default()))?;
    println!("fake org at {}", plain.url());

    let rss_floor_kb = rss_floor(&c, &exe)?;

    // The listings, round by round.
    let mut runs = Vec::new();
    let target = Target { setting: Setting::Loopback, url: plain.url().to_string(), ca: None, served: &plain };
    rounds(&c, &exe, &org, &target, &expected, &Contender::ALL, &mut runs)?;
    drop(plain);

    // The same over TLS, with a real org's delays.
    let mut tls_url = None;
    if c.tls {
        let ca = TestCa::generate()?;
        let ca_path = c.work.join("test-ca.pem");
        std::fs::write(&ca_path, ca.ca_pem()).with_context(|| format!("cannot write {}", ca_path.display()))?;
        let served = server.block_on(ServedOrg::start(org.clone(), Some(&ca), c.tls_delays))?;
        println!(
            "fake org over TLS at {} ({} ms per new connection, {} ms per request)",
            served.url(),
            c.tls_delays.per_connection.as_millis(),
            c.tls_delays.per_request.as_millis()
        );
        let target =
            Target { setting: Setting::Tls, url: served.url().to_string(), ca: Some(ca_path), served: &served };
        rounds(&c, &exe, &org, &target, &expected, &Contender::TLS, &mut runs)?;
        tls_url = Some(served.url().to_string());
    }

    // A listing's memory, in-process and through the CLI, at two org sizes.
    let cli_cache = [("XDG_CACHE_HOME".to_string(), c.work.join("cli-cache").display().to_string())];
    let memory = crate::memory::measure(&c, &exe, &server, |argv, stem| {
        launch(&c, &exe, argv, &cli_cache, stem).map(|(measured, _)| measured)
    })?;

    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let overhead = runtime.block_on(overhead(&c)).map_err(|e| format!("{e:#}"));
    match &overhead {
        Ok(o) => println!("overhead: instantiate + Get User median {:.1} us ({} calls)", o.total.median * 1e6, o.calls),
        Err(e) => println!("overhead: FAILED: {e}"),
    }
    let kinds = runtime.block_on(crate::kinds::measure(c.overhead_calls)).map_err(|e| format!("{e:#}"));
    match &kinds {
        Ok(list) => {
            for k in list {
                println!(
                    "kind: {}: cold {} requests, warm {:.2} requests and {:.1} us median per action",
                    k.kind,
                    k.cold_requests,
                    k.warm_requests,
                    k.warm.median * 1e6
                );
            }
        }
        Err(e) => println!("kinds: FAILED: {e}"),
    }
    let rate = rate_limited(&c, &server).map_err(|e| format!("{e:#}"));
    if let Err(e) = &rate {
        println!("rate limit: FAILED: {e}");
    }
    drop(runtime);
    server.shutdown_timeout(Duration::from_secs(1));

    let outcomes = Outcomes {
        tls_url,
        component_bytes: std::fs::metadata(&component_path).map(|m| m.len()).unwrap_or(0),
        component_path,
        component_crates: crate::size::read(&c.unstripped_component),
        config: c.clone(),
        runs,
        memory,
        rss_floor_kb,
        overhead,
        kinds,
        rate,
        host_profile,
        started,
        elapsed: clock.elapsed(),
        load_before,
        load_after: loadavg(),
    };
    let text = report::render(&outcomes);
    println!("\n{text}");
    if let Some(dir) = c.results.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&c.results, &text).with_context(|| format!("cannot write {}", c.results.display()))?;
    println!("written to {}", c.results.display());

    let bad: Vec<String> = outcomes
        .runs
        .iter()
        .filter_map(Run::failure)
        .chain(outcomes.memory.iter().filter_map(crate::memory::MemoryRun::failure))
        .chain(outcomes.overhead.as_ref().err().map(|e| format!("overhead: {e}")))
        .chain(outcomes.kinds.as_ref().err().map(|e| format!("kinds: {e}")))
        .chain(outcomes.rate.as_ref().err().map(|e| format!("rate limit: {e}")))
        .chain(outcomes.rate.iter().flatten().filter(|r| !r.failed.is_empty()).map(|r| {
            format!(
                "rate limit ({}): {} of {} calls failed, first: {}",
                r.scenario.label(),
                r.failed.len(),
                r.scenario.calls,
                r.failed[0]
            )
        }))
        .collect();
    if bad.is_empty() {
        println!(
            "bench {}: every contender returned the org's {} ids, in order; the component opened one connection \
             per listing",
            c.label, c.users
        );
        Ok(true)
    } else {
        eprintln!("bench {} FAILED:\n  {}", c.label, bad.join("\n  "));
        Ok(false)
    }
}

/// Runs every contender of `contenders` against `target`, round by round (warm-ups first, the
/// order rotated each round), printing a line per run.
fn rounds(
    c: &Config,
    exe: &Path,
    org: &FakeOrg,
    target: &Target,
    expected: &[String],
    contenders: &[Contender],
    runs: &mut Vec<Run>,
) -> Result<()> {
    for round in 0..c.warmup + c.reps {
        let warmup = round < c.warmup;
        let mut order = contenders.to_vec();
        order.rotate_left(round % contenders.len());
        for contender in order {
            let run = run_one(c, exe, org, target, expected, contender, round, warmup)?;
            println!(
                "[{}{}/{}] {:<19} {:>8.3} s  {:>7.1} MB  {:>4} requests  {:>3} conns  {}",
                if warmup { "warm-up " } else { "round " },
                if warmup { round + 1 } else { round + 1 - c.warmup },
                if warmup { c.warmup } else { c.reps },
                format!("{}{}", contender.key(), if target.setting == Setting::Tls { "/tls" } else { "" }),
                run.measured.wall_s,
                run.measured.maxrss_kb as f64 / 1024.0,
                run.requests,
                run.tcp_connections.map(|n| n.to_string()).unwrap_or("?".into()),
                match (&run.ids, run.measured.success()) {
                    (_, false) => format!("FAILED ({})\n{}", run.measured.status, run.stderr_tail),
                    (Err(e), true) => format!("WRONG IDS: {e}"),
                    (Ok(()), true) if run.extra_connections() => "MORE THAN ONE CONNECTION".to_string(),
                    (Ok(()), true) => format!("ok ({} ids)", expected.len()),
                },
            );
            runs.push(run);
        }
    }
    Ok(())
}

/// Runs `argv` under the launcher, with `env` added, and returns what it measured.
fn launch(
    c: &Config,
    exe: &Path,
    argv: &[String],
    env: &[(String, String)],
    stem: &Path,
) -> Result<(Measured, String)> {
    let stderr_path = stem.with_extension("stderr");
    let output = Command::new(exe)
        .arg("measure")
        .args(["--timeout-s", &c.timeout_s.to_string()])
        .arg("--stdout")
        .arg(stem.with_extension("stdout"))
        .arg("--stderr")
        .arg(&stderr_path)
        .arg("--cwd")
        .arg(&c.work)
        .arg("--")
        .args(argv)
        // Python SDK: allow http:// to the loopback org.
        .env("OKTA_TESTING_TESTINGDISABLEHTTPSCHECK", "true")
        // The SDKs read these; the bench passes its org explicitly.
        .env_remove("OKTA_CLIENT_ORGURL")
        .env_remove("OKTA_CLIENT_TOKEN")
        .env_remove("OKTA_CLIENT_AUTHORIZATIONMODE")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output()
        .context("cannot run the launcher")?;
    if !output.status.success() {
        bail!("launcher failed for {}: {}", argv.join(" "), String::from_utf8_lossy(&output.stderr));
    }
    let measured: Measured = serde_json::from_slice(&output.stdout)
        .with_context(|| format!("launcher said: {}", String::from_utf8_lossy(&output.stdout)))?;
    let stderr = std::fs::read_to_string(&stderr_path).unwrap_or_default();
    Ok((measured, stderr))
}

/// The launcher's own contribution to every peak RSS: it running `true`, median of 3.
fn rss_floor(c: &Config, exe: &Path) -> Result<u64> {
    let mut v = Vec::new();
    for i in 0..3 {
        let (m, _) = launch(c, exe, &["true".to_string()], &[], &c.work.join(format!("floor-{i}")))?;
        v.push(m.maxrss_kb as f64);
    }
    Ok(summarize(&v).map(|s| s.median as u64).unwrap_or(0))
}

#[allow(clippy::too_many_arguments)]
fn run_one(
    c: &Config,
    exe: &Path,
    org: &FakeOrg,
    target: &Target,
    expected: &[String],
    contender: Contender,
    round: usize,
    warmup: bool,
) -> Result<Run> {
    let tls = if target.setting == Setting::Tls { "-tls" } else { "" };
    let stem = c.work.join(format!("{}{tls}-{round}", contender.key()));
    let ids_path = stem.with_extension("ids");
    let _ = std::fs::remove_file(&ids_path);
    let (argv, env) = command(contender, c, exe, target, &ids_path);

    let seen_before = org.requests().len();
    let opens_before = target.served.connections();
    let cpu_before = measure::self_cpu_s();
    let (measured, stderr) = launch(c, exe, &argv, &env, &stem)?;
    let server_cpu_s = measure::self_cpu_s() - cpu_before;
    let tcp_connections = Some(target.served.connections() - opens_before);
    let seen = org.requests();
    let seen = &seen[seen_before.min(seen.len())..];

    let ids = if measured.success() { check_ids(expected, &ids_path) } else { Err("the run failed".into()) };
    let tail: Vec<&str> = stderr.lines().rev().take(15).collect();
    Ok(Run {
        contender,
        setting: target.setting,
        round,
        warmup,
        bench: crate::bench_line(&stderr),
        requests: seen.len(),
        auth_without_space: seen.iter().filter(|r| auth_without_space(r)).count(),
        user_agents: user_agents(seen),
        tcp_connections,
        server_cpu_s,
        measured,
        ids,
        stderr_tail: tail.into_iter().rev().collect::<Vec<_>>().join("\n"),
    })
}

fn header<'a>(r: &'a SeenRequest, name: &str) -> Option<&'a str> {
    r.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

fn auth_without_space(r: &SeenRequest) -> bool {
    header(r, "authorization").and_then(|v| v.strip_prefix("SSWS")).is_some_and(|rest| !rest.starts_with(' '))
}

fn user_agents(seen: &[SeenRequest]) -> Vec<String> {
    let mut v: Vec<String> = Vec::new();
    for ua in seen.iter().filter_map(|r| header(r, "user-agent")) {
        if !v.iter().any(|x| x == ua) {
            v.push(ua.to_string());
        }
    }
    v
}

/// `Ok` when the file holds exactly `expected`, one id per line, in order; else how it differs.
fn check_ids(expected: &[String], path: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("no ids written ({}: {e})", path.display()))?;
    let got: Vec<&str> = text.lines().collect();
    if got.len() == expected.len() && got.iter().zip(expected).all(|(a, b)| *a == b) {
        return Ok(());
    }
    let want: HashSet<&str> = expected.iter().map(String::as_str).collect();
    let have: HashSet<&str> = got.iter().copied().collect();
    let missing = want.difference(&have).count();
    let unexpected = have.difference(&want).count();
    let repeated = got.len() - have.len();
    let first = got.iter().zip(expected).position(|(a, b)| *a != b).unwrap_or(got.len().min(expected.len()));
    if missing == 0 && unexpected == 0 && repeated == 0 {
        return Err(format!("the same ids in another order (first difference at line {})", first + 1));
    }
    Err(format!(
        "{} ids, expected {}: {missing} missing, {unexpected} unexpected, {repeated} repeated (first difference at line {})",
        got.len(),
        expected.len(),
        first + 1
    ))
}

async fn overhead(c: &Config) -> Result<Overhead> {
    let connector = Connector::load_default()?;
    let org = FakeOrg::empty();
    org.generate_users(100);
    org.set_rate_limit(1_000_000, Duration::from_secs(60));
    let ids = org.user_ids();
    let connection = api_token("https://fake-org.okta.com", FakeOrg::TOKEN);
    let warmup = 20.min(c.overhead_calls);
    let (mut inst_s, mut get_s, mut total_s) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..warmup + c.overhead_calls {
        let id = &ids[i % ids.len()];
        let t0 = Instant::now();
        let mut instance = connector.instantiate(Backend::FakeOrg(org.clone())).await?;
        let t1 = Instant::now();
        let user = instance
            .users()
            .get(&connection, &GetUserInput { id: id.clone(), expand: None })
            .await?
            .map_err(|e| anyhow!("Get User {id} failed: {}", error_json(&e)))?;
        let t2 = Instant::now();
        drop(instance);
        let t3 = Instant::now();
        if !user.contains(id.as_str()) {
            bail!("Get User {id} returned another user: {user}");
        }
        if i >= warmup {
            inst_s.push((t1 - t0).as_secs_f64());
            get_s.push((t2 - t1).as_secs_f64());
            total_s.push((t3 - t0).as_secs_f64());
        }
    }
    let mut alone = Vec::new();
    for i in 0..warmup + c.overhead_calls {
        let id = &ids[i % ids.len()];
        let request = http::Request::get(format!("https://fake-org.okta.com/api/v1/users/{id}"))
            .header("authorization", format!("SSWS {}", FakeOrg::TOKEN))
            .header("accept", "application/json")
            .body(Bytes::new())?;
        let t0 = Instant::now();
        let outcome = org.handle(request).await;
        let dt = t0.elapsed().as_secs_f64();
        match outcome {
            Outcome::Response { response, .. } if response.status() == 200 => {}
            other => bail!("the fake org did not answer 200 to GET /users/{id}: {other:?}"),
        }
        if i >= warmup {
            alone.push(dt);
        }
    }
    let s = |v: &[f64]| summarize(v).ok_or_else(|| anyhow!("no samples (--overhead-calls 0)"));
    Ok(Overhead {
        calls: c.overhead_calls,
        instantiate: s(&inst_s)?,
        get_user: s(&get_s)?,
        total: s(&total_s)?,
        fake_org_alone: s(&alone)?,
    })
}

/// The rate-limit scenarios: one instance, then many with one budget and with one each, then
/// one and many on Okta's minute-long windows.
pub fn rate_scenarios(c: &Config) -> Vec<crate::rate::Scenario> {
    let short = |instances, shared| crate::rate::Scenario {
        instances,
        calls: c.rate_calls,
        limit: c.rate_limit,
        window: c.rate_window,
        shared,
        before: None,
    };
    let minute = |scenario: crate::rate::Scenario| crate::rate::Scenario {
        limit: u32::try_from(c.rate_calls.div_ceil(2)).unwrap_or(u32::MAX),
        window: Duration::from_secs(60),
        ..scenario
    };
    // Before: the component as it was before the shared budget, measured first.
    let before = |instances| crate::rate::Scenario { before: c.before_component.clone(), ..short(instances, false) };
    let mut v = Vec::new();
    if c.before_component.is_some() {
        v.extend([before(1), before(c.rate_instances)]);
        if c.rate_minute {
            v.push(minute(before(c.rate_instances)));
        }
    }
    v.extend([short(1, true), short(c.rate_instances, false), short(c.rate_instances, true)]);
    if c.rate_minute {
        for instances in [1, c.rate_instances] {
            v.push(minute(short(instances, true)));
        }
    }
    v
}

/// Runs every rate-limit scenario, printing a line per scenario.
fn rate_limited(c: &Config, server: &tokio::runtime::Runtime) -> Result<Vec<crate::rate::RateRun>> {
    let mut runs = Vec::new();
    let mut unlimited: Vec<((usize, bool, bool), f64)> = Vec::new();
    for scenario in rate_scenarios(c) {
        let key = (scenario.instances, scenario.shared, scenario.before.is_some());
        let free = match unlimited.iter().find(|(k, _)| *k == key) {
            Some((_, s)) => *s,
            None => {
                let free = crate::rate::run(&scenario.unlimited(), server)?;
                if free.ok != scenario.calls || free.responses_429 > 0 {
                    anyhow::bail!(
                        "the unlimited run of {} made {} of {} calls ({} x 429): {:?}",
                        scenario.label(),
                        free.ok,
                        scenario.calls,
                        free.responses_429,
                        free.failed.first()
                    );
                }
                println!(
                    "rate limit: {} instance(s), {} Get Users, unlimited: {:.2} s",
                    scenario.instances, scenario.calls, free.total_s
                );
                unlimited.push((key, free.total_s));
                free.total_s
            }
        };
        let mut r = crate::rate::run(&scenario, server)?;
        r.unlimited_s = Some(free);
        println!(
            "rate limit: {}: {} ok, {} x 429 ({:.2} % of {} requests), {:.2} s (minimum {:.2} s, {:.2}x)",
            scenario.label(),
            r.ok,
            r.responses_429,
            100.0 * r.share_429(),
            r.requests,
            r.total_s,
            scenario.minimum_s(),
            r.vs_minimum()
        );
        runs.push(r);
    }
    Ok(runs)
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

/// Checks [`check_ids`]' verdicts.
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_compared_in_order() {
        let dir = std::env::temp_dir().join(format!("okta-bench-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let expected: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        let check = |text: &str| {
            let p = dir.join("ids");
            std::fs::write(&p, text).unwrap();
            check_ids(&expected, &p)
        };
        assert_eq!(check("a\nb\nc\n"), Ok(()));
        assert!(check("a\nc\nb\n").unwrap_err().contains("another order"));
        assert!(check("a\nb\n").unwrap_err().contains("1 missing"));
        assert!(check("a\nb\nc\nc\n").unwrap_err().contains("1 repeated"));
        assert!(check("a\nb\nx\n").unwrap_err().contains("1 unexpected"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_component_run_with_a_second_connection_fails_the_bench() {
        let run = |contender, connections| Run {
            contender,
            setting: Setting::Tls,
            round: 0,
            warmup: true,
            measured: Measured { wall_s: 1.0, maxrss_kb: 1, user_s: 0.0, sys_s: 0.0, status: "exit 0".into() },
            bench: Vec::new(),
            requests: 10,
            auth_without_space: 0,
            user_agents: Vec::new(),
            tcp_connections: Some(connections),
            server_cpu_s: 0.0,
            ids: Ok(()),
            stderr_tail: String::new(),
        };
        assert_eq!(run(Contender::Component, 1).failure(), None);
        assert_eq!(
            run(Contender::Component, 10).failure().as_deref(),
            Some("component over TLS round 1: opened 10 connections for one listing (goal: 1)")
        );
        assert!(run(Contender::ComponentPaged, 2).failure().is_some());
        // Other contenders' connections are reported, not judged.
        assert_eq!(run(Contender::Python, 10).failure(), None);
    }
}
