//! The package through a real OCI registry (CNCF Distribution, Debian's `docker-registry`, on
//! loopback): published, pulled back by tag and by digest, the listing found from the
//! component's digest, and the pulled component run by the CLI against the fake org.

use super::*;
use crate::support::registry::Registry;
use okta_package::oci_client::manifest::OCI_IMAGE_MEDIA_TYPE;
use okta_package::oci_client::secrets::RegistryAuth;
use okta_package::registry::{self, Target, LISTING_FILES, LISTING_TYPE, WASM_CONFIG_TYPE, WASM_LAYER_TYPE};
use okta_package::{dist, metadata};
use serde_json::Value;
use std::process::Command;
use std::time::Instant;

#[test]
fn publish_pull_back_find_the_listing_and_run_the_pulled_component() {
    if !tool_available("docker-registry", "the OCI registry round trip") {
        return;
    }
    let (_dir, out) = built_package();
    let reg = Registry::start().unwrap();
    let target = Target::parse(&format!("{}/marketplace", reg.address), false).unwrap();
    assert!(target.plain_http, "loopback registries speak http");
    let auth = RegistryAuth::Anonymous;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();

    let started = Instant::now();
    let published =
        runtime.block_on(registry::publish(&out, &target, &auth)).unwrap_or_else(|e| panic!("{e:#}\n{}", reg.log()));
    let push_time = started.elapsed();
    assert!(published.wrote_referrers_tag, "Distribution 2.x has no referrers API: the tag schema is used");

    let component = std::fs::read(out.join(dist::COMPONENT)).unwrap();
    let version = sources().project.version;
    let client = target.client();
    let by_tag = target.tag("okta-connector", &version);
    let by_digest = target.digest("okta-connector", &published.component_digest);

    // Pulled back by tag and by digest: the same bytes, types and annotations.
    let started = Instant::now();
    let pulled_by_tag = runtime.block_on(client.pull(&by_tag, &auth, vec![WASM_LAYER_TYPE])).unwrap();
    let pull_time = started.elapsed();
    let pulled_by_digest = runtime.block_on(client.pull(&by_digest, &auth, vec![WASM_LAYER_TYPE])).unwrap();
    for pulled in [&pulled_by_tag, &pulled_by_digest] {
        assert_eq!(pulled.digest.as_deref(), Some(published.component_digest.as_str()));
        assert_eq!(pulled.layers.len(), 1);
        assert!(pulled.layers[0].data.as_ref() == component.as_slice(), "the pulled component differs");
        assert_eq!(pulled.layers[0].media_type, WASM_LAYER_TYPE);
        assert_eq!(pulled.config.media_type, WASM_CONFIG_TYPE);
        let manifest = pulled.manifest.as_ref().unwrap();
        assert_eq!(manifest.media_type.as_deref(), Some(OCI_IMAGE_MEDIA_TYPE));
        let expected = metadata::read(&component).unwrap().annotations(&sources().project.created_rfc3339());
        assert_eq!(manifest.annotations.as_ref(), Some(&expected));
        assert_eq!(expected["org.opencontainers.image.version"], version);
        assert_eq!(expected["org.opencontainers.image.revision"], REVISION);
        let config: Value = serde_json::from_slice(&pulled.config.data).unwrap();
        assert_eq!((config["architecture"].as_str(), config["os"].as_str()), (Some("wasm"), Some("wasip2")));
        assert_eq!(config["created"], "2026-05-28T20:26:40Z");
        assert_eq!(config["component"]["target"], format!("okta:connector/connector@{version}"));
        let imports = config["component"]["imports"].as_array().unwrap();
        assert!(imports.iter().any(|i| i.as_str().unwrap().starts_with("wasi:http/outgoing-handler@")));
    }

    // The local build, under `<version>-local`: its own bytes, no rate-limits import.
    let local_tag = target.tag("okta-connector", &format!("{version}-local"));
    assert_eq!(published.local_tag, local_tag.whole());
    let local = runtime.block_on(client.pull(&local_tag, &auth, vec![WASM_LAYER_TYPE])).unwrap();
    assert_eq!(local.digest.as_deref(), Some(published.local_digest.as_str()));
    assert!(local.layers[0].data.as_ref() == std::fs::read(out.join(dist::LOCAL_COMPONENT)).unwrap().as_slice());
    let config: Value = serde_json::from_slice(&local.config.data).unwrap();
    let imports = config["component"]["imports"].as_array().unwrap();
    assert!(!imports.iter().any(|i| i.as_str().unwrap().contains("rate-limits")), "{imports:?}");
    let config: Value = serde_json::from_slice(&pulled_by_tag.config.data).unwrap();
    let imports = config["component"]["imports"].as_array().unwrap();
    assert!(imports.iter().any(|i| i.as_str().unwrap().starts_with("okta:connector/rate-limits@")), "{imports:?}");

    // The listing, found from the component's digest alone, holds the package's files.
    let listing = runtime.block_on(registry::find_listing(&client, &by_digest, &auth)).unwrap();
    assert_eq!(listing.digest, published.listing_digest);
    assert_eq!(listing.manifest.artifact_type.as_deref(), Some(LISTING_TYPE));
    assert_eq!(listing.manifest.subject.as_ref().unwrap().digest, published.component_digest);
    assert_eq!(listing.manifest.config.media_type, registry::EMPTY_CONFIG_TYPE);
    assert_eq!(listing.files.len(), LISTING_FILES.len());
    for (name, media_type) in LISTING_FILES {
        let (got_type, bytes) = &listing.files[name];
        assert_eq!(got_type, media_type, "{name}");
        assert!(*bytes == std::fs::read(out.join(name)).unwrap(), "{name} differs");
    }
    // And from the tag, as a marketplace that starts from a version does.
    assert_eq!(
        runtime.block_on(registry::find_listing(&client, &by_tag, &auth)).unwrap().digest,
        published.listing_digest
    );

    // Publishing the same package again changes nothing.
    let again = runtime.block_on(registry::publish(&out, &target, &auth)).unwrap();
    assert_eq!(
        (again.component_digest, again.local_digest, again.listing_digest),
        (published.component_digest.clone(), published.local_digest.clone(), published.listing_digest.clone())
    );
    assert!(!again.wrote_referrers_tag, "the listing is already findable");
    let tags = runtime.block_on(client.list_tags(&by_tag, &auth, None, None)).unwrap().tags;
    assert_eq!(tags.len(), 3, "the version, its local build and the referrers tag: {tags:?}");

    // The pulled component, run by the CLI, lists the fake org's users.
    let pulled = tempfile::tempdir().unwrap();
    let wasm = pulled.path().join("okta-connector.wasm");
    std::fs::write(&wasm, &pulled_by_digest.layers[0].data).unwrap();
    let run = Command::new(env!("CARGO_BIN_EXE_okta-connector"))
        .args(["run", "users.list", "--input", r#"{"limit": 3}"#])
        .env("OKTA_CONNECTOR_WASM", &wasm)
        .env("XDG_CACHE_HOME", pulled.path().join("cache"))
        .env_remove("OKTA_CLIENT_ORGURL")
        .env_remove("OKTA_CLIENT_TOKEN")
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let page: Value = serde_json::from_slice(&run.stdout).unwrap();
    let logins: Vec<&str> =
        page["items"].as_array().unwrap().iter().map(|u| u["profile"]["login"].as_str().unwrap()).collect();
    assert_eq!(logins.len(), 3, "{page}");
    assert!(page["next_cursor"].is_string(), "the fake org has more users: {page}");

    eprintln!(
        "registry round trip: push {:.0} ms (component {} KiB + listing), pull by tag {:.0} ms",
        push_time.as_secs_f64() * 1e3,
        component.len() / 1024,
        pull_time.as_secs_f64() * 1e3
    );
}
