//! The applications' part of [`State`]: reads, the seed's loader, and the writes (apps and
//! user assignments), each recording its System Log event.

use super::model::{app_target, App, AppAssignment};
use crate::areas::state::State;
use crate::areas::system_log::events::{Audit, Ev, Target};
use crate::areas::users::model::user_target;

impl State {
    pub fn apps(&self) -> &[App] {
        &self.apps
    }
    pub fn app(&self, id: &str) -> Option<&App> {
        self.apps.iter().find(|a| a.id == id)
    }

    pub fn load_app(&mut self, app: App) {
        self.apps.push(app);
    }

    /// A new app (id and timestamps assigned here); records `application.lifecycle.create`.
    pub fn create_app(&mut self, a: &Audit, mut app: App) -> String {
        app.id = self.new_misc_id("0oa");
        app.created = a.now_secs();
        app.last_updated = app.created;
        let id = app.id.clone();
        let t = app_target(&app);
        self.apps.push(app);
        self.record(a, Ev::AppCreate, vec![t]);
        id
    }

    /// `ACTIVE`/`INACTIVE`; records `application.lifecycle.activate`/`deactivate`.
    pub fn set_app_status(&mut self, a: &Audit, id: &str, active: bool) {
        let now = a.now_secs();
        let Some(app) = self.apps.iter_mut().find(|x| x.id == id) else { return };
        app.status = if active { "ACTIVE" } else { "INACTIVE" }.into();
        app.last_updated = now;
        let t = app_target(app);
        self.record(a, if active { Ev::AppActivate } else { Ev::AppDeactivate }, vec![t]);
    }

    /// Deletes an app with its assignments; records `application.lifecycle.delete`.
    pub fn delete_app(&mut self, a: &Audit, id: &str) {
        let Some(pos) = self.apps.iter().position(|x| x.id == id) else { return };
        let app = self.apps.remove(pos);
        for g in self.groups.values_mut() {
            if g.source.as_deref() == Some(id) {
                g.source = None;
            }
        }
        self.record(a, Ev::AppDelete, vec![app_target(&app)]);
    }

    fn app_user_targets(&self, app_id: &str, a: &AppAssignment) -> Vec<Target> {
        let mut out = Vec::new();
        let user = self.users.get(&a.principal).map(user_target);
        let display = user.as_ref().map(|u| u.display_name.clone()).unwrap_or_default();
        let alternate =
            a.user_name.clone().or_else(|| user.as_ref().map(|u| u.alternate_id.clone())).unwrap_or_default();
        out.push(Target { id: a.id.clone(), kind: "AppUser", alternate_id: alternate, display_name: display });
        if let Some(app) = self.app(app_id) {
            out.push(app_target(app));
        }
        out.extend(user);
        out
    }

    /// Assigns a user to an app; records `application.user_membership.add`.
    pub fn assign_app_user(&mut self, a: &Audit, app_id: &str, assignment: AppAssignment) {
        let targets = self.app_user_targets(app_id, &assignment);
        let Some(app) = self.apps.iter_mut().find(|x| x.id == app_id) else { return };
        app.users.push(assignment);
        self.record(a, Ev::AppUserAdd, targets);
    }

    /// Stores changed credentials or profile of an assignment; records
    /// `application.user_membership.update`.
    pub fn update_app_user(&mut self, a: &Audit, app_id: &str, mut assignment: AppAssignment) {
        assignment.last_updated = a.now_secs();
        let targets = self.app_user_targets(app_id, &assignment);
        let Some(app) = self.apps.iter_mut().find(|x| x.id == app_id) else { return };
        let Some(slot) = app.users.iter_mut().find(|x| x.principal == assignment.principal) else { return };
        *slot = assignment;
        self.record(a, Ev::AppUserUpdate, targets);
    }

    /// Removes a user's assignment; records `application.user_membership.remove`.
    pub fn unassign_app_user(&mut self, a: &Audit, app_id: &str, user_id: &str) {
        let Some(existing) = self.app(app_id).and_then(|x| x.users.iter().find(|u| u.principal == user_id)).cloned()
        else {
            return;
        };
        let targets = self.app_user_targets(app_id, &existing);
        if let Some(app) = self.apps.iter_mut().find(|x| x.id == app_id) {
            app.users.retain(|u| u.principal != user_id);
        }
        self.record(a, Ev::AppUserRemove, targets);
    }
}
