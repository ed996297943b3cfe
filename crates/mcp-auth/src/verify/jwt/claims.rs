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

/// The registered claims (RFC 7519 §4.1) and scope claims the checks read, found in one pass
/// over the claims rather than with one map search each.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct RegisteredClaims<'a> {
    pub(crate) exp: Option<&'a Value>,
    pub(crate) nbf: Option<&'a Value>,
    pub(crate) iat: Option<&'a Value>,
    pub(crate) aud: Option<&'a Value>,
    pub(crate) sub: Option<&'a Value>,
    pub(crate) client_id: Option<&'a Value>,
    pub(crate) azp: Option<&'a Value>,
    pub(crate) jti: Option<&'a Value>,
    pub(crate) scope: Option<&'a Value>,
    pub(crate) scp: Option<&'a Value>,
    pub(crate) scopes: Option<&'a Value>,
}

impl<'a> RegisteredClaims<'a> {
    /// Finds the claims above in `claims` (member names are unique, see [`super::json`]).
    pub(crate) fn find(claims: &'a Map<String, Value>) -> Self {
        let mut found = Self::default();
        for (name, value) in claims {
            let slot = match name.as_str() {
                "exp" => &mut found.exp,
                "nbf" => &mut found.nbf,
                "iat" => &mut found.iat,
                "aud" => &mut found.aud,
                "sub" => &mut found.sub,
                "client_id" => &mut found.client_id,
                "azp" => &mut found.azp,
                "jti" => &mut found.jti,
                "scope" => &mut found.scope,
                "scp" => &mut found.scp,
                "scopes" => &mut found.scopes,
                _ => continue,
            };
            *slot = Some(value);
        }
        found
    }

    /// A scope claim by name (`scope`, `scp` or `scopes`), for [`ScopeClaim`](super::ScopeClaim).
    pub(crate) fn scope_claim(&self, name: &str) -> Option<&'a Value> {
        match name {
            "scope" => self.scope,
            "scp" => self.scp,
            "scopes" => self.scopes,
            _ => None,
        }
    }
}

/// A NumericDate (RFC 7519 §2): any JSON number, integer or not. `None` when absent.
fn numeric_date(claim: Option<&Value>) -> Result<Option<f64>, VerifyError> {
    match claim {
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
    let found = RegisteredClaims {
        exp: claims.get("exp"),
        nbf: claims.get("nbf"),
        iat: claims.get("iat"),
        ..RegisteredClaims::default()
    };
    check_time_claims(&found, now, leeway, require_iat)
}

/// [`check_times`] on claims already found.
pub(crate) fn check_time_claims(
    claims: &RegisteredClaims<'_>,
    now: f64,
    leeway: f64,
    require_iat: bool,
) -> Result<i64, VerifyError> {
    let exp = numeric_date(claims.exp)?;
    let nbf = numeric_date(claims.nbf)?;
    let iat = numeric_date(claims.iat)?;
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
    audience(claims.get("aud"), accepted)
}

/// [`check_audience`] on the `aud` claim already found.
pub(crate) fn audience(
    aud: Option<&Value>,
    accepted: Option<&[Audience]>,
) -> Result<Vec<String>, VerifyError> {
    let audience: Vec<String> = match aud {
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
    subject_claim(claims.get("sub"))
}

/// [`subject`] on the `sub` claim already found.
pub(crate) fn subject_claim(sub: Option<&Value>) -> Result<String, VerifyError> {
    match sub {
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
    client_claim(claims.get("client_id"), claims.get("azp"), strict)
}

/// [`client_id`] on the `client_id` and `azp` claims already found. Both are checked; only the
/// one returned is copied.
pub(crate) fn client_claim(
    client_id: Option<&Value>,
    azp: Option<&Value>,
    strict: bool,
) -> Result<Option<String>, VerifyError> {
    let client_id = client_string(client_id)?;
    let azp = client_string(azp)?;
    match (client_id, strict) {
        (Some(id), _) => Ok(Some(id.to_owned())),
        (None, true) => Err(error(
            VerifyErrorKind::InvalidClaims,
            "client_id is required",
        )),
        (None, false) => Ok(azp.map(str::to_owned)),
    }
}

fn client_string(claim: Option<&Value>) -> Result<Option<&str>, VerifyError> {
    match claim {
        None => Ok(None),
        Some(Value::String(id)) if !id.is_empty() => Ok(Some(id)),
        Some(_) => Err(error(
            VerifyErrorKind::InvalidClaims,
            "client_id and azp must be non-empty strings",
        )),
    }
}

/// `jti`: a string when present (RFC 7519 §4.1.7); required non-empty when `strict`.
pub(crate) fn check_jti(jti: Option<&Value>, strict: bool) -> Result<(), VerifyError> {
    match jti {
        Some(Value::String(jti)) if !jti.is_empty() || !strict => Ok(()),
        None if !strict => Ok(()),
        _ => Err(error(
            VerifyErrorKind::InvalidClaims,
            "jti must be a non-empty string",
        )),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn registered_claims_are_the_members_of_those_names() {
        let value = json!({
            "iss": "i", "exp": 1, "nbf": 2, "iat": 3, "aud": ["a"], "sub": "s",
            "client_id": "c", "azp": "z", "jti": "j", "scope": "r w", "scp": ["r"],
            "scopes": ["w"], "extra": {"exp": 9}, "Sub": "other",
        });
        let claims = value.as_object().unwrap();
        let found = RegisteredClaims::find(claims);
        let pairs = [
            ("exp", found.exp),
            ("nbf", found.nbf),
            ("iat", found.iat),
            ("aud", found.aud),
            ("sub", found.sub),
            ("client_id", found.client_id),
            ("azp", found.azp),
            ("jti", found.jti),
            ("scope", found.scope_claim("scope")),
            ("scp", found.scope_claim("scp")),
            ("scopes", found.scope_claim("scopes")),
        ];
        for (name, claim) in pairs {
            assert_eq!(claim, claims.get(name), "{name}");
        }
        assert_eq!(found.scope_claim("iss"), None);
        let none = Map::new();
        let empty = RegisteredClaims::find(&none);
        assert!(empty.exp.is_none() && empty.sub.is_none() && empty.scope.is_none());
    }

    #[test]
    fn client_id_wins_over_azp_and_both_are_checked() {
        let (id, azp) = (json!("c"), json!("z"));
        assert_eq!(
            client_claim(Some(&id), Some(&azp), false).unwrap(),
            Some("c".to_owned())
        );
        assert_eq!(
            client_claim(None, Some(&azp), false).unwrap(),
            Some("z".to_owned())
        );
        assert!(client_claim(None, Some(&azp), true).is_err());
        assert!(client_claim(Some(&id), Some(&json!(7)), false).is_err());
        assert!(client_claim(Some(&json!("")), None, false).is_err());
        assert_eq!(client_claim(None, None, false).unwrap(), None);
    }
}
