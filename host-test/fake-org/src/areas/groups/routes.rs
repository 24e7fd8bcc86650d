//! Groups: `GET/POST /api/v1/groups`, `GET/PUT/DELETE /api/v1/groups/{groupId}`,
//! `GET /api/v1/groups/{groupId}/users`, `PUT/DELETE /api/v1/groups/{groupId}/users/{userId}`.
//!
//! Okta's rules kept here: profile and membership writes work on OKTA_GROUPs only (BUILT_IN and
//! APP_GROUP → 403 E0000006); `PUT` replaces the whole profile; names are unique
//! (case-insensitive); listing takes `search` (all properties, `eq sw co`, ranges on dates, `co`
//! only on `profile.name`/`profile.description`, case-insensitive values, `sortBy`/`sortOrder`),
//! `filter` (`id`, `type`, `lastUpdated`, `lastMembershipUpdated` only, case-sensitive) or `q`
//! (name prefix, default 300, never paged, no `Link`), plus `expand=stats|app` into `_embedded`.

use http::Method;
use serde_json::Value;

use super::model::Group;
use super::render::render_group;
use crate::areas::state::State;
use crate::areas::users::model::User;
use crate::areas::users::render::{render_user, LinkSet};
use crate::infra::auth::Scope;
use crate::infra::edge::Endpoint;
use crate::infra::errors::ApiError;
use crate::infra::json::J;
use crate::infra::listing::{self, PageSpec, Sort};
use crate::infra::paging::CursorKey;
use crate::infra::query::{self, date_literal, Dialect, Expr, Lit, Op, Val};
use crate::infra::ratelimit::Bucket;
use crate::infra::routing::{Ctx, HResult, Reply, Routes};

const READ: Endpoint = Endpoint::new(Bucket::Groups, Scope::GroupsRead);
const MANAGE: Endpoint = Endpoint::new(Bucket::Groups, Scope::GroupsManage);

pub fn routes(r: Routes) -> Routes {
    r.sync0(Method::GET, "/api/v1/groups", READ, list_groups)
        .sync0(Method::POST, "/api/v1/groups", MANAGE, create_group)
        .sync1(Method::GET, "/api/v1/groups/{group}", READ, get_group)
        .sync1(Method::PUT, "/api/v1/groups/{group}", MANAGE, replace_group)
        .sync1(Method::DELETE, "/api/v1/groups/{group}", MANAGE, delete_group)
        .sync1(Method::GET, "/api/v1/groups/{group}/users", READ, group_users)
        .sync2(Method::PUT, "/api/v1/groups/{group}/users/{user}", MANAGE, add_member)
        .sync2(Method::DELETE, "/api/v1/groups/{group}/users/{user}", MANAGE, remove_member)
}

fn user_id_only(st: &State, key: &str) -> Result<String, ApiError> {
    st.resolve_user_id_only(key).ok_or_else(|| ApiError::not_found(key, "User"))
}

fn group_not_found(gid: &str) -> ApiError {
    ApiError::not_found(gid, "UserGroup")
}

/// Profile and membership writes on BUILT_IN and APP_GROUP groups.
fn not_okta_group() -> ApiError {
    ApiError::access_denied()
}

// ---------------------------------------------------------------------------------------------
// Search and filter

const DATES: [&str; 3] = ["created", "lastUpdated", "lastMembershipUpdated"];

/// `search`: `id`, `type`, `source.id`, the dates, any `profile.*`.
struct GroupSearch;

impl Dialect for GroupSearch {
    fn comparison(&self, attr: &str, op: Op, value: Lit) -> Result<Lit, ()> {
        let known =
            DATES.contains(&attr) || ["id", "type", "source.id"].contains(&attr) || attr.starts_with("profile.");
        if !known || (op == Op::Co && !["profile.name", "profile.description"].contains(&attr)) {
            return Err(());
        }
        if DATES.contains(&attr) {
            return date_literal(op, value);
        }
        if op.is_range() {
            return Err(());
        }
        Ok(value)
    }
    fn presence(&self, _attr: &str) -> bool {
        false
    }
}

/// `filter`: `id` and `type` with `eq`; `lastUpdated` and `lastMembershipUpdated` with `eq` and
/// ranges.
struct GroupFilter;

impl Dialect for GroupFilter {
    fn comparison(&self, attr: &str, op: Op, value: Lit) -> Result<Lit, ()> {
        match attr {
            "id" | "type" if op == Op::Eq && matches!(value, Lit::Str(_)) => Ok(value),
            "lastUpdated" | "lastMembershipUpdated" if op == Op::Eq || op.is_range() => date_literal(op, value),
            _ => Err(()),
        }
    }
    fn presence(&self, _attr: &str) -> bool {
        false
    }
}

fn attr_of<'a>(g: &'a Group, attr: &str) -> Val<'a> {
    match attr {
        "id" => Val::Str(g.id.as_str().into()),
        "type" => Val::Str(g.kind.as_str().into()),
        "created" => Val::Date(g.created * 1000),
        "lastUpdated" => Val::Date(g.last_updated * 1000),
        "lastMembershipUpdated" => Val::Date(g.last_membership_updated * 1000),
        "profile.name" => Val::Str(g.name.as_str().into()),
        "profile.description" => g.description.as_deref().map(|d| Val::Str(d.into())).unwrap_or(Val::Null),
        "source.id" => g.source.as_deref().map(|s| Val::Str(s.into())).unwrap_or(Val::Null),
        _ => Val::Null,
    }
}

fn matches(expr: &Expr, g: &Group, insensitive: bool) -> bool {
    query::eval(expr, &|attr: &str| vec![attr_of(g, attr)], insensitive)
}

// ---------------------------------------------------------------------------------------------
// Listing

/// `expand` values asked for.
struct Expand {
    stats: bool,
    app: bool,
}

fn expand(ctx: &Ctx) -> Expand {
    let values: Vec<&str> = ctx.q("expand").map(|e| e.split(',').map(str::trim).collect()).unwrap_or_default();
    Expand { stats: values.contains(&"stats"), app: values.contains(&"app") }
}

/// A group with `_embedded` for the expansions asked for.
fn render_expanded(st: &State, g: &Group, origin: &str, ex: &Expand) -> J {
    let mut o = render_group(g, origin);
    if !ex.stats && !ex.app {
        return o;
    }
    let mut embedded = J::empty_obj();
    if ex.stats {
        let users = if g.kind == "BUILT_IN" { st.users().len() } else { g.members.len() };
        let apps = st.apps().iter().filter(|a| a.groups.iter().any(|x| x.principal == g.id)).count();
        embedded.push(
            "stats",
            J::obj([
                ("usersCount", J::from(users as i64)),
                ("appsCount", J::from(apps as i64)),
                ("groupPushMappingsCount", J::from(0i64)),
                ("hasAdminPrivilege", J::Bool(g.name == "Admins")),
                (
                    "_links",
                    J::obj([("self", J::obj([("href", J::s(format!("{origin}/api/v1/groups/{}/stats", g.id)))]))]),
                ),
            ]),
        );
    }
    if ex.app {
        if let Some(app) = g.source.as_deref().and_then(|id| st.app(id)) {
            embedded.push(
                "app",
                J::obj([
                    ("id", J::s(app.id.clone())),
                    ("name", J::s(app.name.clone())),
                    ("label", J::s(app.label.clone())),
                    ("signOnMode", J::s(app.sign_on_mode.clone())),
                ]),
            );
        }
    }
    o.push("_embedded", embedded);
    o
}

/// `GET /api/v1/groups`.
pub fn list_groups(st: &mut State, ctx: &Ctx) -> HResult {
    let search = ctx.q("search").filter(|s| !s.trim().is_empty());
    let filter = ctx.q("filter").filter(|s| !s.trim().is_empty());
    let ex = expand(ctx);
    if search.is_none() && filter.is_none() {
        if let Some(q) = ctx.q("q") {
            // Meant for pickers: a name prefix, never paged, no Link header.
            let limit = listing::limit(ctx, 300, 10_000)?;
            let ql = q.to_lowercase();
            let body = st
                .groups()
                .values()
                .filter(|g| g.name.to_lowercase().starts_with(&ql))
                .take(limit)
                .map(|g| render_expanded(st, g, &ctx.origin, &ex))
                .collect();
            return Ok(Reply::ok(J::Arr(body)));
        }
    }
    let search_expr =
        search.map(|s| query::parse_with(s, &GroupSearch)).transpose().map_err(|_| ApiError::invalid_search())?;
    let filter_expr =
        filter.map(|f| query::parse_with(f, &GroupFilter)).transpose().map_err(|_| ApiError::invalid_search())?;
    // sortBy/sortOrder only work with search; otherwise they are ignored and dropped.
    let sort = Sort::parse(ctx, search.is_some(), query::is_attr_path)?;
    let items: Vec<(CursorKey, J)> = st
        .groups()
        .values()
        .filter(|g| search_expr.as_ref().map(|e| matches(e, g, true)).unwrap_or(true))
        .filter(|g| filter_expr.as_ref().map(|e| matches(e, g, false)).unwrap_or(true))
        .map(|g| {
            let val = sort.by.and_then(|a| query::sort_val(attr_of(g, a)));
            (CursorKey { val, id: g.id.clone() }, render_expanded(st, g, &ctx.origin, &ex))
        })
        .collect();
    let kind = match (search, sort.by) {
        (Some(_), Some(attr)) => format!("groups|search|{attr}|{}", sort.direction()),
        (Some(_), None) => "groups|search".to_string(),
        _ => "groups".to_string(),
    };
    let mut spec = PageSpec::new(kind, "/api/v1/groups", 10_000, 10_000);
    spec.desc = sort.desc;
    spec.keep([
        ("search", search),
        ("filter", filter),
        ("expand", ctx.q("expand")),
        ("sortBy", sort.by),
        ("sortOrder", sort.order),
    ]);
    let (page, links) = listing::page(st, ctx, &spec, items)?;
    Ok(Reply::list(J::Arr(page), links))
}

// ---------------------------------------------------------------------------------------------
// CRUD

fn group_profile(ctx: &Ctx) -> Result<(String, Option<String>), ApiError> {
    let body = ctx.json_object()?;
    let profile = match body.get("profile") {
        Some(Value::Object(p)) => p.clone(),
        None | Some(Value::Null) => Default::default(),
        Some(_) => return Err(ApiError::malformed_body()),
    };
    let name = profile.get("name").and_then(Value::as_str).unwrap_or("").trim().to_string();
    if name.is_empty() {
        return Err(ApiError::validation("name", ["name: The field cannot be left blank".to_string()]));
    }
    // The fake org's group schema defines no custom attributes.
    if let Some(k) = profile.keys().find(|k| *k != "name" && *k != "description") {
        return Err(ApiError::validation("group", [format!("Property name '{k}' is not defined in profile")]));
    }
    Ok((name, profile.get("description").and_then(Value::as_str).map(str::to_string)))
}

fn name_taken(st: &State, name: &str, except: Option<&str>) -> bool {
    st.groups().values().any(|g| g.name.eq_ignore_ascii_case(name) && Some(g.id.as_str()) != except)
}

fn duplicate_name() -> ApiError {
    ApiError::validation(
        "name",
        ["name: An object with this field already exists in the current organization".to_string()],
    )
}

/// `POST /api/v1/groups` → 200 group (OKTA_GROUP).
pub fn create_group(st: &mut State, ctx: &Ctx) -> HResult {
    let (name, description) = group_profile(ctx)?;
    if name_taken(st, &name, None) {
        return Err(duplicate_name());
    }
    let id = st.create_group(&ctx.audit(), name, description);
    get_group(st, ctx, &id)
}

/// `GET /api/v1/groups/{groupId}`.
pub fn get_group(st: &mut State, ctx: &Ctx, gid: &str) -> HResult {
    let g = st.group(gid).ok_or_else(|| group_not_found(gid))?;
    Ok(Reply::ok(render_group(g, &ctx.origin)))
}

/// `PUT /api/v1/groups/{groupId}`: full profile replacement, OKTA_GROUP only.
pub fn replace_group(st: &mut State, ctx: &Ctx, gid: &str) -> HResult {
    let kind = st.group(gid).map(|g| g.kind.clone()).ok_or_else(|| group_not_found(gid))?;
    if kind != "OKTA_GROUP" {
        return Err(not_okta_group());
    }
    let (name, description) = group_profile(ctx)?;
    if name_taken(st, &name, Some(gid)) {
        return Err(duplicate_name());
    }
    st.replace_group_profile(&ctx.audit(), gid, name, description);
    get_group(st, ctx, gid)
}

/// `DELETE /api/v1/groups/{groupId}` → 204, OKTA_GROUP only.
pub fn delete_group(st: &mut State, ctx: &Ctx, gid: &str) -> HResult {
    let g = st.group(gid).ok_or_else(|| group_not_found(gid))?;
    if g.kind != "OKTA_GROUP" {
        return Err(not_okta_group());
    }
    st.delete_group(&ctx.audit(), gid);
    Ok(Reply::NoContent)
}

// ---------------------------------------------------------------------------------------------
// Members

/// `GET /api/v1/groups/{groupId}/users` (`after`, `limit` default 1000).
pub fn group_users(st: &mut State, ctx: &Ctx, gid: &str) -> HResult {
    let g = st.group(gid).ok_or_else(|| group_not_found(gid))?;
    let members: Vec<&User> = if g.kind == "BUILT_IN" {
        st.users().values().collect()
    } else {
        g.members.iter().filter_map(|id| st.user(id)).collect()
    };
    let items: Vec<(String, J)> = members
        .into_iter()
        .map(|u| (u.id.clone(), render_user(st, u, &ctx.origin, LinkSet::SelfOnly, false)))
        .collect();
    let spec = PageSpec::new(format!("groupusers|{gid}"), format!("/api/v1/groups/{gid}/users"), 1000, 10_000);
    let (page, links) = listing::id_page(st, ctx, &spec, items)?;
    Ok(Reply::list(J::Arr(page), links))
}

/// Checks a membership write: the group exists and is an OKTA_GROUP, the user id exists.
fn membership(st: &State, gid: &str, uid: &str) -> Result<String, ApiError> {
    let kind = st.group(gid).map(|g| g.kind.clone()).ok_or_else(|| group_not_found(gid))?;
    let uid = user_id_only(st, uid)?;
    if kind != "OKTA_GROUP" {
        return Err(not_okta_group());
    }
    Ok(uid)
}

/// `PUT /api/v1/groups/{groupId}/users/{userId}` → 204, also when already a member.
pub fn add_member(st: &mut State, ctx: &Ctx, gid: &str, uid: &str) -> HResult {
    let uid = membership(st, gid, uid)?;
    st.add_group_member(&ctx.audit(), gid, &uid);
    Ok(Reply::NoContent)
}

/// `DELETE /api/v1/groups/{groupId}/users/{userId}` → 204, also when not a member.
pub fn remove_member(st: &mut State, ctx: &Ctx, gid: &str, uid: &str) -> HResult {
    let uid = membership(st, gid, uid)?;
    st.remove_group_member(&ctx.audit(), gid, &uid);
    Ok(Reply::NoContent)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group() -> Group {
        Group {
            id: "00g1".into(),
            created: 1_700_000_000,
            last_updated: 1_700_000_100,
            last_membership_updated: 1_700_000_200,
            kind: "OKTA_GROUP".into(),
            name: "West Coast users".into(),
            description: Some("All users West of The Rockies".into()),
            members: Default::default(),
            source: None,
        }
    }

    fn search(q: &str) -> Result<bool, ()> {
        query::parse_with(q, &GroupSearch).map(|e| matches(&e, &group(), true))
    }

    fn filter(q: &str) -> Result<bool, ()> {
        query::parse_with(q, &GroupFilter).map(|e| matches(&e, &group(), false))
    }

    #[test]
    fn search_rules() {
        assert_eq!(search(r#"profile.name eq "west coast users""#), Ok(true));
        assert_eq!(search(r#"profile.name sw "West" and type eq "OKTA_GROUP""#), Ok(true));
        assert_eq!(search(r#"profile.description co "rockies""#), Ok(true));
        assert_eq!(search(r#"lastMembershipUpdated gt "2023-11-14T22:13:19.000Z""#), Ok(true));
        assert_eq!(search(r#"created lt "2014-01-01T00:00:00.000Z" or id eq "00g1""#), Ok(true));
        assert_eq!(search(r#"source.id eq "0oa1""#), Ok(false));
        assert!(search(r#"id co "00""#).is_err(), "co only on name and description");
        assert!(search(r#"profile.name gt "A""#).is_err());
        assert!(search("id pr").is_err());
        assert!(search(r#"objectClass eq "okta:user_group""#).is_err());
        assert!(search(r#"not (id eq "x")"#).is_err());
    }

    #[test]
    fn filter_rules() {
        assert_eq!(filter(r#"type eq "OKTA_GROUP""#), Ok(true));
        assert_eq!(filter(r#"type eq "okta_group""#), Ok(false), "filter values are case-sensitive");
        assert_eq!(filter(r#"type eq "OKTA_GROUP" and lastUpdated gt "2016-11-11T00:00:00.000Z""#), Ok(true));
        assert!(filter(r#"profile.name eq "West Coast users""#).is_err());
        assert!(filter(r#"type sw "OKTA""#).is_err());
        assert!(filter(r#"id gt "00g""#).is_err());
    }
}
