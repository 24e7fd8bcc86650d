//! Property tests of the parsers that take bytes from the network (Link headers, rate-limit
//! headers, error bodies, JSON pages): whatever arrives, they return a value or an error,
//! never panic, never loop, and what they return stays within bounds.

use super::errors;
use super::link;
use super::paging::JsonArray;
use super::ratelimit;
use super::transport::HttpResponse;
use proptest::prelude::*;

fn response(headers: Vec<(String, String)>, body: Vec<u8>) -> HttpResponse {
    HttpResponse { status: 429, headers, body }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn link_headers_never_panic(values in proptest::collection::vec(".{0,300}", 0..5)) {
        let next = link::next_url(values.iter().map(String::as_str));
        if let Some(n) = next {
            // Whatever it found came from one of the values.
            prop_assert!(values.iter().any(|v| v.contains(n.as_str())));
            let _ = link::after_cursor(&n);
        }
    }

    #[test]
    fn well_formed_link_lists_give_their_next(
        host in "[a-z]{1,12}",
        cursor in "[A-Za-z0-9_%,]{1,40}",
        extra in proptest::collection::vec("[a-z]{1,8}", 0..4),
        joined in any::<bool>(),
    ) {
        let self_link = format!("<https://{host}.okta.com/api/v1/users?limit=2>; rel=\"self\"");
        let next_link = format!("<https://{host}.okta.com/api/v1/users?after={cursor}&limit=2>; rel=\"next\"");
        let mut values = vec![self_link];
        values.extend(extra.iter().map(|e| format!("<https://{host}.okta.com/{e}>; rel=\"{e}\"")).filter(|l| !l.contains("rel=\"next\"")));
        values.push(next_link.clone());
        let found = if joined { link::next_url([values.join(", ").as_str()]) } else { link::next_url(values.iter().map(String::as_str)) };
        prop_assert_eq!(found, Some(format!("https://{host}.okta.com/api/v1/users?after={cursor}&limit=2")));
    }

    #[test]
    fn rate_limit_headers_never_panic_and_stay_bounded(
        limit in ".{0,30}", remaining in ".{0,30}", reset in ".{0,30}", date in ".{0,40}",
        n_reset in any::<u64>(), n_date in any::<u64>(),
    ) {
        for (reset, date) in [(reset.clone(), date.clone()), (n_reset.to_string(), httpdate::fmt_http_date(std::time::UNIX_EPOCH + std::time::Duration::from_secs(n_date % 4_000_000_000)))] {
            let rl = ratelimit::read(&response(
                vec![
                    ("x-rate-limit-limit".into(), limit.clone()),
                    ("x-rate-limit-remaining".into(), remaining.clone()),
                    ("x-rate-limit-reset".into(), reset),
                    ("date".into(), date),
                ],
                vec![],
            ));
            if let Some(wait) = rl.until_reset() {
                prop_assert!(wait.as_secs() <= 24 * 3600, "a reset at most a day ahead: {wait:?}");
            }
        }
    }

    #[test]
    fn error_bodies_never_panic(status in 400u16..600, body in proptest::collection::vec(any::<u8>(), 0..2000), auth in proptest::option::of(".{0,200}")) {
        let e = errors::decode(status, &body, |h| if h == "www-authenticate" { auth.clone() } else { None });
        prop_assert_eq!(e.status, status);
        prop_assert!(!e.summary.is_empty());
    }

    #[test]
    fn okta_shaped_error_bodies_are_read(code in "E[0-9]{7}", summary in "[ -~]{1,80}", causes in proptest::collection::vec("[ -~]{0,40}", 0..4)) {
        let body = serde_json::json!({
            "errorCode": code, "errorSummary": summary, "errorLink": code, "errorId": "oae1",
            "errorCauses": causes.iter().map(|c| serde_json::json!({"errorSummary": c})).collect::<Vec<_>>()
        });
        let e = errors::decode(400, body.to_string().as_bytes(), |_| None);
        prop_assert_eq!(e.code.as_deref(), Some(code.as_str()));
        prop_assert_eq!(e.summary, summary);
        prop_assert_eq!(e.causes, causes);
    }

    #[test]
    fn pages_round_trip(items in proptest::collection::vec(any::<Option<(String, i64, bool)>>(), 0..50)) {
        let values: Vec<serde_json::Value> = items.iter().map(|i| serde_json::json!(i)).collect();
        let text = serde_json::to_string(&values).unwrap();
        let parsed: Vec<&serde_json::value::RawValue> = serde_json::from_str(&text).unwrap();
        let mut array = JsonArray::default();
        parsed.iter().for_each(|v| array.push(v.get()));
        prop_assert_eq!(array.count, values.len());
        let back: Vec<serde_json::Value> = serde_json::from_str(&array.finish()).unwrap();
        prop_assert_eq!(back, values);
    }
}
