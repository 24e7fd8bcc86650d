//! Connections kept in files. `authorize --save` writes one, readable by its owner only; `mcp`
//! writes rotated OAuth tokens back into the `--connection @FILE` it was started with, so the
//! next start has the newest refresh token (Okta refuses an old one soon after rotation).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context as _, Result};
use serde_json::{json, Map, Value};

/// The connection kinds whose tokens rotate.
const ROTATING: [&str; 2] = ["oauth_code", "oauth_device"];

/// Writes `connection` to `path` atomically, readable by its owner only.
pub fn save(path: &Path, connection: &Value) -> Result<()> {
    let text = serde_json::to_string_pretty(connection)? + "\n";
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().ok_or_else(|| anyhow!("{} is not a file name", path.display()))?;
    let tmp = dir.join(format!(".{}.{}.tmp", name.to_string_lossy(), std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options
        .open(&tmp)
        .and_then(|mut f| f.write_all(text.as_bytes()).and_then(|()| f.sync_all()))
        .and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written.with_context(|| format!("cannot write {}", path.display()))
}

/// A connection file whose tokens can be replaced by newer ones.
#[derive(Debug)]
pub struct TokenFile {
    path: PathBuf,
}

impl TokenFile {
    /// The file a `--connection @FILE` argument names, when it holds an OAuth connection whose
    /// tokens rotate and are written in it as values (not `{"env"}`/`{"file"}` references,
    /// which this cannot update).
    pub fn of(argument: Option<&str>) -> Option<TokenFile> {
        let path = argument?.strip_prefix('@').filter(|p| *p != "-")?;
        let value: Value = serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
        let fields = kind_fields(&value)?;
        let plain = |k: &str| fields.get(k).is_none_or(|v| v.is_string() || v.is_null());
        (plain("access_token") && plain("refresh_token")).then(|| TokenFile { path: PathBuf::from(path) })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Puts `access` and `refresh` in place of the file's tokens, keeping everything else.
    pub fn update(&self, access: &str, refresh: Option<&str>) -> Result<()> {
        let text =
            std::fs::read_to_string(&self.path).with_context(|| format!("cannot read {}", self.path.display()))?;
        let mut value: Value = serde_json::from_str(&text).context("the file is no longer a connection")?;
        let fields = value
            .as_object_mut()
            .and_then(|kinds| kinds.values_mut().next())
            .and_then(Value::as_object_mut)
            .ok_or_else(|| anyhow!("the file is no longer a connection"))?;
        fields.insert("access_token".into(), json!(access));
        if let Some(refresh) = refresh {
            fields.insert("refresh_token".into(), json!(refresh));
        }
        save(&self.path, &value)
    }
}

/// The fields of a `{"oauth_code": {...}}` or `{"oauth_device": {...}}` connection.
fn kind_fields(value: &Value) -> Option<&Map<String, Value>> {
    let kinds = value.as_object().filter(|k| k.len() == 1)?;
    let (kind, fields) = kinds.iter().next()?;
    ROTATING.contains(&kind.as_str()).then_some(())?;
    fields.as_object()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("okta-saved-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir.join("connection.json")
    }

    #[test]
    fn a_saved_connection_is_its_owners_and_its_tokens_can_be_replaced() {
        let path = temp("rotate");
        let c = json!({"oauth_device": {"domain": "acme.okta.com", "client_id": "0oa1", "scopes": ["okta.users.read"],
            "access_token": "old-access", "refresh_token": "old-refresh"}});
        save(&path, &c).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        let arg = format!("@{}", path.display());
        let file = TokenFile::of(Some(&arg)).expect("tokens as values");
        file.update("new-access", Some("new-refresh")).unwrap();
        let back: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(back["oauth_device"]["refresh_token"], "new-refresh");
        assert_eq!(back["oauth_device"]["access_token"], "new-access");
        assert_eq!(back["oauth_device"]["client_id"], "0oa1");
        assert_eq!(std::fs::read_dir(path.parent().unwrap()).unwrap().count(), 1, "no temporary file left");
    }

    #[test]
    fn only_files_with_rotating_tokens_as_values_are_updated() {
        let path = temp("refs");
        save(&path, &json!({"oauth_code": {"domain": "a", "refresh_token": {"env": "OKTA_REFRESH_TOKEN"}}})).unwrap();
        assert!(TokenFile::of(Some(&format!("@{}", path.display()))).is_none());
        save(&path, &json!({"api_token": {"domain": "a", "token": "t"}})).unwrap();
        assert!(TokenFile::of(Some(&format!("@{}", path.display()))).is_none());
        assert!(TokenFile::of(Some("{\"oauth_code\": {}}")).is_none(), "not a file");
        assert!(TokenFile::of(Some("@-")).is_none());
        assert!(TokenFile::of(None).is_none());
    }
}
