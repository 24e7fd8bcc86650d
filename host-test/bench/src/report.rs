//! The report: a Markdown page (printed, and written to `bench/results.md` by `make bench`).

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use crate::measure::Measured;
use crate::outcome::{Contender, Outcomes, Run, Setting};
use crate::stats::{summarize, Summary};

fn mb(kb: f64) -> f64 {
    kb / 1024.0
}

fn us(s: &Summary) -> String {
    format!("{:.1} µs (min {:.1}, max {:.1})", s.median * 1e6, s.min * 1e6, s.max * 1e6)
}

fn repo_root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").arg("-C").arg(repo_root()).args(args).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn commit() -> String {
    let Some(head) = git(&["rev-parse", "--short=12", "HEAD"]) else {
        return "unknown (not a git checkout)".into();
    };
    let subject = git(&["log", "-1", "--format=%s"]).unwrap_or_default();
    let dirty = git(&["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty());
    format!("`{head}` {subject}{}", if dirty { " (plus uncommitted changes)" } else { "" })
}

/// `version` of package `name` in the workspace's Cargo.lock.
fn locked(name: &str) -> String {
    let lock = std::fs::read_to_string(repo_root().join("Cargo.lock")).unwrap_or_default();
    let needle = format!("name = \"{name}\"\nversion = \"");
    lock.find(&needle)
        .and_then(|i| lock[i + needle.len()..].split('"').next().map(str::to_string))
        .unwrap_or_else(|| "?".into())
}

fn machine() -> String {
    let nproc = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name").and_then(|r| r.split_once(':')).map(|(_, m)| m.trim().to_string()))
        .unwrap_or_else(|| "?".into());
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_gib = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|r| r.split_whitespace().next()?.parse::<f64>().ok())
        .map(|kb| kb / 1024.0 / 1024.0)
        .unwrap_or(0.0);
    format!("`nproc` = {nproc}, {model}, {mem_gib:.0} GiB RAM")
}

/// The first value of `key` in a contender's `BENCH` lines.
fn bench_value<'a>(runs: &'a [&Run], key: &str) -> Option<&'a str> {
    runs.iter().find_map(|r| r.get(key))
}

struct Row {
    contender: Contender,
    runs: usize,
    failed: usize,
    wall: Option<Summary>,
    listing: Option<Summary>,
    rss_kb: Option<Summary>,
    cpu: Option<Summary>,
    server_cpu: Option<Summary>,
    requests: Option<Summary>,
    conns: Option<Summary>,
}

/// A median formatted, or `–` when no run measured it.
fn opt(x: Option<Summary>, f: &dyn Fn(f64) -> String) -> String {
    x.map(|x| f(x.median)).unwrap_or("–".into())
}

/// The cells both listing tables open a row with: contender, wall median and range, listing
/// median, users/s, requests, connections, peak RSS, CPU (no closing `|`).
fn common_cells(r: &Row, wall: Summary, users: usize) -> String {
    format!(
        "| {}{} | {:.3} | {:.3}–{:.3} | {} | {:.0} | {} | {} | {} | {}",
        r.contender.label(),
        if r.failed > 0 { format!(" ({} of {} runs FAILED)", r.failed, r.runs) } else { String::new() },
        wall.median,
        wall.min,
        wall.max,
        opt(r.listing, &|v| format!("{v:.3}")),
        users as f64 / wall.median,
        opt(r.requests, &|v| format!("{v:.0}")),
        opt(r.conns, &|v| format!("{v:.0}")),
        opt(r.rss_kb, &|v| format!("{:.1}", mb(v))),
        opt(r.cpu, &|v| format!("{v:.2}")),
    )
}

fn row(measured: &[&Run], contender: Contender, setting: Setting) -> Row {
    let runs: Vec<&&Run> = measured.iter().filter(|r| r.contender == contender && r.setting == setting).collect();
    let ok: Vec<&&Run> = runs.iter().copied().filter(|r| r.ok()).collect();
    let f = |g: &dyn Fn(&Run) -> Option<f64>| summarize(&ok.iter().filter_map(|r| g(r)).collect::<Vec<_>>());
    Row {
        contender,
        runs: runs.len(),
        failed: runs.len() - ok.len(),
        wall: f(&|r| Some(r.measured.wall_s)),
        listing: f(&|r| r.get_f64("list_s")),
        rss_kb: f(&|r| Some(r.measured.maxrss_kb as f64)),
        cpu: f(&|r| Some(r.measured.user_s + r.measured.sys_s)),
        server_cpu: f(&|r| Some(r.server_cpu_s)),
        requests: f(&|r| Some(r.requests as f64)),
        conns: f(&|r| r.tcp_connections.map(|c| c as f64)),
    }
}

pub fn render(o: &Outcomes) -> String {
    let c = &o.config;
    let measured: Vec<&Run> = o.runs.iter().filter(|r| !r.warmup).collect();
    let of = |k: Contender| -> Vec<&Run> {
        o.runs.iter().filter(|r| r.contender == k && r.setting == Setting::Loopback).collect()
    };
    let (py, node, comp) = (of(Contender::Python), of(Contender::Node), of(Contender::Component));
    let mut s = String::new();

    let _ = writeln!(s, "# Bench: listing {} users ({})\n", c.users, c.label);
    let _ = writeln!(
        s,
        "Each contender lists every user of a fake Okta org served on 127.0.0.1 by `okta-bench`, \
         following `Link: rel=\"next\"` with `limit={}`, in its own process. Written by `okta-bench` \
         (`make bench`); every run of it overwrites this file.\n",
        c.limit
    );
    let _ = writeln!(s, "| | |\n|---|---|");
    let _ = writeln!(s, "| date | {} |", httpdate::fmt_http_date(o.started));
    let _ = writeln!(s, "| git commit | {} |", commit());
    let _ = writeln!(s, "| machine | {} |", machine());
    let _ = writeln!(s, "| load average (1, 5, 15 min) | before {}, after {} |", o.load_before, o.load_after);
    let _ = writeln!(
        s,
        "| host | {} build of okta-host, wasmtime {}, the fake org on a 2-worker tokio runtime in the driver |",
        o.host_profile,
        locked("wasmtime")
    );
    let _ = writeln!(s, "| component | `{}`, {} bytes |", rel(&o.component_path), o.component_bytes);
    let _ = writeln!(
        s,
        "| Python SDK | `{}` on {} |",
        bench_value(&py, "sdk").unwrap_or("?"),
        bench_value(&py, "runtime").unwrap_or("?")
    );
    let _ = writeln!(
        s,
        "| Node SDK | `{}` on {} |",
        bench_value(&node, "sdk").unwrap_or("?"),
        bench_value(&node, "runtime").unwrap_or("?")
    );
    let _ = writeln!(
        s,
        "| native client | hyper-util {} (legacy pooled client, HTTP/1 keep-alive) + serde_json {}; over TLS \
         hyper-rustls {} |",
        locked("hyper-util"),
        locked("serde_json"),
        locked("hyper-rustls")
    );
    let _ = writeln!(
        s,
        "| component's network backend | `host-test/harness/src/network.rs`: keep-alive HTTP/1 connections pooled per \
         origin on hyper {}, TLS through rustls {} |",
        locked("hyper"),
        locked("rustls")
    );
    let _ = writeln!(
        s,
        "| runs | {} warm-up round(s), not counted, then {} measured; the contenders (and the extra row) alternate, \
         the order rotated each round |",
        c.warmup, c.reps
    );
    let _ = writeln!(s, "| bench time | {:.0} s |\n", o.elapsed.as_secs_f64());
    let _ = writeln!(
        s,
        "The machine is shared with other developers' builds and tests, so it is noisy: the load average \
         above says how busy it was (2 cores; above 2 means contenders waited for a CPU). Absolute times move \
         with it from run to run; the ratios between contenders, measured alternately in the same rounds, \
         move much less.\n"
    );

    // The listing table.
    let rows: Vec<Row> = Contender::ALL.iter().map(|&k| row(&measured, k, Setting::Loopback)).collect();
    let base = rows.iter().find(|r| r.contender == Contender::Component);
    let _ = writeln!(s, "## Listing {} users\n", c.users);
    let _ = writeln!(
        s,
        "| contender | wall median (s) | wall min–max (s) | listing median (s) | users/s | requests/run | \
         TCP conns/run | peak RSS median (MB) | CPU median (s) | fake-org CPU median (s) | wall vs component | \
         RSS vs component |"
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in &rows {
        let Some(wall) = r.wall else {
            let _ = writeln!(s, "| {} | all {} runs failed | | | | | | | | | | |", r.contender.label(), r.runs);
            continue;
        };
        let ratio = |mine: Option<Summary>, theirs: Option<Summary>| match (mine, theirs) {
            (Some(a), Some(b)) if b.median > 0.0 => format!("{:.2}×", a.median / b.median),
            _ => "–".into(),
        };
        let _ = writeln!(
            s,
            "{} | {} | {} | {} |",
            common_cells(r, wall, c.users),
            opt(r.server_cpu, &|v| format!("{v:.2}")),
            ratio(r.wall, base.and_then(|b| b.wall)),
            ratio(r.rss_kb, base.and_then(|b| b.rss_kb)),
        );
    }
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "- **wall**: from spawning the process to reaping it (start-up, imports and loading included). \
         **listing**: the time the contender measured around the listing itself, so wall − listing is \
         start-up (Python SDK import median {}, Node SDK require median {}, component load + instantiate \
         median {}).",
        median_of(&py, "import_s"),
        median_of(&node, "import_s"),
        median_of(&comp, "load_s"),
    );
    let _ = writeln!(
        s,
        "- **requests/run**: requests the fake org received during a run; **TCP conns/run**: connections \
         the fake org accepted during it (its own count); {} pages hold {} users.",
        c.users.div_ceil(c.limit as usize),
        c.users
    );
    let _ = writeln!(
        s,
        "- **peak RSS**: `ru_maxrss` of the contender's process from `wait4`. Linux counts a child's RSS \
         between spawn and exec in its `ru_maxrss` (a maximum, not a sum), so each contender runs under a \
         small launcher process and no figure can read below that launcher's {:.1} MB (what it reports \
         running `true`). **CPU**: the contender's user + system time; **fake-org CPU**: the driver's CPU \
         time during the run, i.e. the fake org serving it (the driver only waits meanwhile).",
        mb(o.rss_floor_kb as f64)
    );
    let med = |runs: &[&Run], key: &str| {
        summarize(&runs.iter().filter(|r| !r.warmup).filter_map(|r| r.get_f64(key)).collect::<Vec<_>>())
            .map(|s| s.median)
    };
    let paged = of(Contender::ComponentPaged);
    if let (Some(items), Some(hwm)) = (med(&comp, "items_bytes"), med(&comp, "hwm_after_list_kb")) {
        let _ = writeln!(
            s,
            "- Memory of the component: with `fetch_all` it returns every user at once ({:.1} MB of JSON \
             out of the guest, which built it in its linear memory); the harness keeps no exchange \
             (`Record::Nothing`); the process's peak RSS was {:.1} MB when the call returned, before the \
             host parsed the ids. The extra row lists page by page in one instance instead: peak RSS {}. \
             The memory section below compares these with a listing (`listings.open`) and with the \
             command line.",
            mb(items / 1024.0),
            mb(hwm),
            med(&paged, "hwm_after_list_kb").map(|k| format!("{:.1} MB", mb(k))).unwrap_or("–".into())
        );
    }
    if let (Some(items), Some(guest)) = (med(&comp, "items_bytes"), med(&comp, "guest_memory_bytes")) {
        let _ = writeln!(
            s,
            "- **Guest memory** for the full listing (`fetch_all`): the guest's linear memory peaked at \
             {:.1} MB for {:.1} MB of JSON, {:.2}× the payload (page by page: {}).",
            mb(guest / 1024.0),
            mb(items / 1024.0),
            guest / items,
            med(&paged, "guest_memory_bytes").map(|b| format!("{:.1} MB", mb(b / 1024.0))).unwrap_or("–".into())
        );
    }
    let all_ok = o.runs.iter().all(|r| r.ok());
    let _ = writeln!(
        s,
        "- **ids**: every run (warm-ups too) wrote its ids, one per line; the driver compared them with \
         the org's own list of ids (`FakeOrg::user_ids`), **in order**: {}.",
        if all_ok {
            format!("all {} runs returned the same {} ids in the same order", o.runs.len(), c.users)
        } else {
            let bad: Vec<String> = o.runs.iter().filter_map(Run::failure).collect();
            format!("**MISMATCHES OR FAILURES**: {}", bad.join("; "))
        }
    );
    for k in Contender::ALL {
        let runs = of(k);
        let (bad, total): (usize, usize) =
            runs.iter().fold((0, 0), |(b, t), r| (b + r.auth_without_space, t + r.requests));
        if bad > 0 {
            let _ = writeln!(
                s,
                "- **{}** sent `Authorization: SSWS<token>` with no space on {bad} of its {total} requests \
                 (okta 3.4.x builds it as `authorization_mode + access_token` in `okta/configuration.py`). \
                 Real Okta answers that with 401 E0000011; the fake org accepted it only because the bench \
                 turns on `FakeOrg::tolerate_ssws_without_space` (a bench-only option, off by default).",
                k.label()
            );
        }
    }
    let agents: Vec<String> = Contender::ALL
        .iter()
        .map(|&k| {
            let mut v: Vec<String> = Vec::new();
            for ua in of(k).iter().flat_map(|r| r.user_agents.iter()) {
                if !v.contains(ua) {
                    v.push(ua.clone());
                }
            }
            format!("{}: `{}`", k.key(), if v.is_empty() { "none".into() } else { v.join("`, `") })
        })
        .collect();
    let _ = writeln!(s, "- User-Agent seen: {}.", agents.join("; "));
    let _ = writeln!(s);
    if let Some(url) = &o.tls_url {
        tls_section(&mut s, o, &measured, url);
    }
    if !o.memory.is_empty() {
        memory_section(&mut s, &o.config, &o.memory);
    }

    // The component's other numbers.
    let _ = writeln!(s, "## The component's other numbers\n");
    let _ = writeln!(s, "| what | value |\n|---|---|");
    match &o.overhead {
        Ok(ov) => {
            let _ = writeln!(
                s,
                "| per action: instantiate from the pre-linked component (median of {}) | {} |",
                ov.calls,
                us(&ov.instantiate)
            );
            let _ = writeln!(
                s,
                "| per action: one Get User, in-process fake org (`Backend::FakeOrg`) | {} |",
                us(&ov.get_user)
            );
            let _ = writeln!(s, "| per action: instantiate + Get User + drop | {} |", us(&ov.total));
            let _ = writeln!(s, "| of which the fake org answering the same GET alone | {} |", us(&ov.fake_org_alone));
        }
        Err(e) => {
            let _ = writeln!(s, "| per-action overhead | FAILED: {e} |");
        }
    }
    match &o.kinds {
        Ok(kinds) => {
            for k in kinds {
                let _ = writeln!(
                    s,
                    "| per action, warm, one instance: Get User with {} ({} requests cold in {:.1} ms; {:.2} per action warm) | {} |",
                    k.kind,
                    k.cold_requests,
                    k.cold_s * 1e3,
                    k.warm_requests,
                    us(&k.warm)
                );
            }
        }
        Err(e) => {
            let _ = writeln!(s, "| per action of each connection kind | FAILED: {e} |");
        }
    }
    let _ = writeln!(s, "| release component size | {} bytes |", o.component_bytes);
    let _ = writeln!(s);
    rate_section(&mut s, o);
    let _ = writeln!(s, "\n## What each crate adds to the component\n");
    match &o.component_crates {
        Ok(b) => {
            let _ = writeln!(
                s,
                "Bytes of the release component by the crate its code and data come from, read from the \
                 unstripped copy `make size` builds (same code, names kept).\n"
            );
            s.push_str(&crate::size::markdown(b));
        }
        Err(e) => {
            let _ = writeln!(s, "Not measured: {e}.");
        }
    }
    s
}

/// The listing over TLS with a real org's delays: the component against the native client
/// and the Node SDK, and the two goals (one connection per listing; within 1.1× of native).
fn tls_section(s: &mut String, o: &Outcomes, measured: &[&Run], url: &str) {
    let c = &o.config;
    let rows: Vec<Row> = Contender::TLS.iter().map(|&k| row(measured, k, Setting::Tls)).collect();
    let native = rows.iter().find(|r| r.contender == Contender::Native).and_then(|r| r.wall);
    let component = rows.iter().find(|r| r.contender == Contender::Component).and_then(|r| r.wall);
    let _ = writeln!(s, "## Listing {} users over TLS, with a real org's delays\n", c.users);
    let _ = writeln!(
        s,
        "The same org served over TLS at `{url}` (a test CA made at run time; the component and the native \
         client trust it through `--ca`, Node through `NODE_EXTRA_CA_CERTS`), {} ms before each new connection's \
         first byte (the round trips of a TCP and TLS handshake) and {} ms before each response (a request's \
         round trip), about what a real org costs from a nearby region. A client that reconnects for every page \
         pays {} ms more per page.\n",
        c.tls_delays.per_connection.as_millis(),
        c.tls_delays.per_request.as_millis(),
        c.tls_delays.per_connection.as_millis()
    );
    let _ = writeln!(
        s,
        "| contender | wall median (s) | wall min–max (s) | listing median (s) | users/s | requests/run | \
         TCP conns/run | peak RSS median (MB) | CPU median (s) | wall vs native |"
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in &rows {
        let Some(wall) = r.wall else {
            let _ = writeln!(s, "| {} | all {} runs failed | | | | | | | | |", r.contender.label(), r.runs);
            continue;
        };
        let _ = writeln!(
            s,
            "{} | {} |",
            common_cells(r, wall, c.users),
            match native {
                Some(n) if n.median > 0.0 => format!("{:.2}×", wall.median / n.median),
                _ => "–".into(),
            },
        );
    }
    let _ = writeln!(s);
    let component_runs: Vec<&Run> =
        o.runs.iter().filter(|r| r.setting == Setting::Tls && r.contender == Contender::Component).collect();
    let conns: Vec<u64> = component_runs.iter().filter_map(|r| r.tcp_connections).collect();
    let one = !conns.is_empty() && conns.iter().all(|&n| n == 1);
    let _ = writeln!(
        s,
        "- **Goal: one connection per listing.** The component's runs (warm-ups too) opened {} connection(s) \
         each, counted by the server: **{}**.",
        conns.iter().map(u64::to_string).collect::<Vec<_>>().join(", "),
        if one { "met" } else { "NOT MET" }
    );
    match (component, native) {
        (Some(comp), Some(nat)) if nat.median > 0.0 => {
            let ratio = comp.median / nat.median;
            let _ = writeln!(
                s,
                "- **Goal: wall time within 1.1× of the native client's.** Median {:.3} s against {:.3} s: \
                 {ratio:.2}×, **{}**.",
                comp.median,
                nat.median,
                if ratio <= 1.1 { "met" } else { "NOT MET" }
            );
        }
        _ => {
            let _ = writeln!(s, "- **Goal: wall time within 1.1× of the native client's**: no measurement.");
        }
    }
    let _ = writeln!(
        s,
        "- Wall time includes each process's start-up (the component's load of its cached `.cwasm`, Node's \
         require of the SDK); **TCP conns/run** is the TLS server's own count of accepted connections.\n"
    );
}

/// Some sections alone (`okta-bench --memory-only`, `--rate-only`), with when and where they ran.
pub fn render_sections(
    c: &crate::config::Config,
    memory: &[crate::memory::MemoryRun],
    rate: &[crate::rate::RateRun],
    load: &str,
) -> String {
    let mut s = format!(
        "# Bench: some sections only ({})\n\n| | |\n|---|---|\n| date | {} |\n| git commit | `{}` |\n| machine | {} |\n| load average after (1, 5, 15 min) | {load} |\n| rounds | {} warm-up round(s) on the small org, then {} measured |\n\n",
        c.label,
        httpdate::fmt_http_date(std::time::SystemTime::now()),
        commit(),
        machine(),
        c.warmup.min(1),
        c.memory_reps
    );
    if !memory.is_empty() {
        memory_section(&mut s, c, memory);
    }
    if !rate.is_empty() {
        rate_table(&mut s, c.rate_instances, rate);
    }
    s
}

/// Many instances against one rate-limited org (see `crate::rate`).
fn rate_section(s: &mut String, o: &Outcomes) {
    match &o.rate {
        Ok(runs) => rate_table(s, o.config.rate_instances, runs),
        Err(e) => {
            let _ = writeln!(s, "## Rate limits\n\nFAILED: {e}\n");
        }
    }
}

fn rate_table(s: &mut String, instances: usize, runs: &[crate::rate::RateRun]) {
    let _ = writeln!(s, "## Rate limits: one instance and {instances} at once\n");
    let _ = writeln!(
        s,
        "Get Users against a loopback fake org enforcing a per-bucket limit as Okta does (a window opens with \
         the first request after the previous one ended; `X-Rate-Limit-Reset` in whole seconds), each \
         instance its own store on a 2-worker runtime, its share of the calls one after another. \
         **Minimum**: (⌈calls / limit⌉ − 1) windows. **With the work**: the minimum plus the last window's \
         share of the time the same instances take for the same calls against an unlimited org (measured \
         in the same run): the last window's calls cannot take no time. Goals: 429s at most 1 % of the \
         requests, total time within 1.1× of the minimum.\n"
    );
    let _ = writeln!(
        s,
        "| scenario | calls ok | requests | 429s | 429 share | total (s) | minimum (s) | vs minimum | unlimited (s) | vs minimum with the work | goals |"
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
    for r in runs {
        let within = |ratio: f64| r.share_429() <= 0.01 && ratio <= 1.1 && r.failed.is_empty();
        let verdict = if within(r.vs_minimum()) {
            "met"
        } else if r.minimum_with_work_s().is_some_and(|m| within(r.total_s / m)) {
            "met with the work"
        } else {
            "not met"
        };
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {:.2} % | {:.2} | {:.2} | {:.2}× | {} | {} | {} |",
            r.scenario.label(),
            r.ok,
            r.requests,
            r.responses_429,
            100.0 * r.share_429(),
            r.total_s,
            r.scenario.minimum_s(),
            r.vs_minimum(),
            r.unlimited_s.map_or("–".into(), |u| format!("{u:.2}")),
            r.minimum_with_work_s().map_or("–".into(), |m| format!("{:.2}×", r.total_s / m)),
            verdict
        );
    }
    let _ = writeln!(s);
}

/// A listing's memory at two org sizes, in-process and through the CLI (see `crate::memory`).
fn memory_section(s: &mut String, c: &crate::config::Config, memory: &[crate::memory::MemoryRun]) {
    use crate::memory::Way;
    let _ = writeln!(
        s,
        "## Memory of a listing: {} and {} users
",
        c.users, c.large_users
    );
    let _ = writeln!(
        s,
        "Each way lists every user of a loopback org in its own process (the launcher's `ru_maxrss`), \
         the ways alternating in the same rounds ({} measured; the small org also had a warm-up round). \
         In-process is `okta-bench component-list` (the harness as a Rust host uses it); CLI is \
         `okta-connector run users.list --input '{{\"fetch_all\": true, \"limit\": {}}}'` writing to a file. \
         Fetch All refuses a listing past `OKTA_MAX_TOTAL_BYTES` (96 MiB, about 130 000 users), so only \
         the streaming ways run on {} users.\n",
        c.memory_reps, c.limit, c.large_users
    );
    let runs = |way: Way, users: usize| -> Vec<&crate::memory::MemoryRun> {
        memory.iter().filter(|r| r.way == way && r.users == users && !r.warmup && r.ok()).collect()
    };
    let median = |v: &[&crate::memory::MemoryRun], f: &dyn Fn(&Measured) -> f64| {
        summarize(&v.iter().map(|r| f(&r.measured)).collect::<Vec<_>>())
    };
    let rss = |way: Way, users: usize| median(&runs(way, users), &|m| m.maxrss_kb as f64).map(|x| x.median);
    let wall = |way: Way, users: usize| median(&runs(way, users), &|m| m.wall_s).map(|x| x.median);
    let base = rss(Way::CliStream, c.users);
    let _ = writeln!(
        s,
        "| way | users | wall median (s) | wall min–max (s) | users/s | peak RSS median (MB) | peak RSS min–max (MB) | RSS vs CLI streaming, {} users | time per user vs the same way on {} users |",
        c.users, c.users
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for users in [c.users, c.large_users] {
        for way in Way::ALL {
            let v = runs(way, users);
            let (Some(w), Some(r)) = (median(&v, &|m| m.wall_s), median(&v, &|m| m.maxrss_kb as f64)) else { continue };
            let per_user = match (wall(way, users), wall(way, c.users)) {
                (Some(here), Some(small)) if users != c.users => {
                    format!("{:.2}×", (here / users as f64) / (small / c.users as f64))
                }
                _ => "–".into(),
            };
            let _ = writeln!(
                s,
                "| {} | {users} | {:.3} | {:.3}–{:.3} | {:.0} | {:.1} | {:.1}–{:.1} | {} | {per_user} |",
                way.label(),
                w.median,
                w.min,
                w.max,
                users as f64 / w.median,
                mb(r.median),
                mb(r.min),
                mb(r.max),
                base.map(|b| format!("{:.2}×", r.median / b)).unwrap_or("–".into()),
            );
        }
    }
    let _ = writeln!(s);
    let met = |ok: bool| if ok { "**met**" } else { "**not met**" };
    if let Some(small) = base {
        let _ = writeln!(
            s,
            "- **Goal: the CLI's Fetch All of {} users peaks at 30 MB or less.** Streamed: {:.1} MB, {}.",
            c.users,
            mb(small),
            met(mb(small) <= 30.0)
        );
        if let Some(large) = rss(Way::CliStream, c.large_users) {
            let ratio = large / small;
            let _ = writeln!(
                s,
                "- **Goal: {} users at the same peak (within 10 %).** {:.1} MB against {:.1} MB: {:.2}×, {}.",
                c.large_users,
                mb(large),
                mb(small),
                ratio,
                met(ratio <= 1.10)
            );
        }
        if let (Some(a), Some(b)) = (wall(Way::CliStream, c.users), wall(Way::CliStream, c.large_users)) {
            let per_user = (b / c.large_users as f64) / (a / c.users as f64);
            let _ = writeln!(
                s,
                "- **Goal: time linear in the count.** The CLI streamed {} users in {:.3} s and {} in {:.3} s: \
                 {:.2}× the time per user ({}; within 1.10× counts as linear).",
                c.users,
                a,
                c.large_users,
                b,
                per_user,
                met(per_user <= 1.10)
            );
        }
    }
    if let (Some(before), Some(after)) = (rss(Way::InProcessAllLogged, c.users), rss(Way::InProcessStream, c.users)) {
        let _ = writeln!(
            s,
            "- In-process, {} users: Fetch All with the harness logging every body (every host's default \
             before) peaks at {:.1} MB, a listing at {:.1} MB ({:.2}×).",
            c.users,
            mb(before),
            mb(after),
            after / before
        );
    }
    let bad: Vec<String> = memory.iter().filter_map(crate::memory::MemoryRun::failure).collect();
    let _ = writeln!(
        s,
        "- **ids**: every run wrote its ids (the CLI its JSON), compared with the org's own list in order: {}.\n",
        if bad.is_empty() { "all the same".to_string() } else { bad.join("; ") }
    );
}

fn median_of(runs: &[&Run], key: &str) -> String {
    summarize(&runs.iter().filter(|r| !r.warmup).filter_map(|r| r.get_f64(key)).collect::<Vec<_>>())
        .map(|s| if s.median < 1.0 { format!("{:.1} ms", s.median * 1e3) } else { format!("{:.2} s", s.median) })
        .unwrap_or("–".into())
}

fn rel(p: &Path) -> String {
    let root = repo_root().canonicalize().unwrap_or_default();
    let p = p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    p.strip_prefix(&root).map(|r| r.display().to_string()).unwrap_or_else(|_| p.display().to_string())
}
