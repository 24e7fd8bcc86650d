//! The reusable host for the connector component: load it once, instantiate it cheaply per
//! call, choose per instance where its outgoing HTTP goes, and read back every exchange.
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use okta_harness::*;
//! use okta_fake_org::FakeOrg;
//! let connector = Connector::shared()?;
//! let mut instance = connector.instantiate(Backend::FakeOrg(FakeOrg::seeded())).await?;
//! let connection = api_token("https://fake-org.okta.com", FakeOrg::TOKEN);
//! let page = instance.invoke("users.list", &connection, r#"{"limit": 2}"#).await?;
//! println!("{page:?}\n{}", render(&instance.exchanges()));
//! # Ok(()) }
//! ```
//!
//! * [`Connector`] compiles the component once (or loads a precompiled `.cwasm` kept next to
//!   it, keyed by the component's hash) and pre-links it.
//! * [`Connector::instantiate`] makes an [`Instance`] with its own store and [`Backend`]:
//!   the in-process fake org, a fail-closed script, or the network.
//! * [`Instance::users`] (one accessor per area, generated from the WIT) calls the typed
//!   exports, [`Instance::call`] any of them by [`Call`]; [`Instance::invoke`] and
//!   [`Instance::describe`] the catalog. Every call returns `Err` when the guest trapped or
//!   a request broke the script, and `Ok(Err(WitError))` when the action failed.
//! * Egress is strict by default: the guest refuses `http://` and IP-literal domains, and the
//!   network backend connects to public addresses only (checked after DNS);
//!   [`InstanceOptions::allow_local_orgs`] lets an instance reach a local org.

mod backend;
mod budget;
mod clock;
mod exchange;
pub mod network;
mod script;
mod untyped;

use std::hash::Hasher;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use anyhow::{anyhow, bail, Context as _, Result};
use serde_json::{json, Value};
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Config, Engine, Store};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

pub use backend::{Backend, ExchangeObserver, Record};
pub use budget::{RateLimits, SharedBudget};
pub use clock::Clock;
pub use exchange::{decode_query, redact_body, redact_header, render, Exchange};
pub use network::Egress;
pub use script::{BodyRule, CannedFault, CannedResponse, ExpectedRequest, HeaderRule};
pub use untyped::{UntypedConnector, UntypedInstance};

/// The environment variable through which a host lets the component's connections name local
/// orgs (see [`InstanceOptions::allow_local_orgs`] and the README's egress policy).
pub const ALLOW_LOCAL_ORGS: &str = "OKTA_ALLOW_LOCAL_ORGS";

/// Bindings generated from `wit/` (world `connector`), async as wasi-http needs.
pub mod bindings {
    wasmtime::component::bindgen!({
        path: "../../wit",
        world: "connector",
        exports: { default: async },
        // Inputs deserialize from the same snake_case JSON `invoke` takes (see
        // `Call::from_json`), so one test input reaches both doors; results serialize back.
        additional_derives: [serde::Deserialize, serde::Serialize, PartialEq],
    });
}

pub use bindings::exports::okta::connector::connections::{
    AuthorizationStart, ConnectionCheck, DeviceAuthorization, DevicePoll, TokenSet,
};
pub use bindings::exports::okta::connector::triggers::{HookReception, IncomingRequest};
pub use bindings::exports::okta::connector::users::*;
pub use bindings::okta::connector::types::{
    ApiTokenConnection, ClientCredentialsConnection, Connection, Error as WitError, FieldError, KeyValue,
    OauthCodeConnection, OauthDeviceConnection, OktaError, OktaErrorKind, Page, PasswordHash,
};
pub use bindings::{Connector as ConnectorBindings, ConnectorPre};

/// What one call of an action gives: `Err` when the host or the test harness failed (a trap,
/// a request that broke the script), `Ok(Err(..))` when the action failed.
pub type CallResult<T> = Result<Result<T, WitError>>;

/// The store data of one instance.
pub struct HostState {
    wasi: WasiCtx,
    http: WasiHttpCtx,
    table: ResourceTable,
    hooks: backend::Hooks,
    memory: MemoryPeak,
    /// The rate-limit budget this instance's `rate-limits` import uses.
    budget: std::sync::Arc<SharedBudget>,
}

/// Records how large the guest's linear memories grew (they never shrink).
#[derive(Default)]
struct MemoryPeak {
    bytes: usize,
}

impl wasmtime::ResourceLimiter for MemoryPeak {
    fn memory_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        self.bytes = self.bytes.max(desired);
        Ok(true)
    }
    fn table_growing(&mut self, _current: usize, _desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        Ok(true)
    }
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

impl WasiHttpView for HostState {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView { ctx: &mut self.http, table: &mut self.table, hooks: &mut self.hooks }
    }
}

/// wasmtime's error type is not `std::error::Error`; carry its full chain over.
fn wt(e: wasmtime::Error) -> anyhow::Error {
    anyhow!("{e:?}")
}

/// The compiled, pre-linked component. Cheap to instantiate; share one per process
/// ([`Connector::shared`]).
pub struct Connector {
    engine: Engine,
    pre: ConnectorPre<HostState>,
    path: PathBuf,
    /// The budget every instance shares unless told otherwise ([`InstanceOptions::rate_limits`]).
    budget: std::sync::Arc<SharedBudget>,
}

/// Per-instance settings beyond the backend.
#[derive(Clone, Debug, Default)]
pub struct InstanceOptions {
    /// The guest's wall clock (also dates scripted answers). Default: the system clock.
    pub clock: Option<Clock>,
    /// Show the guest's stderr. Default: only when `OKTA_GUEST_STDERR=1`.
    pub inherit_stderr: bool,
    /// Keep the guest's stderr for [`Instance::stderr`] (wins over `inherit_stderr`).
    pub capture_stderr: bool,
    /// Environment variables the guest sees (e.g. `OKTA_ACTION_DEADLINE_MS` to shorten its
    /// bounds in tests).
    pub env: Vec<(String, String)>,
    /// Called with each exchange as soon as it completes. Default: none.
    pub observer: Option<ExchangeObserver>,
    /// What [`Instance::exchanges`] keeps. Default: everything, bodies included.
    pub record: Record,
    /// Whose rate-limit budget the instance spends. Default: the connector's, shared by all
    /// its instances.
    pub rate_limits: RateLimits,
    /// Let connections name local orgs: the guest gets `OKTA_ALLOW_LOCAL_ORGS=1` (http:// and
    /// IP literals of local hosts accepted), and the network backend connects to loopback,
    /// private and link-local addresses for this instance. Default: no, both refuse them
    /// (what a host running other people's connections needs); a person's own command line,
    /// a test or a bench against a fake org on loopback asks for it.
    pub allow_local_orgs: bool,
}

impl Connector {
    /// Where the library (tests, bench) looks for the component: `$OKTA_CONNECTOR_WASM`, else
    /// `<repo>/target/wasm32-wasip2/release/okta_connector.wasm` of the checkout it was built
    /// in. The `okta-connector` binary carries its own copy instead (see `host-test/cli/build.rs`).
    pub fn default_path() -> PathBuf {
        match std::env::var_os("OKTA_CONNECTOR_WASM") {
            Some(p) if !p.is_empty() => PathBuf::from(p),
            _ => Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../..")
                .join("target/wasm32-wasip2/release/okta_connector.wasm"),
        }
    }

    /// Loads the component from [`Connector::default_path`]. Without `OKTA_CONNECTOR_WASM`
    /// that is this tree's build, which must carry the hash of this tree's guest sources: a
    /// component left from an older build (or another checkout) is refused with what to run,
    /// instead of being tested in place of the current code.
    pub fn load_default() -> Result<Connector> {
        let path = Connector::default_path();
        match std::env::var_os("OKTA_CONNECTOR_WASM") {
            Some(p) if !p.is_empty() => Connector::load(path),
            _ => Connector::load_from_tree(path),
        }
    }

    /// Loads the component at `path` if it was built from this tree's guest sources (the hash
    /// its build embedded matches the one this harness was built with), else fails saying to
    /// run `make build`.
    pub fn load_from_tree(path: impl AsRef<Path>) -> Result<Connector> {
        let path = path.as_ref();
        if path.exists() {
            let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
            check_built_from_tree(&bytes, path)?;
        }
        Connector::load(path)
    }

    /// One connector per process, loaded on first use from [`Connector::default_path`].
    /// Tests use this so that a test binary loads the component once.
    pub fn shared() -> Result<&'static Connector> {
        static SHARED: OnceLock<std::result::Result<Connector, String>> = OnceLock::new();
        SHARED
            .get_or_init(|| Connector::load_default().map_err(|e| format!("{e:#}")))
            .as_ref()
            .map_err(|e| anyhow!("{e}"))
    }

    /// Loads the component at `path`, reusing a precompiled `.cwasm` next to it when one
    /// matches its hash (compiling in a debug host takes 15 s; loading takes milliseconds).
    pub fn load(path: impl AsRef<Path>) -> Result<Connector> {
        let path = path.as_ref().to_path_buf();
        if !path.exists() {
            bail!(
                "the connector component is missing at {}: run `make build` (or `cargo build --release \
                 --target wasm32-wasip2` at the repository root) first, or set OKTA_CONNECTOR_WASM",
                path.display()
            );
        }
        let bytes = std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        Connector::load_bytes(&bytes, &path, path.parent())
    }

    /// Loads a component from its bytes (`origin` names it in messages and [`Connector::path`]),
    /// keeping its precompiled `.cwasm` in `cache_dir` when given and writable (else it is
    /// compiled on every load).
    pub fn load_bytes(bytes: &[u8], origin: impl AsRef<Path>, cache_dir: Option<&Path>) -> Result<Connector> {
        let path = origin.as_ref().to_path_buf();
        let engine = Engine::new(&Config::new()).map_err(wt)?;
        let component = load_component(&engine, bytes, &path, cache_dir)?;
        let pre = linker(&engine)?
            .instantiate_pre(&component)
            .and_then(ConnectorPre::new)
            .map_err(wt)
            .with_context(|| format!("cannot link {}", path.display()))?;
        Ok(Connector { engine, pre, path, budget: std::sync::Arc::default() })
    }

    /// The per-user cache directory for precompiled components of an installed binary:
    /// `$XDG_CACHE_HOME/okta-connector`, else `$HOME/.cache/okta-connector` (None when
    /// neither is set).
    pub fn user_cache_dir() -> Option<PathBuf> {
        let env = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
        let base =
            env("XDG_CACHE_HOME").filter(|p| p.is_absolute()).or_else(|| env("HOME").map(|h| h.join(".cache")))?;
        Some(base.join("okta-connector"))
    }

    /// The rate-limit budget the connector's instances share by default.
    pub fn budget(&self) -> &std::sync::Arc<SharedBudget> {
        &self.budget
    }

    /// The component's path (for an embedded component, the name it was loaded under).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A fresh instance whose outgoing HTTP goes to `backend`.
    pub async fn instantiate(&self, backend: Backend) -> Result<Instance> {
        self.instantiate_with(backend, InstanceOptions::default()).await
    }

    /// A fresh instance with explicit options.
    pub async fn instantiate_with(&self, backend: Backend, options: InstanceOptions) -> Result<Instance> {
        #[cfg(feature = "fake-org")]
        let fake_org = match &backend {
            Backend::FakeOrg(org) => Some(org.clone()),
            _ => None,
        };
        let NewStore { mut store, log, route, clock, stderr } = new_store(&self.engine, &self.budget, backend, options);
        let bindings = self.pre.instantiate_async(&mut store).await.map_err(wt).context("cannot instantiate")?;
        Ok(Instance {
            store,
            bindings,
            log,
            route,
            clock,
            #[cfg(feature = "fake-org")]
            fake_org,
            stderr,
        })
    }
}

/// The linker every component is instantiated with: WASI, wasi-http (through the instance's
/// [`Backend`]) and the `rate-limits` import (defined for components that do not import it too).
fn linker(engine: &Engine) -> Result<Linker<HostState>> {
    let mut linker = Linker::<HostState>::new(engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker).map_err(wt)?;
    wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker).map_err(wt)?;
    bindings::okta::connector::rate_limits::add_to_linker::<_, wasmtime::component::HasSelf<_>>(
        &mut linker,
        |state: &mut HostState| state,
    )
    .map_err(wt)?;
    Ok(linker)
}

/// A store for one instance, and what the instance keeps beside it.
struct NewStore {
    store: Store<HostState>,
    log: Arc<Mutex<backend::Log>>,
    route: Arc<backend::Route>,
    clock: Clock,
    stderr: Option<wasmtime_wasi::p2::pipe::MemoryOutputPipe>,
}

fn new_store(
    engine: &Engine,
    shared_budget: &Arc<SharedBudget>,
    backend: Backend,
    options: InstanceOptions,
) -> NewStore {
    let clock = options.clock.unwrap_or_default();
    let mut wasi = WasiCtx::builder();
    wasi.wall_clock(clock.clone());
    let stderr = options.capture_stderr.then(|| wasmtime_wasi::p2::pipe::MemoryOutputPipe::new(1 << 20));
    if let Some(pipe) = &stderr {
        wasi.stderr(pipe.clone());
    } else if options.inherit_stderr || std::env::var("OKTA_GUEST_STDERR").is_ok_and(|v| v == "1") {
        wasi.inherit_stderr();
    }
    if options.allow_local_orgs {
        wasi.env(ALLOW_LOCAL_ORGS, "1");
    }
    for (k, v) in &options.env {
        wasi.env(k, v);
    }
    // A real org is known by its origin, so the connector's budget serves every instance
    // sent to it; an in-process org (fake or scripted) is one of its own, whatever its origin.
    let budget = match (options.rate_limits, &backend) {
        (RateLimits::With(budget), _) => budget,
        (RateLimits::Shared, Backend::Network | Backend::NetworkWith(_)) => shared_budget.clone(),
        _ => Arc::default(),
    };
    let egress = if options.allow_local_orgs { Egress::AllowLocal } else { Egress::Strict };
    let hooks = backend::Hooks::new(backend, clock.clone(), options.observer, egress, options.record);
    let log = hooks.log.clone();
    let route = hooks.route.clone();
    let mut store = Store::new(
        engine,
        HostState {
            wasi: wasi.build(),
            http: WasiHttpCtx::new(),
            table: ResourceTable::new(),
            hooks,
            memory: MemoryPeak::default(),
            budget,
        },
    );
    store.limiter(|state| &mut state.memory);
    NewStore { store, log, route, clock, stderr }
}

/// `Err` unless `component` was built from this tree's guest sources (see `okta_wit_model::source`).
fn check_built_from_tree(component: &[u8], path: &Path) -> Result<()> {
    const TREE: &str = env!("OKTA_CONNECTOR_SOURCE_HASH");
    match okta_wit_model::embedded_source_hash(component) {
        Some(hash) if hash == TREE => Ok(()),
        _ => bail!(
            "the connector component at {} was built from other sources than this tree's src/ and wit/: \
             run `make build` (or set OKTA_CONNECTOR_WASM to the component you mean to load)",
            path.display()
        ),
    }
}

/// Compiles the component, or loads the `.cwasm` cached in `cache_dir` for the same bytes.
fn load_component(engine: &Engine, bytes: &[u8], origin: &Path, cache_dir: Option<&Path>) -> Result<Component> {
    let mut hasher = std::hash::DefaultHasher::new();
    hasher.write(bytes);
    hasher.write(env!("CARGO_PKG_VERSION").as_bytes());
    let stem = origin.file_stem().and_then(|s| s.to_str()).unwrap_or("component").to_string();
    let cwasm = cache_dir.map(|dir| dir.join(format!("{stem}.{:016x}.cwasm", hasher.finish())));
    if let Some(cwasm) = cwasm.as_ref().filter(|c| c.exists()) {
        // SAFETY: the file was written by `precompile_component` below for these exact bytes
        // (its name carries their hash), in a directory only this user writes; wasmtime still
        // checks that it was made by a compatible engine.
        if let Ok(component) = unsafe { Component::deserialize_file(engine, cwasm) } {
            return Ok(component);
        }
    }
    let serialized = engine
        .precompile_component(bytes)
        .map_err(wt)
        .with_context(|| format!("cannot compile {}", origin.display()))?;
    if let Some(cwasm) = &cwasm {
        store_cwasm(&stem, cwasm, &serialized);
    }
    // SAFETY: just produced by this engine.
    unsafe { Component::deserialize(engine, &serialized) }.map_err(wt)
}

/// Writes the `.cwasm` atomically and removes stale ones beside it; a directory that cannot
/// be created or written only costs the next run a recompile.
fn store_cwasm(stem: &str, cwasm: &Path, serialized: &[u8]) {
    let Some(dir) = cwasm.parent() else { return };
    let tmp = cwasm.with_extension(format!("cwasm.tmp{}", std::process::id()));
    if std::fs::create_dir_all(dir).is_err()
        || std::fs::write(&tmp, serialized).is_err()
        || std::fs::rename(&tmp, cwasm).is_err()
    {
        let _ = std::fs::remove_file(&tmp);
        return;
    }
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with(&format!("{stem}.")) && name.ends_with(".cwasm") && entry.path() != cwasm {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

/// A listing open in an [`Instance`] (the guest's `listings.listing` resource).
#[derive(Debug)]
pub struct Listing {
    resource: wasmtime::component::ResourceAny,
}

/// One instance of the component with its store and backend.
pub struct Instance {
    store: Store<HostState>,
    bindings: ConnectorBindings,
    log: Arc<Mutex<backend::Log>>,
    route: Arc<backend::Route>,
    clock: Clock,
    #[cfg(feature = "fake-org")]
    fake_org: Option<okta_fake_org::FakeOrg>,
    stderr: Option<wasmtime_wasi::p2::pipe::MemoryOutputPipe>,
}

impl Instance {
    /// The catalog (`catalog.describe`) as JSON text.
    pub async fn describe(&mut self) -> Result<String> {
        let r = self.bindings.okta_connector_catalog().call_describe(&mut self.store).await;
        self.finish("catalog.describe", r)
    }

    /// The catalog parsed.
    pub async fn describe_json(&mut self) -> Result<Value> {
        let text = self.describe().await?;
        serde_json::from_str(&text).context("catalog.describe did not return JSON")
    }

    /// Runs `action` through the generic door (`catalog.invoke`) with its input as JSON text.
    pub async fn invoke(&mut self, action: &str, connection: &Connection, input: &str) -> CallResult<String> {
        let r = self
            .bindings
            .okta_connector_catalog()
            .call_invoke(&mut self.store, action, connection, &input.to_string())
            .await;
        self.finish(action, r)
    }

    /// [`Instance::invoke`] with a JSON value as input and the result parsed.
    pub async fn invoke_json(&mut self, action: &str, connection: &Connection, input: &Value) -> CallResult<Value> {
        Ok(match self.invoke(action, connection, &input.to_string()).await? {
            Ok(text) => Ok(parse_result(action, &text)?),
            Err(e) => Err(e),
        })
    }

    /// Opens a listing of the list action `action` (`listings.open`): its input as JSON text,
    /// as for [`Instance::invoke`]. Read it with [`Instance::next_page`]; close it with
    /// [`Instance::close_listing`].
    pub async fn open_listing(&mut self, action: &str, connection: &Connection, input: &str) -> CallResult<Listing> {
        let r = self
            .bindings
            .okta_connector_listings()
            .call_open(&mut self.store, action, connection, &input.to_string())
            .await;
        Ok(self.finish(action, r)?.map(|resource| Listing { resource }))
    }

    /// The listing's next page: its items as a JSON array, or `None` once it is done.
    pub async fn next_page(&mut self, listing: &Listing) -> CallResult<Option<String>> {
        let r =
            self.bindings.okta_connector_listings().listing().call_next_page(&mut self.store, listing.resource).await;
        self.finish("listing.next-page", r)
    }

    /// The `after` cursor of the listing's next page (or where a finished one resumes).
    pub async fn listing_cursor(&mut self, listing: &Listing) -> Result<Option<String>> {
        let r = self.bindings.okta_connector_listings().listing().call_cursor(&mut self.store, listing.resource).await;
        self.finish("listing.cursor", r)
    }

    /// Drops the listing in the guest.
    pub async fn close_listing(&mut self, listing: Listing) -> Result<()> {
        listing.resource.resource_drop_async(&mut self.store).await.map_err(wt)
    }

    /// Every item of a listing, opened and read to the end (tests; a host that wants constant
    /// memory handles each page as it comes instead).
    pub async fn list_all(&mut self, action: &str, connection: &Connection, input: &str) -> CallResult<Vec<Value>> {
        let listing = match self.open_listing(action, connection, input).await? {
            Ok(listing) => listing,
            Err(e) => return Ok(Err(e)),
        };
        let mut items = Vec::new();
        let outcome = loop {
            match self.next_page(&listing).await? {
                Ok(Some(page)) => items.extend(parse_result(action, &page)?.as_array().cloned().unwrap_or_default()),
                Ok(None) => break Ok(items),
                Err(e) => break Err(e),
            }
        };
        self.close_listing(listing).await?;
        Ok(outcome)
    }

    /// One poll of a polling trigger through the generic door (`catalog.poll`): the records
    /// and the state for the next poll.
    pub async fn poll(
        &mut self,
        trigger: &str,
        connection: &Connection,
        input: &Value,
        state: Option<&str>,
    ) -> CallResult<(Vec<Value>, String)> {
        let r = self
            .bindings
            .okta_connector_catalog()
            .call_poll(&mut self.store, trigger, connection, &input.to_string(), state)
            .await;
        Ok(match self.finish(trigger, r)? {
            Ok(text) => {
                let v = parse_result(trigger, &text)?;
                let items = v["items"].as_array().cloned().context("a poll result has items")?;
                let state = v["state"].as_str().context("a poll result has a state")?.to_string();
                Ok((items, state))
            }
            Err(e) => Err(e),
        })
    }

    /// The Event Hook trigger's deploy through the generic door: the hook id and the state.
    pub async fn deploy_hook(
        &mut self,
        connection: &Connection,
        input: &Value,
        public_url: &str,
        state: Option<&str>,
    ) -> CallResult<(String, String)> {
        let r = self
            .bindings
            .okta_connector_catalog()
            .call_deploy_hook(&mut self.store, connection, &input.to_string(), public_url, state)
            .await;
        Ok(match self.finish("event-hook deploy", r)? {
            Ok(text) => {
                let v = parse_result("event-hook deploy", &text)?;
                Ok((
                    v["event_hook_id"].as_str().unwrap_or("").to_string(),
                    v["state"].as_str().unwrap_or("").to_string(),
                ))
            }
            Err(e) => Err(e),
        })
    }

    /// The Event Hook trigger's receive through the generic door.
    pub async fn receive_hook(
        &mut self,
        input: &Value,
        state: &str,
        method: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Result<HookReception> {
        let request = IncomingRequest {
            method: method.to_string(),
            headers: headers.iter().map(|(k, v)| KeyValue { key: k.to_string(), value: v.to_string() }).collect(),
            body: body.to_vec(),
        };
        let r = self
            .bindings
            .okta_connector_catalog()
            .call_receive_hook(&mut self.store, &input.to_string(), state, &request)
            .await;
        self.finish("event-hook receive", r)
    }

    /// The Event Hook trigger's teardown through the generic door.
    pub async fn teardown_hook(&mut self, connection: &Connection, state: &str) -> CallResult<()> {
        let r = self.bindings.okta_connector_catalog().call_teardown_hook(&mut self.store, connection, state).await;
        self.finish("event-hook teardown", r)
    }

    /// The `connections` exports: test a connection, and the authorization-code flow.
    pub fn connections(&mut self) -> Connections<'_> {
        Connections(self)
    }

    /// The generated bindings and the store, for calls this harness does not wrap. Check
    /// [`Instance::take_script_failures`] after such a call.
    pub fn bindings_and_store(&mut self) -> (&ConnectorBindings, &mut Store<HostState>) {
        (&self.bindings, &mut self.store)
    }

    /// The largest size the guest's linear memory reached, in bytes (it never shrinks, so
    /// this is the guest's peak memory so far).
    pub fn guest_memory_peak(&self) -> usize {
        self.store.data().memory.bytes
    }

    /// Every exchange so far, in order (values exact; print them with `Display`, which
    /// redacts secrets, or [`render`]).
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.log.lock().unwrap().exchanges.clone()
    }

    /// Forgets the exchanges so far.
    pub fn clear_exchanges(&self) {
        self.log.lock().unwrap().exchanges.clear();
    }

    /// Script violations not yet reported (each call reports its own as an `Err`).
    pub fn take_script_failures(&self) -> Vec<String> {
        std::mem::take(&mut self.log.lock().unwrap().failures)
    }

    /// The expected requests not yet sent (scripted backend only).
    pub fn script_remaining(&self) -> Vec<ExpectedRequest> {
        match &*self.route {
            backend::Route::Scripted(steps) => steps.lock().unwrap().iter().map(|(e, _)| e.clone()).collect(),
            _ => Vec::new(),
        }
    }

    /// `Err` listing the expected requests that were never sent.
    pub fn assert_script_consumed(&self) -> Result<()> {
        let left = self.script_remaining();
        if left.is_empty() {
            return Ok(());
        }
        let lines: Vec<String> = left.iter().map(|e| format!("  {}", e.line())).collect();
        bail!(
            "{} expected request(s) never sent:\n{}\nexchanges:\n{}",
            left.len(),
            lines.join("\n"),
            render(&self.exchanges())
        )
    }

    /// The fake org answering this instance, if any.
    #[cfg(feature = "fake-org")]
    pub fn fake_org(&self) -> Option<&okta_fake_org::FakeOrg> {
        self.fake_org.as_ref()
    }

    /// What the guest wrote to stderr (with [`InstanceOptions::capture_stderr`]).
    pub fn stderr(&self) -> String {
        self.stderr.as_ref().map(|p| String::from_utf8_lossy(&p.contents()).into_owned()).unwrap_or_default()
    }

    /// The instance's wall clock.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Turns a call's outcome into the harness's: a trap or a script violation is an `Err`
    /// carrying the exchanges so far.
    fn finish<T>(&mut self, what: &str, r: wasmtime::Result<T>) -> Result<T> {
        let failures = self.take_script_failures();
        if !failures.is_empty() {
            bail!(
                "{what}: the guest's requests broke the script:\n{}\nexchanges:\n{}",
                failures.join("\n"),
                render(&self.exchanges())
            );
        }
        r.map_err(|e| anyhow!("{what}: the guest trapped: {e:?}\nexchanges:\n{}", render(&self.exchanges())))
    }
}

/// The typed `connections` exports of one instance.
pub struct Connections<'a>(&'a mut Instance);

impl Connections<'_> {
    /// `connections.test`.
    pub async fn test(&mut self, connection: &Connection) -> CallResult<ConnectionCheck> {
        let i = &mut *self.0;
        let r = i.bindings.okta_connector_connections().call_test(&mut i.store, connection).await;
        i.finish("connections.test", r)
    }

    /// `connections.begin-authorization`.
    pub async fn begin_authorization(
        &mut self,
        connection: &OauthCodeConnection,
        redirect_uri: &str,
        state: &str,
    ) -> CallResult<AuthorizationStart> {
        let i = &mut *self.0;
        let r = i
            .bindings
            .okta_connector_connections()
            .call_begin_authorization(&mut i.store, connection, redirect_uri, state)
            .await;
        i.finish("connections.begin-authorization", r)
    }

    /// `connections.exchange-code`.
    pub async fn exchange_code(
        &mut self,
        connection: &OauthCodeConnection,
        code: &str,
        redirect_uri: &str,
        code_verifier: &str,
    ) -> CallResult<TokenSet> {
        let i = &mut *self.0;
        let r = i
            .bindings
            .okta_connector_connections()
            .call_exchange_code(&mut i.store, connection, code, redirect_uri, code_verifier)
            .await;
        i.finish("connections.exchange-code", r)
    }

    /// `connections.refresh`.
    pub async fn refresh(&mut self, connection: &OauthCodeConnection) -> CallResult<TokenSet> {
        let i = &mut *self.0;
        let r = i.bindings.okta_connector_connections().call_refresh(&mut i.store, connection).await;
        i.finish("connections.refresh", r)
    }

    /// `connections.current-tokens`.
    pub async fn current_tokens(&mut self, connection: &OauthCodeConnection) -> Result<Option<TokenSet>> {
        let i = &mut *self.0;
        let r = i.bindings.okta_connector_connections().call_current_tokens(&mut i.store, connection).await;
        i.finish("connections.current-tokens", r)
    }

    /// `connections.begin-device-authorization`.
    pub async fn begin_device_authorization(
        &mut self,
        connection: &OauthDeviceConnection,
    ) -> CallResult<DeviceAuthorization> {
        let i = &mut *self.0;
        let r = i.bindings.okta_connector_connections().call_begin_device_authorization(&mut i.store, connection).await;
        i.finish("connections.begin-device-authorization", r)
    }

    /// `connections.poll-device-authorization`.
    pub async fn poll_device_authorization(
        &mut self,
        connection: &OauthDeviceConnection,
        device_code: &str,
    ) -> CallResult<DevicePoll> {
        let i = &mut *self.0;
        let r = i
            .bindings
            .okta_connector_connections()
            .call_poll_device_authorization(&mut i.store, connection, device_code)
            .await;
        i.finish("connections.poll-device-authorization", r)
    }

    /// `connections.current-device-tokens`.
    pub async fn current_device_tokens(&mut self, connection: &OauthDeviceConnection) -> Result<Option<TokenSet>> {
        let i = &mut *self.0;
        let r = i.bindings.okta_connector_connections().call_current_device_tokens(&mut i.store, connection).await;
        i.finish("connections.current-device-tokens", r)
    }
}

fn parse_result(action: &str, text: &str) -> Result<Value> {
    serde_json::from_str(text).with_context(|| format!("{action} returned text that is not JSON: {text}"))
}

// The typed call table: one accessor per area (`instance.users().create(..)`), the `Call`
// enum, `Call::from_json` and `Instance::call`, generated from the WIT by `build.rs`.
include!(concat!(env!("OUT_DIR"), "/calls.rs"));

/// A result as `invoke` gives it.
pub trait OutputJson {
    fn output_json(self) -> Result<Value>;
}

impl OutputJson for String {
    fn output_json(self) -> Result<Value> {
        Ok(serde_json::from_str(&self)?)
    }
}

impl OutputJson for () {
    fn output_json(self) -> Result<Value> {
        Ok(json!({}))
    }
}

/// The input of an action that takes none: an empty object.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct NoInput {}

/// Where a closed-set value sits in `invoke`'s JSON (`hash_password.algorithm`; `[]` for each
/// element of a list), and its values with their cases (`("BCRYPT", "Bcrypt")`).
type EnumPath = (&'static str, &'static [(&'static str, &'static str)]);

/// Reads a typed input from `invoke`'s JSON: `json` fields given as JSON values become text,
/// closed-set values as Okta spells them become the enum's case (any other value is left for
/// the typed record to refuse).
fn de<T: serde::de::DeserializeOwned>(
    action: &str,
    input: &Value,
    json_fields: &[&str],
    renames: &[(&str, &str)],
    enums: &[EnumPath],
) -> Result<T> {
    let mut input = if input.is_null() { json!({}) } else { input.clone() };
    for (path, cases) in enums {
        let segments: Vec<&str> = path.split('.').collect();
        rewrite_enum(&mut input, &segments, cases);
    }
    if let Some(object) = input.as_object_mut() {
        for field in json_fields {
            if let Some(v) = object.get_mut(*field) {
                if !v.is_string() && !v.is_null() {
                    *v = Value::String(v.to_string());
                }
            }
        }
        for (key, rust) in renames {
            if let Some(v) = object.remove(*key) {
                object.insert(rust.to_string(), v);
            }
        }
    }
    serde_json::from_value(input.clone())
        .with_context(|| format!("{action}: input {input} does not fit the WIT record"))
}

fn rewrite_enum(value: &mut Value, path: &[&str], cases: &[(&str, &str)]) {
    let Some((first, rest)) = path.split_first() else {
        if let Some(text) = value.as_str() {
            if let Some((_, case)) = cases.iter().find(|(v, _)| v.eq_ignore_ascii_case(text.trim())) {
                *value = Value::String(case.to_string());
            }
        }
        return;
    };
    let (key, each) = match first.strip_suffix("[]") {
        Some(key) => (key, true),
        None => (*first, false),
    };
    let Some(inner) = value.get_mut(key) else { return };
    if each {
        for element in inner.as_array_mut().into_iter().flatten() {
            rewrite_enum(element, rest, cases);
        }
    } else {
        rewrite_enum(inner, rest, cases);
    }
}

/// What [`Connector::both_doors`] saw.
#[derive(Debug)]
pub struct BothDoors {
    /// The result, the same through both doors.
    pub result: Result<Value, WitError>,
    /// The typed call's exchanges (the `invoke` call's were the same, as both consumed the
    /// same script).
    pub exchanges: Vec<Exchange>,
}

impl Connector {
    /// Runs one input through the typed export and through `invoke`, each in a fresh instance
    /// answering from `script`. Fails unless both consumed the whole script and gave the same
    /// result (the same JSON, or the same error).
    pub async fn both_doors(
        &self,
        script: &[(ExpectedRequest, CannedResponse)],
        connection: &Connection,
        action: &str,
        input: &Value,
    ) -> Result<BothDoors> {
        let call = Call::from_json(action, input)?;
        // One `Date` for both runs: answers dated when each door happens to run would differ
        // whenever the two runs straddle a second.
        let date = Clock::system().http_date();
        let script: Vec<_> = script
            .iter()
            .cloned()
            .map(|(expected, mut canned)| {
                if !canned.headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("date")) {
                    canned.headers.push(("date".into(), date.clone()));
                }
                (expected, canned)
            })
            .collect();
        let mut typed = self.instantiate(Backend::Scripted(script.clone())).await?;
        let typed_result = typed.call(connection, &call).await.context("through the typed export")?;
        typed.assert_script_consumed().context("through the typed export")?;

        let mut generic = self.instantiate(Backend::Scripted(script)).await?;
        let invoked = generic.invoke_json(action, connection, input).await.context("through invoke")?;
        generic.assert_script_consumed().context("through invoke")?;

        let same = match (&typed_result, &invoked) {
            (Ok(a), Ok(b)) => a == b,
            (Err(a), Err(b)) => a == b,
            _ => false,
        };
        if !same {
            bail!(
                "{action}: the typed export and invoke disagree\n  typed:  {}\n  invoke: {}",
                show_result(&typed_result),
                show_result(&invoked)
            );
        }
        Ok(BothDoors { result: typed_result, exchanges: typed.exchanges() })
    }
}

fn show_result(r: &Result<Value, WitError>) -> String {
    match r {
        Ok(v) => v.to_string(),
        Err(e) => format!("error {}", error_json(e)),
    }
}

/// An API-token connection.
pub fn api_token(domain: &str, token: &str) -> Connection {
    Connection::ApiToken(ApiTokenConnection { domain: domain.to_string(), token: token.to_string() })
}

/// A client-credentials connection (`private_key_jwt`).
pub fn client_credentials(
    domain: &str,
    client_id: &str,
    private_key: &str,
    key_id: Option<&str>,
    scopes: &str,
) -> Connection {
    Connection::ClientCredentials(ClientCredentialsConnection {
        domain: domain.to_string(),
        client_id: client_id.to_string(),
        private_key: private_key.to_string(),
        key_id: key_id.map(str::to_string),
        scopes: scopes.to_string(),
    })
}

/// An authorization-code connection, before any token (the host fills the tokens in after
/// `exchange-code`).
pub fn oauth_code(domain: &str, client_id: &str, client_secret: &str, scopes: &[&str]) -> OauthCodeConnection {
    OauthCodeConnection {
        domain: domain.to_string(),
        scopes: scopes.iter().map(|s| s.to_string()).collect(),
        client_id: client_id.to_string(),
        client_secret: client_secret.to_string(),
        access_token: None,
        refresh_token: None,
    }
}

/// A device-authorization connection, before any token (the host fills the tokens in after
/// `poll-device-authorization` returned them).
pub fn oauth_device(domain: &str, client_id: &str, scopes: &[&str]) -> OauthDeviceConnection {
    OauthDeviceConnection {
        domain: domain.to_string(),
        scopes: scopes.iter().map(|s| s.to_string()).collect(),
        client_id: client_id.to_string(),
        access_token: None,
        refresh_token: None,
    }
}

/// What went wrong, in one word: the WIT case name of an error (`invalid-input`, `transport`),
/// or for Okta's error answers the case of their `kind` (`not-found`, `rate-limited`).
pub fn error_kind(e: &WitError) -> &'static str {
    match e {
        WitError::InvalidInput(_) => "invalid-input",
        WitError::InvalidConnection(_) => "invalid-connection",
        WitError::Okta(o) => match o.kind {
            OktaErrorKind::Unauthorized => "unauthorized",
            OktaErrorKind::Forbidden => "forbidden",
            OktaErrorKind::NotFound => "not-found",
            OktaErrorKind::Rejected => "rejected",
            OktaErrorKind::RateLimited => "rate-limited",
            OktaErrorKind::Server => "server",
        },
        WitError::Transport(_) => "transport",
        WitError::UnexpectedResponse(_) => "unexpected-response",
        WitError::TooLarge(_) => "too-large",
        WitError::Unsupported(_) => "unsupported",
    }
}

/// An error as a JSON object: `{"kind": "invalid-input", "field": ..., "message": ...}`,
/// `{"kind": "not-found", "status": 404, "error_code": ..., ...}`, `{"kind": "transport",
/// "message": ...}`.
pub fn error_json(e: &WitError) -> Value {
    let kind = error_kind(e);
    match e {
        WitError::InvalidInput(f) | WitError::InvalidConnection(f) => {
            json!({ "kind": kind, "field": f.field, "message": f.message })
        }
        WitError::Okta(o) => json!({
            "kind": kind,
            "status": o.status,
            "error_code": o.error_code,
            "summary": o.summary,
            "causes": o.causes,
            "error_id": o.error_id,
            "request_id": o.request_id,
            "authenticate": o.authenticate,
        }),
        WitError::Transport(m) | WitError::UnexpectedResponse(m) | WitError::TooLarge(m) | WitError::Unsupported(m) => {
            json!({ "kind": kind, "message": m })
        }
    }
}

/// The connection JSON the CLI takes: `{"api_token": {"domain": ..., "token": ...}}`,
/// `{"oauth_code": {...}}`, `{"client_credentials": {...}}` or `{"oauth_device": {...}}`, fields in snake_case as in
/// the WIT records. A field may name where its value is instead of holding it, so secrets
/// stay out of the JSON: `{"env": "OKTA_CLIENT_SECRET"}` (an environment variable) or
/// `{"file": "okta-key.pem"}` (a file's content).
pub fn connection_from_json(text: &str) -> Result<Connection> {
    let mut value: Value = serde_json::from_str(text).map_err(|e| anyhow!("invalid connection JSON: {e}"))?;
    if let Some(fields) =
        value.as_object_mut().and_then(|kinds| kinds.values_mut().next()).and_then(Value::as_object_mut)
    {
        for (name, field) in fields.iter_mut() {
            if let Some(resolved) = resolve_reference(name, field)? {
                *field = Value::String(resolved);
            }
        }
    }
    connection_from_value(&value.to_string())
}

/// The value a `{"env": NAME}` or `{"file": PATH}` field points at (`None` for a plain value).
/// Errors name the field and the variable or file, never a value.
fn resolve_reference(field: &str, value: &Value) -> Result<Option<String>> {
    let Some(map) = value.as_object() else { return Ok(None) };
    match (map.len(), map.get("env").and_then(Value::as_str), map.get("file").and_then(Value::as_str)) {
        (1, Some(var), None) => std::env::var(var).map(Some).map_err(|_| {
            anyhow!("invalid connection JSON: `{field}` names the environment variable {var}, which is not set")
        }),
        (1, None, Some(path)) => {
            std::fs::read_to_string(path).map(|s| Some(s.trim_end_matches(['\r', '\n']).to_string())).map_err(|e| {
                anyhow!("invalid connection JSON: `{field}` names the file {path}, which cannot be read: {e}")
            })
        }
        _ => Ok(None),
    }
}

fn connection_from_value(text: &str) -> Result<Connection> {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "snake_case", deny_unknown_fields)]
    enum Conn {
        ApiToken(ApiToken),
        OauthCode(OauthCode),
        ClientCredentials(ClientCredentials),
        OauthDevice(OauthDevice),
    }
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct ApiToken {
        domain: String,
        token: String,
    }
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct OauthCode {
        domain: String,
        #[serde(default)]
        scopes: Vec<String>,
        client_id: String,
        client_secret: String,
        access_token: Option<String>,
        refresh_token: Option<String>,
    }
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct OauthDevice {
        domain: String,
        #[serde(default)]
        scopes: Vec<String>,
        client_id: String,
        access_token: Option<String>,
        refresh_token: Option<String>,
    }
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct ClientCredentials {
        domain: String,
        client_id: String,
        private_key: String,
        key_id: Option<String>,
        scopes: String,
    }
    let conn: Conn = serde_json::from_str(text).map_err(|e| {
        // serde quotes the offending value in "invalid type/value" messages: that value may
        // be a secret, so only messages that name fields or variants are shown as they are.
        let msg = e.to_string();
        let names_only = ["unknown field", "missing field", "unknown variant", "duplicate field"];
        if names_only.iter().any(|p| msg.starts_with(p)) || e.is_syntax() || e.is_eof() {
            anyhow!("invalid connection JSON: {msg}")
        } else {
            anyhow!(
                "invalid connection JSON: a value has the wrong type or shape at line {} column {}",
                e.line(),
                e.column()
            )
        }
    })?;
    Ok(match conn {
        Conn::ApiToken(c) => Connection::ApiToken(ApiTokenConnection { domain: c.domain, token: c.token }),
        Conn::OauthCode(c) => Connection::OauthCode(OauthCodeConnection {
            domain: c.domain,
            scopes: c.scopes,
            client_id: c.client_id,
            client_secret: c.client_secret,
            access_token: c.access_token,
            refresh_token: c.refresh_token,
        }),
        Conn::ClientCredentials(c) => Connection::ClientCredentials(ClientCredentialsConnection {
            domain: c.domain,
            client_id: c.client_id,
            private_key: c.private_key,
            key_id: c.key_id,
            scopes: c.scopes,
        }),
        Conn::OauthDevice(c) => Connection::OauthDevice(OauthDeviceConnection {
            domain: c.domain,
            scopes: c.scopes,
            client_id: c.client_id,
            access_token: c.access_token,
            refresh_token: c.refresh_token,
        }),
    })
}

/// `text` with every secret value (at least 4 characters) replaced by `[redacted]`, in the
/// forms a server may echo it in: as it is, percent-encoded, form-encoded and JSON-escaped.
/// For anything printed: a name-based redaction misses a token a server repeats in a body.
pub fn scrub(text: &str, secrets: &[String]) -> String {
    let mut out = text.to_string();
    for secret in secrets.iter().filter(|s| s.len() >= 4) {
        let forms = [
            secret.clone(),
            percent_encoding::utf8_percent_encode(secret, percent_encoding::NON_ALPHANUMERIC).to_string(),
            url::form_urlencoded::byte_serialize(secret.as_bytes()).collect::<String>(),
            serde_json::to_string(secret).unwrap_or_default().trim_matches('"').to_string(),
        ];
        for form in forms {
            if !form.is_empty() && out.contains(&form) {
                out = out.replace(&form, "[redacted]");
            }
        }
    }
    out
}
