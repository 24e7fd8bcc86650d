//! Rotated OAuth tokens, kept. After a command with an `oauth_code` or `oauth_device`
//! connection, the newest token set the instance holds (`current-tokens`,
//! `current-device-tokens`) is compared with the one given; when it changed (an expired access
//! token was refreshed and the refresh token rotated), the next command must present the new
//! set: Okta treats the old refresh token, once its grace period is over, as stolen and revokes
//! the whole family.
//!
//! So the new tokens go back where they came from: into the `--connection @FILE` they were read
//! from (written atomically: a new file beside it, with mode 0600, synced, then renamed over
//! it), or into the file a `{"file": PATH}` field names. Where that is not possible (an
//! inline connection, standard input, `{"env": NAME}`, a file that cannot be written) `run`
//! prints them on stderr with what to store; `mcp` keeps them for its session and says so.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use okta_harness::{Connection, Instance, TokenSet};

use crate::output::err;

/// A user-delegated connection's kind as the connection JSON names it, and the access and
/// refresh tokens it carries; `None` for the kinds whose tokens do not rotate.
fn carried(connection: &Connection) -> Option<(&'static str, Option<&str>, Option<&str>)> {
    match connection {
        Connection::OauthCode(c) => Some(("oauth_code", c.access_token.as_deref(), c.refresh_token.as_deref())),
        Connection::OauthDevice(c) => Some(("oauth_device", c.access_token.as_deref(), c.refresh_token.as_deref())),
        Connection::ApiToken(_) | Connection::ClientCredentials(_) => None,
    }
}

/// The newest tokens the instance holds for `connection`'s session, when they are not the ones
/// it carries (an access token was renewed, a refresh token rotated).
pub async fn rotated(instance: &mut Instance, connection: &Connection) -> Option<TokenSet> {
    let (_, access, refresh) = carried(connection)?;
    let newest = match connection {
        Connection::OauthCode(c) => instance.connections().current_tokens(c).await,
        Connection::OauthDevice(c) => instance.connections().current_device_tokens(c).await,
        _ => return None,
    };
    let newest = newest.ok().flatten()?;
    let changed = access != Some(newest.access_token.as_str())
        || (newest.refresh_token.is_some() && refresh != newest.refresh_token.as_deref());
    changed.then_some(newest)
}

/// Writes `newest` back where `connection` came from: `source` is the `--connection` argument
/// (`@FILE`, `@-` or the JSON itself), `None` when the connection did not come from it. `Err`
/// says why they could not be.
pub fn save(connection: &Connection, newest: &TokenSet, source: Option<&str>) -> Result<(), String> {
    let (kind, _, _) = carried(connection).ok_or("the connection's tokens do not rotate")?;
    match source.and_then(|s| s.strip_prefix('@')).filter(|p| *p != "-") {
        Some(path) => write_back(Path::new(path), kind, newest),
        None => Err("the connection was not read from a file".to_string()),
    }
}

/// Keeps the tokens a command rotated, if it did: in their file, else printed on stderr with
/// what to store (see [`save`] for `source`).
pub async fn keep_rotated(instance: &mut Instance, connection: &Connection, source: Option<&str>) {
    let Some(newest) = rotated(instance, connection).await else { return };
    if let Err(why) = save(connection, &newest, source) {
        let store = json!({ "access_token": newest.access_token, "refresh_token": newest.refresh_token });
        err(&format!(
            "okta-connector: warning: the OAuth tokens were renewed and the refresh token rotated, but they could not be saved ({why}). \
             Store these in the connection in place of the old ones (the old refresh token soon stops working): {store}\n"
        ));
    }
}

/// Writes `newest` into the `kind` connection file at `path` (and the files its fields name).
fn write_back(path: &Path, kind: &str, newest: &TokenSet) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let value: Value = serde_json::from_str(&text).map_err(|e| format!("{} is not JSON: {e}", path.display()))?;
    let fields = value
        .get(kind)
        .and_then(Value::as_object)
        .ok_or_else(|| format!("{} holds no {kind} connection", path.display()))?;
    let mut updated = text.clone();
    let mut missing = Vec::new();
    for (name, new) in [("access_token", Some(&newest.access_token)), ("refresh_token", newest.refresh_token.as_ref())]
    {
        let Some(new) = new else { continue };
        match fields.get(name) {
            Some(Value::String(old)) if old == new => {}
            // The JSON text of the old value, replaced where it stands: the rest of the file
            // (order, spacing, other fields) stays as the user wrote it.
            Some(Value::String(old)) => {
                let (old, new) = (Value::String(old.clone()).to_string(), Value::String(new.clone()).to_string());
                if updated.matches(&old).count() != 1 {
                    return Err(format!("{name} appears in {} other than as one plain string", path.display()));
                }
                updated = updated.replacen(&old, &new, 1);
            }
            Some(Value::Object(reference)) => match reference.get("file").and_then(Value::as_str) {
                Some(token_file) => write_private(Path::new(token_file), new.as_bytes())
                    .map_err(|e| format!("cannot write {token_file} (named by {name}): {e}"))?,
                None => return Err(format!("{name} names an environment variable, which a command cannot change")),
            },
            _ => missing.push(name),
        }
    }
    if !missing.is_empty() {
        // Fields the file left out or set to null: added (the file is written anew).
        let mut value = serde_json::from_str::<Value>(&updated).map_err(|e| e.to_string())?;
        for name in missing {
            let token =
                if name == "access_token" { Some(newest.access_token.clone()) } else { newest.refresh_token.clone() };
            value[kind][name] = json!(token);
        }
        updated = serde_json::to_string_pretty(&value).map_err(|e| e.to_string())? + "\n";
    }
    if updated != text {
        write_private(path, updated.as_bytes()).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}

/// Replaces `path` with `bytes` atomically: a new file in the same directory, readable by its
/// owner only, synced, then renamed over it (a crash leaves the old file or the new one, never
/// half of either).
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut nonce = [0u8; 8];
    getrandom::fill(&mut nonce).map_err(|e| std::io::Error::other(e.to_string()))?;
    let hex: String = nonce.iter().map(|b| format!("{b:02x}")).collect();
    let temporary = dir.join(format!(".{name}.{hex}.tmp"));
    let written = (|| {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temporary, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written?;
    // The rename itself is durable once the directory is synced (where that can be done).
    if let Ok(d) = std::fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(access: &str, refresh: &str) -> TokenSet {
        TokenSet {
            access_token: access.into(),
            token_type: "Bearer".into(),
            expires_at: None,
            refresh_token: Some(refresh.into()),
            scope: String::new(),
        }
    }

    fn dir() -> PathBuf {
        let mut n = [0u8; 8];
        getrandom::fill(&mut n).unwrap();
        let d = std::env::temp_dir()
            .join(format!("okta-tokens-{}", n.iter().map(|b| format!("{b:02x}")).collect::<String>()));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn the_file_keeps_its_form_and_gets_the_new_tokens_privately() {
        let d = dir();
        let conn = d.join("conn.json");
        let rt = d.join("rt.txt");
        std::fs::write(&rt, "rt-1\n").unwrap();
        let text = format!(
            "{{\"oauth_code\": {{\"domain\": \"acme.okta.com\", \"client_id\": \"c\", \"client_secret\": {{\"env\": \"S\"}},\n  \"access_token\": \"at-1\", \"refresh_token\": {{\"file\": {}}}, \"scopes\": []}}}}\n",
            Value::String(rt.display().to_string())
        );
        std::fs::write(&conn, &text).unwrap();
        write_back(&conn, "oauth_code", &tokens("at-2", "rt-2")).unwrap();
        assert_eq!(std::fs::read_to_string(&conn).unwrap(), text.replace("at-1", "at-2"), "only the token changed");
        assert_eq!(std::fs::read_to_string(&rt).unwrap(), "rt-2");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            for f in [&conn, &rt] {
                assert_eq!(std::fs::metadata(f).unwrap().permissions().mode() & 0o777, 0o600, "{}", f.display());
            }
        }
        let left: Vec<_> = std::fs::read_dir(&d).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(left.len(), 2, "no temporary file left: {left:?}");
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn what_cannot_be_written_is_said() {
        let d = dir();
        let conn = d.join("conn.json");
        std::fs::write(&conn, r#"{"oauth_code": {"refresh_token": {"env": "RT"}, "access_token": "at-1"}}"#).unwrap();
        assert!(write_back(&conn, "oauth_code", &tokens("at-2", "rt-2")).unwrap_err().contains("environment variable"));
        std::fs::write(&conn, r#"{"api_token": {"token": "x"}}"#).unwrap();
        assert!(write_back(&conn, "oauth_code", &tokens("at-2", "rt-2")).is_err());
        std::fs::write(&conn, r#"{"oauth_code": {"domain": "d", "access_token": null}}"#).unwrap();
        write_back(&conn, "oauth_code", &tokens("at-2", "rt-2")).unwrap();
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&conn).unwrap()).unwrap();
        assert_eq!(
            (v["oauth_code"]["access_token"].as_str(), v["oauth_code"]["refresh_token"].as_str()),
            (Some("at-2"), Some("rt-2"))
        );
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn a_device_connection_gets_its_tokens_and_a_saved_one_is_private() {
        let d = dir();
        let conn = d.join("device.json");
        let saved = json!({"oauth_device": {"domain": "acme.okta.com", "client_id": "0oa1",
            "scopes": ["okta.users.read", "offline_access"], "access_token": "at-1", "refresh_token": "rt-1"}});
        write_private(&conn, (serde_json::to_string_pretty(&saved).unwrap() + "\n").as_bytes()).unwrap();
        assert!(write_back(&conn, "oauth_code", &tokens("at-2", "rt-2")).unwrap_err().contains("no oauth_code"));
        write_back(&conn, "oauth_device", &tokens("at-2", "rt-2")).unwrap();
        let back: Value = serde_json::from_str(&std::fs::read_to_string(&conn).unwrap()).unwrap();
        let mut want = saved.clone();
        want["oauth_device"]["access_token"] = json!("at-2");
        want["oauth_device"]["refresh_token"] = json!("rt-2");
        assert_eq!(back, want);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            assert_eq!(std::fs::metadata(&conn).unwrap().permissions().mode() & 0o777, 0o600);
        }
        assert_eq!(std::fs::read_dir(&d).unwrap().count(), 1, "no temporary file left");
        std::fs::remove_dir_all(&d).unwrap();
    }
}
