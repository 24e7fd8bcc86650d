//! The subset of Okta Expression Language used by event-hook filters
//! (`events.filter.eventFilterMap[].condition.expression`), evaluated on a LogEvent:
//!
//! - `event.<path> eq 'v'` / `== 'v'` / `ne 'v'` / `!= 'v'` (any value at the path);
//! - `event.target.?[<field> eq 'v'].size() > n` (also `>= == != < <=`): how many targets
//!   have the field equal to the value;
//! - `&&`, `||`, `!`, parentheses.
//!
//! Expressions outside this subset do not filter (every event of the subscribed types is
//! delivered); [`parse`] tells them apart.

use crate::infra::json::J;

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Num(f64),
    Sym(&'static str),
}

const SYMS: [&str; 14] = [".?[", ".size()", "&&", "||", "==", "!=", ">=", "<=", ">", "<", "!", "(", ")", "]"];

fn tokenize(s: &str) -> Option<Vec<Tok>> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        if c.is_whitespace() {
            rest = &rest[c.len_utf8()..];
            continue;
        }
        if let Some(sym) = SYMS.iter().find(|x| rest.starts_with(**x)) {
            out.push(Tok::Sym(sym));
            rest = &rest[sym.len()..];
            continue;
        }
        if c == '\'' || c == '"' {
            let end = rest[1..].find(c)? + 1;
            out.push(Tok::Str(rest[1..end].to_string()));
            rest = &rest[end + 1..];
            continue;
        }
        let len = rest
            .char_indices()
            .find(|(i, ch)| {
                !(ch.is_ascii_alphanumeric()
                    || *ch == '_'
                    || *ch == '$'
                    || (*ch == '.' && !rest[*i..].starts_with(".?[") && !rest[*i..].starts_with(".size()")))
            })
            .map(|(i, _)| i)
            .unwrap_or(rest.len());
        if len == 0 {
            return None;
        }
        let word = &rest[..len];
        out.push(match word.parse::<f64>() {
            Ok(n) => Tok::Num(n),
            Err(_) => Tok::Ident(word.to_string()),
        });
        rest = &rest[len..];
    }
    Some(out)
}

/// A parsed filter condition.
#[derive(Clone, Debug, PartialEq)]
pub enum Cond {
    And(Box<Cond>, Box<Cond>),
    Or(Box<Cond>, Box<Cond>),
    Not(Box<Cond>),
    /// `event.<path> eq|ne 'v'`
    Path {
        path: String,
        equal: bool,
        value: String,
    },
    /// `event.target.?[<field> eq 'v'].size() <op> n`
    Count {
        field: String,
        value: String,
        op: &'static str,
        n: f64,
    },
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
}

impl Parser {
    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }
    fn eat(&mut self, sym: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Sym(s)) if *s == sym) {
            self.pos += 1;
            true
        } else {
            false
        }
    }
    fn or(&mut self) -> Option<Cond> {
        let mut left = self.and()?;
        while self.eat("||") {
            left = Cond::Or(Box::new(left), Box::new(self.and()?));
        }
        Some(left)
    }
    fn and(&mut self) -> Option<Cond> {
        let mut left = self.unary()?;
        while self.eat("&&") {
            left = Cond::And(Box::new(left), Box::new(self.unary()?));
        }
        Some(left)
    }
    fn equality(&mut self) -> Option<bool> {
        match self.next()? {
            Tok::Sym("==") => Some(true),
            Tok::Sym("!=") => Some(false),
            Tok::Ident(w) if w == "eq" => Some(true),
            Tok::Ident(w) if w == "ne" => Some(false),
            _ => None,
        }
    }
    fn unary(&mut self) -> Option<Cond> {
        if self.eat("!") {
            return Some(Cond::Not(Box::new(self.unary()?)));
        }
        if self.eat("(") {
            let c = self.or()?;
            return self.eat(")").then_some(c);
        }
        let Tok::Ident(path) = self.next()? else { return None };
        let path = path.strip_prefix("event.")?.to_string();
        if self.eat(".?[") {
            if path != "target" {
                return None;
            }
            let Tok::Ident(field) = self.next()? else { return None };
            if !self.equality()? {
                return None;
            }
            let Tok::Str(value) = self.next()? else { return None };
            if !(self.eat("]") && self.eat(".size()")) {
                return None;
            }
            let op = match self.next()? {
                Tok::Sym(s @ (">" | ">=" | "==" | "!=" | "<" | "<=")) => s,
                _ => return None,
            };
            let Tok::Num(n) = self.next()? else { return None };
            return Some(Cond::Count { field, value, op, n });
        }
        let equal = self.equality()?;
        let Tok::Str(value) = self.next()? else { return None };
        Some(Cond::Path { path, equal, value })
    }
}

/// Parses an expression of the subset; `None` for anything else.
pub fn parse(expression: &str) -> Option<Cond> {
    let mut p = Parser { toks: tokenize(expression)?, pos: 0 };
    let c = p.or()?;
    (p.pos == p.toks.len()).then_some(c)
}

impl Cond {
    /// Whether an event (LogEvent document) passes.
    pub fn passes(&self, event: &J) -> bool {
        match self {
            Cond::And(a, b) => a.passes(event) && b.passes(event),
            Cond::Or(a, b) => a.passes(event) || b.passes(event),
            Cond::Not(c) => !c.passes(event),
            Cond::Path { path, equal, value } => {
                let hit = event.values_at(path).iter().any(|v| v.as_str() == Some(value.as_str()));
                hit == *equal
            }
            Cond::Count { field, value, op, n } => {
                let count = match event.get("target") {
                    Some(J::Arr(items)) => {
                        items.iter().filter(|t| t.get(field).and_then(J::as_str) == Some(value.as_str())).count() as f64
                    }
                    _ => 0.0,
                };
                match *op {
                    ">" => count > *n,
                    ">=" => count >= *n,
                    "==" => count == *n,
                    "!=" => count != *n,
                    "<" => count < *n,
                    _ => count <= *n,
                }
            }
        }
    }
}

/// Whether an event passes a hook's `events.filter` (`null`, an unknown type of filter, no
/// entry for the event type, or an expression outside the subset all pass).
pub fn filter_passes(filter: &J, event_type: &str, event: &J) -> bool {
    if filter.get("type").and_then(J::as_str) != Some("EXPRESSION_LANGUAGE") {
        return true;
    }
    let Some(J::Arr(map)) = filter.get("eventFilterMap") else { return true };
    map.iter()
        .filter(|m| m.get("event").and_then(J::as_str) == Some(event_type))
        .filter_map(|m| m.get("condition").and_then(|c| c.get("expression")).and_then(J::as_str))
        .all(|expr| parse(expr).map(|c| c.passes(event)).unwrap_or(true))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(group: &str) -> J {
        J::parse(&format!(
            r#"{{"eventType":"group.user_membership.add","actor":{{"alternateId":"admin@example.com"}},"target":[{{"type":"User","displayName":"Ada"}},{{"type":"UserGroup","displayName":"{group}"}}]}}"#
        ))
        .unwrap()
    }

    #[test]
    fn the_documented_example() {
        let c =
            parse("event.target.?[type eq 'UserGroup'].size()>0 && event.target.?[displayName eq 'Sales'].size()>0")
                .unwrap();
        assert!(c.passes(&event("Sales")));
        assert!(!c.passes(&event("Support")));
    }

    #[test]
    fn paths_logic_and_unsupported() {
        let e = event("Sales");
        assert!(parse(r#"event.actor.alternateId == "admin@example.com""#).unwrap().passes(&e));
        assert!(parse("!(event.actor.alternateId eq 'x') || event.eventType ne 'y'").unwrap().passes(&e));
        assert!(!parse("event.target.?[type eq 'User'].size() >= 2").unwrap().passes(&e));
        assert!(parse("event.target.?[type eq 'User'].size() == 1").unwrap().passes(&e));
        for unsupported in [
            "user.profile.department eq 'x'",
            "event.target[0].id eq 'x'",
            "event.eventType eq",
            "String.len(event.x) > 1",
        ] {
            assert!(parse(unsupported).is_none(), "{unsupported}");
        }
        let filter = J::parse(r#"{"type":"EXPRESSION_LANGUAGE","eventFilterMap":[{"event":"group.user_membership.add","condition":{"version":null,"expression":"event.target.?[displayName eq 'Sales'].size()>0"}}]}"#).unwrap();
        assert!(filter_passes(&filter, "group.user_membership.add", &e));
        assert!(!filter_passes(&filter, "group.user_membership.add", &event("Support")));
        assert!(filter_passes(&filter, "user.lifecycle.create", &event("Support")), "no entry for the type");
        assert!(filter_passes(&J::Null, "x", &e));
    }
}
