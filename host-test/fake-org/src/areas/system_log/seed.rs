//! The System Log's seed: a plausible history of the seeded org.

use super::events::{Actor, Audit, Ev, EventOutcome, Target};
use crate::areas::apps::model::app_target;
use crate::areas::groups::model::group_target;
use crate::areas::state::State;
use crate::areas::users::model::{user_target, Status, User};
use crate::infra::util::SplitMix64;

/// Plausible System Log history for the seeded org, in the 30 days before `now_ms`: recent user
/// creations and activations, sign-ins, profile updates, group memberships and app
/// assignments of seeded objects, by the admin (sign-ins by the users themselves), from
/// documentation-range addresses. Deterministic except for the time they are anchored to.
pub fn seed_past_events(st: &mut State, now_ms: i64) {
    const DAY_MS: i64 = 86_400_000;
    let mut rng = SplitMix64(0x5EED_0003);
    let admin = st.admin_actor();
    let mut planned: Vec<(i64, Actor, Ev, Vec<Target>)> = Vec::new();
    let users: Vec<User> = st.users().values().filter(|u| !u.admin).cloned().collect();
    let at = |rng: &mut SplitMix64, max_days: i64| now_ms - 3_600_000 - rng.below((max_days * DAY_MS) as u64) as i64;
    for u in users.iter().rev().take(12) {
        let t = at(&mut rng, 30);
        planned.push((t, admin.clone(), Ev::UserCreate, vec![user_target(u)]));
        if u.status != Status::Staged {
            planned.push((t + 450 + rng.below(500) as i64, admin.clone(), Ev::UserActivate, vec![user_target(u)]));
        }
    }
    for u in users.iter().filter(|u| u.status == Status::Active).step_by(7).take(15) {
        let t = user_target(u);
        let actor = Actor {
            id: t.id.clone(),
            kind: "User".into(),
            alternate_id: t.alternate_id.clone(),
            display_name: t.display_name.clone(),
        };
        planned.push((at(&mut rng, 7), actor, Ev::UserSessionStart, vec![]));
    }
    for u in users.iter().filter(|u| u.status == Status::Active).skip(3).step_by(11).take(3) {
        planned.push((at(&mut rng, 20), admin.clone(), Ev::UserUpdateProfile, vec![user_target(u)]));
    }
    let groups: Vec<_> = st.groups().values().filter(|g| g.kind == "OKTA_GROUP").cloned().collect();
    for g in groups.iter().take(6) {
        if let Some(u) = g.members.iter().next_back().and_then(|id| st.user(id)) {
            planned.push((at(&mut rng, 25), admin.clone(), Ev::GroupMemberAdd, vec![user_target(u), group_target(g)]));
        }
    }
    for app in st.apps().iter().filter(|a| !a.users.is_empty()).take(3) {
        for asg in app.users.iter().rev().take(2) {
            if let Some(u) = st.user(&asg.principal) {
                let ut = user_target(u);
                let app_user = Target {
                    id: asg.id.clone(),
                    kind: "AppUser",
                    alternate_id: ut.alternate_id.clone(),
                    display_name: ut.display_name.clone(),
                };
                planned.push((at(&mut rng, 25), admin.clone(), Ev::AppUserAdd, vec![app_user, app_target(app), ut]));
            }
        }
    }
    planned.sort_by_key(|p| p.0);
    for (published, actor, ev, targets) in planned {
        let (ip, ua) = if ev == Ev::UserSessionStart {
            (format!("198.51.100.{}", 10 + rng.below(200)), "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36")
        } else {
            (format!("203.0.113.{}", 10 + rng.below(200)), "okta-sdk-python/2.9.0 python/3.11.4 Linux/6.1.0")
        };
        // Okta stores an event a little after it happened.
        let mut audit = Audit::system(actor, published + 20 + rng.below(100) as i64);
        audit.ip = ip;
        audit.user_agent = ua.to_string();
        st.record_at(&audit, ev, targets, EventOutcome::Success, published);
    }
    // History is not news: none of it goes to event hooks.
    st.take_undelivered();
}
