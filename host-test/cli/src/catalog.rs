//! The component's catalog as the command line uses it: finding an action, trigger or
//! connection kind by id (an unknown id is a usage error naming the nearest ones), and the
//! values of a run's inputs that the catalog marks secret.

use serde_json::Value;

use okta_harness::{Backend, Connector};

use super::{usage, Failure};

/// What an id names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Action,
    Trigger,
    Connection,
}

impl Kind {
    fn section(self) -> &'static str {
        match self {
            Kind::Action => "actions",
            Kind::Trigger => "triggers",
            Kind::Connection => "connections",
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Kind::Action => "action",
            Kind::Trigger => "trigger",
            Kind::Connection => "connection kind",
        }
    }
}

/// `describe()`'s document.
pub struct Catalog(Value);

impl Catalog {
    /// Asks the component (describing sends nothing: a script with no steps fails any request).
    pub async fn of(connector: &Connector) -> anyhow::Result<Catalog> {
        let mut instance = connector.instantiate(Backend::Scripted(Vec::new())).await?;
        Ok(Catalog(instance.describe_json().await?))
    }

    /// The entries of one kind, in catalog order.
    pub fn entries(&self, kind: Kind) -> &[Value] {
        self.0.get(kind.section()).and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default()
    }

    /// The entry `id` names among `kinds`, or a usage error naming the nearest ids.
    pub fn find(&self, id: &str, kinds: &[Kind]) -> Result<(Kind, &Value), Failure> {
        for kind in kinds {
            if let Some(entry) = self.entries(*kind).iter().find(|e| e["id"] == id) {
                return Ok((*kind, entry));
            }
        }
        let ids: Vec<&str> = kinds.iter().flat_map(|k| self.entries(*k)).filter_map(|e| e["id"].as_str()).collect();
        let nouns = match kinds.iter().map(|k| k.noun()).collect::<Vec<_>>().as_slice() {
            [one] => one.to_string(),
            [first @ .., last] => format!("{} or {last}", first.join(", ")),
            [] => "id".to_string(),
        };
        let shown: String = id.chars().take(64).collect();
        let nearest = nearest(id, &ids);
        let hint = if nearest.is_empty() {
            format!("the ids are: {}", ids.join(", "))
        } else {
            format!("did you mean {}?", nearest.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(" or "))
        };
        Err(usage(format!("unknown {nouns} `{shown}`: {hint}")))
    }

    /// The values in `input` of the fields the catalog marks secret (`writeOnly`) for `id`.
    pub fn input_secrets(&self, id: &str, input: &Value) -> Vec<String> {
        let Ok((_, entry)) = self.find(id, &[Kind::Action, Kind::Trigger]) else { return Vec::new() };
        let Some(props) = entry["input_schema"]["properties"].as_object() else { return Vec::new() };
        props
            .iter()
            .filter(|(_, p)| p["writeOnly"] == true)
            .filter_map(|(name, _)| input.get(name).and_then(Value::as_str).map(str::to_string))
            .collect()
    }
}

/// The ids closest to `id` by edit distance (`strsim`, which clap already uses for its own
/// suggestions), at most three, within a third of the id's length.
fn nearest<'a>(id: &str, ids: &[&'a str]) -> Vec<&'a str> {
    let limit = (id.chars().count() / 3).max(2);
    let mut scored: Vec<(usize, &str)> =
        ids.iter().map(|c| (strsim::levenshtein(id, c), *c)).filter(|(d, _)| *d <= limit).collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, c)| c).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nearest_ids_are_suggested() {
        let ids = ["users.list", "users.get", "groups.list", "users.list-types"];
        assert_eq!(nearest("users.lst", &ids)[0], "users.list", "the nearest first");
        assert_eq!(nearest("user.get", &ids), ["users.get"]);
        assert!(nearest("zzzzzzzz", &ids).is_empty());
    }
}
