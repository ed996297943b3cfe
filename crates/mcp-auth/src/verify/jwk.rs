//! JSON Web Key Sets (RFC 7517) turned into ready-to-use verification keys.
//!
//! A JWKS document is checked as a whole (an object with a `keys` array of objects, unique
//! member names, at most 100 keys by default) and then key by key. A key that cannot be used
//! safely is **ignored**, not fatal (RFC 7517 §5): unknown `kty`, missing or malformed members,
//! unsupported curves, weak RSA keys (modulus under 2048 or over 8192 bits, even or tiny
//! exponent: RFC 7518 §3.3, RFC 8725 §3.5), invalid or small-order points (RFC 8725 §3.4,
//! RFC 8032 §5.1.7), symmetric `oct` keys (OIDC Discovery §3: a `jwks_uri` must not publish
//! them, and a public secret is no secret), keys whose `use` is not `sig` or whose `key_ops`
//! lack `verify` (RFC 7517 §4.2, §4.3).
//!
//! A key's `alg`, when present, pins it to exactly that algorithm (RFC 8725 §3.1: each key is
//! used with one algorithm). Private members (`d`, `p`, `q`, ...) are never kept; their
//! presence is reported once per parse with a `tracing` warning (OIDC Discovery §3).
//!
//! Public keys are parsed once, here, into aws-lc-rs `ParsedPublicKey`s; verification never
//! re-parses key material.

use std::fmt;
use std::sync::OnceLock;

use aws_lc_rs::signature::ParsedPublicKey;
use serde_json::{Map, Value};

use crate::json;
use crate::verify::jwt::JwsAlgorithm;
use crate::verify::jwt::algorithm::KeyFamily;

mod curve;
mod members;
mod rsa;
#[cfg(test)]
pub(crate) mod tests;

/// Most keys a JWKS may hold by default (pinned decision 7).
pub const DEFAULT_MAX_KEYS: usize = 100;

/// A JWKS document was refused as a whole.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid JWK Set: {reason}")]
pub struct JwkSetError {
    reason: &'static str,
}

impl JwkSetError {
    fn new(reason: &'static str) -> Self {
        Self { reason }
    }

    /// Why the document was refused.
    #[must_use]
    pub fn reason(&self) -> &'static str {
        self.reason
    }
}

/// The usable signature-verification keys of a JWK Set (RFC 7517 §5).
///
/// ```
/// use mcp_auth::verify::jwk::JwkSet;
///
/// // Unusable entries are ignored (RFC 7517 §5); here none is usable.
/// let set = JwkSet::from_json(br#"{"keys":[{"kty":"oct","k":"c2VjcmV0"},{"kty":"foo"}]}"#)?;
/// assert!(set.is_empty());
/// assert!(JwkSet::from_json(br#"{"keys":[null]}"#).is_err());
/// # Ok::<(), mcp_auth::verify::jwk::JwkSetError>(())
/// ```
pub struct JwkSet {
    keys: Vec<Jwk>,
}

/// One usable public key.
pub(crate) struct Jwk {
    kid: Option<Box<str>>,
    alg: Option<JwsAlgorithm>,
    material: Material,
}

enum Material {
    /// Boxed: six lazily parsed keys make it much larger than the other variant.
    Rsa(Box<rsa::RsaKey>),
    /// An EC (P-256/384/521) or Ed25519 key: one algorithm, parsed once.
    Curve {
        family: KeyFamily,
        key: ParsedPublicKey,
    },
}

/// The outcome of looking a token's key up in a set.
#[derive(Debug)]
pub(crate) enum Selection<'a> {
    /// Exactly one key fits.
    Key(&'a Jwk),
    /// The token names a `kid` that the set does not have.
    UnknownKid,
    /// Keys exist (with that `kid`, if any) but none fits the algorithm.
    NoFittingKey,
    /// More than one key fits and the token does not say which (RFC 7515 §4.1.4).
    Ambiguous,
}

impl JwkSet {
    /// Parses a JWKS document with the default key-count cap.
    ///
    /// # Errors
    ///
    /// When the document is not a JSON object with a `keys` array of objects, has duplicate
    /// member names, or holds more than [`DEFAULT_MAX_KEYS`] keys.
    pub fn from_json(json: &[u8]) -> Result<Self, JwkSetError> {
        Self::parse(json, DEFAULT_MAX_KEYS)
    }

    pub(crate) fn parse(json: &[u8], max_keys: usize) -> Result<Self, JwkSetError> {
        let doc = json::parse_object(json).map_err(|e| match e {
            json::JsonError::Invalid => JwkSetError::new("not valid JSON"),
            json::JsonError::NotAnObject => JwkSetError::new("not a JSON object"),
        })?;
        let Some(Value::Array(entries)) = doc.get("keys") else {
            return Err(JwkSetError::new("`keys` is missing or not an array"));
        };
        if entries.len() > max_keys {
            return Err(JwkSetError::new("too many keys"));
        }
        let mut keys = Vec::with_capacity(entries.len());
        let (mut ignored, mut private) = (0usize, 0usize);
        for entry in entries {
            let Value::Object(member) = entry else {
                return Err(JwkSetError::new("a `keys` entry is not an object"));
            };
            if members::has_private_members(member) {
                private += 1;
            }
            match Jwk::parse(member) {
                Some(key) => keys.push(key),
                None => ignored += 1,
            }
        }
        if private > 0 {
            tracing::warn!(
                keys = private,
                "JWKS publishes private key members; they were discarded (OIDC Discovery 1.0 §3). \
                 The authorization server is misconfigured: rotate these keys."
            );
        }
        if ignored > 0 {
            tracing::debug!(
                ignored,
                usable = keys.len(),
                "JWKS keys ignored as unusable"
            );
        }
        Ok(Self { keys })
    }

    /// The number of usable keys.
    #[must_use]
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// `true` when no key is usable.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The `kid`s of the usable keys that have one.
    pub fn key_ids(&self) -> impl Iterator<Item = &str> {
        self.keys.iter().filter_map(|k| k.kid.as_deref())
    }

    /// Finds the one key for a token with this `kid` (if any) and algorithm.
    ///
    /// Without a `kid`, exactly one key of the set must fit, else the token is refused
    /// (no try-every-key loop).
    pub(crate) fn select(&self, kid: Option<&str>, alg: JwsAlgorithm) -> Selection<'_> {
        let mut named = false;
        let mut found: Option<&Jwk> = None;
        for key in &self.keys {
            if let Some(kid) = kid {
                if key.kid.as_deref() != Some(kid) {
                    continue;
                }
                named = true;
            }
            if key.fits(alg) {
                if found.is_some() {
                    return Selection::Ambiguous;
                }
                found = Some(key);
            }
        }
        match found {
            Some(key) => Selection::Key(key),
            None if kid.is_some() && !named => Selection::UnknownKid,
            None => Selection::NoFittingKey,
        }
    }
}

impl fmt::Debug for JwkSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(&self.keys).finish()
    }
}

impl Jwk {
    fn parse(member: &Map<String, Value>) -> Option<Self> {
        let common = members::Common::read(member)?;
        let material = match common.kty {
            "RSA" => Material::Rsa(Box::new(rsa::RsaKey::parse(member, common.alg)?)),
            "EC" => curve::parse_ec(member)?,
            "OKP" => curve::parse_okp(member)?,
            // `oct` (D15) and unknown types are never usable.
            _ => return None,
        };
        let key = Self {
            kid: common.kid,
            alg: common.alg,
            material,
        };
        // A pinned algorithm must belong to the key's family (RSA key pinned to ES256: unusable).
        match key.alg {
            Some(alg) if key.family() != alg.family() => None,
            _ => Some(key),
        }
    }

    fn family(&self) -> KeyFamily {
        match &self.material {
            Material::Rsa(_) => KeyFamily::Rsa,
            Material::Curve { family, .. } => *family,
        }
    }

    /// `true` when this key may verify `alg` signatures: same family, and the key's own `alg`
    /// (if any) is exactly `alg`.
    pub(crate) fn fits(&self, alg: JwsAlgorithm) -> bool {
        self.family() == alg.family() && self.alg.is_none_or(|pinned| pinned == alg)
    }

    /// Verifies `signature` over `message` with `alg`, which the caller selected with
    /// [`Jwk::fits`].
    pub(crate) fn verify(&self, alg: JwsAlgorithm, message: &[u8], signature: &[u8]) -> bool {
        if !self.fits(alg) {
            return false;
        }
        match &self.material {
            Material::Rsa(key) => key.verify(alg, message, signature),
            Material::Curve { key, .. } => key.verify_sig(message, signature).is_ok(),
        }
    }
}

impl fmt::Debug for Jwk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Jwk")
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .field("family", &self.family())
            .finish_non_exhaustive()
    }
}

/// A lazily parsed key per algorithm (RSA keys without `alg` may serve six algorithms).
pub(crate) type Slot = OnceLock<ParsedPublicKey>;
