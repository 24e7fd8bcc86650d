//! The applications' seed from `fixtures/`: apps with their user and group assignments.

use super::model::{App, AppAssignment};
use crate::areas::state::State;
use crate::infra::json::J;
use crate::infra::seed_files::{array, s, secs};

const APPS_JSON: &str = include_str!("../../../../../fixtures/apps.json");

/// The fixtures' apps.
pub fn load_apps(st: &mut State) {
    for a in array(APPS_JSON) {
        let assignments = |key: &str, id_key: &str, scope: &str| -> Vec<AppAssignment> {
            a[key]
                .as_array()
                .map(|l| {
                    l.iter()
                        .map(|x| {
                            let created = secs(&x["created"]).unwrap_or(0);
                            AppAssignment {
                                principal: s(&x[id_key]),
                                id: s(&x["assignmentId"]),
                                created,
                                last_updated: created,
                                status_changed: created,
                                password_changed: secs(&x["passwordChanged"]),
                                status: x["status"].as_str().unwrap_or("ACTIVE").to_string(),
                                scope: scope.to_string(),
                                user_name: x["userName"].as_str().map(str::to_string),
                                password: x["password"].as_str().map(str::to_string),
                                profile: J::empty_obj(),
                            }
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        st.load_app(App {
            id: s(&a["id"]),
            name: s(&a["name"]),
            label: s(&a["label"]),
            status: s(&a["status"]),
            sign_on_mode: s(&a["signOnMode"]),
            created: secs(&a["created"]).unwrap_or(0),
            last_updated: secs(&a["lastUpdated"]).unwrap_or(0),
            settings_app: J::from(&a["settings"]["app"]),
            users: assignments("users", "userId", "USER"),
            groups: assignments("groups", "groupId", "GROUP"),
        });
    }
}
