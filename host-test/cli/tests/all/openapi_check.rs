//! The OpenAPI request check against Okta's management API spec.

use crate::support::openapi::OpenApi;

fn ok(method: &str, path: &str, query: Option<&str>) -> String {
    OpenApi::get()
        .check(method, path, query)
        .unwrap_or_else(|e| panic!("expected {method} {path} {query:?} to pass: {e}"))
}

fn err(method: &str, path: &str, query: Option<&str>) -> String {
    match OpenApi::get().check(method, path, query) {
        Ok(op) => panic!("expected {method} {path} {query:?} to fail, matched {op}"),
        Err(e) => e,
    }
}

#[test]
fn known_good_requests_pass() {
    let cases: &[(&str, &str, Option<&str>, &str)] = &[
        ("GET", "/api/v1/users", Some("limit=200&search=profile.login%20eq%20%22a%40b.c%22"), "listUsers"),
        ("GET", "/api/v1/users", None, "listUsers"),
        ("GET", "/api/v1/users", Some("limit=200&after=00u2"), "listUsers"),
        ("POST", "/api/v1/users", Some("activate=true&provider=false"), "createUser"),
        (
            "POST",
            "/api/v1/users/00u1/lifecycle/reset_password",
            Some("sendEmail=true&revokeSessions=false"),
            "resetPassword",
        ),
        ("DELETE", "/api/v1/users/00u1/sessions", Some("oauthTokens=false&forgetDevices=false"), "revokeUserSessions"),
        ("GET", "/api/v1/meta/types/user", None, "listUserTypes"),
        ("DELETE", "/api/v1/users/00u1/factors/ufs1", Some("removeRecoveryEnrollment=false"), "unenrollFactor"),
        ("POST", "/api/v1/users/00u1/credentials/change_password", None, "changePassword"),
        ("POST", "/api/v1/users/john%40example.com/lifecycle/activate", Some("sendEmail=false"), "activateUser"),
        ("post", "/api/v1/users/00u1/lifecycle/unlock", None, "unlockUser"),
        ("GET", "/api/v1/users/00u1", Some(""), "getUser"),
    ];
    for (method, path, query, expected) in cases {
        assert_eq!(ok(method, path, *query), *expected, "{method} {path} {query:?}");
    }
}

#[test]
fn literal_segments_win_over_params() {
    // `/api/v1/groups/rules` must not be taken for `/api/v1/groups/{groupId}`.
    assert_eq!(ok("GET", "/api/v1/groups/rules", None), "listGroupRules");
    assert_eq!(ok("GET", "/api/v1/groups/00g1", None), "getGroup");
    // `/api/v1/meta/types/user/{typeId}` vs anything with fewer literals.
    assert_eq!(ok("GET", "/api/v1/meta/types/user/oty1", None), "getUserType");
}

#[test]
fn unknown_path_fails() {
    let e = err("GET", "/api/v1/nonsense/things", None);
    assert!(e.contains("GET /api/v1/nonsense/things"), "{e}");
    assert!(e.contains("no path"), "{e}");
    // A `{param}` needs a non-empty segment.
    let e = err("POST", "/api/v1/users//lifecycle/activate", None);
    assert!(e.contains("no path"), "{e}");
    // Trailing slash is a different path.
    err("GET", "/api/v1/users/", None);
}

#[test]
fn wrong_method_fails() {
    let e = err("PATCH", "/api/v1/users/00u1/lifecycle/unlock", None);
    assert!(e.contains("PATCH /api/v1/users/00u1/lifecycle/unlock"), "{e}");
    assert!(e.contains("method PATCH is not defined"), "{e}");
    assert!(e.contains("/api/v1/users/{id}/lifecycle/unlock"), "{e}");
    assert!(e.contains("defined: POST"), "{e}");
}

#[test]
fn undeclared_query_parameter_fails() {
    let e = err("GET", "/api/v1/users", Some("bogus=1"));
    assert!(e.contains("GET /api/v1/users?bogus=1"), "{e}");
    assert!(e.contains("undeclared query parameter(s) bogus"), "{e}");
    assert!(e.contains("listUsers"), "{e}");
    assert!(e.contains("search"), "lists declared parameters: {e}");

    // Unlock declares no query parameters at all.
    let e = err("POST", "/api/v1/users/00u1/lifecycle/unlock", Some("sendEmail=false"));
    assert!(e.contains("undeclared query parameter(s) sendEmail"), "{e}");
    assert!(e.contains("unlockUser"), "{e}");
    assert!(e.contains("declared query parameters: none"), "{e}");
}

#[test]
fn missing_required_query_parameter_fails() {
    let e = err("POST", "/api/v1/users/00u1/lifecycle/reset_password", None);
    assert!(e.contains("missing required query parameter(s) sendEmail"), "{e}");
    assert!(e.contains("resetPassword"), "{e}");
    let e = err("POST", "/api/v1/users/00u1/lifecycle/reset_password", Some("revokeSessions=true"));
    assert!(e.contains("missing required query parameter(s) sendEmail"), "{e}");
}

#[test]
fn path_level_parameters_and_refs_are_resolved() {
    let spec = r##"
openapi: 3.0.3
paths:
  /api/v1/users/me:
    get:
      operationId: getMe
  /api/v1/users/{id}:
    parameters:
      - $ref: '#/components/parameters/pathId'
      - $ref: '#/components/parameters/queryShared'
    get:
      operationId: getUser
      parameters:
        - $ref: '#/components/parameters/queryExpand'
    post:
      operationId: updateUser
      parameters:
        - name: shared
          in: query
          required: false
components:
  parameters:
    pathId:
      name: id
      in: path
      required: true
    queryShared:
      name: shared
      in: query
      required: true
    queryExpand:
      $ref: '#/components/parameters/queryExpandReal'
    queryExpandReal:
      name: expand
      in: query
"##;
    let api = OpenApi::parse(spec).expect("tiny spec parses");
    assert_eq!(api.check("GET", "/api/v1/users/me", None).unwrap(), "getMe");
    assert_eq!(api.check("GET", "/api/v1/users/x", Some("shared=1&expand=a")).unwrap(), "getUser");
    // Path-level `shared` is required for GET, overridden as optional for POST.
    let e = api.check("GET", "/api/v1/users/x", Some("expand=a")).unwrap_err();
    assert!(e.contains("missing required query parameter(s) shared"), "{e}");
    assert_eq!(api.check("POST", "/api/v1/users/x", None).unwrap(), "updateUser");
    let e = api.check("POST", "/api/v1/users/x", Some("expand=a")).unwrap_err();
    assert!(e.contains("undeclared query parameter(s) expand"), "{e}");
    // Literal `me` wins, and it has no POST.
    let e = api.check("POST", "/api/v1/users/me", None).unwrap_err();
    assert!(e.contains("not defined for /api/v1/users/me"), "{e}");
}

#[test]
fn spec_loads_quickly_and_has_paths() {
    let t = std::time::Instant::now();
    let api = OpenApi::get();
    let elapsed = t.elapsed();
    assert!(api.paths().len() > 300, "{} paths", api.paths().len());
    eprintln!("OpenApi::get() took {elapsed:?} (maybe already initialised by another test)");
}
