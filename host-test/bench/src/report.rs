//! The report: a Markdown page (printed, and written to `bench/results.md` by `make bench`).

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

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
        "| component's network backend | `host-test/src/harness/network.rs`: keep-alive HTTP/1 connections pooled per \
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
    if let (Some(items), Some(rec), Some(hwm)) =
        (med(&comp, "items_bytes"), med(&comp, "recorded_bytes"), med(&comp, "hwm_after_list_kb"))
    {
        let _ = writeln!(
            s,
            "- Memory of the component: with `fetch_all` it returns every user at once ({:.1} MB of JSON \
             out of the guest, which built it in its linear memory), and the test harness \
             (`host-test/src/harness`) logs every exchange with its body ({:.1} MB recorded); the \
             process's peak RSS was {:.1} MB when the call returned, before the host parsed the ids. \
             The extra row lists page by page in one instance instead, clearing the harness's log after \
             each page: peak RSS {}.",
            mb(items / 1024.0),
            mb(rec / 1024.0),
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
    match &o.rate {
        Ok(r) => {
            let _ = writeln!(
                s,
                "| rate limit: {} Get Users in ONE instance, connector defaults, fake org allowing {} requests per {} s \
                 per bucket (over loopback) | {:.2} s, minimum the limit allows {:.2} s ({:.2}×; {} windows, \
                 {:.2} s each on average); {} answers were 429; {} requests reached the org; {} calls succeeded{} |",
                r.calls,
                r.limit,
                r.window.as_secs_f64(),
                r.total_s,
                r.minimum_s,
                if r.minimum_s > 0.0 { r.total_s / r.minimum_s } else { 0.0 },
                r.calls.div_ceil(r.limit as usize),
                r.total_s / r.calls.div_ceil(r.limit as usize) as f64,
                r.responses_429,
                r.requests,
                r.ok,
                if r.failed.is_empty() { String::new() } else { format!(", {} FAILED (first: {})", r.failed.len(), r.failed[0]) }
            );
        }
        Err(e) => {
            let _ = writeln!(s, "| rate limit | FAILED: {e} |");
        }
    }
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "The rate-limit minimum is (⌈calls / limit⌉ − 1) windows: a window opens with the first request \
         after the previous one ended. Okta's windows last a minute; a short one keeps the bench short but \
         magnifies what each window costs beyond its length: `X-Rate-Limit-Reset` and `Date` have \
         whole-second resolution, and the connector waits a margin past the reset before it uses a spent \
         bucket again. Those seconds are a few percent of a minute-long window."
    );
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
