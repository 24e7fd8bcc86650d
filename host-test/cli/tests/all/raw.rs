//! Raw Request through the built component: the exact bytes it sends (JSON, form and
//! multipart bodies) and returns (binary, text, JSON, headers, status), its retry options,
//! and every URL or header that could send the credentials elsewhere, refused with nothing
//! sent. Scenarios run against the fake org.

use crate::support::common::*;
use anyhow::Result;
use okta_fake_org::{FakeOrg, Fault};
use okta_harness::*;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

fn raw(method: &str, path: &str) -> ExpectedRequest {
    ExpectedRequest::new(method, path)
        .header("authorization", &format!("SSWS {SCRIPT_TOKEN}"))
        .header_present("user-agent")
}

#[tokio::test]
pub(crate) async fn a_json_body_exactly() -> Result<()> {
    let script = vec![(
        raw("POST", "/api/v1/groups")
            .header("accept", "application/json")
            .header("content-type", "application/json")
            .bytes(br#"{"profile":{"description":"d","name":"Ops"}}"#.to_vec()),
        CannedResponse::json(200, json!({ "id": "00g1" })).header("x-okta-request-id", "req-1"),
    )];
    let input =
        json!({ "url": "/groups", "method": "POST", "data": { "profile": { "name": "Ops", "description": "d" } } });
    let out = both_ok(script, "raw.request", input).await?;
    assert_eq!(out["status"], 200);
    assert_eq!(out["data"], json!({ "id": "00g1" }));
    let headers = out["headers"].as_array().unwrap();
    assert!(headers.contains(&json!({ "key": "x-okta-request-id", "value": "req-1" })), "{headers:?}");
    Ok(())
}

#[tokio::test]
async fn a_text_body_with_the_users_content_type() -> Result<()> {
    let script = vec![(
        raw("PUT", "/api/v1/templates/sms/x").header("content-type", "text/csv").bytes(b"a,b\n1,2".to_vec()),
        CannedResponse::empty(204),
    )];
    let input = json!({
        "url": "/templates/sms/x", "method": "PUT", "data": "a,b\n1,2",
        "header": [{ "key": "Content-Type", "value": "text/csv" }]
    });
    let out = both_ok(script, "raw.request", input).await?;
    assert_eq!(
        out,
        json!({ "status": 204, "headers": [{ "key": "date", "value": out["headers"][0]["value"] }], "data": null })
    );
    Ok(())
}

#[tokio::test]
async fn a_form_body_exactly() -> Result<()> {
    let script = vec![(
        raw("POST", "/api/v1/authorizationServers/x/clients")
            .header("content-type", "application/x-www-form-urlencoded")
            .bytes(b"grant=a+b&grant=%26&name=%C3%A9".to_vec()),
        CannedResponse::json(200, json!({})),
    )];
    let input = json!({
        "url": "/authorizationServers/x/clients", "method": "POST",
        "form_data": [{ "key": "grant", "value": "a b" }, { "key": "grant", "value": "&" }, { "key": "name", "value": "é" }],
        "header": [{ "key": "Content-Type", "value": "application/x-www-form-urlencoded" }]
    });
    both_ok(script, "raw.request", input).await?;
    Ok(())
}

#[tokio::test]
async fn a_multipart_body_exactly() -> Result<()> {
    let script = vec![(
        raw("POST", "/api/v1/brands/b1/themes/t1/logo")
            .header_prefix("content-type", "multipart/form-data; boundary=")
            .any_body(),
        CannedResponse::json(201, json!({ "url": "https://cdn/logo.png" })),
    )];
    let input = json!({
        "url": "/brands/b1/themes/t1/logo", "method": "POST",
        "form_data": [{ "key": "note", "value": "first \"logo\"" }],
        "file_data": [{ "key": "file", "value": "base64:iVBORw0KGgo=" }, { "key": "readme", "value": "plain text" }],
        "file_data_file_names": [{ "key": "file", "value": "logo.png" }]
    });
    let both = connector().both_doors(&script, &script_connection(), "raw.request", &input).await?;
    assert_eq!(both.result.as_ref().map(|v| v["status"].clone()).ok(), Some(json!(201)));
    let sent = &both.exchanges[0];
    let content_type = sent.request_header("content-type").unwrap();
    let boundary = content_type.strip_prefix("multipart/form-data; boundary=").unwrap();
    assert!(!boundary.is_empty() && boundary.len() <= 70, "RFC 2046 boundary: {boundary}");
    let png = [0x89u8, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];
    let mut expected = Vec::new();
    expected.extend(format!("--{boundary}\r\ncontent-type: text/plain\r\ncontent-disposition: form-data; name=\"note\"\r\n\r\nfirst \"logo\"\r\n").bytes());
    expected.extend(format!("--{boundary}\r\ncontent-type: application/octet-stream\r\ncontent-disposition: form-data; name=\"file\"; filename=\"logo.png\"\r\n\r\n").bytes());
    expected.extend(png);
    expected.extend(format!("\r\n--{boundary}\r\ncontent-type: application/octet-stream\r\ncontent-disposition: form-data; name=\"readme\"; filename=\"readme\"\r\n\r\nplain text\r\n--{boundary}--\r\n").bytes());
    assert_eq!(String::from_utf8_lossy(&sent.request_body), String::from_utf8_lossy(&expected));
    assert_eq!(sent.request_body, expected);
    Ok(())
}

#[tokio::test]
async fn binary_and_text_responses() -> Result<()> {
    let bytes: Vec<u8> = vec![0, 1, 2, 0xfe, 0xff];
    let script = vec![(
        raw("GET", "/api/v1/brands/b1/themes/t1/logo").header("accept", "image/png"),
        CannedResponse::raw(200, "image/png", bytes.clone()),
    )];
    let input = json!({
        "url": "/brands/b1/themes/t1/logo", "method": "GET", "response_type": "binary",
        "header": [{ "key": "Accept", "value": "image/png" }]
    });
    let out = both_ok(script, "raw.request", input).await?;
    assert_eq!(out["data"], "AAEC/v8=");

    let script = vec![(
        raw("GET", "/api/v1/apps/0oa1/sso/saml/metadata"),
        CannedResponse::raw(200, "application/xml", "<xml/>"),
    )];
    let out = both_ok(
        script,
        "raw.request",
        json!({ "url": "/apps/0oa1/sso/saml/metadata", "method": "GET", "response_type": "text" }),
    )
    .await?;
    assert_eq!(out["data"], "<xml/>");

    // Response Type json with a body that is not JSON: a clear error, not a trap.
    let script = vec![(
        raw("GET", "/api/v1/apps/0oa1/sso/saml/metadata"),
        CannedResponse::raw(200, "application/xml", "<xml/>"),
    )];
    let e = both_fail(script, "raw.request", json!({ "url": "/apps/0oa1/sso/saml/metadata", "method": "GET" })).await?;
    assert_eq!(error_kind(&e), "unexpected-response");
    assert!(error_json(&e)["message"].as_str().unwrap().contains("Response Type"), "{}", error_json(&e));
    Ok(())
}

#[tokio::test]
async fn query_in_the_url_is_merged_and_repeated_keys_kept() -> Result<()> {
    let script = vec![(
        raw("GET", "/api/v1/groups?q=Eng&limit=5&expand=stats&expand=app")
            .header("x-trace", "1")
            .header("x-trace", "1"),
        CannedResponse::json(200, json!([])),
    )];
    let input = json!({
        "url": "/groups?q=Eng&limit=5", "method": "get",
        "query_parameter": [{ "key": "expand", "value": "stats" }, { "key": "expand", "value": "app" }],
        "header": [{ "key": "X-Trace", "value": "1" }, { "key": "x-trace", "value": "1" }]
    });
    let both = connector().both_doors(&script, &script_connection(), "raw.request", &input).await?;
    assert_eq!(both.exchanges[0].request_header_all("x-trace"), vec!["1", "1"]);
    assert_eq!(both.exchanges[0].query.as_deref(), Some("q=Eng&limit=5&expand=stats&expand=app"));
    Ok(())
}

#[tokio::test]
async fn redirects_are_returned_not_followed() -> Result<()> {
    let script = vec![(
        raw("GET", "/api/v1/users/me"),
        CannedResponse::empty(302).header("location", "https://evil.example/steal"),
    )];
    let out = both_ok(script, "raw.request", json!({ "url": "/users/me", "method": "GET" })).await?;
    assert_eq!(out["status"], 302);
    assert!(out["headers"].to_string().contains("https://evil.example/steal"));
    Ok(())
}

/// Inputs refused before anything is sent; the fake org proves nothing reached it.
#[tokio::test]
async fn urls_and_headers_that_could_leak_the_credentials_are_refused() -> Result<()> {
    let cases: Vec<(Value, &str)> = vec![
        (json!({ "url": "https://evil.example/x" }), "url"),
        (json!({ "url": "//evil.example/x" }), "url"),
        (json!({ "url": "/../oauth2/v1/x" }), "url"),
        (json!({ "url": "/%2e%2e/x" }), "url"),
        (json!({ "url": "/..%2Fx" }), "url"),
        (json!({ "url": "/%252E%252E/oauth2/v1/token" }), "url"),
        (json!({ "url": "/users\\..\\x" }), "url"),
        (json!({ "url": "/users\u{0}x" }), "url"),
        (json!({ "url": "/users x" }), "url"),
        (json!({ "url": "/users\r\nHost: evil.example" }), "url"),
        (
            json!({ "url": "/users", "header": [{ "key": "X-A", "value": "1\r\nAuthorization: SSWS stolen" }] }),
            "header[0].value",
        ),
        (json!({ "url": "/users", "header": [{ "key": "X-A\r\nB", "value": "1" }] }), "header[0].key"),
        (json!({ "url": "/users", "header": [{ "key": "Authorization", "value": "SSWS other" }] }), "header[0].key"),
        (json!({ "url": "/users", "header": [{ "key": "DPoP", "value": "x" }] }), "header[0].key"),
        (json!({ "url": "/users", "header": [{ "key": "Host", "value": "evil.example" }] }), "header[0].key"),
    ];
    for (mut input, field) in cases {
        input["method"] = json!("GET");
        let org = FakeOrg::seeded();
        let (r, exchanges) = run(&org, "raw.request", input.clone()).await?;
        let e = r.expect_err("refused");
        assert_eq!(invalid_field(&e), field, "{input}");
        assert!(exchanges.is_empty(), "{input}: a request was sent");
        assert!(org.requests().is_empty(), "{input}: the org received a request");
    }
    Ok(())
}

#[tokio::test]
async fn paging_users_by_hand_with_the_link_header() -> Result<()> {
    let org = FakeOrg::empty();
    org.generate_users(25);
    let mut url = "/users?limit=10".to_string();
    let mut seen = Vec::new();
    for _ in 0..10 {
        let (r, exchanges) = run(&org, "raw.request", json!({ "url": url, "method": "GET" })).await?;
        conforms(&exchanges);
        let out = ok(r, "raw.request");
        seen.extend(ids(&out["data"]));
        let next = out["headers"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|h| h["key"] == "link")
            .filter_map(|h| h["value"].as_str())
            .find(|v| v.ends_with("rel=\"next\""))
            .map(|v| v.trim_start_matches('<').split('>').next().unwrap().to_string());
        match next {
            // The Link is absolute; Raw Request takes the path after /api/v1.
            Some(link) => url = link.split("/api/v1").nth(1).unwrap().to_string(),
            None => break,
        }
    }
    assert_eq!(seen, org.user_ids(), "every user once, in order");
    Ok(())
}

#[tokio::test]
async fn a_429_is_waited_out_even_without_retries() -> Result<()> {
    let org = FakeOrg::seeded();
    org.inject_fault("GET", "/api/v1/users/me", Fault::RateLimited { reset_after_secs: 1 }, 1);
    let started = Instant::now();
    let (r, exchanges) = run(&org, "raw.request", json!({ "url": "/users/me", "method": "GET" })).await?;
    assert_eq!(ok(r, "raw.request")["status"], 200);
    assert_eq!(exchanges.iter().map(|e| e.status).collect::<Vec<_>>(), vec![Some(429), Some(200)]);
    assert!(started.elapsed() >= Duration::from_millis(900), "waited for the reset, not a busy loop");
    Ok(())
}

#[tokio::test]
async fn a_500_on_post_is_retried_only_on_all_errors() -> Result<()> {
    let org = FakeOrg::seeded();
    let body = json!({ "profile": { "name": "Retried" } });
    org.inject_fault("POST", "/api/v1/groups", Fault::Status(500), 1);
    let (r, exchanges) =
        run(&org, "raw.request", json!({ "url": "/groups", "method": "POST", "data": body, "max_retry_count": 3 }))
            .await?;
    assert_eq!(error_kind(&r.expect_err("a 500")), "server");
    assert_eq!(exchanges.len(), 1, "a POST is not retried by default");

    org.inject_fault("POST", "/api/v1/groups", Fault::Status(500), 2);
    let input = json!({ "url": "/groups", "method": "POST", "data": body, "max_retry_count": 3, "retry_on_all_errors": true, "retry_delay_ms": 10 });
    let (r, exchanges) = run(&org, "raw.request", input).await?;
    assert_eq!(ok(r, "raw.request")["data"]["profile"]["name"], "Retried");
    assert_eq!(exchanges.iter().map(|e| e.status).collect::<Vec<_>>(), vec![Some(500), Some(500), Some(200)]);
    conforms(&exchanges);
    Ok(())
}

#[tokio::test]
async fn a_timeout_is_hit_and_reported() -> Result<()> {
    let org = FakeOrg::seeded();
    org.inject_fault("GET", "/api/v1/users/me", Fault::Delay(Duration::from_secs(5)), 1);
    let started = Instant::now();
    let (r, _) = run(&org, "raw.request", json!({ "url": "/users/me", "method": "GET", "timeout": 300 })).await?;
    let elapsed = started.elapsed();
    let e = r.expect_err("timed out");
    assert_eq!(error_kind(&e), "transport");
    let message = error_json(&e)["message"].as_str().unwrap().to_string();
    assert!(message.contains("300 ms"), "{message}");
    assert!(elapsed < Duration::from_secs(3), "took {elapsed:?}");
    Ok(())
}

#[tokio::test]
async fn debug_goes_to_stderr_with_the_credentials_redacted() -> Result<()> {
    let org = FakeOrg::seeded();
    let options = InstanceOptions { capture_stderr: true, ..InstanceOptions::default() };
    let mut instance = connector().instantiate_with(Backend::FakeOrg(org), options).await?;
    let input = json!({ "url": "/users/me", "method": "GET", "debug": true });
    instance.invoke_json("raw.request", &connection(), &input).await?.expect("ok");
    let stderr = instance.stderr();
    assert!(stderr.contains("> GET https://fake-org.okta.com/api/v1/users/me"), "{stderr}");
    assert!(stderr.contains("authorization: SSWS [redacted]"), "{stderr}");
    assert!(stderr.contains("< 200"), "{stderr}");
    assert!(!stderr.contains(FakeOrg::TOKEN), "{stderr}");
    Ok(())
}
