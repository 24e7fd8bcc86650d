//! What hosts and tests do with a [`FakeOrg`]'s users besides calling the API.

use super::render::{render_user, LinkSet};
use super::seed;
use crate::FakeOrg;

impl FakeOrg {
    /// Adds `n` deterministically generated ACTIVE users (with passwords). Ids and logins depend
    /// only on how many users were generated before, so the same calls give the same users on
    /// every run. Their ids sort after the fixtures and before users created through the API.
    /// This is seeding, not an API write: nothing is logged.
    pub fn generate_users(&self, n: usize) {
        seed::generate_users(&mut self.st(), n);
    }

    /// Every user's id, any status, in id order (the order listings use).
    pub fn user_ids(&self) -> Vec<String> {
        self.st().users().keys().cloned().collect()
    }

    /// Number of users in the org, any status (deleted users are gone).
    pub fn user_count(&self) -> usize {
        self.st().users().len()
    }

    /// A user as `GET /api/v1/users/{id_or_login}` would return it (links use the origin of the
    /// last request, or `http://localhost`).
    pub fn get_user_json(&self, id_or_login: &str) -> Option<serde_json::Value> {
        let st = self.st();
        let id = st.resolve_user(id_or_login)?;
        let origin = st.last_origin.clone().unwrap_or_else(|| "http://localhost".to_string());
        let user = st.user(&id)?;
        Some(render_user(&st, user, &origin, LinkSet::Full, false).to_value())
    }
}
