//! Secrets out of everything the connector prints: errors ([`Error::scrub`]) and debug output
//! (Raw Request's Debug). A secret is replaced as given and as it reads percent-encoded in
//! a URL path.

use super::path::encode_segment;
use crate::error::{Error, OktaError};

/// Secrets shorter than this are not scrubbed: replacing every `a` of a message helps nobody,
/// and real tokens, passwords and keys are longer.
const MIN_SCRUBBED: usize = 4;

impl Error {
    /// Replaces every occurrence of each secret in every text of the error with `[redacted]`.
    pub fn scrub(self, secrets: &[String]) -> Error {
        if !secrets.iter().any(|s| s.len() >= MIN_SCRUBBED) {
            return self;
        }
        let clean = |text: String| scrub_text(text, secrets);
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
pub fn scrub_text(mut text: String, secrets: &[String]) -> String {
    for secret in secrets.iter().filter(|s| s.len() >= MIN_SCRUBBED) {
        for form in [secret.to_string(), encode_segment(secret)] {
            if text.contains(form.as_str()) {
                text = text.replace(form.as_str(), "[redacted]");
            }
        }
    }
    text
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
