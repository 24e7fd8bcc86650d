//! The identity of the guest's sources: a SHA-256 over every file the component is built
//! from, which the guest's build embeds in the component as a custom section
//! ([`SOURCE_SECTION`]). A host built from this tree compares the two and refuses a component
//! built from other sources (an old `make build`, another checkout) instead of testing or
//! shipping it.

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// What the component is built from, relative to the repository root: the guest's code, its
/// contract, the generator and its build script, and its manifest.
pub const SOURCE_PATHS: &[&str] = &["src", "wit", "build.rs", "build/src", "Cargo.toml"];

/// The custom section holding the hash in the component's core module.
pub const SOURCE_SECTION: &str = "okta-connector-source";

/// The hex SHA-256 of [`SOURCE_PATHS`] under `root`: each file's path (with `/`) and contents,
/// in path order, so the hash is the same on every machine and file system.
pub fn source_hash(root: &Path) -> std::io::Result<String> {
    let mut files = Vec::new();
    for path in SOURCE_PATHS {
        collect(&root.join(path), &mut files)?;
    }
    let mut named: Vec<(String, PathBuf)> = files
        .into_iter()
        .map(|f| {
            let rel = f.strip_prefix(root).unwrap_or(&f);
            let name = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
            (name, f)
        })
        .collect();
    named.sort();
    let mut hasher = Sha256::new();
    for (name, file) in named {
        let contents = std::fs::read(&file)?;
        hasher.update((name.len() as u64).to_le_bytes());
        hasher.update(name.as_bytes());
        hasher.update((contents.len() as u64).to_le_bytes());
        hasher.update(&contents);
    }
    Ok(hasher.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

fn collect(path: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if path.is_dir() {
        for entry in std::fs::read_dir(path)? {
            collect(&entry?.path(), files)?;
        }
    } else if path.is_file() {
        files.push(path.to_path_buf());
    }
    Ok(())
}

/// The source hash a component carries, when it has one.
pub fn embedded_source_hash(component: &[u8]) -> Option<String> {
    for payload in wasmparser::Parser::new(0).parse_all(component) {
        if let Ok(wasmparser::Payload::CustomSection(section)) = payload {
            if section.name() == SOURCE_SECTION {
                return std::str::from_utf8(section.data()).ok().map(str::to_string);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_changes_with_any_source_file_and_not_with_others() {
        let dir = std::env::temp_dir().join(format!("okta-source-hash-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("src/a")).unwrap();
        std::fs::create_dir_all(dir.join("wit")).unwrap();
        std::fs::write(dir.join("src/a/lib.rs"), "fn a() {}").unwrap();
        std::fs::write(dir.join("wit/world.wit"), "world w {}").unwrap();
        std::fs::write(dir.join("README.md"), "one").unwrap();
        let first = source_hash(&dir).unwrap();
        assert_eq!(first.len(), 64);
        std::fs::write(dir.join("README.md"), "two").unwrap();
        assert_eq!(source_hash(&dir).unwrap(), first, "files outside the sources do not count");
        std::fs::write(dir.join("src/a/lib.rs"), "fn b() {}").unwrap();
        assert_ne!(source_hash(&dir).unwrap(), first);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
