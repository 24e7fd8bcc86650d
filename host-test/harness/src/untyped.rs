//! A component of another version of the contract, called through its catalog's `invoke`
//! only, on the same host as [`Connector`](crate::Connector) (WASI, wasi-http through a
//! [`Backend`], the `rate-limits` import for a component that has it). For comparing builds:
//! the bench's rows for the connector as it was before a change.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::{anyhow, bail, Context, Result};
use serde_json::Value;
use wasmtime::component::{Component, ComponentExportIndex, InstancePre, Type, Val};
use wasmtime::{Config, Engine, Store};

use crate::{backend, linker, new_store, wt, Backend, Exchange, HostState, InstanceOptions, NewStore, SharedBudget};

/// A compiled component that exports `okta:connector/catalog` with `invoke(action, connection,
/// input)`, whatever else its world has.
pub struct UntypedConnector {
    engine: Engine,
    pre: InstancePre<HostState>,
    invoke: ComponentExportIndex,
    path: PathBuf,
    budget: Arc<SharedBudget>,
}

impl UntypedConnector {
    /// Compiles the component at `path` (no cache: it is loaded once per run).
    pub fn load(path: impl AsRef<Path>) -> Result<UntypedConnector> {
        let path = path.as_ref().to_path_buf();
        let bytes = std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let engine = Engine::new(&Config::new()).map_err(wt)?;
        let component = Component::new(&engine, &bytes)
            .map_err(wt)
            .with_context(|| format!("cannot compile {}", path.display()))?;
        let catalog = component
            .component_type()
            .exports(&engine)
            .map(|(name, _)| name.to_string())
            .find(|name| name.starts_with("okta:connector/catalog@"))
            .ok_or_else(|| anyhow!("{} exports no okta:connector/catalog", path.display()))?;
        let instance = component.get_export_index(None, catalog.as_str());
        let invoke = component
            .get_export_index(instance.as_ref(), "invoke")
            .ok_or_else(|| anyhow!("{}: {catalog} has no invoke", path.display()))?;
        let pre = linker(&engine)?
            .instantiate_pre(&component)
            .map_err(wt)
            .with_context(|| format!("cannot link {}", path.display()))?;
        Ok(UntypedConnector { engine, pre, invoke, path, budget: Arc::default() })
    }

    /// The component's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A fresh instance whose outgoing HTTP goes to `backend`.
    pub async fn instantiate_with(&self, backend: Backend, options: InstanceOptions) -> Result<UntypedInstance> {
        let NewStore { mut store, log, .. } = new_store(&self.engine, &self.budget, backend, options);
        let instance = self.pre.instantiate_async(&mut store).await.map_err(wt).context("cannot instantiate")?;
        let invoke =
            instance.get_func(&mut store, self.invoke).ok_or_else(|| anyhow!("catalog.invoke is not a function"))?;
        Ok(UntypedInstance { store, invoke, log })
    }
}

/// One instance of an [`UntypedConnector`].
pub struct UntypedInstance {
    store: Store<HostState>,
    invoke: wasmtime::component::Func,
    log: Arc<Mutex<backend::Log>>,
}

impl UntypedInstance {
    /// `catalog.invoke(action, connection, input)`. `connection` is the WIT value as JSON: a
    /// variant is an object with its case's name as the one key (`{"api-token": {"domain":
    /// "…", "token": "…"}}`), a record an object by field name, an absent field or `null` an
    /// empty option. `Ok(Err(..))` carries the action's error, its kind and message only.
    pub async fn invoke(&mut self, action: &str, connection: &Value, input: &Value) -> Result<Result<String, String>> {
        let ty = self.invoke.ty(&self.store);
        let params: Vec<(String, Type)> = ty.params().map(|(name, ty)| (name.to_string(), ty)).collect();
        let [(_, Type::String), (_, connection_ty), (_, Type::String)] = params.as_slice() else {
            bail!("catalog.invoke does not take (action: string, connection, input: json)");
        };
        let args = [
            Val::String(action.into()),
            to_val(connection, connection_ty, "connection")?,
            Val::String(input.to_string()),
        ];
        let mut results = [Val::Bool(false)];
        self.invoke.call_async(&mut self.store, &args, &mut results).await.map_err(wt)?;
        match &results[0] {
            Val::Result(Ok(Some(ok))) => match ok.as_ref() {
                Val::String(json) => Ok(Ok(json.clone())),
                other => bail!("catalog.invoke returned {other:?}"),
            },
            Val::Result(Err(Some(error))) => Ok(Err(summary(error))),
            other => bail!("catalog.invoke returned {other:?}"),
        }
    }

    /// The exchanges so far.
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.log.lock().unwrap().exchanges.clone()
    }

    /// Forgets the exchanges so far.
    pub fn clear_exchanges(&self) {
        self.log.lock().unwrap().exchanges.clear();
    }
}

/// An error value's variant case and the fields that say what went wrong (`field`,
/// `message`, `status`, `error-code`, `summary`), never the others.
fn summary(error: &Val) -> String {
    fn said(v: &Val, out: &mut Vec<String>) {
        match v {
            Val::Record(fields) => {
                for (name, value) in fields {
                    match (name.as_str(), value) {
                        ("field" | "message" | "summary" | "error-code", Val::String(m)) => {
                            out.push(format!("{name} {m}"))
                        }
                        ("error-code", Val::Option(Some(code))) => said_string(name, code, out),
                        ("status", Val::U16(n)) => out.push(format!("status {n}")),
                        _ => {}
                    }
                }
            }
            Val::String(m) => out.push(m.clone()),
            _ => {}
        }
    }
    fn said_string(name: &str, v: &Val, out: &mut Vec<String>) {
        if let Val::String(m) = v {
            out.push(format!("{name} {m}"));
        }
    }
    let mut out = Vec::new();
    match error {
        Val::Variant(case, payload) => {
            if let Some(p) = payload {
                said(p, &mut out);
            }
            format!("{case}: {}", out.join("; "))
        }
        other => {
            said(other, &mut out);
            out.join("; ")
        }
    }
}

/// `value` as a WIT value of type `ty` (strings, numbers, booleans, options, lists, records,
/// variants and enums: what connections are made of); `at` names the place in messages.
fn to_val(value: &Value, ty: &Type, at: &str) -> Result<Val> {
    Ok(match ty {
        Type::String => Val::String(value.as_str().ok_or_else(|| anyhow!("{at}: a string expected"))?.into()),
        Type::Bool => Val::Bool(value.as_bool().ok_or_else(|| anyhow!("{at}: a boolean expected"))?),
        Type::U32 => {
            Val::U32(value.as_u64().and_then(|n| u32::try_from(n).ok()).ok_or_else(|| anyhow!("{at}: a u32 expected"))?)
        }
        Type::U64 => Val::U64(value.as_u64().ok_or_else(|| anyhow!("{at}: a u64 expected"))?),
        Type::Option(o) => match value {
            Value::Null => Val::Option(None),
            v => Val::Option(Some(Box::new(to_val(v, &o.ty(), at)?))),
        },
        Type::List(l) => Val::List(
            value
                .as_array()
                .ok_or_else(|| anyhow!("{at}: a list expected"))?
                .iter()
                .map(|v| to_val(v, &l.ty(), at))
                .collect::<Result<_>>()?,
        ),
        Type::Record(r) => Val::Record(
            r.fields()
                .map(|f| {
                    let v = value.get(f.name).unwrap_or(&Value::Null);
                    Ok((f.name.to_string(), to_val(v, &f.ty, &format!("{at}.{}", f.name))?))
                })
                .collect::<Result<_>>()?,
        ),
        Type::Variant(variant) => {
            let (case, payload) = value
                .as_object()
                .filter(|o| o.len() == 1)
                .and_then(|o| o.iter().next())
                .ok_or_else(|| anyhow!("{at}: an object with one case expected"))?;
            let Some(c) = variant.cases().find(|c| c.name == case) else { bail!("{at}: no case {case}") };
            let payload = match &c.ty {
                Some(ty) => Some(Box::new(to_val(payload, ty, &format!("{at}.{case}"))?)),
                None => None,
            };
            Val::Variant(case.clone(), payload)
        }
        Type::Enum(e) => {
            let name = value.as_str().ok_or_else(|| anyhow!("{at}: a string expected"))?;
            if !e.names().any(|n| n == name) {
                bail!("{at}: no case {name}");
            }
            Val::Enum(name.into())
        }
        other => bail!("{at}: values of type {other:?} are not supported"),
    })
}
