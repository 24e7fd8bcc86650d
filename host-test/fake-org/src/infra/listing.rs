//! One page of a cursor-paged listing, with the `Link` headers Okta rebuilds for it: `after`
//! first, then `limit` (the default written in), then the listing's other parameters in the
//! order the caller gives them. Cursors are the last item's id, remembered per listing kind, so
//! a cursor from another listing or one never handed out is refused (400 E0000029).

use super::errors::ApiError;
use super::paging::{self, CursorKey};
use super::routing::Ctx;
use super::state::State;

/// How a listing pages.
pub struct PageSpec<'a> {
    /// Listing kind; cursors are only valid for the kind that issued them.
    pub kind: String,
    /// Path of the `Link` URLs.
    pub path: String,
    pub default_limit: usize,
    pub max: usize,
    /// Parameters kept in the links after `limit`, in this order.
    pub extra: Vec<(&'a str, String)>,
    /// Descending order (sorted listings).
    pub desc: bool,
    /// No default limit: without `limit` everything is one page and the links carry no `limit`
    /// (policies: `self` is `?type=PASSWORD`).
    pub limit_optional: bool,
}

impl<'a> PageSpec<'a> {
    pub fn new(kind: impl Into<String>, path: impl Into<String>, default_limit: usize, max: usize) -> PageSpec<'a> {
        PageSpec {
            kind: kind.into(),
            path: path.into(),
            default_limit,
            max,
            extra: Vec::new(),
            desc: false,
            limit_optional: false,
        }
    }
}

/// `limit` as Okta parses it for most listings (400 E0000001 for junk or < 1).
pub fn limit(ctx: &Ctx, default: usize, max: usize) -> Result<usize, ApiError> {
    paging::parse_limit(ctx.q("limit"), default, max)
        .map_err(|_| ApiError::validation("limit", ["limit: The limit must be a positive number.".to_string()]))
}

/// The page after the request's `after` cursor, plus its `Link` values (self, and next when
/// more items follow).
pub fn page<T>(
    st: &mut State,
    ctx: &Ctx,
    spec: &PageSpec,
    items: Vec<(CursorKey, T)>,
) -> Result<(Vec<T>, Vec<String>), ApiError> {
    let implicit = spec.limit_optional && ctx.q("limit").is_none();
    let limit = if implicit { usize::MAX } else { limit(ctx, spec.default_limit, spec.max)? };
    let after_raw = ctx.q("after");
    let after = match after_raw {
        Some(a) => {
            Some(st.cursors.get(&(spec.kind.clone(), a.to_string())).cloned().ok_or_else(ApiError::invalid_cursor)?)
        }
        None => None,
    };
    let (page, more) = paging::page(items, after.as_ref(), limit, spec.desc);
    let params = |after: Option<&str>| {
        let mut p: Vec<(&str, String)> = Vec::new();
        if let Some(a) = after {
            p.push(("after", a.to_string()));
        }
        if !implicit {
            p.push(("limit", limit.to_string()));
        }
        p.extend(spec.extra.iter().cloned());
        p
    };
    let mut links = vec![paging::link(&paging::url(&ctx.origin, &spec.path, &params(after_raw)), "self")];
    if more {
        if let Some((key, _)) = page.last() {
            let token = key.id.clone();
            links.push(paging::link(&paging::url(&ctx.origin, &spec.path, &params(Some(&token))), "next"));
            st.cursors.insert((spec.kind.clone(), token), key.clone());
        }
    }
    Ok((page.into_iter().map(|(_, t)| t).collect(), links))
}

/// [`page`] for listings in id order.
pub fn id_page<T>(
    st: &mut State,
    ctx: &Ctx,
    spec: &PageSpec,
    items: Vec<(String, T)>,
) -> Result<(Vec<T>, Vec<String>), ApiError> {
    let keyed = items.into_iter().map(|(id, t)| (CursorKey { val: None, id }, t)).collect();
    page(st, ctx, spec, keyed)
}
