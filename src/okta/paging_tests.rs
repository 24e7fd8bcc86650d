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

/// A listing read one page per call ([`super::paging::Pager`]), as `listings` does.
fn pager_on(replies: Vec<Reply>, config: Config) -> (std::rc::Rc<Script>, Okta, super::paging::Pager) {
    let script = Script::new(replies);
    let okta = Okta::with_transport(
        domain::parse("pages.okta.com").unwrap(),
        Auth::ApiToken(Secret::new("test-token")),
        config,
        script.clone(),
    );
    let pager =
        super::paging::Pager::new(&okta, &Request::get("/api/v1/users").query("limit", 2), Paging::new(true)).unwrap();
    (script, okta, pager)
}

/// Reads the next page: its items joined by `,`, `None` once done.
fn read(okta: &Okta, pager: &mut super::paging::Pager) -> Result<Option<String>, crate::error::Error> {
    let mut items = Vec::new();
    let read = pager.next_page(okta, |item| items.push(item.to_string()))?;
    Ok(read.map(|count| {
        assert_eq!(count, items.len());
        items.join(",")
    }))
}

#[test]
fn a_pager_reads_one_page_per_call_and_holds_only_the_next_url() {
    let (u1, u2, u3) = (users(None), users(Some("c2")), users(Some("c3")));
    let (script, okta, mut pager) = pager_on(
        vec![page(&u1, "[1,2]", Some(&u2)), page(&u2, "[3,4]", Some(&u3)), page(&u3, "[5]", None)],
        Config::default(),
    );
    assert_eq!(pager.cursor(), None, "the first page has no cursor");
    assert_eq!(read(&okta, &mut pager).unwrap().as_deref(), Some("1,2"));
    assert_eq!(script.timeline(), [format!("GET {u1}")], "one request per page, none ahead");
    assert_eq!(pager.cursor().as_deref(), Some("c2"));
    assert_eq!(read(&okta, &mut pager).unwrap().as_deref(), Some("3,4"));
    assert_eq!(read(&okta, &mut pager).unwrap().as_deref(), Some("5"));
    assert_eq!(read(&okta, &mut pager).unwrap(), None);
    assert_eq!(read(&okta, &mut pager).unwrap(), None, "done stays done, nothing sent");
    assert_eq!(pager.cursor(), None);
    assert_eq!(script.timeline().len(), 3);
    script.assert_done();
}

#[test]
fn a_failed_page_is_asked_again_and_nothing_is_lost_or_repeated() {
    let (u1, u2) = (users(None), users(Some("c2")));
    let (script, okta, mut pager) = pager_on(
        vec![
            page(&u1, "[1,2]", Some(&u2)),
            // Not JSON: the page fails, the listing stays before it.
            page(&u2, "<html>", None),
            page(&u2, "[3]", None),
        ],
        Config::default(),
    );
    assert_eq!(read(&okta, &mut pager).unwrap().as_deref(), Some("1,2"));
    assert!(read(&okta, &mut pager).unwrap_err().to_string().contains("expected a JSON array"));
    assert_eq!(pager.cursor().as_deref(), Some("c2"), "still before the failed page");
    assert_eq!(read(&okta, &mut pager).unwrap().as_deref(), Some("3"));
    assert_eq!(read(&okta, &mut pager).unwrap(), None);
    script.assert_done();
}

#[test]
fn each_page_has_the_deadline_of_one_action() {
    // Three pages of 8 s each pass a 10 s deadline together, never one by one.
    let (u1, u2, u3) = (users(None), users(Some("c2")), users(Some("c3")));
    let slow = Duration::from_secs(8);
    let replies = vec![
        page(&u1, "[1,2]", Some(&u2)).takes(slow),
        page(&u2, "[3,4]", Some(&u3)).takes(slow),
        page(&u3, "[5]", None).takes(slow),
    ];
    let config = Config { action_deadline: Duration::from_secs(10), ..Config::default() };
    let (script, okta, mut pager) = pager_on(replies, config);
    let mut pages = 0;
    loop {
        okta.restart_clock();
        match read(&okta, &mut pager).unwrap() {
            Some(_) => pages += 1,
            None => break,
        }
    }
    assert_eq!(pages, 3);
    script.assert_done();

    // Without starting the clock over, the second page is refused: nothing more is sent.
    let replies = vec![page(&u1, "[1,2]", Some(&u2)).takes(Duration::from_secs(11))];
    let (script, okta, mut pager) = pager_on(replies, config);
    read(&okta, &mut pager).unwrap();
    assert!(read(&okta, &mut pager).unwrap_err().to_string().contains("ran out of time"));
    script.assert_done();
}

#[test]
fn a_pager_stops_at_the_page_cap_before_asking_for_more() {
    let (u1, u2, u3) = (users(None), users(Some("c2")), users(Some("c3")));
    let config = Config { max_pages: 2, ..Config::default() };
    let (script, okta, mut pager) =
        pager_on(vec![page(&u1, "[1,2]", Some(&u2)), page(&u2, "[3,4]", Some(&u3))], config);
    read(&okta, &mut pager).unwrap();
    read(&okta, &mut pager).unwrap();
    assert!(read(&okta, &mut pager).unwrap_err().to_string().contains("goes on past 2 pages"));
    script.assert_done();
}
