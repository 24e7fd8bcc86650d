//! The connector's one error type, and its mapping to the WIT `error` variant.

use crate::bindings::okta::connector::types::{Error as WitError, FieldError, OktaError as WitOktaError};
use std::fmt;

/// What an export returns.
pub type Outcome<T> = Result<T, WitError>;

/// Why an action failed. Never carries a secret: request headers and bodies are never copied
/// in, and [`Error::scrub`] removes any secret a server echoed back.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// An input was missing or malformed; nothing was sent.
    InvalidInput { field: String, message: String },
    /// The connection is unusable; nothing was sent.
    InvalidConnection { field: String, message: String },
    /// Okta answered with an error status.
    Okta(Box<OktaError>),
    /// The request could not be sent, or its answer was cut off or late.
    Transport(String),
    /// Okta's answer could not be read.
    UnexpectedResponse(String),
    /// An answer, or all pages of a listing, larger than the connector's cap.
    TooLarge(String),
    /// Not available in this version.
    Unsupported(String),
}

/// An error answer from Okta, decoded leniently (see [`crate::okta::errors`]).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OktaError {
    pub status: u16,
    pub code: Option<String>,
    pub summary: String,
    pub causes: Vec<String>,
    pub error_id: Option<String>,
    pub request_id: Option<String>,
    pub authenticate: Option<String>,
}

/// Secrets shorter than this are not scrubbed: replacing every `a` of a message helps nobody,
/// and real tokens, passwords and keys are longer.
const MIN_SCRUBBED: usize = 4;

impl Error {
    pub fn input(field: &str, message: impl Into<String>) -> Self {
        Error::InvalidInput { field: field.to_string(), message: message.into() }
    }
    pub fn connection(field: &str, message: impl Into<String>) -> Self {
        Error::InvalidConnection { field: field.to_string(), message: message.into() }
    }
    /// The Okta status, if Okta answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Okta(e) => Some(e.status),
            _ => None,
        }
    }
    /// Okta's `errorCode`, if Okta answered with one.
    pub fn code(&self) -> Option<&str> {
        match self {
            Error::Okta(e) => e.code.as_deref(),
            _ => None,
        }
    }

    /// Replaces every occurrence of each secret in every text of the error with `[redacted]`.
    pub fn scrub(self, secrets: &[String]) -> Error {
        let secrets: Vec<&str> = secrets.iter().map(String::as_str).filter(|s| s.len() >= MIN_SCRUBBED).collect();
        if secrets.is_empty() {
            return self;
        }
        let clean = |text: String| scrub_text(text, &secrets);
        match self {
            Error::InvalidInput { field, message } => Error::InvalidInput { field, message: clean(message) },
            Error::InvalidConnection { field, message } => Error::InvalidConnection { field, message: clean(message) },
            Error::Okta(o) => {
                let o = *o;
                Error::Okta(Box::new(OktaError {
                    status: o.status,
                    code: o.code.map(clean),
                    summary: clean(o.summary),
                    causes: o.causes.into_iter().map(clean).collect(),
                    error_id: o.error_id.map(clean),
                    request_id: o.request_id.map(clean),
                    authenticate: o.authenticate.map(clean),
                }))
            }
            Error::Transport(m) => Error::Transport(clean(m)),
            Error::UnexpectedResponse(m) => Error::UnexpectedResponse(clean(m)),
            Error::TooLarge(m) => Error::TooLarge(clean(m)),
            Error::Unsupported(m) => Error::Unsupported(clean(m)),
        }
    }
}

/// `text` with each secret (and its percent-encoded form) replaced.
pub fn scrub_text(mut text: String, secrets: &[&str]) -> String {
    for secret in secrets {
        for form in [secret.to_string(), crate::okta::path::encode_segment(secret)] {
            if !form.is_empty() && text.contains(form.as_str()) {
                text = text.replace(form.as_str(), "[redacted]");
            }
        }
    }
    text
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidInput { field, message } => write!(f, "invalid input `{field}`: {message}"),
            Error::InvalidConnection { field, message } => {
                write!(f, "invalid connection `{field}`: {message}")
            }
            Error::Okta(e) => write!(f, "Okta answered {}: {}", e.status, e.summary),
            Error::Transport(m) => write!(f, "transport error: {m}"),
            Error::UnexpectedResponse(m) => write!(f, "unexpected response: {m}"),
            Error::TooLarge(m) => write!(f, "too large: {m}"),
            Error::Unsupported(m) => write!(f, "unsupported: {m}"),
        }
    }
}

impl From<Error> for WitError {
    fn from(e: Error) -> Self {
        match e {
            Error::InvalidInput { field, message } => WitError::InvalidInput(FieldError { field, message }),
            Error::InvalidConnection { field, message } => WitError::InvalidConnection(FieldError { field, message }),
            Error::Okta(o) => {
                let o = *o;
                let status = o.status;
                let wit = WitOktaError {
                    status: o.status,
                    error_code: o.code,
                    summary: o.summary,
                    causes: o.causes,
                    error_id: o.error_id,
                    request_id: o.request_id,
                    authenticate: o.authenticate,
                };
                match status {
                    401 => WitError::Unauthorized(wit),
                    403 => WitError::Forbidden(wit),
                    404 => WitError::NotFound(wit),
                    429 => WitError::RateLimited(wit),
                    500..=599 => WitError::Server(wit),
                    _ => WitError::Rejected(wit),
                }
            }
            Error::Transport(m) => WitError::Transport(m),
            Error::UnexpectedResponse(m) => WitError::UnexpectedResponse(m),
            Error::TooLarge(m) => WitError::TooLarge(m),
            Error::Unsupported(m) => WitError::Unsupported(m),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrub_reaches_every_text() {
        let e = Error::Okta(Box::new(OktaError {
            status: 400,
            code: Some("E0000001".into()),
            summary: "bad token s3cr3t-T0ken and p%40ss".into(),
            causes: vec!["s3cr3t-T0ken".into()],
            error_id: Some("x s3cr3t-T0ken".into()),
            request_id: Some("s3cr3t-T0ken".into()),
            authenticate: Some("SSWS s3cr3t-T0ken".into()),
        }));
        let text = format!("{:?}", e.scrub(&["s3cr3t-T0ken".into(), "p@ss".into()]));
        assert!(!text.contains("s3cr3t"), "{text}");
        assert!(!text.contains("p%40ss"), "{text}");
        assert_eq!(text.matches("[redacted]").count(), 6, "{text}");
    }

    #[test]
    fn short_secrets_are_left_alone() {
        let e = Error::Transport("a b c".into()).scrub(&["a".into()]);
        assert_eq!(e, Error::Transport("a b c".into()));
    }
}
