//! Reading a JWT's claims **without** verifying it, for checks that can only make a verifier
//! stricter: a cache lifetime bounded by `exp`, an audience or subject that must match.
//!
//! Nothing read here ever widens what a token grants, and nothing here is a reason to accept a
//! token (RFC 8725 §3.10: do not trust received claims).

use serde_json::{Map, Value};

use crate::json;
use crate::verify::jwt::compact;

/// The claims of a token that has the shape of a compact JWS (RFC 7515 §7.1) whose header and
/// payload are JSON objects. Unverified.
#[derive(Debug)]
pub(crate) struct Jwt {
    claims: Map<String, Value>,
}

impl Jwt {
    /// The claims, when `token` is JWT-shaped; `None` for an opaque token.
    pub(crate) fn peek(token: &str) -> Option<Self> {
        let parts = compact::split(token)?;
        let header = compact::decode(parts.header)?;
        json::parse_object(&header).ok()?;
        let payload = compact::decode(parts.payload)?;
        let claims = json::parse_object(&payload).ok()?;
        Some(Self { claims })
    }

    /// The claims.
    pub(crate) fn claims(&self) -> &Map<String, Value> {
        &self.claims
    }

    /// `exp` in whole seconds, when it is a number.
    pub(crate) fn exp(&self) -> Option<i64> {
        let exp = self.claims.get("exp")?.as_f64()?;
        // `as` saturates; a finite f64 never panics here.
        Some(exp.floor() as i64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    fn jwt(header: &str, payload: &str) -> String {
        format!(
            "{}.{}.c2ln",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(payload)
        )
    }

    #[test]
    fn reads_claims_of_jwt_shaped_tokens_only() {
        let token = jwt(r#"{"alg":"ES256"}"#, r#"{"exp":1700000000.9,"sub":"a"}"#);
        let peeked = Jwt::peek(&token).map(|j| (j.exp(), j.claims().len()));
        assert_eq!(peeked, Some((Some(1_700_000_000), 2)));
        assert_eq!(
            Jwt::peek(&jwt("{}", r#"{"exp":"soon"}"#)).and_then(|j| j.exp()),
            None
        );
        for opaque in [
            "opaque-token",
            "a.b.c",
            &jwt("[]", "{}"),
            &jwt("{}", "[]"),
            &jwt("{}", r#"{"a":1,"a":2}"#),
            "",
        ] {
            assert!(Jwt::peek(opaque).is_none(), "{opaque}");
        }
    }
}
