//! Decoding Okta's error answers, leniently: the management API's
//! `{errorCode, errorSummary, errorLink, errorId, errorCauses}` (causes as an array or a single
//! object), the OAuth `{error, error_description}` shape, and empty bodies whose only detail is
//! a `WWW-Authenticate` header (missing scopes, DPoP problems).

use crate::error::OktaError;
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Body {
    error_code: Option<String>,
    error_summary: Option<String>,
    error_id: Option<String>,
    error_causes: Option<Value>,
    /// OAuth endpoints.
    #[serde(rename = "error")]
    oauth_error: Option<String>,
    #[serde(rename = "error_description")]
    oauth_description: Option<String>,
}

/// Where and how a response body failed to parse as JSON, without serde's own message (which
/// quotes values, and would link float formatting into the component only for this).
pub fn json_error(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let what = match e.classify() {
        Category::Io | Category::Syntax => "not valid JSON",
        Category::Eof => "cut off",
        Category::Data => "not of the expected shape",
    };
    format!("{what} at line {}, column {}", e.line(), e.column())
}

/// Builds the error for a non-2xx answer. `header` looks a response header up by name.
pub fn decode(status: u16, body: &[u8], header: impl Fn(&str) -> Option<String>) -> OktaError {
    let parsed: Body = serde_json::from_slice(body).unwrap_or_default();
    let causes = match parsed.error_causes {
        Some(Value::Array(items)) => items.iter().filter_map(cause_summary).collect(),
        Some(obj @ Value::Object(_)) => cause_summary(&obj).into_iter().collect(),
        _ => Vec::new(),
    };
    let authenticate = header("www-authenticate");
    if let Some(scope) = authenticate.as_deref().and_then(missing_scope) {
        let summary = format!(
            "the access token lacks the scope `{scope}`: grant it to the app (Okta API Scopes) and add it to the connection's scopes"
        );
        return OktaError {
            status,
            code: Some("insufficient_scope".into()),
            summary,
            causes: Vec::new(),
            error_id: parsed.error_id,
            request_id: header("x-okta-request-id"),
            authenticate,
        };
    }
    let summary = parsed
        .error_summary
        .or_else(|| match (&parsed.oauth_error, &parsed.oauth_description) {
            (Some(e), Some(d)) => Some(format!("{e}: {d}")),
            (Some(e), None) => Some(e.clone()),
            _ => None,
        })
        .or_else(|| authenticate.as_ref().map(|a| format!("{}: {a}", reason(status))))
        .unwrap_or_else(|| reason(status).to_string());
    OktaError {
        status,
        code: parsed.error_code.or(parsed.oauth_error),
        summary,
        causes,
        error_id: parsed.error_id,
        request_id: header("x-okta-request-id"),
        authenticate,
    }
}

/// The scope named by a `WWW-Authenticate: Bearer ..., error="insufficient_scope", scope="x"`.
fn missing_scope(challenge: &str) -> Option<String> {
    if !challenge.contains("insufficient_scope") {
        return None;
    }
    let param = |name: &str| {
        let start = challenge.find(&format!("{name}=\""))? + name.len() + 2;
        let end = challenge[start..].find('"')? + start;
        Some(challenge[start..end].to_string())
    };
    param("scope").filter(|s| !s.is_empty() && s.len() <= 200)
}

fn cause_summary(v: &Value) -> Option<String> {
    v.get("errorSummary").and_then(Value::as_str).map(str::to_string)
}

fn reason(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "HTTP error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_headers(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn management_api_error() {
        let body = br#"{"errorCode":"E0000001","errorSummary":"Api validation failed: login","errorLink":"E0000001","errorId":"oaeHfmOAx1iRLa0H10DeMz5fQ","errorCauses":[{"errorSummary":"login: An object with this field already exists in the current organization"}]}"#;
        let e = decode(400, body, |h| (h == "x-okta-request-id").then(|| "abc".into()));
        assert_eq!(e.code.as_deref(), Some("E0000001"));
        assert_eq!(e.summary, "Api validation failed: login");
        assert_eq!(e.causes, vec!["login: An object with this field already exists in the current organization"]);
        assert_eq!(e.error_id.as_deref(), Some("oaeHfmOAx1iRLa0H10DeMz5fQ"));
        assert_eq!(e.request_id.as_deref(), Some("abc"));
    }

    #[test]
    fn causes_as_a_single_object() {
        let body = br#"{"errorCode":"E0000041","errorSummary":"Credentials should not be set on this resource based on the scheme.","errorCauses":{"errorSummary":"Credentials should not be set"}}"#;
        assert_eq!(decode(400, body, no_headers).causes, vec!["Credentials should not be set"]);
    }

    #[test]
    fn oauth_shape() {
        let body = br#"{"error":"invalid_client","error_description":"The client secret supplied for a confidential client is invalid."}"#;
        let e = decode(401, body, no_headers);
        assert_eq!(e.code.as_deref(), Some("invalid_client"));
        assert!(e.summary.starts_with("invalid_client: The client secret"));
    }

    #[test]
    fn empty_body_with_www_authenticate() {
        let auth = r#"Bearer authorization_uri="http://acme.okta.com/oauth2/v1/authorize", realm="http://acme.okta.com", scope="okta.users.read", error="insufficient_scope", error_description="The access token provided does not contain the required scopes.", resource="/api/v1/users""#;
        let e = decode(403, b"", |h| (h == "www-authenticate").then(|| auth.to_string()));
        assert_eq!(e.code.as_deref(), Some("insufficient_scope"));
        assert!(e.summary.contains("lacks the scope `okta.users.read`"), "{}", e.summary);
        assert_eq!(e.authenticate.as_deref(), Some(auth));
    }

    #[test]
    fn not_json() {
        let e = decode(502, b"<html>Bad gateway</html>", no_headers);
        assert_eq!(e.summary, "Bad Gateway");
        assert!(e.causes.is_empty());
    }
}
