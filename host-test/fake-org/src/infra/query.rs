//! SCIM-style expressions for `search` and `filter` parameters: one tokenizer, parser and
//! evaluator; each listing supplies a [`Dialect`] that says which attributes, operators and
//! literals it takes. Anything a dialect refuses is a parse error (→ 400 E0000031).
//!
//! All dialects: `and`, `or`, parentheses; `and` binds tighter than `or`. Dialects that allow it
//! (the System Log) also take `not (…)` and `ew`. Multi-valued attributes match when any value
//! matches.

use std::borrow::Cow;
use std::cmp::Ordering;

use serde_json::Value;

use super::json::J;
use super::paging::SortVal;
use super::time::parse_iso_ms;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Eq,
    Sw,
    Co,
    Ew,
    Gt,
    Ge,
    Lt,
    Le,
}

impl Op {
    /// `gt`, `ge`, `lt`, `le`.
    pub fn is_range(self) -> bool {
        matches!(self, Op::Gt | Op::Ge | Op::Lt | Op::Le)
    }
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
    Not(Box<Expr>),
    Cmp { attr: String, op: Op, value: Lit },
    Present(String),
}

/// What one listing's `search` or `filter` accepts.
pub trait Dialect {
    /// Checks a comparison and returns the literal to compare with (e.g. a parsed date).
    fn comparison(&self, attr: &str, op: Op, value: Lit) -> Result<Lit, ()>;
    /// Whether `attr pr` is allowed.
    fn presence(&self, attr: &str) -> bool;
    /// Whether `not (…)` and `ew` are allowed.
    fn allows_not(&self) -> bool {
        false
    }
}

/// A date literal: an ISO-8601 string (or `null` with `eq`); dates take no `sw`/`co`/`ew`.
pub fn date_literal(op: Op, value: Lit) -> Result<Lit, ()> {
    if matches!(op, Op::Sw | Op::Co | Op::Ew) {
        return Err(());
    }
    match value {
        Lit::Str(s) => Ok(Lit::Date(parse_iso_ms(&s).ok_or(())?)),
        Lit::Null if op == Op::Eq => Ok(Lit::Null),
        _ => Err(()),
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Open,
    Close,
    Word(String),
    Str(String),
}

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

struct Parser<'d> {
    toks: Vec<Tok>,
    pos: usize,
    dialect: &'d dyn Dialect,
    depth: usize,
}

/// `a.b.c` with identifier segments.
pub fn is_attr_path(s: &str) -> bool {
    !s.is_empty()
        && s.split('.').all(|p| {
            !p.is_empty()
                && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !p.starts_with(|c: char| c.is_ascii_digit())
        })
}

impl Parser<'_> {
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

    fn group(&mut self) -> Result<Expr, ()> {
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

    fn factor(&mut self) -> Result<Expr, ()> {
        if self.peek_word("not") {
            if !self.dialect.allows_not() {
                return Err(());
            }
            self.pos += 1;
            if self.toks.get(self.pos) != Some(&Tok::Open) {
                return Err(());
            }
            return Ok(Expr::Not(Box::new(self.group()?)));
        }
        match self.toks.get(self.pos).cloned() {
            Some(Tok::Open) => self.group(),
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
                    return if self.dialect.presence(&attr) { Ok(Expr::Present(attr)) } else { Err(()) };
                }
                let op = match op.as_str() {
                    "eq" => Op::Eq,
                    "sw" => Op::Sw,
                    "co" => Op::Co,
                    "ew" if self.dialect.allows_not() => Op::Ew,
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
                let value = self.dialect.comparison(&attr, op, raw)?;
                Ok(Expr::Cmp { attr, op, value })
            }
            _ => Err(()),
        }
    }
}

/// Parses an expression in a dialect.
pub fn parse_with(input: &str, dialect: &dyn Dialect) -> Result<Expr, ()> {
    let toks = tokenize(input)?;
    // Bounded so evaluation (recursive over a left-deep tree) cannot exhaust the stack.
    if toks.is_empty() || toks.len() > MAX_TOKENS {
        return Err(());
    }
    let mut p = Parser { toks, pos: 0, dialect, depth: 0 };
    let expr = p.or()?;
    if p.pos != p.toks.len() {
        return Err(());
    }
    Ok(expr)
}

/// One value of an attribute.
#[derive(Clone, Debug)]
pub enum Val<'a> {
    Null,
    Str(Cow<'a, str>),
    /// epoch milliseconds
    Date(i64),
    Json(&'a Value),
    Doc(&'a J),
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
        Op::Ew => a.ends_with(b.as_ref()),
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
        Op::Sw | Op::Co | Op::Ew => false,
    }
}

fn cmp_num(x: Option<f64>, n: Option<f64>, op: Op) -> bool {
    x.zip(n).and_then(|(x, n)| x.partial_cmp(&n)).map(|o| cmp_ord(o, op)).unwrap_or(false)
}

fn cmp_json(v: &Value, op: Op, lit: &Lit, insensitive: bool) -> bool {
    match (v, lit) {
        (Value::Array(items), _) => items.iter().any(|i| cmp_json(i, op, lit, insensitive)),
        (Value::String(s), Lit::Str(l)) => cmp_str(s, l, op, insensitive),
        (Value::String(s), Lit::Num(n)) => cmp_num(s.parse().ok(), Some(*n), op),
        (Value::Number(x), Lit::Num(n)) => cmp_num(x.as_f64(), Some(*n), op),
        (Value::Number(x), Lit::Str(s)) => cmp_num(x.as_f64(), s.parse().ok(), op),
        (Value::Bool(b), Lit::Bool(l)) => op == Op::Eq && b == l,
        (Value::Bool(b), Lit::Str(s)) => op == Op::Eq && s.eq_ignore_ascii_case(if *b { "true" } else { "false" }),
        _ => false,
    }
}

fn cmp_doc(v: &J, op: Op, lit: &Lit, insensitive: bool) -> bool {
    match (v, lit) {
        (J::Arr(items), _) => items.iter().any(|i| cmp_doc(i, op, lit, insensitive)),
        (J::Str(s), Lit::Str(l)) => cmp_str(s, l, op, insensitive),
        (J::Str(s), Lit::Date(ms)) => parse_iso_ms(s).map(|x| cmp_ord(x.cmp(ms), op)).unwrap_or(false),
        (J::Str(s), Lit::Num(n)) => cmp_num(s.parse().ok(), Some(*n), op),
        (J::Num(x), Lit::Num(n)) => cmp_num(x.as_f64(), Some(*n), op),
        (J::Num(x), Lit::Str(s)) => cmp_num(x.as_f64(), s.parse().ok(), op),
        (J::Bool(b), Lit::Bool(l)) => op == Op::Eq && b == l,
        (J::Bool(b), Lit::Str(s)) => op == Op::Eq && s.eq_ignore_ascii_case(if *b { "true" } else { "false" }),
        _ => false,
    }
}

fn is_null(v: &Val) -> bool {
    matches!(v, Val::Null | Val::Json(Value::Null) | Val::Doc(J::Null))
}

fn cmp_val(v: &Val, op: Op, lit: &Lit, insensitive: bool) -> bool {
    match (v, lit) {
        (v, Lit::Null) => op == Op::Eq && is_null(v),
        (Val::Null, _) => false,
        (Val::Date(ms), Lit::Date(l)) => cmp_ord(ms.cmp(l), op),
        (Val::Date(_), _) => false,
        (Val::Str(s), Lit::Str(l)) => cmp_str(s, l, op, insensitive),
        (Val::Str(s), Lit::Date(l)) => parse_iso_ms(s).map(|x| cmp_ord(x.cmp(l), op)).unwrap_or(false),
        (Val::Str(_), _) => false,
        (Val::Json(v), lit) => cmp_json(v, op, lit, insensitive),
        (Val::Doc(v), lit) => cmp_doc(v, op, lit, insensitive),
    }
}

/// Evaluates an expression; `lookup` gives every value of an attribute of the subject.
pub fn eval<'a, F: Fn(&str) -> Vec<Val<'a>>>(expr: &Expr, lookup: &F, insensitive: bool) -> bool {
    match expr {
        Expr::And(a, b) => eval(a, lookup, insensitive) && eval(b, lookup, insensitive),
        Expr::Or(a, b) => eval(a, lookup, insensitive) || eval(b, lookup, insensitive),
        Expr::Not(e) => !eval(e, lookup, insensitive),
        Expr::Present(attr) => lookup(attr).iter().any(|v| !is_null(v)),
        Expr::Cmp { attr, op, value } => {
            let values = lookup(attr);
            if values.is_empty() {
                return *value == Lit::Null && *op == Op::Eq;
            }
            values.iter().any(|v| cmp_val(v, *op, value, insensitive))
        }
    }
}

/// Sort value of a value (case-insensitive for strings; `None` for null).
pub fn sort_val(v: Val) -> Option<SortVal> {
    match v {
        Val::Null | Val::Json(Value::Null) | Val::Doc(J::Null) => None,
        Val::Str(s) => Some(SortVal::Str(s.to_lowercase())),
        Val::Date(ms) => Some(SortVal::Num(ms)),
        Val::Json(Value::String(s)) => Some(SortVal::Str(s.to_lowercase())),
        Val::Json(Value::Number(n)) => n.as_i64().map(SortVal::Num).or_else(|| Some(SortVal::Str(n.to_string()))),
        Val::Json(other) => Some(SortVal::Str(other.to_string().to_lowercase())),
        Val::Doc(J::Str(s)) => Some(SortVal::Str(s.to_lowercase())),
        Val::Doc(other) => Some(SortVal::Str(String::from_utf8_lossy(&other.to_vec()).to_lowercase())),
    }
}
