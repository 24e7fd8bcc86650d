//! Serving the fake org on 127.0.0.1 until Ctrl-C: the `okta-fake-org` binary and the
//! `okta-connector fake-org` command share these arguments and this loop.

use anyhow::{Context as _, Result};
use serde_json::json;

use crate::demo_apps::*;
use crate::FakeOrg;

/// Serve the fake Okta org on 127.0.0.1 until Ctrl-C, seeded, plus N generated users, with an
/// OAuth web app and a DPoP service app (printed).
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// The port (0: any free port).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub port: u16,
    /// Users to generate besides the seeded ones.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub users: usize,
    /// The polling interval of the device authorization, in seconds (Okta's is 5).
    #[arg(long, value_name = "SECS", default_value_t = 5)]
    pub device_interval: u64,
    /// How long the access tokens it issues live, in seconds (Okta's: an hour).
    #[arg(long, value_name = "SECS", default_value_t = 3600)]
    pub token_lifetime: u64,
    /// Requests allowed per rate-limit bucket (users, groups, apps, logs, ...) and window
    /// (Okta's default for most endpoints: 600 a minute); a bench listing the same users over
    /// and over sets it high.
    #[arg(long, value_name = "N", default_value_t = 600, value_parser = clap::value_parser!(u32).range(1..))]
    pub rate_limit: u32,
    /// The rate-limit window, in seconds (Okta's is a minute).
    #[arg(long, value_name = "SECS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    pub rate_window: u64,
}

/// Serves until the process is stopped, after printing the URL, the API token, the OAuth apps
/// and a ready-to-paste connection on stdout (`print` writes one line).
pub async fn serve(args: &ServeArgs, mut print: impl FnMut(&str) -> Result<()>) -> Result<()> {
    let org = FakeOrg::seeded();
    if args.users > 0 {
        org.generate_users(args.users);
    }
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.port))
        .await
        .with_context(|| format!("cannot listen on 127.0.0.1:{}", args.port))?;
    let url = format!("http://{}", listener.local_addr().context("no local address")?);
    let connection = json!({ "api_token": { "domain": url, "token": FakeOrg::TOKEN } });
    org.register_demo_apps();
    org.set_device_interval(std::time::Duration::from_secs(args.device_interval));
    org.set_token_lifetime(std::time::Duration::from_secs(args.token_lifetime));
    org.set_rate_limit(args.rate_limit, std::time::Duration::from_secs(args.rate_window));
    print(&format!("Fake Okta org at {url} ({} users)", org.user_count()))?;
    print(&format!("API token: {}", FakeOrg::TOKEN))?;
    print(&format!("OAuth web app: {WEB_CLIENT_ID} {WEB_CLIENT_SECRET} {WEB_REDIRECT_URI}"))?;
    print(&format!(
        "OAuth service app (DPoP): {SERVICE_CLIENT_ID} kid {SERVICE_KEY_ID}, key fixtures/keys/rsa-pkcs8.pem"
    ))?;
    print(&format!("OAuth native app (device): {NATIVE_CLIENT_ID}, sign in at {url}/activate"))?;
    print(&format!("Try: okta-connector run users.list --input '{{\"limit\": 2}}' --connection '{connection}'"))?;
    print("Ctrl-C to stop.")?;
    org.serve(listener).await.context("the fake org stopped")
}
