//! What each crate adds to the component: reads an unstripped release build (`make size`) and
//! attributes every function body to the crate its name (the `name` section, demangled) says
//! it comes from, so a dependency that grows the component shows up by name.
//!
//! Data segments carry no crate (the linker merges them into `.rodata` and `.data`): they get
//! rows of their own, as do the core module's other sections and the component's own (WIT
//! types, imports, exports, canonical ABI glue). The function names themselves and the standard
//! library's debug info are left out of the total: the release build strips them. Self-contained (`wasmparser` and
//! `rustc-demangle` only).

use std::collections::HashMap;
use wasmparser::{KnownCustom, Name, Parser, Payload, TypeRef};

/// One line of the breakdown: a crate (its function bodies) or a bracketed part that belongs
/// to no crate (`[data .rodata]`, `[component: ...]`).
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub name: String,
    pub bytes: u64,
}

/// The rows, largest first, and what they add up to.
#[derive(Debug, Clone, PartialEq)]
pub struct Breakdown {
    pub rows: Vec<Row>,
    /// The file's size without the custom sections the release build strips: about what
    /// that build weighs.
    pub total: u64,
    /// Bytes of the core modules' function names and debug info (the standard library's),
    /// counted in no row: the release build strips them.
    pub stripped: u64,
}

/// A core module as it is read.
#[derive(Default)]
struct Module {
    size: u64,
    imported_functions: u32,
    bodies: Vec<u64>,
    data: Vec<u64>,
    /// Custom sections the release build strips (names, debug info).
    custom_bytes: u64,
    /// Custom sections it keeps (producers).
    kept_custom: u64,
    module_name: Option<String>,
    function_names: HashMap<u32, String>,
    data_names: HashMap<u32, String>,
}

enum Level {
    /// `custom_bytes`: the component's custom sections (its names, producers), which the
    /// release build keeps.
    Component {
        custom_bytes: u64,
    },
    Module(Module),
}

/// Where `make size` builds the unstripped release component.
pub const UNSTRIPPED: &str = "target/size/wasm32-wasip2/release/okta_connector.wasm";

/// The breakdown of the component at `path`, or why there is none.
pub fn read(path: &std::path::Path) -> Result<Breakdown, String> {
    let wasm = std::fs::read(path).map_err(|e| format!("cannot read {}: {e} (run `make size`)", path.display()))?;
    breakdown(&wasm)
}

/// The breakdown of a component (or a core module) built with its `name` section.
pub fn breakdown(wasm: &[u8]) -> Result<Breakdown, String> {
    let mut rows: HashMap<String, u64> = HashMap::new();
    let mut stack: Vec<Level> = Vec::new();
    let mut in_modules = 0u64;
    let mut stripped = 0u64;
    let mut component_custom = 0u64;
    let mut named_functions = 0usize;
    for payload in Parser::new(0).parse_all(wasm) {
        let payload = payload.map_err(|e| format!("not a valid WebAssembly file: {e}"))?;
        match payload {
            Payload::Version { encoding: wasmparser::Encoding::Module, .. } if stack.is_empty() => {
                stack.push(Level::Module(Module { size: wasm.len() as u64, ..Module::default() }));
                continue;
            }
            Payload::Version { .. } if stack.is_empty() => {
                stack.push(Level::Component { custom_bytes: 0 });
                continue;
            }
            Payload::ModuleSection { unchecked_range, .. } => {
                stack.push(Level::Module(Module { size: unchecked_range.len() as u64, ..Module::default() }));
                continue;
            }
            Payload::ComponentSection { .. } => {
                stack.push(Level::Component { custom_bytes: 0 });
                continue;
            }
            Payload::End(_) => {
                match stack.pop() {
                    Some(Level::Module(m)) => {
                        in_modules += m.size;
                        stripped += m.custom_bytes;
                        named_functions += m.function_names.len();
                        add_module(&mut rows, m);
                    }
                    Some(Level::Component { custom_bytes }) => component_custom += custom_bytes,
                    None => return Err("unbalanced module or component ends".into()),
                }
                continue;
            }
            _ => {}
        }
        match (stack.last_mut(), payload) {
            (Some(Level::Module(m)), Payload::ImportSection(reader)) => {
                for import in reader.into_imports() {
                    let import = import.map_err(|e| e.to_string())?;
                    if matches!(import.ty, TypeRef::Func(_) | TypeRef::FuncExact(_)) {
                        m.imported_functions += 1;
                    }
                }
            }
            (Some(Level::Module(m)), Payload::CodeSectionEntry(body)) => m.bodies.push(body.range().len() as u64),
            (Some(Level::Module(m)), Payload::DataSection(reader)) => {
                for data in reader {
                    m.data.push(data.map_err(|e| e.to_string())?.range.len() as u64);
                }
            }
            (Some(Level::Module(m)), Payload::CustomSection(section)) => {
                if section.name() == "name" || section.name().starts_with(".debug") {
                    m.custom_bytes += section.range().len() as u64;
                } else {
                    m.kept_custom += section.range().len() as u64;
                }
                if let KnownCustom::Name(reader) = section.as_known() {
                    for name in reader {
                        match name.map_err(|e| e.to_string())? {
                            Name::Module { name, .. } => m.module_name = Some(name.to_string()),
                            Name::Function(map) => {
                                for naming in map {
                                    let naming = naming.map_err(|e| e.to_string())?;
                                    m.function_names.insert(naming.index, naming.name.to_string());
                                }
                            }
                            Name::Data(map) => {
                                for naming in map {
                                    let naming = naming.map_err(|e| e.to_string())?;
                                    m.data_names.insert(naming.index, naming.name.to_string());
                                }
                            }
                            _ => {}
                        }
                    }
                }
            }
            (Some(Level::Component { custom_bytes }), Payload::CustomSection(section)) => {
                *custom_bytes += section.range().len() as u64;
            }
            _ => {}
        }
    }
    if named_functions == 0 {
        return Err("the file has no function names: build it unstripped (see `make size`)".into());
    }
    let component = (wasm.len() as u64).saturating_sub(in_modules + component_custom);
    *rows.entry("[component: WIT types, imports, exports, canonical ABI]".into()).or_default() += component;
    *rows.entry(KEPT_CUSTOM.into()).or_default() += component_custom;
    let mut rows: Vec<Row> = rows.into_iter().map(|(name, bytes)| Row { name, bytes }).collect();
    rows.sort_by(|a, b| b.bytes.cmp(&a.bytes).then_with(|| a.name.cmp(&b.name)));
    Ok(Breakdown { total: wasm.len() as u64 - stripped, rows, stripped })
}

const KEPT_CUSTOM: &str = "[custom sections: the component's names, producers]";

/// Adds a module's bytes to the rows: per crate for a Rust module, whole for a generated one
/// (the component linker's shims and adapters).
fn add_module(rows: &mut HashMap<String, u64>, m: Module) {
    let code: u64 = m.bodies.iter().sum();
    let data: u64 = m.data.iter().sum();
    let rest = m.size.saturating_sub(code + data + m.custom_bytes + m.kept_custom);
    *rows.entry(KEPT_CUSTOM.into()).or_default() += m.kept_custom;
    if let Some(generated) = m.module_name.as_deref().filter(|n| n.starts_with("wit-component:")) {
        *rows.entry(format!("[{generated}]")).or_default() += m.size - m.custom_bytes - m.kept_custom;
        return;
    }
    for (i, bytes) in m.bodies.iter().enumerate() {
        let index = m.imported_functions + i as u32;
        let owner = m.function_names.get(&index).map(|n| crate_of(n)).unwrap_or_else(|| "[unnamed functions]".into());
        *rows.entry(owner).or_default() += bytes;
    }
    for (i, bytes) in m.data.iter().enumerate() {
        let name = m.data_names.get(&(i as u32)).map(String::as_str).unwrap_or("unnamed");
        *rows.entry(format!("[data {name}]")).or_default() += bytes;
    }
    *rows.entry("[module: types, imports, exports, tables, elements]".into()).or_default() += rest;
}

/// The crate a function comes from, by its name. Trait methods go to the implementing type's
/// crate unless that is a standard type (`<Vec<T> as serde::Serialize>` is serde's code); drop
/// glue goes to the dropped type's crate. Names without a Rust path are wasi-libc's (the
/// allocator, `memcpy`, stdio) or the component glue's.
pub fn crate_of(name: &str) -> String {
    let name = match rustc_demangle::try_demangle(name) {
        Ok(d) => format!("{d:#}"),
        Err(_) => name.to_string(),
    };
    let name = name.as_str();
    if let Some(qualified) = name.strip_prefix('<') {
        let inner = &qualified[..closing(qualified)];
        let (self_type, trait_path) = match split_top(inner, " as ") {
            Some((s, t)) => (s, Some(t)),
            None => (inner, None),
        };
        let own = path_crate(self_type);
        return match (own, trait_path.and_then(path_crate)) {
            (Some(own), _) if !is_std(own) => own.to_string(),
            (_, Some(from_trait)) if !is_std(from_trait) => from_trait.to_string(),
            (Some(own), _) => own.to_string(),
            (None, Some(from_trait)) => from_trait.to_string(),
            // Inherent methods of primitives (`<str>::from_utf8`).
            (None, None) => "core".into(),
        };
    }
    if let Some(dropped) = name.strip_prefix("core::ptr::drop_in_place<") {
        let dropped = &dropped[..closing(dropped)];
        if let Some(owner) = path_crate(dropped).filter(|c| !is_std(c)) {
            return owner.to_string();
        }
    }
    match path_crate(name) {
        Some("__rustc") => "std".into(),
        Some(krate) => krate.to_string(),
        None if name.contains('#') || name.starts_with("cabi_") || name.starts_with("__wasm") => {
            "[component glue]".into()
        }
        None => "[wasi-libc: allocator, stdio, mem*]".into(),
    }
}

fn is_std(krate: &str) -> bool {
    matches!(krate, "core" | "alloc" | "std")
}

/// The crate of a path or type (`serde_json::Value`, `&mut [T]`); `None` for primitives.
fn path_crate(text: &str) -> Option<&str> {
    let mut t = text.trim();
    loop {
        let before = t;
        for prefix in ["&mut ", "&", "*const ", "*mut ", "dyn ", "[", "(", "<", "unsafe ", "extern \"C\" "] {
            t = t.strip_prefix(prefix).unwrap_or(t).trim_start();
        }
        if t == before {
            break;
        }
    }
    let end = t.find("::")?;
    let head = &t[..end];
    let ident = head.chars().all(|c| c.is_alphanumeric() || c == '_') && !head.is_empty();
    ident.then_some(head)
}

/// The index of the `>` that closes a `<` already consumed (or the length).
fn closing(text: &str) -> usize {
    let mut depth = 0usize;
    for (i, c) in text.char_indices() {
        match c {
            '<' => depth += 1,
            '>' if depth == 0 => return i,
            '>' => depth -= 1,
            _ => {}
        }
    }
    text.len()
}

/// Splits at the first `sep` outside angle brackets.
fn split_top<'a>(text: &'a str, sep: &str) -> Option<(&'a str, &'a str)> {
    let mut depth = 0usize;
    for (i, c) in text.char_indices() {
        match c {
            '<' => depth += 1,
            '>' => depth = depth.saturating_sub(1),
            _ if depth == 0 && text[i..].starts_with(sep) => return Some((&text[..i], &text[i + sep.len()..])),
            _ => {}
        }
    }
    None
}

/// The breakdown as a markdown table: crate, bytes, share of the total.
pub fn markdown(b: &Breakdown) -> String {
    let share = |bytes: u64| format!("{:.1} %", bytes as f64 * 100.0 / b.total.max(1) as f64);
    let mut out = String::from("| crate | bytes | share |\n|---|---:|---:|\n");
    for row in &b.rows {
        out.push_str(&format!("| {} | {} | {} |\n", row.name, row.bytes, share(row.bytes)));
    }
    out.push_str(&format!("| **total** | {} | 100 % |\n", b.total));
    out.push_str(&format!(
        "\nNot counted: {} bytes of function names and debug info, which the release build strips.\n",
        b.stripped
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crates_by_name() {
        let cases = [
            ("_ZN4core3fmt5write17h0123456789abcdefE", "core"),
            ("serde_json::de::from_slice::h0123456789abcdef", "serde_json"),
            ("<alloc::vec::Vec<T> as serde::ser::Serialize>::serialize", "serde"),
            ("<rsa::key::PrivateKey as core::fmt::Debug>::fmt", "rsa"),
            ("<&mut serde_json::ser::Serializer<W> as serde::ser::Serializer>::serialize_str", "serde_json"),
            ("<[T] as core::fmt::Debug>::fmt", "core"),
            ("<str>::from_utf8", "core"),
            ("core::ptr::drop_in_place<okta_connector::okta::request::Request>", "okta_connector"),
            ("core::ptr::drop_in_place<alloc::string::String>", "core"),
            ("__rustc::__rust_alloc", "std"),
            ("memcpy", "[wasi-libc: allocator, stdio, mem*]"),
            ("okta:connector/users@0.1.0#list-users", "[component glue]"),
        ];
        for (name, want) in cases {
            assert_eq!(crate_of(name), want, "{name}");
        }
    }

    #[test]
    fn a_stripped_file_is_refused() {
        // `\0asm`, version 1, no sections.
        let empty = [0, b'a', b's', b'm', 1, 0, 0, 0];
        assert!(breakdown(&empty).unwrap_err().contains("unstripped"));
    }
}
