//! Claim checks run after the signature verified (RFC 7519 §4.1, §7.2; RFC 9068 §2.2, §4).
//!
//! Until the signature is verified only the `iss` claim is read (to pick the issuer's keys);
//! every claim-specific error kind below is therefore reported for authentic tokens only
//! (battery G13; golang-jwt CVE-2024-51744).

use serde_json::{Map, Value};

use super::audience::Audience;
use crate::error::{VerifyError, VerifyErrorKind};

fn error(kind: VerifyErrorKind, detail: &'static str) -> VerifyError {
    VerifyError::new(kind).with_detail(detail)
}

/// A NumericDate (RFC 7519 §2): any JSON number, integer or not. `None` when absent.
fn numeric_date(claims: &Map<String, Value>, name: &str) -> Result<Option<f64>, VerifyError> {
    match claims.get(name) {
        None => Ok(None),
        Some(Value::Number(n)) => n
            .as_f64()
            .map(Some)
            .ok_or_else(|| error(VerifyErrorKind::InvalidClaims, "time claim out of range")),
        // A present claim of the wrong type is never treated as absent (GHSA-h395-gr6q-cpjc).
        Some(_) => Err(error(
            VerifyErrorKind::InvalidClaims,
            "time claims must be numbers",
        )),
    }
}

/// Checks `exp` (required), `nbf` and `iat`, with `leeway` seconds of clock skew, and returns
/// the expiry in whole seconds.
///
/// * accept iff `now < exp + leeway` (RFC 7519 §4.1.4: the current time must be *before*
///   `exp`, so `exp == now` fails without leeway);
/// * `nbf <= now + leeway` (§4.1.5); `iat <= now + leeway`;
/// * `exp < iat` or `exp < nbf` is contradictory and refused.
pub(crate) fn check_times(
    claims: &Map<String, Value>,
    now: f64,
    leeway: f64,
    require_iat: bool,
) -> Result<i64, VerifyError> {
    let exp = numeric_date(claims, "exp")?;
    let nbf = numeric_date(claims, "nbf")?;
    let iat = numeric_date(claims, "iat")?;
    let Some(exp) = exp else {
        return Err(error(VerifyErrorKind::InvalidClaims, "exp is required"));
    };
    if require_iat && iat.is_none() {
        return Err(error(VerifyErrorKind::InvalidClaims, "iat is required"));
    }
    if iat.is_some_and(|iat| exp < iat) || nbf.is_some_and(|nbf| exp < nbf) {
        return Err(error(
            VerifyErrorKind::InvalidIssuedAt,
            "exp precedes iat or nbf",
        ));
    }
    if now >= exp + leeway {
        return Err(VerifyError::new(VerifyErrorKind::Expired));
    }
    if nbf.is_some_and(|nbf| nbf > now + leeway) {
        return Err(VerifyError::new(VerifyErrorKind::NotYetValid));
    }
    if iat.is_some_and(|iat| iat > now + leeway) {
        return Err(error(
            VerifyErrorKind::InvalidIssuedAt,
            "iat is in the future",
        ));
    }
    // `as` saturates (and exp is finite): huge values become i64::MAX, never a panic.
    Ok(exp.floor() as i64)
}

/// Reads `aud` (a string or an array of strings, RFC 7519 §4.1.3) and, unless `accepted` is
/// `None` (audience check disabled), requires one of its entries to match.
pub(crate) fn check_audience(
    claims: &Map<String, Value>,
    accepted: Option<&[Audience]>,
) -> Result<Vec<String>, VerifyError> {
    let audience: Vec<String> = match claims.get("aud") {
        None => Vec::new(),
        Some(Value::String(aud)) => vec![aud.clone()],
        Some(Value::Array(items)) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                match item {
                    Value::String(aud) => out.push(aud.clone()),
                    _ => {
                        return Err(error(
                            VerifyErrorKind::InvalidClaims,
                            "aud entries must be strings",
                        ));
                    }
                }
            }
            out
        }
        Some(_) => {
            return Err(error(
                VerifyErrorKind::InvalidClaims,
                "aud must be a string or an array of strings",
            ));
        }
    };
    if let Some(accepted) = accepted {
        let ok = audience
            .iter()
            .any(|aud| accepted.iter().any(|ours| ours.matches(aud)));
        if !ok {
            return Err(VerifyError::new(VerifyErrorKind::InvalidAudience));
        }
    }
    Ok(audience)
}

/// `sub`: a non-empty string (RFC 9068 §2.2, RFC 8725 §3.8).
pub(crate) fn subject(claims: &Map<String, Value>) -> Result<String, VerifyError> {
    match claims.get("sub") {
        Some(Value::String(sub)) if !sub.is_empty() => Ok(sub.clone()),
        _ => Err(error(
            VerifyErrorKind::InvalidClaims,
            "sub must be a non-empty string",
        )),
    }
}

/// The client: `client_id` (RFC 9068 §2.2), else `azp` unless `strict`. Present claims of
/// another type are refused.
pub(crate) fn client_id(
    claims: &Map<String, Value>,
    strict: bool,
) -> Result<Option<String>, VerifyError> {
    let read = |name: &str| match claims.get(name) {
        None => Ok(None),
        Some(Value::String(id)) if !id.is_empty() => Ok(Some(id.clone())),
        Some(_) => Err(error(
            VerifyErrorKind::InvalidClaims,
            "client_id and azp must be non-empty strings",
        )),
    };
    let client_id = read("client_id")?;
    let azp = read("azp")?;
    match (client_id, strict) {
        (Some(id), _) => Ok(Some(id)),
        (None, true) => Err(error(
            VerifyErrorKind::InvalidClaims,
            "client_id is required",
        )),
        (None, false) => Ok(azp),
    }
}

/// `jti`: a string when present (RFC 7519 §4.1.7); required non-empty when `strict`.
pub(crate) fn check_jti(claims: &Map<String, Value>, strict: bool) -> Result<(), VerifyError> {
    match claims.get("jti") {
        Some(Value::String(jti)) if !jti.is_empty() || !strict => Ok(()),
        None if !strict => Ok(()),
        _ => Err(error(
            VerifyErrorKind::InvalidClaims,
            "jti must be a non-empty string",
        )),
    }
}
