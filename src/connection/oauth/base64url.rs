//! base64url without padding (RFC 4648 §5), as JWTs, DPoP and PKCE use it.

use base64ct::Encoding as _;

pub fn encode(bytes: &[u8]) -> String {
    base64ct::Base64UrlUnpadded::encode_string(bytes)
}

/// Padding, if any, is ignored.
pub fn decode(text: &str) -> Result<Vec<u8>, base64ct::Error> {
    base64ct::Base64UrlUnpadded::decode_vec(text.trim_end_matches('='))
}
