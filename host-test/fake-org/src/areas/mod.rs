//! The Okta areas of the fake org, one folder each: its records (`model.rs`), its part of the
//! [`State`] with the writes that record System Log events (`state.rs`), its seed (`seed.rs`)
//! and its routes (`routes.rs`). This module lists them: the org's [`State`], its router and
//! its seed.

pub mod apps;
pub mod event_hooks;
pub mod groups;
pub mod oauth;
pub mod policies;
pub mod realms;
pub mod state;
pub mod system_log;
pub mod users;

use self::state::State;
use crate::infra::routing::Routes;
use crate::org::Org;

/// The org's router: every area's routes behind the edge.
pub fn router(org: Org) -> axum::Router {
    let r = Routes::new(org);
    let r = users::routes(r);
    let r = groups::routes(r);
    let r = apps::routes(r);
    let r = policies::routes(r);
    let r = realms::routes(r);
    let r = system_log::routes(r);
    let r = event_hooks::routes(r);
    let r = oauth::routes(r);
    r.into_router()
}

/// The full seed from `fixtures/` (no System Log history: see
/// [`system_log::seed::seed_past_events`]).
pub fn seeded_state() -> State {
    let mut st = State::default();
    users::seed::load_user_types(&mut st);
    groups::seed::load_groups(&mut st, false);
    policies::seed::load_policies(&mut st);
    realms::seed::load_realms(&mut st);
    users::seed::load_users(&mut st);
    apps::seed::load_apps(&mut st);
    users::seed::load_factors(&mut st);
    st
}

/// User types and the Everyone group only.
pub fn empty_state() -> State {
    let mut st = State::default();
    users::seed::load_user_types(&mut st);
    groups::seed::load_groups(&mut st, true);
    st
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::areas::users::model::Status;
    use crate::fixtures::SEED_USERS;

    #[test]
    fn seed_shape() {
        let st = seeded_state();
        assert_eq!(st.users().len(), SEED_USERS);
        for status in Status::ALL {
            assert!(st.users().values().any(|u| u.status == status), "no {status:?} user in the seed");
        }
        assert!(st.users().values().filter(|u| u.admin).count() == 1);
        assert!(st.groups().values().next().map(|g| g.kind == "BUILT_IN").unwrap_or(false));
        assert!(st.factor_count() > 50 && st.apps().len() == 6 && st.user_types().len() == 2);
        assert!(st
            .users()
            .values()
            .all(|u| u.email().map(|e| e.contains("@mail.example.") || e.contains("@example.")).unwrap_or(false)));
        let mut st = st;
        system_log::seed::seed_past_events(&mut st, 1_760_000_000_000);
        let log = st.log().all();
        assert!(log.len() > 40, "{} seeded events", log.len());
        assert!(log
            .windows(2)
            .all(|w| w[0].published_ms <= w[1].published_ms && w[0].persisted_ms <= w[1].persisted_ms));
        assert!(log
            .iter()
            .all(|e| e.published_ms < 1_760_000_000_000 && e.published_ms > 1_760_000_000_000 - 31 * 86_400_000));
        for ev in [
            "user.lifecycle.create",
            "user.session.start",
            "group.user_membership.add",
            "application.user_membership.add",
        ] {
            assert!(log.iter().any(|e| e.event_type == ev), "no {ev}");
        }
        assert!(st.take_undelivered().is_empty());
        let e = empty_state();
        assert!(e.users().is_empty() && e.groups().len() == 1 && e.user_types().len() == 2);
    }
}
