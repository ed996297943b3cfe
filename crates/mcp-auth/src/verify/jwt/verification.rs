//! The verification path, in the order documented on the [`jwt`](super) module.

use std::borrow::Cow;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::claims::RegisteredClaims;
use super::issuer::{CacheContext, Keys, TrustedIssuer};
use super::{Inner, JwsAlgorithm, claims, compact, header};
use crate::auth_info::AuthInfo;
use crate::bearer::BearerToken;
use crate::error::{VerifyError, VerifyErrorKind};
use crate::json;
use crate::verify::jwk::{JwkSet, Selection};

fn error(kind: VerifyErrorKind, detail: &'static str) -> VerifyError {
    VerifyError::new(kind).with_detail(detail)
}

fn malformed(detail: &'static str) -> VerifyError {
    error(VerifyErrorKind::Malformed, detail)
}

/// Buffers a token is decoded into: on the stack of the synchronous path, inside the future
/// of the asynchronous one.
pub(super) struct Buffers {
    header: [u8; 256],
    /// Headers too large for `header` (an `x5c` chain, say).
    header_vec: Vec<u8>,
    /// The payload, then the signature: the claims are parsed (into owned values) before the
    /// signature is decoded, so one buffer serves both and less memory is zeroed per token.
    payload: [u8; PAYLOAD_BUFFER_LEN],
}

const PAYLOAD_BUFFER_LEN: usize = 2048;
const _: () = assert!(PAYLOAD_BUFFER_LEN >= compact::MAX_SIGNATURE_LEN);

impl Buffers {
    pub(super) fn new() -> Self {
        Self {
            header: [0; 256],
            header_vec: Vec::new(),
            payload: [0; PAYLOAD_BUFFER_LEN],
        }
    }
}

/// A token that passed every check that needs no key: steps 1 to 4 of the module docs.
struct Prepared<'s, 't> {
    signing_input: &'t [u8],
    signature: &'t [u8],
    alg: JwsAlgorithm,
    kid: Option<Cow<'t, str>>,
    claims: Map<String, Value>,
    issuer: &'s TrustedIssuer,
}

impl Inner {
    /// The synchronous path: the whole verification when the issuer's keys are at hand (pinned,
    /// or cached and fresh), and every refusal that needs no key. `None` when keys must be
    /// fetched first; the caller then takes [`verify`](Self::verify).
    pub(super) fn verify_now(&self, token: &BearerToken) -> Option<Result<AuthInfo, VerifyError>> {
        let mut buffers = Buffers::new();
        let prepared = match self.prepare(token.secret(), &mut buffers) {
            Ok(prepared) => prepared,
            Err(error) => return Some(Err(error)),
        };
        let keys = prepared.issuer.keys_now()?;
        let kid = prepared.kid.as_deref();
        if matches!(keys.select(kid, prepared.alg), Selection::UnknownKid)
            && !prepared.issuer.is_pinned()
        {
            // Maybe a new key: the asynchronous path refetches (rate-limited).
            return None;
        }
        Some(self.finish(token, prepared, &keys))
    }

    /// One whole verification: the synchronous path when it can decide, else the asynchronous
    /// one.
    pub(super) async fn check(&self, token: &BearerToken) -> Result<AuthInfo, VerifyError> {
        match self.verify_now(token) {
            Some(result) => result,
            None => self.verify(token).await,
        }
    }

    /// The asynchronous path: fetches metadata and keys as needed.
    pub(super) async fn verify(&self, token: &BearerToken) -> Result<AuthInfo, VerifyError> {
        let mut buffers = Buffers::new();
        let prepared = self.prepare(token.secret(), &mut buffers)?;
        let keys = self
            .key_set(prepared.issuer, prepared.kid.as_deref(), prepared.alg)
            .await?;
        self.finish(token, prepared, &keys)
    }

    /// Steps 1 to 4: format, header, payload, trusted issuer. No network, no key.
    fn prepare<'s, 't>(
        &'s self,
        token: &'t str,
        buffers: &'t mut Buffers,
    ) -> Result<Prepared<'s, 't>, VerifyError> {
        let parts = compact::split(token)
            .ok_or_else(|| malformed("not a compact JWS of at most 16 KiB"))?;

        let header_bytes = match compact::decode_into(parts.header, &mut buffers.header) {
            Some(bytes) => bytes,
            None => {
                buffers.header_vec = compact::decode(parts.header)
                    .ok_or_else(|| malformed("header is not base64url"))?;
                buffers.header_vec.as_slice()
            }
        };
        let header = header::parse(header_bytes)?;
        let alg = self.algorithm(header.alg.as_deref())?;
        if !self.typ.accepts(header.typ.as_deref()) {
            return Err(error(VerifyErrorKind::InvalidHeader, "typ is not accepted"));
        }

        let payload_vec;
        let payload = match compact::decode_into(parts.payload, &mut buffers.payload) {
            Some(bytes) => bytes,
            None => {
                payload_vec = compact::decode(parts.payload)
                    .ok_or_else(|| malformed("payload is not base64url"))?;
                payload_vec.as_slice()
            }
        };
        let claims = json::parse_object(payload).map_err(|e| match e {
            json::JsonError::Invalid => malformed("payload is not valid JSON"),
            json::JsonError::NotAnObject => malformed("payload is not a JSON object"),
        })?;

        // The issuer picks the keys, so it is checked first, and without any network access.
        let issuer = self.trusted_issuer(&claims)?;

        // The payload buffer is free again: the claims own their data.
        let signature = compact::decode_signature(parts.signature, &mut buffers.payload)
            .ok_or_else(|| malformed("signature is not base64url"))?;

        Ok(Prepared {
            signing_input: parts.signing_input,
            signature,
            alg,
            kid: header.kid,
            claims,
            issuer,
        })
    }

    /// Steps 5 (key selection) to 7: signature, then claims.
    fn finish(
        &self,
        token: &BearerToken,
        prepared: Prepared<'_, '_>,
        keys: &JwkSet,
    ) -> Result<AuthInfo, VerifyError> {
        let Prepared {
            signing_input,
            signature,
            alg,
            kid,
            claims,
            issuer,
        } = prepared;
        let key = match keys.select(kid.as_deref(), alg) {
            Selection::Key(key) => key,
            other => return Err(selection_error(&other, kid.is_some())),
        };
        if !key.verify(alg, signing_input, signature) {
            return Err(VerifyError::new(VerifyErrorKind::InvalidSignature));
        }
        // The token is authentic; now its claims.
        self.authorize(token, issuer, claims)
    }

    fn algorithm(&self, alg: Option<&str>) -> Result<JwsAlgorithm, VerifyError> {
        let Some(alg) = alg else {
            return Err(error(
                VerifyErrorKind::UnsupportedAlgorithm,
                "alg is missing or not a string",
            ));
        };
        match JwsAlgorithm::from_name(alg) {
            Some(alg) if self.algorithms.contains(alg) => Ok(alg),
            _ => Err(error(
                VerifyErrorKind::UnsupportedAlgorithm,
                "alg is not allowed",
            )),
        }
    }

    fn trusted_issuer(&self, claims: &Map<String, Value>) -> Result<&TrustedIssuer, VerifyError> {
        let Some(Value::String(iss)) = claims.get("iss") else {
            return Err(error(
                VerifyErrorKind::InvalidIssuer,
                "iss is missing or not a string",
            ));
        };
        self.issuers
            .iter()
            .find(|trusted| *trusted.issuer == **iss)
            .map(|trusted| &**trusted)
            .ok_or_else(|| {
                error(
                    VerifyErrorKind::InvalidIssuer,
                    "iss is not a trusted issuer",
                )
            })
    }

    /// The issuer's key set, refetched once (rate-limited) when it lacks the token's `kid`.
    async fn key_set(
        &self,
        issuer: &TrustedIssuer,
        kid: Option<&str>,
        alg: JwsAlgorithm,
    ) -> Result<Arc<JwkSet>, VerifyError> {
        let ctx = CacheContext {
            registry: &self.registry,
            config: &self.jwks_config,
            http: &self.http,
            clock: &self.clock,
        };
        let cache = match issuer.keys(ctx).await? {
            Keys::Static(keys) => return Ok(keys),
            Keys::Cached(cache) => cache,
        };
        let keys = cache.key_set().await?;
        if !matches!(keys.select(kid, alg), Selection::UnknownKid) {
            return Ok(keys);
        }
        match cache.refresh_for_unknown_kid(&keys).await? {
            Some(newer) => Ok(newer),
            None => Err(error(VerifyErrorKind::KeyNotFound, "unknown kid")),
        }
    }

    fn authorize(
        &self,
        token: &BearerToken,
        issuer: &TrustedIssuer,
        claims: Map<String, Value>,
    ) -> Result<AuthInfo, VerifyError> {
        let found = RegisteredClaims::find(&claims);
        let now = self.clock.now() as f64;
        let expires_at = claims::check_time_claims(&found, now, self.leeway, self.rfc9068)?;
        let accepted = self.check_audience.then_some(&self.audiences[..]);
        let audience = claims::audience(found.aud, accepted)?;
        let subject = claims::subject_claim(found.sub)?;
        let client_id = claims::client_claim(found.client_id, found.azp, self.rfc9068)?;
        claims::check_jti(found.jti, self.rfc9068)?;
        let scopes = self
            .scope_claim
            .extract_with(|name| found.scope_claim(name))?;
        Ok(AuthInfo {
            token: token.clone(),
            issuer: issuer.issuer.to_string(),
            subject,
            client_id,
            scopes,
            audience,
            expires_at: Some(expires_at),
            resource: Some(self.resource.to_string()),
            claims: Arc::new(claims),
        })
    }
}

fn selection_error(selection: &Selection<'_>, has_kid: bool) -> VerifyError {
    match selection {
        Selection::NoFittingKey if has_kid => error(
            VerifyErrorKind::UnsupportedAlgorithm,
            "the key does not fit alg",
        ),
        Selection::Ambiguous => error(VerifyErrorKind::KeyNotFound, "several keys match"),
        _ => error(VerifyErrorKind::KeyNotFound, "no key matches"),
    }
}
