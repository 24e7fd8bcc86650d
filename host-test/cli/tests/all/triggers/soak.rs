//! The polling triggers' soak: 1 000 polls of each of New Users, Updated Users and New System
//! Logs through the built component (four runs of 250 polls from different seeds, which the
//! test runner runs side by side), with users created and updated between and during polls,
//! ties at the same millisecond, System Log events persisted late, and injected 429s, 5xx and
//! dropped connections. Everything emitted is compared with everything the fake org created:
//! nothing lost, nothing twice.

use crate::support::common::*;
use crate::support::fake_org::call;
use anyhow::Result;
use okta_fake_org::{FakeOrg, Fault};
use okta_harness::*;
use serde_json::{json, Value};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const POLLS: usize = 250;
/// The org's clock moves this much between polls.
const STEP: Duration = Duration::from_secs(7);

/// A deterministic generator, so a failure can be replayed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

struct Trigger {
    id: &'static str,
    state: String,
    emitted: Vec<String>,
    max_state: usize,
}

impl Trigger {
    async fn poll(&mut self, org: &FakeOrg) -> Result<Vec<Value>> {
        let mut inst = connector().instantiate_with(Backend::FakeOrg(org.clone()), quick()).await?;
        let (items, state) = inst
            .poll(self.id, &connection(), &json!({}), Some(&self.state))
            .await?
            .unwrap_or_else(|e| panic!("{} failed: {}", self.id, error_json(&e)));
        self.state = state;
        self.max_state = self.max_state.max(self.state.len());
        Ok(items)
    }
}

/// Short retry backoffs: the faults are about what is retried, not about waiting.
fn quick() -> InstanceOptions {
    InstanceOptions { env: vec![("OKTA_RETRY_BACKOFF_MS".into(), "20".into())], ..InstanceOptions::default() }
}

/// The key of an Updated Users record.
fn update_key(u: &Value) -> String {
    format!("{}@{}", u["id"].as_str().unwrap(), u["lastUpdated"].as_str().unwrap())
}

async fn first_run(org: &FakeOrg, id: &'static str) -> Result<Trigger> {
    let mut inst = connector().instantiate(Backend::FakeOrg(org.clone())).await?;
    let (_, state) = inst.poll(id, &connection(), &json!({}), None).await??;
    Ok(Trigger { id, max_state: state.len(), state, emitted: Vec::new() })
}

#[tokio::test]
async fn polls_lose_and_repeat_nothing_seed_7() -> Result<()> {
    soak(7).await
}

#[tokio::test]
async fn polls_lose_and_repeat_nothing_seed_11() -> Result<()> {
    soak(11).await
}

#[tokio::test]
async fn polls_lose_and_repeat_nothing_seed_13() -> Result<()> {
    soak(13).await
}

#[tokio::test]
async fn polls_lose_and_repeat_nothing_seed_17() -> Result<()> {
    soak(17).await
}

/// [`POLLS`] polls of each trigger, the writes and faults between them drawn from `seed`.
async fn soak(seed: u64) -> Result<()> {
    let started = Instant::now();
    let org = FakeOrg::empty();
    org.generate_users(40);
    let t0 = UNIX_EPOCH + Duration::from_secs(SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs());
    org.pin_clock(t0);

    let mut new_users = first_run(&org, "users.new").await?;
    let mut updated = first_run(&org, "users.updated").await?;
    let mut logs = first_run(&org, "system-log.new").await?;
    let log_before: HashSet<String> =
        org.log_events().iter().map(|e| e["uuid"].as_str().unwrap().to_string()).collect();

    let mut rng = Rng(seed);
    let mut created: Vec<String> = Vec::new();
    // Every (id, lastUpdated) a poll could see: each write of a user at the org's time.
    let mut updates: BTreeSet<String> = BTreeSet::new();
    let mut users: Vec<String> = org.user_ids();
    let mut faults = HashMap::<&str, usize>::new();
    let mut late = 0;

    for i in 0..POLLS {
        // Writes between polls: new users (several at the same instant), profile updates.
        for _ in 0..rng.below(3) {
            let n = created.len();
            let login = format!("soak.{n}@example.com");
            let body = json!({ "profile": { "login": login, "email": login, "firstName": "Soak", "lastName": format!("N{n}") } });
            let r = call(&org, "POST", "/api/v1/users?activate=false", Some(&body)).await;
            assert_eq!(r.status, 200);
            let u = r.json();
            created.push(u["id"].as_str().unwrap().to_string());
            users.push(u["id"].as_str().unwrap().to_string());
            updates.insert(update_key(&u));
        }
        for _ in 0..rng.below(3) {
            let id = users[rng.below(users.len() as u64) as usize].clone();
            let body = json!({ "profile": { "nickName": format!("n{i}") } });
            let r = call(&org, "POST", &format!("/api/v1/users/{id}"), Some(&body)).await;
            if r.status == 200 {
                updates.insert(update_key(&r.json()));
            }
        }
        // An event Okta persists late: published before events already served.
        if i % 25 == 7 {
            org.append_log_event_late("user.session.start", org.now() - Duration::from_secs(600)).unwrap();
            late += 1;
        }
        // Faults on the next request of a trigger.
        let (path, fault) = match i % 100 {
            11 => ("/api/v1/users", Some(Fault::Status(503))),
            23 => ("/api/v1/logs", Some(Fault::Status(500))),
            37 => ("/api/v1/users", Some(Fault::ConcurrencyLimited)),
            41 => ("/api/v1/logs", Some(Fault::DropConnection)),
            53 => ("/api/v1/users", Some(Fault::TruncateBody)),
            _ if i == POLLS / 2 => ("/api/v1/users", Some(Fault::RateLimited { reset_after_secs: 1 })),
            _ if i == POLLS * 3 / 5 => ("/api/v1/logs", Some(Fault::RateLimited { reset_after_secs: 1 })),
            _ => ("", None),
        };
        if let Some(f) = fault {
            *faults.entry(path).or_default() += 1;
            org.inject_fault("GET", path, f, 1);
        }
        // A user created while a poll is under way (its listing held up by a delay).
        if i % 50 == 5 {
            org.inject_fault("GET", "/api/v1/users", Fault::Delay(Duration::from_millis(30)), 1);
            let org2 = org.clone();
            let n = created.len();
            let login = format!("during.{n}@example.com");
            created.push(String::new());
            let during = tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(5)).await;
                let body =
                    json!({ "profile": { "login": login, "email": login, "firstName": "During", "lastName": "Poll" } });
                call(&org2, "POST", "/api/v1/users?activate=false", Some(&body)).await.json()
            });
            let items = new_users.poll(&org).await?;
            new_users.emitted.extend(items.iter().map(|u| u["id"].as_str().unwrap().to_string()));
            let u = during.await?;
            *created.last_mut().unwrap() = u["id"].as_str().unwrap().to_string();
            users.push(u["id"].as_str().unwrap().to_string());
            updates.insert(update_key(&u));
        } else {
            let items = new_users.poll(&org).await?;
            new_users.emitted.extend(items.iter().map(|u| u["id"].as_str().unwrap().to_string()));
        }
        let items = updated.poll(&org).await?;
        updated.emitted.extend(items.iter().map(update_key));
        let items = logs.poll(&org).await?;
        logs.emitted.extend(items.iter().map(|e| e["uuid"].as_str().unwrap().to_string()));
        org.advance_clock(STEP);
    }
    // One last poll each, for what the last writes left.
    org.advance_clock(STEP);
    for t in [&mut new_users, &mut updated, &mut logs] {
        let items = t.poll(&org).await?;
        t.emitted.extend(items.iter().map(|v| match t.id {
            "users.new" => v["id"].as_str().unwrap().to_string(),
            "users.updated" => update_key(v),
            _ => v["uuid"].as_str().unwrap().to_string(),
        }));
    }

    let once = |t: &Trigger| {
        let set: HashSet<&String> = t.emitted.iter().collect();
        assert_eq!(set.len(), t.emitted.len(), "{}: something came twice", t.id);
    };
    once(&new_users);
    once(&updated);
    once(&logs);
    let got: BTreeSet<String> = new_users.emitted.iter().cloned().collect();
    let want: BTreeSet<String> = created.iter().cloned().collect();
    assert_eq!(got, want, "New Users: every user created after the first run, once");
    let got: BTreeSet<String> = updated.emitted.iter().cloned().collect();
    assert_eq!(got, updates, "Updated Users: every write a poll could see, once");
    let got: BTreeSet<String> = logs.emitted.iter().cloned().collect();
    let want: BTreeSet<String> = org
        .log_events()
        .iter()
        .map(|e| e["uuid"].as_str().unwrap().to_string())
        .filter(|u| !log_before.contains(u))
        .collect();
    assert_eq!(got, want, "New System Logs: every event persisted after the first run, late ones included, once");

    eprintln!(
        "soak (seed {seed}): {POLLS} polls each in {:.1?}; {} users created, {} user writes, {} log events ({late} late); faults {faults:?}; \
         largest state: users.new {} B, users.updated {} B, system-log.new {} B",
        started.elapsed(),
        created.len(),
        updates.len(),
        logs.emitted.len(),
        new_users.max_state,
        updated.max_state,
        logs.max_state
    );
    Ok(())
}
