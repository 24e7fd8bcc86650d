//! `Link` pagination ([`Okta::paginate`]) on a scripted wire: each case asserts every page
//! requested, in order, and the listing returned.

use super::auth::{Auth, Secret};
use super::config::Config;
use super::domain;
use super::request::{Page, Paging, Request};
use super::testing::{on, Reply, Script};
use super::Okta;
use std::time::Duration;

const ORG: &str = "https://pages.okta.com";

fn page(url: &str, items: &str, next: Option<&str>) -> Reply {
    let reply = on("GET", url).body(items).header("link", &format!("<{url}>; rel=\"self\""));
    match next {
        Some(next) => reply.header("link", &format!("<{next}>; rel=\"next\"")),
        None => reply,
    }
}

/// `/api/v1/users?limit=2` and the pages after it (`after=c2`, `after=c3`, ...).
fn users(after: Option<&str>) -> String {
    match after {
        None => format!("{ORG}/api/v1/users?limit=2"),
        Some(cursor) => format!("{ORG}/api/v1/users?after={cursor}&limit=2"),
    }
}

struct Case {
    name: &'static str,
    config: Config,
    paging: Paging,
    replies: Vec<Reply>,
    /// The URLs requested, in order.
    requested: Vec<String>,
    /// The listing, or a part of the error's text.
    result: Result<Page, &'static str>,
}

fn listed(items: &str, next_cursor: Option<&str>, capped: bool) -> Result<Page, &'static str> {
    Ok(Page { items: items.into(), next_cursor: next_cursor.map(str::to_string), capped })
}

#[test]
fn pagination() {
    let all = Paging::new(true);
    let (u1, u2, u3) = (users(None), users(Some("c2")), users(Some("c3")));
    let chain = || vec![page(&u1, "[1,2]", Some(&u2)), page(&u2, "[3,4]", Some(&u3)), page(&u3, "[5]", None)];
    let cases = vec![
        Case {
            name: "next links are followed to the end",
            config: Config::default(),
            paging: all,
            replies: chain(),
            requested: vec![u1.clone(), u2.clone(), u3.clone()],
            result: listed("[1,2,3,4,5]", None, false),
        },
        Case {
            name: "one page and its cursor without Fetch All",
            config: Config::default(),
            paging: Paging::new(false),
            replies: chain().into_iter().take(1).collect(),
            requested: vec![u1.clone()],
            result: listed("[1,2]", Some("c2"), false),
        },
        Case {
            name: "a relative next link stays on the org",
            config: Config::default(),
            paging: all,
            replies: vec![page(&u1, "[1,2]", Some("/api/v1/users?after=c2&limit=2")), page(&u2, "[3]", None)],
            requested: vec![u1.clone(), u2.clone()],
            result: listed("[1,2,3]", None, false),
        },
        Case {
            name: "a next link to another origin is refused, not followed",
            config: Config::default(),
            paging: all,
            replies: vec![page(&u1, "[1,2]", Some("https://evil.example.com/api/v1/users?after=c2"))],
            requested: vec![u1.clone()],
            result: Err("points outside the org"),
        },
        Case {
            name: "a next link back to a page already read ends the listing",
            config: Config::default(),
            paging: all,
            replies: vec![page(&u1, "[1,2]", Some(&u2)), page(&u2, "[3,4]", Some(&u1))],
            requested: vec![u1.clone(), u2.clone()],
            result: listed("[1,2,3,4]", None, false),
        },
        Case {
            name: "a page that links to itself ends the listing",
            config: Config::default(),
            paging: all,
            replies: vec![page(&u1, "[1,2]", Some(&u1))],
            requested: vec![u1.clone()],
            result: listed("[1,2]", None, false),
        },
        Case {
            name: "the page cap stops a listing that goes on",
            config: Config { max_pages: 2, ..Config::default() },
            paging: all,
            replies: chain().into_iter().take(2).collect(),
            requested: vec![u1.clone(), u2.clone()],
            result: Err("goes on past 2 pages"),
        },
        Case {
            name: "the byte cap stops a listing that grows too large",
            config: Config { max_total_bytes: 6, ..Config::default() },
            paging: all,
            replies: chain().into_iter().take(2).collect(),
            requested: vec![u1.clone(), u2.clone()],
            result: Err("larger than the 0 MiB"),
        },
        Case {
            name: "Max Items stops at a page boundary with the cursor to go on",
            config: Config::default(),
            paging: Paging { max_items: Some(3), ..all },
            replies: chain().into_iter().take(1).collect(),
            requested: vec![u1.clone()],
            result: listed("[1,2]", Some("c2"), true),
        },
        Case {
            name: "stop on empty: an empty page ends the listing, its next is where to resume",
            config: Config::default(),
            paging: Paging { stop_on_empty: true, ..all },
            replies: vec![page(&u1, "[1,2]", Some(&u2)), page(&u2, "[]", Some(&u3))],
            requested: vec![u1.clone(), u2.clone()],
            result: listed("[1,2]", Some("c3"), false),
        },
        Case {
            name: "a page that is not a JSON array fails the listing",
            config: Config::default(),
            paging: all,
            replies: vec![page(&u1, r#"{"id":1}"#, Some(&u2))],
            requested: vec![u1.clone()],
            result: Err("expected a JSON array of items"),
        },
        Case {
            name: "the action's deadline stops a long listing",
            config: Config { action_deadline: Duration::from_secs(10), ..Config::default() },
            paging: all,
            replies: vec![page(&u1, "[1,2]", Some(&u2)).takes(Duration::from_secs(11))],
            requested: vec![u1.clone()],
            result: Err("the action ran out of time"),
        },
    ];
    for c in cases {
        let script = Script::new(c.replies);
        let okta = Okta::with_transport(
            domain::parse("pages.okta.com").unwrap(),
            Auth::ApiToken(Secret::new("test-token")),
            c.config,
            script.clone(),
        );
        let result = okta.run(Request::get("/api/v1/users").query("limit", 2).send_pages(c.paging));
        let requested: Vec<String> = c.requested.iter().map(|u| format!("GET {u}")).collect();
        assert_eq!(script.timeline(), requested, "{}", c.name);
        script.assert_done();
        match (&result, &c.result) {
            (Ok(got), Ok(want)) => assert_eq!(got, want, "{}", c.name),
            (Err(e), Err(says)) => assert!(e.to_string().contains(says), "{}: {e}", c.name),
            _ => panic!("{}: {result:?}", c.name),
        }
        for (n, (_, limits)) in script.sent().iter().enumerate() {
            assert_eq!(script.header(n, "authorization").as_deref(), Some("SSWS test-token"), "{}", c.name);
            assert_eq!(limits.max_body, c.config.max_response_bytes, "each page is read up to the response cap");
        }
    }
}
