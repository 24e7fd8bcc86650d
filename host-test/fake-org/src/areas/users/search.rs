//! The users' `search` and `filter` expressions, a dialect of the shared SCIM engine
//! ([`crate::infra::query`]).
//!
//! Users (`Mode`): `search` takes any profile attribute plus `id, status, created, activated,
//! statusChanged, lastUpdated, lastLogin, passwordChanged, type.id, realmId`, operators `eq, sw,
//! co, gt, ge, lt, le, pr` (`co` only on `profile.firstName/lastName/email/login`), string values
//! compared case-insensitively. `filter` takes only `status, lastUpdated, id, profile.login,
//! profile.email, profile.firstName, profile.lastName`, only `eq` except `gt/ge/lt/le` on
//! `lastUpdated`, values compared case-sensitively. Neither takes `ne` or `not`.

use std::borrow::Cow;

use serde_json::Value;

use super::model::User;
use crate::infra::paging::SortVal;
use crate::infra::query::{date_literal, eval, is_attr_path, parse_with, sort_val, Dialect, Expr, Lit, Op, Val};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Search,
    Filter,
}

/// Parsed user expression plus the mode that decides case sensitivity.
#[derive(Clone, Debug)]
pub struct Query {
    pub mode: Mode,
    pub expr: Expr,
}

const DATE_ATTRS: [&str; 6] = ["created", "activated", "statusChanged", "lastUpdated", "lastLogin", "passwordChanged"];
const PLAIN_ATTRS: [&str; 4] = ["id", "status", "type.id", "realmId"];
const CO_ATTRS: [&str; 4] = ["profile.firstName", "profile.lastName", "profile.email", "profile.login"];
const FILTER_ATTRS: [&str; 7] =
    ["status", "lastUpdated", "id", "profile.login", "profile.email", "profile.firstName", "profile.lastName"];

/// The users' `search` and `filter` rules.
struct UserDialect(Mode);

impl UserDialect {
    fn known_attr(&self, attr: &str) -> bool {
        match self.0 {
            Mode::Filter => FILTER_ATTRS.contains(&attr),
            Mode::Search => DATE_ATTRS.contains(&attr) || PLAIN_ATTRS.contains(&attr) || attr.starts_with("profile."),
        }
    }
}

impl Dialect for UserDialect {
    fn presence(&self, attr: &str) -> bool {
        self.0 == Mode::Search && self.known_attr(attr)
    }

    fn comparison(&self, attr: &str, op: Op, value: Lit) -> Result<Lit, ()> {
        if !self.known_attr(attr) {
            return Err(());
        }
        match self.0 {
            Mode::Filter => {
                if op != Op::Eq && !(attr == "lastUpdated" && op.is_range()) {
                    return Err(());
                }
                if !matches!(value, Lit::Str(_)) {
                    return Err(());
                }
            }
            Mode::Search => {
                if op == Op::Co && !CO_ATTRS.contains(&attr) {
                    return Err(());
                }
            }
        }
        if DATE_ATTRS.contains(&attr) {
            date_literal(op, value)
        } else {
            Ok(value)
        }
    }
}

/// Parses a user `search` or `filter` expression.
pub fn parse(input: &str, mode: Mode) -> Result<Query, ()> {
    Ok(Query { mode, expr: parse_with(input, &UserDialect(mode))? })
}

fn attr_of<'a>(u: &'a User, attr: &str) -> Val<'a> {
    let date = |v: Option<i64>| v.map(|s| Val::Date(s * 1000)).unwrap_or(Val::Null);
    match attr {
        "id" => Val::Str(Cow::Borrowed(&u.id)),
        "status" => Val::Str(Cow::Borrowed(u.status.as_str())),
        "type.id" => Val::Str(Cow::Borrowed(&u.type_id)),
        "realmId" => u.realm_id.as_deref().map(|r| Val::Str(Cow::Borrowed(r))).unwrap_or(Val::Null),
        "created" => Val::Date(u.created * 1000),
        "activated" => date(u.activated),
        "statusChanged" => date(u.status_changed),
        "lastUpdated" => Val::Date(u.last_updated * 1000),
        "lastLogin" => date(u.last_login),
        "passwordChanged" => date(u.password_changed),
        _ => match attr.strip_prefix("profile.").and_then(|k| u.profile.get(k)) {
            None | Some(Value::Null) => Val::Null,
            Some(v) => Val::Json(v),
        },
    }
}

impl Query {
    pub fn matches(&self, u: &User) -> bool {
        eval(&self.expr, &|attr: &str| vec![attr_of(u, attr)], self.mode == Mode::Search)
    }
}

/// Whether `sortBy` names an attribute `search` can sort on.
pub fn valid_sort_attr(attr: &str) -> bool {
    is_attr_path(attr) && (DATE_ATTRS.contains(&attr) || PLAIN_ATTRS.contains(&attr) || attr.starts_with("profile."))
}

/// Sort value of a user attribute.
pub fn sort_value(u: &User, attr: &str) -> Option<SortVal> {
    sort_val(attr_of(u, attr))
}

#[cfg(test)]
mod tests {
    use super::super::model::Status;
    use super::*;
    use serde_json::json;

    fn user() -> User {
        User {
            id: "00ue0000001abcdef8f7".into(),
            status: Status::Active,
            created: 1_700_000_000,
            activated: Some(1_700_000_100),
            status_changed: None,
            last_login: None,
            last_updated: 1_700_000_200,
            password_changed: None,
            realm_id: None,
            type_id: "otydefault".into(),
            profile: json!({"firstName":"Ada","lastName":"Lovelace","email":"ada@example.com","login":"ada@example.com","tags":["x","Beta"],"age":36,"vip":true})
                .as_object()
                .cloned()
                .unwrap(),
            password: None,
            recovery_question: None,
            provider: ("OKTA".into(), "OKTA".into()),
            admin: false,
        }
    }

    fn s(q: &str) -> bool {
        parse(q, Mode::Search).unwrap().matches(&user())
    }
    fn f(q: &str) -> bool {
        parse(q, Mode::Filter).unwrap().matches(&user())
    }

    #[test]
    fn search_semantics() {
        assert!(s(r#"profile.firstName eq "ada""#));
        assert!(s(r#"profile.lastName sw "love" and status eq "active""#));
        assert!(s(r#"profile.email co "EXAMPLE""#));
        assert!(s(r#"(status lt "STAGED" or status gt "STAGED") and profile.login pr"#));
        assert!(s(r#"created gt "2023-11-14T22:13:19.000Z""#));
        assert!(!s(r#"created gt "2023-11-14T22:13:20.000Z""#));
        assert!(s(r#"created ge "2023-11-14T22:13:20.000Z""#));
        assert!(s(r#"profile.tags eq "beta""#));
        assert!(s("profile.age ge 30"));
        assert!(s("profile.vip eq true"));
        assert!(!s("profile.nickName pr"));
        assert!(s(r#"profile.nickName eq "x" or id eq "00ue0000001abcdef8f7""#));
        assert!(s(r#"profile.firstName EQ "x" OR type.id eq "OTYDEFAULT""#));
        assert!(parse(r#"PROFILE.firstName eq "x""#, Mode::Search).is_err());
    }

    #[test]
    fn filter_semantics() {
        assert!(f(r#"status eq "ACTIVE""#));
        assert!(!f(r#"status eq "active""#));
        assert!(f(r#"lastUpdated gt "2023-01-01T00:00:00.000Z" and (profile.firstName eq "Ada" or id eq "x")"#));
        assert!(!f(r#"profile.firstName eq "ada""#));
    }

    #[test]
    fn invalid_expressions() {
        for q in [
            "",
            "status",
            r#"status eq"#,
            r#"status ne "ACTIVE""#,
            r#"not status eq "ACTIVE""#,
            r#"profile.city co "x""#,
            r#"created sw "2020""#,
            r#"created gt "yesterday""#,
            r#"status eq "ACTIVE" and"#,
            r#"(status eq "ACTIVE""#,
            r#"status eq "ACTIVE")"#,
            r#"status eq "unterminated"#,
            r#"foo eq "x""#,
            r#"status eq "A" xor id eq "b""#,
        ] {
            assert!(parse(q, Mode::Search).is_err(), "search should reject {q:?}");
        }
        for q in [
            r#"profile.city eq "x""#,
            r#"status sw "A""#,
            r#"created gt "2020-01-01T00:00:00.000Z""#,
            r#"id pr"#,
            r#"profile.login co "a""#,
            "status eq 1",
        ] {
            assert!(parse(q, Mode::Filter).is_err(), "filter should reject {q:?}");
        }
        let deep = format!("{}status eq \"A\"{}", "(".repeat(100), ")".repeat(100));
        assert!(parse(&deep, Mode::Search).is_err());
        let long = vec![r#"id eq "x""#; 5_000].join(" or ");
        assert!(parse(&long, Mode::Search).is_err());
    }
}
