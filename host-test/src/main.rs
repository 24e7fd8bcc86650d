//! `okta-connector`: runs the Okta connector component from the command line. See `cli.rs`.

mod authorize;
mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
