//! Authorization codes (RFC 6749 §4.1.2): short-lived, single-use, bound to the client, the
//! redirect URI, the PKCE challenge (RFC 7636) and the resource (RFC 8707).
//!
//! A code is redeemable for [`CODE_TTL`] seconds. Redeeming it retires it; a retired code is
//! remembered for [`RETIRED_TTL`] seconds, and presenting it again revokes the tokens issued
//! from it (RFC 6749 §4.1.2: "If an authorization code is used more than once, the
//! authorization server MUST deny the request and SHOULD revoke (when possible) all tokens
//! previously issued based on that authorization code").

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use aws_lc_rs::digest;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::error::DevError;
use crate::store::BoundedStore;
use crate::tokens::{random_string, secret_hash, secrets_equal};

/// How long a code may be redeemed, in seconds.
pub(crate) const CODE_TTL: i64 = 60;
/// How long a redeemed code is remembered to detect its reuse, in seconds.
pub(crate) const RETIRED_TTL: i64 = 600;
/// Most codes kept (live or retired).
const MAX_CODES: usize = 1024;

/// What a code stands for.
#[derive(Debug, Clone)]
pub(crate) struct CodeRecord {
    pub(crate) client_id: String,
    /// The redirect URI the response went to.
    pub(crate) redirect_uri: String,
    /// Whether the authorization request named it (then the token request must too, RFC 6749
    /// §4.1.3).
    pub(crate) redirect_uri_sent: bool,
    pub(crate) user_sub: String,
    pub(crate) scopes: Vec<String>,
    pub(crate) resource: Option<String>,
    /// The S256 `code_challenge`.
    pub(crate) code_challenge: String,
    pub(crate) nonce: Option<String>,
    /// When the user signed in (`auth_time`).
    pub(crate) auth_time: i64,
    /// The grant the tokens issued from this code belong to.
    pub(crate) grant_id: String,
}

#[derive(Debug)]
enum State {
    Live(Arc<CodeRecord>),
    Retired { grant_id: String },
}

/// The outcome of presenting a code.
#[derive(Debug)]
pub(crate) enum Redemption {
    /// The code was live and is now retired.
    Redeemed(Arc<CodeRecord>),
    /// The code was already redeemed: the grant `grant_id` must be revoked.
    Reused { grant_id: String },
    /// Unknown or expired.
    Invalid,
}

/// The codes issued.
#[derive(Debug)]
pub(crate) struct CodeStore {
    codes: Mutex<BoundedStore<[u8; 32], State>>,
}

impl Default for CodeStore {
    fn default() -> Self {
        Self {
            codes: Mutex::new(BoundedStore::new(MAX_CODES)),
        }
    }
}

impl CodeStore {
    fn lock(&self) -> MutexGuard<'_, BoundedStore<[u8; 32], State>> {
        self.codes.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Issues a code for `record`.
    pub(crate) fn issue(&self, now: i64, record: CodeRecord) -> Result<String, DevError> {
        let code = random_string(32)?;
        self.lock()
            .insert(
                now,
                secret_hash(&code),
                State::Live(Arc::new(record)),
                now.saturating_add(CODE_TTL),
            )
            .map_err(|_| DevError::StoreFull)?;
        Ok(code)
    }

    /// Presents `code`: a live code is retired (whatever the token request's other checks
    /// then decide) and its record returned.
    pub(crate) fn redeem(&self, now: i64, code: &str) -> Redemption {
        let key = secret_hash(code);
        let mut codes = self.lock();
        let (record, outcome) = match codes.get(now, &key) {
            None => return Redemption::Invalid,
            Some(State::Retired { grant_id }) => {
                return Redemption::Reused {
                    grant_id: grant_id.clone(),
                };
            }
            Some(State::Live(record)) => {
                (Arc::clone(record), Redemption::Redeemed(Arc::clone(record)))
            }
        };
        // Replacing an existing key never fails for capacity.
        let _ = codes.insert(
            now,
            key,
            State::Retired {
                grant_id: record.grant_id.clone(),
            },
            now.saturating_add(RETIRED_TTL),
        );
        outcome
    }
}

/// Whether `verifier` is a well-formed PKCE `code_verifier`: 43 to 128 characters of
/// `[A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~"` (RFC 7636 §4.1).
pub(crate) fn is_code_verifier(verifier: &str) -> bool {
    (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// Whether `challenge` is a well-formed S256 `code_challenge`: the unpadded base64url of a
/// SHA-256 digest, 43 characters (RFC 7636 §4.2).
pub(crate) fn is_s256_challenge(challenge: &str) -> bool {
    challenge.len() == 43
        && challenge
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
}

/// Whether `verifier` hashes to `challenge`: `BASE64URL(SHA256(ASCII(code_verifier)))`
/// (RFC 7636 §4.6), compared in constant time.
pub(crate) fn verify_s256(verifier: &str, challenge: &str) -> bool {
    let computed =
        URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, verifier.as_bytes()).as_ref());
    secrets_equal(challenge, &computed)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn record() -> CodeRecord {
        CodeRecord {
            client_id: "app".into(),
            redirect_uri: "http://127.0.0.1/cb".into(),
            redirect_uri_sent: true,
            user_sub: "u-alice".into(),
            scopes: Vec::new(),
            resource: None,
            code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into(),
            nonce: None,
            auth_time: 0,
            grant_id: "g1".into(),
        }
    }

    #[test]
    fn rfc7636_appendix_b_example() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert!(is_code_verifier(verifier));
        assert!(is_s256_challenge(&record().code_challenge));
        assert!(verify_s256(verifier, &record().code_challenge));
        assert!(!verify_s256(
            &verifier.replace('d', "e"),
            &record().code_challenge
        ));
    }

    #[test]
    fn verifier_and_challenge_shapes() {
        assert!(!is_code_verifier(&"a".repeat(42)));
        assert!(is_code_verifier(&"a".repeat(128)));
        assert!(!is_code_verifier(&"a".repeat(129)));
        assert!(!is_code_verifier(&format!("{}+", "a".repeat(43))));
        assert!(!is_s256_challenge(&"a".repeat(44)));
        assert!(!is_s256_challenge(&format!("{}=", "a".repeat(42))));
    }

    #[test]
    fn codes_are_single_use_and_expire() {
        let store = CodeStore::default();
        let code = store.issue(0, record()).unwrap();
        assert!(matches!(store.redeem(1, &code), Redemption::Redeemed(_)));
        assert!(
            matches!(store.redeem(2, &code), Redemption::Reused { grant_id } if grant_id == "g1")
        );
        assert!(matches!(
            store.redeem(2 + RETIRED_TTL, &code),
            Redemption::Invalid
        ));
        let late = store.issue(0, record()).unwrap();
        assert!(matches!(store.redeem(CODE_TTL, &late), Redemption::Invalid));
        assert!(matches!(store.redeem(0, "made-up"), Redemption::Invalid));
    }
}
