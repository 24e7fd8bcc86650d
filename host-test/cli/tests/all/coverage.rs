//! Every action has a test of the exact requests it sends. The match below is exhaustive over
//! the actions of the WIT package (`okta_harness::Action`, generated from it), and each arm
//! names an existing test function: an action added without a test does not compile.

use okta_harness::{Action, Backend};

/// The path of a test function, which must exist (the macro mentions it).
macro_rules! test {
    ($($path:ident)::+) => {{
        let _ = crate::$($path)::+;
        stringify!($($path)::+)
    }};
}

/// The test of `action`'s exact requests.
fn test_of(action: Action) -> &'static str {
    match action {
        Action::UsersCreate => test!(users::host::create_sends_profile_credentials_and_explicit_defaults),
        Action::UsersGet => test!(users::host::get_by_id_with_expand),
        Action::UsersUpdate => test!(users::host::update_posts_only_the_given_fields),
        Action::UsersDelete => test!(users::host::delete_sends_delete_twice),
        Action::UsersActivate => test!(users::host::activate_sends_send_email_false_by_default),
        Action::UsersDeactivate => test!(users::host::deactivate_with_an_empty_answer_gives_an_empty_object),
        Action::UsersReactivate => test!(users::host::reactivate_with_email),
        Action::UsersSuspend => test!(users::host::suspend_and_unsuspend_post_their_lifecycle_calls),
        Action::UsersUnsuspend => test!(users::host::suspend_and_unsuspend_post_their_lifecycle_calls),
        Action::UsersUnlock => test!(users::host::unlock_does_not_send_send_email),
        Action::UsersResetPassword => test!(users::host::reset_password_defaults_to_email_without_revoking),
        Action::UsersSetPassword => test!(users::host::set_password_without_old_password_is_an_admin_set),
        Action::UsersClearSessions => test!(users::host::clear_sessions_sends_both_flags),
        Action::UsersList => test!(users::host::list_sends_limit_200_by_default_and_returns_one_page),
        Action::UsersListApplications => test!(users::host::list_applications),
        Action::UsersListGroups => test!(users::host::list_groups_follows_every_page),
        Action::UsersListFactors => test!(users::host::list_factors),
        Action::UsersUnenrollFactor => test!(users::host::unenroll_factor_sends_remove_recovery_enrollment),
        Action::UsersListTypes => test!(users::host::list_types),
        Action::GroupsCreate => test!(groups::host::create_sends_the_profile),
        Action::GroupsGet => test!(groups::host::get_and_delete),
        Action::GroupsUpdate => test!(groups::host::update_reads_then_replaces_keeping_other_attributes),
        Action::GroupsDelete => test!(groups::host::get_and_delete),
        Action::GroupsList => test!(groups::host::list_with_every_option_and_a_next_cursor),
        Action::GroupsListMembers => test!(groups::host::list_members_pages),
        Action::GroupsAddUser => test!(groups::host::membership_add_and_remove),
        Action::GroupsRemoveUser => test!(groups::host::membership_add_and_remove),
        Action::AppsGet => test!(apps::host::get_with_and_without_expand),
        Action::AppsList => test!(apps::host::list_sends_every_option_and_explicit_defaults),
        Action::AppsAssignUser => test!(apps::host::assign_user_with_credentials_scope_and_profile),
        Action::AppsGetUserAssignment => test!(apps::host::get_update_and_remove_an_assignment),
        Action::AppsUpdateUserAssignment => test!(apps::host::get_update_and_remove_an_assignment),
        Action::AppsRemoveUserAssignment => test!(apps::host::get_update_and_remove_an_assignment),
        Action::PoliciesList => test!(policies_realms_logs::host::policies_need_a_type_and_send_every_option),
        Action::RealmsList => test!(policies_realms_logs::host::realms_send_every_option),
        Action::SystemLogGet => test!(policies_realms_logs::host::logs_one_page_with_every_option),
        Action::EventHooksCreate => test!(event_hooks::host::create_then_verify),
        Action::EventHooksGet => test!(event_hooks::host::get_list_and_lifecycle),
        Action::EventHooksList => test!(event_hooks::host::get_list_and_lifecycle),
        Action::EventHooksActivate => test!(event_hooks::host::get_list_and_lifecycle),
        Action::EventHooksDeactivate => test!(event_hooks::host::get_list_and_lifecycle),
        Action::EventHooksVerify => test!(event_hooks::host::get_list_and_lifecycle),
        Action::EventHooksDelete => test!(event_hooks::host::delete_deactivates_first_only_when_active),
        Action::EventHooksDeleteAll => test!(event_hooks::host::delete_all_by_url_and_all),
        Action::RawRequest => test!(raw::a_json_body_exactly),
    }
}

/// The harness's actions are the component's: a component or harness built from another WIT
/// would leave actions untested or tests pointing at nothing.
#[tokio::test]
async fn every_action_of_the_component_names_its_test() {
    let mut instance = crate::support::common::connector().instantiate(Backend::Scripted(Vec::new())).await.unwrap();
    let catalog = instance.describe_json().await.unwrap();
    let ids: Vec<&str> = catalog["actions"].as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap()).collect();
    let generated: Vec<&str> = Action::ALL.iter().map(|a| a.id()).collect();
    assert_eq!(ids, generated);
    for action in Action::ALL {
        assert!(!test_of(*action).is_empty());
    }
}
