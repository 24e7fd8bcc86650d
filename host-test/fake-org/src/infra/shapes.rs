//! Small JSON shapes the areas share: optional timestamps and `hints.allow` links.

use super::json::J;
use super::time::iso;

/// An optional resource timestamp (`null` when never set).
pub fn ts(v: Option<i64>) -> J {
    v.map(|s| J::s(iso(s))).unwrap_or(J::Null)
}

/// A `{href, hints:{allow:[…]}}` link (factors, event hooks, policies).
pub fn allow(href: String, methods: &[&str]) -> J {
    J::obj([("href", J::s(href)), ("hints", J::obj([("allow", J::Arr(methods.iter().map(|m| J::s(*m)).collect()))]))])
}
