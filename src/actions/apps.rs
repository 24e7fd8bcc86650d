//! Applications: `/api/v1/apps`, `/api/v1/apps/{appId}`, `/api/v1/apps/{appId}/users` and
//! `/api/v1/apps/{appId}/users/{userId}` (Okta's `AppUser`: a user's assignment to an app).

use super::json_object;
use crate::error::Error;
use crate::inputs::apps::*;
use crate::okta::{segment, Flow, Okta, Page, Paging};
use serde_json::{json, Map, Value};

fn app_path(app_id: &str) -> Result<String, Error> {
    Ok(format!("/api/v1/apps/{}", segment("app_id", app_id)?))
}

fn app_user_path(app_id: &str, user_id: &str) -> Result<String, Error> {
    Ok(format!("{}/users/{}", app_path(app_id)?, segment("user_id", user_id)?))
}

/// Get Application: `GET /api/v1/apps/{appId}[?expand=]`.
pub fn get(okta: &Okta, input: GetAppInput) -> Result<Flow<String>, Error> {
    Ok(okta.get(app_path(&input.app_id)?).query_opt("expand", input.expand).send_object())
}

/// List Applications: `GET /api/v1/apps`, paged by `after`/`limit`. Booleans with a default
/// are sent explicitly.
pub fn list(okta: &Okta, input: ListAppsInput) -> Result<Flow<Page>, Error> {
    if let (Some(expand), None) = (&input.expand, &input.filter) {
        if expand.starts_with("user/") {
            return Err(Error::input("expand", "`user/{userId}` needs the filter `user.id eq \"{userId}\"`"));
        }
    }
    Ok(okta
        .get("/api/v1/apps")
        .query_opt("q", input.q)
        .query_opt("after", input.after)
        .query("limit", input.limit)
        .query("useOptimization", input.use_optimization)
        .query_opt("filter", input.filter)
        .query_opt("expand", input.expand)
        .query("includeNonDeleted", input.include_non_deleted)
        .send_pages(Paging::new(input.fetch_all)))
}

/// Assign Application to User: `POST /api/v1/apps/{appId}/users` with the `AppUser`.
pub fn assign_user(okta: &Okta, input: AssignUserInput) -> Result<Flow<String>, Error> {
    let mut body = Map::new();
    body.insert("id".into(), json!(input.user_id));
    if let Some(scope) = input.scope {
        body.insert("scope".into(), json!(scope.to_string()));
    }
    if let Some(c) = credentials(input.username, input.password) {
        body.insert("credentials".into(), c);
    }
    let profile = json_object("profile", input.profile)?;
    if !profile.is_empty() {
        body.insert("profile".into(), Value::Object(profile));
    }
    // The user id goes in the body; it is checked here like a path id.
    segment("user_id", &input.user_id)?;
    Ok(okta.post(format!("{}/users", app_path(&input.app_id)?)).json(&Value::Object(body)).send_object())
}

/// Get Application User Assignment: `GET /api/v1/apps/{appId}/users/{userId}[?expand=]`.
pub fn get_user_assignment(okta: &Okta, input: GetAssignmentInput) -> Result<Flow<String>, Error> {
    Ok(okta.get(app_user_path(&input.app_id, &input.user_id)?).query_opt("expand", input.expand).send_object())
}

/// Update Application User Assignment: `POST /api/v1/apps/{appId}/users/{userId}` with the
/// profile and/or the credentials (Okta's partial update of an `AppUser`).
pub fn update_user_assignment(okta: &Okta, input: UpdateAssignmentInput) -> Result<Flow<String>, Error> {
    let mut body = Map::new();
    let profile = json_object("profile", input.profile)?;
    if !profile.is_empty() {
        body.insert("profile".into(), Value::Object(profile));
    }
    if let Some(c) = credentials(input.username, input.password) {
        body.insert("credentials".into(), c);
    }
    if body.is_empty() {
        return Err(Error::input("input", "nothing to update: give a Profile, or a Username and/or Password"));
    }
    Ok(okta.post(app_user_path(&input.app_id, &input.user_id)?).json(&Value::Object(body)).send_object())
}

/// Remove Application User Assignment: `DELETE /api/v1/apps/{appId}/users/{userId}?sendEmail=`.
pub fn remove_user_assignment(okta: &Okta, input: RemoveAssignmentInput) -> Result<Flow<()>, Error> {
    Ok(okta.delete(app_user_path(&input.app_id, &input.user_id)?).query("sendEmail", input.send_email).send_empty())
}

/// Okta's `AppUser.credentials`: `{"userName", "password": {"value"}}`, when either is given.
fn credentials(username: Option<String>, password: Option<String>) -> Option<Value> {
    let mut c = Map::new();
    if let Some(u) = username {
        c.insert("userName".into(), json!(u));
    }
    if let Some(p) = password {
        c.insert("password".into(), json!({ "value": p }));
    }
    (!c.is_empty()).then_some(Value::Object(c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Input;
    use crate::okta::testing::{drive, expect};

    #[test]
    fn assign_sends_the_app_user() {
        let input = AssignUserInput::from_json(
            r#"{"app_id":"0oa1","user_id":"00u1","username":"ada","password":"S3cret-pw","scope":"user","profile":{"role":"admin"}}"#,
        )
        .unwrap();
        drive(
            assign_user(&Okta::for_tests(), input).unwrap(),
            vec![expect("POST", "/api/v1/apps/0oa1/users")
                .body(json!({
                    "id": "00u1",
                    "scope": "USER",
                    "credentials": {"userName": "ada", "password": {"value": "S3cret-pw"}},
                    "profile": {"role": "admin"}
                }))
                .answer_json("{}")],
        )
        .unwrap();
    }

    #[test]
    fn update_needs_something_to_change() {
        let input = UpdateAssignmentInput::from_json(r#"{"app_id":"0oa1","user_id":"00u1","profile":{}}"#).unwrap();
        assert!(matches!(update_user_assignment(&Okta::for_tests(), input), Err(Error::InvalidInput { .. })));
    }

    #[test]
    fn expand_user_needs_the_user_filter() {
        let input = ListAppsInput::from_json(r#"{"expand":"user/00u1"}"#).unwrap();
        assert!(
            matches!(list(&Okta::for_tests(), input), Err(Error::InvalidInput { ref field, .. }) if field == "expand")
        );
    }
}
