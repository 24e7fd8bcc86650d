//! The generator of the seed files in `fixtures/` (users, groups, apps, factors, user types,
//! policies, realms): one deterministic pseudo-random stream, so the same files every run. The
//! areas' `seed.rs` read the files at run time; this generator is compiled for tests only.
//!
//! Regenerate the files with `BLESS=1 cargo test -p okta-fake-org --lib fixtures`.
//! All names are invented; all addresses are at example.com/.org/.net.

use std::collections::BTreeSet;

use serde_json::{json, Map, Value};

use crate::areas::users::model::Status;
use crate::areas::users::seed::{FIRST, LAST};
use crate::infra::json::J;
use crate::infra::time::{iso, parse_iso_ms};
use crate::infra::util::{make_id, SplitMix64};

/// Id era of the fixtures: their ids sort before generated users' and those of objects created
/// through the API (see [`make_id`]).
const ERA_FIXTURE: char = 'e';

/// The draws the generator makes besides [`SplitMix64::below`].
trait Draw {
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T;
    /// True `percent` times in a hundred.
    fn chance(&mut self, percent: u64) -> bool;
}

impl Draw for SplitMix64 {
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

const DEPARTMENTS: [&str; 8] =
    ["Engineering", "Sales", "Marketing", "Finance", "People Ops", "Support", "Legal", "Operations"];
const TITLES: [&str; 8] =
    ["Analyst", "Engineer", "Manager", "Director", "Specialist", "Coordinator", "Associate", "Lead"];
const CITIES: [&str; 8] =
    ["Springfield", "Riverton", "Lakeside", "Fairview", "Greenville", "Madison", "Georgetown", "Oak Ridge"];
const DOMAINS: [&str; 3] = ["example.com", "example.org", "example.net"];

/// Fixed "now" of the seed data: 2025-06-01T00:00:00Z.
const SEED_END: i64 = 1_748_736_000;
/// 2023-01-02T00:00:00Z
const SEED_START: i64 = 1_672_617_600;
/// Users in the seed.
pub const SEED_USERS: usize = 300;
const SALT_USERS: u64 = 0x5EED_0001;

fn user_id(seq: u64) -> String {
    make_id("00u", ERA_FIXTURE, seq, SALT_USERS)
}

fn type_ids() -> [(String, String); 2] {
    [
        (make_id("oty", ERA_FIXTURE, 0, 7), make_id("osc", ERA_FIXTURE, 0, 7)),
        (make_id("oty", ERA_FIXTURE, 1, 7), make_id("osc", ERA_FIXTURE, 1, 7)),
    ]
}

/// Generates the fixture files: `(file name, pretty JSON)`.
pub fn fixture_files() -> Vec<(&'static str, String)> {
    let mut rng = SplitMix64(0x0C7A_F1C5);
    let [(user_type, user_schema), (contractor_type, contractor_schema)] = type_ids();
    let admin_id = user_id(0);

    // Users
    let mut users = Vec::new();
    let mut statuses = Vec::new();
    let mut created = SEED_START;
    for i in 0..SEED_USERS {
        created += 86_400 + rng.below(3 * 86_400) as i64;
        let created_at = created.min(SEED_END - 86_400 * 30);
        let status = if i == 0 {
            Status::Active
        } else {
            match rng.below(100) {
                0..=61 => Status::Active,
                62..=67 => Status::Provisioned,
                68..=74 => Status::Staged,
                75..=79 => Status::Suspended,
                80..=83 => Status::LockedOut,
                84..=87 => Status::PasswordExpired,
                88..=91 => Status::Recovery,
                _ => Status::Deprovisioned,
            }
        };
        statuses.push(status);
        let (first, last) = if i == 0 { ("Fake", "Admin") } else { (*rng.pick(&FIRST), *rng.pick(&LAST)) };
        let domain = DOMAINS[i % DOMAINS.len()];
        let login = if i == 0 {
            "fake.admin@example.com".to_string()
        } else {
            format!("{}.{}{}@{domain}", first.to_lowercase(), last.to_lowercase(), i)
        };
        let email = if i % 17 == 5 {
            format!("{}.{}{}@mail.{domain}", first.to_lowercase(), last.to_lowercase(), i)
        } else {
            login.clone()
        };
        let last_updated = (created_at + rng.below(200 * 86_400) as i64).min(SEED_END);
        let activated = match status {
            Status::Staged => None,
            Status::Deprovisioned if rng.chance(30) => None,
            _ => Some(created_at + rng.below(3600) as i64),
        };
        let status_changed = if status == Status::Staged {
            Some(created_at)
        } else {
            Some(activated.unwrap_or(created_at).max(last_updated - rng.below(86_400) as i64))
        };
        let has_password = match status {
            Status::Provisioned => false,
            Status::Staged | Status::Deprovisioned => rng.chance(50),
            _ => true,
        };
        let last_login = (matches!(status, Status::Active | Status::LockedOut | Status::PasswordExpired)
            && rng.chance(70))
        .then(|| last_updated - rng.below(86_400) as i64);
        let mut profile = Map::new();
        profile.insert("firstName".into(), json!(first));
        profile.insert("lastName".into(), json!(last));
        profile.insert("login".into(), json!(login));
        profile.insert("email".into(), json!(email));
        profile.insert("displayName".into(), json!(format!("{first} {last}")));
        profile.insert(
            "mobilePhone".into(),
            if rng.chance(50) {
                json!(format!("+1-555-01{:02}-{:04}", rng.below(100), rng.below(10_000)))
            } else {
                Value::Null
            },
        );
        profile.insert(
            "secondEmail".into(),
            if rng.chance(20) {
                json!(format!("{}.{}{}@example.org", last.to_lowercase(), first.to_lowercase(), i))
            } else {
                Value::Null
            },
        );
        profile.insert("department".into(), json!(rng.pick(&DEPARTMENTS)));
        profile.insert("title".into(), json!(rng.pick(&TITLES)));
        profile.insert("city".into(), json!(rng.pick(&CITIES)));
        profile.insert("employeeNumber".into(), json!(format!("{:05}", 10_000 + i)));
        profile.insert("organization".into(), json!("Example Corp"));
        if rng.chance(15) {
            profile.insert("tags".into(), json!(["beta", if rng.chance(50) { "remote" } else { "onsite" }]));
        }
        let mut credentials = Map::new();
        if has_password {
            credentials.insert("password".into(), json!({"value": format!("Fixture-Pw-{i:03}x")}));
        }
        if has_password && rng.chance(40) {
            credentials.insert(
                "recovery_question".into(),
                json!({"question": "What is the name of your first pet?", "answer": format!("pet number {i}")}),
            );
        }
        credentials.insert("provider".into(), json!({"type": "OKTA", "name": "OKTA"}));
        let contractor = i > 0 && rng.chance(10);
        let mut u = json!({
            "id": user_id(i as u64),
            "status": status.as_str(),
            "created": iso(created_at),
            "activated": activated.map(iso),
            "statusChanged": status_changed.map(iso),
            "lastLogin": last_login.map(iso),
            "lastUpdated": iso(last_updated),
            "passwordChanged": has_password.then(|| iso(created_at + 60)),
            "type": {"id": if contractor { &contractor_type } else { &user_type }},
            "profile": profile,
            "credentials": credentials,
        });
        if i == 0 {
            u["admin"] = json!(true);
        }
        users.push(u);
    }

    // Groups: Everyone first (smallest id), then OKTA_GROUPs and two APP_GROUPs.
    let group_names: [(&str, &str, &str); 13] = [
        ("Everyone", "All users in your organization", "BUILT_IN"),
        ("Engineering", "Engineering department", "OKTA_GROUP"),
        ("Sales", "Sales department", "OKTA_GROUP"),
        ("Marketing", "Marketing department", "OKTA_GROUP"),
        ("Finance", "Finance department", "OKTA_GROUP"),
        ("People Ops", "People operations", "OKTA_GROUP"),
        ("Support", "Customer support", "OKTA_GROUP"),
        ("Contractors", "External contractors", "OKTA_GROUP"),
        ("Admins", "Org administrators", "OKTA_GROUP"),
        ("Beta Testers", "Early access program", "OKTA_GROUP"),
        ("Remote Workers", "Fully remote staff", "OKTA_GROUP"),
        ("Directory Sync Users", "Imported from the example directory", "APP_GROUP"),
        ("Legacy App Users", "Pushed from the legacy portal", "APP_GROUP"),
    ];
    let group_ids: Vec<String> = (0..group_names.len()).map(|i| make_id("00g", ERA_FIXTURE, i as u64, 11)).collect();
    let mut members: Vec<BTreeSet<String>> = vec![BTreeSet::new(); group_names.len()];
    for (i, u) in users.iter().enumerate() {
        let id = u["id"].as_str().unwrap_or_default().to_string();
        let dept = u["profile"]["department"].as_str().unwrap_or_default();
        if let Some(gi) = group_names.iter().position(|g| g.0 == dept) {
            members[gi].insert(id.clone());
        }
        if i == 0 || (i % 41 == 3) {
            members[8].insert(id.clone());
        }
        if u["type"]["id"] == json!(contractor_type) {
            members[7].insert(id.clone());
        }
        for (gi, pct) in [(9usize, 12u64), (10, 25), (11, 20), (12, 8)] {
            if i > 0 && rng.chance(pct) {
                members[gi].insert(id.clone());
            }
        }
    }
    let groups: Vec<Value> = group_names
        .iter()
        .enumerate()
        .map(|(i, (name, desc, kind))| {
            let created = SEED_START - 86_400 * 30 + i as i64 * 3_600;
            json!({
                "id": group_ids[i],
                "created": iso(created),
                "lastUpdated": iso(created),
                "lastMembershipUpdated": iso(SEED_END - 86_400 * (i as i64 + 1)),
                "type": kind,
                "profile": {"name": name, "description": desc},
                "members": members[i].iter().collect::<Vec<_>>(),
                // The legacy portal (the sixth app) is where "Legacy App Users" come from.
                "source": (*name == "Legacy App Users").then(|| make_id("0oa", ERA_FIXTURE, 5, 17)),
            })
        })
        .collect();

    // Apps with user and group assignments.
    let app_defs: [(&str, &str, &str, &str); 6] = [
        ("bookmark", "Example Wiki", "BOOKMARK", "ACTIVE"),
        ("template_basic_auth", "Expense Tracker", "BASIC_AUTH", "ACTIVE"),
        ("oidc_client", "Team Chat", "OPENID_CONNECT", "ACTIVE"),
        ("examplecorp_codereview_1", "Code Review", "SAML_2_0", "ACTIVE"),
        ("template_sps", "Travel Desk", "AUTO_LOGIN", "ACTIVE"),
        ("examplecorp_oldportal_1", "Old Portal", "SAML_2_0", "INACTIVE"),
    ];
    let mut assignment_seq = 0u64;
    let mut next_assignment = || {
        assignment_seq += 1;
        make_id("0ua", ERA_FIXTURE, assignment_seq, 13)
    };
    let app_groups: [&[usize]; 6] = [&[], &[4], &[0], &[1], &[2], &[12]];
    let apps: Vec<Value> = app_defs
        .iter()
        .enumerate()
        .map(|(ai, (name, label, mode, status))| {
            let created = SEED_START - 86_400 * 20 + ai as i64 * 7_200;
            let users_assigned: Vec<Value> = users
                .iter()
                .enumerate()
                .filter(|(ui, _)| match ai {
                    0 => ui % 7 == 1,
                    1 => ui % 23 == 2,
                    5 => ui % 31 == 4,
                    _ => false,
                })
                .enumerate()
                .map(|(k, (ui, u))| {
                    let since = parse_iso_ms(u["created"].as_str().unwrap_or_default()).unwrap_or(0) / 1000;
                    let at = since.max(created) + 3_600 * (k as i64 + 1);
                    let login = u["profile"]["login"].as_str().unwrap_or_default();
                    let mut a = json!({
                        "userId": u["id"],
                        "assignmentId": next_assignment(),
                        "created": iso(at),
                        "status": "ACTIVE",
                        "userName": login,
                    });
                    // Password-based sign-on keeps a credential per user.
                    if *mode == "BASIC_AUTH" {
                        a["password"] = json!(format!("App-Pw-{ui:03}x"));
                        a["passwordChanged"] = json!(iso(at));
                    }
                    a
                })
                .collect();
            let groups_assigned: Vec<Value> = app_groups[ai]
                .iter()
                .map(|gi| json!({"groupId": group_ids[*gi], "assignmentId": next_assignment(), "created": iso(created + 600)}))
                .collect();
            let settings_app = match *mode {
                "BOOKMARK" => json!({"requestIntegration": false, "url": "https://wiki.example.com/"}),
                "BASIC_AUTH" => json!({"url": "https://expenses.example.com/login", "authURL": "https://expenses.example.com/auth"}),
                "AUTO_LOGIN" => json!({"url": "https://travel.example.net/signin"}),
                _ => json!({}),
            };
            json!({
                "id": make_id("0oa", ERA_FIXTURE, ai as u64, 17),
                "name": name,
                "label": label,
                "status": status,
                "signOnMode": mode,
                "created": iso(created),
                "lastUpdated": iso(created + 86_400),
                "settings": {"app": settings_app},
                "users": users_assigned,
                "groups": groups_assigned,
            })
        })
        .collect();

    // Factors for users that can sign in.
    let mut factors = Vec::new();
    let mut factor_seq = 0u64;
    for (i, u) in users.iter().enumerate() {
        if !matches!(
            statuses[i],
            Status::Active | Status::LockedOut | Status::PasswordExpired | Status::Recovery | Status::Suspended
        ) {
            continue;
        }
        let uid = u["id"].as_str().unwrap_or_default();
        let created = parse_iso_ms(u["created"].as_str().unwrap_or_default()).unwrap_or(0) / 1000 + 7_200;
        let mut add =
            |prefix: &str, ftype: &str, provider: &str, vendor: Option<&str>, status: &str, profile: Value| {
                factor_seq += 1;
                let mut f = json!({
                    "id": make_id(prefix, ERA_FIXTURE, factor_seq, 19),
                    "userId": uid,
                    "factorType": ftype,
                    "provider": provider,
                    "status": status,
                    "created": iso(created + factor_seq as i64),
                    "lastUpdated": iso(created + factor_seq as i64),
                    "profile": profile,
                });
                if let Some(v) = vendor {
                    f["vendorName"] = json!(v);
                }
                factors.push(f);
            };
        let email = u["profile"]["email"].clone();
        if rng.chance(45) {
            add("emf", "email", "OKTA", Some("OKTA"), "ACTIVE", json!({"email": email}));
        }
        if rng.chance(30) {
            add(
                "mbl",
                "sms",
                "OKTA",
                Some("OKTA"),
                "ACTIVE",
                json!({"phoneNumber": format!("+1-555-01{:02}-{:04}", rng.below(100), rng.below(10_000))}),
            );
        }
        if rng.chance(25) {
            add(
                "opf",
                "push",
                "OKTA",
                Some("OKTA"),
                "ACTIVE",
                json!({"credentialId": u["profile"]["login"], "deviceType": "SmartPhone_IPhone", "name": "Example Phone", "platform": "IOS", "version": "17.4"}),
            );
            add(
                "ost",
                "token:software:totp",
                "OKTA",
                Some("OKTA"),
                "ACTIVE",
                json!({"credentialId": u["profile"]["login"]}),
            );
        }
        if rng.chance(15) {
            add(
                "ufs",
                "question",
                "OKTA",
                Some("OKTA"),
                "ACTIVE",
                json!({"question": "favorite_art_piece", "questionText": "What is your favorite piece of art?"}),
            );
        }
        if rng.chance(10) {
            let pending = rng.chance(40);
            add(
                "uft",
                "token:software:totp",
                "GOOGLE",
                Some("GOOGLE"),
                if pending { "PENDING_ACTIVATION" } else { "ACTIVE" },
                json!({"credentialId": u["profile"]["login"]}),
            );
        }
    }

    let user_types = json!([
        {"id": user_type, "name": "user", "displayName": "User", "description": "Okta user profile template with default permission settings",
         "default": true, "created": iso(SEED_START - 86_400 * 40), "lastUpdated": iso(SEED_START - 86_400 * 40), "createdBy": admin_id, "schemaId": user_schema},
        {"id": contractor_type, "name": "contractor", "displayName": "Contractor", "description": "External contractors",
         "default": false, "created": iso(SEED_START - 86_400 * 35), "lastUpdated": iso(SEED_START - 86_400 * 35), "createdBy": admin_id, "schemaId": contractor_schema},
    ]);

    let pretty = |v: &Value| serde_json::to_string_pretty(v).unwrap_or_default() + "\n";
    let pretty_ordered = |v: &J| serde_json::to_string_pretty(v).unwrap_or_default() + "\n";
    vec![
        ("users.json", pretty(&Value::Array(users))),
        ("groups.json", pretty(&Value::Array(groups))),
        ("apps.json", pretty(&Value::Array(apps))),
        ("factors.json", pretty(&Value::Array(factors))),
        ("user-types.json", pretty(&user_types)),
        ("policies.json", pretty_ordered(&fixture_policies(&group_ids[0], &make_id("0oa", ERA_FIXTURE, 2, 17)))),
        ("realms.json", pretty_ordered(&fixture_realms())),
    ]
}

/// (type, name, description, priority, system, status, conditions, settings, resourceId)
type PolicyDef<'a> = (&'a str, &'a str, &'a str, i64, bool, &'a str, String, Option<String>, Option<&'a str>);

/// Policies of several types, keys in the order Okta returns them (the password policy's
/// settings follow `recorded/terraform-provider-okta/idaas/TestAccDataSourceOktaPolicy_read`).
/// `everyone` is the Everyone group, `chat_app` the OIDC app an access policy belongs to.
fn fixture_policies(everyone: &str, chat_app: &str) -> J {
    let people = format!(r#"{{"people":{{"groups":{{"include":["{everyone}"]}}}}}}"#);
    let password_settings = r#"{"password":{"complexity":{"minLength":8,"minLowerCase":1,"minUpperCase":1,"minNumber":1,"minSymbol":0,"excludeUsername":true,"dictionary":{"common":{"exclude":false}},"excludeAttributes":[]},"age":{"maxAgeDays":0,"expireWarnDays":0,"minAgeMinutes":0,"historyCount":4},"lockout":{"maxAttempts":10,"autoUnlockMinutes":0,"userLockoutNotificationChannels":[],"showLockoutFailures":false}},"recovery":{"factors":{"recovery_question":{"status":"ACTIVE","properties":{"complexity":{"minLength":4}}},"okta_email":{"status":"ACTIVE","properties":{"recoveryToken":{"tokenLifetimeMinutes":60}}},"okta_sms":{"status":"INACTIVE"},"okta_call":{"status":"INACTIVE"}}},"delegation":{"options":{"skipUnlock":false}}}"#;
    let strict_settings = password_settings
        .replace(r#""minLength":8"#, r#""minLength":14"#)
        .replace(r#""historyCount":4"#, r#""historyCount":12"#);
    let mfa_settings = r#"{"type":"AUTHENTICATORS","authenticators":[{"key":"okta_email","enroll":{"self":"REQUIRED"}},{"key":"okta_verify","enroll":{"self":"OPTIONAL"}},{"key":"phone_number","enroll":{"self":"NOT_ALLOWED"}}]}"#;
    let password_conditions =
        format!(r#"{{"people":{{"groups":{{"include":["{everyone}"]}}}},"authProvider":{{"provider":"OKTA"}}}}"#);
    // (type, name, description, priority, system, status, conditions, settings, resourceId)
    let defs: Vec<PolicyDef> = vec![
        (
            "OKTA_SIGN_ON",
            "Contractor Sign-On",
            "Shorter sessions for contractors",
            1,
            false,
            "ACTIVE",
            people.clone(),
            None,
            None,
        ),
        (
            "OKTA_SIGN_ON",
            "Default Policy",
            "The default policy applies in all situations if no other policy applies.",
            2,
            true,
            "ACTIVE",
            people.clone(),
            None,
            None,
        ),
        (
            "PASSWORD",
            "Strict Password",
            "Longer passwords for administrators",
            1,
            false,
            "INACTIVE",
            password_conditions.clone(),
            Some(strict_settings),
            None,
        ),
        (
            "PASSWORD",
            "Default Policy",
            "The default policy applies in all situations if no other policy applies.",
            2,
            true,
            "ACTIVE",
            password_conditions,
            Some(password_settings.to_string()),
            None,
        ),
        (
            "MFA_ENROLL",
            "Default Policy",
            "The default policy applies in all situations if no other policy applies.",
            1,
            true,
            "ACTIVE",
            people.clone(),
            Some(mfa_settings.to_string()),
            None,
        ),
        (
            "ACCESS_POLICY",
            "Team Chat access",
            "Who may sign in to Team Chat",
            1,
            false,
            "ACTIVE",
            "null".into(),
            None,
            Some(chat_app),
        ),
        (
            "ACCESS_POLICY",
            "Okta Admin Console",
            "Okta Admin Console Policy",
            2,
            true,
            "ACTIVE",
            "null".into(),
            None,
            None,
        ),
        (
            "ACCESS_POLICY",
            "Default Policy",
            "The default policy applies in all situations if no other policy applies.",
            3,
            true,
            "ACTIVE",
            "null".into(),
            None,
            None,
        ),
        (
            "PROFILE_ENROLLMENT",
            "Default Policy",
            "The default policy applies in all situations if no other policy applies.",
            1,
            true,
            "ACTIVE",
            "null".into(),
            None,
            None,
        ),
        (
            "IDP_DISCOVERY",
            "Idp Discovery Policy",
            "Routes every sign-in to Okta",
            1,
            true,
            "ACTIVE",
            "null".into(),
            None,
            None,
        ),
    ];
    let mut out = Vec::new();
    for (i, (kind, name, desc, priority, system, status, conditions, settings, resource)) in
        defs.into_iter().enumerate()
    {
        let created = SEED_START - 86_400 * 45 + i as i64 * 900;
        let mut p = J::obj([
            ("id", J::s(make_id("00p", ERA_FIXTURE, i as u64, 23))),
            ("status", J::s(status)),
            ("name", J::s(name)),
            ("description", J::s(desc)),
            ("priority", J::from(priority)),
            ("system", J::Bool(system)),
            ("conditions", J::parse(&conditions).unwrap_or(J::Null)),
            ("created", J::s(iso(created))),
            ("lastUpdated", J::s(iso(created + 86_400 * 3))),
        ]);
        if let Some(settings) = settings {
            p.push("settings", J::parse(&settings).unwrap_or(J::Null));
        }
        p.push("type", J::s(kind));
        p.push("resourceId", J::opt_s(resource));
        let rule = J::obj([
            ("id", J::s(make_id("0pr", ERA_FIXTURE, i as u64, 29))),
            ("status", J::s("ACTIVE")),
            ("name", J::s(if system { "Default Rule" } else { "Catch-all Rule" })),
            ("priority", J::from(if system { 99i64 } else { 1 })),
            ("created", J::s(iso(created))),
            ("lastUpdated", J::s(iso(created))),
            ("system", J::Bool(system)),
            ("conditions", J::Null),
            ("actions", J::empty_obj()),
        ]);
        p.push("rules", J::Arr(vec![rule]));
        out.push(p);
    }
    J::Arr(out)
}

/// Realms: the default realm (no `domains`) and six others.
fn fixture_realms() -> J {
    let names: [(&str, &[&str]); 7] = [
        ("Default Realm", &[]),
        ("Car Co Partners", &["carco.example.com", "partners.example.com"]),
        ("Contractors", &[]),
        ("EU Staff", &["eu.example.com"]),
        ("APAC Staff", &["apac.example.com"]),
        ("Retail Stores", &["stores.example.net"]),
        ("Acquired Globex", &["globex.example.org"]),
    ];
    J::Arr(
        names
            .iter()
            .enumerate()
            .map(|(i, (name, domains))| {
                let created = SEED_START - 86_400 * 10 + i as i64 * 86_400;
                let mut profile = J::obj([("name", J::s(*name))]);
                if i > 0 {
                    profile.push("domains", J::Arr(domains.iter().map(|d| J::s(*d)).collect()));
                }
                J::obj([
                    ("id", J::s(make_id("guo", ERA_FIXTURE, i as u64, 31))),
                    ("created", J::s(iso(created))),
                    ("lastUpdated", J::s(iso(created + 3_600))),
                    ("profile", profile),
                    ("isDefault", J::Bool(i == 0)),
                ])
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The committed fixtures equal the generator's output (`BLESS=1` rewrites them).
    #[test]
    fn fixtures_are_current() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures");
        let files = fixture_files();
        if std::env::var_os("BLESS").is_some() {
            for (name, text) in &files {
                std::fs::write(format!("{dir}/{name}"), text).expect("write fixture");
            }
            return;
        }
        for (name, text) in &files {
            let current = std::fs::read_to_string(format!("{dir}/{name}")).expect("read fixture");
            assert!(
                *text == current,
                "fixtures/{name} is stale: run BLESS=1 cargo test -p okta-fake-org --lib fixtures"
            );
        }
    }
}
