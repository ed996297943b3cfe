//! Signing keys: generated with aws-lc-rs, optionally persisted, published as a JWK Set
//! (RFC 7517) and used through `jsonwebtoken` to sign access tokens (RFC 9068).

use std::fmt;
use std::path::Path;
use std::str::FromStr;

use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair, RsaKeyPair};
use aws_lc_rs::{digest, encoding::AsDer, rand::SystemRandom};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::Serialize;
use serde_json::{Value, json};

use crate::error::DevError;

mod file;
mod pkcs8;

/// The JWS algorithm (RFC 7518 §3.1) of the access tokens the server signs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum SigningAlgorithm {
    /// ECDSA with P-256 and SHA-256 (the default: small keys, fast key generation).
    #[default]
    Es256,
    /// RSASSA-PKCS1-v1_5 with SHA-256, on a 2048-bit key.
    Rs256,
}

impl SigningAlgorithm {
    /// The `alg` value: `ES256` or `RS256`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Es256 => "ES256",
            Self::Rs256 => "RS256",
        }
    }

    fn jwt_algorithm(self) -> Algorithm {
        match self {
            Self::Es256 => Algorithm::ES256,
            Self::Rs256 => Algorithm::RS256,
        }
    }
}

impl fmt::Display for SigningAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SigningAlgorithm {
    type Err = DevError;

    /// Parses `ES256` or `RS256` (exact case, as in JOSE).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "ES256" => Ok(Self::Es256),
            "RS256" => Ok(Self::Rs256),
            other => Err(DevError::Config(format!(
                "unsupported signing algorithm `{other}` (ES256 or RS256)"
            ))),
        }
    }
}

/// One private key with its public JWK.
pub(crate) struct SigningKey {
    kid: String,
    alg: SigningAlgorithm,
    pkcs8: Vec<u8>,
    encoding: EncodingKey,
    public_jwk: Value,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .field("private_key", &"[redacted]")
            .finish()
    }
}

impl SigningKey {
    /// A fresh key; its `kid` is its RFC 7638 thumbprint.
    fn generate(alg: SigningAlgorithm) -> Result<Self, DevError> {
        let pkcs8 = match alg {
            SigningAlgorithm::Es256 => {
                EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new())
                    .map_err(|_| DevError::Crypto("P-256 key generation failed"))?
                    .as_ref()
                    .to_vec()
            }
            SigningAlgorithm::Rs256 => RsaKeyPair::generate(KeySize::Rsa2048)
                .and_then(|pair| pair.as_der())
                .map_err(|_| DevError::Crypto("RSA key generation failed"))?
                .as_ref()
                .to_vec(),
        };
        Self::from_pkcs8(None, alg, pkcs8)
            .map_err(|_| DevError::Crypto("a generated key could not be read back"))
    }

    /// A key from PKCS#8 DER; `kid` defaults to the RFC 7638 thumbprint.
    fn from_pkcs8(
        kid: Option<String>,
        alg: SigningAlgorithm,
        pkcs8: Vec<u8>,
    ) -> Result<Self, &'static str> {
        let (members, encoding) = match alg {
            SigningAlgorithm::Es256 => {
                let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &pkcs8)
                    .map_err(|_| "not a PKCS#8 P-256 private key")?;
                // Uncompressed point: 0x04 || X || Y (SEC 1 §2.3.3).
                let point = pair.public_key().as_ref();
                let (x, y) = point
                    .get(1..)
                    .filter(|xy| xy.len() == 64)
                    .map(|xy| xy.split_at(32))
                    .ok_or("unexpected P-256 public key encoding")?;
                let members = json!({
                    "crv": "P-256", "kty": "EC",
                    "x": URL_SAFE_NO_PAD.encode(x), "y": URL_SAFE_NO_PAD.encode(y),
                });
                (members, EncodingKey::from_ec_der(&pkcs8))
            }
            SigningAlgorithm::Rs256 => {
                let pair =
                    RsaKeyPair::from_pkcs8(&pkcs8).map_err(|_| "not a PKCS#8 RSA private key")?;
                if pair.public_modulus_len() < 256 {
                    return Err("RSA keys must have at least 2048 bits");
                }
                let public = pair.public_key();
                let members = json!({
                    "e": URL_SAFE_NO_PAD.encode(public.exponent().big_endian_without_leading_zero()),
                    "kty": "RSA",
                    "n": URL_SAFE_NO_PAD.encode(public.modulus().big_endian_without_leading_zero()),
                });
                let pkcs1 = pkcs8::rsa_private_key(&pkcs8).ok_or("not a PKCS#8 RSA private key")?;
                (members, EncodingKey::from_rsa_der(pkcs1))
            }
        };
        let kid = match kid {
            Some(kid) => kid,
            None => thumbprint(&members)?,
        };
        let mut public_jwk = members;
        if let Some(object) = public_jwk.as_object_mut() {
            object.insert("kid".into(), Value::String(kid.clone()));
            object.insert("alg".into(), Value::String(alg.as_str().into()));
            object.insert("use".into(), Value::String("sig".into()));
        }
        Ok(Self {
            kid,
            alg,
            pkcs8,
            encoding,
            public_jwk,
        })
    }

    /// The key identifier (`kid`).
    pub(crate) fn kid(&self) -> &str {
        &self.kid
    }

    /// The algorithm this key signs with.
    pub(crate) fn algorithm(&self) -> SigningAlgorithm {
        self.alg
    }
}

/// The JWK thumbprint (RFC 7638 §3): SHA-256 of the required members in lexicographic order,
/// without whitespace (`serde_json` writes object members sorted and compact).
fn thumbprint(required_members: &Value) -> Result<String, &'static str> {
    let canonical = serde_json::to_vec(required_members).map_err(|_| "cannot serialize JWK")?;
    Ok(URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, &canonical)))
}

/// The server's keys: every key is published; one signs.
#[derive(Debug)]
pub(crate) struct KeySet {
    keys: Vec<SigningKey>,
    active: usize,
    jwks: Value,
}

impl KeySet {
    /// Keys for signing with `alg`: read from `path` when given and present, with a key for
    /// `alg` generated (and written back) when there is none.
    pub(crate) fn load_or_generate(
        alg: SigningAlgorithm,
        path: Option<&Path>,
    ) -> Result<Self, DevError> {
        let mut keys = match path {
            Some(path) => load(path)?,
            None => Vec::new(),
        };
        let active = match keys.iter().position(|k| k.alg == alg) {
            Some(index) => index,
            None => {
                keys.push(SigningKey::generate(alg)?);
                if let Some(path) = path {
                    let stored = keys
                        .iter()
                        .map(|k| file::StoredKey::new(&k.kid, k.alg.as_str(), &k.pkcs8))
                        .collect();
                    file::write(path, stored)?;
                    tracing::info!(path = %path.display(), alg = %alg, "generated a signing key and saved it");
                }
                keys.len() - 1
            }
        };
        let jwks = json!({ "keys": keys.iter().map(|k| k.public_jwk.clone()).collect::<Vec<_>>() });
        Ok(Self { keys, active, jwks })
    }

    /// The key that signs new tokens.
    pub(crate) fn active(&self) -> Option<&SigningKey> {
        self.keys.get(self.active)
    }

    /// The public JWK Set (RFC 7517 §5): `kty`, key material, `kid`, `alg`, `use: sig`.
    pub(crate) fn jwks(&self) -> &Value {
        &self.jwks
    }

    /// Signs `claims` as a JWT access token: header `typ: at+jwt` (RFC 9068 §2.1), the active
    /// key's `alg` and `kid`.
    pub(crate) fn sign<T: Serialize>(&self, claims: &T) -> Result<String, DevError> {
        self.sign_typed(claims, "at+jwt")
    }

    /// Signs `claims` with the header `typ` given (`JWT` for ID tokens).
    pub(crate) fn sign_typed<T: Serialize>(
        &self,
        claims: &T,
        typ: &str,
    ) -> Result<String, DevError> {
        let key = self.active().ok_or(DevError::Crypto("no signing key"))?;
        let mut header = Header::new(key.alg.jwt_algorithm());
        header.typ = Some(typ.into());
        header.kid = Some(key.kid.clone());
        jsonwebtoken::encode(&header, claims, &key.encoding)
            .map_err(|_| DevError::Crypto("signing a token failed"))
    }
}

fn load(path: &Path) -> Result<Vec<SigningKey>, DevError> {
    let Some(stored) = file::read(path)? else {
        return Ok(Vec::new());
    };
    let mut keys: Vec<SigningKey> = Vec::with_capacity(stored.len());
    for entry in stored {
        let invalid = |reason: &str| DevError::KeysFile {
            path: path.to_owned(),
            reason: format!("key `{}`: {reason}", entry.kid),
        };
        if entry.kid.is_empty() || keys.iter().any(|k| k.kid == entry.kid) {
            return Err(invalid("empty or duplicate kid"));
        }
        let alg = entry
            .alg
            .parse::<SigningAlgorithm>()
            .map_err(|_| invalid("unsupported alg"))?;
        let der = entry.der(path)?;
        let key = SigningKey::from_pkcs8(Some(entry.kid.clone()), alg, der).map_err(invalid)?;
        keys.push(key);
    }
    Ok(keys)
}

#[cfg(test)]
mod tests;
