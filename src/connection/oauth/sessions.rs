//! The instance's OAuth sessions: one token set per family, reachable only by a connection
//! that presents one of the family's tokens.
//!
//! A session is made by a code exchange, by the tokens a host hands in, or (client
//! credentials) by the connection itself. A connection finds its session by its identity
//! (domain, client, secret or key, scopes) *and* a token of the family: the refresh or access
//! token it carries, the first one handed in or a newer one the instance handed back. A
//! connection that carries no token finds none, so a user of an app never acts as another
//! user of the same app. A client-credentials connection presents [`SERVICE`]: its identity
//! already holds its private key.
//!
//! Refresh tokens rotate. A session whose newest refresh token the host has not been given
//! (by `exchange-code`, `refresh` or `current-tokens`, or seen presenting it) is *unsaved*
//! and is never evicted: the host would be left with a refresh token Okta treats as reused,
//! which revokes the family. Saved sessions are evicted least recently used first beyond
//! [`MAX_SAVED`]; with [`MAX_UNSAVED`] unsaved sessions, a refresh that would make one more is
//! refused before anything is sent.

use super::{identity, Tokens};
use crate::error::Error;
use std::cell::RefCell;
use std::collections::HashMap;

/// Saved sessions kept; beyond, the least recently used is dropped (its tokens are the host's).
pub const MAX_SAVED: usize = 256;
/// Unsaved sessions kept, all of them: a refresh that would make one more is refused.
pub const MAX_UNSAVED: usize = 1024;
/// Token hashes a session answers to: the newest ones, and those handed in before.
const MAX_KEYS: usize = 8;

/// What a client-credentials connection presents: its identity is its credential.
pub const SERVICE: &str = "service-app";

/// The hash by which a presented token is compared (tokens are never kept as keys in clear).
pub fn token_hash(token: &str) -> String {
    identity(&["token", token])
}

struct Session {
    tokens: Tokens,
    /// `identity|hash` index keys this session answers to, oldest first.
    keys: Vec<String>,
    /// The host has been given the newest refresh token.
    saved: bool,
    /// Logical time of the last use, for eviction.
    used: u64,
}

#[derive(Default)]
pub struct Sessions {
    sessions: HashMap<u64, Session>,
    index: HashMap<String, u64>,
    next_id: u64,
    tick: u64,
}

fn key(identity: &str, presented: &str) -> String {
    format!("{identity}|{presented}")
}

/// The hashes of a token set's tokens.
fn hashes(t: &Tokens) -> Vec<String> {
    std::iter::once(token_hash(&t.access_token)).chain(t.refresh_token.as_deref().map(token_hash)).collect()
}

impl Sessions {
    /// The session of `identity` that answers to one of `presented`; a connection presenting
    /// the newest refresh token shows that the host has it.
    fn find(&mut self, identity: &str, presented: &[String]) -> Option<u64> {
        let id = presented.iter().find_map(|p| self.index.get(&key(identity, p)).copied())?;
        self.tick += 1;
        let tick = self.tick;
        let s = self.sessions.get_mut(&id)?;
        s.used = tick;
        if s.tokens.refresh_token.as_deref().map(token_hash).is_some_and(|r| presented.contains(&r)) {
            s.saved = true;
        }
        Some(id)
    }

    /// The session's newest tokens.
    pub fn tokens(&mut self, identity: &str, presented: &[String]) -> Option<Tokens> {
        let id = self.find(identity, presented)?;
        self.sessions.get(&id).map(|s| s.tokens.clone())
    }

    /// The newest tokens, now handed back to the host (so the session counts as saved).
    pub fn hand_back(&mut self, identity: &str, presented: &[String]) -> Option<Tokens> {
        let id = self.find(identity, presented)?;
        let s = self.sessions.get_mut(&id)?;
        s.saved = true;
        Some(s.tokens.clone())
    }

    /// Whether a refresh may make the session unsaved: always when it is already; otherwise
    /// only below [`MAX_UNSAVED`].
    pub fn may_rotate(&mut self, identity: &str, presented: &[String]) -> Result<(), Error> {
        if let Some(id) = self.find(identity, presented) {
            if self.sessions.get(&id).is_some_and(|s| !s.saved) {
                return Ok(());
            }
        }
        if self.sessions.values().filter(|s| !s.saved).count() >= MAX_UNSAVED {
            return Err(Error::TooLarge(format!(
                "this instance holds {MAX_UNSAVED} rotated token sets the host has not read back with current-tokens: read them back (or use another instance) before refreshing more"
            )));
        }
        Ok(())
    }

    /// Keeps `tokens` as the newest of the session `presented` reaches, or of a new one.
    /// `handed_back`: the host gets these tokens now (an export's result).
    pub fn put(&mut self, identity: &str, presented: &[String], tokens: Tokens, handed_back: bool) {
        let host_has_refresh = tokens.refresh_token.as_deref().is_none_or(|r| presented.contains(&token_hash(r)));
        let saved = handed_back || host_has_refresh;
        let new_keys: Vec<String> =
            presented.iter().cloned().chain(hashes(&tokens)).map(|h| key(identity, &h)).collect();
        let id = match self.find(identity, presented) {
            Some(id) => id,
            None => {
                self.next_id += 1;
                self.sessions
                    .insert(self.next_id, Session { tokens: tokens.clone(), keys: Vec::new(), saved, used: self.tick });
                self.next_id
            }
        };
        for k in &new_keys {
            if let Some(other) = self.index.insert(k.clone(), id).filter(|other| *other != id) {
                // A token answers for one session only: the newest to present it.
                if let Some(o) = self.sessions.get_mut(&other) {
                    o.keys.retain(|x| x != k);
                }
            }
        }
        let Some(s) = self.sessions.get_mut(&id) else { return };
        s.tokens = tokens;
        s.saved = saved;
        for k in new_keys {
            s.keys.retain(|x| *x != k);
            s.keys.push(k);
        }
        while s.keys.len() > MAX_KEYS {
            let old = s.keys.remove(0);
            self.index.remove(&old);
        }
        self.evict();
    }

    /// Marks the session's access token unusable, keeping its refresh token.
    pub fn expire(&mut self, identity: &str, presented: &[String]) {
        if let Some(id) = self.find(identity, presented) {
            if let Some(s) = self.sessions.get_mut(&id) {
                s.tokens.expires_at = Some(0);
            }
        }
    }

    /// Drops the least recently used saved sessions beyond [`MAX_SAVED`]; never an unsaved one.
    fn evict(&mut self) {
        let saved = self.sessions.values().filter(|s| s.saved).count();
        if saved <= MAX_SAVED {
            return;
        }
        let mut candidates: Vec<(u64, u64)> =
            self.sessions.iter().filter(|(_, s)| s.saved).map(|(id, s)| (s.used, *id)).collect();
        candidates.sort_unstable();
        for (_, id) in candidates.into_iter().take(saved - MAX_SAVED) {
            if let Some(s) = self.sessions.remove(&id) {
                for k in s.keys {
                    self.index.remove(&k);
                }
            }
        }
    }

    #[cfg(test)]
    fn len(&self) -> (usize, usize) {
        (self.sessions.len(), self.index.len())
    }
}

thread_local! {
    static SESSIONS: RefCell<Sessions> = RefCell::new(Sessions::default());
}

/// Runs `f` on the instance's sessions.
pub fn with<T>(f: impl FnOnce(&mut Sessions) -> T) -> T {
    SESSIONS.with(|s| f(&mut s.borrow_mut()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(access: &str, refresh: Option<&str>) -> Tokens {
        Tokens {
            access_token: access.into(),
            token_type: "Bearer".into(),
            expires_at: Some(u64::MAX),
            refresh_token: refresh.map(str::to_string),
            scope: String::new(),
        }
    }

    fn p(tokens: &[&str]) -> Vec<String> {
        tokens.iter().map(|t| token_hash(t)).collect()
    }

    #[test]
    fn only_a_connection_presenting_a_token_of_the_family_finds_it() {
        let mut s = Sessions::default();
        // User A connected (exchange-code), then an action refreshed: rotated, unsaved.
        s.put("app", &[], t("at-a1", Some("rt-a1")), true);
        s.put("app", &p(&["rt-a1", "at-a1"]), t("at-a2", Some("rt-a2")), false);
        assert_eq!(s.tokens("app", &[]), None, "a connection without tokens");
        assert_eq!(s.tokens("app", &p(&["rt-b1"])), None, "user B of the same app");
        assert_eq!(s.tokens("other-app", &p(&["rt-a1"])), None, "the same token under another identity");
        for presented in [p(&["rt-a1"]), p(&["at-a1"]), p(&["rt-a2"]), p(&["at-a2"])] {
            assert_eq!(s.tokens("app", &presented).map(|t| t.access_token), Some("at-a2".into()));
        }
        // User B has a session of their own; neither sees the other's.
        s.put("app", &p(&["rt-b1"]), t("at-b2", Some("rt-b2")), false);
        assert_eq!(s.tokens("app", &p(&["rt-b1"])).unwrap().access_token, "at-b2");
        assert_eq!(s.tokens("app", &p(&["rt-a1"])).unwrap().access_token, "at-a2");
        assert_eq!(s.hand_back("app", &[]), None);
    }

    #[test]
    fn unsaved_sessions_are_never_evicted() {
        let mut s = Sessions::default();
        // One unsaved rotation, then many saved sessions pushing it to be the oldest.
        s.put("app", &p(&["rt-0"]), t("at-1", Some("rt-1")), false);
        for n in 0..MAX_SAVED * 2 {
            s.put("app", &p(&[&format!("at-s{n}")]), t(&format!("at-s{n}"), None), false);
        }
        assert_eq!(s.tokens("app", &p(&["rt-0"])).unwrap().refresh_token.as_deref(), Some("rt-1"));
        let (sessions, index) = s.len();
        assert_eq!(sessions, MAX_SAVED + 1, "saved ones bounded, the unsaved one kept");
        assert!(index <= sessions * MAX_KEYS);
        // Read back, it becomes evictable like any other.
        assert!(s.hand_back("app", &p(&["rt-0"])).is_some());
        for n in 0..MAX_SAVED {
            s.put("app", &p(&[&format!("at-t{n}")]), t(&format!("at-t{n}"), None), false);
        }
        assert_eq!(s.tokens("app", &p(&["rt-0"])), None);
    }

    #[test]
    fn presenting_the_newest_refresh_token_saves_the_session() {
        let mut s = Sessions::default();
        s.put("app", &p(&["rt-0"]), t("at-1", Some("rt-1")), false);
        assert!(s.sessions.values().any(|x| !x.saved));
        s.tokens("app", &p(&["rt-1"]));
        assert!(s.sessions.values().all(|x| x.saved));
    }

    #[test]
    fn too_many_unsaved_refuses_the_next_rotation_only() {
        let mut s = Sessions::default();
        for n in 0..MAX_UNSAVED {
            s.put("app", &p(&[&format!("rt-{n}")]), t("at", Some(&format!("rt-{n}-new"))), false);
        }
        assert!(matches!(s.may_rotate("app", &p(&["rt-new-user"])), Err(Error::TooLarge(_))));
        assert!(s.may_rotate("app", &p(&["rt-5"])).is_ok(), "an unsaved session may rotate again");
        s.hand_back("app", &p(&["rt-5"]));
        assert!(s.may_rotate("app", &p(&["rt-new-user"])).is_ok());
    }

    #[test]
    fn a_session_answers_to_a_bounded_number_of_tokens() {
        let mut s = Sessions::default();
        s.put("app", &p(&["rt-0"]), t("at-0", Some("rt-0")), true);
        for n in 1..50 {
            let prev = format!("rt-{}", n - 1);
            s.put("app", &p(&[&prev]), t(&format!("at-{n}"), Some(&format!("rt-{n}"))), true);
        }
        let (sessions, index) = s.len();
        assert_eq!(sessions, 1);
        assert!(index <= MAX_KEYS, "{index}");
        assert_eq!(s.tokens("app", &p(&["rt-49"])).unwrap().access_token, "at-49");
        assert_eq!(s.tokens("app", &p(&["rt-0"])), None, "long superseded");
    }
}
