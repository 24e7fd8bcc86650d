//! `/api/v1/users`: list/search, CRUD, lifecycle, credentials, sessions; and the user JSON.

use serde_json::{Map, Value};

use super::errors::ApiError;
use super::json::J;
use super::paging::{self, CursorKey};
use super::query::{self, Mode};
use super::router::{Ctx, HResult, Reply};
use super::state::{Password, SortedCache, State, Status, User};
use super::time::iso;
use super::util;

/// Which `_links` a user object carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkSet {
    /// Users in lists carry only `_links.self`.
    SelfOnly,
    /// Single GET / create / update: one link per allowed lifecycle transition.
    Full,
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

fn ts(v: Option<i64>) -> J {
    v.map(|s| J::s(iso(s))).unwrap_or(J::Null)
}

/// Profile keys in Okta's response order: `firstName, lastName, mobilePhone, …, secondEmail,
/// login, email`, with the six base keys always present (null when unset).
fn render_profile(p: &Map<String, Value>) -> J {
    const HEAD: [&str; 3] = ["firstName", "lastName", "mobilePhone"];
    const TAIL: [&str; 3] = ["secondEmail", "login", "email"];
    let get = |k: &str| p.get(k).map(J::from).unwrap_or(J::Null);
    let mut out: Vec<(String, J)> = HEAD.iter().map(|k| (k.to_string(), get(k))).collect();
    out.extend(
        p.iter()
            .filter(|(k, _)| !HEAD.contains(&k.as_str()) && !TAIL.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), J::from(v))),
    );
    out.extend(TAIL.iter().map(|k| (k.to_string(), get(k))));
    J::Obj(out)
}

/// `{"password":{},"emails":[…],"provider":{…}}` with a password, else just the provider.
pub fn render_credentials(u: &User, with_emails: bool) -> J {
    let mut c = J::empty_obj();
    if u.password.is_some() {
        c.push("password", J::empty_obj());
        if with_emails {
            if let Some(email) = u.email() {
                c.push(
                    "emails",
                    J::Arr(vec![J::obj([
                        ("value", J::s(email)),
                        ("status", J::s("VERIFIED")),
                        ("type", J::s("PRIMARY")),
                    ])]),
                );
            }
        }
    }
    if let Some((q, _)) = &u.recovery_question {
        c.push("recovery_question", J::obj([("question", J::s(q.clone()))]));
    }
    c.push("provider", J::obj([("type", J::s(u.provider.0.clone())), ("name", J::s(u.provider.1.clone()))]));
    c
}

/// Lifecycle link names per status, in the order real single-GET responses list them.
fn link_names(u: &User) -> Vec<&'static str> {
    let pw = u.password.is_some();
    let mut v: Vec<&'static str> = match u.status {
        Status::Staged => vec!["schema", "activate", "self", "resetFactors", "type"],
        Status::Provisioned => {
            vec!["suspend", "schema", "resetPassword", "reactivate", "self", "resetFactors", "type", "deactivate"]
        }
        Status::Active | Status::PasswordExpired if pw => vec![
            "suspend",
            "schema",
            "resetPassword",
            "forgotPassword",
            "expirePassword",
            "changeRecoveryQuestion",
            "self",
            "resetFactors",
            "type",
            "changePassword",
            "deactivate",
        ],
        Status::Active | Status::PasswordExpired => {
            vec!["suspend", "schema", "resetPassword", "self", "resetFactors", "type", "deactivate"]
        }
        Status::Recovery => vec![
            "suspend",
            "schema",
            "resetPassword",
            "reactivate",
            "self",
            "resetFactors",
            "type",
            "changePassword",
            "deactivate",
        ],
        Status::LockedOut => {
            vec!["schema", "resetPassword", "unlock", "expirePassword", "self", "resetFactors", "type", "deactivate"]
        }
        Status::Suspended => vec!["schema", "unsuspend", "self", "resetFactors", "type", "deactivate"],
        Status::Deprovisioned => vec!["schema", "activate", "self", "resetFactors", "type", "delete"],
    };
    if !pw {
        v.retain(|n| *n != "changePassword");
    }
    v
}

fn render_links(st: &State, u: &User, origin: &str, set: LinkSet, omit_credential_links: bool) -> J {
    let base = format!("{origin}/api/v1/users/{}", u.id);
    let href = |h: String| J::obj([("href", J::s(h))]);
    let post = |h: String| J::obj([("href", J::s(h)), ("method", J::s("POST"))]);
    if set == LinkSet::SelfOnly {
        return J::obj([("self", href(base))]);
    }
    let schema_id =
        st.user_type(&u.type_id).map(|t| t.schema_id.clone()).unwrap_or_else(|| u.type_id.replacen("oty", "osc", 1));
    let mut links = J::empty_obj();
    for name in link_names(u) {
        if omit_credential_links
            && matches!(name, "resetPassword" | "forgotPassword" | "changePassword" | "changeRecoveryQuestion")
        {
            continue;
        }
        let value = match name {
            "self" => href(base.clone()),
            "schema" => href(format!("{origin}/api/v1/meta/schemas/user/{schema_id}")),
            "type" => href(format!("{origin}/api/v1/meta/types/user/{}", u.type_id)),
            "delete" => J::obj([("href", J::s(base.clone())), ("method", J::s("DELETE"))]),
            "forgotPassword" => post(format!("{base}/credentials/forgot_password")),
            "changePassword" => post(format!("{base}/credentials/change_password")),
            "changeRecoveryQuestion" => post(format!("{base}/credentials/change_recovery_question")),
            "resetPassword" => post(format!("{base}/lifecycle/reset_password")),
            "expirePassword" => post(format!("{base}/lifecycle/expire_password")),
            "resetFactors" => post(format!("{base}/lifecycle/reset_factors")),
            other => post(format!("{base}/lifecycle/{other}")),
        };
        links.push(name, value);
    }
    links
}

/// The user object, keys in Okta order: `id, status, [transitioningToStatus], created,
/// activated, statusChanged, lastLogin, lastUpdated, passwordChanged, [realmId], type, profile,
/// credentials, _links`.
pub fn render_user(st: &State, u: &User, origin: &str, set: LinkSet, omit_credentials: bool) -> J {
    let mut o = J::obj([
        ("id", J::s(u.id.clone())),
        ("status", J::s(u.status.as_str())),
        ("created", ts(Some(u.created))),
        ("activated", ts(u.activated)),
        ("statusChanged", ts(u.status_changed)),
        ("lastLogin", ts(u.last_login)),
        ("lastUpdated", ts(Some(u.last_updated))),
        ("passwordChanged", ts(u.password_changed)),
    ]);
    if let Some(r) = &u.realm_id {
        o.push("realmId", J::s(r.clone()));
    }
    o.push("type", J::obj([("id", J::s(u.type_id.clone()))]));
    o.push("profile", render_profile(&u.profile));
    if !omit_credentials {
        o.push("credentials", render_credentials(u, true));
    }
    o.push("_links", render_links(st, u, origin, set, omit_credentials));
    o
}

fn single(st: &State, ctx: &Ctx, id: &str) -> J {
    match st.users.get(id) {
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
    let limit = paging::parse_limit(ctx.q("limit"), if q.is_some() { 10 } else { 200 }, 200)
        .map_err(|_| ApiError::validation("limit", ["limit: The limit must be a positive number.".to_string()]))?;
    let search_q = search.map(|s| query::parse(s, Mode::Search)).transpose().map_err(|_| ApiError::invalid_search())?;
    let filter_q = filter.map(|s| query::parse(s, Mode::Filter)).transpose().map_err(|_| ApiError::invalid_search())?;
    // sortBy/sortOrder only work together with search; otherwise they are ignored (and dropped
    // from the self link, like real Okta drops `sortOrder=0`).
    let sort_by = if search.is_some() { ctx.q("sortBy").filter(|s| !s.is_empty()) } else { None };
    if let Some(attr) = sort_by {
        if !query::valid_sort_attr(attr) {
            return Err(ApiError::invalid_search());
        }
    }
    let sort_order =
        sort_by.and(ctx.q("sortOrder")).filter(|o| o.eq_ignore_ascii_case("asc") || o.eq_ignore_ascii_case("desc"));
    let desc = sort_order.map(|o| o.eq_ignore_ascii_case("desc")).unwrap_or(false);
    // `q` is not pageable and, like a bare list, leaves DEPROVISIONED users out.
    let hide_deprovisioned = q.is_some() || (search.is_none() && filter.is_none());
    let kind = match search {
        Some(_) => format!("search|{}|{}", sort_by.unwrap_or(""), if desc { "desc" } else { "asc" }),
        None => "list".to_string(),
    };
    let after_raw = if q.is_some() { None } else { ctx.q("after") };
    let after = match after_raw {
        Some(a) => Some(st.cursors.get(&(kind.clone(), a.to_string())).cloned().ok_or_else(ApiError::invalid_cursor)?),
        None => None,
    };
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
    let (page, more): (Vec<(CursorKey, &User)>, bool) = match sort_by {
        None => {
            // Id order == creation order: walk the map from the cursor.
            let start = after.as_ref().map(|k| k.id.clone());
            let iter: Box<dyn Iterator<Item = &User>> = match &start {
                Some(s) => Box::new(
                    st.users
                        .range::<String, _>((std::ops::Bound::Excluded(s), std::ops::Bound::Unbounded))
                        .map(|(_, u)| u),
                ),
                None => Box::new(st.users.values()),
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
                Some(c) if c.key == cache_key && c.version == st.version => c,
                _ => {
                    let mut keys: Vec<CursorKey> = st
                        .users
                        .values()
                        .filter(|u| keep(u))
                        .map(|u| CursorKey { val: query::sort_value(u, attr), id: u.id.clone() })
                        .collect();
                    keys.sort_by(|a, b| paging::cmp_keys(a, b, desc));
                    SortedCache { key: cache_key, version: st.version, keys }
                }
            };
            let start = match &after {
                Some(a) => cache.keys.partition_point(|k| paging::cmp_keys(k, a, desc) != std::cmp::Ordering::Greater),
                None => 0,
            };
            let rest = &cache.keys[start..];
            let page: Vec<(CursorKey, &User)> =
                rest.iter().take(limit).filter_map(|k| st.users.get(&k.id).map(|u| (k.clone(), u))).collect();
            let more = rest.len() > limit;
            st.sorted_cache = Some(cache);
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
    let params = |after: Option<&str>| {
        let mut p: Vec<(&str, String)> = Vec::new();
        if let Some(a) = after {
            p.push(("after", a.to_string()));
        }
        p.push(("limit", limit.to_string()));
        if let Some(s) = search {
            p.push(("search", s.to_string()));
        }
        if let Some(f) = filter {
            p.push(("filter", f.to_string()));
        }
        if let Some(s) = sort_by {
            p.push(("sortBy", s.to_string()));
        }
        if let Some(o) = sort_order {
            p.push(("sortOrder", o.to_string()));
        }
        p
    };
    let path = "/api/v1/users";
    let mut links = vec![paging::link(&paging::url(&ctx.origin, path, &params(after_raw)), "self")];
    let next = match (more, page.last()) {
        (true, Some((key, u))) => {
            let token = if search.is_some() { u.id.clone() } else { format!("{}{}", u.status.cursor_digit(), u.id) };
            Some((token, key.clone()))
        }
        _ => None,
    };
    if let Some((token, key)) = next {
        links.push(paging::link(&paging::url(&ctx.origin, path, &params(Some(&token))), "next"));
        st.cursors.insert((kind, token), key);
    }
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
                match st.groups.get(gid) {
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
    st.insert_user(user);
    for gid in group_ids {
        if let Some(g) = st.groups.get_mut(&gid) {
            g.members.insert(id.clone());
            g.last_membership_updated = now;
        }
    }
    Ok(Reply::ok(single(st, ctx, &id)))
}

/// `POST /api/v1/users/{id}` (partial: sent attributes change, the rest stay) and
/// `PUT /api/v1/users/{id}` (replace: omitted profile attributes are removed).
pub fn update(st: &mut State, ctx: &Ctx, key: &str, replace: bool) -> HResult {
    let id = resolve(st, key)?;
    let body = ctx.json_object()?;
    let mut u = st.users.get(&id).cloned().ok_or_else(|| user_not_found(key))?;
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
    u.last_updated = now;
    st.users.insert(id.clone(), u);
    st.reindex_login(&id, &old_login);
    Ok(Reply::ok(single(st, ctx, &id)))
}

/// `DELETE /api/v1/users/{id}`: a non-DEPROVISIONED user is only deactivated (204); a
/// DEPROVISIONED one is deleted (204). Both answers look the same on the wire.
pub fn delete(st: &mut State, ctx: &Ctx, key: &str) -> HResult {
    let id = resolve(st, key)?;
    let deprovisioned = st.users.get(&id).map(|u| u.status == Status::Deprovisioned).unwrap_or(true);
    if deprovisioned {
        st.remove_user(&id);
    } else if let Some(u) = st.users.get_mut(&id) {
        u.set_status(Status::Deprovisioned, ctx.now_secs);
    }
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
    const OPS: [&str; 10] = [
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
    if !OPS.contains(&op) {
        return Err(ApiError::path_not_found());
    }
    let id = resolve(st, key)?;
    let now = ctx.now_secs;
    let u = st.users.get_mut(&id).ok_or_else(|| user_not_found(key))?;
    let has_pw = u.password.is_some();
    let body = match op {
        "activate" => {
            let send_email = ctx.q_bool("sendEmail", true)?;
            if !matches!(u.status, Status::Staged | Status::Deprovisioned) {
                return Err(ApiError::already_active());
            }
            // Without a password the user waits for the activation link (PROVISIONED).
            u.set_status(if has_pw { Status::Active } else { Status::Provisioned }, now);
            u.activated = Some(now);
            if send_email {
                J::empty_obj()
            } else {
                activation_token(ctx)
            }
        }
        "reactivate" => {
            let send_email = ctx.q_bool("sendEmail", false)?;
            if !matches!(u.status, Status::Provisioned | Status::Recovery) {
                return Err(ApiError::wrong_status());
            }
            u.last_updated = now;
            if send_email {
                J::empty_obj()
            } else {
                activation_token(ctx)
            }
        }
        "deactivate" => {
            ctx.q_bool("sendEmail", false)?;
            if u.status == Status::Deprovisioned {
                return Err(ApiError::wrong_status());
            }
            u.set_status(Status::Deprovisioned, now);
            J::empty_obj()
        }
        "suspend" => {
            if u.status != Status::Active {
                return Err(ApiError::validation("suspend", ["Cannot suspend a user that is not active".to_string()]));
            }
            u.set_status(Status::Suspended, now);
            J::empty_obj()
        }
        "unsuspend" => {
            if u.status != Status::Suspended {
                return Err(ApiError::validation(
                    "unsuspend",
                    ["Cannot unsuspend a user that is not suspended".to_string()],
                ));
            }
            u.set_status(Status::Active, now);
            J::empty_obj()
        }
        "unlock" => {
            if u.status != Status::LockedOut {
                return Err(ApiError::unlock_not_allowed());
            }
            u.set_status(Status::Active, now);
            J::empty_obj()
        }
        "reset_password" => {
            // sendEmail is required here (no default).
            let send_email = match ctx.q("sendEmail") {
                None => return Err(ApiError::missing_parameter("sendEmail")),
                Some(_) => ctx.q_bool("sendEmail", true)?,
            };
            ctx.q_bool("revokeSessions", false)?;
            if !matches!(u.status, Status::Active | Status::Recovery | Status::PasswordExpired | Status::LockedOut) {
                return Err(ApiError::wrong_status());
            }
            u.set_status(Status::Recovery, now);
            if send_email {
                J::empty_obj()
            } else {
                J::obj([("resetPasswordUrl", J::s(format!("{}/reset_password/{}", ctx.origin, util::token(20))))])
            }
        }
        "expire_password" | "expire_password_with_temp_password" => {
            if !matches!(u.status, Status::Active | Status::PasswordExpired | Status::LockedOut | Status::Recovery)
                || !has_pw
            {
                return Err(ApiError::wrong_status());
            }
            u.set_status(Status::PasswordExpired, now);
            if op == "expire_password" {
                // Unlike the other lifecycle calls this one answers with the full user.
                return Ok(Reply::ok(single(st, ctx, &id)));
            }
            let temp = util::token(12);
            u.password = Some(Password::Plain(temp.clone()));
            u.password_changed = Some(now);
            J::obj([("tempPassword", J::s(temp))])
        }
        _ => {
            // reset_factors
            if u.status == Status::Deprovisioned {
                return Err(ApiError::wrong_status());
            }
            u.last_updated = now;
            st.factors.retain(|f| f.user_id != id);
            J::empty_obj()
        }
    };
    Ok(Reply::ok(body))
}

/// `POST /api/v1/users/{userId}/credentials/change_password` (id only).
pub fn change_password(st: &mut State, ctx: &Ctx, key: &str) -> HResult {
    let id = resolve_id_only(st, key)?;
    let body = ctx.json_object()?;
    let value = |k: &str| body.get(k).and_then(|v| v.get("value")).and_then(Value::as_str).map(str::to_string);
    let (old, new) = (value("oldPassword"), value("newPassword"));
    let now = ctx.now_secs;
    let u = st.users.get_mut(&id).ok_or_else(|| user_not_found(key))?;
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
    u.password = Some(Password::Plain(new));
    u.password_changed = Some(now);
    u.last_updated = now;
    if matches!(u.status, Status::Recovery | Status::PasswordExpired) {
        u.set_status(Status::Active, now);
    }
    Ok(Reply::ok(render_credentials(u, false)))
}

/// `DELETE /api/v1/users/{userId}/sessions` (id only) → 204.
pub fn clear_sessions(st: &mut State, key: &str) -> HResult {
    resolve_id_only(st, key)?;
    Ok(Reply::NoContent)
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
