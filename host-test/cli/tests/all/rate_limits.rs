//! One rate-limit budget for many instances (`wit/rate-limits.wit`): instances of one
//! connector spend each bucket together, so one sees the bucket another spent and waits
//! instead of collecting a 429; Okta's concurrency limit is learned once for all; an instance
//! with its own budget learns only from its own answers; and the build with the per-instance
//! budget composed in runs without any host budget.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Result;
use serde_json::json;

use crate::support::common::*;
use okta_fake_org::FakeOrg;
use okta_harness::*;

fn org(limit: u32, window: Duration) -> FakeOrg {
    let org = FakeOrg::empty();
    org.generate_users(10);
    org.set_rate_limit(limit, window);
    org
}

/// 429s among an instance's exchanges, and those of them for the concurrency limit.
fn rejections(instance: &Instance) -> (usize, usize) {
    let all: Vec<Exchange> = instance.exchanges().into_iter().filter(|e| e.status == Some(429)).collect();
    let concurrency = all.iter().filter(|e| e.response_header("x-rate-limit-limit") == Some("0")).count();
    (all.len(), concurrency)
}

async fn get_user(instance: &mut Instance, id: &str) -> Result<()> {
    let r = instance.invoke_json("users.get", &connection(), &json!({ "id": id })).await?;
    ok(r, "users.get");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bucket_one_instance_spent_makes_the_others_wait_not_fail() -> Result<()> {
    for rate_limits in [RateLimits::Shared, RateLimits::Own] {
        let shared = matches!(rate_limits, RateLimits::Shared);
        // A budget of this test alone, so other tests' instances do not count.
        let budget = Arc::new(SharedBudget::default());
        let options = |rate_limits: &RateLimits| InstanceOptions {
            rate_limits: match rate_limits {
                RateLimits::Shared => RateLimits::With(budget.clone()),
                other => other.clone(),
            },
            ..InstanceOptions::default()
        };
        let org = org(3, Duration::from_secs(2));
        let id = org.user_ids()[0].clone();
        let mut first = connector().instantiate_with(Backend::FakeOrg(org.clone()), options(&rate_limits)).await?;
        for _ in 0..3 {
            get_user(&mut first, &id).await?;
        }
        assert_eq!(rejections(&first), (0, 0));
        let last = first.exchanges().pop().unwrap();
        assert_eq!(last.response_header("x-rate-limit-remaining"), Some("0"), "the window is spent");

        // Another instance of the same host, the same bucket.
        let mut second = connector().instantiate_with(Backend::FakeOrg(org.clone()), options(&rate_limits)).await?;
        get_user(&mut second, &id).await?;
        let (rejected, _) = rejections(&second);
        if shared {
            assert_eq!(rejected, 0, "it knew the bucket was spent and waited for the reset");
            assert_eq!(second.exchanges().len(), 1);
        } else {
            assert_eq!(rejected, 1, "on its own it learns the bucket from a 429");
            assert_eq!(second.exchanges().len(), 2);
        }
    }
    Ok(())
}

/// Three instances at once against an org that serves two requests at a time: the third gets
/// Okta's concurrency 429, and from then on the shared budget lets two go at a time, so a
/// second round gets none; instances with their own budgets keep colliding.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_concurrency_limit_is_learned_once_for_all_instances() -> Result<()> {
    let mut second_round = Vec::new();
    for shared in [true, false] {
        let org = org(1_000_000, Duration::from_secs(60));
        org.set_concurrency_limit(Some(2), Duration::from_millis(300));
        let ids = org.user_ids();
        let budget = Arc::new(SharedBudget::default());
        let options = || InstanceOptions {
            rate_limits: if shared { RateLimits::With(budget.clone()) } else { RateLimits::Own },
            ..InstanceOptions::default()
        };
        // One call first, so that the bucket's window is known (while it is not, one request
        // goes at a time to learn it).
        let mut warm = connector().instantiate_with(Backend::FakeOrg(org.clone()), options()).await?;
        get_user(&mut warm, &ids[0]).await?;
        let round = |calls: usize| {
            let (org, ids) = (org.clone(), ids.clone());
            async move {
                let start = Arc::new(tokio::sync::Barrier::new(3));
                let mut tasks = Vec::new();
                for n in 0..3 {
                    let mut instance = connector().instantiate_with(Backend::FakeOrg(org.clone()), options()).await?;
                    let (ids, start) = (ids.clone(), start.clone());
                    tasks.push(tokio::spawn(async move {
                        start.wait().await;
                        for i in 0..calls {
                            get_user(&mut instance, &ids[(n + i) % ids.len()]).await?;
                        }
                        Ok::<_, anyhow::Error>(rejections(&instance).1)
                    }));
                }
                let mut rejected = 0;
                for t in tasks {
                    rejected += t.await??;
                }
                Ok::<_, anyhow::Error>(rejected)
            }
        };
        let first = round(1).await?;
        assert!(first >= 1, "three at once against a limit of two: at least one 429 (shared: {shared})");
        if shared {
            assert_eq!(budget.concurrency(DOMAIN), Some(2), "learned from the 429");
        }
        second_round.push(round(4).await?);
    }
    assert_eq!(second_round[0], 0, "with one budget, never more than two in flight");
    assert!(second_round[1] > 0, "each on its own collides again: {}", second_round[1]);
    Ok(())
}

/// `okta_connector.local.wasm` (`make build-local`): the per-instance budget composed in; it
/// imports no `rate-limits` and lists and waits as the plain one does.
#[tokio::test]
async fn the_build_with_the_budget_composed_in_needs_no_host_budget() -> Result<()> {
    let path = Connector::default_path().with_file_name("okta_connector.local.wasm");
    assert!(path.exists(), "{} is missing: run `make build-local`", path.display());
    let bytes = std::fs::read(&path)?;
    let wit_component::DecodedWasm::Component(resolve, world) = wit_component::decode(&bytes)? else {
        anyhow::bail!("{} is not a component", path.display())
    };
    let imports: Vec<String> = resolve.worlds[world].imports.keys().map(|k| resolve.name_world_key(k)).collect();
    assert!(!imports.iter().any(|i| i.contains("rate-limits")), "{imports:?}");
    assert!(imports.iter().any(|i| i.starts_with("wasi:http/outgoing-handler")), "{imports:?}");

    let local = Connector::load(&path)?;
    let org = org(3, Duration::from_secs(2));
    let id = org.user_ids()[0].clone();
    let mut instance = local.instantiate(Backend::FakeOrg(org.clone())).await?;
    let listed =
        ok(instance.invoke_json("users.list", &connection(), &json!({ "limit": 4, "fetch_all": true })).await?, "list");
    assert_eq!(listed["items"].as_array().unwrap().len(), 10);
    // Three pages of 4 spend the list's bucket, three Get Users theirs: the next request waits
    // for the reset instead of collecting a 429.
    for _ in 0..4 {
        get_user(&mut instance, &id).await?;
    }
    assert_eq!(rejections(&instance).0, 0, "{}", render(&instance.exchanges()));
    Ok(())
}
