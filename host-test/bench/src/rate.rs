//! Rate limits with many instances: `instances` instances of the component, each its own
//! store, run at once on a 2-worker runtime and make `calls` Get Users between them (each
//! instance its share, one after another) against a loopback fake org that enforces `limit`
//! requests per `window` in each bucket, as Okta does. Reported: the 429s the org gave, and
//! the total time against the minimum the limit allows, (⌈calls / limit⌉ − 1) windows, and
//! against that minimum plus the last window's own work (its share of the same calls made
//! against an unlimited org, measured in the same run). The "before" rows run the component
//! as it was before the shared budget (each instance limiting itself from its own answers),
//! called through its catalog's `invoke`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Result;
use serde_json::json;

use okta_fake_org::FakeOrg;
use okta_harness::{
    api_token, error_json, Backend, Connector, GetUserInput, Instance, InstanceOptions, RateLimits, UntypedConnector,
    UntypedInstance,
};

/// One scenario of the rate-limit section.
#[derive(Clone, Debug)]
pub struct Scenario {
    pub instances: usize,
    pub calls: usize,
    pub limit: u32,
    pub window: Duration,
    /// Whether the instances spend one budget (the host keeps it) or each its own.
    pub shared: bool,
    /// Run this component, built before the shared budget, instead of the tree's (`shared`
    /// then means nothing: each instance limits itself).
    pub before: Option<PathBuf>,
}

impl Scenario {
    pub fn label(&self) -> String {
        let who = match (self.instances, self.shared, self.before.is_some()) {
            (1, _, true) => "ONE instance, BEFORE (the limiter in the guest)".to_string(),
            (n, _, true) => format!("{n} instances, BEFORE (each its own limiter in the guest)"),
            (1, _, false) => "ONE instance".to_string(),
            (n, true, false) => format!("{n} instances, one budget (the host's)"),
            (n, false, false) => format!("{n} instances, each its own budget"),
        };
        format!("{} Get Users, {who}, {} per {} s", self.calls, self.limit, self.window.as_secs_f64())
    }

    /// The least time the limit allows: every window but the last is waited out.
    pub fn minimum_s(&self) -> f64 {
        self.calls.div_ceil(self.limit as usize).saturating_sub(1) as f64 * self.window.as_secs_f64()
    }

    /// The calls left for the last window.
    pub fn last_window_calls(&self) -> usize {
        self.calls - self.calls.div_ceil(self.limit as usize).saturating_sub(1) * self.limit as usize
    }

    /// The same calls against an org that does not limit them.
    pub fn unlimited(&self) -> Scenario {
        Scenario { limit: u32::try_from(self.calls + 1).unwrap_or(u32::MAX), ..self.clone() }
    }
}

/// What a scenario found.
#[derive(Clone, Debug)]
pub struct RateRun {
    pub scenario: Scenario,
    pub ok: usize,
    pub failed: Vec<String>,
    pub responses_429: usize,
    pub requests: usize,
    pub total_s: f64,
    /// The same calls by the same instances against an unlimited org, in seconds.
    pub unlimited_s: Option<f64>,
}

impl RateRun {
    pub fn share_429(&self) -> f64 {
        self.responses_429 as f64 / self.requests.max(1) as f64
    }
    pub fn vs_minimum(&self) -> f64 {
        let min = self.scenario.minimum_s();
        if min > 0.0 {
            self.total_s / min
        } else {
            0.0
        }
    }

    /// The minimum plus the last window's share of the unlimited run's time.
    pub fn minimum_with_work_s(&self) -> Option<f64> {
        let s = &self.scenario;
        Some(s.minimum_s() + self.unlimited_s? * s.last_window_calls() as f64 / s.calls.max(1) as f64)
    }
}

/// The instance options of a scenario: the connector's budget, or one each.
fn options(scenario: &Scenario) -> InstanceOptions {
    let rate_limits = if scenario.shared { RateLimits::Shared } else { RateLimits::Own };
    // The org is on loopback: a local org, which an instance reaches only when allowed.
    InstanceOptions { rate_limits, allow_local_orgs: true, ..InstanceOptions::default() }
}

/// Runs one scenario on a fresh org served by `server`.
pub fn run(scenario: &Scenario, server: &tokio::runtime::Runtime) -> Result<RateRun> {
    let org = FakeOrg::empty();
    org.generate_users(50);
    let ids = org.user_ids();
    let listener = server.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
    let url = format!("http://{}", listener.local_addr()?);
    let serving = server.spawn(org.clone().serve(listener));
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let result = runtime.block_on(async {
        let door = match &scenario.before {
            Some(path) => Door::Before(Arc::new(UntypedConnector::load(path)?)),
            None => Door::Now(Arc::new(Connector::load_default()?)),
        };
        org.set_rate_limit(scenario.limit, scenario.window);
        let t0 = Instant::now();
        let mut tasks = Vec::new();
        for n in 0..scenario.instances {
            let share = scenario.calls / scenario.instances + usize::from(n < scenario.calls % scenario.instances);
            let (door, ids, url, options) = (door.clone(), ids.clone(), url.clone(), options(scenario));
            tasks.push(tokio::spawn(async move {
                let mut instance = door.instantiate(options).await?;
                let (mut ok, mut failed, mut responses_429) = (0, Vec::new(), 0);
                for i in 0..share {
                    let id = ids[(n * 7 + i) % ids.len()].clone();
                    match instance.get_user(&url, id).await? {
                        Ok(()) => ok += 1,
                        Err(e) => failed.push(e),
                    }
                    responses_429 += instance.take_429s();
                }
                Ok::<_, anyhow::Error>((ok, failed, responses_429))
            }));
        }
        let (mut ok, mut failed, mut responses_429) = (0, Vec::new(), 0);
        for task in tasks {
            let (o, f, r) = task.await??;
            ok += o;
            failed.extend(f);
            responses_429 += r;
        }
        Ok::<_, anyhow::Error>(RateRun {
            scenario: scenario.clone(),
            ok,
            failed,
            responses_429,
            requests: org.requests().len(),
            total_s: t0.elapsed().as_secs_f64(),
            unlimited_s: None,
        })
    });
    serving.abort();
    result
}

/// The component a scenario runs.
#[derive(Clone)]
enum Door {
    Now(Arc<Connector>),
    Before(Arc<UntypedConnector>),
}

enum DoorInstance {
    Now(Box<Instance>),
    Before(Box<UntypedInstance>),
}

impl Door {
    async fn instantiate(&self, options: InstanceOptions) -> Result<DoorInstance> {
        Ok(match self {
            Door::Now(c) => DoorInstance::Now(Box::new(c.instantiate_with(Backend::Network, options).await?)),
            Door::Before(c) => DoorInstance::Before(Box::new(c.instantiate_with(Backend::Network, options).await?)),
        })
    }
}

impl DoorInstance {
    /// One Get User of `id` from the org at `url`: `Ok(Err(..))` is the action's error.
    async fn get_user(&mut self, url: &str, id: String) -> Result<Result<(), String>> {
        Ok(match self {
            DoorInstance::Now(i) => i
                .users()
                .get(&api_token(url, FakeOrg::TOKEN), &GetUserInput { id, expand: None })
                .await?
                .map(|_| ())
                .map_err(|e| error_json(&e).to_string()),
            DoorInstance::Before(i) => {
                let connection = json!({ "api-token": { "domain": url, "token": FakeOrg::TOKEN } });
                i.invoke("users.get", &connection, &json!({ "id": id })).await?.map(|_| ())
            }
        })
    }

    /// The 429s answered since the last call.
    fn take_429s(&mut self) -> usize {
        let exchanges = match self {
            DoorInstance::Now(i) => i.exchanges(),
            DoorInstance::Before(i) => i.exchanges(),
        };
        match self {
            DoorInstance::Now(i) => i.clear_exchanges(),
            DoorInstance::Before(i) => i.clear_exchanges(),
        }
        exchanges.iter().filter(|x| x.status == Some(429)).count()
    }
}
