//! Factors: `GET /api/v1/users/{userId}/factors`, `GET/DELETE
//! /api/v1/users/{userId}/factors/{factorId}` (user id only, as every `{userId}` path).

use http::Method;

use super::model::Status;
use super::render::render_factor;
use crate::areas::state::State;
use crate::infra::auth::Scope;
use crate::infra::edge::Endpoint;
use crate::infra::errors::ApiError;
use crate::infra::json::J;
use crate::infra::ratelimit::Bucket;
use crate::infra::routing::{Ctx, HResult, Reply, Routes};

/// Factors share the users bucket (RECORDED-NOTES §3).
const READ: Endpoint = Endpoint::new(Bucket::Users, Scope::UsersRead);
const MANAGE: Endpoint = Endpoint::new(Bucket::Users, Scope::UsersManage);

pub fn routes(r: Routes) -> Routes {
    r.sync1(Method::GET, "/api/v1/users/{id}/factors", READ, factors)
        .sync2(Method::GET, "/api/v1/users/{id}/factors/{factor}", READ, factor)
        .sync2(Method::DELETE, "/api/v1/users/{id}/factors/{factor}", MANAGE, unenroll_factor)
}

fn user_id_only(st: &State, key: &str) -> Result<String, ApiError> {
    st.resolve_user_id_only(key).ok_or_else(|| ApiError::not_found(key, "User"))
}

/// `GET /api/v1/users/{userId}/factors` (id only; not paginated).
pub fn factors(st: &mut State, ctx: &Ctx, key: &str) -> HResult {
    let id = user_id_only(st, key)?;
    let body = st.factors_of(&id).map(|f| render_factor(f, &ctx.origin)).collect();
    Ok(Reply::ok(J::Arr(body)))
}

fn factor_not_found(fid: &str) -> ApiError {
    ApiError::not_found(fid, "UserFactor")
}

/// `GET /api/v1/users/{userId}/factors/{factorId}`.
pub fn factor(st: &mut State, ctx: &Ctx, key: &str, fid: &str) -> HResult {
    let id = user_id_only(st, key)?;
    let f = st.factors_of(&id).find(|f| f.id == fid).ok_or_else(|| factor_not_found(fid))?;
    Ok(Reply::ok(render_factor(f, &ctx.origin)))
}

/// `DELETE /api/v1/users/{userId}/factors/{factorId}` → 204. Not possible for deactivated users
/// (403 E0000038). Unenrolling Okta Verify `push` or `signed_nonce` also removes the related
/// Okta Verify `push`, `signed_nonce` and `token:software:totp` factors.
pub fn unenroll_factor(st: &mut State, ctx: &Ctx, key: &str, fid: &str) -> HResult {
    let id = user_id_only(st, key)?;
    ctx.q_bool("removeRecoveryEnrollment", false)?;
    let f = st.factors_of(&id).find(|f| f.id == fid).cloned().ok_or_else(|| factor_not_found(fid))?;
    if st.user(&id).map(|u| u.status == Status::Deprovisioned).unwrap_or(false) {
        return Err(ApiError::wrong_status());
    }
    let okta_verify = f.provider == "OKTA" && matches!(f.factor_type.as_str(), "push" | "signed_nonce");
    let related = |x: &&crate::areas::users::model::Factor| {
        x.id == f.id
            || (okta_verify
                && x.provider == "OKTA"
                && matches!(x.factor_type.as_str(), "push" | "signed_nonce" | "token:software:totp"))
    };
    let ids: Vec<String> = st.factors_of(&id).filter(related).map(|x| x.id.clone()).collect();
    st.unenroll_factors(&ctx.audit(), &id, &ids);
    Ok(Reply::NoContent)
}
