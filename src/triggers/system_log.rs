//! New System Logs: Okta's polling stream of `GET /api/v1/logs` (no `until`, ascending).
//!
//! The stream is ordered by when Okta persisted each event, so an event persisted late
//! (published earlier than events already served) comes after the cursor and is delivered.
//! The state holds the `after` cursor of the last `next` link, the filter it belongs to, and
//! the uuids of the last events emitted (Okta may serve an event twice around a page edge).

use super::state::{self, push_bounded};
use super::Poll;
use crate::error::Error;
use crate::inputs::triggers::SystemLogTriggerInput;
use crate::okta::{Flow, Okta, Page, Paging, Request};
use crate::timestamp::iso;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::time::{Duration, Instant, SystemTime};

/// How far back a first run starts.
pub const LOOKBACK: Duration = Duration::from_secs(3600);
/// Events per page, and pages per poll.
const PAGE: u32 = 1000;
const MAX_PAGES: usize = 10;
/// No new page is started after this long.
const POLL_TIME: Duration = Duration::from_secs(60);
/// Uuids remembered for dedupe.
const SEEN: usize = 250;

#[derive(Serialize, Deserialize, Default, Clone)]
struct LogState {
    v: u32,
    filter: Option<String>,
    after: Option<String>,
    seen: Vec<String>,
}

pub fn poll(_: &Okta, input: SystemLogTriggerInput, previous: Option<&str>) -> Result<Flow<Poll>, Error> {
    let st = state::decode::<LogState>(previous)?.filter(|s| s.filter == input.filter);
    let st = st.unwrap_or(LogState { v: state::VERSION, filter: input.filter.clone(), after: None, seen: Vec::new() });
    let request = match &st.after {
        Some(after) => page_request(&st.filter, after),
        None => Request::get("/api/v1/logs")
            .query("since", iso(SystemTime::now() - LOOKBACK))
            .query_opt("filter", st.filter.clone())
            .query("limit", PAGE),
    };
    Ok(read(request, st, Vec::new(), 1, Instant::now()))
}

fn page_request(filter: &Option<String>, after: &str) -> Request {
    Request::get("/api/v1/logs").query_opt("filter", filter.clone()).query("after", after).query("limit", PAGE)
}

/// Reads one page and decides whether to read the next.
fn read(request: Request, mut st: LogState, mut items: Vec<Value>, pages: usize, started: Instant) -> Flow<Poll> {
    request.send_pages(Paging::new(false)).and_then(move |page: Page| {
        let events: Vec<Value> = match serde_json::from_str(&page.items) {
            Ok(e) => e,
            Err(_) => return Flow::fail(Error::UnexpectedResponse("the System Log page is not a JSON array".into())),
        };
        let empty = events.is_empty();
        for event in events {
            let Some(uuid) = event.get("uuid").and_then(Value::as_str).map(str::to_string) else { continue };
            if st.seen.contains(&uuid) {
                continue;
            }
            push_bounded(&mut st.seen, uuid, SEEN);
            items.push(event);
        }
        if let Some(next) = page.next_cursor {
            st.after = Some(next);
        }
        let more = !empty && pages < MAX_PAGES && started.elapsed() < POLL_TIME;
        match (&st.after, more) {
            (Some(after), true) => {
                let next = page_request(&st.filter, after);
                read(next, st, items, pages + 1, started)
            }
            _ => Flow::done(Poll { items, state: state::encode(&st) }),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Input;
    use crate::okta::request::Answer;
    use crate::okta::testing::{drive, expect};

    fn page(items: &str, next: Option<&str>) -> Answer {
        Answer::Page(Page { items: items.into(), next_cursor: next.map(str::to_string), capped: false })
    }

    #[test]
    fn resumes_at_the_cursor_and_drops_repeats() {
        let input = SystemLogTriggerInput::from_json(r#"{"filter":"eventType sw \"user\""}"#).unwrap();
        let state = r#"{"v":1,"filter":"eventType sw \"user\"","after":"100_1","seen":["u1"]}"#;
        let out = drive(
            poll(&Okta::for_tests(), input.clone(), Some(state)).unwrap(),
            vec![
                expect("GET", "/api/v1/logs?filter=eventType+sw+%22user%22&after=100_1&limit=1000")
                    .answer(page(r#"[{"uuid":"u1"},{"uuid":"u2"}]"#, Some("200_1"))),
                expect("GET", "/api/v1/logs?filter=eventType+sw+%22user%22&after=200_1&limit=1000")
                    .answer(page("[]", Some("200_1"))),
            ],
        )
        .unwrap();
        assert_eq!(out.items, vec![serde_json::json!({"uuid": "u2"})], "u1 was already emitted");
        let st: LogState = serde_json::from_str(&out.state).unwrap();
        assert_eq!(st.after.as_deref(), Some("200_1"));
        assert_eq!(st.seen, vec!["u1", "u2"]);

        // Nothing new: one request.
        drive(
            poll(&Okta::for_tests(), input, Some(&out.state)).unwrap(),
            vec![expect("GET", "/api/v1/logs?filter=eventType+sw+%22user%22&after=200_1&limit=1000")
                .answer(page("[]", Some("200_1")))],
        )
        .unwrap();
    }

    #[test]
    fn a_new_filter_starts_over() {
        let input = SystemLogTriggerInput::from_json(r#"{"filter":"other"}"#).unwrap();
        let state = r#"{"v":1,"filter":"eventType sw \"user\"","after":"100_1","seen":[]}"#;
        let flow = poll(&Okta::for_tests(), input, Some(state)).unwrap();
        let Err((request, _, _)) = flow.step() else { panic!("a request") };
        assert!(request.query.iter().any(|(k, _)| k == "since"), "a first run: since the look-back");
    }
}
