//! Action inputs, as the actions see them. `build.rs` generates one Rust type per WIT record
//! an input reaches (in [`crate::inputs`], nested records included) with every `Default:` of
//! the WIT applied, every `Range:` checked, closed sets read as their WIT `enum`, blank text
//! treated as absent and `json` fields parsed — one check, whichever door the input came
//! through: a typed export (the WIT record, turned into the raw form first) or `invoke` (a
//! JSON object). The helpers here are what that generated code calls.

use crate::error::Error;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// A generated record type: an input, or a record inside one.
pub trait InputRecord: Sized {
    /// The WIT record (the typed export's argument).
    type Wit;
    /// The `invoke` form: the same fields, JSON-typed, before defaults and checks.
    type Raw;
    fn raw_from_wit(wit: Self::Wit) -> Self::Raw;
    /// Reads the raw form from JSON, field by field (generated, so no per-type deserializer
    /// is linked): an object of this record's fields, nulls counting as absent, each error
    /// naming the field by its path.
    fn raw_from_json(value: Value, at: &str) -> Result<Self::Raw, Error>;
    /// Applies defaults and checks; errors name the field by its path in the input, `at`
    /// (`hash_password.`) followed by the field's name.
    fn resolve_at(raw: Self::Raw, at: &str) -> Result<Self, Error>;
    /// The values of fields marked `Secret.` (to scrub from errors).
    fn secrets(&self) -> Vec<String>;
}

/// A generated input type: the record an action or trigger takes.
pub trait Input: InputRecord {
    fn from_wit(wit: Self::Wit) -> Result<Self, Error> {
        Self::resolve_at(Self::raw_from_wit(wit), "")
    }

    /// Reads `invoke`'s JSON text: an object keyed by the fields' snake_case names.
    fn from_json(text: &str) -> Result<Self, Error> {
        Self::resolve_at(Self::raw_from_json(input_value(text)?, "")?, "")
    }
}

/// A closed set: a WIT `enum` and the values Okta spells for its cases (what `invoke`'s JSON
/// takes and the catalog lists). Implemented by the generated code.
pub trait Closed: Sized + Copy + PartialEq + 'static {
    /// Each value with its case, in WIT order.
    const VALUES: &'static [(&'static str, Self)];

    /// The value Okta is sent for this case.
    fn value(self) -> &'static str {
        Self::VALUES.iter().find(|(_, case)| *case == self).map(|(value, _)| *value).unwrap_or_default()
    }

    /// The case for `text`, matched without regard to case; an error naming `field` and the
    /// accepted values otherwise.
    fn parse(field: &str, text: &str) -> Result<Self, Error> {
        let text = text.trim();
        match Self::VALUES.iter().find(|(value, _)| value.eq_ignore_ascii_case(text)) {
            Some((_, case)) => Ok(*case),
            None => {
                let values: Vec<&str> = Self::VALUES.iter().map(|(v, _)| *v).collect();
                Err(Error::input(field, format!("must be one of: {}", values.join(", "))))
            }
        }
    }
}

/// The input of an action that takes none.
pub struct NoInput;

impl InputRecord for NoInput {
    type Wit = ();
    type Raw = ();
    fn raw_from_wit(_: ()) {}
    fn raw_from_json(value: Value, at: &str) -> Result<(), Error> {
        Fields::of(value, at, &[]).map(|_| ())
    }
    fn resolve_at(_: (), _: &str) -> Result<NoInput, Error> {
        Ok(NoInput)
    }
    fn secrets(&self) -> Vec<String> {
        Vec::new()
    }
}

impl Input for NoInput {}

/// `invoke`'s input text as JSON: blank text is an empty object.
fn input_value(text: &str) -> Result<Value, Error> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(Value::Object(Map::new()));
    }
    serde_json::from_str(text)
        .map_err(|e| Error::input("input", format!("is not valid JSON (line {}, column {})", e.line(), e.column())))
}

/// A JSON object being read into a record's raw form, one field at a time. Every error names
/// the field by its path in the input and never repeats its value (it may be a password).
pub struct Fields<'a> {
    object: Map<String, Value>,
    at: &'a str,
}

impl<'a> Fields<'a> {
    /// `value` as the record at `at` (`""` for the input itself): an object whose keys are all
    /// among `names`; `null` (for the whole input or a field) counts as absent.
    pub fn of(value: Value, at: &'a str, names: &[&str]) -> Result<Fields<'a>, Error> {
        let object = match value {
            Value::Object(o) => o,
            Value::Null => Map::new(),
            _ if at.is_empty() => return Err(Error::input("input", "must be a JSON object")),
            _ => return Err(Error::input(at.trim_end_matches('.'), "must be a JSON object")),
        };
        if let Some(unknown) = object.keys().find(|k| !names.contains(&k.as_str())) {
            let known = if names.is_empty() { "none".to_string() } else { names.join(", ") };
            let what = if at.is_empty() { "an input of this action (inputs" } else { "a field of this record (fields" };
            return Err(Error::input(&format!("{at}{}", cut(unknown, 64)), format!("is not {what}: {known})")));
        }
        Ok(Fields { object: object.into_iter().filter(|(_, v)| !v.is_null()).collect(), at })
    }

    fn path(&self, name: &str) -> String {
        format!("{}{name}", self.at)
    }

    fn take(&mut self, name: &str) -> Option<Value> {
        self.object.remove(name)
    }

    fn read<T: DeserializeOwned + Expected>(&self, name: &str, value: Value) -> Result<T, Error> {
        // serde's own message would quote the value (it may be a password), so the message
        // says what was expected instead.
        serde_json::from_value(value)
            .map_err(|_| Error::input(&self.path(name), format!("has the wrong type: expected {}", T::EXPECTED)))
    }

    /// A field that must be present.
    pub fn required<T: DeserializeOwned + Expected>(&mut self, name: &str) -> Result<T, Error> {
        let value = self.take(name).ok_or_else(|| Error::input(&self.path(name), "is required"))?;
        self.read(name, value)
    }

    /// A field that may be absent.
    pub fn optional<T: DeserializeOwned + Expected>(&mut self, name: &str) -> Result<Option<T>, Error> {
        self.take(name).map(|v| self.read(name, v)).transpose()
    }

    /// A record that must be present, read as `R` reads itself.
    pub fn required_record<R: InputRecord>(&mut self, name: &str) -> Result<R::Raw, Error> {
        let value = self.take(name).ok_or_else(|| Error::input(&self.path(name), "is required"))?;
        R::raw_from_json(value, &format!("{}.", self.path(name)))
    }

    /// A record that may be absent.
    pub fn optional_record<R: InputRecord>(&mut self, name: &str) -> Result<Option<R::Raw>, Error> {
        let path = format!("{}.", self.path(name));
        self.take(name).map(|v| R::raw_from_json(v, &path)).transpose()
    }

    /// A list of records that may be absent, each named by its index (`headers[2].key`).
    pub fn optional_records<R: InputRecord>(&mut self, name: &str) -> Result<Option<Vec<R::Raw>>, Error> {
        let Some(value) = self.take(name) else { return Ok(None) };
        let Value::Array(items) = value else {
            return Err(Error::input(&self.path(name), "has the wrong type: expected a list"));
        };
        let base = self.path(name);
        items
            .into_iter()
            .enumerate()
            .map(|(i, v)| R::raw_from_json(v, &format!("{base}[{i}].")))
            .collect::<Result<_, _>>()
            .map(Some)
    }

    /// A list of records that must be present.
    pub fn required_records<R: InputRecord>(&mut self, name: &str) -> Result<Vec<R::Raw>, Error> {
        self.optional_records::<R>(name)?.ok_or_else(|| Error::input(&self.path(name), "is required"))
    }
}

/// What a field of this type takes, in an error's words.
pub trait Expected {
    const EXPECTED: &'static str;
}

macro_rules! expected {
    ($($ty:ty => $what:literal),* $(,)?) => { $(impl Expected for $ty { const EXPECTED: &'static str = $what; })* };
}

expected! {
    String => "a string",
    bool => "a boolean",
    u16 => "a whole number from 0 to 65535",
    u32 => "a whole number from 0 to 4294967295",
    u64 => "a whole number from 0 up",
    i64 => "a whole number",
    Value => "JSON",
    Vec<String> => "a list of strings",
}

fn cut(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

// ---- called by the generated `resolve` ---------------------------------------------------------

/// A required text: present and not blank. Trimmed, unless it is a secret.
pub fn required_text(field: &str, value: String, secret: bool) -> Result<String, Error> {
    if value.trim().is_empty() {
        return Err(Error::input(field, "is required and must not be empty"));
    }
    Ok(if secret { value } else { value.trim().to_string() })
}

/// An optional text: blank counts as absent. Trimmed, unless it is a secret.
pub fn optional_text(value: Option<String>, secret: bool) -> Option<String> {
    let value = value?;
    if value.trim().is_empty() {
        return None;
    }
    Some(if secret { value } else { value.trim().to_string() })
}

/// A field's path in the input: `at` (the records it is nested in, `hash_password.`) and its
/// name.
pub fn at_path(at: &str, name: &str) -> String {
    format!("{at}{name}")
}

/// A closed-set value as `invoke`'s JSON spells it (the typed door's way into the one check).
pub fn closed_text<C: Closed>(case: C) -> String {
    case.value().to_string()
}

/// An optional closed-set value: blank counts as absent.
pub fn optional_closed<C: Closed>(field: &str, value: Option<String>) -> Result<Option<C>, Error> {
    match value {
        Some(text) if !text.trim().is_empty() => C::parse(field, &text).map(Some),
        _ => Ok(None),
    }
}

/// A number within the WIT's `Range:`.
pub fn in_range<N: Into<u64> + Copy>(field: &str, value: N, min: u64, max: u64) -> Result<N, Error> {
    let n: u64 = value.into();
    if n < min || n > max {
        return Err(Error::input(field, format!("must be between {min} and {max}, got {n}")));
    }
    Ok(value)
}

/// A `json` input: a JSON value, or JSON text in a string (blank or `null` counts as absent).
pub fn json_value(field: &str, value: Option<Value>) -> Result<Option<Value>, Error> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) if text.trim().is_empty() => Ok(None),
        Some(Value::String(text)) => match serde_json::from_str(&text) {
            Ok(Value::Null) => Ok(None),
            Ok(v) => Ok(Some(v)),
            Err(e) => Err(Error::input(field, format!("is not valid JSON (line {}, column {})", e.line(), e.column()))),
        },
        Some(other) => Ok(Some(other)),
    }
}

/// A `json` input that also takes text: JSON text is parsed, other text kept as a string.
pub fn json_or_text(value: Option<Value>) -> Option<Value> {
    match value {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) if text.is_empty() => None,
        Some(Value::String(text)) => match serde_json::from_str(&text) {
            Ok(Value::Null) => None,
            Ok(v) => Some(v),
            Err(_) => Some(Value::String(text)),
        },
        Some(other) => Some(other),
    }
}

/// A required `json` input.
pub fn required_json(field: &str, value: Value) -> Result<Value, Error> {
    json_value(field, Some(value))?.ok_or_else(|| Error::input(field, "is required"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inputs::raw::RawRequestInput;
    use crate::inputs::users::{CreateUserInput, ListUsersInput};
    use proptest::prelude::*;

    fn field_error(e: Error) -> (String, String) {
        match e {
            Error::InvalidInput { field, message } => (field, message),
            other => panic!("expected invalid-input, got {other:?}"),
        }
    }

    #[test]
    fn defaults_apply_through_json() {
        let input =
            CreateUserInput::from_json(r#"{"login":" a@example.com ","profile_extra_attributes":{"costCenter":"10"}}"#)
                .unwrap();
        assert_eq!(input.login, "a@example.com");
        assert_eq!(input.profile_extra_attributes, Some(serde_json::json!({"costCenter": "10"})));
        assert!(input.activate, "Default: `true`");
        assert_eq!(input.locale, "en_US");
        assert_eq!(input.group_ids, None);
        let listed = ListUsersInput::from_json("{}").unwrap();
        assert_eq!((listed.limit, listed.fetch_all), (200, false));
        let blank = ListUsersInput::from_json(r#"{"search":"  ","sort_order":"DESC"}"#).unwrap();
        assert_eq!((blank.search, blank.sort_order.map(|s| s.to_string())), (None, Some("desc".to_string())));
    }

    #[test]
    fn errors_name_the_field_and_never_the_value() {
        let cases = [
            (r#"{"activate":true}"#, "login", "is required"),
            (r#"{"login":null}"#, "login", "is required"),
            (r#"{"login":"  "}"#, "login", "is required and must not be empty"),
            (r#"{"login":"a","actvate":false}"#, "actvate", "is not an input"),
            (r#"{"login":"a","activate":"yes"}"#, "activate", "has the wrong type: expected a boolean"),
            (r#"{"login":"a","password":123456789}"#, "password", "has the wrong type"),
            (r#"["login"]"#, "input", "must be a JSON object"),
            (r#"{"login":"#, "input", "is not valid JSON"),
            (r#"{"login":"a","profile_extra_attributes":"{oops"}"#, "profile_extra_attributes", "is not valid JSON"),
        ];
        for (json, field, message) in cases {
            let (f, m) = field_error(CreateUserInput::from_json(json).map(|_| ()).unwrap_err());
            assert_eq!(f, field, "{json}");
            assert!(m.contains(message), "{json}: {m}");
            assert!(!m.contains("123456789") && !m.contains("yes"), "{json}: the value was echoed: {m}");
        }
    }

    #[test]
    fn ranges_and_enumerations() {
        let (f, m) = field_error(ListUsersInput::from_json(r#"{"limit":0}"#).map(|_| ()).unwrap_err());
        assert_eq!((f.as_str(), m.as_str()), ("limit", "must be between 1 and 200, got 0"));
        let (f, _) = field_error(ListUsersInput::from_json(r#"{"limit":-1}"#).map(|_| ()).unwrap_err());
        assert_eq!(f, "limit");
        let (f, m) = field_error(ListUsersInput::from_json(r#"{"sort_order":"up"}"#).map(|_| ()).unwrap_err());
        assert_eq!((f.as_str(), m.as_str()), ("sort_order", "must be one of: asc, desc"));
        let (f, _) = field_error(
            ListUsersInput::from_json(r#"{"extra_parameters":[{"key":"expand","value":3}]}"#).map(|_| ()).unwrap_err(),
        );
        assert_eq!(f, "extra_parameters[0].value");
    }

    #[test]
    fn secrets_are_listed() {
        let input = CreateUserInput::from_json(r#"{"login":"a","password":" pass word "}"#).unwrap();
        assert_eq!(input.password.as_deref(), Some(" pass word "), "secrets are not trimmed");
        assert_eq!(input.secrets(), vec![" pass word ".to_string()]);
    }

    #[test]
    fn empty_input_is_an_empty_object() {
        for text in ["", "null", "{}"] {
            assert!(NoInput::from_json(text).is_ok());
        }
        assert!(NoInput::from_json(r#"{"x":1}"#).is_err());
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        #[test]
        fn inputs_never_panic(text in ".{0,400}") {
            let _ = CreateUserInput::from_json(&text);
            let _ = ListUsersInput::from_json(&text);
            let _ = RawRequestInput::from_json(&text);
        }

        #[test]
        fn input_errors_name_a_field_and_never_echo_a_password(password in "[A-Za-z0-9]{12,30}", kind in 0u8..4) {
            let value = match kind {
                0 => serde_json::json!(password.len()),
                1 => serde_json::json!([password]),
                2 => serde_json::json!({ "value": password }),
                _ => serde_json::json!(password.len() % 2 == 0),
            };
            let input = serde_json::json!({ "login": "a@example.com", "password": value });
            match CreateUserInput::from_json(&input.to_string()) {
                Err(Error::InvalidInput { field, message }) => {
                    prop_assert_eq!(field, "password");
                    prop_assert!(!message.contains(&password));
                }
                other => prop_assert!(false, "expected an input error, got {:?}", other.map(|_| ())),
            }
        }
    }
}
