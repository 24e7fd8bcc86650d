//! The device authorization grant (RFC 8628) of the org authorization server, as Okta runs it
//! for native apps: `POST /oauth2/v1/device/authorize` hands out a device code and a user code
//! (8 letters without vowels, `https://{org}/activate`, 600 s, a 5 s interval); the user enters
//! the code at `/activate` and the org's admin allows or denies; each poll of the token endpoint
//! with the `device_code` grant gets `authorization_pending`, `slow_down` (polling faster than
//! the interval, which then grows by 5 s), `access_denied`, `expired_token`, or the tokens once.

use std::collections::HashMap;

use super::authz::OAuthError;
use crate::infra::json::J;
use crate::infra::util;

/// The grant type of the polls.
pub const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
/// How long a device code and its user code live.
pub const LIFETIME_SECS: i64 = 600;
/// Okta's polling interval.
pub const DEFAULT_INTERVAL_SECS: i64 = 5;
/// What a `slow_down` adds to the interval (RFC 8628 §3.5).
const SLOW_DOWN_SECS: i64 = 5;
/// User codes: letters a person reads and types without mistaking them (no vowels).
const USER_CODE_LETTERS: &[u8] = b"BCDFGHJKLMNPQRSTVWXZ";
/// The most device codes kept; expired ones are dropped first.
const MAX_CODES: usize = 1024;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Decision {
    Pending,
    Allowed,
    Denied,
}

#[derive(Clone, Debug)]
struct DeviceCode {
    client_id: String,
    scopes: Vec<String>,
    user_code: String,
    expires_at: i64,
    interval: i64,
    last_poll: Option<i64>,
    decision: Decision,
    used: bool,
}

/// The device codes handed out, by device code.
#[derive(Debug)]
pub struct Devices {
    codes: HashMap<String, DeviceCode>,
    /// The interval handed out with new codes.
    pub interval_secs: i64,
}

impl Default for Devices {
    fn default() -> Self {
        Devices { codes: HashMap::new(), interval_secs: DEFAULT_INTERVAL_SECS }
    }
}

impl Devices {
    /// New codes for `client_id` and `scopes` (already checked), and the answer that carries them.
    pub fn start(&mut self, client_id: &str, scopes: Vec<String>, origin: &str, now: i64) -> J {
        if self.codes.len() >= MAX_CODES {
            self.codes.retain(|_, c| c.expires_at > now && !c.used);
            if self.codes.len() >= MAX_CODES {
                self.codes.clear();
            }
        }
        let device_code = util::token(40);
        let user_code: String = (0..8)
            .map(|_| USER_CODE_LETTERS[(util::random_u64() % USER_CODE_LETTERS.len() as u64) as usize] as char)
            .collect();
        self.codes.insert(
            device_code.clone(),
            DeviceCode {
                client_id: client_id.to_string(),
                scopes,
                user_code: user_code.clone(),
                expires_at: now + LIFETIME_SECS,
                interval: self.interval_secs,
                last_poll: None,
                decision: Decision::Pending,
                used: false,
            },
        );
        J::obj([
            ("device_code", J::s(device_code)),
            ("user_code", J::s(user_code.clone())),
            ("verification_uri", J::s(format!("{origin}/activate"))),
            ("verification_uri_complete", J::s(format!("{origin}/activate?user_code={user_code}"))),
            ("expires_in", J::Num(LIFETIME_SECS.into())),
            ("interval", J::Num(self.interval_secs.into())),
        ])
    }

    /// The user's decision at `/activate` for the code they typed (any case, spaces and
    /// dashes ignored). `Err` says why the code is not one to decide on.
    pub fn decide(&mut self, user_code: &str, allow: bool, now: i64) -> Result<(), String> {
        let typed: String = user_code.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_uppercase();
        let code = self
            .codes
            .values_mut()
            .find(|c| c.user_code == typed && !c.used)
            .ok_or_else(|| "Invalid code: check it and try again.".to_string())?;
        if code.expires_at <= now {
            return Err("This code has expired: start again on your device.".into());
        }
        if code.decision != Decision::Pending {
            return Err("This code was already used.".into());
        }
        code.decision = if allow { Decision::Allowed } else { Decision::Denied };
        Ok(())
    }

    /// One poll by `client_id`: the scopes to grant once the user allowed, or the error Okta
    /// answers.
    pub fn poll(&mut self, device_code: &str, client_id: &str, now: i64) -> Result<Vec<String>, OAuthError> {
        let invalid = || OAuthError::new(400, "invalid_grant", "The device code is invalid or has expired.");
        let code = self.codes.get_mut(device_code).ok_or_else(invalid)?;
        if code.client_id != client_id {
            return Err(OAuthError::new(400, "invalid_grant", "The device code was issued to another client."));
        }
        if code.used {
            return Err(invalid());
        }
        if code.expires_at <= now {
            return Err(OAuthError::new(400, "expired_token", "The device code has expired."));
        }
        let too_soon = code.last_poll.is_some_and(|last| now - last < code.interval);
        code.last_poll = Some(now);
        if too_soon {
            code.interval += SLOW_DOWN_SECS;
            return Err(OAuthError::new(400, "slow_down", "The client is polling too frequently."));
        }
        match code.decision {
            Decision::Pending => Err(OAuthError::new(
                400,
                "authorization_pending",
                "The device authorization is pending. Please try again later.",
            )),
            Decision::Denied => {
                code.used = true;
                Err(OAuthError::new(
                    400,
                    "access_denied",
                    "The resource owner or authorization server denied the request.",
                ))
            }
            Decision::Allowed => {
                code.used = true;
                Ok(code.scopes.clone())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn started(d: &mut Devices, now: i64) -> (String, String) {
        let answer: serde_json::Value =
            serde_json::from_slice(&d.start("0oanative", vec!["okta.users.read".into()], "https://o", now).to_vec())
                .unwrap();
        (answer["device_code"].as_str().unwrap().to_string(), answer["user_code"].as_str().unwrap().to_string())
    }

    #[test]
    fn a_poll_gets_what_the_user_decided_once() {
        let mut d = Devices::default();
        let (device, user) = started(&mut d, 1000);
        assert_eq!(user.len(), 8);
        assert!(user.bytes().all(|b| USER_CODE_LETTERS.contains(&b)));
        assert_eq!(d.poll(&device, "0oanative", 1000).unwrap_err().error, "authorization_pending");
        assert_eq!(d.poll(&device, "0oanative", 1002).unwrap_err().error, "slow_down");
        assert_eq!(d.poll(&device, "0oanative", 1008).unwrap_err().error, "slow_down", "the interval grew to 10 s");
        assert_eq!(d.poll(&device, "0oanative", 1018).unwrap_err().error, "slow_down", "15 s now");
        assert_eq!(d.poll(&device, "0oanative", 1040).unwrap_err().error, "authorization_pending");
        d.decide(&format!("{}-{}", &user[..4], user[4..].to_lowercase()), true, 1041).unwrap();
        assert!(d.decide(&user, false, 1041).is_err(), "decided once");
        assert_eq!(d.poll(&device, "0oaother", 1060).unwrap_err().error, "invalid_grant");
        assert_eq!(d.poll(&device, "0oanative", 1060).unwrap(), ["okta.users.read"]);
        assert_eq!(d.poll(&device, "0oanative", 1080).unwrap_err().error, "invalid_grant", "tokens once");
    }

    #[test]
    fn denied_and_expired_codes_end() {
        let mut d = Devices::default();
        let (device, user) = started(&mut d, 0);
        d.decide(&user, false, 10).unwrap();
        assert_eq!(d.poll(&device, "0oanative", 10).unwrap_err().error, "access_denied");
        let (device, user) = started(&mut d, 0);
        assert!(d.decide(&user, true, LIFETIME_SECS).is_err());
        assert_eq!(d.poll(&device, "0oanative", LIFETIME_SECS).unwrap_err().error, "expired_token");
        assert!(d.decide("NOTACODE", true, 0).is_err());
    }

    #[test]
    fn codes_are_bounded() {
        let mut d = Devices::default();
        for _ in 0..MAX_CODES + 10 {
            started(&mut d, 0);
        }
        assert!(d.codes.len() <= MAX_CODES);
    }
}
