//! Raw Request: any method on `/api/v1/{path}` of the connection's org.
//!
//! The one action that takes a URL from the user while holding the org's credentials, so the
//! URL and the headers are checked before anything is built: refused, each with the field
//! named and nothing sent,
//! - an absolute URL (`https://evil.example/x`, `mailto:x`) or a scheme-relative one
//!   (`//evil.example/x`): the credentials would go to that host;
//! - a path with a `.` or `..` segment once percent-decoded (`/../oauth2/v1/x`, `/%2e%2e/x`,
//!   `/..%2Fx`), decoded until nothing changes (a path still encoded after 8 rounds is
//!   refused), a `;` parameter after the dots included (`/..;/x`): servers and proxies that
//!   normalise it would leave `/api/v1`;
//! - a backslash (some servers read it as `/`), whitespace or a control character, and a
//!   `#` fragment (never sent, so never what the user meant);
//! - a header name that is not a token or a value with CR/LF (header injection), and the
//!   headers the connection and the HTTP layer own: `Authorization`, `Proxy-Authorization`,
//!   `DPoP`, `Cookie`, `Host`, `Content-Length`, `Transfer-Encoding`, `Connection`,
//!   `Keep-Alive`, `TE`, `Trailer`, `Upgrade`.

use crate::bindings::exports::okta::connector::raw::{HttpMethod, RawResponse, ResponseType};
use crate::error::Error;
use crate::inputs::raw::RawRequestInput;
use crate::inputs::types::KeyValue;
use crate::okta::retry::Custom;
use crate::okta::transport::HttpResponse;
use crate::okta::{Body, Flow, Method, Okta, Request};
use base64ct::Encoding as _;
use serde_json::Value;
use std::time::Duration;

/// Headers a user may not set.
const RESERVED_HEADERS: [&str; 12] = [
    "authorization",
    "proxy-authorization",
    "dpop",
    "cookie",
    "host",
    "content-length",
    "transfer-encoding",
    "connection",
    "keep-alive",
    "te",
    "trailer",
    "upgrade",
];

/// Raw Request.
pub fn request(_: &Okta, input: RawRequestInput) -> Result<Flow<RawResponse>, Error> {
    let (path, mut query) = api_path(&input.url)?;
    for kv in input.query_parameter.into_iter().flatten() {
        query.push((kv.key, kv.value));
    }
    let method = match input.method {
        HttpMethod::Get => Method::Get,
        HttpMethod::Post => Method::Post,
        HttpMethod::Put => Method::Put,
        HttpMethod::Patch => Method::Patch,
        HttpMethod::Delete => Method::Delete,
        HttpMethod::Head => Method::Head,
        HttpMethod::Options => Method::Options,
    };
    let mut headers = checked_headers(input.header.unwrap_or_default())?;
    let content_type = take_header(&mut headers, "content-type");
    let body = body(input.data, input.form_data, input.file_data, input.file_data_file_names, content_type)?;
    if !matches!(body, Body::None) && matches!(method, Method::Get | Method::Head) {
        return Err(Error::input("data", format!("a {} request carries no body", method.as_str())));
    }
    let response_type = input.response_type;
    let request = Request {
        method,
        path,
        query,
        headers,
        body,
        retry: Some(Custom {
            max_retries: input.max_retry_count,
            delay: Duration::from_millis(u64::from(input.retry_delay_ms)),
            exponential: input.use_exponential_backoff,
            all_errors: input.retry_on_all_errors,
        }),
        timeout: input.timeout.map(|ms| Duration::from_millis(u64::from(ms))),
        debug: input.debug,
    };
    Ok(request.send_raw().and_then(move |response| Flow::from_result(decode(response, response_type))))
}

/// Rounds of percent-decoding a Raw Request path is checked through.
const MAX_DECODINGS: usize = 8;

/// `.` or `..`, also with a `;` path parameter after it (`..;x`), which servers such as
/// Tomcat strip before resolving the path.
fn is_dot_segment(segment: &str) -> bool {
    matches!(segment.split(';').next(), Some("." | ".."))
}

/// The path under `/api/v1`, and the query it carried.
fn api_path(url: &str) -> Result<(String, Vec<(String, String)>), Error> {
    let refuse = |why: &str| Err(Error::input("url", format!("{why}; give the path after /api/v1, such as /users")));
    if url.contains("://") || url.starts_with("//") || url.split(['/', '?']).next().is_some_and(|s| s.contains(':')) {
        return refuse("must be a path on the connection's org, not a URL of its own");
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) || url.contains('\\') {
        return refuse("must not contain spaces, backslashes or control characters");
    }
    if url.contains('#') {
        return refuse("must not contain a fragment (#)");
    }
    let (raw_path, raw_query) = url.split_once('?').unwrap_or((url, ""));
    let raw_path = raw_path.strip_prefix("/api/v1").filter(|p| p.is_empty() || p.starts_with('/')).unwrap_or(raw_path);
    let raw_path = if raw_path.starts_with('/') { raw_path.to_string() } else { format!("/{raw_path}") };
    // Percent-decoded until nothing changes (a proxy may decode once more, and again), each
    // form checked: no dot segment and no backslash or control character. A path still
    // encoded after that many rounds is refused rather than trusted.
    let mut decoded = raw_path.clone();
    for round in 0..=MAX_DECODINGS {
        if decoded.split('/').any(is_dot_segment) {
            return refuse("must not climb out of /api/v1 (a `.` or `..` segment, encoded or not)");
        }
        if decoded.chars().any(|c| c.is_control() || c == '\\') {
            return refuse("must not contain encoded control characters or backslashes");
        }
        let next = percent_encoding::percent_decode_str(&decoded).decode_utf8_lossy().into_owned();
        if next == decoded {
            break;
        }
        if round == MAX_DECODINGS {
            return refuse("is percent-encoded too many times over");
        }
        decoded = next;
    }
    // Characters a path may hold as they are; anything else is encoded on the way out.
    if let Some(c) = raw_path.chars().find(|c| !c.is_ascii() || "\"<>^`{|}".contains(*c)) {
        return Err(Error::input("url", format!("must not contain `{c}` unencoded")));
    }
    let query = form_urlencoded::parse(raw_query.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    Ok((format!("/api/v1{raw_path}"), query))
}

/// The user's headers, checked; names lower-cased, repeated names kept.
fn checked_headers(list: Vec<KeyValue>) -> Result<Vec<(String, String)>, Error> {
    let mut out = Vec::new();
    for (i, kv) in list.into_iter().enumerate() {
        let name = kv.key.trim().to_ascii_lowercase();
        let field = format!("header[{i}]");
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)) {
            return Err(Error::input(&format!("{field}.key"), "must be a header name (letters, digits, `-`)"));
        }
        if RESERVED_HEADERS.contains(&name.as_str()) {
            return Err(Error::input(
                &format!("{field}.key"),
                format!("`{}` is set by the connection or the HTTP layer and cannot be given", kv.key.trim()),
            ));
        }
        if kv.value.chars().any(|c| c.is_control() && c != '\t') {
            return Err(Error::input(&format!("{field}.value"), "must not contain line breaks or control characters"));
        }
        out.push((name, kv.value));
    }
    Ok(out)
}

fn take_header(headers: &mut Vec<(String, String)>, name: &str) -> Option<String> {
    let pos = headers.iter().position(|(k, _)| k == name)?;
    Some(headers.remove(pos).1)
}

/// The request body from Data, Form Data and File Data.
fn body(
    data: Option<Value>,
    form: Option<Vec<KeyValue>>,
    files: Option<Vec<KeyValue>>,
    file_names: Option<Vec<KeyValue>>,
    content_type: Option<String>,
) -> Result<Body, Error> {
    let form = form.unwrap_or_default();
    let files = files.unwrap_or_default();
    let names = file_names.unwrap_or_default();
    if let Some(kv) = names.iter().find(|n| !files.iter().any(|f| f.key == n.key)) {
        return Err(Error::input("file_data_file_names", format!("`{}` names no File Data key", kv.key)));
    }
    let parts = !form.is_empty() || !files.is_empty();
    match (data, parts) {
        (Some(_), true) => Err(Error::input("data", "give Data, or Form Data and File Data, not both")),
        (Some(Value::String(text)), false) => Ok(Body::Bytes {
            content_type: content_type.unwrap_or_else(|| "text/plain; charset=utf-8".into()),
            data: text.into_bytes(),
        }),
        (Some(json), false) => match content_type {
            None => Ok(Body::Json(serde_json::to_vec(&json).unwrap_or_default())),
            Some(ct) => Ok(Body::Bytes { content_type: ct, data: serde_json::to_vec(&json).unwrap_or_default() }),
        },
        (None, false) => match content_type {
            // A Content-Type with no body is passed on as given (e.g. for an empty POST).
            Some(ct) => Ok(Body::Bytes { content_type: ct, data: Vec::new() }),
            None => Ok(Body::None),
        },
        (None, true) => {
            let urlencoded = content_type
                .as_deref()
                .is_some_and(|ct| ct.trim().to_ascii_lowercase().starts_with("application/x-www-form-urlencoded"));
            if urlencoded {
                if !files.is_empty() {
                    return Err(Error::input("file_data", "files need a multipart upload, not a urlencoded form"));
                }
                let encoded = form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(form.iter().map(|kv| (&kv.key, &kv.value)))
                    .finish();
                return Ok(Body::Bytes { content_type: content_type.unwrap_or_default(), data: encoded.into_bytes() });
            }
            multipart::encode(&form, &files, &names)
        }
    }
}

mod multipart {
    //! `multipart/form-data` (RFC 7578) through a well-kept encoder; what it leaves to the
    //! caller is done here: names escaped as HTML's form encoding does (`"` → `%22`,
    //! CR → `%0D`, LF → `%0A`), and a boundary that occurs in no part.

    use super::KeyValue;
    use crate::error::Error;
    use crate::okta::Body;
    use base64ct::Encoding as _;
    use common_multipart_rfc7578::client::multipart::{Body as Parts, Form};
    use futures_util::{FutureExt, TryStreamExt};
    use std::io::Cursor;

    fn escape(name: &str) -> String {
        name.replace('"', "%22").replace('\r', "%0D").replace('\n', "%0A")
    }

    /// A file's bytes: `base64:` then base64, or the text itself.
    fn file_bytes(i: usize, value: &str) -> Result<Vec<u8>, Error> {
        match value.strip_prefix("base64:") {
            Some(b64) => base64ct::Base64::decode_vec(b64.trim())
                .map_err(|_| Error::input(&format!("file_data[{i}].value"), "is not valid base64 after `base64:`")),
            None => Ok(value.as_bytes().to_vec()),
        }
    }

    pub fn encode(form: &[KeyValue], files: &[KeyValue], names: &[KeyValue]) -> Result<Body, Error> {
        let contents: Vec<Vec<u8>> =
            files.iter().enumerate().map(|(i, f)| file_bytes(i, &f.value)).collect::<Result<_, _>>()?;
        for _ in 0..4 {
            let mut parts = Form::default();
            for kv in form {
                parts.add_text(escape(&kv.key), kv.value.clone());
            }
            for (f, data) in files.iter().zip(&contents) {
                let filename =
                    names.iter().find(|n| n.key == f.key).map(|n| escape(&n.value)).unwrap_or_else(|| escape(&f.key));
                parts.add_reader_file_with_mime(
                    escape(&f.key),
                    Cursor::new(data.clone()),
                    filename,
                    mime::APPLICATION_OCTET_STREAM,
                );
            }
            let content_type = parts.content_type();
            let boundary = content_type.rsplit("boundary=").next().unwrap_or_default().trim_matches('"').to_string();
            // RFC 2046 §5.1.1: the boundary must not occur in any part.
            let collides = form.iter().any(|kv| kv.value.contains(&boundary) || kv.key.contains(&boundary))
                || contents.iter().any(|c| c.windows(boundary.len()).any(|w| w == boundary.as_bytes()));
            if collides {
                continue;
            }
            let chunks = Parts::from(parts)
                .try_collect::<Vec<_>>()
                .now_or_never()
                .ok_or_else(|| Error::input("file_data", "the multipart body could not be built"))?
                .map_err(|_| Error::input("file_data", "the multipart body could not be built"))?;
            let data = chunks.iter().flat_map(|c| c.iter().copied()).collect();
            return Ok(Body::Bytes { content_type, data });
        }
        Err(Error::input("file_data", "no multipart boundary could be found that the data does not contain"))
    }
}

/// The answer as Response Type asks.
fn decode(response: HttpResponse, response_type: ResponseType) -> Result<RawResponse, Error> {
    let data = match response_type {
        ResponseType::Text => Value::String(String::from_utf8_lossy(&response.body).into_owned()).to_string(),
        ResponseType::Binary => Value::String(base64ct::Base64::encode_string(&response.body)).to_string(),
        ResponseType::Json if response.body.iter().all(u8::is_ascii_whitespace) => "null".to_string(),
        ResponseType::Json => match serde_json::from_slice::<&serde_json::value::RawValue>(&response.body) {
            Ok(v) => v.get().to_string(),
            Err(_) => {
                let ct = response.header("content-type").unwrap_or("none");
                return Err(Error::UnexpectedResponse(format!(
                    "Response Type is json but the answer ({} bytes, content type {ct}) is not JSON: set Response Type to text or binary",
                    response.body.len()
                )));
            }
        },
    };
    Ok(RawResponse {
        status: response.status,
        headers: response
            .headers
            .into_iter()
            .map(|(key, value)| crate::bindings::okta::connector::types::KeyValue { key, value })
            .collect(),
        data,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Input;
    use proptest::prelude::*;

    fn path(url: &str) -> Result<String, String> {
        api_path(url).map(|(p, q)| if q.is_empty() { p } else { format!("{p} {q:?}") }).map_err(|e| e.to_string())
    }

    #[test]
    fn paths_stay_under_api_v1() {
        assert_eq!(path("/users").unwrap(), "/api/v1/users");
        assert_eq!(path("users/00u1/lifecycle/activate").unwrap(), "/api/v1/users/00u1/lifecycle/activate");
        assert_eq!(path("/api/v1/groups").unwrap(), "/api/v1/groups");
        assert_eq!(path("/users/a%40b.com").unwrap(), "/api/v1/users/a%40b.com");
        assert_eq!(path("/groups?q=x&q=y").unwrap(), r#"/api/v1/groups [("q", "x"), ("q", "y")]"#);
        assert_eq!(path("/users/a..b/x;y/...").unwrap(), "/api/v1/users/a..b/x;y/...", "dots inside a name");
        for bad in [
            "https://evil.example/x",
            "//evil.example/x",
            "http:/evil",
            "mailto:x",
            "/../oauth2/v1/x",
            "/%2e%2e/x",
            "/..%2Fx",
            "/%252e%252e/x",
            "/users/./x",
            "/users\\..\\x",
            "/users x",
            "/users\r\nHost: evil",
            "/users#frag",
            "/users/%0d%0a",
            "/%2525252e%2525252e/x",
            "/..;/oauth2/v1/x",
            "/users/..;x/y",
            "/%2e%2e;/x",
            "/.;/x",
            "/%25252525252525252e%25252525252525252e/x",
        ] {
            assert!(path(bad).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn headers_that_belong_to_the_connection_are_refused() {
        for name in ["Authorization", "dpop", "HOST", "Cookie", "Content-Length", "Transfer-Encoding"] {
            let e = checked_headers(vec![KeyValue { key: name.into(), value: "x".into() }]).unwrap_err();
            assert!(matches!(e, Error::InvalidInput { ref field, .. } if field == "header[0].key"), "{name}");
        }
        let e = checked_headers(vec![KeyValue { key: "X-A".into(), value: "a\r\nB: c".into() }]).unwrap_err();
        assert!(matches!(e, Error::InvalidInput { ref field, .. } if field == "header[0].value"));
        let ok = checked_headers(vec![
            KeyValue { key: "X-A".into(), value: "1".into() },
            KeyValue { key: "x-a".into(), value: "2".into() },
        ])
        .unwrap();
        assert_eq!(ok, vec![("x-a".to_string(), "1".to_string()), ("x-a".to_string(), "2".to_string())]);
    }

    #[test]
    fn bodies() {
        let kv = |k: &str, v: &str| KeyValue { key: k.into(), value: v.into() };
        assert_eq!(
            body(Some(serde_json::json!({"a": 1})), None, None, None, None).unwrap(),
            Body::Json(b"{\"a\":1}".to_vec())
        );
        assert_eq!(
            body(Some(Value::String("hi".into())), None, None, None, None).unwrap(),
            Body::Bytes { content_type: "text/plain; charset=utf-8".into(), data: b"hi".to_vec() }
        );
        let form = body(
            None,
            Some(vec![kv("a", "1 2"), kv("a", "&")]),
            None,
            None,
            Some("application/x-www-form-urlencoded".into()),
        );
        assert_eq!(
            form.unwrap(),
            Body::Bytes { content_type: "application/x-www-form-urlencoded".into(), data: b"a=1+2&a=%26".to_vec() }
        );
        let Body::Bytes { content_type, data } = body(
            None,
            Some(vec![kv("n\"ame", "v")]),
            Some(vec![kv("f", "base64:AAEC")]),
            Some(vec![kv("f", "x.bin")]),
            None,
        )
        .unwrap() else {
            panic!("multipart expected")
        };
        let boundary = content_type.split("boundary=").nth(1).unwrap();
        let text = String::from_utf8_lossy(&data);
        assert!(text.contains("name=\"n%22ame\""), "{text}");
        assert!(text.contains("filename=\"x.bin\""), "{text}");
        assert!(data.windows(3).any(|w| w == [0, 1, 2]), "the file's bytes");
        assert!(text.ends_with(&format!("--{boundary}--\r\n")), "{text}");
        assert!(body(Some(serde_json::json!({})), Some(vec![kv("a", "b")]), None, None, None).is_err());
        assert!(body(None, None, Some(vec![kv("f", "x")]), Some(vec![kv("g", "y")]), None).is_err());
        assert!(body(None, None, Some(vec![kv("f", "base64:!!")]), None, None).is_err());
    }

    #[test]
    fn responses_by_type() {
        let r = |body: &[u8]| HttpResponse {
            status: 200,
            headers: vec![("link".into(), "<x>".into())],
            body: body.to_vec(),
        };
        assert_eq!(decode(r(b"{\"a\":1}"), ResponseType::Json).unwrap().data, "{\"a\":1}");
        assert_eq!(decode(r(b""), ResponseType::Json).unwrap().data, "null");
        assert!(matches!(decode(r(b"<html>"), ResponseType::Json), Err(Error::UnexpectedResponse(_))));
        assert_eq!(decode(r(b"<html>"), ResponseType::Text).unwrap().data, "\"<html>\"");
        assert_eq!(decode(r(&[0, 255]), ResponseType::Binary).unwrap().data, "\"AP8=\"");
        assert_eq!(decode(r(b""), ResponseType::Json).unwrap().headers[0].key, "link");
    }

    #[test]
    fn method_and_response_type_are_checked() {
        assert!(RawRequestInput::from_json(r#"{"url":"/users","method":"FETCH"}"#).is_err());
        assert_eq!(RawRequestInput::from_json(r#"{"url":"/users","method":"get"}"#).unwrap().method, HttpMethod::Get);
        assert!(RawRequestInput::from_json(r#"{"url":"/users","method":"GET","response_type":"xml"}"#).is_err());
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        /// Whatever URL a user gives, the request built goes to `/api/v1` or below and climbs
        /// out of it neither as sent nor once or twice percent-decoded; a refused URL is an
        /// error naming `url`.
        #[test]
        fn urls_never_leave_api_v1(url in "[ -~]{0,80}") {
            let input = serde_json::json!({ "url": url, "method": "GET" });
            if let Ok(i) = RawRequestInput::from_json(&input.to_string()) {
                match request(&Okta::for_tests(), i) {
                    Ok(flow) => {
                        let Err((request, _, _)) = flow.step() else { return Ok(()) };
                        let decoded = percent_encoding::percent_decode_str(&request.path).decode_utf8_lossy().into_owned();
                        let twice = percent_encoding::percent_decode_str(&decoded).decode_utf8_lossy().into_owned();
                        prop_assert!(request.path.starts_with("/api/v1/") || request.path == "/api/v1");
                        for p in [&decoded, &twice] {
                            prop_assert!(!p.split('/').any(|s| s == ".." || s == "."), "{} climbs out", request.path);
                            prop_assert!(!p.contains('\\'));
                        }
                    }
                    Err(e) => prop_assert!(matches!(&e, Error::InvalidInput { field, .. } if field == "url"), "{e:?}"),
                }
            }
        }
    }
}
