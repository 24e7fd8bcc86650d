//! Bad inputs and bad connections: each gives `invalid-input` or `invalid-connection` naming
//! the field, sends no request (the script is empty, so any request would fail the call), and
//! never shows the token.

use crate::support::common::{invalid_field, invoke_fails};
use anyhow::Result;
use okta_harness::*;
use serde_json::{json, Value};

const TOKEN: &str = "s3cr3t-T0KEN-must-not-leak";

fn connector() -> &'static Connector {
    Connector::shared().unwrap_or_else(|e| panic!("{e:#}"))
}

fn good() -> Connection {
    api_token("acme.okta.com", TOKEN)
}

#[derive(Debug, PartialEq)]
enum Kind {
    Input,
    Connection,
}

/// The field an error names, checked to be of `kind`, with no secret in it.
fn field_of(e: &WitError, kind: Kind, secrets: &[String]) -> String {
    let text = format!("{e:?}");
    for s in secrets {
        assert!(!text.contains(s.as_str()), "a secret leaked into {text}");
    }
    match (e, kind) {
        (WitError::InvalidInput(f), Kind::Input) | (WitError::InvalidConnection(f), Kind::Connection) => {
            assert!(!f.message.is_empty(), "{text}");
            f.field.clone()
        }
        (e, kind) => panic!("expected invalid-{kind:?}, got {}", error_json(e)),
    }
}

/// `input` through `invoke` only: must fail with `kind` naming `field`, sending nothing.
async fn invoke_rejects(connection: &Connection, action: &str, input: &str, kind: Kind, field: &str) -> Result<()> {
    let mut instance = connector().instantiate(Backend::scripted([])).await?;
    let r = instance.invoke(action, connection, input).await?;
    let e = r.err().unwrap_or_else(|| panic!("{action} {input}: accepted"));
    assert_eq!(field_of(&e, kind, &connection_secrets(connection)), field, "{action} {input}: {}", error_json(&e));
    assert!(instance.exchanges().is_empty(), "{action} {input}: sent {:?}", instance.exchanges());
    Ok(())
}

/// `input` through both doors: must fail the same way through each, sending nothing.
async fn rejects(connection: &Connection, action: &str, input: Value, kind: Kind, field: &str) -> Result<()> {
    let both = connector().both_doors(&[], connection, action, &input).await?;
    let e = both.result.err().unwrap_or_else(|| panic!("{action} {input}: accepted"));
    assert_eq!(field_of(&e, kind, &connection_secrets(connection)), field, "{action} {input}: {}", error_json(&e));
    assert!(both.exchanges.is_empty());
    Ok(())
}

#[tokio::test]
async fn empty_or_blank_ids_are_refused() -> Result<()> {
    let c = good();
    for id in ["", "   "] {
        rejects(&c, "users.get", json!({ "id": id }), Kind::Input, "id").await?;
        rejects(&c, "users.update", json!({ "id": id, "first_name": "A" }), Kind::Input, "id").await?;
        rejects(&c, "users.delete", json!({ "id": id }), Kind::Input, "id").await?;
        rejects(&c, "users.activate", json!({ "id": id }), Kind::Input, "id").await?;
        rejects(&c, "users.suspend", json!({ "id": id }), Kind::Input, "id").await?;
        rejects(&c, "users.unlock", json!({ "id": id }), Kind::Input, "id").await?;
        rejects(&c, "users.reset-password", json!({ "id": id }), Kind::Input, "id").await?;
        rejects(&c, "users.list-groups", json!({ "id": id }), Kind::Input, "id").await?;
        rejects(&c, "users.list-applications", json!({ "id": id }), Kind::Input, "id").await?;
        rejects(&c, "users.clear-sessions", json!({ "user_id": id }), Kind::Input, "user_id").await?;
        rejects(&c, "users.list-factors", json!({ "user_id": id }), Kind::Input, "user_id").await?;
        rejects(&c, "users.set-password", json!({ "user_id": id, "new_password": "x" }), Kind::Input, "user_id")
            .await?;
        rejects(&c, "users.unenroll-factor", json!({ "user_id": "00u1", "factor_id": id }), Kind::Input, "factor_id")
            .await?;
        rejects(&c, "users.create", json!({ "login": id }), Kind::Input, "login").await?;
    }
    Ok(())
}

#[tokio::test]
async fn limits_outside_1_to_200_are_refused() -> Result<()> {
    for limit in [0, 201, 500] {
        rejects(&good(), "users.list", json!({ "limit": limit }), Kind::Input, "limit").await?;
    }
    Ok(())
}

#[tokio::test]
async fn invoke_refuses_malformed_json_unknown_and_missing_fields() -> Result<()> {
    let c = good();
    invoke_rejects(&c, "users.get", "{\"id\": ", Kind::Input, "input").await?;
    invoke_rejects(&c, "users.get", "not json", Kind::Input, "input").await?;
    invoke_rejects(&c, "users.get", "[\"00u1\"]", Kind::Input, "input").await?;
    invoke_rejects(&c, "users.get", r#"{"id": "00u1", "expnad": "blocks"}"#, Kind::Input, "expnad").await?;
    invoke_rejects(&c, "users.create", r#"{"firstName": "Ada", "login": "a@example.com"}"#, Kind::Input, "firstName")
        .await?;
    invoke_rejects(&c, "users.get", "{}", Kind::Input, "id").await?;
    invoke_rejects(&c, "users.create", r#"{"login": null}"#, Kind::Input, "login").await?;
    invoke_rejects(&c, "users.list", r#"{"limit": "ten"}"#, Kind::Input, "limit").await?;
    invoke_rejects(&c, "users.list", r#"{"limit": -1}"#, Kind::Input, "limit").await?;
    invoke_rejects(&c, "users.activate", r#"{"id": "00u1", "send_email": "yes"}"#, Kind::Input, "send_email").await?;
    invoke_rejects(&c, "users.nope", "{}", Kind::Input, "action").await?;
    Ok(())
}

#[tokio::test]
async fn inconsistent_inputs_name_their_field() -> Result<()> {
    let c = good();
    rejects(&c, "users.update", json!({ "id": "00u1" }), Kind::Input, "input").await?;
    let e = invoke_fails("users.create", json!({ "login": "a@example.com", "next_login": "now" })).await?;
    assert_eq!(invalid_field(&e), "next_login");
    rejects(
        &c,
        "users.create",
        json!({ "login": "a@example.com", "next_login": "changePassword", "activate": false }),
        Kind::Input,
        "next_login",
    )
    .await?;
    rejects(
        &c,
        "users.create",
        json!({ "login": "a@example.com", "next_login": "changePassword", "activate": false }),
        Kind::Input,
        "next_login",
    )
    .await?;
    rejects(&c, "users.create", json!({ "login": "a@example.com", "question": "Pet?" }), Kind::Input, "answer").await?;
    rejects(&c, "users.create", json!({ "login": "a@example.com", "answer": "Cat" }), Kind::Input, "question").await?;
    rejects(
        &c,
        "users.create",
        json!({ "login": "a@example.com", "profile_extra_attributes": "[1, 2]" }),
        Kind::Input,
        "profile_extra_attributes",
    )
    .await?;
    // A value outside a closed set exists only in JSON: the typed door's enum cannot hold it.
    let e = invoke_fails(
        "users.create",
        json!({ "login": "a@example.com", "hash_password": { "algorithm": "ROT13", "value": "x" } }),
    )
    .await?;
    assert_eq!(invalid_field(&e), "hash_password.algorithm");
    rejects(
        &c,
        "users.create",
        json!({ "login": "a", "hash_password": { "algorithm": "PBKDF2", "value": "x", "iteration_count": 4095 } }),
        Kind::Input,
        "hash_password.iteration_count",
    )
    .await?;
    rejects(
        &c,
        "users.update",
        json!({ "id": "00u1", "hash_password": { "algorithm": "BCRYPT", "value": "x", "work_factor": 21 } }),
        Kind::Input,
        "hash_password.work_factor",
    )
    .await?;
    rejects(&c, "users.set-password", json!({ "user_id": "00u1" }), Kind::Input, "new_password").await?;
    rejects(
        &c,
        "users.set-password",
        json!({ "user_id": "00u1", "new_password": "a", "new_hash_password": { "algorithm": "MD5", "value": "x" } }),
        Kind::Input,
        "new_hash_password",
    )
    .await?;
    let e = invoke_fails("users.list", json!({ "sort_by": "profile.lastName", "sort_order": "up" })).await?;
    assert_eq!(invalid_field(&e), "sort_order");
    Ok(())
}

#[tokio::test]
async fn bad_domains_are_refused() -> Result<()> {
    let input = json!({ "id": "00u1" });
    for domain in [
        "",
        "   ",
        "http://acme.okta.com",
        "http://10.0.0.5:8080",
        "ftp://acme.okta.com",
        "acme.okta.com/some/path",
        "user:pw@acme.okta.com",
        "acme okta com",
        "https://",
        "acme.okta.com:99999",
    ] {
        let c = api_token(domain, TOKEN);
        rejects(&c, "users.get", input.clone(), Kind::Connection, "domain").await?;
    }
    Ok(())
}

#[tokio::test]
async fn bad_tokens_are_refused_without_being_shown() -> Result<()> {
    let input = json!({ "id": "00u1" });
    for token in ["", "   ", "abc\r\nX-Injected: 1", "tab\tinside"] {
        let c = api_token("acme.okta.com", token);
        rejects(&c, "users.get", input.clone(), Kind::Connection, "token").await?;
    }
    Ok(())
}

#[tokio::test]
async fn accepted_domain_forms_all_reach_the_same_origin() -> Result<()> {
    for domain in [
        "acme.okta.com",
        "https://acme.okta.com",
        "https://acme.okta.com/",
        "ACME.okta.com",
        "https://acme.okta.com/api/v1",
    ] {
        let script = vec![(
            ExpectedRequest::get("/api/v1/meta/types/user").okta_ssws(TOKEN),
            CannedResponse::json(200, json!([])),
        )];
        let mut instance = connector().instantiate(Backend::scripted(script)).await?;
        instance.users().list_types(&api_token(domain, TOKEN)).await?.expect("users.list-types");
        let url = &instance.exchanges()[0].url;
        assert_eq!(url, "https://acme.okta.com/api/v1/meta/types/user", "{domain}");
    }
    Ok(())
}

/// The egress policy: by default (a host running other people's connections) a domain that is
/// http://, an IP literal in any spelling or a local name is refused, naming `domain` and how a
/// host allows local orgs, with nothing sent; where the host allows local orgs, loopback http
/// works.
#[tokio::test]
async fn local_orgs_only_where_the_host_allows_them() -> Result<()> {
    for domain in [
        "http://127.0.0.1:8080",
        "http://localhost:8080",
        "https://169.254.169.254",
        "https://10.0.0.7",
        "https://127.1",
        "https://2130706433",
        "https://[::1]:8443",
        "https://localhost",
    ] {
        let mut instance = connector().instantiate(Backend::scripted(Vec::new())).await?;
        let result = instance.users().list_types(&api_token(domain, TOKEN)).await?;
        match result {
            Err(WitError::InvalidConnection(f)) => {
                assert_eq!(f.field, "domain", "{domain}");
                assert!(f.message.contains("OKTA_ALLOW_LOCAL_ORGS"), "{domain}: {}", f.message);
            }
            other => panic!("{domain} under the default policy: {other:?}"),
        }
        assert!(instance.exchanges().is_empty(), "{domain}: nothing sent");
    }
    for domain in ["http://127.0.0.1:8080", "http://localhost:8080"] {
        let script = vec![(
            ExpectedRequest::get("/api/v1/meta/types/user").okta_ssws(TOKEN),
            CannedResponse::json(200, json!([])),
        )];
        let options = InstanceOptions { allow_local_orgs: true, ..InstanceOptions::default() };
        let mut instance = connector().instantiate_with(Backend::scripted(script), options).await?;
        instance.users().list_types(&api_token(domain, TOKEN)).await?.expect("users.list-types");
        assert!(instance.exchanges()[0].url.starts_with(domain), "{domain}");
    }
    Ok(())
}

/// The OAuth connection kinds validate their domain the same way, before anything is sent,
/// and show none of their secrets.
#[tokio::test]
async fn other_connection_kinds_refuse_bad_settings() -> Result<()> {
    let oauth = Connection::OauthCode(OauthCodeConnection {
        domain: "http://acme.okta.com".into(),
        scopes: vec!["okta.users.read".into()],
        client_id: "0oa1client".into(),
        client_secret: "client-secret-must-not-leak".into(),
        access_token: Some("access-token-must-not-leak".into()),
        refresh_token: None,
    });
    rejects(&oauth, "users.get", json!({ "id": "00u1" }), Kind::Connection, "domain").await?;
    let cc = Connection::ClientCredentials(ClientCredentialsConnection {
        domain: "".into(),
        client_id: "0oa1client".into(),
        private_key: "-----BEGIN PRIVATE KEY-----\nnot-a-key\n-----END PRIVATE KEY-----".into(),
        key_id: None,
        scopes: "okta.users.read".into(),
    });
    rejects(&cc, "users.get", json!({ "id": "00u1" }), Kind::Connection, "domain").await?;
    Ok(())
}
