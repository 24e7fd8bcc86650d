//! Recorded-shape conformance: replays the real okta-sdk-python Users cassettes against the fake
//! org (ids, cursors and tokens rewritten to the fake's) and checks, per interaction: status
//! code, the set of meaningful response header names, the `Link` structure (separate
//! `<url>; rel="x"` lines, self first), and the JSON body shape (key order of user, error and
//! other objects, exact even in the 2020 files; `{}` for lifecycle calls).
//!
//! The replay itself is `support::fake_org::replay`, shared with the other areas; its module
//! doc lists the recorder artefacts it allows for (RECORDED-NOTES.md).

use crate::support::fake_org::replay::{self, Plan, Subst};
use okta_fake_org::FakeOrg;

const CASSETTES: [&str; 10] = [
    "TestUsersResource.test_comprehensive_user_lifecycle.yaml",
    "TestUsersResource.test_create_get_user.yaml",
    "TestUsersResource.test_expire_password.yaml",
    "TestUsersResource.test_list_user_blocks.yaml",
    "TestUsersResource.test_list_user_groups.yaml",
    "TestUsersResource.test_reactivate_user.yaml",
    "TestUsersResource.test_replace_user.yaml",
    "TestUsersResource.test_unlock_user.yaml",
    "TestUsersResource.test_update_user_profile.yaml",
    "TestUsersResource.test_user_pagination.yaml",
];

#[tokio::test]
async fn replays_recorded_user_cassettes() {
    let mut total = 0;
    for name in CASSETTES {
        let (org, mut subst) = (FakeOrg::seeded(), Subst::default());
        let file = format!("okta-sdk-python/test_users_it/{name}");
        total += replay::replay(&org, &file, Plan::default().strict().other_seed(), &mut subst).await;
    }
    assert!(total >= 60, "replayed {total} interactions");
}
