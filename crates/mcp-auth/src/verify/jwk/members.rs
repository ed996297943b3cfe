//! JWK members common to every key type (RFC 7517 §4).

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde_json::{Map, Value};

use crate::verify::jwt::JwsAlgorithm;

/// Private or symmetric key members (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037 §2).
const PRIVATE_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/// Key material is base64url (RFC 7518 §6); trailing padding from sloppy servers is tolerated
/// because the document comes from the trusted issuer, not from a token.
const KEY_B64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The checked common members of a key.
pub(super) struct Common<'a> {
    pub(super) kty: &'a str,
    pub(super) kid: Option<Box<str>>,
    pub(super) alg: Option<JwsAlgorithm>,
}

impl<'a> Common<'a> {
    /// `None` when the key must be ignored: `kty` missing, `kid`/`alg` not strings, `alg` not
    /// a supported asymmetric algorithm, `use` other than `sig`, `key_ops` without `verify`.
    pub(super) fn read(member: &'a Map<String, Value>) -> Option<Self> {
        let kty = member.get("kty")?.as_str()?;
        let kid = match member.get("kid") {
            None => None,
            Some(Value::String(kid)) => Some(kid.as_str().into()),
            Some(_) => return None,
        };
        let alg = match member.get("alg") {
            None => None,
            Some(Value::String(alg)) => Some(JwsAlgorithm::from_name(alg)?),
            Some(_) => return None,
        };
        match member.get("use") {
            None => {}
            Some(Value::String(u)) if u == "sig" => {}
            Some(_) => return None,
        }
        match member.get("key_ops") {
            None => {}
            Some(Value::Array(ops))
                if ops.iter().all(Value::is_string)
                    && ops.iter().any(|op| op.as_str() == Some("verify")) => {}
            Some(_) => return None,
        }
        Some(Self { kty, kid, alg })
    }
}

/// `true` when the key carries private or symmetric material.
pub(super) fn has_private_members(member: &Map<String, Value>) -> bool {
    PRIVATE_MEMBERS
        .iter()
        .any(|name| member.contains_key(*name))
}

/// Decodes a base64url member; `None` when missing, not a string or not base64url.
pub(super) fn bytes(member: &Map<String, Value>, name: &str) -> Option<Vec<u8>> {
    KEY_B64.decode(member.get(name)?.as_str()?).ok()
}
