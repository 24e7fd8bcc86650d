//! Okta error bodies: exactly `{"errorCode","errorSummary","errorLink","errorId","errorCauses"}`
//! in that order; `errorLink` equals `errorCode`; `errorCauses` holds only `{errorSummary}`.

use axum::body::Body;
use axum::response::{IntoResponse, Response};

use super::json::J;
use super::util;

/// An Okta management-API error.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiError {
    pub status: u16,
    pub code: &'static str,
    pub summary: String,
    pub causes: Vec<String>,
}

impl ApiError {
    pub fn new(status: u16, code: &'static str, summary: impl Into<String>) -> ApiError {
        ApiError { status, code, summary: summary.into(), causes: Vec::new() }
    }
    pub fn cause(mut self, c: impl Into<String>) -> ApiError {
        self.causes.push(c.into());
        self
    }

    /// Body with a fresh `errorId`.
    pub fn body(&self) -> J {
        J::obj([
            ("errorCode", J::s(self.code)),
            ("errorSummary", J::s(self.summary.clone())),
            ("errorLink", J::s(self.code)),
            ("errorId", J::s(util::error_id())),
            ("errorCauses", J::Arr(self.causes.iter().map(|c| J::obj([("errorSummary", J::s(c.clone()))])).collect())),
        ])
    }

    /// 400 E0000001 `Api validation failed: <what>` with causes.
    pub fn validation(what: &str, causes: impl IntoIterator<Item = String>) -> ApiError {
        let mut e = ApiError::new(400, "E0000001", format!("Api validation failed: {what}"));
        e.causes.extend(causes);
        e
    }
    /// 400 E0000003 (unparsable or empty JSON body).
    pub fn malformed_body() -> ApiError {
        ApiError::new(400, "E0000003", "The request body was not well-formed.")
    }
    /// 404 E0000007 `Not found: Resource not found: <id> (<Type>)`.
    pub fn not_found(id: &str, kind: &str) -> ApiError {
        ApiError::new(404, "E0000007", format!("Not found: Resource not found: {id} ({kind})"))
    }
    /// 404 E0000008 for paths that are not an endpoint.
    pub fn path_not_found() -> ApiError {
        ApiError::new(404, "E0000008", "The requested path was not found")
    }
    /// 403 E0000006.
    pub fn access_denied() -> ApiError {
        ApiError::new(403, "E0000006", "You do not have permission to perform the requested action")
    }
    /// 401 E0000011.
    pub fn invalid_token() -> ApiError {
        ApiError::new(401, "E0000011", "Invalid token provided")
    }
    /// 401 E0000015: feature not licensed (seen on `/users/{id}/blocks`).
    pub fn feature_not_enabled() -> ApiError {
        ApiError::new(401, "E0000015", "You do not have permission to access the feature you are requesting")
    }
    /// 403 E0000016: activate on an already active user.
    pub fn already_active() -> ApiError {
        ApiError::new(403, "E0000016", "Activation failed because the user is already active")
    }
    /// 405 E0000022.
    pub fn method_not_allowed() -> ApiError {
        ApiError::new(405, "E0000022", "The endpoint does not support the provided HTTP method")
    }
    /// 400 E0000028.
    pub fn missing_parameter(name: &str) -> ApiError {
        ApiError::new(400, "E0000028", "The request is missing a required parameter.")
            .cause(format!("{name}: The parameter is required."))
    }
    /// 400 E0000029 for a forged or unknown `after` cursor.
    pub fn invalid_cursor() -> ApiError {
        ApiError::new(400, "E0000029", "Invalid paging request.").cause("Invalid cursor.")
    }
    /// 400 E0000031 for a bad `search`/`filter` expression.
    pub fn invalid_search() -> ApiError {
        ApiError::new(400, "E0000031", "Invalid search criteria.")
    }
    /// 403 E0000032: unlock of a user that is not locked out.
    pub fn unlock_not_allowed() -> ApiError {
        ApiError::new(403, "E0000032", "Unlock is not allowed for this user.").cause("The user is not locked out.")
    }
    /// 403 E0000038: generic wrong-status error.
    pub fn wrong_status() -> ApiError {
        ApiError::new(403, "E0000038", "This operation is not allowed in the user's current status.")
    }
    /// 429 E0000047.
    pub fn rate_limited() -> ApiError {
        ApiError::new(429, "E0000047", "API call exceeded rate limit due to too many requests.")
    }

    /// The error an injected `Fault::Status(code)` answers with.
    pub fn for_status(status: u16) -> ApiError {
        match status {
            400 => ApiError::validation("request", ["Injected fault.".to_string()]),
            401 => ApiError::invalid_token(),
            403 => ApiError::access_denied(),
            404 => ApiError::path_not_found(),
            405 => ApiError::method_not_allowed(),
            409 => ApiError::new(
                409,
                "E0000112",
                "Unable to update the user because it is still being activated. Please try again later.",
            ),
            423 => ApiError::new(423, "E0000239", "Policy priorities are being reconciled. Please try again later."),
            429 => ApiError::rate_limited(),
            503 => ApiError::new(503, "E0000010", "Service is in read only mode"),
            s if s >= 500 => ApiError::new(s, "E0000009", "Internal Server Error"),
            s => ApiError::new(s, "E0000001", "Api validation failed: request"),
        }
    }
}

/// The error body with its status; the edge adds the headers.
impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut resp = Response::new(Body::from(self.body().to_vec()));
        *resp.status_mut() = http::StatusCode::from_u16(self.status).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
        resp
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_key_order() {
        let e = ApiError::invalid_cursor();
        let text = String::from_utf8(e.body().to_vec()).unwrap();
        assert!(text.starts_with(
            r#"{"errorCode":"E0000029","errorSummary":"Invalid paging request.","errorLink":"E0000029","errorId":"oae"#
        ));
        assert!(text.ends_with(r#""errorCauses":[{"errorSummary":"Invalid cursor."}]}"#));
    }
}
