//! The System Log: `GET /api/v1/logs`.
//!
//! Without `until` (and in ascending order) Okta answers a *polling* query: ordered by when
//! events were persisted, with a `next` link on every page, the last one included. Fetch All
//! therefore stops at the first empty page, and at 10 000 events; either way the cursor it
//! returns resumes exactly where it stopped.

use crate::bindings::exports::okta::connector::system_log::LogPage;
use crate::bindings::okta::connector::types::SortOrder;
use crate::error::Error;
use crate::inputs::system_log::*;
use crate::okta::{Flow, Okta, Page, Paging};

/// The most events one Get System Logs returns (the connector spec's cap).
pub const MAX_EVENTS: usize = 10_000;

/// Get System Logs: `GET /api/v1/logs`.
pub fn get(okta: &Okta, input: GetLogsInput) -> Result<Flow<Page>, Error> {
    let sort_order = input.sort_order.map(okta_sort_order);
    let polling = input.until.is_none() && input.sort_order != Some(SortOrder::Desc);
    let paging = Paging { fetch_all: input.fetch_all, max_items: Some(MAX_EVENTS), stop_on_empty: polling };
    Ok(okta
        .get("/api/v1/logs")
        .query_opt("since", input.since)
        .query_opt("until", input.until)
        .query_opt("filter", input.filter)
        .query_opt("q", input.q)
        .query_opt("after", input.after)
        .query("limit", input.limit)
        .query_opt("sortOrder", sort_order)
        .send_pages(paging))
}

/// The System Log spells the sort order `ASCENDING`/`DESCENDING` where other listings take
/// `asc`/`desc`.
fn okta_sort_order(order: SortOrder) -> &'static str {
    match order {
        SortOrder::Asc => "ASCENDING",
        SortOrder::Desc => "DESCENDING",
    }
}

impl From<Page> for LogPage {
    fn from(p: Page) -> LogPage {
        LogPage { items: p.items, next_cursor: p.next_cursor, capped: p.capped }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Input;
    use crate::okta::request::{Answer, Expect};
    use crate::okta::testing::{drive, expect};

    fn run(json: &str, target: &str, paging: Paging) {
        let input = GetLogsInput::from_json(json).unwrap();
        let page = Page { items: "[]".into(), next_cursor: None, capped: false };
        drive(
            get(&Okta::for_tests(), input).unwrap(),
            vec![expect("GET", target).reads(Expect::Pages(paging)).answer(Answer::Page(page))],
        )
        .unwrap();
    }

    #[test]
    fn polling_queries_stop_at_the_first_empty_page() {
        let poll = Paging { fetch_all: true, max_items: Some(MAX_EVENTS), stop_on_empty: true };
        run(
            r#"{"fetch_all":true,"since":"2026-11-01T00:00:00Z"}"#,
            "/api/v1/logs?since=2026-11-01T00%3A00%3A00Z&limit=200",
            poll,
        );
        let bounded = Paging { stop_on_empty: false, ..poll };
        run(
            r#"{"fetch_all":true,"since":"a","until":"b","sort_order":"desc"}"#,
            "/api/v1/logs?since=a&until=b&limit=200&sortOrder=DESCENDING",
            bounded,
        );
    }

    #[test]
    fn sort_orders_and_since_beside_after() {
        let e = GetLogsInput::from_json(r#"{"sort_order":"up"}"#).map(|_| ()).unwrap_err();
        assert_eq!(e, Error::input("sort_order", "must be one of: asc, desc"));
        let page = Paging { fetch_all: false, max_items: Some(MAX_EVENTS), stop_on_empty: true };
        run(r#"{"sort_order":"ASC"}"#, "/api/v1/logs?limit=200&sortOrder=ASCENDING", page);
        // Okta's next links carry `since` beside `after`: both are passed on.
        let one_page = Paging { fetch_all: false, max_items: Some(MAX_EVENTS), stop_on_empty: false };
        run(r#"{"since":"s","after":"a","until":"u"}"#, "/api/v1/logs?since=s&until=u&after=a&limit=200", one_page);
    }
}
