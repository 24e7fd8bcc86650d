//! The connector's one error type, and its mapping to the WIT `error` variant.

use crate::bindings::okta::connector::types::{
    Error as WitError, FieldError, OktaError as WitOktaError, OktaErrorKind,
};
use std::fmt;

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

/// An error answer from Okta, decoded leniently from its error body.
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
                let kind = match status {
                    401 => OktaErrorKind::Unauthorized,
                    403 => OktaErrorKind::Forbidden,
                    404 => OktaErrorKind::NotFound,
                    429 => OktaErrorKind::RateLimited,
                    500..=599 => OktaErrorKind::Server,
                    _ => OktaErrorKind::Rejected,
                };
                WitError::Okta(WitOktaError {
                    kind,
                    status: o.status,
                    error_code: o.code,
                    summary: o.summary,
                    causes: o.causes,
                    error_id: o.error_id,
                    request_id: o.request_id,
                    authenticate: o.authenticate,
                })
            }
            Error::Transport(m) => WitError::Transport(m),
            Error::UnexpectedResponse(m) => WitError::UnexpectedResponse(m),
            Error::TooLarge(m) => WitError::TooLarge(m),
            Error::Unsupported(m) => WitError::Unsupported(m),
        }
    }
}
