//! Groups: `/api/v1/groups`, `/api/v1/groups/{groupId}`, `/api/v1/groups/{groupId}/users` and
//! `/api/v1/groups/{groupId}/users/{userId}`.

use super::extra_parameters;
use super::lost_create::{create_once, Lookup};
use crate::error::Error;
use crate::inputs::groups::*;
use crate::okta::{segment, Flow, Okta, Page, Paging};
use serde_json::{json, Value};

fn group_path(group_id: &str) -> Result<String, Error> {
    Ok(format!("/api/v1/groups/{}", segment("group_id", group_id)?))
}

/// Create Group: `POST /api/v1/groups`. When its answer is lost, `GET /api/v1/groups?search=
/// profile.name eq "{name}" and type eq "OKTA_GROUP"` says whether it was applied (see
/// [`super::lost_create`]). Okta's search is eventually consistent: a group created a moment
/// ago may not show yet, and the create sent again is then refused as a duplicate name.
pub fn create(okta: &Okta, input: CreateGroupInput) -> Result<Flow<String>, Error> {
    let mut profile = json!({ "name": input.name });
    if let Some(d) = input.description {
        profile["description"] = json!(d);
    }
    let create = okta.post("/api/v1/groups").json(&json!({ "profile": profile }));
    let quoted = input.name.replace('\\', "\\\\").replace('"', "\\\"");
    let lookup = Lookup {
        request: okta
            .get("/api/v1/groups")
            .query("search", format!("profile.name eq \"{quoted}\" and type eq \"OKTA_GROUP\""))
            .query("limit", 200),
        pick: named,
        what: format!("group named {}", input.name),
        key: input.name,
    };
    Ok(create_once(create, lookup))
}

/// The Okta group named exactly `name` in a list of groups.
fn named(groups: &Value, name: &str) -> Option<Value> {
    groups.as_array()?.iter().find(|g| g.pointer("/profile/name").and_then(Value::as_str) == Some(name)).cloned()
}

/// Get Group: `GET /api/v1/groups/{groupId}`.
pub fn get(okta: &Okta, input: GroupRefInput) -> Result<Flow<String>, Error> {
    Ok(okta.get(group_path(&input.group_id)?).send_object())
}

/// Update Group: `GET` the group, change the fields given in its profile, `PUT` it back.
/// Okta's `PUT` replaces the whole profile, so a field left out would be erased.
pub fn update(okta: &Okta, input: UpdateGroupInput) -> Result<Flow<String>, Error> {
    if input.name.is_none() && input.description.is_none() {
        return Err(Error::input("input", "nothing to update: give a Group Name or a Group Description"));
    }
    let path = group_path(&input.group_id)?;
    let put = okta.put(&path);
    Ok(okta.get(path).send_object().and_then(move |current| {
        let profile = match serde_json::from_str::<Value>(&current) {
            Ok(Value::Object(mut group)) => match group.remove("profile") {
                Some(Value::Object(profile)) => profile,
                _ => return Flow::fail(Error::UnexpectedResponse("Okta's group has no profile object".into())),
            },
            _ => return Flow::fail(Error::UnexpectedResponse("Okta's group is not a JSON object".into())),
        };
        put.json(&json!({ "profile": updated_profile(profile, input.name, input.description) })).send_object()
    }))
}

/// The profile with the given fields changed and every other attribute kept.
fn updated_profile(
    mut profile: serde_json::Map<String, Value>,
    name: Option<String>,
    description: Option<String>,
) -> serde_json::Map<String, Value> {
    if let Some(n) = name {
        profile.insert("name".into(), json!(n));
    }
    if let Some(d) = description {
        profile.insert("description".into(), json!(d));
    }
    profile
}

/// Delete Group: `DELETE /api/v1/groups/{groupId}`.
pub fn delete(okta: &Okta, input: GroupRefInput) -> Result<Flow<()>, Error> {
    Ok(okta.delete(group_path(&input.group_id)?).send_empty())
}

/// List Groups: `GET /api/v1/groups` with search, filter or q, paged by `after`/`limit`.
pub fn list(okta: &Okta, input: ListGroupsInput) -> Result<Flow<Page>, Error> {
    let named = ["search", "filter", "q", "after", "limit", "sortBy", "sortOrder"];
    let request = okta
        .get("/api/v1/groups")
        .query_opt("search", input.search)
        .query_opt("filter", input.filter)
        .query_opt("q", input.q)
        .query_opt("after", input.after)
        .query("limit", input.limit)
        .query_opt("sortBy", input.sort_by)
        .query_opt("sortOrder", input.sort_order);
    Ok(extra_parameters(request, input.extra_parameters, &named)?.send_pages(Paging::new(input.fetch_all)))
}

/// List Group Members: `GET /api/v1/groups/{groupId}/users`, paged by `after`/`limit`.
pub fn list_members(okta: &Okta, input: ListMembersInput) -> Result<Flow<Page>, Error> {
    Ok(okta
        .get(format!("{}/users", group_path(&input.group_id)?))
        .query_opt("after", input.after)
        .query("limit", input.limit)
        .send_pages(Paging::new(input.fetch_all)))
}

/// Add User to Group: `PUT /api/v1/groups/{groupId}/users/{userId}` (no body).
pub fn add_user(okta: &Okta, input: AddUserInput) -> Result<Flow<()>, Error> {
    Ok(okta.put(membership_path(&input.group_id, &input.user_id)?).send_empty())
}

/// Remove User from Group: `DELETE /api/v1/groups/{groupId}/users/{userId}`.
pub fn remove_user(okta: &Okta, input: RemoveUserInput) -> Result<Flow<()>, Error> {
    Ok(okta.delete(membership_path(&input.group_id, &input.user_id)?).send_empty())
}

fn membership_path(group_id: &str, user_id: &str) -> Result<String, Error> {
    Ok(format!("{}/users/{}", group_path(group_id)?, segment("user_id", user_id)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Input;
    use crate::okta::testing::{drive, expect};

    #[test]
    fn update_keeps_what_was_not_given() {
        let input = UpdateGroupInput::from_json(r#"{"group_id":"00g1","description":"New"}"#).unwrap();
        let current =
            r#"{"id":"00g1","type":"OKTA_GROUP","profile":{"name":"Eng","description":"Old","costCenter":"7"}}"#;
        let out = drive(
            update(&Okta::for_tests(), input).unwrap(),
            vec![
                expect("GET", "/api/v1/groups/00g1").answer_json(current),
                expect("PUT", "/api/v1/groups/00g1")
                    .body(json!({"profile": {"name": "Eng", "description": "New", "costCenter": "7"}}))
                    .answer_json(r#"{"id":"00g1"}"#),
            ],
        )
        .unwrap();
        assert_eq!(out, r#"{"id":"00g1"}"#);
    }

    #[test]
    fn a_create_whose_answer_is_lost_looks_the_name_up() {
        let input = CreateGroupInput::from_json(r#"{"name":"Eng \"core\""}"#).unwrap();
        let out = drive(
            create(&Okta::for_tests(), input).unwrap(),
            vec![
                expect("POST", "/api/v1/groups").body(json!({"profile": {"name": "Eng \"core\""}})).lost(),
                expect(
                    "GET",
                    "/api/v1/groups?search=profile.name+eq+%22Eng+%5C%22core%5C%22%22+and+type+eq+%22OKTA_GROUP%22&limit=200",
                )
                .answer(crate::okta::request::Answer::Raw(crate::okta::transport::HttpResponse {
                    status: 200,
                    headers: Vec::new(),
                    body: b"[]".to_vec(),
                })),
                expect("POST", "/api/v1/groups").body(json!({"profile": {"name": "Eng \"core\""}})).answer_json(r#"{"id":"00g9"}"#),
            ],
        )
        .unwrap();
        assert_eq!(out, r#"{"id":"00g9"}"#, "not there: created by the second try");
        let groups = json!([{"profile": {"name": "Eng core"}}, {"id": "00g2", "profile": {"name": "Eng"}}]);
        assert_eq!(named(&groups, "Eng").unwrap()["id"], "00g2");
        assert_eq!(named(&groups, "eng"), None);
    }

    #[test]
    fn update_needs_a_field() {
        let input = UpdateGroupInput::from_json(r#"{"group_id":"00g1","name":"  "}"#).unwrap();
        assert!(matches!(update(&Okta::for_tests(), input), Err(Error::InvalidInput { .. })));
    }

    #[test]
    fn a_failed_read_sends_no_put() {
        let input = UpdateGroupInput::from_json(r#"{"group_id":"00g1","name":"X"}"#).unwrap();
        let e = drive(
            update(&Okta::for_tests(), input).unwrap(),
            vec![expect("GET", "/api/v1/groups/00g1").fails(404, "E0000007")],
        );
        assert_eq!(e.unwrap_err().status(), Some(404));
    }
}
