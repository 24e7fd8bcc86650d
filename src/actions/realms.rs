//! Realms: `GET /api/v1/realms`.

use crate::error::Error;
use crate::inputs::realms::*;
use crate::okta::{Flow, Okta, Page, Paging};

/// List Realms: `GET /api/v1/realms`, paged by `after`/`limit`.
pub fn list(okta: &Okta, input: ListRealmsInput) -> Result<Flow<Page>, Error> {
    Ok(okta
        .get("/api/v1/realms")
        .query("limit", input.limit)
        .query_opt("after", input.after)
        .query_opt("search", input.search)
        .query_opt("sortBy", input.sort_by)
        .query_opt("sortOrder", input.sort_order)
        .send_pages(Paging::new(input.fetch_all)))
}
