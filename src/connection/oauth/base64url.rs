//! base64url without padding (RFC 4648 §5), as JWTs, DPoP and PKCE use it.

use base64::Engine as _;

pub fn encode(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Padding, if any, is ignored.
pub fn decode(text: &str) -> Result<Vec<u8>, base64::DecodeError> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text.trim_end_matches('='))
}
