//! Following Okta's `Link: rel="next"` pages. Only `next` is followed, only within the org,
//! never twice to the same URL, and within caps on pages, items and bytes.

use super::client::Okta;
use super::link;
use super::request::{Method, Page, Paging, Request};
use crate::error::Error;
use serde_json::value::RawValue;
use std::collections::HashSet;

impl Okta {
    /// GETs the first page of `request` and, as `paging` says, the pages after it.
    pub(crate) fn paginate(&self, request: &Request, paging: Paging) -> Result<Page, Error> {
        // The JSON array is built as pages arrive: each item is copied once, straight from the
        // response body, and never parsed into a tree.
        let mut items = JsonArray::default();
        let mut seen = HashSet::new();
        let mut url = self.url(request)?;
        let page_size = request.query.iter().find(|(k, _)| k == "limit").and_then(|(_, v)| v.parse::<usize>().ok());
        let mut pages = 0;
        loop {
            let response = self.exchange(&Request { method: Method::Get, ..request.clone() }, url.clone(), false)?;
            pages += 1;
            seen.insert(url);
            let page: Vec<&RawValue> = serde_json::from_slice(&response.body).map_err(|e| {
                Error::UnexpectedResponse(format!(
                    "expected a JSON array of items from Okta ({})",
                    super::errors::json_error(&e)
                ))
            })?;
            let count = page.len();
            for item in &page {
                items.push(item.get());
            }
            if items.len > self.config.max_total_bytes {
                return Err(Error::TooLarge(format!(
                    "the listing is larger than the {} MiB the connector returns at once: turn Fetch All off and page with After (the next cursor of each page)",
                    self.config.max_total_bytes >> 20
                )));
            }
            let next =
                link::next_url(response.header_values("link")).map(|next| self.resolve_next(&next)).transpose()?;
            let Some(next) = next.filter(|n| !seen.contains(n)) else {
                // No next page, or a repeated one (the System Log's caught-up polling page
                // links to itself): the listing is complete.
                let resume = if paging.stop_on_empty { self.resume_cursor(&response) } else { None };
                return Ok(Page { items: items.finish(), next_cursor: resume, capped: false });
            };
            let cursor = link::after_cursor(&next);
            let done = !paging.fetch_all || (paging.stop_on_empty && count == 0);
            let capped = paging.max_items.is_some_and(|max| items.count + page_size.unwrap_or(count).max(1) > max);
            if done || capped {
                return Ok(Page { items: items.finish(), next_cursor: cursor, capped: capped && !done });
            }
            if pages >= self.config.max_pages {
                return Err(Error::TooLarge(format!(
                    "the listing goes on past {} pages: turn Fetch All off and page with After",
                    self.config.max_pages
                )));
            }
            url = next;
        }
    }

    /// A `next` link as an absolute URL on this org; a link to anywhere else is refused, since
    /// following it would send the org's credentials there.
    fn resolve_next(&self, next: &str) -> Result<String, Error> {
        let refuse = || {
            Error::UnexpectedResponse(
                "Okta's next-page link points outside the org; it was not followed (the items so far were not returned)"
                    .into(),
            )
        };
        if next.starts_with('/') && !next.starts_with("//") {
            return Ok(format!("{}{next}", self.origin().base()));
        }
        let uri: http::Uri = next.parse().map_err(|_| refuse())?;
        match (uri.scheme_str(), uri.authority()) {
            (Some(scheme), Some(auth)) if self.origin().same_org(scheme, auth.as_str()) => Ok(next.to_string()),
            _ => Err(refuse()),
        }
    }

    /// Where a stream that stopped at an empty page resumes: its own `next` (the System Log
    /// answers a caught-up page with `next` = `self`).
    fn resume_cursor(&self, response: &super::transport::HttpResponse) -> Option<String> {
        link::next_url(response.header_values("link")).and_then(|n| link::after_cursor(&n))
    }
}

/// A JSON array written item by item. Items go into chunks of about 1 MiB; `finish` copies
/// them once into a string of the exact size. A single growing string would double its
/// capacity as it grows and, with the copies that makes, peak at several times the result.
#[derive(Default)]
pub struct JsonArray {
    chunks: Vec<String>,
    /// Bytes so far, commas included.
    pub len: usize,
    /// Items so far.
    pub count: usize,
}

const CHUNK: usize = 1 << 20;

impl JsonArray {
    pub fn push(&mut self, item: &str) {
        if self.chunks.last().is_none_or(|c| c.len() + item.len() + 1 > CHUNK && !c.is_empty()) {
            self.chunks.push(String::with_capacity(CHUNK.max(item.len() + 1)));
        }
        let Some(chunk) = self.chunks.last_mut() else { return };
        if self.len > 0 {
            chunk.push(',');
            self.len += 1;
        }
        chunk.push_str(item);
        self.len += item.len();
        self.count += 1;
    }

    pub fn finish(self) -> String {
        let mut out = String::with_capacity(self.len + 2);
        out.push('[');
        for chunk in self.chunks {
            out.push_str(&chunk);
        }
        out.push(']');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::okta::auth::{Auth, Secret};
    use crate::okta::config::Config;
    use crate::okta::domain;

    #[test]
    fn json_arrays_are_built_item_by_item() {
        assert_eq!(JsonArray::default().finish(), "[]");
        let mut a = JsonArray::default();
        a.push(r#"{"id":"1"}"#);
        a.push("2");
        assert_eq!(a.count, 2);
        assert_eq!(a.finish(), r#"[{"id":"1"},2]"#);

        // Across chunk boundaries, and an item larger than a chunk.
        let items: Vec<String> = (0..5000)
            .map(|i| format!(r#"{{"id":"{i}","pad":"{}"}}"#, "x".repeat(i % 700)))
            .chain(std::iter::once(format!(r#""{}""#, "y".repeat(CHUNK + 10))))
            .collect();
        let mut a = JsonArray::default();
        items.iter().for_each(|i| a.push(i));
        let text = a.finish();
        assert_eq!(text.len(), text.capacity(), "allocated once, exactly");
        assert_eq!(text, format!("[{}]", items.join(",")));
    }

    fn okta(domain: &str) -> Okta {
        Okta::with_config(domain::parse(domain).unwrap(), Auth::ApiToken(Secret::new("x")), Config::default())
    }

    #[test]
    fn next_links_must_stay_in_the_org() {
        let o = okta("acme.okta.com");
        assert!(o.resolve_next("https://acme.okta.com/api/v1/users?after=1").is_ok());
        assert!(o.resolve_next("https://acme-admin.okta.com/api/v1/users?after=1").is_ok());
        assert!(o.resolve_next("https://evil.example.com/api/v1/users?after=1").is_err());
        assert!(o.resolve_next("http://acme.okta.com/api/v1/users?after=1").is_err());
        assert!(o.resolve_next("//evil.example.com/api/v1/users").is_err());
        assert_eq!(
            o.resolve_next("/api/v1/users?after=1").unwrap(),
            "https://acme.okta.com/api/v1/users?after=1",
            "a relative link is on the org"
        );
        // On a custom domain the `-admin` host may belong to someone else.
        let custom = okta("login.example.com");
        assert!(custom.resolve_next("https://login-admin.example.com/api/v1/users?after=1").is_err());
    }
}
