//! Order-preserving JSON. Okta emits keys in a fixed order (user: `id, status, created, …`;
//! errors: `errorCode, errorSummary, errorLink, errorId, errorCauses`), and the workspace's
//! `serde_json` sorts object keys, so the fake org builds its answers with [`J`] instead of
//! `Value`, and tests read them back with it to check the order.
//!
//! serde_json's `preserve_order` feature would do the same, but features unify across the
//! workspace's host builds: it would also change the key order the CLI prints and the map the
//! guest's native unit tests run with (the component itself, built alone, would keep sorted
//! maps).

use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::Value;

/// A JSON value whose objects keep insertion order.
#[derive(Clone, Debug, PartialEq)]
pub enum J {
    Null,
    Bool(bool),
    Num(serde_json::Number),
    Str(String),
    Arr(Vec<J>),
    Obj(Vec<(String, J)>),
}

impl J {
    /// Object from `(key, value)` pairs, in order.
    pub fn obj<K: Into<String>>(pairs: impl IntoIterator<Item = (K, J)>) -> J {
        J::Obj(pairs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }
    pub fn empty_obj() -> J {
        J::Obj(Vec::new())
    }
    pub fn s(v: impl Into<String>) -> J {
        J::Str(v.into())
    }
    /// `null` or the string.
    pub fn opt_s(v: Option<impl Into<String>>) -> J {
        v.map(|s| J::Str(s.into())).unwrap_or(J::Null)
    }
    /// Appends a key to an object (no-op for other variants).
    pub fn push(&mut self, key: impl Into<String>, value: J) {
        if let J::Obj(pairs) = self {
            pairs.push((key.into(), value));
        }
    }
    pub fn to_vec(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_else(|_| b"null".to_vec())
    }
    /// Converts to a `serde_json::Value` (loses key order).
    pub fn to_value(&self) -> Value {
        serde_json::from_slice(&self.to_vec()).unwrap_or(Value::Null)
    }
    /// Parses JSON text keeping object key order.
    pub fn parse(text: &str) -> Option<J> {
        serde_json::from_str(text).ok()
    }
    /// Member of an object.
    pub fn get(&self, key: &str) -> Option<&J> {
        match self {
            J::Obj(pairs) => pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
    /// The keys of an object, in order (none for other variants).
    pub fn keys(&self) -> Vec<String> {
        match self {
            J::Obj(pairs) => pairs.iter().map(|(k, _)| k.clone()).collect(),
            _ => Vec::new(),
        }
    }
    /// The elements of an array (none for other variants).
    pub fn items(&self) -> &[J] {
        match self {
            J::Arr(items) => items,
            _ => &[],
        }
    }
    pub fn as_str(&self) -> Option<&str> {
        match self {
            J::Str(s) => Some(s),
            _ => None,
        }
    }
    /// Every value at a dotted path (`target.id`), descending into arrays on the way, as SCIM
    /// filters treat multi-valued attributes.
    pub fn values_at<'a>(&'a self, path: &str) -> Vec<&'a J> {
        let mut current: Vec<&J> = vec![self];
        for seg in path.split('.') {
            let mut next = Vec::new();
            for v in current {
                collect_member(v, seg, &mut next);
            }
            current = next;
        }
        let mut out = Vec::new();
        for v in current {
            match v {
                J::Arr(items) => out.extend(items.iter()),
                other => out.push(other),
            }
        }
        out
    }
}

fn collect_member<'a>(v: &'a J, key: &str, out: &mut Vec<&'a J>) {
    match v {
        J::Obj(_) => out.extend(v.get(key)),
        J::Arr(items) => items.iter().for_each(|i| collect_member(i, key, out)),
        _ => {}
    }
}

impl From<&Value> for J {
    fn from(v: &Value) -> J {
        match v {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Number(n) => J::Num(n.clone()),
            Value::String(s) => J::Str(s.clone()),
            Value::Array(a) => J::Arr(a.iter().map(J::from).collect()),
            Value::Object(m) => J::Obj(m.iter().map(|(k, v)| (k.clone(), J::from(v))).collect()),
        }
    }
}

impl From<Value> for J {
    fn from(v: Value) -> J {
        J::from(&v)
    }
}

impl From<&str> for J {
    fn from(s: &str) -> J {
        J::Str(s.to_string())
    }
}

impl From<String> for J {
    fn from(s: String) -> J {
        J::Str(s)
    }
}

impl From<bool> for J {
    fn from(b: bool) -> J {
        J::Bool(b)
    }
}

impl From<i64> for J {
    fn from(n: i64) -> J {
        J::Num(n.into())
    }
}

impl Serialize for J {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            J::Null => s.serialize_unit(),
            J::Bool(b) => s.serialize_bool(*b),
            J::Num(n) => n.serialize(s),
            J::Str(v) => s.serialize_str(v),
            J::Arr(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            J::Obj(pairs) => {
                let mut map = s.serialize_map(Some(pairs.len()))?;
                for (k, v) in pairs {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

struct JVisitor;

impl<'de> Visitor<'de> for JVisitor {
    type Value = J;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("JSON")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<J, A::Error> {
        let mut out = Vec::new();
        while let Some(k) = m.next_key::<String>()? {
            out.push((k, m.next_value::<J>()?));
        }
        Ok(J::Obj(out))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<J, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = s.next_element::<J>()? {
            out.push(v);
        }
        Ok(J::Arr(out))
    }
    fn visit_bool<E>(self, v: bool) -> Result<J, E> {
        Ok(J::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<J, E> {
        Ok(J::Num(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<J, E> {
        Ok(J::Num(v.into()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<J, E> {
        Ok(serde_json::Number::from_f64(v).map(J::Num).unwrap_or(J::Null))
    }
    fn visit_str<E>(self, v: &str) -> Result<J, E> {
        Ok(J::Str(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<J, E> {
        Ok(J::Str(v))
    }
    fn visit_unit<E>(self) -> Result<J, E> {
        Ok(J::Null)
    }
    fn visit_none<E>(self) -> Result<J, E> {
        Ok(J::Null)
    }
}

impl<'de> Deserialize<'de> for J {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<J, D::Error> {
        d.deserialize_any(JVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_order() {
        let j = J::obj([("b", J::s("1")), ("a", J::Null), ("c", J::Arr(vec![J::Bool(true)]))]);
        assert_eq!(String::from_utf8(j.to_vec()).unwrap(), r#"{"b":"1","a":null,"c":[true]}"#);
    }

    #[test]
    fn parses_in_order_and_walks_paths() {
        let j = J::parse(r#"{"z":1,"target":[{"id":"a","type":"User"},{"id":"b"}],"a":{"b":"c"}}"#).unwrap();
        assert_eq!(
            String::from_utf8(j.to_vec()).unwrap(),
            r#"{"z":1,"target":[{"id":"a","type":"User"},{"id":"b"}],"a":{"b":"c"}}"#
        );
        let ids: Vec<&str> = j.values_at("target.id").iter().filter_map(|v| v.as_str()).collect();
        assert_eq!(ids, ["a", "b"]);
        assert_eq!(j.values_at("a.b")[0].as_str(), Some("c"));
        assert!(j.values_at("a.x").is_empty());
    }
}
