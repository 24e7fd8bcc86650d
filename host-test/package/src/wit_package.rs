//! The contract as the component ecosystem publishes it: `wit/` encoded as a binary WIT package
//! (a component holding only types, as `wkg wit build` and `wasm-tools component wit --wasm`
//! write it), doc comments included (its `package-docs` section), so a host can generate
//! bindings from the package without the text files.

use anyhow::{bail, Context, Result};
use std::path::Path;
use wit_parser::{decoding::DecodedWasm, Resolve};

/// The encoded package and what it names.
pub struct WitPackage {
    /// `okta:connector@0.1.0`
    pub name: String,
    /// `okta:connector/connector@0.1.0`: the world the component implements.
    pub world: String,
    /// The binary WIT package.
    pub bytes: Vec<u8>,
}

/// The world a host names when it asks for this connector.
pub const WORLD: &str = "connector";

/// Encodes the WIT package in `dir`.
pub fn encode(dir: &Path) -> Result<WitPackage> {
    let mut resolve = Resolve::default();
    let (pkg, _) =
        resolve.push_dir(dir).with_context(|| format!("cannot read the WIT package in {}", dir.display()))?;
    let name = resolve.packages[pkg].name.clone();
    resolve.select_world(&[pkg], Some(WORLD)).with_context(|| format!("{name} has no world `{WORLD}`"))?;
    let bytes = wit_component::encode(&resolve, pkg).context("cannot encode the WIT package")?;
    let world = match &name.version {
        Some(v) => format!("{}:{}/{WORLD}@{v}", name.namespace, name.name),
        None => format!("{}:{}/{WORLD}", name.namespace, name.name),
    };
    Ok(WitPackage { name: name.to_string(), world, bytes })
}

/// Decodes a binary WIT package back into a `Resolve` and its package's name.
pub fn decode(bytes: &[u8]) -> Result<(Resolve, String)> {
    match wit_parser::decoding::decode(bytes).context("not a binary WIT package")? {
        DecodedWasm::WitPackage(resolve, pkg) => {
            let name = resolve.packages[pkg].name.to_string();
            Ok((resolve, name))
        }
        DecodedWasm::Component(..) => bail!("a component, not a WIT package"),
    }
}

/// The interfaces and functions a component imports and exports, read from the component
/// itself (its type, not the source WIT): `wasi:http/outgoing-handler@0.2.4`, ...
pub struct ComponentWorld {
    pub imports: Vec<String>,
    pub exports: Vec<String>,
}

pub fn component_world(component: &[u8]) -> Result<ComponentWorld> {
    let DecodedWasm::Component(resolve, world) =
        wit_parser::decoding::decode(component).context("cannot decode the component's type")?
    else {
        bail!("a WIT package, not a component");
    };
    let world = &resolve.worlds[world];
    Ok(ComponentWorld {
        imports: world.imports.keys().map(|k| resolve.name_world_key(k)).collect(),
        exports: world.exports.keys().map(|k| resolve.name_world_key(k)).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wit_dir() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../wit")
    }

    #[test]
    fn the_binary_package_decodes_to_the_same_package_with_its_docs() {
        let pkg = encode(&wit_dir()).unwrap();
        assert!(pkg.name.starts_with("okta:connector@"), "{}", pkg.name);
        assert_eq!(pkg.world, format!("okta:connector/connector@{}", pkg.name.split('@').nth(1).unwrap()));
        let (resolve, name) = decode(&pkg.bytes).unwrap();
        assert_eq!(name, pkg.name);
        let users = resolve.interfaces.iter().find(|(_, i)| i.name.as_deref() == Some("users")).unwrap().1;
        assert!(users.docs.contents.as_deref().unwrap_or("").starts_with("Users:"), "{:?}", users.docs);
        let create = &users.functions["create"];
        assert!(create.docs.contents.as_deref().unwrap_or("").contains("Create User"), "{:?}", create.docs);
        let world = resolve.worlds.iter().find(|(_, w)| w.name == WORLD).unwrap().1;
        assert!(world.exports.len() >= 10);
        // The same bytes from the same sources.
        assert_eq!(encode(&wit_dir()).unwrap().bytes, pkg.bytes);
    }
}
