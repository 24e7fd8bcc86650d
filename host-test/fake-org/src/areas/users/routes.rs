//! Users: `GET/POST /api/v1/users` (list, search, filter, q; create), `GET/POST/PUT/DELETE
//! /api/v1/users/{id}`, `POST /api/v1/users/{id}/lifecycle/*`, `POST
//! /api/v1/users/{userId}/credentials/change_password`, `DELETE /api/v1/users/{userId}/sessions`,
//! and the user's groups, app links, grants and blocks.

use http::Method;
use serde_json::{Map, Value};

use super::model::{Password, SortedCache, Status, Transition, User};
use super::render::{render_credentials, render_user, LinkSet};
use super::search::{self, Mode};
use crate::areas::groups::render::render_group;
use crate::areas::state::State;
use crate::infra::auth::Scope;
use crate::infra::edge::Endpoint;
use crate::infra::errors::ApiError;
use crate::infra::json::J;
use crate::infra::listing::{self, PageSpec, Sort};
use crate::infra::paging::{self, CursorKey};
use crate::infra::ratelimit::Bucket;
use crate::infra::routing::{Ctx, HResult, Reply, Routes};
use crate::infra::util;

const LIST: Endpoint = Endpoint::new(Bucket::Users, Scope::UsersRead);
/// A single-user GET has its own, larger bucket in real orgs.
const GET_ONE: Endpoint = Endpoint::new(Bucket::UserGet, Scope::UsersRead);
const READ: Endpoint = Endpoint::new(Bucket::Users, Scope::UsersRead);
const MANAGE: Endpoint = Endpoint::new(Bucket::Users, Scope::UsersManage);

/// Lifecycle operations, each its own `POST /api/v1/users/{id}/lifecycle/{op}` route.
const LIFECYCLE_OPS: [&str; 10] = [
    "activate",
    "reactivate",
    "deactivate",
    "suspend",
    "unsuspend",
    "unlock",
    "reset_password",
    "expire_password",
    "expire_password_with_temp_password",
    "reset_factors",
];

pub fn routes(r: Routes) -> Routes {
    let mut r = r
        .sync0(Method::GET, "/api/v1/users", LIST, list)
        .sync0(Method::POST, "/api/v1/users", MANAGE, create)
        .sync1(Method::GET, "/api/v1/users/{id}", GET_ONE, get)
        .sync1(Method::POST, "/api/v1/users/{id}", MANAGE, |st: &mut State, ctx: &Ctx, id: &str| {
            update(st, ctx, id, false)
        })
        .sync1(Method::PUT, "/api/v1/users/{id}", MANAGE, |st: &mut State, ctx: &Ctx, id: &str| {
            update(st, ctx, id, true)
        })
        .sync1(Method::DELETE, "/api/v1/users/{id}", MANAGE, delete)
        .sync1(Method::POST, "/api/v1/users/{id}/credentials/change_password", MANAGE, change_password)
        .sync1(Method::DELETE, "/api/v1/users/{id}/sessions", MANAGE, clear_sessions)
        .sync1(Method::GET, "/api/v1/users/{id}/groups", READ, user_groups)
        .sync1(Method::GET, "/api/v1/users/{id}/appLinks", READ, app_links)
        .sync1(Method::GET, "/api/v1/users/{id}/grants", READ, grants)
        .sync1(Method::GET, "/api/v1/users/{id}/blocks", READ, blocks);
    for op in LIFECYCLE_OPS {
        r = r.sync1(Method::POST, &format!("/api/v1/users/{{id}}/lifecycle/{op}"), MANAGE, lifecycle_route(op));
    }
    r
}

/// A plain function per lifecycle operation (routes take function pointers).
fn lifecycle_route(op: &str) -> fn(&mut State, &Ctx, &str) -> HResult {
    match op {
        "activate" => |st, ctx, id| lifecycle(st, ctx, id, "activate"),
        "reactivate" => |st, ctx, id| lifecycle(st, ctx, id, "reactivate"),
        "deactivate" => |st, ctx, id| lifecycle(st, ctx, id, "deactivate"),
        "suspend" => |st, ctx, id| lifecycle(st, ctx, id, "suspend"),
        "unsuspend" => |st, ctx, id| lifecycle(st, ctx, id, "unsuspend"),
        "unlock" => |st, ctx, id| lifecycle(st, ctx, id, "unlock"),
        "reset_password" => |st, ctx, id| lifecycle(st, ctx, id, "reset_password"),
        "expire_password" => |st, ctx, id| lifecycle(st, ctx, id, "expire_password"),
        "expire_password_with_temp_password" => {
            |st, ctx, id| lifecycle(st, ctx, id, "expire_password_with_temp_password")
        }
        _ => |st, ctx, id| lifecycle(st, ctx, id, "reset_factors"),
    }
}

/// Base profile attributes of the default user schema.
const BASE_ATTRS: [&str; 31] = [
    "login",
    "firstName",
    "lastName",
    "middleName",
    "honorificPrefix",
    "honorificSuffix",
    "email",
    "title",
    "displayName",
    "nickName",
    "profileUrl",
    "secondEmail",
    "mobilePhone",
    "primaryPhone",
    "streetAddress",
    "city",
    "state",
    "zipCode",
    "countryCode",
    "postalAddress",
    "preferredLanguage",
    "locale",
    "timezone",
    "userType",
    "employeeNumber",
    "costCenter",
    "organization",
    "division",
    "department",
    "managerId",
    "manager",
];
/// Custom attributes defined in the fake org's user schema.
pub const CUSTOM_ATTRS: [&str; 4] = ["employeeId", "hireDate", "badgeNumber", "tags"];

const POLICY_MSG: &str = "Password requirements were not met. Password requirements: at least 8 characters, a lowercase letter, an uppercase letter, a number, no parts of your username.";

fn single(st: &State, ctx: &Ctx, id: &str) -> J {
    match st.user(id) {
        Some(u) => render_user(st, u, &ctx.origin, LinkSet::Full, ctx.okta_response_flag("omitCredentials")),
        None => J::Null,
    }
}

fn user_not_found(key: &str) -> ApiError {
    ApiError::not_found(key, "User")
}

fn resolve(st: &State, key: &str) -> Result<String, ApiError> {
    st.resolve_user(key).ok_or_else(|| user_not_found(key))
}

fn resolve_id_only(st: &State, key: &str) -> Result<String, ApiError> {
    st.resolve_user_id_only(key).ok_or_else(|| user_not_found(key))
}

// ---------------------------------------------------------------------------------------------
// Listing

/// `GET /api/v1/users` with `search`, `filter`, `q`, `after`, `limit`, `sortBy`, `sortOrder`.
pub fn list(st: &mut State, ctx: &Ctx) -> HResult {
    let search = ctx.q("search").filter(|s| !s.trim().is_empty());
    let filter = ctx.q("filter").filter(|s| !s.trim().is_empty());
    let q = ctx.q("q");
    let limit = listing::limit(ctx, if q.is_some() { 10 } else { 200 }, 200)?;
    let search_q =
        search.map(|s| search::parse(s, Mode::Search)).transpose().map_err(|_| ApiError::invalid_search())?;
    let filter_q =
        filter.map(|s| search::parse(s, Mode::Filter)).transpose().map_err(|_| ApiError::invalid_search())?;
    // sortBy/sortOrder only work together with search; otherwise they are ignored (and dropped
    // from the self link, like real Okta drops `sortOrder=0`).
    let sort = Sort::parse(ctx, search.is_some(), search::valid_sort_attr)?;
    // `q` is not pageable and, like a bare list, leaves DEPROVISIONED users out.
    let hide_deprovisioned = q.is_some() || (search.is_none() && filter.is_none());
    let kind = match search {
        Some(_) => format!("search|{}|{}", sort.by.unwrap_or(""), sort.direction()),
        None => "list".to_string(),
    };
    // `q` has no pages: its `after` is ignored.
    let after = if q.is_some() { None } else { listing::cursor(st, ctx, &kind)? };
    let q_lower = q.map(str::to_lowercase);
    let keep = |u: &User| {
        if hide_deprovisioned && u.status == Status::Deprovisioned {
            return false;
        }
        if let Some(ql) = &q_lower {
            let hit = ["firstName", "lastName", "email"].iter().any(|k| {
                u.profile
                    .get(*k)
                    .and_then(Value::as_str)
                    .map(|v| v.to_lowercase().starts_with(ql.as_str()))
                    .unwrap_or(false)
            });
            if !hit {
                return false;
            }
        }
        search_q.as_ref().map(|x| x.matches(u)).unwrap_or(true)
            && filter_q.as_ref().map(|x| x.matches(u)).unwrap_or(true)
    };
    let (page, more): (Vec<(CursorKey, &User)>, bool) = match sort.by {
        None => {
            // Id order == creation order: walk the map from the cursor.
            let start = after.as_ref().map(|k| k.id.clone());
            let iter: Box<dyn Iterator<Item = &User>> = match &start {
                Some(s) => Box::new(
                    st.users()
                        .range::<String, _>((std::ops::Bound::Excluded(s), std::ops::Bound::Unbounded))
                        .map(|(_, u)| u),
                ),
                None => Box::new(st.users().values()),
            };
            let mut items: Vec<(CursorKey, &User)> = iter
                .filter(|u| keep(u))
                .take(limit + 1)
                .map(|u| (CursorKey { val: None, id: u.id.clone() }, u))
                .collect();
            let more = items.len() > limit;
            items.truncate(limit);
            (items, more)
        }
        Some(attr) => {
            // Sorted listings are computed once per (query, data version) and reused for the
            // following pages, so paging through tens of thousands of users stays cheap.
            let cache_key = format!("{kind}|{}|{}|{}", search.unwrap_or(""), filter.unwrap_or(""), q.unwrap_or(""));
            let cache = match st.sorted_cache.take() {
                Some(c) if c.key == cache_key && c.version == st.version() => c,
                _ => {
                    let mut keys: Vec<CursorKey> = st
                        .users()
                        .values()
                        .filter(|u| keep(u))
                        .map(|u| CursorKey { val: search::sort_value(u, attr), id: u.id.clone() })
                        .collect();
                    keys.sort_by(|a, b| paging::cmp_keys(a, b, sort.desc));
                    SortedCache { key: cache_key, version: st.version(), keys }
                }
            };
            let start = match &after {
                Some(a) => {
                    cache.keys.partition_point(|k| paging::cmp_keys(k, a, sort.desc) != std::cmp::Ordering::Greater)
                }
                None => 0,
            };
            let rest = &cache.keys[start..];
            let page_keys: Vec<CursorKey> = rest.iter().take(limit).cloned().collect();
            let more = rest.len() > limit;
            st.sorted_cache = Some(cache);
            let page: Vec<(CursorKey, &User)> =
                page_keys.into_iter().filter_map(|k| st.user(&k.id).map(|u| (k, u))).collect();
            (page, more)
        }
    };
    let body = J::Arr(
        page.iter()
            .map(|(_, u)| render_user(st, u, &ctx.origin, LinkSet::SelfOnly, ctx.okta_response_flag("omitCredentials")))
            .collect(),
    );
    if q.is_some() {
        // Like `/groups?q=`, a `q` search has no pages and no Link header.
        return Ok(Reply::ok(body));
    }
    let mut spec = PageSpec::new(kind, "/api/v1/users", 200, 200);
    spec.keep([("search", search), ("filter", filter), ("sortBy", sort.by), ("sortOrder", sort.order)]);
    let next = match (more, page.last()) {
        (true, Some((key, u))) => {
            let token = if search.is_some() { u.id.clone() } else { format!("{}{}", u.status.cursor_digit(), u.id) };
            Some((token, key.clone()))
        }
        _ => None,
    };
    let links = listing::links(st, ctx, &spec, Some(limit), next);
    Ok(Reply::list(body, links))
}

/// `GET /api/v1/users/{idOrLogin}` (also `me`): the only response with an `ETag`.
pub fn get(st: &mut State, ctx: &Ctx, key: &str) -> HResult {
    let id = resolve(st, key)?;
    Ok(Reply::Json { status: 200, body: single(st, ctx, &id), links: Vec::new(), etag: true })
}

// ---------------------------------------------------------------------------------------------
// Validation helpers

fn valid_email(s: &str) -> bool {
    match s.rsplit_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !s.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

/// Required fields, formats and schema membership. `what` names the object in the summary
/// when an undefined property is sent (`newUser` on create).
fn validate_profile(profile: &Map<String, Value>, what: &str) -> Result<(), ApiError> {
    if let Some(k) = profile.keys().find(|k| !BASE_ATTRS.contains(&k.as_str()) && !CUSTOM_ATTRS.contains(&k.as_str())) {
        return Err(ApiError::validation(what, [format!("Property name '{k}' is not defined in profile")]));
    }
    let mut first: Option<&str> = None;
    let mut causes = Vec::new();
    let mut fail = |field: &'static str, msg: String, first: &mut Option<&'static str>| {
        first.get_or_insert(field);
        causes.push(msg);
    };
    for f in ["login", "email", "firstName", "lastName"] {
        match profile.get(f) {
            Some(Value::String(s)) if !s.trim().is_empty() => {}
            _ => fail(f, format!("{f}: The field cannot be left blank"), &mut first),
        }
    }
    if let Some(Value::String(login)) = profile.get("login") {
        if !login.trim().is_empty() && !valid_email(login) {
            fail("login", "login: Username must be in the form of an email address".into(), &mut first);
        }
    }
    for f in ["email", "secondEmail"] {
        if let Some(Value::String(e)) = profile.get(f) {
            if !e.trim().is_empty() && !valid_email(e) {
                fail(f, format!("{f}: Does not match required pattern"), &mut first);
            }
        }
    }
    match first {
        Some(f) => Err(ApiError::validation(f, causes)),
        None => Ok(()),
    }
}

/// Okta's default password policy: 8+ characters, lower, upper, digit, no part of the username.
fn password_ok(pw: &str, login: &str) -> bool {
    let lower = pw.to_lowercase();
    let local = login.split('@').next().unwrap_or("").to_lowercase();
    let username_part = local.split(|c: char| !c.is_alphanumeric()).filter(|p| p.len() >= 3).any(|p| lower.contains(p));
    pw.chars().count() >= 8
        && pw.chars().any(|c| c.is_lowercase())
        && pw.chars().any(|c| c.is_uppercase())
        && pw.chars().any(|c| c.is_ascii_digit())
        && !username_part
}

fn policy_error() -> ApiError {
    ApiError::validation("password", [format!("password: {POLICY_MSG}")])
}

#[derive(Default)]
struct NewCredentials {
    password: Option<Password>,
    recovery: Option<(String, String)>,
    provider: Option<(String, String)>,
}

const HASH_ALGORITHMS: [&str; 6] = ["BCRYPT", "SHA-512", "SHA-256", "SHA-1", "MD5", "PBKDF2"];

fn parse_credentials(v: Option<&Value>) -> Result<NewCredentials, ApiError> {
    let bad = |m: &str| ApiError::validation("credentials", [m.to_string()]);
    let mut out = NewCredentials::default();
    let obj = match v {
        None | Some(Value::Null) => return Ok(out),
        Some(Value::Object(o)) => o,
        Some(_) => return Err(ApiError::malformed_body()),
    };
    match obj.get("password") {
        None | Some(Value::Null) => {}
        Some(Value::Object(p)) => {
            if let Some(value) = p.get("value") {
                match value {
                    Value::String(s) => out.password = Some(Password::Plain(s.clone())),
                    _ => return Err(ApiError::malformed_body()),
                }
            } else if let Some(hash) = p.get("hash") {
                let h = hash.as_object().ok_or_else(ApiError::malformed_body)?;
                let alg = h.get("algorithm").and_then(Value::as_str).unwrap_or("");
                if !HASH_ALGORITHMS.contains(&alg) {
                    return Err(ApiError::validation(
                        "password",
                        [format!("password.hash.algorithm: '{alg}' is not a supported algorithm.")],
                    ));
                }
                if h.get("value").and_then(Value::as_str).map(str::is_empty).unwrap_or(true) {
                    return Err(ApiError::validation(
                        "password",
                        ["password.hash.value: The field cannot be left blank".to_string()],
                    ));
                }
                if alg == "BCRYPT" {
                    let wf = h.get("workFactor").and_then(Value::as_i64).unwrap_or(0);
                    if !(1..=20).contains(&wf) || h.get("salt").and_then(Value::as_str).is_none() {
                        return Err(ApiError::validation(
                            "password",
                            ["password.hash: BCRYPT needs a salt and a workFactor between 1 and 20.".to_string()],
                        ));
                    }
                }
                out.password = Some(Password::Hash(hash.clone()));
            } else if p.get("hook").is_some() {
                out.password = Some(Password::Hook);
            }
        }
        Some(_) => return Err(ApiError::malformed_body()),
    }
    match obj.get("recovery_question") {
        None | Some(Value::Null) => {}
        Some(Value::Object(rq)) => {
            let q = rq.get("question").and_then(Value::as_str).unwrap_or("").trim().to_string();
            let a = rq.get("answer").and_then(Value::as_str).unwrap_or("").to_string();
            if q.is_empty() || a.trim().is_empty() {
                return Err(ApiError::validation(
                    "recovery_question",
                    ["recovery_question: The question and the answer are both required.".to_string()],
                ));
            }
            out.recovery = Some((q, a));
        }
        Some(_) => return Err(bad("credentials.recovery_question must be an object")),
    }
    if let Some(Value::Object(p)) = obj.get("provider") {
        let t = p.get("type").and_then(Value::as_str).unwrap_or("OKTA").to_string();
        let n = p.get("name").and_then(Value::as_str).unwrap_or(t.as_str()).to_string();
        out.provider = Some((t, n));
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Create / update / delete

/// `POST /api/v1/users?activate=&provider=&nextLogin=`.
pub fn create(st: &mut State, ctx: &Ctx) -> HResult {
    let body = ctx.json_object()?;
    let activate = ctx.q_bool("activate", true)?;
    let provider_flag = ctx.q_bool("provider", false)?;
    let profile = match body.get("profile") {
        Some(Value::Object(m)) => m.clone(),
        None | Some(Value::Null) => Map::new(),
        Some(_) => return Err(ApiError::malformed_body()),
    };
    validate_profile(&profile, "newUser")?;
    let login = profile.get("login").and_then(Value::as_str).unwrap_or("").to_string();
    if st.login_taken(&login, None) {
        return Err(ApiError::validation(
            "login",
            ["login: An object with this field already exists in the current organization".to_string()],
        ));
    }
    let creds = parse_credentials(body.get("credentials"))?;
    if let Some(Password::Plain(p)) = &creds.password {
        if !password_ok(p, &login) {
            return Err(policy_error());
        }
    }
    let expire = match ctx.q("nextLogin") {
        None | Some("") => false,
        Some("changePassword") => {
            if !activate {
                let m = "Could not create user. To create a user and expire their password immediately, `activate` must be true.";
                return Err(ApiError::new(400, "E0000125", m).cause(m));
            }
            if creds.password.is_none() {
                let m = "Could not create user. To create a user and expire their password immediately, a password must be specified.";
                return Err(ApiError::new(400, "E0000124", m).cause(m));
            }
            true
        }
        Some(other) => {
            return Err(ApiError::validation("nextLogin", [format!("nextLogin: '{other}' is not a valid value.")]))
        }
    };
    // groupIds: every id must be an existing OKTA_GROUP (400 E0000001, as createUser lists no 404).
    let mut group_ids = Vec::new();
    match body.get("groupIds") {
        None | Some(Value::Null) => {}
        Some(Value::Array(ids)) => {
            for g in ids {
                let gid = g.as_str().unwrap_or("");
                match st.group(gid) {
                    Some(group) if group.kind == "OKTA_GROUP" => group_ids.push(gid.to_string()),
                    _ => {
                        return Err(ApiError::validation(
                            "groupIds",
                            [format!("groupIds: The group '{gid}' does not exist or is not an OKTA_GROUP.")],
                        ))
                    }
                }
            }
        }
        Some(_) => return Err(ApiError::malformed_body()),
    }
    let type_id = match body.get("type").and_then(|t| t.get("id")).and_then(Value::as_str) {
        Some(t) => match st.user_type(t) {
            Some(ut) => ut.id.clone(),
            None => return Err(ApiError::validation("type", [format!("type: The user type '{t}' does not exist.")])),
        },
        None => st.default_user_type().map(|t| t.id.clone()).unwrap_or_default(),
    };
    let now = ctx.now_secs;
    let has_password = creds.password.is_some();
    let status = if !activate {
        Status::Staged
    } else if expire {
        Status::PasswordExpired
    } else if has_password || provider_flag {
        Status::Active
    } else {
        Status::Provisioned
    };
    let id = st.new_user_id();
    let user = User {
        id: id.clone(),
        status,
        created: now,
        activated: activate.then_some(now),
        status_changed: Some(now),
        last_login: None,
        last_updated: now,
        password_changed: has_password.then_some(now),
        realm_id: body.get("realmId").and_then(Value::as_str).map(str::to_string),
        type_id,
        profile,
        password: creds.password,
        recovery_question: creds.recovery,
        provider: creds.provider.unwrap_or(("OKTA".into(), "OKTA".into())),
        admin: false,
    };
    st.create_user(&ctx.audit(), user, &group_ids);
    Ok(Reply::ok(single(st, ctx, &id)))
}

/// `POST /api/v1/users/{id}` (partial: sent attributes change, the rest stay) and
/// `PUT /api/v1/users/{id}` (replace: omitted profile attributes are removed).
pub fn update(st: &mut State, ctx: &Ctx, key: &str, replace: bool) -> HResult {
    let id = resolve(st, key)?;
    let body = ctx.json_object()?;
    let mut u = st.user(&id).cloned().ok_or_else(|| user_not_found(key))?;
    // Editing deactivated users needs an org setting that is off by default.
    if u.status == Status::Deprovisioned {
        return Err(ApiError::wrong_status());
    }
    let old_login = u.login().to_string();
    if replace {
        let profile = match body.get("profile") {
            Some(Value::Object(m)) => m.clone(),
            None | Some(Value::Null) => Map::new(),
            Some(_) => return Err(ApiError::malformed_body()),
        };
        validate_profile(&profile, "user")?;
        u.profile = profile;
    } else {
        match body.get("profile") {
            None | Some(Value::Null) => {}
            Some(Value::Object(p)) => {
                let mut merged = u.profile.clone();
                for (k, v) in p {
                    merged.insert(k.clone(), v.clone());
                }
                validate_profile(&merged, "user")?;
                u.profile = merged;
            }
            Some(_) => return Err(ApiError::malformed_body()),
        }
    }
    if !u.login().eq_ignore_ascii_case(&old_login) && st.login_taken(u.login(), Some(&id)) {
        return Err(ApiError::validation(
            "login",
            ["login: An object with this field already exists in the current organization".to_string()],
        ));
    }
    let now = ctx.now_secs;
    let creds = parse_credentials(body.get("credentials"))?;
    match creds.password {
        None => {}
        Some(Password::Hash(_)) if u.status != Status::Staged => {
            return Err(ApiError::validation(
                "password",
                ["password: A password hash can only be set for users in STAGED status.".to_string()],
            ));
        }
        Some(Password::Plain(p)) => {
            if !password_ok(&p, u.login()) {
                return Err(policy_error());
            }
            u.password = Some(Password::Plain(p));
            u.password_changed = Some(now);
            // An admin-set password finishes activation or recovery.
            if matches!(u.status, Status::Provisioned | Status::Recovery | Status::PasswordExpired) {
                u.status = Status::Active;
                u.status_changed = Some(now);
            }
        }
        Some(other) => {
            u.password = Some(other);
            u.password_changed = Some(now);
        }
    }
    if let Some(rq) = creds.recovery {
        u.recovery_question = Some(rq);
    }
    if replace {
        if let Some(t) = body.get("type").and_then(|t| t.get("id")).and_then(Value::as_str) {
            if st.user_type(t).is_none() {
                return Err(ApiError::validation("type", [format!("type: The user type '{t}' does not exist.")]));
            }
            u.type_id = t.to_string();
        }
    }
    if let Some(Value::String(r)) = body.get("realmId") {
        u.realm_id = Some(r.clone());
    }
    st.save_user(&ctx.audit(), u);
    Ok(Reply::ok(single(st, ctx, &id)))
}

/// `DELETE /api/v1/users/{id}`: a non-DEPROVISIONED user is only deactivated (204); a
/// DEPROVISIONED one is deleted (204). Both answers look the same on the wire.
pub fn delete(st: &mut State, ctx: &Ctx, key: &str) -> HResult {
    let id = resolve(st, key)?;
    st.delete_user(&ctx.audit(), &id);
    Ok(Reply::NoContent)
}

// ---------------------------------------------------------------------------------------------
// Lifecycle

fn activation_token(ctx: &Ctx) -> J {
    let token = util::token(20);
    J::obj([("activationUrl", J::s(format!("{}/tokens/{token}/verify", ctx.origin))), ("activationToken", J::s(token))])
}

/// `POST /api/v1/users/{id}/lifecycle/{op}` with Okta's state rules. Lifecycle calls are not
/// idempotent: a repeated call fails instead of doing nothing.
pub fn lifecycle(st: &mut State, ctx: &Ctx, key: &str, op: &str) -> HResult {
    let id = resolve(st, key)?;
    let u = st.user(&id).ok_or_else(|| user_not_found(key))?;
    let (status, has_pw) = (u.status, u.password.is_some());
    let (transition, body) = match op {
        "activate" => {
            let send_email = ctx.q_bool("sendEmail", true)?;
            if !matches!(status, Status::Staged | Status::Deprovisioned) {
                return Err(ApiError::already_active());
            }
            // Without a password the user waits for the activation link (PROVISIONED).
            (Transition::Activate, if send_email { J::empty_obj() } else { activation_token(ctx) })
        }
        "reactivate" => {
            let send_email = ctx.q_bool("sendEmail", false)?;
            if !matches!(status, Status::Provisioned | Status::Recovery) {
                return Err(ApiError::wrong_status());
            }
            (Transition::Reactivate, if send_email { J::empty_obj() } else { activation_token(ctx) })
        }
        "deactivate" => {
            ctx.q_bool("sendEmail", false)?;
            if status == Status::Deprovisioned {
                return Err(ApiError::wrong_status());
            }
            (Transition::Deactivate, J::empty_obj())
        }
        "suspend" => {
            if status != Status::Active {
                return Err(ApiError::validation("suspend", ["Cannot suspend a user that is not active".to_string()]));
            }
            (Transition::Suspend, J::empty_obj())
        }
        "unsuspend" => {
            if status != Status::Suspended {
                return Err(ApiError::validation(
                    "unsuspend",
                    ["Cannot unsuspend a user that is not suspended".to_string()],
                ));
            }
            (Transition::Unsuspend, J::empty_obj())
        }
        "unlock" => {
            if status != Status::LockedOut {
                return Err(ApiError::unlock_not_allowed());
            }
            (Transition::Unlock, J::empty_obj())
        }
        "reset_password" => {
            // sendEmail is required here (no default).
            let send_email = match ctx.q("sendEmail") {
                None => return Err(ApiError::missing_parameter("sendEmail")),
                Some(_) => ctx.q_bool("sendEmail", true)?,
            };
            ctx.q_bool("revokeSessions", false)?;
            if !matches!(status, Status::Active | Status::Recovery | Status::PasswordExpired | Status::LockedOut) {
                return Err(ApiError::wrong_status());
            }
            let body = if send_email {
                J::empty_obj()
            } else {
                J::obj([("resetPasswordUrl", J::s(format!("{}/reset_password/{}", ctx.origin, util::token(20))))])
            };
            (Transition::ResetPassword, body)
        }
        "expire_password" | "expire_password_with_temp_password" => {
            if !matches!(status, Status::Active | Status::PasswordExpired | Status::LockedOut | Status::Recovery)
                || !has_pw
            {
                return Err(ApiError::wrong_status());
            }
            if op == "expire_password" {
                st.transition_user(&ctx.audit(), &id, Transition::ExpirePassword { temp_password: None });
                // Unlike the other lifecycle calls this one answers with the full user.
                return Ok(Reply::ok(single(st, ctx, &id)));
            }
            let temp = util::token(12);
            let body = J::obj([("tempPassword", J::s(temp.clone()))]);
            (Transition::ExpirePassword { temp_password: Some(temp) }, body)
        }
        _ => {
            // reset_factors
            if status == Status::Deprovisioned {
                return Err(ApiError::wrong_status());
            }
            (Transition::ResetFactors, J::empty_obj())
        }
    };
    st.transition_user(&ctx.audit(), &id, transition);
    Ok(Reply::ok(body))
}

/// `POST /api/v1/users/{userId}/credentials/change_password` (id only).
pub fn change_password(st: &mut State, ctx: &Ctx, key: &str) -> HResult {
    let id = resolve_id_only(st, key)?;
    let body = ctx.json_object()?;
    let value = |k: &str| body.get(k).and_then(|v| v.get("value")).and_then(Value::as_str).map(str::to_string);
    let (old, new) = (value("oldPassword"), value("newPassword"));
    let u = st.user(&id).ok_or_else(|| user_not_found(key))?;
    let allowed = matches!(u.status, Status::Staged | Status::Active | Status::PasswordExpired | Status::Recovery);
    if !allowed || u.password.is_none() {
        return Err(ApiError::new(403, "E0000035", "Change password not allowed on specified user."));
    }
    let Some(new) = new else {
        return Err(ApiError::validation("newPassword", ["newPassword: The field cannot be left blank".to_string()]));
    };
    let old_ok = match (&u.password, &old) {
        (Some(Password::Plain(p)), Some(o)) => p == o,
        // Imported hashes and hook passwords cannot be checked here; accept any old value.
        (Some(Password::Hash(_) | Password::Hook), Some(_)) => true,
        _ => false,
    };
    if !old_ok {
        return Err(ApiError::new(403, "E0000014", "Update of credentials failed")
            .cause("oldPassword: The credentials provided were incorrect."));
    }
    let complexity = |msg: &str| {
        ApiError::new(
            403,
            "E0000080",
            "The password does not meet the complexity requirements of the current password policy.",
        )
        .cause(msg)
    };
    if Some(&new) == old.as_ref() {
        return Err(complexity("password: Password has been used too recently"));
    }
    if !password_ok(&new, u.login()) {
        return Err(complexity(&format!("password: {POLICY_MSG}")));
    }
    st.change_password(&ctx.audit(), &id, Password::Plain(new));
    let u = st.user(&id).ok_or_else(|| user_not_found(key))?;
    Ok(Reply::ok(render_credentials(u, false)))
}

/// `DELETE /api/v1/users/{userId}/sessions` (id only) → 204.
pub fn clear_sessions(st: &mut State, ctx: &Ctx, key: &str) -> HResult {
    let id = resolve_id_only(st, key)?;
    st.clear_user_sessions(&ctx.audit(), &id);
    Ok(Reply::NoContent)
}

// ---------------------------------------------------------------------------------------------
// The user's groups, app links, grants and blocks

/// `GET /api/v1/users/{id}/groups`: Everyone plus memberships; paginated (self link `?limit=200`).
pub fn user_groups(st: &mut State, ctx: &Ctx, key: &str) -> HResult {
    let id = resolve(st, key)?;
    let items: Vec<(String, J)> =
        st.groups_of(&id).into_iter().map(|g| (g.id.clone(), render_group(g, &ctx.origin))).collect();
    let spec = PageSpec::new(format!("usergroups|{id}"), format!("/api/v1/users/{id}/groups"), 200, 200);
    let (page, links) = listing::id_page(st, ctx, &spec, items)?;
    Ok(Reply::list(J::Arr(page), links))
}

/// `GET /api/v1/users/{id}/appLinks`: direct and group-based assignments of ACTIVE apps
/// (not paginated, no Link header).
pub fn app_links(st: &mut State, ctx: &Ctx, key: &str) -> HResult {
    let id = resolve(st, key)?;
    let groups: Vec<String> = st.groups_of(&id).iter().map(|g| g.id.clone()).collect();
    let mut out = Vec::new();
    for app in st.apps().iter().filter(|a| a.status == "ACTIVE") {
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
    let id = resolve(st, key)?;
    let spec = PageSpec::new(format!("grants|{id}"), format!("/api/v1/users/{id}/grants"), 20, 200);
    let (page, links) = listing::id_page::<J>(st, ctx, &spec, Vec::new())?;
    Ok(Reply::list(J::Arr(page), links))
}

/// `GET /api/v1/users/{id}/blocks`: the feature is not licensed in the fake org (401 E0000015,
/// as in the recordings).
pub fn blocks(st: &mut State, _ctx: &Ctx, key: &str) -> HResult {
    resolve(st, key)?;
    Err(ApiError::feature_not_enabled())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_policy() {
        assert!(password_ok("Password150kta", "John.Doe-Comprehensive@example.com"));
        assert!(!password_ok("short1A", "a@example.com"));
        assert!(!password_ok("alllowercase1", "a@example.com"));
        assert!(!password_ok("JohnSecret99", "john.doe@example.com"));
    }

    #[test]
    fn profile_validation() {
        let ok = serde_json::json!({"login":"a@example.com","email":"a@example.com","firstName":"A","lastName":"B"});
        assert!(validate_profile(ok.as_object().unwrap(), "newUser").is_ok());
        let missing = serde_json::json!({"login":"a@example.com","email":"a@example.com"});
        let e = validate_profile(missing.as_object().unwrap(), "newUser").unwrap_err();
        assert_eq!((e.status, e.code), (400, "E0000001"));
        assert_eq!(e.summary, "Api validation failed: firstName");
        assert_eq!(e.causes.len(), 2);
        let undefined = serde_json::json!({"login":"a@example.com","email":"a@example.com","firstName":"A","lastName":"B","notValid":1});
        let e = validate_profile(undefined.as_object().unwrap(), "newUser").unwrap_err();
        assert_eq!(e.summary, "Api validation failed: newUser");
        assert_eq!(e.causes, vec!["Property name 'notValid' is not defined in profile".to_string()]);
    }
}
