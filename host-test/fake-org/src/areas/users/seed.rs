//! The users' seed: users, factors and user types from `fixtures/`, and [`generate_users`],
//! the deterministic users `fake-org --users N` and the bench add. Not API writes: nothing is
//! logged.

use serde_json::{json, Map, Value};

use super::model::{Factor, Password, Status, User, UserType};
use crate::areas::state::State;
use crate::infra::seed_files::{array, s, secs};
use crate::infra::util::make_id;

const USERS_JSON: &str = include_str!("../../../../../fixtures/users.json");
const FACTORS_JSON: &str = include_str!("../../../../../fixtures/factors.json");
const USER_TYPES_JSON: &str = include_str!("../../../../../fixtures/user-types.json");

/// First and last names of generated users (and of the fixtures' users).
pub const FIRST: [&str; 32] = [
    "Alex", "Blake", "Casey", "Dana", "Eli", "Frankie", "Gray", "Harper", "Indy", "Jordan", "Kai", "Lane", "Morgan",
    "Noor", "Oakley", "Parker", "Quinn", "Reese", "Sage", "Tatum", "Umi", "Val", "Wren", "Xan", "Yael", "Zion", "Ari",
    "Bo", "Cam", "Drew", "Emery", "Finley",
];
pub const LAST: [&str; 28] = [
    "Abernathy",
    "Brightwater",
    "Castellano",
    "Dunmore",
    "Everhart",
    "Fairbanks",
    "Galloway",
    "Holloway",
    "Ingleby",
    "Jessup",
    "Kingsley",
    "Lockwood",
    "Merriweather",
    "Northcott",
    "Oakhurst",
    "Pemberton",
    "Quimby",
    "Ravenscroft",
    "Stanhope",
    "Thornbury",
    "Underhill",
    "Vantreight",
    "Whitlock",
    "Yardley",
    "Zelinski",
    "Ashdown",
    "Birchfield",
    "Coldwell",
];

/// Id era of generated users: their ids sort after the fixtures' and before those of users
/// created through the API (see [`make_id`]).
const ERA_GENERATED: char = 'q';
const SALT_GENERATED: u64 = 0x5EED_0002;

/// The fixtures' user types.
pub fn load_user_types(st: &mut State) {
    for t in array(USER_TYPES_JSON) {
        st.load_user_type(UserType {
            id: s(&t["id"]),
            name: s(&t["name"]),
            display_name: s(&t["displayName"]),
            description: s(&t["description"]),
            default: t["default"].as_bool().unwrap_or(false),
            created: secs(&t["created"]).unwrap_or(0),
            last_updated: secs(&t["lastUpdated"]).unwrap_or(0),
            created_by: s(&t["createdBy"]),
            schema_id: s(&t["schemaId"]),
        });
    }
}

fn user_from_fixture(u: &Value) -> Option<User> {
    let c = &u["credentials"];
    let password = c["password"]["value"].as_str().map(|p| Password::Plain(p.to_string()));
    let recovery =
        c["recovery_question"]["question"].as_str().map(|q| (q.to_string(), s(&c["recovery_question"]["answer"])));
    Some(User {
        id: s(&u["id"]),
        status: Status::parse(u["status"].as_str()?)?,
        created: secs(&u["created"])?,
        activated: secs(&u["activated"]),
        status_changed: secs(&u["statusChanged"]),
        last_login: secs(&u["lastLogin"]),
        last_updated: secs(&u["lastUpdated"])?,
        password_changed: secs(&u["passwordChanged"]),
        realm_id: u["realmId"].as_str().map(str::to_string),
        type_id: s(&u["type"]["id"]),
        profile: u["profile"].as_object().cloned().unwrap_or_default(),
        password,
        recovery_question: recovery,
        provider: (
            c["provider"]["type"].as_str().unwrap_or("OKTA").to_string(),
            c["provider"]["name"].as_str().unwrap_or("OKTA").to_string(),
        ),
        admin: u["admin"].as_bool().unwrap_or(false),
    })
}

/// The fixtures' users.
pub fn load_users(st: &mut State) {
    for u in array(USERS_JSON).iter().filter_map(user_from_fixture) {
        st.load_user(u);
    }
}

/// The fixtures' enrolled factors.
pub fn load_factors(st: &mut State) {
    for f in array(FACTORS_JSON) {
        st.load_factor(Factor {
            id: s(&f["id"]),
            user_id: s(&f["userId"]),
            factor_type: s(&f["factorType"]),
            provider: s(&f["provider"]),
            vendor_name: f["vendorName"].as_str().map(str::to_string),
            status: s(&f["status"]),
            created: secs(&f["created"]).unwrap_or(0),
            last_updated: secs(&f["lastUpdated"]).unwrap_or(0),
            profile: f["profile"].clone(),
        });
    }
}

/// Adds `n` generated ACTIVE users. User number `k` (counting every generated user of this org)
/// always gets the same id, name, login and timestamps.
pub fn generate_users(st: &mut State, n: usize) {
    let type_id = st.default_user_type().map(|t| t.id.clone()).unwrap_or_default();
    // 2025-07-01T00:00:00Z
    let base = 1_751_328_000i64;
    for _ in 0..n {
        let k = st.take_generated_seq();
        let first = FIRST[(k % FIRST.len() as u64) as usize];
        let last = LAST[((k / FIRST.len() as u64) % LAST.len() as u64) as usize];
        let login = format!("{}.{}.{k:06}@gen.example.net", first.to_lowercase(), last.to_lowercase());
        let created = base + k as i64 * 7;
        let mut profile = Map::new();
        profile.insert("firstName".into(), json!(first));
        profile.insert("lastName".into(), json!(last));
        profile.insert("login".into(), json!(login));
        profile.insert("email".into(), json!(login));
        profile.insert("employeeNumber".into(), json!(format!("G{k:06}")));
        st.load_user(User {
            id: make_id("00u", ERA_GENERATED, k, SALT_GENERATED),
            status: Status::Active,
            created,
            activated: Some(created),
            status_changed: Some(created),
            last_login: None,
            last_updated: created,
            password_changed: Some(created),
            realm_id: None,
            type_id: type_id.clone(),
            profile,
            password: Some(Password::Plain(format!("Generated-Pw-{k}x"))),
            recovery_question: None,
            provider: ("OKTA".into(), "OKTA".into()),
            admin: false,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::areas::empty_state;

    #[test]
    fn generated_users_are_deterministic() {
        let mut a = empty_state();
        generate_users(&mut a, 3);
        generate_users(&mut a, 2);
        let mut b = empty_state();
        generate_users(&mut b, 5);
        let ids = |st: &State| st.users().values().map(|u| (u.id.clone(), u.login().to_string())).collect::<Vec<_>>();
        assert_eq!(ids(&a), ids(&b));
        assert_eq!(a.users().len(), 5);
    }
}
