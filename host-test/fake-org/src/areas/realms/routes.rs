//! Realms: `GET/POST /api/v1/realms`, `GET/PUT/DELETE /api/v1/realms/{realmId}` (`POST` on a
//! realm is a 405: realms are replaced with `PUT`).
//!
//! Okta's quirks kept here (RECORDED-NOTES §1): without `search` Okta searches `id pr`
//! itself, so the default page is 10 and the rebuilt links always carry a `search`
//! (`?limit=10&search=id+pr`); `search` takes only `co` on `profile.name` and `pr`; `sortBy`
//! and `sortOrder` sort; cursors are the last realm id. Realm links use the
//! `{rel, href, method}` style.

use http::Method;

use super::model::Realm;
use crate::areas::state::State;
use crate::infra::auth::Scope;
use crate::infra::edge::Endpoint;
use crate::infra::errors::ApiError;
use crate::infra::json::J;
use crate::infra::listing::{self, PageSpec, Sort};
use crate::infra::paging::CursorKey;
use crate::infra::query::{self, Dialect, Lit, Op, Val};
use crate::infra::ratelimit::Bucket;
use crate::infra::routing::{Ctx, HResult, Reply, Routes};
use crate::infra::time::iso;

const READ: Endpoint = Endpoint::new(Bucket::Realms, Scope::RealmsRead);
const MANAGE: Endpoint = Endpoint::new(Bucket::Realms, Scope::RealmsManage);

/// What Okta searches when no `search` is given.
const IMPLICIT_SEARCH: &str = "id pr";

pub fn routes(r: Routes) -> Routes {
    r.sync0(Method::GET, "/api/v1/realms", READ, list_realms)
        .sync0(Method::POST, "/api/v1/realms", MANAGE, create_realm)
        .sync1(Method::GET, "/api/v1/realms/{realm}", READ, get_realm)
        .sync1(Method::PUT, "/api/v1/realms/{realm}", MANAGE, replace_realm)
        .sync1(Method::DELETE, "/api/v1/realms/{realm}", MANAGE, delete_realm)
}

/// Keys as recorded: `id, created, lastUpdated, profile{name, [domains]}, isDefault, _links`.
fn render_realm(r: &Realm, origin: &str) -> J {
    let mut profile = J::obj([("name", J::s(r.name.clone()))]);
    if let Some(d) = &r.domains {
        profile.push("domains", J::Arr(d.iter().map(|x| J::s(x.clone())).collect()));
    }
    J::obj([
        ("id", J::s(r.id.clone())),
        ("created", J::s(iso(r.created))),
        ("lastUpdated", J::s(iso(r.last_updated))),
        ("profile", profile),
        ("isDefault", J::Bool(r.is_default)),
        (
            "_links",
            J::obj([(
                "self",
                J::obj([
                    ("rel", J::s("self")),
                    ("href", J::s(format!("{origin}/api/v1/realms/{}", r.id))),
                    ("method", J::s("GET")),
                ]),
            )]),
        ),
    ])
}

/// `search`: `co` on `profile.name`, `pr` on the realm's properties.
struct RealmSearch;

const PROPS: [&str; 5] = ["id", "profile.name", "profile.domains", "created", "lastUpdated"];

impl Dialect for RealmSearch {
    fn comparison(&self, attr: &str, op: Op, value: Lit) -> Result<Lit, ()> {
        if attr == "profile.name" && op == Op::Co && matches!(value, Lit::Str(_)) {
            Ok(value)
        } else {
            Err(())
        }
    }
    fn presence(&self, attr: &str) -> bool {
        PROPS.contains(&attr)
    }
}

fn attr_of<'a>(r: &'a Realm, attr: &str) -> Vec<Val<'a>> {
    match attr {
        "id" => vec![Val::Str(r.id.as_str().into())],
        "profile.name" => vec![Val::Str(r.name.as_str().into())],
        "profile.domains" => match &r.domains {
            Some(d) => d.iter().map(|x| Val::Str(x.as_str().into())).collect(),
            None => vec![],
        },
        "created" => vec![Val::Date(r.created * 1000)],
        "lastUpdated" => vec![Val::Date(r.last_updated * 1000)],
        _ => vec![],
    }
}

/// `GET /api/v1/realms`.
pub fn list_realms(st: &mut State, ctx: &Ctx) -> HResult {
    let search = ctx.q("search").filter(|s| !s.trim().is_empty()).unwrap_or(IMPLICIT_SEARCH);
    let expr = query::parse_with(search, &RealmSearch).map_err(|_| ApiError::invalid_search())?;
    let sort = Sort::parse(ctx, true, |attr| PROPS.contains(&attr))?;
    let items: Vec<(CursorKey, J)> = st
        .realms()
        .iter()
        .filter(|r| query::eval(&expr, &|a: &str| attr_of(r, a), true))
        .map(|r| {
            let val = sort.by.and_then(|a| attr_of(r, a).into_iter().next()).and_then(query::sort_val);
            (CursorKey { val, id: r.id.clone() }, render_realm(r, &ctx.origin))
        })
        .collect();
    let mut spec =
        PageSpec::new(format!("realms|{}|{}", sort.by.unwrap_or(""), sort.direction()), "/api/v1/realms", 10, 200);
    spec.desc = sort.desc;
    spec.keep([("search", Some(search)), ("sortBy", sort.by), ("sortOrder", sort.order)]);
    let (page, links) = listing::page(st, ctx, &spec, items)?;
    Ok(Reply::list(J::Arr(page), links))
}

/// `GET /api/v1/realms/{realmId}`.
pub fn get_realm(st: &mut State, ctx: &Ctx, id: &str) -> HResult {
    let r = st.realms().iter().find(|r| r.id == id).ok_or_else(|| realm_not_found(id))?;
    Ok(Reply::ok(render_realm(r, &ctx.origin)))
}

/// `profile.name` and `profile.domains` of a write; `realmType` is accepted and not echoed, as
/// recorded.
fn realm_profile(ctx: &Ctx) -> Result<(String, Vec<String>), ApiError> {
    let body = ctx.json_ordered()?;
    let profile = body.get("profile").cloned().unwrap_or(J::Null);
    let name = profile.get("name").and_then(J::as_str).unwrap_or("").trim().to_string();
    if name.is_empty() {
        return Err(ApiError::validation("name", ["name: The field cannot be left blank".to_string()]));
    }
    let domains = match profile.get("domains") {
        Some(J::Arr(d)) => d.iter().filter_map(J::as_str).map(str::to_string).collect(),
        _ => Vec::new(),
    };
    Ok((name, domains))
}

fn realm_not_found(id: &str) -> ApiError {
    ApiError::not_found(id, "Realm")
}

/// `POST /api/v1/realms` → 200 realm.
pub fn create_realm(st: &mut State, ctx: &Ctx) -> HResult {
    let (name, domains) = realm_profile(ctx)?;
    let id = st.create_realm(&ctx.audit(), name, domains);
    get_realm(st, ctx, &id)
}

/// `PUT /api/v1/realms/{realmId}` → 200 realm.
pub fn replace_realm(st: &mut State, ctx: &Ctx, id: &str) -> HResult {
    st.realms().iter().find(|r| r.id == id).ok_or_else(|| realm_not_found(id))?;
    let (name, domains) = realm_profile(ctx)?;
    st.replace_realm(&ctx.audit(), id, name, domains);
    get_realm(st, ctx, id)
}

/// `DELETE /api/v1/realms/{realmId}` → 204; the default realm stays (403 E0000006).
pub fn delete_realm(st: &mut State, ctx: &Ctx, id: &str) -> HResult {
    let r = st.realms().iter().find(|r| r.id == id).ok_or_else(|| realm_not_found(id))?;
    if r.is_default {
        return Err(ApiError::access_denied());
    }
    st.delete_realm(&ctx.audit(), id);
    Ok(Reply::NoContent)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn realm(default: bool) -> Realm {
        Realm {
            id: "guo1".into(),
            created: 0,
            last_updated: 0,
            is_default: default,
            name: "EU Staff".into(),
            domains: (!default).then(|| vec!["eu.example.com".to_string()]),
        }
    }

    #[test]
    fn search_dialect() {
        let m = |q: &str, r: &Realm| {
            query::parse_with(q, &RealmSearch).map(|e| query::eval(&e, &|a: &str| attr_of(r, a), true))
        };
        assert_eq!(m(IMPLICIT_SEARCH, &realm(true)), Ok(true));
        assert_eq!(m(r#"profile.name co "STAFF""#, &realm(false)), Ok(true));
        assert_eq!(m("profile.domains pr", &realm(true)), Ok(false));
        assert_eq!(m(r#"profile.name co "eu" and profile.domains pr"#, &realm(false)), Ok(true));
        assert!(m(r#"profile.name eq "EU Staff""#, &realm(false)).is_err());
        assert!(m(r#"id co "guo""#, &realm(false)).is_err());
        assert!(m("nothing pr", &realm(false)).is_err());
    }

    #[test]
    fn default_realm_has_no_domains() {
        let j = render_realm(&realm(true), "https://o");
        assert_eq!(j.get("profile").unwrap().to_value(), serde_json::json!({"name": "EU Staff"}));
        let j = render_realm(&realm(false), "https://o");
        assert_eq!(
            j.get("profile").unwrap().to_value(),
            serde_json::json!({"name": "EU Staff", "domains": ["eu.example.com"]})
        );
    }
}
