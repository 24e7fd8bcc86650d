//! Groups: `GET/POST /api/v1/groups`, `GET/PUT/DELETE /api/v1/groups/{groupId}`,
//! `GET /api/v1/groups/{groupId}/users`, `PUT/DELETE /api/v1/groups/{groupId}/users/{userId}`.
//! Profile and membership writes work on OKTA_GROUPs only.

use http::Method;
use serde_json::Value;

use crate::fake_org::core::auth::Scope;
use crate::fake_org::core::edge::Endpoint;
use crate::fake_org::core::errors::ApiError;
use crate::fake_org::core::json::J;
use crate::fake_org::core::listing::{self, PageSpec};
use crate::fake_org::core::ratelimit::Bucket;
use crate::fake_org::core::render::{render_group, render_user, LinkSet};
use crate::fake_org::core::routing::{Ctx, HResult, Reply, Routes};
use crate::fake_org::core::state::{State, User};

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

/// `GET /api/v1/groups` (`q` = name prefix, not paged, no Link; otherwise paged by id).
pub fn list_groups(st: &mut State, ctx: &Ctx) -> HResult {
    if ctx.q("search").is_some() || ctx.q("filter").is_some() {
        // Group search/filter is outside the fake org's scope.
        return Err(ApiError::invalid_search());
    }
    if let Some(q) = ctx.q("q") {
        let limit = listing::limit(ctx, 300, 10_000)?;
        let ql = q.to_lowercase();
        let body = st
            .groups()
            .values()
            .filter(|g| g.name.to_lowercase().starts_with(&ql))
            .take(limit)
            .map(|g| render_group(g, &ctx.origin))
            .collect();
        return Ok(Reply::ok(J::Arr(body)));
    }
    let items: Vec<(String, J)> = st.groups().values().map(|g| (g.id.clone(), render_group(g, &ctx.origin))).collect();
    let spec = PageSpec::new("groups", "/api/v1/groups", 10_000, 10_000);
    let (page, links) = listing::id_page(st, ctx, &spec, items)?;
    Ok(Reply::list(J::Arr(page), links))
}

fn group_profile(ctx: &Ctx) -> Result<(String, Option<String>), ApiError> {
    let body = ctx.json_object()?;
    let profile = body.get("profile").and_then(Value::as_object).cloned().unwrap_or_default();
    let name = profile.get("name").and_then(Value::as_str).unwrap_or("").trim().to_string();
    if name.is_empty() {
        return Err(ApiError::validation("name", ["name: The field cannot be left blank".to_string()]));
    }
    if let Some(k) = profile.keys().find(|k| *k != "name" && *k != "description") {
        return Err(ApiError::validation("group", [format!("Property name '{k}' is not defined in profile")]));
    }
    Ok((name, profile.get("description").and_then(Value::as_str).map(str::to_string)))
}

fn name_taken(st: &State, name: &str, except: Option<&str>) -> bool {
    st.groups().values().any(|g| g.name.eq_ignore_ascii_case(name) && Some(g.id.as_str()) != except)
}

/// `POST /api/v1/groups` → 200 group (OKTA_GROUP).
pub fn create_group(st: &mut State, ctx: &Ctx) -> HResult {
    let (name, description) = group_profile(ctx)?;
    if name_taken(st, &name, None) {
        return Err(ApiError::validation(
            "name",
            ["name: An object with this field already exists in the current organization".to_string()],
        ));
    }
    let id = st.create_group(&ctx.audit(), name, description);
    get_group(st, ctx, &id)
}

/// `GET /api/v1/groups/{groupId}`.
pub fn get_group(st: &mut State, ctx: &Ctx, gid: &str) -> HResult {
    let g = st.group(gid).ok_or_else(|| group_not_found(gid))?;
    Ok(Reply::ok(render_group(g, &ctx.origin)))
}

/// Profile and membership writes on BUILT_IN and APP_GROUP groups.
fn not_okta_group() -> ApiError {
    ApiError::access_denied()
}

/// `PUT /api/v1/groups/{groupId}`: full profile replacement, OKTA_GROUP only.
pub fn replace_group(st: &mut State, ctx: &Ctx, gid: &str) -> HResult {
    let kind = st.group(gid).map(|g| g.kind.clone()).ok_or_else(|| group_not_found(gid))?;
    let (name, description) = group_profile(ctx)?;
    if name_taken(st, &name, Some(gid)) {
        return Err(ApiError::validation(
            "name",
            ["name: An object with this field already exists in the current organization".to_string()],
        ));
    }
    if kind != "OKTA_GROUP" {
        return Err(not_okta_group());
    }
    st.replace_group_profile(&ctx.audit(), gid, name, description);
    get_group(st, ctx, gid)
}

/// `DELETE /api/v1/groups/{groupId}` → 204 (not the Everyone group).
pub fn delete_group(st: &mut State, ctx: &Ctx, gid: &str) -> HResult {
    let g = st.group(gid).ok_or_else(|| group_not_found(gid))?;
    if g.kind == "BUILT_IN" {
        return Err(not_okta_group());
    }
    st.delete_group(&ctx.audit(), gid);
    Ok(Reply::NoContent)
}

/// `GET /api/v1/groups/{groupId}/users` (default limit 1000).
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
    let spec = PageSpec::new(format!("groupusers|{gid}"), format!("/api/v1/groups/{gid}/users"), 1000, 1000);
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
