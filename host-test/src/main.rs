//! `okta-connector`: runs the Okta connector component from the command line, the component
//! built into the binary (see `build.rs`), so it runs wherever it is installed. See `cli.rs`.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
