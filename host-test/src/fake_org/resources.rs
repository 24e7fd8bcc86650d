//! Everything around users that user flows touch: the user's groups, app links, factors,
//! grants and blocks, user types, and the group calls needed to set up memberships.

use serde_json::Value;

use super::errors::ApiError;
use super::json::J;
use super::paging::{self, CursorKey};
use super::router::{Ctx, HResult, Reply};
use super::state::{Factor, Group, State, Status, User};
use super::time::iso;
use super::users::{render_user, LinkSet};

const LOGO_MEDIUM: &str =
    "https://ok12static.oktacdn.com/assets/img/logos/groups/odyssey/okta-medium.30ce6d4085dff29412984e4c191bc874.png";
const LOGO_LARGE: &str =
    "https://ok12static.oktacdn.com/assets/img/logos/groups/odyssey/okta-large.c3cb8cda8ae0add1b4fe928f5844dbe3.png";

fn user_key(st: &State, key: &str) -> Result<String, ApiError> {
    st.resolve_user(key).ok_or_else(|| ApiError::not_found(key, "User"))
}

fn user_id_only(st: &State, key: &str) -> Result<String, ApiError> {
    st.resolve_user_id_only(key).ok_or_else(|| ApiError::not_found(key, "User"))
}

/// One page of an id-ordered listing whose cursor is the last id; returns items and `Link`s.
fn id_page<T>(
    st: &mut State,
    ctx: &Ctx,
    kind: &str,
    path: &str,
    items: Vec<(String, T)>,
    default_limit: usize,
    max: usize,
) -> Result<(Vec<T>, Vec<String>), ApiError> {
    let limit = paging::parse_limit(ctx.q("limit"), default_limit, max)
        .map_err(|_| ApiError::validation("limit", ["limit: The limit must be a positive number.".to_string()]))?;
    let after_raw = ctx.q("after");
    let after = match after_raw {
        Some(a) => {
            Some(st.cursors.get(&(kind.to_string(), a.to_string())).cloned().ok_or_else(ApiError::invalid_cursor)?)
        }
        None => None,
    };
    let keyed = items.into_iter().map(|(id, t)| (CursorKey { val: None, id }, t)).collect();
    let (page, more) = paging::page(keyed, after.as_ref(), limit, false);
    let params = |after: Option<&str>| {
        let mut p: Vec<(&str, String)> = Vec::new();
        if let Some(a) = after {
            p.push(("after", a.to_string()));
        }
        p.push(("limit", limit.to_string()));
        p
    };
    let mut links = vec![paging::link(&paging::url(&ctx.origin, path, &params(after_raw)), "self")];
    if more {
        if let Some((key, _)) = page.last() {
            let token = key.id.clone();
            links.push(paging::link(&paging::url(&ctx.origin, path, &params(Some(&token))), "next"));
            st.cursors.insert((kind.to_string(), token), key.clone());
        }
    }
    Ok((page.into_iter().map(|(_, t)| t).collect(), links))
}

// ---------------------------------------------------------------------------------------------
// Groups

/// Group object: `id, created, lastUpdated, lastMembershipUpdated, objectClass, type, profile,
/// _links{logo[], users, apps}`.
pub fn render_group(g: &Group, origin: &str) -> J {
    let logo =
        |name: &str, href: &str| J::obj([("name", J::s(name)), ("href", J::s(href)), ("type", J::s("image/png"))]);
    let base = format!("{origin}/api/v1/groups/{}", g.id);
    J::obj([
        ("id", J::s(g.id.clone())),
        ("created", J::s(iso(g.created))),
        ("lastUpdated", J::s(iso(g.last_updated))),
        ("lastMembershipUpdated", J::s(iso(g.last_membership_updated))),
        ("objectClass", J::Arr(vec![J::s("okta:user_group")])),
        ("type", J::s(g.kind.clone())),
        ("profile", J::obj([("name", J::s(g.name.clone())), ("description", J::opt_s(g.description.clone()))])),
        (
            "_links",
            J::obj([
                ("logo", J::Arr(vec![logo("medium", LOGO_MEDIUM), logo("large", LOGO_LARGE)])),
                ("users", J::obj([("href", J::s(format!("{base}/users")))])),
                ("apps", J::obj([("href", J::s(format!("{base}/apps")))])),
            ]),
        ),
    ])
}

/// `GET /api/v1/users/{id}/groups`: Everyone plus memberships; paginated (self link `?limit=200`).
pub fn user_groups(st: &mut State, ctx: &Ctx, key: &str) -> HResult {
    let id = user_key(st, key)?;
    let items: Vec<(String, J)> =
        st.groups_of(&id).into_iter().map(|g| (g.id.clone(), render_group(g, &ctx.origin))).collect();
    let path = format!("/api/v1/users/{id}/groups");
    let (page, links) = id_page(st, ctx, &format!("usergroups|{id}"), &path, items, 200, 200)?;
    Ok(Reply::list(J::Arr(page), links))
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
        let limit = paging::parse_limit(ctx.q("limit"), 300, 10_000)
            .map_err(|_| ApiError::validation("limit", ["limit: The limit must be a positive number.".to_string()]))?;
        let ql = q.to_lowercase();
        let body = st
            .groups
            .values()
            .filter(|g| g.name.to_lowercase().starts_with(&ql))
            .take(limit)
            .map(|g| render_group(g, &ctx.origin))
            .collect();
        return Ok(Reply::ok(J::Arr(body)));
    }
    let items: Vec<(String, J)> = st.groups.values().map(|g| (g.id.clone(), render_group(g, &ctx.origin))).collect();
    let (page, links) = id_page(st, ctx, "groups", "/api/v1/groups", items, 10_000, 10_000)?;
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
    st.groups.values().any(|g| g.name.eq_ignore_ascii_case(name) && Some(g.id.as_str()) != except)
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
    let id = st.new_misc_id("00g");
    let now = ctx.now_secs;
    let g = Group {
        id: id.clone(),
        created: now,
        last_updated: now,
        last_membership_updated: now,
        kind: "OKTA_GROUP".into(),
        name,
        description,
        members: Default::default(),
    };
    let body = render_group(&g, &ctx.origin);
    st.groups.insert(id, g);
    Ok(Reply::ok(body))
}

pub fn get_group(st: &mut State, ctx: &Ctx, gid: &str) -> HResult {
    let g = st.groups.get(gid).ok_or_else(|| group_not_found(gid))?;
    Ok(Reply::ok(render_group(g, &ctx.origin)))
}

fn not_okta_group() -> ApiError {
    ApiError::new(403, "E0000006", "You do not have permission to perform the requested action")
}

/// `PUT /api/v1/groups/{groupId}`: full profile replacement, OKTA_GROUP only.
pub fn replace_group(st: &mut State, ctx: &Ctx, gid: &str) -> HResult {
    if !st.groups.contains_key(gid) {
        return Err(group_not_found(gid));
    }
    let (name, description) = group_profile(ctx)?;
    if name_taken(st, &name, Some(gid)) {
        return Err(ApiError::validation(
            "name",
            ["name: An object with this field already exists in the current organization".to_string()],
        ));
    }
    let g = st.groups.get_mut(gid).ok_or_else(|| group_not_found(gid))?;
    if g.kind != "OKTA_GROUP" {
        return Err(not_okta_group());
    }
    g.name = name;
    g.description = description;
    g.last_updated = ctx.now_secs;
    Ok(Reply::ok(render_group(g, &ctx.origin)))
}

pub fn delete_group(st: &mut State, gid: &str) -> HResult {
    let g = st.groups.get(gid).ok_or_else(|| group_not_found(gid))?;
    if g.kind == "BUILT_IN" {
        return Err(not_okta_group());
    }
    st.groups.remove(gid);
    for a in &mut st.apps {
        a.groups.retain(|x| x.principal != gid);
    }
    Ok(Reply::NoContent)
}

/// `GET /api/v1/groups/{groupId}/users` (default limit 1000).
pub fn group_users(st: &mut State, ctx: &Ctx, gid: &str) -> HResult {
    let g = st.groups.get(gid).ok_or_else(|| group_not_found(gid))?;
    let members: Vec<&User> = if g.kind == "BUILT_IN" {
        st.users.values().collect()
    } else {
        g.members.iter().filter_map(|id| st.users.get(id)).collect()
    };
    let items: Vec<(String, J)> = members
        .into_iter()
        .map(|u| (u.id.clone(), render_user(st, u, &ctx.origin, LinkSet::SelfOnly, false)))
        .collect();
    let path = format!("/api/v1/groups/{gid}/users");
    let (page, links) = id_page(st, ctx, &format!("groupusers|{gid}"), &path, items, 1000, 1000)?;
    Ok(Reply::list(J::Arr(page), links))
}

/// `PUT`/`DELETE /api/v1/groups/{groupId}/users/{userId}` → 204 (OKTA_GROUP only).
pub fn group_membership(st: &mut State, ctx: &Ctx, gid: &str, uid: &str) -> HResult {
    if !st.groups.contains_key(gid) {
        return Err(group_not_found(gid));
    }
    let uid = user_id_only(st, uid)?;
    let g = st.groups.get_mut(gid).ok_or_else(|| group_not_found(gid))?;
    if g.kind != "OKTA_GROUP" {
        return Err(not_okta_group());
    }
    let changed = if ctx.method == http::Method::PUT { g.members.insert(uid) } else { g.members.remove(&uid) };
    if changed {
        g.last_membership_updated = ctx.now_secs;
    }
    Ok(Reply::NoContent)
}

// ---------------------------------------------------------------------------------------------
// App links, grants, blocks

/// `GET /api/v1/users/{id}/appLinks`: direct and group-based assignments of ACTIVE apps
/// (not paginated, no Link header).
pub fn app_links(st: &mut State, ctx: &Ctx, key: &str) -> HResult {
    let id = user_key(st, key)?;
    let groups: Vec<String> = st.groups_of(&id).iter().map(|g| g.id.clone()).collect();
    let mut out = Vec::new();
    for app in st.apps.iter().filter(|a| a.status == "ACTIVE") {
        let assignment = app
            .users
            .iter()
            .find(|a| a.principal == id)
            .or_else(|| app.groups.iter().find(|a| groups.contains(&a.principal)));
        if let Some(a) = assignment {
            out.push(J::obj([
                ("id", J::s(id.clone())),
                ("label", J::s(app.label.clone())),
                ("linkUrl", J::s(format!("{}/home/{}/{}/{}", ctx.origin, app.name, app.id, 40 + out.len()))),
                ("logoUrl", J::s(format!("{}/img/logos/{}.png", ctx.origin, app.name))),
                ("appName", J::s(app.name.clone())),
                ("appInstanceId", J::s(app.id.clone())),
                ("appAssignmentId", J::s(a.id.clone())),
                ("credentialsSetup", J::Bool(false)),
                ("hidden", J::Bool(false)),
                ("sortOrder", J::from(out.len() as i64)),
            ]));
        }
    }
    Ok(Reply::ok(J::Arr(out)))
}

/// `GET /api/v1/users/{id}/grants`: always empty here, but paginated (self link `?limit=20`).
pub fn grants(st: &mut State, ctx: &Ctx, key: &str) -> HResult {
    let id = user_key(st, key)?;
    let path = format!("/api/v1/users/{id}/grants");
    let (page, links) = id_page::<J>(st, ctx, &format!("grants|{id}"), &path, Vec::new(), 20, 200)?;
    Ok(Reply::list(J::Arr(page), links))
}

/// `GET /api/v1/users/{id}/blocks`: the feature is not licensed in the fake org (401 E0000015,
/// as in the recordings).
pub fn blocks(st: &mut State, key: &str) -> HResult {
    user_key(st, key)?;
    Err(ApiError::feature_not_enabled())
}

// ---------------------------------------------------------------------------------------------
// Factors

fn allow(href: String, methods: &[&str]) -> J {
    J::obj([("href", J::s(href)), ("hints", J::obj([("allow", J::Arr(methods.iter().map(|m| J::s(*m)).collect()))]))])
}

/// Factor object (keys as in `examples/user-factors-list.json`; `hints.allow` links).
pub fn render_factor(f: &Factor, origin: &str) -> J {
    let user = format!("{origin}/api/v1/users/{}", f.user_id);
    let base = format!("{user}/factors/{}", f.id);
    let mut o = J::obj([
        ("id", J::s(f.id.clone())),
        ("factorType", J::s(f.factor_type.clone())),
        ("provider", J::s(f.provider.clone())),
    ]);
    if let Some(v) = &f.vendor_name {
        o.push("vendorName", J::s(v.clone()));
    }
    o.push("status", J::s(f.status.clone()));
    o.push("created", J::s(iso(f.created)));
    o.push("lastUpdated", J::s(iso(f.last_updated)));
    o.push("profile", J::from(&f.profile));
    let mut links = J::empty_obj();
    if f.status == "PENDING_ACTIVATION" {
        links.push(
            "next",
            J::obj([
                ("name", J::s("activate")),
                ("href", J::s(format!("{base}/lifecycle/activate"))),
                ("hints", J::obj([("allow", J::Arr(vec![J::s("POST")]))])),
            ]),
        );
        links.push("self", allow(base, &["GET"]));
    } else {
        if f.factor_type == "question" {
            links.push("questions", allow(format!("{user}/factors/questions"), &["GET"]));
        } else {
            links.push("verify", allow(format!("{base}/verify"), &["POST"]));
        }
        links.push("self", allow(base, &["GET", "DELETE"]));
    }
    links.push("user", allow(user, &["GET"]));
    o.push("_links", links);
    o
}

/// `GET /api/v1/users/{userId}/factors` (id only; not paginated).
pub fn factors(st: &mut State, ctx: &Ctx, key: &str) -> HResult {
    let id = user_id_only(st, key)?;
    let body = st.factors.iter().filter(|f| f.user_id == id).map(|f| render_factor(f, &ctx.origin)).collect();
    Ok(Reply::ok(J::Arr(body)))
}

fn factor_not_found(fid: &str) -> ApiError {
    ApiError::not_found(fid, "UserFactor")
}

pub fn factor(st: &mut State, ctx: &Ctx, key: &str, fid: &str) -> HResult {
    let id = user_id_only(st, key)?;
    let f = st.factors.iter().find(|f| f.user_id == id && f.id == fid).ok_or_else(|| factor_not_found(fid))?;
    Ok(Reply::ok(render_factor(f, &ctx.origin)))
}

/// `DELETE /api/v1/users/{userId}/factors/{factorId}` → 204. Not possible for deactivated users
/// (403 E0000038). Unenrolling Okta Verify `push` or `signed_nonce` also removes the related
/// Okta Verify `push`, `signed_nonce` and `token:software:totp` factors.
pub fn unenroll_factor(st: &mut State, ctx: &Ctx, key: &str, fid: &str) -> HResult {
    let id = user_id_only(st, key)?;
    ctx.q_bool("removeRecoveryEnrollment", false)?;
    let f = st.factors.iter().find(|f| f.user_id == id && f.id == fid).cloned().ok_or_else(|| factor_not_found(fid))?;
    if st.users.get(&id).map(|u| u.status == Status::Deprovisioned).unwrap_or(false) {
        return Err(ApiError::wrong_status());
    }
    let okta_verify = f.provider == "OKTA" && matches!(f.factor_type.as_str(), "push" | "signed_nonce");
    st.factors.retain(|x| {
        if x.user_id != id {
            return true;
        }
        if x.id == f.id {
            return false;
        }
        !(okta_verify
            && x.provider == "OKTA"
            && matches!(x.factor_type.as_str(), "push" | "signed_nonce" | "token:software:totp"))
    });
    Ok(Reply::NoContent)
}

// ---------------------------------------------------------------------------------------------
// User types

fn render_user_type(t: &super::state::UserType, origin: &str) -> J {
    let rel = |rel: &str, href: String| J::obj([("rel", J::s(rel)), ("href", J::s(href)), ("method", J::s("GET"))]);
    J::obj([
        ("id", J::s(t.id.clone())),
        ("displayName", J::s(t.display_name.clone())),
        ("name", J::s(t.name.clone())),
        ("description", J::s(t.description.clone())),
        ("createdBy", J::s(t.created_by.clone())),
        ("lastUpdatedBy", J::s(t.created_by.clone())),
        ("created", J::s(iso(t.created))),
        ("lastUpdated", J::s(iso(t.last_updated))),
        ("default", J::Bool(t.default)),
        (
            "_links",
            J::obj([
                ("schema", rel("schema", format!("{origin}/api/v1/meta/schemas/user/{}", t.schema_id))),
                ("self", rel("self", format!("{origin}/api/v1/meta/types/user/{}", t.id))),
            ]),
        ),
    ])
}

/// `GET /api/v1/meta/types/user`: not paginated, no Link header.
pub fn user_types(st: &mut State, ctx: &Ctx) -> HResult {
    Ok(Reply::ok(J::Arr(st.user_types.iter().map(|t| render_user_type(t, &ctx.origin)).collect())))
}

/// `GET /api/v1/meta/types/user/{typeId}`; unknown ids name the type `CVDType`, as Okta does.
pub fn user_type(st: &mut State, ctx: &Ctx, tid: &str) -> HResult {
    let t = st.user_type(tid).ok_or_else(|| ApiError::not_found(tid, "CVDType"))?;
    Ok(Reply::ok(render_user_type(t, &ctx.origin)))
}
