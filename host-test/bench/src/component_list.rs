//! The component contender: `okta-bench component-list --url URL --token T [--limit N]
//! [--mode all|paged] [--ca PEM] --out FILE` loads the component (the `.cwasm` cached next to
//! it), instantiates it with the pooled network backend (`Backend::Network`; with `--ca`, a
//! pool that also trusts that CA) and lists every user, as a host would:
//!
//! * `all` (the default): one List Users with `fetch_all: true`;
//! * `paged`: List Users page by page in the same instance, passing each `next_cursor` back as
//!   `after`, and forgetting the harness's exchange log after each page.
//!
//! Then writes the ids, one per line, to `--out`, and `BENCH load_s=… list_s=… parse_s=…
//! requests=… recorded_bytes=… hwm_after_list_kb=…` on stderr (`recorded_bytes`: what the
//! harness's exchange log held — it records every request and response body, so that memory is
//! the host's, not the guest's; `hwm_after_list_kb`: the process's peak RSS when the listing
//! returned, before the host parsed the ids; `guest_memory_bytes`: the largest the guest's
//! linear memory grew; `connections`: the connections the pool opened).

use std::io::Write as _;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{anyhow, bail, Context as _, Result};
use serde::Deserialize;

use okta_harness::network::Network;
use okta_harness::{api_token, error_json, Backend, Connector, InstanceOptions, ListUsersInput};

/// How the component lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Mode {
    /// One List Users with `fetch_all: true`.
    All,
    /// Page by page in one instance, each `next_cursor` passed back as `after`.
    Paged,
}

/// The component contender's arguments.
#[derive(Clone, Debug, clap::Args)]
pub struct ListArgs {
    /// The org's URL.
    #[arg(long)]
    pub url: String,
    /// Its API token.
    #[arg(long)]
    pub token: String,
    /// Users per page.
    #[arg(long, default_value_t = 200)]
    pub limit: u32,
    #[arg(long, value_enum, default_value_t = Mode::All)]
    pub mode: Mode,
    /// A CA (PEM) to trust besides the system's.
    #[arg(long, value_name = "PEM")]
    pub ca: Option<String>,
    /// Where the ids go, one per line.
    #[arg(long, value_name = "FILE")]
    pub out: String,
}

/// Lists the org's users with the component; exit 1 when that fails.
pub fn main(args: &ListArgs) -> ExitCode {
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("okta-bench component-list: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &ListArgs) -> Result<()> {
    let (url, token, limit, out, ca) = (&args.url, &args.token, args.limit, &args.out, &args.ca);
    let paged = args.mode == Mode::Paged;

    #[derive(Deserialize)]
    struct Id {
        id: String,
    }
    let started = Instant::now();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        let connector = Connector::load_default()?;
        let (network, backend) = match &ca {
            Some(path) => {
                let pem = std::fs::read(path).with_context(|| format!("--ca {path}"))?;
                let network = Network::builder().add_root_pem(&pem)?.build()?;
                (network.clone(), Backend::NetworkWith(network))
            }
            None => (Network::shared().clone(), Backend::Network),
        };
        // The bench's org is on loopback: a local org, which an instance reaches only when allowed.
        let options = InstanceOptions { allow_local_orgs: true, ..InstanceOptions::default() };
        let mut instance = connector.instantiate_with(backend, options).await?;
        let load_s = started.elapsed().as_secs_f64();

        let connection = api_token(url, token);
        let input = |after: Option<String>| ListUsersInput {
            fetch_all: (!paged).then_some(true),
            search: None,
            filter: None,
            q: None,
            after,
            limit: Some(limit),
            sort_by: None,
            sort_order: None,
            extra_parameters: None,
        };
        let (mut ids, mut requests, mut recorded, mut items_bytes) = (Vec::new(), 0, 0, 0);
        let (mut list_s, mut parse_s, mut hwm_after_list_kb) = (0.0, 0.0, 0);
        let mut after = None;
        loop {
            let t = Instant::now();
            let page = instance
                .users()
                .list(&connection, &input(after.take()))
                .await?
                .map_err(|e| anyhow!("users.list failed: {}", error_json(&e)))?;
            list_s += t.elapsed().as_secs_f64();
            hwm_after_list_kb = hwm_after_list_kb.max(peak_rss_kb());
            let t = Instant::now();
            let users: Vec<Id> = serde_json::from_str(&page.items).context("the page's items are not users")?;
            ids.extend(users.into_iter().map(|u| u.id));
            parse_s += t.elapsed().as_secs_f64();
            let exchanges = instance.exchanges();
            requests += exchanges.len();
            recorded += exchanges.iter().map(|x| x.request_body.len() + x.response_body.len()).sum::<usize>();
            items_bytes += page.items.len();
            instance.clear_exchanges();
            match page.next_cursor {
                Some(cursor) if paged => after = Some(cursor),
                Some(cursor) => bail!("fetch_all returned a next cursor `{cursor}`"),
                None => break,
            }
        }

        let mut file =
            std::io::BufWriter::new(std::fs::File::create(out).with_context(|| format!("cannot write {out}"))?);
        for id in &ids {
            writeln!(file, "{id}")?;
        }
        file.flush()?;
        eprintln!(
            "BENCH load_s={load_s:.6} list_s={list_s:.6} parse_s={parse_s:.6} requests={requests} \
             recorded_bytes={recorded} items_bytes={items_bytes} hwm_after_list_kb={hwm_after_list_kb} \
             guest_memory_bytes={} users={} connections={}",
            instance.guest_memory_peak(),
            ids.len(),
            network.stats().connections
        );
        Ok(())
    })
}

/// This process's peak RSS so far (`VmHWM`), in kB; 0 where /proc is not readable.
fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find_map(|l| l.strip_prefix("VmHWM:")?.split_whitespace().next()?.parse().ok()))
        .unwrap_or(0)
}
