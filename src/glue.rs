//! What every export does around its action, written once: read the input (typed or JSON),
//! connect, let the action describe its requests, run them on the core, and scrub every secret
//! of the connection and the input from an error; for `invoke`, write the result as JSON
//! ([`InvokeOutput`]). The per-action calls into these functions, and each output record's
//! [`InvokeOutput`], are generated from the WIT by `build.rs`.

use crate::bindings::okta::connector::types::{Connection, Error as WitError};
use crate::connection::{self, Session};
use crate::error::Error;
use crate::input::{Input, NoInput};
use crate::okta::{Flow, Okta};

/// An action: builds the flow of requests for one input.
pub type Action<I, T> = fn(&Okta, I) -> Result<Flow<T>, Error>;
/// An action without input.
pub type Action0<T> = fn(&Okta) -> Result<Flow<T>, Error>;

/// A typed export.
pub fn typed<I: Input, T: 'static, O: From<T>>(
    connection: Connection,
    wit: I::Wit,
    action: Action<I, T>,
) -> Result<O, WitError> {
    run(&connection, I::from_wit(wit), action).map(O::from).map_err(WitError::from)
}

/// A typed export without input.
pub fn typed0<T: 'static, O: From<T>>(connection: Connection, action: Action0<T>) -> Result<O, WitError> {
    run(&connection, Ok(NoInput), move |okta, NoInput| action(okta)).map(O::from).map_err(WitError::from)
}

/// `invoke` of an action: JSON in, the typed export's result as JSON out.
pub fn invoke<I: Input, T: 'static, O: From<T> + InvokeOutput>(
    connection: Connection,
    input: &str,
    action: Action<I, T>,
) -> Result<String, WitError> {
    run(&connection, I::from_json(input), action).map(|t| O::from(t).into_json()).map_err(WitError::from)
}

/// `invoke` of an action without input.
pub fn invoke0<T: 'static, O: From<T> + InvokeOutput>(
    connection: Connection,
    input: &str,
    action: Action0<T>,
) -> Result<String, WitError> {
    run(&connection, NoInput::from_json(input), move |okta, NoInput| action(okta))
        .map(|t| O::from(t).into_json())
        .map_err(WitError::from)
}

fn run<I: Input, T: 'static>(
    connection: &Connection,
    input: Result<I, Error>,
    action: impl FnOnce(&Okta, I) -> Result<Flow<T>, Error>,
) -> Result<T, Error> {
    let input = input.map_err(|e| e.scrub(&connection::secrets(connection)))?;
    let session = Session::open(connection, input.secrets())?;
    session.run(action(&session.okta, input))
}

/// What an action's result looks like through `invoke`.
pub trait InvokeOutput {
    fn into_json(self) -> String;
}

impl InvokeOutput for String {
    fn into_json(self) -> String {
        self
    }
}

impl InvokeOutput for () {
    fn into_json(self) -> String {
        "{}".to_string()
    }
}

/// Writes a JSON object from already-serialised values, sized exactly: `items` can be tens of
/// megabytes, and `format!` would grow by doubling. (Called by the generated output impls.)
pub fn object(fields: &[(&str, &str)]) -> String {
    let len = (fields.iter().map(|(k, v)| k.len() + v.len() + 4).sum::<usize>() + 1).max(2);
    let mut out = String::with_capacity(len);
    out.push('{');
    for (i, (k, v)) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('"');
        out.push_str(k);
        out.push_str("\":");
        out.push_str(v);
    }
    out.push('}');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_are_sized_exactly() {
        let o = object(&[("items", "[1,2]"), ("next_cursor", "null")]);
        assert_eq!(o, r#"{"items":[1,2],"next_cursor":null}"#);
        assert_eq!(o.len(), o.capacity());
    }
}
