//! A list action's items written to stdout page by page, as the component's listing
//! (`listings.open`) reads them: memory stays that of one page however large the org.
//!
//! `Array` writes one JSON array, one item per line; `Lines` writes one item per line (JSON
//! Lines). A listing that fails part-way leaves what was written (an array unclosed) and the
//! command fails with the action's error; a listing that stopped with more to read (the
//! System Log's cap) says on stderr where to continue.

use std::io::Write as _;

use okta_harness::{Connection, Instance, WitError};
use serde_json::value::RawValue;

use super::output::err;
use super::Failure;

/// How the items are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `[` item `,` item ... `]`, one item per line.
    Array,
    /// One item per line.
    Lines,
}

/// How a listing ended.
pub enum Streamed {
    Done,
    /// The action's error (what was read before it has been written).
    Failed(WitError),
}

pub enum StreamError {
    /// Stdout failed or its reader has gone.
    Output(Failure),
    /// The host failed (a trap).
    Host(anyhow::Error),
}

impl From<anyhow::Error> for StreamError {
    fn from(e: anyhow::Error) -> Self {
        StreamError::Host(e)
    }
}

/// Opens a listing of `action` and writes every item to stdout, page by page.
pub async fn listing(
    instance: &mut Instance,
    action: &str,
    connection: &Connection,
    input: &str,
    format: Format,
) -> Result<Streamed, StreamError> {
    let listing = match instance.open_listing(action, connection, input).await? {
        Ok(listing) => listing,
        Err(e) => return Ok(Streamed::Failed(e)),
    };
    let mut out = Writer { stdout: std::io::stdout().lock(), format, items: 0 };
    let ended = loop {
        match instance.next_page(&listing).await? {
            Ok(Some(page)) => out.page(&page)?,
            Ok(None) => break Streamed::Done,
            Err(e) => break Streamed::Failed(e),
        }
    };
    if let Streamed::Done = ended {
        out.finish()?;
        if let Some(cursor) = instance.listing_cursor(&listing).await? {
            err(&format!(
                "{action}: the listing stopped with more to read; continue with \"after\": {}\n",
                serde_json::to_string(&cursor).unwrap_or_default()
            ));
        }
    }
    instance.close_listing(listing).await?;
    Ok(ended)
}

struct Writer<'a> {
    stdout: std::io::StdoutLock<'a>,
    format: Format,
    /// Items written so far.
    items: usize,
}

impl Writer<'_> {
    /// Writes one page's items (a JSON array, as the component returned it) and flushes.
    fn page(&mut self, page: &str) -> Result<(), StreamError> {
        let items: Vec<&RawValue> = serde_json::from_str(page)
            .map_err(|e| StreamError::Host(anyhow::anyhow!("a page of the listing is not a JSON array: {e}")))?;
        let mut text = String::with_capacity(page.len() + 2 * items.len() + 2);
        for item in items {
            // Items are Okta's JSON as sent: one line each, whatever its formatting was.
            let line = one_line(item.get());
            match (self.format, self.items) {
                (Format::Array, 0) => text.push_str("[\n"),
                (Format::Array, _) => text.push_str(",\n"),
                (Format::Lines, 0) => {}
                (Format::Lines, _) => text.push('\n'),
            }
            text.push_str(&line);
            self.items += 1;
        }
        self.write(&text)
    }

    /// Ends the output: the array's `]`, the last line's newline.
    fn finish(&mut self) -> Result<(), StreamError> {
        match (self.format, self.items) {
            (Format::Array, 0) => self.write("[]\n"),
            (Format::Array, _) => self.write("\n]\n"),
            (Format::Lines, 0) => Ok(()),
            (Format::Lines, _) => self.write("\n"),
        }
    }

    fn write(&mut self, text: &str) -> Result<(), StreamError> {
        self.stdout.write_all(text.as_bytes()).and_then(|()| self.stdout.flush()).map_err(|e| {
            StreamError::Output(match e.kind() {
                std::io::ErrorKind::BrokenPipe => Failure::Closed,
                _ => Failure::Host(anyhow::Error::new(e).context("cannot write to standard output")),
            })
        })
    }
}

/// `json` on one line: a line break in JSON text can only be whitespace between tokens (a
/// string cannot hold a raw one), so each becomes a space and nothing else changes.
fn one_line(json: &str) -> std::borrow::Cow<'_, str> {
    if json.contains(['\n', '\r']) {
        json.replace(['\n', '\r'], " ").into()
    } else {
        json.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_go_on_one_line_each() {
        assert_eq!(one_line(r#"{"a":"x\ny"}"#), r#"{"a":"x\ny"}"#, "an escaped line break stays");
        let item = "{\r\n  \"a\": [1,\n 2]\n}";
        let line = one_line(item);
        assert!(!line.contains(['\n', '\r']));
        let parsed: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(parsed, serde_json::from_str::<serde_json::Value>(item).unwrap());
    }
}
