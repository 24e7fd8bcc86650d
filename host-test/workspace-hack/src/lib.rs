//! Holds no code: its Cargo.toml unifies the host crates' dependency features (see there).
