//! Applications and their user assignments: `GET/POST /api/v1/apps`, `GET/DELETE
//! /api/v1/apps/{appId}`, `POST /api/v1/apps/{appId}/lifecycle/activate|deactivate`,
//! `GET/POST /api/v1/apps/{appId}/users`, `GET/POST/DELETE /api/v1/apps/{appId}/users/{userId}`.
//!
//! Okta's rules kept here: listing takes `q` (prefix on name or label, paged), `filter` (one
//! `eq` on `id`, `status`, `name`, `user.id` or `group.id`), `expand=user/{id}` only together
//! with `filter=user.id eq "{id}"` (else 400 "Expand query is malformed"), `limit` default 20 and
//! at most 200; `useOptimization`, `alwaysIncludeVpnSettings` and `includeNonDeleted` are
//! accepted and dropped from the links (the recording shows the full object with
//! `useOptimization=true`). An active app cannot be deleted (403 E0000056). Assignments take
//! the user id only; an inactive (DEPROVISIONED) user cannot be assigned (403 E0000117); a
//! password on an app whose sign-on mode keeps none is refused (400 E0000041); assigning an
//! assigned user again updates its assignment. Users assigned through a group are listed with
//! scope `GROUP` and are read-only here. All apps share one rate-limit bucket.

use http::Method;
use serde_json::Value;

use super::model::{App, AppAssignment};
use crate::areas::state::State;
use crate::areas::users::model::Status;
use crate::areas::users::render::{render_user, LinkSet};
use crate::infra::auth::Scope;
use crate::infra::edge::Endpoint;
use crate::infra::errors::ApiError;
use crate::infra::json::J;
use crate::infra::listing::{self, PageSpec};
use crate::infra::query::{self, Dialect, Expr, Lit, Op};
use crate::infra::ratelimit::Bucket;
use crate::infra::routing::{Ctx, HResult, Reply, Routes};
use crate::infra::shapes::ts;
use crate::infra::time::iso;

const READ: Endpoint = Endpoint::new(Bucket::Apps, Scope::AppsRead);
const MANAGE: Endpoint = Endpoint::new(Bucket::Apps, Scope::AppsManage);

pub fn routes(r: Routes) -> Routes {
    r.sync0(Method::GET, "/api/v1/apps", READ, list_apps)
        .sync0(Method::POST, "/api/v1/apps", MANAGE, create_app)
        .sync1(Method::GET, "/api/v1/apps/{app}", READ, get_app)
        .sync1(Method::DELETE, "/api/v1/apps/{app}", MANAGE, delete_app)
        .sync1(Method::POST, "/api/v1/apps/{app}/lifecycle/activate", MANAGE, |st: &mut State, ctx: &Ctx, id: &str| {
            lifecycle(st, ctx, id, true)
        })
        .sync1(
            Method::POST,
            "/api/v1/apps/{app}/lifecycle/deactivate",
            MANAGE,
            |st: &mut State, ctx: &Ctx, id: &str| lifecycle(st, ctx, id, false),
        )
        .sync1(Method::GET, "/api/v1/apps/{app}/users", READ, list_app_users)
        .sync1(Method::POST, "/api/v1/apps/{app}/users", MANAGE, assign_user)
        .sync2(Method::GET, "/api/v1/apps/{app}/users/{user}", READ, get_app_user)
        .sync2(Method::POST, "/api/v1/apps/{app}/users/{user}", MANAGE, update_app_user)
        .sync2(Method::DELETE, "/api/v1/apps/{app}/users/{user}", MANAGE, unassign_user)
}

fn app_not_found(id: &str) -> ApiError {
    ApiError::not_found(id, "AppInstance")
}

fn find_app<'a>(st: &'a State, id: &str) -> Result<&'a App, ApiError> {
    st.app(id).ok_or_else(|| app_not_found(id))
}

// ---------------------------------------------------------------------------------------------
// Rendering

const LOGO: &str = "https://ok12static.oktacdn.com/assets/img/logos/default.6770228fb0dab49a1695ef440a5279bb.png";

/// The app object as 2025 responses order it (`examples/app.json`, the python recordings).
fn render_app(app: &App, origin: &str) -> J {
    let base = format!("{origin}/api/v1/apps/{}", app.id);
    let href = |h: String| J::obj([("href", J::s(h))]);
    let swa = app.takes_password();
    let mut credentials = J::empty_obj();
    if swa {
        credentials.push("scheme", J::s("EDIT_USERNAME_AND_PASSWORD"));
    }
    credentials.push("userNameTemplate", J::obj([("template", J::s("${source.login}")), ("type", J::s("BUILT_IN"))]));
    if swa {
        credentials.push("revealPassword", J::Bool(false));
    }
    credentials.push("signing", J::empty_obj());
    let link_name = if app.sign_on_mode == "OPENID_CONNECT" { "oidc_client_link" } else { "login" };
    let mut links = J::obj([
        (
            "uploadLogo",
            J::obj([
                ("href", J::s(format!("{base}/logo"))),
                ("hints", J::obj([("allow", J::Arr(vec![J::s("POST")]))])),
            ]),
        ),
        (
            "appLinks",
            J::Arr(vec![J::obj([
                ("name", J::s(link_name)),
                ("href", J::s(format!("{origin}/home/{}/{}/{}", app.name, app.id, 2557))),
                ("type", J::s("text/html")),
            ])]),
        ),
    ]);
    // An inactive app links `activate` right after `appLinks` (2020 recording); an active one
    // links `deactivate` last.
    if app.status != "ACTIVE" {
        links.push("activate", href(format!("{base}/lifecycle/activate")));
    }
    for (k, v) in [
        ("profileEnrollment", href(format!("{origin}/api/v1/policies/rst{}", &app.id[3..]))),
        (
            "policies",
            J::obj([
                ("href", J::s(format!("{base}/policies"))),
                ("hints", J::obj([("allow", J::Arr(vec![J::s("PUT")]))])),
            ]),
        ),
        ("groups", href(format!("{base}/groups"))),
        ("logo", J::Arr(vec![J::obj([("name", J::s("medium")), ("href", J::s(LOGO)), ("type", J::s("image/png"))])])),
        ("accessPolicy", href(format!("{origin}/api/v1/policies/rst{}", &app.id[3..]))),
        ("users", href(format!("{base}/users"))),
    ] {
        links.push(k, v);
    }
    if app.status == "ACTIVE" {
        links.push("deactivate", href(format!("{base}/lifecycle/deactivate")));
    }
    J::obj([
        ("id", J::s(app.id.clone())),
        ("orn", J::s(format!("orn:okta:idp:00ofakeorg0000000000:apps:{}:{}", app.name, app.id))),
        ("name", J::s(app.name.clone())),
        ("label", J::s(app.label.clone())),
        ("status", J::s(app.status.clone())),
        ("lastUpdated", J::s(iso(app.last_updated))),
        ("created", J::s(iso(app.created))),
        (
            "accessibility",
            J::obj([("selfService", J::Bool(false)), ("errorRedirectUrl", J::Null), ("loginRedirectUrl", J::Null)]),
        ),
        (
            "visibility",
            J::obj([
                ("autoLaunch", J::Bool(false)),
                ("autoSubmitToolbar", J::Bool(false)),
                ("hide", J::obj([("iOS", J::Bool(false)), ("web", J::Bool(false))])),
                ("appLinks", J::obj([(link_name, J::Bool(true))])),
            ]),
        ),
        ("features", J::Arr(Vec::new())),
        ("signOnMode", J::s(app.sign_on_mode.clone())),
        ("credentials", credentials),
        ("universalLogout", J::Null),
        (
            "settings",
            J::obj([
                ("app", app.settings_app.clone()),
                (
                    "notifications",
                    J::obj([(
                        "vpn",
                        J::obj([
                            ("network", J::obj([("connection", J::s("DISABLED"))])),
                            ("message", J::Null),
                            ("helpUrl", J::Null),
                        ]),
                    )]),
                ),
                ("manualProvisioning", J::Bool(false)),
                ("implicitAssignment", J::Bool(false)),
                ("notes", J::obj([("admin", J::Null), ("enduser", J::Null)])),
            ]),
        ),
        ("_links", links),
    ])
}

/// AppUser: `id` (the user id), `externalId`, `created`, `lastUpdated`, `scope`, `status`,
/// `statusChanged`, `passwordChanged`, `syncState`, `credentials`, `profile`, `_links`
/// (RECORDED-NOTES §6).
fn render_app_user(st: &State, app_id: &str, a: &AppAssignment, origin: &str, expand_user: bool) -> J {
    let credentials = match (&a.user_name, &a.password) {
        (None, None) => J::Null,
        (name, password) => {
            let mut c = J::empty_obj();
            if let Some(n) = name {
                c.push("userName", J::s(n.clone()));
            }
            if password.is_some() {
                // Never the value.
                c.push("password", J::empty_obj());
            }
            c
        }
    };
    let mut o = J::obj([
        ("id", J::s(a.principal.clone())),
        ("externalId", J::Null),
        ("created", J::s(iso(a.created))),
        ("lastUpdated", J::s(iso(a.last_updated))),
        ("scope", J::s(a.scope.clone())),
        ("status", J::s(a.status.clone())),
        ("statusChanged", J::s(iso(a.status_changed))),
        ("passwordChanged", ts(a.password_changed)),
        ("syncState", J::s("DISABLED")),
        ("credentials", credentials),
        ("profile", a.profile.clone()),
        (
            "_links",
            J::obj([
                ("app", J::obj([("href", J::s(format!("{origin}/api/v1/apps/{app_id}")))])),
                ("user", J::obj([("href", J::s(format!("{origin}/api/v1/users/{}", a.principal)))])),
            ]),
        ),
    ]);
    if expand_user {
        if let Some(u) = st.user(&a.principal) {
            o.push("_embedded", J::obj([("user", render_user(st, u, origin, LinkSet::Full, false))]));
        }
    }
    o
}

/// Every user of an app: direct assignments, then users who get it through a group (scope
/// `GROUP`, read-only), in user-id order.
fn app_users(st: &State, app: &App) -> Vec<AppAssignment> {
    let mut out: Vec<AppAssignment> = app.users.clone();
    for ga in &app.groups {
        let Some(g) = st.group(&ga.principal) else { continue };
        let ids: Vec<String> = if g.kind == "BUILT_IN" {
            st.users().keys().cloned().collect()
        } else {
            g.members.iter().cloned().collect()
        };
        for uid in ids {
            if out.iter().any(|a| a.principal == uid) {
                continue;
            }
            let login = st.user(&uid).map(|u| u.login().to_string());
            out.push(AppAssignment {
                principal: uid,
                id: ga.id.clone(),
                scope: "GROUP".into(),
                user_name: login,
                password: None,
                password_changed: None,
                ..ga.clone()
            });
        }
    }
    out.sort_by(|a, b| a.principal.cmp(&b.principal));
    out
}

// ---------------------------------------------------------------------------------------------
// Apps

/// `filter`: a single `eq` on `id`, `status`, `name`, `user.id` or `group.id`.
struct AppFilter;

impl Dialect for AppFilter {
    fn comparison(&self, attr: &str, op: Op, value: Lit) -> Result<Lit, ()> {
        let known = ["id", "status", "name", "user.id", "group.id"].contains(&attr);
        if known && op == Op::Eq && matches!(value, Lit::Str(_)) {
            Ok(value)
        } else {
            Err(())
        }
    }
    fn presence(&self, _attr: &str) -> bool {
        false
    }
}

fn app_matches(st: &State, app: &App, attr: &str, value: &str) -> bool {
    match attr {
        "id" => app.id == value,
        "status" => app.status == value,
        "name" => app.name == value,
        "user.id" => app_users(st, app).iter().any(|a| a.principal == value),
        _ => app.groups.iter().any(|g| g.principal == value),
    }
}

fn malformed_expand() -> ApiError {
    ApiError::validation("RequestParams", ["Expand query is malformed.".to_string()])
}

/// `GET /api/v1/apps`.
pub fn list_apps(st: &mut State, ctx: &Ctx) -> HResult {
    ctx.q_bool("useOptimization", false)?;
    ctx.q_bool("includeNonDeleted", false)?;
    ctx.q_bool("alwaysIncludeVpnSettings", false)?;
    let q = ctx.q("q").filter(|q| !q.is_empty());
    let filter = ctx.q("filter").filter(|f| !f.trim().is_empty());
    // Only one expression: `and`/`or` are refused like any other bad filter.
    let cond = match filter.map(|f| query::parse_with(f, &AppFilter)) {
        None => None,
        Some(Ok(Expr::Cmp { attr, value: Lit::Str(v), .. })) => Some((attr, v)),
        Some(_) => return Err(ApiError::invalid_search()),
    };
    let expand = ctx.q("expand").filter(|e| !e.is_empty());
    let expand_user = match expand {
        None => None,
        Some(e) => match (e.strip_prefix("user/"), &cond) {
            (Some(uid), Some((attr, v))) if attr == "user.id" && v == uid && !uid.contains(',') => {
                Some(uid.to_string())
            }
            _ => return Err(malformed_expand()),
        },
    };
    let ql = q.map(str::to_lowercase);
    let items: Vec<(String, J)> = st
        .apps()
        .iter()
        .filter(|a| {
            ql.as_ref()
                .map(|q| a.name.to_lowercase().starts_with(q) || a.label.to_lowercase().starts_with(q))
                .unwrap_or(true)
        })
        .filter(|a| cond.as_ref().map(|(attr, v)| app_matches(st, a, attr, v)).unwrap_or(true))
        .map(|a| {
            let mut o = render_app(a, &ctx.origin);
            if let Some(uid) = &expand_user {
                if let Some(au) = app_users(st, a).iter().find(|x| &x.principal == uid) {
                    o.push("_embedded", J::obj([("user", render_app_user(st, &a.id, au, &ctx.origin, false))]));
                }
            }
            (a.id.clone(), o)
        })
        .collect();
    let mut spec = PageSpec::new("apps", "/api/v1/apps", 20, 200);
    spec.keep([("q", q), ("filter", filter), ("expand", expand)]);
    let (page, links) = listing::id_page(st, ctx, &spec, items)?;
    Ok(Reply::list(J::Arr(page), links))
}

/// `GET /api/v1/apps/{appId}` (`expand=user/{userId}` embeds that app user).
pub fn get_app(st: &mut State, ctx: &Ctx, id: &str) -> HResult {
    let app = find_app(st, id)?;
    let mut o = render_app(app, &ctx.origin);
    if let Some(e) = ctx.q("expand").filter(|e| !e.is_empty()) {
        let uid = e.strip_prefix("user/").filter(|u| !u.is_empty() && !u.contains(',')).ok_or_else(malformed_expand)?;
        if let Some(au) = app_users(st, app).iter().find(|x| x.principal == uid) {
            o.push("_embedded", J::obj([("user", render_app_user(st, id, au, &ctx.origin, false))]));
        }
    }
    Ok(Reply::ok(o))
}

/// Default `name` per sign-on mode for the template apps Okta provides.
fn default_name(mode: &str) -> Option<&'static str> {
    match mode {
        "BOOKMARK" => Some("bookmark"),
        "BASIC_AUTH" => Some("template_basic_auth"),
        "AUTO_LOGIN" => Some("template_swa"),
        "SAML_2_0" => Some("template_saml_2_0"),
        "OPENID_CONNECT" => Some("oidc_client"),
        "SECURE_PASSWORD_STORE" => Some("template_sps"),
        _ => None,
    }
}

/// `POST /api/v1/apps?activate=` → 200 app.
pub fn create_app(st: &mut State, ctx: &Ctx) -> HResult {
    let activate = ctx.q_bool("activate", true)?;
    let body = ctx.json_ordered()?;
    let label = body.get("label").and_then(J::as_str).unwrap_or("").trim().to_string();
    let mode = body.get("signOnMode").and_then(J::as_str).unwrap_or("").to_string();
    let Some(template) = default_name(&mode) else {
        return Err(ApiError::validation(
            "signOnMode",
            [format!("signOnMode: '{mode}' is not a supported sign-on mode.")],
        ));
    };
    if label.is_empty() {
        return Err(ApiError::validation("label", ["label: The field cannot be left blank".to_string()]));
    }
    let name = body.get("name").and_then(J::as_str).unwrap_or(template).to_string();
    let settings_app = body.get("settings").and_then(|s| s.get("app")).cloned().unwrap_or_else(J::empty_obj);
    let app = App {
        id: String::new(),
        name,
        label,
        status: if activate { "ACTIVE" } else { "INACTIVE" }.into(),
        sign_on_mode: mode,
        created: 0,
        last_updated: 0,
        settings_app,
        users: Vec::new(),
        groups: Vec::new(),
    };
    let id = st.create_app(&ctx.audit(), app);
    get_app(st, ctx, &id)
}

/// `POST /api/v1/apps/{appId}/lifecycle/activate|deactivate` → 200 `{}`.
pub fn lifecycle(st: &mut State, ctx: &Ctx, id: &str, activate: bool) -> HResult {
    let app = find_app(st, id)?;
    if (app.status == "ACTIVE") != activate {
        st.set_app_status(&ctx.audit(), id, activate);
    }
    Ok(Reply::ok(J::empty_obj()))
}

/// `DELETE /api/v1/apps/{appId}` → 204; an ACTIVE app must be deactivated first.
pub fn delete_app(st: &mut State, ctx: &Ctx, id: &str) -> HResult {
    let app = find_app(st, id)?;
    if app.status == "ACTIVE" {
        return Err(ApiError::new(403, "E0000056", "Delete application forbidden.")
            .cause("The application must be deactivated before deletion."));
    }
    st.delete_app(&ctx.audit(), id);
    Ok(Reply::NoContent)
}

// ---------------------------------------------------------------------------------------------
// App users

fn app_user_not_found(uid: &str) -> ApiError {
    ApiError::not_found(uid, "AppUser")
}

/// `GET /api/v1/apps/{appId}/users` (`after`, `limit` default 50 max 500, `q`, `expand=user`).
pub fn list_app_users(st: &mut State, ctx: &Ctx, id: &str) -> HResult {
    let app = find_app(st, id)?;
    let q = ctx.q("q").filter(|q| !q.is_empty());
    let expand = ctx.q("expand").filter(|e| !e.is_empty());
    let expand_user = match expand {
        None => false,
        Some("user") => true,
        Some(_) => return Err(malformed_expand()),
    };
    let ql = q.map(str::to_lowercase);
    let items: Vec<(String, J)> = app_users(st, app)
        .iter()
        .filter(|a| match &ql {
            None => true,
            Some(q) => {
                let u = st.user(&a.principal);
                let field = |k: &str| u.and_then(|u| u.profile.get(k)).and_then(Value::as_str).map(str::to_lowercase);
                a.user_name.as_deref().map(|n| n.to_lowercase().starts_with(q)).unwrap_or(false)
                    || ["firstName", "lastName", "email"]
                        .iter()
                        .any(|k| field(k).map(|v| v.starts_with(q)).unwrap_or(false))
            }
        })
        .map(|a| (a.principal.clone(), render_app_user(st, id, a, &ctx.origin, expand_user)))
        .collect();
    let mut spec = PageSpec::new(format!("appusers|{id}"), format!("/api/v1/apps/{id}/users"), 50, 500);
    spec.keep([("q", q), ("expand", expand)]);
    let (page, links) = listing::id_page(st, ctx, &spec, items)?;
    Ok(Reply::list(J::Arr(page), links))
}

/// `GET /api/v1/apps/{appId}/users/{userId}` (`expand=user`).
pub fn get_app_user(st: &mut State, ctx: &Ctx, id: &str, uid: &str) -> HResult {
    let app = find_app(st, id)?;
    let expand_user = match ctx.q("expand").filter(|e| !e.is_empty()) {
        None => false,
        Some("user") => true,
        Some(_) => return Err(malformed_expand()),
    };
    let a = app_users(st, app).into_iter().find(|a| a.principal == uid).ok_or_else(|| app_user_not_found(uid))?;
    Ok(Reply::ok(render_app_user(st, id, &a, &ctx.origin, expand_user)))
}

/// `credentials` and `profile` of an assign or update body, checked against the app's scheme.
struct AppUserChange {
    user_name: Option<String>,
    password: Option<String>,
    profile: Option<J>,
}

fn parse_change(app: &App, body: &J) -> Result<AppUserChange, ApiError> {
    let mut change = AppUserChange { user_name: None, password: None, profile: None };
    match body.get("credentials") {
        None | Some(J::Null) => {}
        Some(c @ J::Obj(_)) => {
            change.user_name = c.get("userName").and_then(J::as_str).map(str::to_string);
            change.password = c.get("password").and_then(|p| p.get("value")).and_then(J::as_str).map(str::to_string);
            if change.password.is_some() && !app.takes_password() {
                return Err(ApiError::new(
                    400,
                    "E0000041",
                    "Credentials should not be set on this resource based on the scheme.",
                )
                .cause("User level credentials should not be provided for this scheme."));
            }
        }
        Some(_) => return Err(ApiError::malformed_body()),
    }
    match body.get("profile") {
        None | Some(J::Null) => {}
        Some(p @ J::Obj(_)) => change.profile = Some(p.clone()),
        Some(_) => return Err(ApiError::malformed_body()),
    }
    Ok(change)
}

/// Applies a change to an assignment; whether anything changed.
fn apply_change(a: &mut AppUserChange, to: &mut AppAssignment, now: i64) -> bool {
    let before = to.clone();
    if let Some(n) = a.user_name.take() {
        to.user_name = Some(n);
    }
    if let Some(p) = a.password.take() {
        to.password = Some(p);
        to.password_changed = Some(now);
    }
    if let Some(p) = a.profile.take() {
        to.profile = p;
    }
    *to != before
}

/// `POST /api/v1/apps/{appId}/users` `{"id","scope":"USER","credentials"?,"profile"?}` → 200.
pub fn assign_user(st: &mut State, ctx: &Ctx, id: &str) -> HResult {
    let app = find_app(st, id)?.clone();
    let body = ctx.json_ordered()?;
    let uid = body.get("id").and_then(J::as_str).unwrap_or("").to_string();
    if uid.is_empty() {
        return Err(ApiError::validation("id", ["id: The field cannot be left blank".to_string()]));
    }
    if let Some(scope) = body.get("scope").and_then(J::as_str) {
        if scope != "USER" {
            return Err(ApiError::validation(
                "scope",
                [format!("scope: '{scope}' is not a valid scope for a user assignment.")],
            ));
        }
    }
    let user = st.user(&uid).ok_or_else(|| ApiError::not_found(&uid, "User"))?;
    if user.status == Status::Deprovisioned {
        return Err(ApiError::new(403, "E0000117", "Cannot assign apps for an inactive user."));
    }
    let login = user.login().to_string();
    let mut change = parse_change(&app, &body)?;
    let now = ctx.now_secs;
    match app.users.iter().find(|a| a.principal == uid).cloned() {
        // Assigning again updates the assignment.
        Some(mut existing) => {
            if apply_change(&mut change, &mut existing, now) {
                st.update_app_user(&ctx.audit(), id, existing);
            }
        }
        None => {
            let mut a = AppAssignment::new_user(uid.clone(), st.new_misc_id("0ua"), now);
            a.user_name = Some(login);
            apply_change(&mut change, &mut a, now);
            st.assign_app_user(&ctx.audit(), id, a);
        }
    }
    get_app_user(st, ctx, id, &uid)
}

/// `POST /api/v1/apps/{appId}/users/{userId}`: new credentials or profile → 200 AppUser.
pub fn update_app_user(st: &mut State, ctx: &Ctx, id: &str, uid: &str) -> HResult {
    let app = find_app(st, id)?.clone();
    let body = ctx.json_ordered()?;
    let Some(mut existing) = app.users.iter().find(|a| a.principal == uid).cloned() else {
        return Err(if app_users(st, &app).iter().any(|a| a.principal == uid) {
            // Group assignments are changed through the group.
            ApiError::access_denied()
        } else {
            app_user_not_found(uid)
        });
    };
    let mut change = parse_change(&app, &body)?;
    if apply_change(&mut change, &mut existing, ctx.now_secs) {
        st.update_app_user(&ctx.audit(), id, existing);
    }
    get_app_user(st, ctx, id, uid)
}

/// `DELETE /api/v1/apps/{appId}/users/{userId}?sendEmail=` → 204.
pub fn unassign_user(st: &mut State, ctx: &Ctx, id: &str, uid: &str) -> HResult {
    ctx.q_bool("sendEmail", false)?;
    let app = find_app(st, id)?;
    if !app.users.iter().any(|a| a.principal == uid) {
        return Err(if app_users(st, app).iter().any(|a| a.principal == uid) {
            ApiError::access_denied()
        } else {
            app_user_not_found(uid)
        });
    }
    st.unassign_app_user(&ctx.audit(), id, uid);
    Ok(Reply::NoContent)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(mode: &str, status: &str) -> App {
        App {
            id: "0oa1".into(),
            name: "x".into(),
            label: "X".into(),
            status: status.into(),
            sign_on_mode: mode.into(),
            created: 0,
            last_updated: 0,
            settings_app: J::empty_obj(),
            users: Vec::new(),
            groups: Vec::new(),
        }
    }

    fn keys(j: Option<&J>) -> Vec<String> {
        match j {
            Some(J::Obj(p)) => p.iter().map(|(k, _)| k.clone()).collect(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn filter_takes_one_eq() {
        let ok = |q: &str| query::parse_with(q, &AppFilter).is_ok();
        assert!(ok(r#"status eq "ACTIVE""#) && ok(r#"user.id eq "00u1""#) && ok(r#"group.id eq "00g1""#));
        assert!(!ok(r#"label eq "X""#) && !ok(r#"status sw "A""#) && !ok("status eq 1"));
        // `and` parses, and the listing refuses anything but a single comparison
        assert!(matches!(query::parse_with(r#"id eq "a" and id eq "b""#, &AppFilter), Ok(Expr::And(..))));
    }

    #[test]
    fn schemes_and_links() {
        assert!(app("BASIC_AUTH", "ACTIVE").takes_password() && app("AUTO_LOGIN", "ACTIVE").takes_password());
        assert!(!app("BOOKMARK", "ACTIVE").takes_password() && !app("SAML_2_0", "ACTIVE").takes_password());
        let active = render_app(&app("BOOKMARK", "ACTIVE"), "https://o");
        assert_eq!(
            keys(active.get("_links")),
            [
                "uploadLogo",
                "appLinks",
                "profileEnrollment",
                "policies",
                "groups",
                "logo",
                "accessPolicy",
                "users",
                "deactivate"
            ]
        );
        let inactive = render_app(&app("BOOKMARK", "INACTIVE"), "https://o");
        assert_eq!(keys(inactive.get("_links"))[..3], ["uploadLogo", "appLinks", "activate"]);
        assert_eq!(
            keys(render_app(&app("BASIC_AUTH", "ACTIVE"), "https://o").get("credentials")),
            ["scheme", "userNameTemplate", "revealPassword", "signing"]
        );
    }
}
