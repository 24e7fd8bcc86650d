//! New Users and Updated Users: `GET /api/v1/users?search=<attr> ge "<lower>"&sortBy=<attr>`
//! with `attr` = `created` or `lastUpdated`.
//!
//! The cursor is the largest value of `attr` seen in the data, never the worker's clock. Each
//! poll reads again from a minute before the cursor (`search` is eventually consistent: a user
//! indexed late must still come) and skips what it already emitted, kept in the state for that
//! minute: users at the same millisecond are neither skipped nor repeated. A poll reads at
//! most 10 pages; when there is more, the state keeps the listing's cursor and the next poll
//! continues that listing. A first run records where the data stands and returns nothing.

use super::state::{self, push_bounded};
use super::Poll;
use crate::error::Error;
use crate::okta::{Flow, Okta, Page, Paging, Request};
use crate::timestamp::{iso, parse_iso};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::time::Duration;

/// How far before the cursor each poll reads again.
pub const OVERLAP: Duration = Duration::from_secs(60);
const PAGE: u32 = 200;
const MAX_PAGES: usize = 10;
/// Keys remembered for the overlap, at most.
const RECENT: usize = 5000;
/// Before every user: the lower bound of a directory with no user yet.
const EPOCH: &str = "1970-01-01T00:00:00.000Z";

/// Which trigger.
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum Kind {
    New,
    Updated,
}

impl Kind {
    fn attr(self) -> &'static str {
        match self {
            Kind::New => "created",
            Kind::Updated => "lastUpdated",
        }
    }
    /// What makes a record new: a user once (New), each update of a user once (Updated).
    fn key(self, user: &Value, ts: &str) -> Option<String> {
        let id = user.get("id")?.as_str()?;
        Some(match self {
            Kind::New => id.to_string(),
            Kind::Updated => format!("{id}@{ts}"),
        })
    }
}

#[derive(Serialize, Deserialize, Clone, Debug, Default)]
struct UsersState {
    v: u32,
    attr: String,
    /// The largest `attr` seen (Okta's own text), absent while the directory is empty.
    cursor: Option<String>,
    /// Keys emitted (or present at the first run) within the overlap, with their time (ms).
    recent: Vec<(String, i64)>,
    /// A listing left unfinished: its lower bound and `after` cursor.
    scan: Option<(String, String)>,
}

pub fn poll(_: &Okta, kind: Kind, previous: Option<&str>) -> Result<Flow<Poll>, Error> {
    let attr = kind.attr();
    match state::decode::<UsersState>(previous)?.filter(|s| s.attr == attr) {
        Some(st) => {
            let (lower, after) = match &st.scan {
                Some((lower, after)) => (lower.clone(), Some(after.clone())),
                None => (lower_bound(st.cursor.as_deref())?, None),
            };
            Ok(read(kind, listing(attr, &lower, "asc", after.as_deref()), lower, st, Vec::new(), 1, false))
        }
        None => Ok(first_run(kind)),
    }
}

/// A minute before the cursor (or the epoch for an empty directory).
fn lower_bound(cursor: Option<&str>) -> Result<String, Error> {
    match cursor {
        None => Ok(EPOCH.to_string()),
        Some(c) => {
            let ms = parse_iso(c).ok_or_else(|| Error::input("state", "holds a cursor that is not a timestamp"))?;
            Ok(iso_ms(ms - OVERLAP.as_millis() as i64))
        }
    }
}

fn iso_ms(ms: i64) -> String {
    iso(std::time::UNIX_EPOCH + Duration::from_millis(ms.max(0) as u64))
}

fn listing(attr: &str, lower: &str, order: &str, after: Option<&str>) -> Request {
    Request::get("/api/v1/users")
        .query("search", format!("{attr} ge \"{lower}\""))
        .query("sortBy", attr)
        .query("sortOrder", order)
        .query_opt("after", after)
        .query("limit", PAGE)
}

/// The newest user sets the cursor; the minute before it is remembered, not returned.
fn first_run(kind: Kind) -> Flow<Poll> {
    let attr = kind.attr();
    let newest = Request::get("/api/v1/users")
        .query("search", format!("{attr} gt \"{EPOCH}\""))
        .query("sortBy", attr)
        .query("sortOrder", "desc")
        .query("limit", 1);
    newest.send_pages(Paging::new(false)).and_then(move |page: Page| {
        let users: Vec<Value> = serde_json::from_str(&page.items).unwrap_or_default();
        let st = UsersState { v: state::VERSION, attr: attr.to_string(), ..UsersState::default() };
        let Some(cursor) = users.first().and_then(|u| u.get(attr)).and_then(Value::as_str).map(str::to_string) else {
            return Flow::done(Poll { items: Vec::new(), state: state::encode(&st) });
        };
        let lower = match lower_bound(Some(&cursor)) {
            Ok(l) => l,
            Err(e) => return Flow::fail(e),
        };
        let st = UsersState { cursor: Some(cursor), ..st };
        // Read the overlap as a normal poll would, then drop what it found: known, not new.
        read(kind, listing(attr, &lower, "asc", None), lower, st, Vec::new(), 1, true)
    })
}

/// Reads one page of the listing from `lower` and decides whether to read the next.
fn read(
    kind: Kind,
    request: Request,
    lower: String,
    mut st: UsersState,
    mut items: Vec<Value>,
    pages: usize,
    first_run: bool,
) -> Flow<Poll> {
    let attr = kind.attr();
    request.send_pages(Paging::new(false)).and_then(move |page: Page| {
        let users: Vec<Value> = match serde_json::from_str(&page.items) {
            Ok(u) => u,
            Err(_) => return Flow::fail(Error::UnexpectedResponse("the users page is not a JSON array".into())),
        };
        for user in users {
            let Some(ts) = user.get(attr).and_then(Value::as_str).map(str::to_string) else { continue };
            let (Some(ms), Some(key)) = (parse_iso(&ts), kind.key(&user, &ts)) else { continue };
            if st.recent.iter().any(|(k, _)| *k == key) {
                continue;
            }
            push_bounded(&mut st.recent, (key, ms), RECENT);
            let newer = st.cursor.as_deref().and_then(parse_iso).is_none_or(|c| ms > c);
            if newer {
                st.cursor = Some(ts);
            }
            if !first_run {
                items.push(user);
            }
        }
        match page.next_cursor {
            Some(after) if pages < MAX_PAGES => {
                let next = listing(attr, &lower, "asc", Some(&after));
                read(kind, next, lower, st, items, pages + 1, first_run)
            }
            rest => {
                // Unfinished: the next poll continues this listing.
                st.scan = rest.map(|after| (lower, after));
                if let Some(c) = st.cursor.as_deref().and_then(parse_iso) {
                    let keep_from = c - OVERLAP.as_millis() as i64;
                    st.recent.retain(|(_, ms)| *ms >= keep_from);
                }
                Flow::done(Poll { items, state: state::encode(&st) })
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::okta::request::Answer;
    use crate::okta::testing::{drive, expect};

    fn page(items: Value, next: Option<&str>) -> Answer {
        Answer::Page(Page { items: items.to_string(), next_cursor: next.map(str::to_string), capped: false })
    }

    fn user(id: &str, created: &str) -> Value {
        serde_json::json!({ "id": id, "created": created, "lastUpdated": created })
    }

    const T0: &str = "2026-11-30T10:00:00.000Z";
    const T1: &str = "2026-11-30T10:00:05.000Z";
    const LOWER0: &str = "2026-11-30T09:59:00.000Z";

    fn q(search: &str, order: &str, after: Option<&str>, limit: u32) -> String {
        let mut r =
            Request::get("/api/v1/users").query("search", search).query("sortBy", "created").query("sortOrder", order);
        r = r.query_opt("after", after).query("limit", limit);
        crate::okta::testing::target(&r)
    }

    #[test]
    fn first_run_returns_nothing_then_ties_come_once() {
        let out = drive(
            poll(&Okta::for_tests(), Kind::New, None).unwrap(),
            vec![
                expect("GET", &q(&format!("created gt \"{EPOCH}\""), "desc", None, 1))
                    .answer(page(serde_json::json!([user("b", T0)]), None)),
                expect("GET", &q(&format!("created ge \"{LOWER0}\""), "asc", None, 200))
                    .answer(page(serde_json::json!([user("a", T0), user("b", T0)]), None)),
            ],
        )
        .unwrap();
        assert!(out.items.is_empty(), "a first run returns nothing");

        // c at the same millisecond as a and b, d later: both new, a and b not again.
        let out = drive(
            poll(&Okta::for_tests(), Kind::New, Some(&out.state)).unwrap(),
            vec![expect("GET", &q(&format!("created ge \"{LOWER0}\""), "asc", None, 200))
                .answer(page(serde_json::json!([user("a", T0), user("b", T0), user("c", T0), user("d", T1)]), None))],
        )
        .unwrap();
        let ids: Vec<&str> = out.items.iter().map(|u| u["id"].as_str().unwrap()).collect();
        assert_eq!(ids, ["c", "d"]);
        let st: UsersState = serde_json::from_str(&out.state).unwrap();
        assert_eq!(st.cursor.as_deref(), Some(T1));
    }

    #[test]
    fn a_long_listing_continues_in_the_next_poll() {
        let st = UsersState { v: 1, attr: "created".into(), cursor: Some(T0.into()), recent: vec![], scan: None };
        let mut steps = Vec::new();
        for i in 0..MAX_PAGES {
            let after = (i > 0).then(|| format!("p{i}"));
            steps.push(
                expect("GET", &q(&format!("created ge \"{LOWER0}\""), "asc", after.as_deref(), 200))
                    .answer(page(serde_json::json!([user(&format!("u{i}"), T1)]), Some(&format!("p{}", i + 1)))),
            );
        }
        let out = drive(poll(&Okta::for_tests(), Kind::New, Some(&state::encode(&st))).unwrap(), steps).unwrap();
        assert_eq!(out.items.len(), MAX_PAGES);
        let st: UsersState = serde_json::from_str(&out.state).unwrap();
        assert_eq!(st.scan, Some((LOWER0.to_string(), format!("p{MAX_PAGES}"))));
        let out = drive(
            poll(&Okta::for_tests(), Kind::New, Some(&out.state)).unwrap(),
            vec![expect("GET", &q(&format!("created ge \"{LOWER0}\""), "asc", Some("p10"), 200))
                .answer(page(serde_json::json!([user("last", T1)]), None))],
        )
        .unwrap();
        assert_eq!(out.items.len(), 1);
        let st: UsersState = serde_json::from_str(&out.state).unwrap();
        assert_eq!(st.scan, None);
    }

    #[test]
    fn updates_are_keyed_by_time() {
        let user_at = |t: &str| serde_json::json!({ "id": "u", "created": T0, "lastUpdated": t });
        assert_ne!(Kind::Updated.key(&user_at(T0), T0), Kind::Updated.key(&user_at(T1), T1));
        assert_eq!(Kind::New.key(&user_at(T0), T0), Kind::New.key(&user_at(T1), T1));
    }
}
