//! One page of a cursor-paged listing, with the `Link` headers Okta rebuilds for it: `after`
//! first, then `limit` (the default written in), then the listing's other parameters in the
//! order the caller gives them. Cursors are the last item's id, remembered per listing kind, so
//! a cursor from another listing or one never handed out is refused (400 E0000029).

use super::errors::ApiError;
use super::paging::{self, CursorKey};
use super::routing::Ctx;
use crate::areas::state::State;

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

    /// Keeps these parameters in the links, in this order, those the request has.
    pub fn keep(&mut self, params: impl IntoIterator<Item = (&'a str, Option<&'a str>)>) {
        self.extra.extend(params.into_iter().filter_map(|(k, v)| v.map(|v| (k, v.to_string()))));
    }
}

/// `sortBy` and `sortOrder` of a sorted listing (users, groups, realms).
#[derive(Clone, Copy, Debug)]
pub struct Sort<'a> {
    /// The attribute to sort by.
    pub by: Option<&'a str>,
    /// `asc` or `desc` as sent (any case); only with an attribute. Anything else is dropped
    /// from the links, as Okta drops `sortOrder=0`.
    pub order: Option<&'a str>,
    pub desc: bool,
}

impl<'a> Sort<'a> {
    /// The request's sort. `applies`: false where Okta ignores both parameters (users and
    /// groups without `search`); an attribute `valid` refuses is 400 E0000031.
    pub fn parse(ctx: &'a Ctx, applies: bool, valid: impl Fn(&str) -> bool) -> Result<Sort<'a>, ApiError> {
        let by = ctx.q("sortBy").filter(|s| applies && !s.is_empty());
        if by.is_some_and(|attr| !valid(attr)) {
            return Err(ApiError::invalid_search());
        }
        let order =
            by.and(ctx.q("sortOrder")).filter(|o| o.eq_ignore_ascii_case("asc") || o.eq_ignore_ascii_case("desc"));
        Ok(Sort { by, order, desc: order.is_some_and(|o| o.eq_ignore_ascii_case("desc")) })
    }

    /// `asc` or `desc`, for listing kinds.
    pub fn direction(&self) -> &'static str {
        if self.desc {
            "desc"
        } else {
            "asc"
        }
    }
}

/// `limit` as Okta parses it for most listings (400 E0000001 for junk or < 1).
pub fn limit(ctx: &Ctx, default: usize, max: usize) -> Result<usize, ApiError> {
    paging::parse_limit(ctx.q("limit"), default, max)
        .map_err(|_| ApiError::validation("limit", ["limit: The limit must be a positive number.".to_string()]))
}

/// Where the request's `after` cursor points in a listing of this kind (400 E0000029 for a
/// cursor never handed out for it).
pub fn cursor(st: &State, ctx: &Ctx, kind: &str) -> Result<Option<CursorKey>, ApiError> {
    match ctx.q("after") {
        Some(a) => {
            st.cursors.get(&(kind.to_string(), a.to_string())).cloned().map(Some).ok_or_else(ApiError::invalid_cursor)
        }
        None => Ok(None),
    }
}

/// The `Link` values of a page: `self` with the request's cursor, and `next` with `token` when
/// more items follow (the token is remembered for the listing kind). `limit`: `None` when the
/// links carry none.
pub fn links(
    st: &mut State,
    ctx: &Ctx,
    spec: &PageSpec,
    limit: Option<usize>,
    next: Option<(String, CursorKey)>,
) -> Vec<String> {
    let params = |after: Option<&str>| {
        let mut p: Vec<(&str, String)> = Vec::new();
        if let Some(a) = after {
            p.push(("after", a.to_string()));
        }
        if let Some(l) = limit {
            p.push(("limit", l.to_string()));
        }
        p.extend(spec.extra.iter().cloned());
        p
    };
    let mut links = vec![paging::link(&paging::url(&ctx.origin, &spec.path, &params(ctx.q("after"))), "self")];
    if let Some((token, key)) = next {
        links.push(paging::link(&paging::url(&ctx.origin, &spec.path, &params(Some(&token))), "next"));
        st.cursors.insert((spec.kind.clone(), token), key);
    }
    links
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
    let after = cursor(st, ctx, &spec.kind)?;
    let (page, more) = paging::page(items, after.as_ref(), limit, spec.desc);
    let next = page.last().filter(|_| more).map(|(key, _)| (key.id.clone(), key.clone()));
    let links = links(st, ctx, spec, (!implicit).then_some(limit), next);
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
