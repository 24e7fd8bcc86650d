//! `okta-size`: what each crate adds to the component, as a markdown table (`make size`, which
//! builds the unstripped component it reads). See `okta_bench::size`.
//!
//! okta-size [COMPONENT]   default: target/size/wasm32-wasip2/release/okta_connector.wasm

use okta_bench::size;

fn main() {
    let path = std::env::args().nth(1).unwrap_or_else(|| size::UNSTRIPPED.into());
    match size::read(path.as_ref()) {
        Ok(breakdown) => print!("{}", size::markdown(&breakdown)),
        Err(e) => {
            eprintln!("okta-size: {e}");
            std::process::exit(1);
        }
    }
}
