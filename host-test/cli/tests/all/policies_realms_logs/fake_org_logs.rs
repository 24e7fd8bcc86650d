//! The System Log of the fake org: polling (persistence order, `next` always present, `next ==
//! self` when caught up), bounded queries (by `published`, finite), late and delayed events,
//! parameter rules, filter and `q`, and a byte-level replay of the recorded log paging.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::support::fake_org::*;
use okta_fake_org::FakeOrg;
use serde_json::Value;

const PW: &str = "Sturdy-Passw0rd";
/// 2026-03-16T03:48:26.250Z
const T0_MS: u64 = 1_773_632_906_250;

fn at(ms: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(ms)
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn types(r: &Resp) -> Vec<String> {
    r.json().as_array().unwrap().iter().map(|e| e["eventType"].as_str().unwrap().to_string()).collect()
}

fn uuids(r: &Resp) -> Vec<String> {
    r.json().as_array().unwrap().iter().map(|e| e["uuid"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn polling_follows_next_forever() {
    let org = FakeOrg::empty();
    org.pin_clock(at(T0_MS));
    create_user(&org, "", new_user("poll.one@example.com", Some(PW))).await;
    let since = "2026-03-16T03:00:00.000Z";
    let filter = r#"eventType sw "user.lifecycle""#;
    let first = format!("/api/v1/logs?filter={}&since={}&limit=1", enc(filter), enc(since));
    let r = get(&org, &first).await;
    assert_eq!(r.status, 200);
    assert_eq!(types(&r), ["user.lifecycle.create"]);
    let self_link = format!("{ORIGIN}/api/v1/logs?since={}&filter={}&limit=1", enc(since), enc(filter));
    assert_eq!(r.link("self").unwrap(), self_link);
    let next = r.link("next").unwrap();
    assert_eq!(next, format!("{self_link}&after={T0_MS}_1"), "cursor: persistence ms and position within it");
    let r = get(&org, &next).await;
    assert_eq!(types(&r), ["user.lifecycle.activate"]);
    let caught_up = get(&org, &r.link("next").unwrap()).await;
    assert_eq!(caught_up.json(), Value::Array(vec![]));
    assert_eq!(caught_up.link("next"), caught_up.link("self"), "an empty polling page points at itself");
    let stored = caught_up.link("next").unwrap();
    assert_eq!(get(&org, &stored).await.json(), Value::Array(vec![]), "polling the stored link again is still empty");

    // later writes show up on the stored link, in order
    org.advance_clock(Duration::from_millis(2_500));
    let id = create_user(&org, "?activate=false", new_user("poll.two@example.com", Some(PW))).await;
    call(&org, "POST", &format!("/api/v1/users/{id}/lifecycle/activate"), None).await;
    let r = get(&org, &stored).await;
    assert_eq!(types(&r), ["user.lifecycle.create"]);
    assert_eq!(r.json()[0]["published"], "2026-03-16T03:48:28.750Z");
    let (ids, _) = {
        let mut seen = Vec::new();
        let mut url = r.link("next").unwrap();
        loop {
            let p = get(&org, &url).await;
            if p.json().as_array().unwrap().is_empty() {
                break (seen, url);
            }
            seen.extend(uuids(&p));
            url = p.link("next").unwrap();
        }
    };
    assert_eq!(ids.len(), 1, "the activation, then caught up");

    // limit=0: an empty page that points at itself
    let r = get(&org, &format!("/api/v1/logs?since={}&limit=0", enc(since))).await;
    assert_eq!((r.json(), r.link("next")), (Value::Array(vec![]), r.link("self")));
}

#[tokio::test]
async fn late_and_delayed_events() {
    let org = FakeOrg::empty();
    org.pin_clock(at(T0_MS));
    create_user(&org, "", new_user("late.one@example.com", Some(PW))).await;
    let since = "2026-03-16T00:00:00.000Z";
    let mut url = format!("/api/v1/logs?since={}", enc(since));
    loop {
        let r = get(&org, &url).await;
        let next = r.link("next").unwrap();
        if r.json().as_array().unwrap().is_empty() {
            break;
        }
        url = next;
    }
    // An event published an hour ago but persisted now: polling returns it after the cursor,
    // although its `published` is earlier than everything already served.
    org.advance_clock(Duration::from_secs(1));
    let late = org.append_log_event_late("user.account.update_profile", at(T0_MS - 3_600_000)).unwrap();
    assert!(org.append_log_event_late("no.such.event", at(T0_MS)).is_none());
    let r = get(&org, &url).await;
    assert_eq!(uuids(&r), vec![late.clone()]);
    assert_eq!(r.json()[0]["published"], "2026-03-16T02:48:26.250Z");

    // A bounded query orders by `published`: the late event comes first.
    let until = "2026-03-16T04:00:00.000Z";
    let r = get(&org, &format!("/api/v1/logs?since={}&until={}", enc(since), enc(until))).await;
    let published: Vec<String> =
        r.json().as_array().unwrap().iter().map(|e| e["published"].as_str().unwrap().to_string()).collect();
    assert_eq!(uuids(&r)[0], late);
    assert!(published.windows(2).all(|w| w[0] <= w[1]));
    assert!(r.link("next").is_none(), "a bounded query ends");
    let (all, pages) =
        collect_ids_by(&org, &format!("/api/v1/logs?since={}&until={}&limit=1", enc(since), enc(until)), "uuid").await;
    assert_eq!((all.len(), pages), (3, 3));
    // DESCENDING: newest published first, finite
    let r = get(&org, &format!("/api/v1/logs?since={}&sortOrder=DESCENDING", enc(since))).await;
    assert_eq!(uuids(&r).last().unwrap(), &late);
    assert!(r.link("next").is_none());

    // A persistence delay: the event is invisible until the org has persisted it.
    org.set_log_persist_delay(Duration::from_secs(5));
    let stored = get(&org, &url).await.link("next").unwrap();
    let id = create_user(&org, "?activate=false", new_user("late.two@example.com", Some(PW))).await;
    assert!(get(&org, &stored).await.json().as_array().unwrap().is_empty());
    org.advance_clock(Duration::from_secs(5));
    let r = get(&org, &stored).await;
    assert_eq!(types(&r), ["user.lifecycle.create"]);
    assert_eq!(r.json()[0]["target"][0]["id"], id.as_str());
}

/// Follows `next` (bounded queries only), collecting `key` of each item.
async fn collect_ids_by(org: &FakeOrg, first: &str, key: &str) -> (Vec<String>, usize) {
    let mut out = Vec::new();
    let mut url = first.to_string();
    let mut pages = 0;
    loop {
        let r = get(org, &url).await;
        pages += 1;
        out.extend(r.json().as_array().unwrap().iter().map(|e| e[key].as_str().unwrap().to_string()));
        match r.link("next") {
            Some(n) => url = n,
            None => return (out, pages),
        }
    }
}

#[tokio::test]
async fn parameters_filter_and_q() {
    let org = FakeOrg::seeded();
    org.pin_clock(org.now());
    // by default the last 7 days only; the seeded history spans 30
    let week = get(&org, "/api/v1/logs?limit=1000").await.json().as_array().unwrap().len();
    let month = get(
        &org,
        &format!("/api/v1/logs?limit=1000&since={}", enc(&iso(org.now() - Duration::from_secs(31 * 86_400)))),
    )
    .await
    .json()
    .as_array()
    .unwrap()
    .len();
    assert!(week > 0 && month > week && month == org.log_events().len(), "{week} {month}");
    assert_eq!(get(&org, "/api/v1/logs?limit=5").await.json().as_array().unwrap().len(), 5);
    assert_eq!(get(&org, "/api/v1/logs").await.json().as_array().unwrap().len(), week.min(100));

    let old = iso(org.now() - Duration::from_secs(181 * 86_400));
    let r = get(&org, &format!("/api/v1/logs?since={}", enc(&old))).await;
    assert_error(&r, 400, "E0000053");
    assert_eq!(r.json()["errorSummary"], "since parameter is over 180 days prior");
    for bad in ["since=yesterday", "limit=-1", "limit=x", "sortOrder=UP", "until=2020-01-01T00%3A00%3A00.000Z"] {
        assert_error(&get(&org, &format!("/api/v1/logs?{bad}")).await, 400, "E0000053");
    }
    let eleven = (0..11).map(|i| format!("k{i}")).collect::<Vec<_>>().join("+");
    assert_error(&get(&org, &format!("/api/v1/logs?q={eleven}")).await, 400, "E0000053");
    assert_error(&get(&org, &format!("/api/v1/logs?q={}", "a".repeat(41))).await, 400, "E0000053");
    for bad in ["eventType+eq", "eventType+ne+%22x%22", "nothing+eq+%22x%22", "debugContext.debugData.url+co+%22x%22"] {
        assert_error(&get(&org, &format!("/api/v1/logs?filter={bad}")).await, 400, "E0000031");
    }
    for forged in ["garbage", "1_1", "99999999999999_1"] {
        assert_error(&get(&org, &format!("/api/v1/logs?after={forged}")).await, 400, "E0000029");
    }

    // filter on targets with not(); q on words of the event
    let month_since = format!("since={}", enc(&iso(org.now() - Duration::from_secs(31 * 86_400))));
    let f = r#"target.type eq "UserGroup" and not (eventType eq "group.lifecycle.create")"#;
    let r = get(&org, &format!("/api/v1/logs?{month_since}&filter={}", enc(f))).await;
    assert!(!types(&r).is_empty() && types(&r).iter().all(|t| t == "group.user_membership.add"));
    let r = get(&org, &format!("/api/v1/logs?{month_since}&q=USER.SESSION.START")).await;
    assert!(!types(&r).is_empty() && types(&r).iter().all(|t| t == "user.session.start"));
    let r = get(&org, &format!("/api/v1/logs?{month_since}&q=user.session.start+nobody")).await;
    assert!(r.json().as_array().unwrap().is_empty());
    let r = get(
        &org,
        &format!("/api/v1/logs?{month_since}&filter={}", enc(r#"actor.alternateId eq "fake.admin@example.com""#)),
    )
    .await;
    assert!(r.json().as_array().unwrap().iter().all(|e| e["eventType"] != "user.session.start"));
    // the org has its own bucket for logs, and needs the token
    assert!(r.header("x-rate-limit-limit").is_some());
    assert_error(&call_with(&org, "GET", "/api/v1/logs", None, Some("SSWS nope")).await, 401, "E0000011");
}

/// ISO-8601 with milliseconds of a system time (UTC).
fn iso(t: SystemTime) -> String {
    let ms = t.duration_since(UNIX_EPOCH).unwrap().as_millis() as i64;
    let (days, rem) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
    // Civil from days (proleptic Gregorian).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000
    )
}

/// The two `/api/v1/logs` exchanges of the JupiterOne recording, replayed byte for byte: the
/// recorded events are stored as the org's own (persisted 66 ms after the last was published,
/// as the recorded cursor says), the clock is pinned to the recording's `Date`, and the fake
/// must answer the same bodies and the same `Link` values.
#[tokio::test]
async fn recorded_log_paging() {
    let har: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../fixtures/okta/recorded/jupiterone-graph-okta/steps_741716276/recording.har"
        ))
        .unwrap(),
    )
    .unwrap();
    let entries: Vec<&Value> = har["log"]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["request"]["url"].as_str().unwrap().contains("/api/v1/logs"))
        .collect();
    assert_eq!(entries.len(), 2);
    let header = |e: &Value, name: &str| -> Option<String> {
        e["response"]["headers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["name"] == name)
            .map(|h| h["value"].as_str().unwrap().to_string())
    };
    let date = httpdate::parse_http_date(&header(entries[0], "date").unwrap()).unwrap();

    let org = FakeOrg::empty();
    org.pin_clock(date);
    let recorded: Vec<Value> =
        serde_json::from_str(entries[0]["response"]["content"]["text"].as_str().unwrap()).unwrap();
    let raw_text = entries[0]["response"]["content"]["text"].as_str().unwrap();
    let raw_events: Vec<&serde_json::value::RawValue> = serde_json::from_str(raw_text).unwrap();
    assert_eq!(recorded.len(), 3);
    for (raw, e) in raw_events.iter().zip(&recorded) {
        let published = e["published"].as_str().unwrap();
        let ms = iso_to_ms(published);
        org.append_log_event_json(raw.get(), at(ms as u64 + 66)).unwrap();
    }

    for entry in &entries {
        let url = entry["request"]["url"].as_str().unwrap();
        let r = get(&org, url).await;
        assert_eq!(r.status, entry["response"]["status"].as_u64().unwrap() as u16);
        // The recorder joined the two Link lines with ", "; the fake sends two lines.
        let recorded_links = header(entry, "link").unwrap();
        let fake_links: Vec<String> =
            r.headers.get_all("link").iter().map(|v| v.to_str().unwrap().to_string()).collect();
        assert_eq!(fake_links.join(", "), recorded_links, "{url}");
        assert_eq!(String::from_utf8_lossy(&r.body), entry["response"]["content"]["text"].as_str().unwrap(), "{url}");
        for h in [
            "date",
            "content-type",
            "x-okta-request-id",
            "x-rate-limit-limit",
            "x-rate-limit-remaining",
            "x-rate-limit-reset",
            "cache-control",
            "pragma",
            "expires",
        ] {
            assert!(header(entry, h).is_some() && r.header(h).is_some(), "{h}");
        }
        assert_eq!(r.header("date").unwrap(), header(entry, "date").unwrap());
    }
}

fn iso_to_ms(s: &str) -> i64 {
    let n = |r: std::ops::Range<usize>| s[r].parse::<i64>().unwrap();
    let (y, m, d) = (n(0..4), n(5..7), n(8..10));
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let days = era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468;
    (days * 86_400 + n(11..13) * 3600 + n(14..16) * 60 + n(17..19)) * 1000 + n(20..23)
}
