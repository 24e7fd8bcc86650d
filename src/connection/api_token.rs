//! API token: `Authorization: SSWS <token>` (Okta's own scheme, not `Bearer`).

use super::check_secret;
use crate::bindings::okta::connector::types::ApiTokenConnection;
use crate::error::Error;
use crate::okta::{domain, Okta, Secret};

pub fn connect(c: &ApiTokenConnection) -> Result<Okta, Error> {
    let origin = domain::parse(&c.domain)?;
    check_secret("token", &c.token)?;
    let token = c.token.trim();
    let token = token.strip_prefix("SSWS ").unwrap_or(token).trim();
    Ok(Okta::new(origin, Secret::new(format!("SSWS {token}"))))
}
