//! Randomness from the host's secure source (`wasi:random/random` in the component).

use crate::error::Error;

pub fn bytes<const N: usize>() -> Result<[u8; N], Error> {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf).map_err(|_| Error::Unsupported("the host gave no secure random numbers".into()))?;
    Ok(buf)
}

/// A unique id for a `jti`: 128 random bits, base64url.
pub fn id() -> Result<String, Error> {
    Ok(super::base64url::encode(&bytes::<16>()?))
}
