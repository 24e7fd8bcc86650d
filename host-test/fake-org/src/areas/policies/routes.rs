//! Policies: `GET/POST /api/v1/policies`, `GET/DELETE /api/v1/policies/{policyId}`.
//!
//! Okta's rules kept here: listing needs `type` (400 E0000028 without it); `status`, `q` (name
//! prefix), `sortBy=name`, `resourceId`, `expand=rules` refine it; `limit` is a string in the
//! spec and has no default, so without it every policy of the type comes on one page and the
//! links carry no `limit` (`self` is `?type=PASSWORD`). Policies of a type are ordered by
//! priority, the system (default) policy last; system policies cannot be deleted.

use http::Method;

use super::model::Policy;
use crate::areas::state::State;
use crate::infra::auth::Scope;
use crate::infra::edge::Endpoint;
use crate::infra::errors::ApiError;
use crate::infra::json::J;
use crate::infra::listing::{self, PageSpec};
use crate::infra::paging::{CursorKey, SortVal};
use crate::infra::ratelimit::Bucket;
use crate::infra::routing::{Ctx, HResult, Reply, Routes};
use crate::infra::shapes::allow;
use crate::infra::time::iso;

const READ: Endpoint = Endpoint::new(Bucket::Policies, Scope::PoliciesRead);
// The spec's manage scope for policies; reads are what the connector uses.
const MANAGE: Endpoint = Endpoint::new(Bucket::Policies, Scope::PoliciesManage);

/// `PolicyType` values of the spec.
const TYPES: [&str; 12] = [
    "ACCESS_POLICY",
    "ENTITY_RISK",
    "IDP_DISCOVERY",
    "MFA_ENROLL",
    "OKTA_SIGN_ON",
    "PASSWORD",
    "POST_AUTH_SESSION",
    "PROFILE_ENROLLMENT",
    "DEVICE_SIGNAL_COLLECTION",
    "SESSION_VIOLATION_DETECTION",
    "CLIENT_UPDATE",
    "IDENTITY_CLAIM_SOURCING",
];

pub fn routes(r: Routes) -> Routes {
    r.sync0(Method::GET, "/api/v1/policies", READ, list_policies)
        .sync0(Method::POST, "/api/v1/policies", MANAGE, create_policy)
        .sync1(Method::GET, "/api/v1/policies/{policy}", READ, get_policy)
        .sync1(Method::DELETE, "/api/v1/policies/{policy}", MANAGE, delete_policy)
}

fn policy_not_found(id: &str) -> ApiError {
    ApiError::not_found(id, "Policy")
}

/// Keys as the 2025 recording orders them: `id, status, name, description, priority, system,
/// conditions, created, lastUpdated, [settings], _links, type`.
fn render_policy(p: &Policy, origin: &str, expand_rules: bool) -> J {
    let base = format!("{origin}/api/v1/policies/{}", p.id);
    let mut o = J::obj([
        ("id", J::s(p.id.clone())),
        ("status", J::s(p.status.clone())),
        ("name", J::s(p.name.clone())),
        ("description", J::opt_s(p.description.clone())),
        ("priority", J::from(p.priority)),
        ("system", J::Bool(p.system)),
        ("conditions", p.conditions.clone()),
        ("created", J::s(iso(p.created))),
        ("lastUpdated", J::s(iso(p.last_updated))),
    ]);
    if let Some(s) = &p.settings {
        o.push("settings", s.clone());
    }
    let mut links = J::obj([
        ("self", allow(base.clone(), if p.system { &["GET", "PUT"] } else { &["GET", "PUT", "DELETE"] })),
        ("rules", allow(format!("{base}/rules"), &["GET", "POST"])),
    ]);
    // Only policies an admin made can be switched off and on.
    if !p.system {
        if p.status == "ACTIVE" {
            links.push("deactivate", allow(format!("{base}/lifecycle/deactivate"), &["POST"]));
        } else {
            links.push("activate", allow(format!("{base}/lifecycle/activate"), &["POST"]));
        }
    }
    o.push("_links", links);
    o.push("type", J::s(p.kind.clone()));
    if expand_rules {
        o.push("_embedded", J::obj([("rules", J::Arr(p.rules.clone()))]));
    }
    o
}

fn expand_rules(ctx: &Ctx) -> bool {
    ctx.q("expand").map(|e| e.split(',').any(|v| v.trim() == "rules")).unwrap_or(false)
}

/// `GET /api/v1/policies?type=`.
pub fn list_policies(st: &mut State, ctx: &Ctx) -> HResult {
    let kind = ctx.q("type").filter(|t| !t.is_empty()).ok_or_else(|| ApiError::missing_parameter("type"))?;
    if !TYPES.contains(&kind) {
        return Err(ApiError::validation("type", [format!("type: '{kind}' is not a valid policy type.")]));
    }
    let status = ctx.q("status").filter(|s| !s.is_empty());
    if let Some(s) = status {
        if s != "ACTIVE" && s != "INACTIVE" {
            return Err(ApiError::validation("status", [format!("status: '{s}' is not a valid status.")]));
        }
    }
    let q = ctx.q("q").filter(|q| !q.is_empty());
    let sort_by = ctx.q("sortBy").filter(|s| !s.is_empty());
    if let Some(s) = sort_by {
        if s != "name" {
            return Err(ApiError::validation("sortBy", [format!("sortBy: '{s}' is not supported; only name is.")]));
        }
    }
    let resource = ctx.q("resourceId").filter(|r| !r.is_empty());
    let rules = expand_rules(ctx);
    let ql = q.map(str::to_lowercase);
    let items: Vec<(CursorKey, J)> = st
        .policies()
        .iter()
        .filter(|p| p.kind == kind)
        .filter(|p| status.map(|s| p.status == s).unwrap_or(true))
        .filter(|p| ql.as_ref().map(|q| p.name.to_lowercase().starts_with(q)).unwrap_or(true))
        .filter(|p| resource.map(|r| p.resource_id.as_deref() == Some(r)).unwrap_or(true))
        .map(|p| {
            let val = match sort_by {
                Some(_) => Some(SortVal::Str(p.name.to_lowercase())),
                None => Some(SortVal::Num(p.priority)),
            };
            (CursorKey { val, id: p.id.clone() }, render_policy(p, &ctx.origin, rules))
        })
        .collect();
    let mut spec = PageSpec::new(
        format!("policies|{kind}|{}", sort_by.unwrap_or("priority")),
        "/api/v1/policies",
        usize::MAX,
        200,
    );
    spec.limit_optional = true;
    spec.extra.push(("type", kind.to_string()));
    spec.keep([
        ("status", status),
        ("q", q),
        ("sortBy", sort_by),
        ("expand", ctx.q("expand")),
        ("resourceId", resource),
    ]);
    let (page, links) = listing::page(st, ctx, &spec, items)?;
    Ok(Reply::list(J::Arr(page), links))
}

/// `GET /api/v1/policies/{policyId}` (`expand=rules`).
pub fn get_policy(st: &mut State, ctx: &Ctx, id: &str) -> HResult {
    let p = st.policies().iter().find(|p| p.id == id).ok_or_else(|| policy_not_found(id))?;
    Ok(Reply::ok(render_policy(p, &ctx.origin, expand_rules(ctx))))
}

/// `POST /api/v1/policies` `{type, name, description?, priority?, status?, conditions?,
/// settings?}` → 200 policy.
pub fn create_policy(st: &mut State, ctx: &Ctx) -> HResult {
    let body = ctx.json_ordered()?;
    let kind = body.get("type").and_then(J::as_str).unwrap_or("").to_string();
    if !TYPES.contains(&kind.as_str()) {
        return Err(ApiError::validation("type", [format!("type: '{kind}' is not a valid policy type.")]));
    }
    let name = body.get("name").and_then(J::as_str).unwrap_or("").trim().to_string();
    if name.is_empty() {
        return Err(ApiError::validation("name", ["name: The field cannot be left blank".to_string()]));
    }
    let priority = match body.get("priority") {
        Some(J::Num(n)) => n.as_i64().filter(|p| *p >= 1).unwrap_or(1),
        _ => 1,
    };
    let status = match body.get("status").and_then(J::as_str) {
        Some("INACTIVE") => "INACTIVE",
        _ => "ACTIVE",
    };
    let policy = Policy {
        id: String::new(),
        kind,
        status: status.into(),
        name,
        description: body.get("description").and_then(J::as_str).map(str::to_string),
        priority,
        system: false,
        conditions: body.get("conditions").cloned().unwrap_or(J::Null),
        settings: body.get("settings").cloned(),
        created: 0,
        last_updated: 0,
        resource_id: None,
        rules: Vec::new(),
    };
    let id = st.create_policy(&ctx.audit(), policy);
    get_policy(st, ctx, &id)
}

/// `DELETE /api/v1/policies/{policyId}` → 204; default (system) policies stay (403 E0000006).
pub fn delete_policy(st: &mut State, ctx: &Ctx, id: &str) -> HResult {
    let p = st.policies().iter().find(|p| p.id == id).ok_or_else(|| policy_not_found(id))?;
    if p.system {
        return Err(ApiError::access_denied());
    }
    st.delete_policy(&ctx.audit(), id);
    Ok(Reply::NoContent)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(system: bool, status: &str) -> Policy {
        Policy {
            id: "00p1".into(),
            kind: "PASSWORD".into(),
            status: status.into(),
            name: "P".into(),
            description: None,
            priority: 1,
            system,
            conditions: J::Null,
            settings: None,
            created: 0,
            last_updated: 0,
            resource_id: None,
            rules: vec![J::obj([("name", J::s("R"))])],
        }
    }

    fn keys(j: Option<&J>) -> Vec<String> {
        match j {
            Some(J::Obj(p)) => p.iter().map(|(k, _)| k.clone()).collect(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn shape_and_links() {
        let p = render_policy(&policy(true, "ACTIVE"), "https://o", false);
        assert_eq!(
            keys(Some(&p)),
            [
                "id",
                "status",
                "name",
                "description",
                "priority",
                "system",
                "conditions",
                "created",
                "lastUpdated",
                "_links",
                "type"
            ]
        );
        assert_eq!(keys(p.get("_links")), ["self", "rules"]);
        assert_eq!(
            keys(render_policy(&policy(false, "ACTIVE"), "https://o", false).get("_links")),
            ["self", "rules", "deactivate"]
        );
        assert_eq!(
            keys(render_policy(&policy(false, "INACTIVE"), "https://o", false).get("_links")),
            ["self", "rules", "activate"]
        );
        let expanded = render_policy(&policy(true, "ACTIVE"), "https://o", true);
        assert_eq!(keys(Some(&expanded)).last().map(String::as_str), Some("_embedded"));
    }
}
