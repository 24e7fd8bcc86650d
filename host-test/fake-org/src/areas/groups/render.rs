//! JSON for groups, which the users area returns too (a user's groups).

use super::model::Group;
use crate::infra::json::J;
use crate::infra::time::iso;

const LOGO_MEDIUM: &str =
    "https://ok12static.oktacdn.com/assets/img/logos/groups/odyssey/okta-medium.30ce6d4085dff29412984e4c191bc874.png";
const LOGO_LARGE: &str =
    "https://ok12static.oktacdn.com/assets/img/logos/groups/odyssey/okta-large.c3cb8cda8ae0add1b4fe928f5844dbe3.png";

/// Group object: `id, created, lastUpdated, lastMembershipUpdated, objectClass, type, profile,
/// _links{logo[], [source], users, apps}`.
pub fn render_group(g: &Group, origin: &str) -> J {
    let logo =
        |name: &str, href: &str| J::obj([("name", J::s(name)), ("href", J::s(href)), ("type", J::s("image/png"))]);
    let base = format!("{origin}/api/v1/groups/{}", g.id);
    J::obj([
        ("id", J::s(g.id.clone())),
        ("created", J::s(iso(g.created))),
        ("lastUpdated", J::s(iso(g.last_updated))),
        ("lastMembershipUpdated", J::s(iso(g.last_membership_updated))),
        ("objectClass", J::Arr(vec![J::s("okta:user_group")])),
        ("type", J::s(g.kind.clone())),
        ("profile", J::obj([("name", J::s(g.name.clone())), ("description", J::opt_s(g.description.clone()))])),
        ("_links", {
            let mut links = J::obj([("logo", J::Arr(vec![logo("medium", LOGO_MEDIUM), logo("large", LOGO_LARGE)]))]);
            // APP_GROUPs link the app they are imported from.
            if let Some(app) = &g.source {
                links.push("source", J::obj([("href", J::s(format!("{origin}/api/v1/apps/{app}")))]));
            }
            links.push("users", J::obj([("href", J::s(format!("{base}/users")))]));
            links.push("apps", J::obj([("href", J::s(format!("{base}/apps")))]));
            links
        }),
    ])
}
