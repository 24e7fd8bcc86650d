//! User types: `GET /api/v1/meta/types/user` and `GET /api/v1/meta/types/user/{typeId}`.

use http::Method;

use super::render::render_user_type;
use crate::areas::state::State;
use crate::infra::auth::Scope;
use crate::infra::edge::Endpoint;
use crate::infra::errors::ApiError;
use crate::infra::json::J;
use crate::infra::ratelimit::Bucket;
use crate::infra::routing::{Ctx, HResult, Reply, Routes};

const READ: Endpoint = Endpoint::new(Bucket::Meta, Scope::UserTypesRead);

pub fn routes(r: Routes) -> Routes {
    r.sync0(Method::GET, "/api/v1/meta/types/user", READ, user_types).sync1(
        Method::GET,
        "/api/v1/meta/types/user/{type}",
        READ,
        user_type,
    )
}

/// `GET /api/v1/meta/types/user`: not paginated, no Link header.
pub fn user_types(st: &mut State, ctx: &Ctx) -> HResult {
    Ok(Reply::ok(J::Arr(st.user_types().iter().map(|t| render_user_type(t, &ctx.origin)).collect())))
}

/// `GET /api/v1/meta/types/user/{typeId}`; unknown ids name the type `CVDType`, as Okta does.
pub fn user_type(st: &mut State, ctx: &Ctx, tid: &str) -> HResult {
    let t = st.user_type(tid).ok_or_else(|| ApiError::not_found(tid, "CVDType"))?;
    Ok(Reply::ok(render_user_type(t, &ctx.origin)))
}
