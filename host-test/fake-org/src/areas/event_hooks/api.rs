//! What tests do with a [`FakeOrg`]'s event hooks besides calling the API: read delivery
//! attempts, deliver again, bound the wait for an endpoint.

use std::time::Duration;

use super::model::Delivery as HookDelivery;
use crate::FakeOrg;

impl FakeOrg {
    /// Every event-hook delivery attempt so far, in order (no header values: the hook's
    /// secret stays out).
    pub fn hook_deliveries(&self) -> Vec<HookDelivery> {
        self.st().deliveries().to_vec()
    }

    /// How the org calls the event hook `id`: its URI and the headers sent with every call (the
    /// `authScheme` header with the hook's secret, then the custom ones), for a test that makes
    /// deliveries itself, as many at once as Okta might.
    pub fn event_hook_endpoint(&self, id: &str) -> Option<(String, Vec<(String, String)>)> {
        let st = self.st();
        let endpoint = super::delivery::hook_endpoint(st.event_hooks().get(id)?);
        Some((endpoint.uri, endpoint.headers))
    }

    /// Delivers a logged event again to the hooks that want it, with a new `eventId`: Okta
    /// delivers at least once. `false` for an unknown uuid.
    pub fn redeliver_event(&self, uuid: &str) -> bool {
        let queued = self.st().requeue_event(uuid);
        self.shared.deliver_pending();
        queued
    }

    /// How long the org waits for an event-hook endpoint (verification and delivery; default
    /// 3 s, as Okta).
    pub fn set_hook_timeout(&self, timeout: Duration) {
        self.shared.outbound.set_timeout(timeout);
    }

    /// Waits until at least `n` delivery attempts were made, at most `timeout`.
    pub async fn wait_for_deliveries(&self, n: usize, timeout: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if self.st().deliveries().len() >= n {
                return true;
            }
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}
