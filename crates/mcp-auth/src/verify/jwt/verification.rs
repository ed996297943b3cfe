//! The verification path, in the order documented on the [`jwt`](super) module.

use std::sync::Arc;

use serde_json::{Map, Value};

use super::issuer::{CacheContext, Keys, TrustedIssuer};
use super::{Inner, JwsAlgorithm, claims, compact, header, json};
use crate::auth_info::AuthInfo;
use crate::bearer::BearerToken;
use crate::error::{VerifyError, VerifyErrorKind};
use crate::verify::jwk::{JwkSet, Selection};

fn error(kind: VerifyErrorKind, detail: &'static str) -> VerifyError {
    VerifyError::new(kind).with_detail(detail)
}

fn malformed(detail: &'static str) -> VerifyError {
    error(VerifyErrorKind::Malformed, detail)
}

impl Inner {
    pub(super) async fn verify(&self, token: &BearerToken) -> Result<AuthInfo, VerifyError> {
        let parts = compact::split(token.secret())
            .ok_or_else(|| malformed("not a compact JWS of at most 16 KiB"))?;

        let header_bytes =
            compact::decode(parts.header).ok_or_else(|| malformed("header is not base64url"))?;
        let header = header::parse(&header_bytes)?;
        let alg = self.algorithm(header.alg.as_deref())?;
        if !self.typ.accepts(header.typ.as_deref()) {
            return Err(error(VerifyErrorKind::InvalidHeader, "typ is not accepted"));
        }

        let payload =
            compact::decode(parts.payload).ok_or_else(|| malformed("payload is not base64url"))?;
        let claims = json::parse_object(&payload).map_err(|e| match e {
            json::JsonError::Invalid => malformed("payload is not valid JSON"),
            json::JsonError::NotAnObject => malformed("payload is not a JSON object"),
        })?;
        drop(payload);

        // The issuer picks the keys, so it is checked first, and without any network access.
        let issuer = self.trusted_issuer(&claims)?;

        let mut sig_buf = [0u8; compact::MAX_SIGNATURE_LEN];
        let signature = compact::decode_signature(parts.signature, &mut sig_buf)
            .ok_or_else(|| malformed("signature is not base64url"))?;

        let kid = header.kid.as_deref();
        let keys = self.key_set(issuer, kid, alg).await?;
        let key = match keys.select(kid, alg) {
            Selection::Key(key) => key,
            other => return Err(selection_error(&other, kid.is_some())),
        };
        if !key.verify(alg, parts.signing_input, signature) {
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
        let now = self.clock.now() as f64;
        let expires_at = claims::check_times(&claims, now, self.leeway, self.rfc9068)?;
        let accepted = self.check_audience.then_some(&self.audiences[..]);
        let audience = claims::check_audience(&claims, accepted)?;
        let subject = claims::subject(&claims)?;
        let client_id = claims::client_id(&claims, self.rfc9068)?;
        claims::check_jti(&claims, self.rfc9068)?;
        let scopes = self.scope_claim.extract(&claims)?;
        Ok(AuthInfo {
            token: token.clone(),
            issuer: issuer.issuer.to_string(),
            subject,
            client_id,
            scopes,
            audience,
            expires_at: Some(expires_at),
            resource: Some(self.resource.to_string()),
            claims,
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
