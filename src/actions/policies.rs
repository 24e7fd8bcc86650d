//! Policies: `GET /api/v1/policies`.

use crate::error::Error;
use crate::inputs::policies::*;
use crate::okta::{Flow, Okta, Page, Paging};

/// List Policies: `GET /api/v1/policies?type=` (Okta requires `type`: the input makes it
/// required, so a request without it is never sent), paged by `after`/`limit`.
pub fn list(okta: &Okta, input: ListPoliciesInput) -> Result<Flow<Page>, Error> {
    Ok(okta
        .get("/api/v1/policies")
        .query("type", input.type_)
        .query_opt("status", input.status)
        .query_opt("q", input.q)
        .query_opt("expand", input.expand)
        .query_opt("sortBy", input.sort_by)
        .query("limit", input.limit)
        .query_opt("after", input.after)
        .query_opt("resourceId", input.resource_id)
        .send_pages(Paging::new(input.fetch_all)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Input;

    #[test]
    fn type_is_required_and_checked() {
        let e = ListPoliciesInput::from_json("{}").map(|_| ()).unwrap_err();
        assert_eq!(e, Error::input("type", "is required"));
        let e = ListPoliciesInput::from_json(r#"{"type":"SIGN_ON"}"#).map(|_| ()).unwrap_err();
        assert!(matches!(e, Error::InvalidInput { ref field, .. } if field == "type"));
        assert_eq!(ListPoliciesInput::from_json(r#"{"type":"password"}"#).unwrap().type_.to_string(), "PASSWORD");
    }
}
