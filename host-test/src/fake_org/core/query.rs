//! A small SCIM-style expression language for `GET /users?search=` and `?filter=`.
//!
//! `search`: any profile attribute plus `id, status, created, activated, statusChanged,
//! lastUpdated, lastLogin, passwordChanged, type.id, realmId`; operators `eq, sw, co, gt, ge, lt,
//! le, pr` (`co` only on `profile.firstName/lastName/email/login`); `and`, `or`, parentheses;
//! string values compared case-insensitively.
//!
//! `filter`: only `status, lastUpdated, id, profile.login, profile.email, profile.firstName,
//! profile.lastName`; only `eq`, except `lastUpdated` which also takes `gt/ge/lt/le`; `and`,
//! `or`, parentheses; values compared case-sensitively.
//!
//! Neither supports `ne` or `not`. Anything invalid is a parse error (→ 400 E0000031).

use std::borrow::Cow;
use std::cmp::Ordering;

use serde_json::Value;

use super::paging::SortVal;
use super::state::User;
use super::time::parse_iso_ms;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Search,
    Filter,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Eq,
    Sw,
    Co,
    Gt,
    Ge,
    Lt,
    Le,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Lit {
    Str(String),
    Num(f64),
    Bool(bool),
    Null,
    /// epoch milliseconds (values compared with date attributes)
    Date(i64),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Cmp { attr: String, op: Op, value: Lit },
    Present(String),
}

/// Parsed expression plus the mode that decides case sensitivity.
#[derive(Clone, Debug)]
pub struct Query {
    pub mode: Mode,
    pub expr: Expr,
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Open,
    Close,
    Word(String),
    Str(String),
}

const DATE_ATTRS: [&str; 6] = ["created", "activated", "statusChanged", "lastUpdated", "lastLogin", "passwordChanged"];
const PLAIN_ATTRS: [&str; 4] = ["id", "status", "type.id", "realmId"];
const CO_ATTRS: [&str; 4] = ["profile.firstName", "profile.lastName", "profile.email", "profile.login"];
const FILTER_ATTRS: [&str; 7] =
    ["status", "lastUpdated", "id", "profile.login", "profile.email", "profile.firstName", "profile.lastName"];
const MAX_DEPTH: usize = 32;
const MAX_TOKENS: usize = 1_000;

fn tokenize(input: &str) -> Result<Vec<Tok>, ()> {
    let mut out = Vec::new();
    let mut chars = input.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' => {
                chars.next();
                out.push(Tok::Open);
            }
            ')' => {
                chars.next();
                out.push(Tok::Close);
            }
            '"' => {
                chars.next();
                let mut s = String::new();
                loop {
                    match chars.next() {
                        None => return Err(()),
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(e) => s.push(e),
                            None => return Err(()),
                        },
                        Some(ch) => s.push(ch),
                    }
                }
                out.push(Tok::Str(s));
            }
            _ => {
                let mut w = String::new();
                while let Some(&ch) = chars.peek() {
                    if ch.is_whitespace() || ch == '(' || ch == ')' || ch == '"' {
                        break;
                    }
                    w.push(ch);
                    chars.next();
                }
                out.push(Tok::Word(w));
            }
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
    mode: Mode,
    depth: usize,
}

fn is_attr_path(s: &str) -> bool {
    !s.is_empty()
        && s.split('.').all(|p| {
            !p.is_empty()
                && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !p.starts_with(|c: char| c.is_ascii_digit())
        })
}

impl Parser {
    fn peek_word(&self, w: &str) -> bool {
        matches!(self.toks.get(self.pos), Some(Tok::Word(x)) if x.eq_ignore_ascii_case(w))
    }

    fn or(&mut self) -> Result<Expr, ()> {
        let mut left = self.and()?;
        while self.peek_word("or") {
            self.pos += 1;
            let right = self.and()?;
            left = Expr::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, ()> {
        let mut left = self.factor()?;
        while self.peek_word("and") {
            self.pos += 1;
            let right = self.factor()?;
            left = Expr::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn factor(&mut self) -> Result<Expr, ()> {
        match self.toks.get(self.pos).cloned() {
            Some(Tok::Open) => {
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return Err(());
                }
                self.pos += 1;
                let e = self.or()?;
                if self.toks.get(self.pos) != Some(&Tok::Close) {
                    return Err(());
                }
                self.pos += 1;
                self.depth -= 1;
                Ok(e)
            }
            Some(Tok::Word(attr)) => {
                if ["and", "or", "not"].iter().any(|k| attr.eq_ignore_ascii_case(k)) || !is_attr_path(&attr) {
                    return Err(());
                }
                self.pos += 1;
                let op = match self.toks.get(self.pos) {
                    Some(Tok::Word(op)) => op.to_ascii_lowercase(),
                    _ => return Err(()),
                };
                self.pos += 1;
                if op == "pr" {
                    return self.check_present(attr);
                }
                let op = match op.as_str() {
                    "eq" => Op::Eq,
                    "sw" => Op::Sw,
                    "co" => Op::Co,
                    "gt" => Op::Gt,
                    "ge" => Op::Ge,
                    "lt" => Op::Lt,
                    "le" => Op::Le,
                    _ => return Err(()),
                };
                let raw = match self.toks.get(self.pos) {
                    Some(Tok::Str(s)) => Lit::Str(s.clone()),
                    Some(Tok::Word(w)) => match w.to_ascii_lowercase().as_str() {
                        "true" => Lit::Bool(true),
                        "false" => Lit::Bool(false),
                        "null" => Lit::Null,
                        _ => Lit::Num(w.parse::<f64>().map_err(|_| ())?),
                    },
                    _ => return Err(()),
                };
                self.pos += 1;
                self.check_cmp(attr, op, raw)
            }
            _ => Err(()),
        }
    }

    fn check_present(&self, attr: String) -> Result<Expr, ()> {
        if self.mode == Mode::Filter || !self.known_attr(&attr) {
            return Err(());
        }
        Ok(Expr::Present(attr))
    }

    fn known_attr(&self, attr: &str) -> bool {
        match self.mode {
            Mode::Filter => FILTER_ATTRS.contains(&attr),
            Mode::Search => DATE_ATTRS.contains(&attr) || PLAIN_ATTRS.contains(&attr) || attr.starts_with("profile."),
        }
    }

    fn check_cmp(&self, attr: String, op: Op, value: Lit) -> Result<Expr, ()> {
        if !self.known_attr(&attr) {
            return Err(());
        }
        let is_date = DATE_ATTRS.contains(&attr.as_str());
        match self.mode {
            Mode::Filter => {
                let range_ok = attr == "lastUpdated";
                if op != Op::Eq && !(range_ok && matches!(op, Op::Gt | Op::Ge | Op::Lt | Op::Le)) {
                    return Err(());
                }
                if !matches!(value, Lit::Str(_)) {
                    return Err(());
                }
            }
            Mode::Search => {
                if op == Op::Co && !CO_ATTRS.contains(&attr.as_str()) {
                    return Err(());
                }
                if is_date && matches!(op, Op::Sw | Op::Co) {
                    return Err(());
                }
            }
        }
        let value = if is_date {
            match value {
                Lit::Str(s) => Lit::Date(parse_iso_ms(&s).ok_or(())?),
                Lit::Null if op == Op::Eq => Lit::Null,
                _ => return Err(()),
            }
        } else {
            value
        };
        Ok(Expr::Cmp { attr, op, value })
    }
}

/// Parses a `search` or `filter` expression.
pub fn parse(input: &str, mode: Mode) -> Result<Query, ()> {
    let toks = tokenize(input)?;
    // Bounded so evaluation (recursive over a left-deep tree) cannot exhaust the stack.
    if toks.is_empty() || toks.len() > MAX_TOKENS {
        return Err(());
    }
    let mut p = Parser { toks, pos: 0, mode, depth: 0 };
    let expr = p.or()?;
    if p.pos != p.toks.len() {
        return Err(());
    }
    Ok(Query { mode, expr })
}

/// The value of an attribute of a user.
enum Attr<'a> {
    Null,
    Str(Cow<'a, str>),
    Date(i64),
    Json(&'a Value),
}

fn attr_of<'a>(u: &'a User, attr: &str) -> Attr<'a> {
    let date = |v: Option<i64>| v.map(|s| Attr::Date(s * 1000)).unwrap_or(Attr::Null);
    match attr {
        "id" => Attr::Str(Cow::Borrowed(&u.id)),
        "status" => Attr::Str(Cow::Borrowed(u.status.as_str())),
        "type.id" => Attr::Str(Cow::Borrowed(&u.type_id)),
        "realmId" => u.realm_id.as_deref().map(|r| Attr::Str(Cow::Borrowed(r))).unwrap_or(Attr::Null),
        "created" => Attr::Date(u.created * 1000),
        "activated" => date(u.activated),
        "statusChanged" => date(u.status_changed),
        "lastUpdated" => Attr::Date(u.last_updated * 1000),
        "lastLogin" => date(u.last_login),
        "passwordChanged" => date(u.password_changed),
        _ => match attr.strip_prefix("profile.").and_then(|k| u.profile.get(k)) {
            None | Some(Value::Null) => Attr::Null,
            Some(v) => Attr::Json(v),
        },
    }
}

fn cmp_str(a: &str, b: &str, op: Op, insensitive: bool) -> bool {
    if insensitive && a.is_ascii() && b.is_ascii() {
        // Fast paths without allocation.
        match op {
            Op::Eq => return a.eq_ignore_ascii_case(b),
            Op::Sw => return a.len() >= b.len() && a.as_bytes()[..b.len()].eq_ignore_ascii_case(b.as_bytes()),
            _ => {}
        }
    }
    let (a, b): (Cow<str>, Cow<str>) =
        if insensitive { (a.to_lowercase().into(), b.to_lowercase().into()) } else { (a.into(), b.into()) };
    match op {
        Op::Eq => a == b,
        Op::Sw => a.starts_with(b.as_ref()),
        Op::Co => a.contains(b.as_ref()),
        Op::Gt => a > b,
        Op::Ge => a >= b,
        Op::Lt => a < b,
        Op::Le => a <= b,
    }
}

fn cmp_ord(o: Ordering, op: Op) -> bool {
    match op {
        Op::Eq => o == Ordering::Equal,
        Op::Gt => o == Ordering::Greater,
        Op::Ge => o != Ordering::Less,
        Op::Lt => o == Ordering::Less,
        Op::Le => o != Ordering::Greater,
        Op::Sw | Op::Co => false,
    }
}

fn cmp_json(v: &Value, op: Op, lit: &Lit, insensitive: bool) -> bool {
    match (v, lit) {
        (Value::Array(items), _) => items.iter().any(|i| cmp_json(i, op, lit, insensitive)),
        (Value::String(s), Lit::Str(l)) => cmp_str(s, l, op, insensitive),
        (Value::String(s), Lit::Num(n)) => {
            s.parse::<f64>().ok().and_then(|x| x.partial_cmp(n)).map(|o| cmp_ord(o, op)).unwrap_or(false)
        }
        (Value::Number(x), Lit::Num(n)) => {
            x.as_f64().and_then(|x| x.partial_cmp(n)).map(|o| cmp_ord(o, op)).unwrap_or(false)
        }
        (Value::Number(x), Lit::Str(s)) => s
            .parse::<f64>()
            .ok()
            .zip(x.as_f64())
            .and_then(|(n, x)| x.partial_cmp(&n))
            .map(|o| cmp_ord(o, op))
            .unwrap_or(false),
        (Value::Bool(b), Lit::Bool(l)) => op == Op::Eq && b == l,
        (Value::Bool(b), Lit::Str(s)) => op == Op::Eq && s.eq_ignore_ascii_case(if *b { "true" } else { "false" }),
        _ => false,
    }
}

fn eval(expr: &Expr, u: &User, insensitive: bool) -> bool {
    match expr {
        Expr::And(a, b) => eval(a, u, insensitive) && eval(b, u, insensitive),
        Expr::Or(a, b) => eval(a, u, insensitive) || eval(b, u, insensitive),
        Expr::Present(attr) => !matches!(attr_of(u, attr), Attr::Null),
        Expr::Cmp { attr, op, value } => match (attr_of(u, attr), value) {
            (Attr::Null, Lit::Null) => *op == Op::Eq,
            (Attr::Null, _) | (_, Lit::Null) => false,
            (Attr::Date(ms), Lit::Date(l)) => cmp_ord(ms.cmp(l), *op),
            (Attr::Date(_), _) => false,
            (Attr::Str(s), Lit::Str(l)) => cmp_str(&s, l, *op, insensitive),
            (Attr::Str(_), _) => false,
            (Attr::Json(v), lit) => cmp_json(v, *op, lit, insensitive),
        },
    }
}

impl Query {
    pub fn matches(&self, u: &User) -> bool {
        eval(&self.expr, u, self.mode == Mode::Search)
    }
}

/// Whether `sortBy` names an attribute `search` can sort on.
pub fn valid_sort_attr(attr: &str) -> bool {
    is_attr_path(attr) && (DATE_ATTRS.contains(&attr) || PLAIN_ATTRS.contains(&attr) || attr.starts_with("profile."))
}

/// Sort value of an attribute (case-insensitive for strings; `None` for null).
pub fn sort_value(u: &User, attr: &str) -> Option<SortVal> {
    match attr_of(u, attr) {
        Attr::Null => None,
        Attr::Str(s) => Some(SortVal::Str(s.to_lowercase())),
        Attr::Date(ms) => Some(SortVal::Num(ms)),
        Attr::Json(Value::String(s)) => Some(SortVal::Str(s.to_lowercase())),
        Attr::Json(Value::Number(n)) => n.as_i64().map(SortVal::Num).or_else(|| Some(SortVal::Str(n.to_string()))),
        Attr::Json(other) => Some(SortVal::Str(other.to_string().to_lowercase())),
    }
}

#[cfg(test)]
mod tests {
    use super::super::state::Status;
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
