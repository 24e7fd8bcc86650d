//! The System Log: `GET /api/v1/logs`.
//!
//! Two kinds of query, as Okta documents and the only recording shows (RECORDED-NOTES §2):
//! - **polling** (no `until`, `sortOrder=ASCENDING`): events in order of internal persistence
//!   time, `since` bounds persistence time, only events already persisted are visible, and
//!   `rel="next"` is always there; on an empty page it equals `self`, the "caught up" signal;
//! - **bounded** (`until` given, or `DESCENDING`): events by `published` within
//!   `[since, until)`, finite, `next` only when more follow.
//!
//! `since` defaults to 7 days before `until` (or now) and may not be more than 180 days back
//! (400 E0000053). `after` is `<epoch-ms>_<n>`: the sort time of the last event served and its
//! position among events of that millisecond; Okta's own next link keeps `since` beside it, so
//! both together are accepted. `filter` is SCIM with `eq sw co ew pr gt ge lt le`, `and or
//! not ()`, on any event attribute (bad expressions 400 E0000031; `co` on the debug URL fields
//! is refused, as documented); values are compared case-sensitively. `q` takes up to 10
//! keywords of at most 40 characters, each matching a word of the event (case-insensitive).
//! `limit` is 0–1000 (default 100; larger values are capped). Links are rebuilt with
//! `since, until, filter, q, limit, sortOrder, after`, each only when sent.

use http::Method;

use super::events::{LogEvent, TOP_LEVEL_KEYS};
use crate::areas::state::State;
use crate::infra::auth::Scope;
use crate::infra::clock::epoch_ms;
use crate::infra::edge::Endpoint;
use crate::infra::errors::ApiError;
use crate::infra::json::J;
use crate::infra::paging;
use crate::infra::query::{self, Dialect, Expr, Lit, Op, Val};
use crate::infra::ratelimit::Bucket;
use crate::infra::routing::{Ctx, HResult, Reply, Routes};
use crate::infra::time::parse_iso_ms;

const READ: Endpoint = Endpoint::new(Bucket::Logs, Scope::LogsRead);

const DAY_MS: i64 = 86_400_000;
const MAX_LIMIT: usize = 1000;

pub fn routes(r: Routes) -> Routes {
    r.sync0(Method::GET, "/api/v1/logs", READ, list_logs)
}

fn bad_parameter(msg: impl Into<String>) -> ApiError {
    ApiError::new(400, "E0000053", msg)
}

/// The System Log `filter` dialect.
struct LogFilter;

impl Dialect for LogFilter {
    fn comparison(&self, attr: &str, op: Op, value: Lit) -> Result<Lit, ()> {
        let root = attr.split('.').next().unwrap_or("");
        if !TOP_LEVEL_KEYS.contains(&root) {
            return Err(());
        }
        // Documented as unsupported.
        if op == Op::Co && matches!(attr, "debugContext.debugData.url" | "debugContext.debugData.requestUri") {
            return Err(());
        }
        Ok(value)
    }
    fn presence(&self, attr: &str) -> bool {
        TOP_LEVEL_KEYS.contains(&attr.split('.').next().unwrap_or(""))
    }
    fn allows_not(&self) -> bool {
        true
    }
}

fn filter_matches(expr: &Expr, e: &LogEvent) -> bool {
    query::eval(expr, &|attr: &str| e.doc.values_at(attr).into_iter().map(Val::Doc).collect(), false)
}

/// Every word of every string value of an event, lower-cased.
fn words(j: &J, out: &mut Vec<String>) {
    match j {
        J::Str(s) => {
            let lower = s.to_lowercase();
            out.extend(
                lower
                    .split(|c: char| c.is_whitespace() || ",;:()[]{}\"'/?=&".contains(c))
                    .filter(|w| !w.is_empty())
                    .map(str::to_string),
            );
            out.push(lower);
        }
        J::Arr(items) => items.iter().for_each(|i| words(i, out)),
        J::Obj(pairs) => pairs.iter().for_each(|(_, v)| words(v, out)),
        _ => {}
    }
}

fn parse_time(name: &str, v: Option<&str>) -> Result<Option<i64>, ApiError> {
    match v.filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => parse_iso_ms(s)
            .map(Some)
            .ok_or_else(|| bad_parameter(format!("{name} parameter is not a valid ISO 8601 timestamp"))),
    }
}

/// `<ms>_<n>`
fn parse_cursor(s: &str) -> Option<(i64, usize)> {
    let (ms, n) = s.split_once('_')?;
    let ms: i64 = ms.parse().ok()?;
    let n: usize = n.parse().ok()?;
    (n >= 1).then_some((ms, n))
}

/// `GET /api/v1/logs`.
pub fn list_logs(st: &mut State, ctx: &Ctx) -> HResult {
    let now_ms = epoch_ms(ctx.now);
    let since_raw = ctx.q("since").filter(|s| !s.is_empty());
    let until_raw = ctx.q("until").filter(|s| !s.is_empty());
    let until = parse_time("until", until_raw)?;
    let since = parse_time("since", since_raw)?.unwrap_or(until.unwrap_or(now_ms) - 7 * DAY_MS);
    if since < now_ms - 180 * DAY_MS {
        return Err(bad_parameter("since parameter is over 180 days prior"));
    }
    if let Some(u) = until {
        if u < since {
            return Err(bad_parameter("until parameter is before since parameter"));
        }
    }
    let limit = match ctx.q("limit") {
        None => 100,
        Some(l) => match l.trim().parse::<i64>() {
            Ok(n) if n >= 0 => (n as usize).min(MAX_LIMIT),
            _ => return Err(bad_parameter("limit parameter must be an integer between 0 and 1000")),
        },
    };
    let sort_raw = ctx.q("sortOrder").filter(|s| !s.is_empty());
    let descending = match sort_raw {
        None | Some("ASCENDING") => false,
        Some("DESCENDING") => true,
        Some(_) => return Err(bad_parameter("sortOrder parameter must be ASCENDING or DESCENDING")),
    };
    let filter = ctx.q("filter").filter(|f| !f.trim().is_empty());
    let expr = filter.map(|f| query::parse_with(f, &LogFilter)).transpose().map_err(|_| ApiError::invalid_search())?;
    let q = ctx.q("q").filter(|q| !q.trim().is_empty());
    let keywords: Vec<String> = q.map(|q| q.split_whitespace().map(str::to_lowercase).collect()).unwrap_or_default();
    if keywords.len() > 10 || keywords.iter().any(|k| k.chars().count() > 40) {
        return Err(bad_parameter("q parameter takes at most 10 keywords of at most 40 characters"));
    }
    let after_raw = ctx.q("after").filter(|a| !a.is_empty());
    let after = match after_raw {
        None => None,
        Some(a) => Some(parse_cursor(a).ok_or_else(ApiError::invalid_cursor)?),
    };
    let polling = until.is_none() && !descending;

    // Order: persistence time when polling, else `published`; ties in persistence order.
    let key = |e: &LogEvent| if polling { e.persisted_ms } else { e.published_ms };
    let mut ordered: Vec<&LogEvent> = st.log().all().iter().filter(|e| e.persisted_ms <= now_ms).collect();
    ordered.sort_by(|a, b| key(a).cmp(&key(b)).then(a.seq.cmp(&b.seq)));
    if descending {
        ordered.reverse();
    }
    // Cursor position: the n-th event (in this order) of the cursor's millisecond.
    let start = match after {
        None => 0,
        Some((ms, n)) => {
            let pos = ordered.iter().enumerate().filter(|(_, e)| key(e) == ms).nth(n - 1).map(|(i, _)| i);
            pos.ok_or_else(ApiError::invalid_cursor)? + 1
        }
    };
    let upper = until.unwrap_or(now_ms + 1);
    let selected: Vec<&LogEvent> = ordered[start..]
        .iter()
        .copied()
        .filter(|e| key(e) >= since && (polling || key(e) < upper))
        .filter(|e| expr.as_ref().map(|x| filter_matches(x, e)).unwrap_or(true))
        .filter(|e| {
            if keywords.is_empty() {
                return true;
            }
            let mut w = Vec::new();
            words(&e.doc, &mut w);
            keywords.iter().all(|k| w.iter().any(|x| x == k))
        })
        .collect();
    let more = selected.len() > limit;
    let page: Vec<&LogEvent> = selected.into_iter().take(limit).collect();
    let cursor_of = |e: &LogEvent| {
        let ms = key(e);
        let n = ordered.iter().filter(|x| key(x) == ms).position(|x| x.seq == e.seq).unwrap_or(0) + 1;
        format!("{ms}_{n}")
    };
    let params = |after: Option<&str>| {
        let mut p: Vec<(&str, String)> = Vec::new();
        for (k, v) in [
            ("since", since_raw),
            ("until", until_raw),
            ("filter", filter),
            ("q", q),
            ("limit", ctx.q("limit")),
            ("sortOrder", sort_raw),
        ] {
            if let Some(v) = v {
                p.push((k, v.to_string()));
            }
        }
        if let Some(a) = after {
            p.push(("after", a.to_string()));
        }
        p
    };
    let path = "/api/v1/logs";
    let mut links = vec![paging::link(&paging::url(&ctx.origin, path, &params(after_raw)), "self")];
    let next = match page.last() {
        // A polling query never ends: an empty page points at itself.
        None if polling => Some(after_raw.map(str::to_string)),
        Some(last) if polling || more => Some(Some(cursor_of(last))),
        _ => None,
    };
    if let Some(next_after) = next {
        links.push(paging::link(&paging::url(&ctx.origin, path, &params(next_after.as_deref())), "next"));
    }
    let body = J::Arr(page.iter().map(|e| e.doc.clone()).collect());
    Ok(Reply::list(body, links))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event() -> LogEvent {
        let doc = J::parse(
            r#"{"actor":{"id":"00u1","type":"User","alternateId":"ada@example.com","displayName":"Ada Lovelace"},"displayMessage":"Add user to group membership","eventType":"group.user_membership.add","outcome":{"result":"SUCCESS","reason":null},"published":"2025-01-01T00:00:00.123Z","severity":"INFO","debugContext":{"debugData":{"requestUri":"/admin/app/x/instance/_new_"}},"target":[{"id":"00u1","type":"User"},{"id":"00g1","type":"UserGroup","displayName":"Sales"}]}"#,
        )
        .unwrap();
        LogEvent {
            seq: 1,
            persisted_ms: 0,
            published_ms: 0,
            uuid: "u".into(),
            event_type: "group.user_membership.add".into(),
            doc,
        }
    }

    fn f(q: &str) -> Result<bool, ()> {
        query::parse_with(q, &LogFilter).map(|e| filter_matches(&e, &event()))
    }

    #[test]
    fn filter_semantics() {
        assert_eq!(f(r#"eventType eq "group.user_membership.add""#), Ok(true));
        assert_eq!(f(r#"eventType eq "GROUP.user_membership.add""#), Ok(false));
        assert_eq!(f(r#"eventType sw "group.""#), Ok(true));
        assert_eq!(f(r#"debugContext.debugData.requestUri ew "_new_""#), Ok(true));
        assert_eq!(f(r#"target.type eq "UserGroup" and target.displayName eq "Sales""#), Ok(true));
        assert_eq!(f(r#"not (target.type eq "AppInstance")"#), Ok(true));
        assert_eq!(f(r#"actor.alternateId co "@example" or severity eq "WARN""#), Ok(true));
        assert_eq!(f("outcome.reason pr"), Ok(false));
        assert_eq!(f("actor.id pr"), Ok(true));
        assert_eq!(f(r#"published gt "2024-12-31T23:59:59.999Z""#), Ok(true));
        assert!(f(r#"debugContext.debugData.requestUri co "new""#).is_err());
        assert!(f(r#"nothing eq "x""#).is_err());
        assert!(f(r#"eventType eq"#).is_err());
        assert!(f(r#"eventType ne "x""#).is_err());
    }

    #[test]
    fn keyword_words_and_cursors() {
        let mut w = Vec::new();
        words(&event().doc, &mut w);
        for k in ["ada", "lovelace", "ada@example.com", "group.user_membership.add", "sales", "_new_"] {
            assert!(w.iter().any(|x| x == k), "{k}");
        }
        assert_eq!(parse_cursor("1658862453660_1"), Some((1_658_862_453_660, 1)));
        for bad in ["1658862453660", "x_1", "1_0", "1_x", ""] {
            assert!(parse_cursor(bad).is_none(), "{bad}");
        }
    }
}
