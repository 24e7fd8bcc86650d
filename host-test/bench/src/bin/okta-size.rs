//! `okta-size`: what each crate adds to the component, as a markdown table (`make size`, which
//! builds the unstripped component it reads). See `okta_bench::size`.
//!
//! okta-size [COMPONENT]   default: target/size/wasm32-wasip2/release/okta_connector.wasm

use okta_bench::size;

fn main() {
    let path =
        std::env::args().nth(1).unwrap_or_else(|| "target/size/wasm32-wasip2/release/okta_connector.wasm".into());
    let result = std::fs::read(&path)
        .map_err(|e| format!("cannot read {path}: {e} (run `make size`)"))
        .and_then(|wasm| size::breakdown(&wasm));
    match result {
        Ok(breakdown) => print!("{}", size::markdown(&breakdown)),
        Err(e) => {
            eprintln!("okta-size: {e}");
            std::process::exit(1);
        }
    }
}
