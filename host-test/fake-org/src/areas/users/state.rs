//! The users' part of [`State`]: users and their logins, factors and user types. Reads, the
//! seed's loaders (not API writes: nothing is logged), and the writes, each recording its
//! System Log event.

use std::collections::BTreeMap;

use super::model::{user_target, Factor, Password, Status, Transition, User, UserType};
use crate::areas::state::State;
use crate::areas::system_log::events::{Actor, Audit, Ev};
use crate::infra::util::make_id;

impl State {
    // -----------------------------------------------------------------------------------------
    // Reads

    pub fn users(&self) -> &BTreeMap<String, User> {
        &self.users
    }
    pub fn user(&self, id: &str) -> Option<&User> {
        self.users.get(id)
    }
    pub fn factors_of<'a>(&'a self, user_id: &'a str) -> impl Iterator<Item = &'a Factor> + 'a {
        self.factors.iter().filter(move |f| f.user_id == user_id)
    }
    #[cfg(test)]
    pub fn factor_count(&self) -> usize {
        self.factors.len()
    }
    pub fn user_types(&self) -> &[UserType] {
        &self.user_types
    }

    /// Whether another user already has this login (case-insensitive, any status).
    pub fn login_taken(&self, login: &str, except: Option<&str>) -> bool {
        match self.logins.get(&login.to_lowercase()) {
            Some(id) => Some(id.as_str()) != except,
            None => false,
        }
    }

    /// Resolves `{id}` path parameters that accept an id, a login, a login shortname
    /// (the part before `@`, when unambiguous) or `me`.
    pub fn resolve_user(&self, key: &str) -> Option<String> {
        if self.users.contains_key(key) {
            return Some(key.to_string());
        }
        if key == "me" {
            return self.admin_id.clone();
        }
        if let Some(id) = self.logins.get(&key.to_lowercase()) {
            return Some(id.clone());
        }
        if key.contains('@') || key.is_empty() {
            return None;
        }
        let short = key.to_lowercase();
        let mut found = self.users.values().filter(|u| {
            let l = u.login().to_lowercase();
            l.split('@').next() == Some(short.as_str()) && l.contains('@')
        });
        match (found.next(), found.next()) {
            (Some(u), None) => Some(u.id.clone()),
            _ => None,
        }
    }

    /// `{userId}` path parameters take the id only.
    pub fn resolve_user_id_only(&self, key: &str) -> Option<String> {
        self.users.contains_key(key).then(|| key.to_string())
    }

    pub fn default_user_type(&self) -> Option<&UserType> {
        self.user_types.iter().find(|t| t.default).or(self.user_types.first())
    }

    pub fn user_type(&self, id: &str) -> Option<&UserType> {
        self.user_types.iter().find(|t| t.id == id)
    }

    /// The admin behind the API token: the seeded `/users/me` user, or a stand-in in an org
    /// without users.
    pub fn admin_actor(&self) -> Actor {
        match self.admin_id.as_ref().and_then(|id| self.users.get(id)) {
            Some(u) => {
                let t = user_target(u);
                Actor { id: t.id, kind: "User".into(), alternate_id: t.alternate_id, display_name: t.display_name }
            }
            None => Actor {
                id: make_id("00u", 'a', 0, 0xAD),
                kind: "User".into(),
                alternate_id: "api.admin@example.com".into(),
                display_name: "API Admin".into(),
            },
        }
    }

    // -----------------------------------------------------------------------------------------
    // Loading the seed

    pub fn load_user(&mut self, user: User) {
        self.bump_version();
        self.logins.insert(user.login().to_lowercase(), user.id.clone());
        if user.admin {
            self.admin_id = Some(user.id.clone());
        }
        self.users.insert(user.id.clone(), user);
    }
    pub fn load_factor(&mut self, factor: Factor) {
        self.factors.push(factor);
    }
    pub fn load_user_type(&mut self, t: UserType) {
        self.user_types.push(t);
    }

    // -----------------------------------------------------------------------------------------
    // Writes

    /// A new user (status, timestamps and credentials already decided), with its initial group
    /// memberships. Records `user.lifecycle.create`, `user.lifecycle.activate` when created
    /// activated, and one `group.user_membership.add` per group.
    pub fn create_user(&mut self, a: &Audit, user: User, group_ids: &[String]) -> String {
        let id = user.id.clone();
        let activated = user.activated.is_some();
        self.load_user(user);
        let target = self.users.get(&id).map(user_target);
        if let Some(t) = target.clone() {
            self.record(a, Ev::UserCreate, vec![t.clone()]);
            if activated {
                self.record(a, Ev::UserActivate, vec![t]);
            }
        }
        for gid in group_ids {
            self.add_group_member(a, gid, &id);
        }
        id
    }

    /// Stores an edited user (profile, credentials, type, realm). Records
    /// `user.account.update_profile` when the profile changed and `user.account.update_password`
    /// when the password did.
    pub fn save_user(&mut self, a: &Audit, mut user: User) {
        let Some(old) = self.users.get(&user.id).cloned() else { return };
        user.last_updated = a.now_secs();
        let profile_changed = old.profile != user.profile || old.type_id != user.type_id;
        let password_changed = old.password != user.password;
        let old_login = old.login().to_lowercase();
        if self.logins.get(&old_login).map(|v| *v == user.id).unwrap_or(false) {
            self.logins.remove(&old_login);
        }
        self.load_user(user.clone());
        let t = user_target(&user);
        if profile_changed {
            self.record(a, Ev::UserUpdateProfile, vec![t.clone()]);
        }
        if password_changed {
            self.record(a, Ev::UserUpdatePassword, vec![t]);
        }
    }

    /// Applies a lifecycle change and records its event.
    pub fn transition_user(&mut self, a: &Audit, id: &str, t: Transition) {
        let now = a.now_secs();
        let Some(u) = self.users.get_mut(id) else { return };
        let ev = match &t {
            Transition::Activate => {
                let status = if u.password.is_some() { Status::Active } else { Status::Provisioned };
                u.set_status(status, now);
                u.activated = Some(now);
                Ev::UserActivate
            }
            Transition::Reactivate => {
                u.last_updated = now;
                Ev::UserReactivate
            }
            Transition::Deactivate => {
                u.set_status(Status::Deprovisioned, now);
                Ev::UserDeactivate
            }
            Transition::Suspend => {
                u.set_status(Status::Suspended, now);
                Ev::UserSuspend
            }
            Transition::Unsuspend => {
                u.set_status(Status::Active, now);
                Ev::UserUnsuspend
            }
            Transition::Unlock => {
                u.set_status(Status::Active, now);
                Ev::UserUnlock
            }
            Transition::ResetPassword => {
                u.set_status(Status::Recovery, now);
                Ev::UserResetPassword
            }
            Transition::ExpirePassword { temp_password } => {
                u.set_status(Status::PasswordExpired, now);
                if let Some(p) = temp_password {
                    u.password = Some(Password::Plain(p.clone()));
                    u.password_changed = Some(now);
                }
                Ev::UserExpirePassword
            }
            Transition::ResetFactors => {
                u.last_updated = now;
                Ev::FactorResetAll
            }
        };
        let target = user_target(u);
        if t == Transition::ResetFactors {
            self.factors.retain(|f| f.user_id != id);
        }
        self.record(a, ev, vec![target]);
    }

    /// A password change by the user (old password checked by the caller); finishes recovery
    /// or an expired password.
    pub fn change_password(&mut self, a: &Audit, id: &str, new: Password) {
        let now = a.now_secs();
        let Some(u) = self.users.get_mut(id) else { return };
        u.password = Some(new);
        u.password_changed = Some(now);
        u.last_updated = now;
        if matches!(u.status, Status::Recovery | Status::PasswordExpired) {
            u.set_status(Status::Active, now);
        }
        let t = user_target(u);
        self.record(a, Ev::UserUpdatePassword, vec![t]);
    }

    /// `DELETE /users/{id}`: deactivates a user that is not DEPROVISIONED yet, deletes one that
    /// is (with its memberships, app assignments and factors).
    pub fn delete_user(&mut self, a: &Audit, id: &str) {
        let Some(u) = self.users.get(id) else { return };
        if u.status != Status::Deprovisioned {
            self.transition_user(a, id, Transition::Deactivate);
            return;
        }
        let t = user_target(u);
        self.record(a, Ev::UserDeleteInitiated, vec![t.clone()]);
        if let Some(u) = self.users.remove(id) {
            if self.admin_id.as_deref() == Some(id) {
                self.admin_id = None;
            }
            let key = u.login().to_lowercase();
            if self.logins.get(&key).map(|v| v == id).unwrap_or(false) {
                self.logins.remove(&key);
            }
            for g in self.groups.values_mut() {
                g.members.remove(id);
            }
            for app in &mut self.apps {
                app.users.retain(|x| x.principal != id);
            }
            self.factors.retain(|f| f.user_id != id);
        }
        self.record(a, Ev::UserDeleteCompleted, vec![t]);
    }

    /// `DELETE /users/{id}/sessions`.
    pub fn clear_user_sessions(&mut self, a: &Audit, id: &str) {
        if let Some(t) = self.users.get(id).map(user_target) {
            self.record(a, Ev::UserSessionClear, vec![t]);
        }
    }

    /// Removes factors of a user, one `user.mfa.factor.deactivate` each.
    pub fn unenroll_factors(&mut self, a: &Audit, user_id: &str, factor_ids: &[String]) {
        let Some(t) = self.users.get(user_id).map(user_target) else { return };
        for fid in factor_ids {
            let before = self.factors.len();
            self.factors.retain(|f| !(f.user_id == user_id && &f.id == fid));
            if self.factors.len() != before {
                self.record(a, Ev::FactorDeactivate, vec![t.clone()]);
            }
        }
    }
}
