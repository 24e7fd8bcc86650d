//! `okta-fake-org`: the fake Okta org on 127.0.0.1, for clients other than the connector's own
//! hosts (Okta's SDKs in the bench, the Node and Prismatic hosts' tests).

use clap::Parser as _;
use std::io::Write as _;
use std::process::ExitCode;

/// A fake Okta org that behaves like the real management API.
#[derive(clap::Parser)]
#[command(version)]
struct Cli {
    #[command(flatten)]
    serve: okta_fake_org::serve::ServeArgs,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let served =
        tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(anyhow::Error::from).and_then(
            |runtime| {
                runtime.block_on(okta_fake_org::serve::serve(&cli.serve, |line| {
                    let mut out = std::io::stdout().lock();
                    writeln!(out, "{line}")?;
                    out.flush()?;
                    Ok(())
                }))
            },
        );
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("okta-fake-org: {e:#}");
            ExitCode::FAILURE
        }
    }
}
