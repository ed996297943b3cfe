//! `JwtVerifier` against a real local issuer over HTTP: token format (B), JOSE header (C) and
//! signature / key selection (D) cases of the battery. Claims cases are in `jwt/claims.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use mcp_auth::clock::ManualClock;
use mcp_auth::verify::JwsAlgorithm;
use mcp_auth::{AuthInfo, BearerToken, JwtVerifier, TokenVerifier, VerifyErrorKind};
use serde_json::{Value, json};

use crate::support::{
    Canary, Issuer, NOW, Signer, TestKey, b64, forge, header, pem, token, with, without,
};

mod claims;
mod keys;
mod result_cache;
mod scopes;

use VerifyErrorKind::*;

/// A running issuer publishing `key` (RSA, kid `k1`), a clock at [`NOW`], and a verifier.
pub(crate) struct Env {
    pub(crate) issuer: Issuer,
    pub(crate) key: TestKey,
    pub(crate) clock: ManualClock,
    pub(crate) verifier: JwtVerifier,
}

pub(crate) async fn env() -> Env {
    let key = TestKey::rsa("k1", 0);
    let issuer = Issuer::start(&[&key]).await;
    let clock = ManualClock::new(NOW);
    let verifier = issuer.verifier(&clock);
    Env {
        issuer,
        key,
        clock,
        verifier,
    }
}

impl Env {
    pub(crate) fn claims(&self) -> Value {
        self.issuer.claims(NOW)
    }

    pub(crate) fn token(&self, claims: &Value) -> String {
        token(&self.key, claims)
    }

    /// Signs raw header and payload bytes with the issuer's key.
    pub(crate) fn forge(&self, header: &[u8], payload: &[u8]) -> String {
        forge(header, payload, Signer::Key(&self.key))
    }

    pub(crate) fn fetches(&self) -> (usize, usize) {
        (self.issuer.metadata_hits(), self.issuer.jwks_hits())
    }
}

pub(crate) async fn check(
    verifier: &JwtVerifier,
    token: &str,
) -> Result<AuthInfo, VerifyErrorKind> {
    verifier
        .verify(&BearerToken::new(token))
        .await
        .map_err(|e| e.kind())
}

#[tokio::test]
async fn valid_token_is_accepted_and_mapped() {
    let env = env().await;
    let info = check(&env.verifier, &env.token(&env.claims()))
        .await
        .unwrap();
    assert_eq!(info.issuer, env.issuer.url);
    assert_eq!(info.subject, "user-123");
    assert_eq!(info.client_id.as_deref(), Some("client-abc"));
    assert_eq!(info.scopes, ["todo:read", "todo:write"]);
    assert_eq!(info.expires_at, Some(NOW + 300));
    assert_eq!(env.fetches(), (1, 1));
    // Warm: no further fetch.
    check(&env.verifier, &env.token(&env.claims()))
        .await
        .unwrap();
    assert_eq!(env.fetches(), (1, 1));
}

#[tokio::test]
async fn every_algorithm_verifies_with_its_key() {
    let keys = [
        TestKey::rsa("rs", 1),
        TestKey::rsa("ps", 1).with_alg("PS256"),
        TestKey::rsa("rs512", 1).with_alg("RS512"),
        TestKey::rsa("ps384", 1).with_alg("PS384"),
        TestKey::p256("es256"),
        TestKey::p384("es384"),
        TestKey::p521("es512"),
        TestKey::ed25519("ed"),
    ];
    let issuer = Issuer::start(&keys.iter().collect::<Vec<_>>()).await;
    let verifier = issuer.verifier(&ManualClock::new(NOW));
    for key in &keys {
        let result = check(&verifier, &token(key, &issuer.claims(NOW))).await;
        assert!(result.is_ok(), "{}: {result:?}", key.alg);
    }
}

#[tokio::test]
async fn b01_not_a_jwt() {
    let env = env().await;
    for t in ["abc", "a.b", "a.b.c.d", "Bearer a.b.c", "a.b.c.d.e"] {
        assert_eq!(check(&env.verifier, t).await.unwrap_err(), Malformed, "{t}");
    }
    assert_eq!(env.fetches(), (0, 0));
}

#[tokio::test]
async fn b02_null_signature() {
    let env = env().await;
    let full = env.token(&env.claims());
    let unsigned = format!("{}.", &full[..full.rfind('.').unwrap()]);
    assert_eq!(
        check(&env.verifier, &unsigned).await.unwrap_err(),
        Malformed
    );
    assert_eq!(env.fetches(), (0, 0));
}

#[tokio::test]
async fn b03_jwe_where_jws_expected() {
    let env = env().await;
    for protected in [
        json!({"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": "k1", "zip": "DEF"}),
        json!({"alg": "PBES2-HS512+A256KW", "enc": "A256GCM", "p2c": 2_147_483_648u64,
               "p2s": "c2FsdA"}),
    ] {
        let jwe = format!(
            "{}.{}.{}.{}.{}",
            b64(protected.to_string().as_bytes()),
            b64(&[7; 256]),
            b64(&[1; 12]),
            b64(env.claims().to_string().as_bytes()),
            b64(&[2; 16])
        );
        assert_eq!(check(&env.verifier, &jwe).await.unwrap_err(), Malformed);
        // Three parts with a JWE header: the alg is not a signature algorithm.
        let three = env.forge(protected.to_string().as_bytes(), b"{}");
        assert_eq!(
            check(&env.verifier, &three).await.unwrap_err(),
            UnsupportedAlgorithm
        );
    }
    assert_eq!(env.fetches(), (0, 0));
}

#[tokio::test]
async fn b06_non_object_json() {
    let env = env().await;
    let good_header = header(&env.key).to_string();
    let good_payload = env.claims().to_string();
    for bad in ["[]", "\"x\"", "1", "null", "true", "{"] {
        let t = env.forge(bad.as_bytes(), good_payload.as_bytes());
        assert_eq!(
            check(&env.verifier, &t).await.unwrap_err(),
            Malformed,
            "header {bad}"
        );
        let t = env.forge(good_header.as_bytes(), bad.as_bytes());
        assert_eq!(
            check(&env.verifier, &t).await.unwrap_err(),
            Malformed,
            "payload {bad}"
        );
    }
    assert_eq!(env.fetches(), (0, 0));
}

#[tokio::test]
async fn b07_encodings() {
    let env = env().await;
    let h = header(&env.key).to_string();
    let text = env.claims().to_string();
    let utf16le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let utf16be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
    let bom = [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat();
    let with_bytes = |bytes: &[u8]| {
        let mut payload = text.clone().into_bytes();
        payload.truncate(payload.len() - 1);
        payload.extend_from_slice(b",\"name\":\"");
        payload.extend_from_slice(bytes);
        payload.extend_from_slice(b"\"}");
        payload
    };
    for (what, payload) in [
        ("utf-16le", utf16le),
        ("utf-16be", utf16be),
        ("bom", bom),
        ("invalid utf-8", with_bytes(b"\xFF\xFE")),
        ("overlong", with_bytes(b"\xC0\xAF")),
        ("lone surrogate", with_bytes(b"\\ud800")),
    ] {
        let t = env.forge(h.as_bytes(), &payload);
        assert_eq!(
            check(&env.verifier, &t).await.unwrap_err(),
            Malformed,
            "{what}"
        );
    }
    // Control: valid UTF-8 and a valid escaped pair are fine.
    let t = env.forge(h.as_bytes(), &with_bytes("é \\ud83d\\ude00".as_bytes()));
    assert!(check(&env.verifier, &t).await.is_ok());
}

#[tokio::test]
async fn b10_extreme_numbers_and_strings() {
    let env = env().await;
    let h = header(&env.key).to_string();
    let base = without(env.claims(), "exp").to_string();
    let with_exp = |exp: &str| format!("{},\"exp\":{exp}}}", &base[..base.len() - 1]);
    for exp in [
        "1e999999",
        "1E400",
        &"9".repeat(400),
        &format!("-{}", "9".repeat(400)),
    ] {
        let t = env.forge(h.as_bytes(), with_exp(exp).as_bytes());
        assert_eq!(
            check(&env.verifier, &t).await.unwrap_err(),
            Malformed,
            "{exp}"
        );
    }
    // -0 is a number (1970): expired, and before iat.
    let t = env.forge(h.as_bytes(), with_exp("-0").as_bytes());
    assert_eq!(check(&env.verifier, &t).await.unwrap_err(), InvalidIssuedAt);
    // A big string claim inside the 16 KiB cap is fine; past the cap nothing is decoded.
    let big = with(env.claims(), "blob", json!("x".repeat(10_000)));
    assert!(check(&env.verifier, &env.token(&big)).await.is_ok());
    let huge = with(env.claims(), "blob", json!("x".repeat(16_000)));
    assert_eq!(
        check(&env.verifier, &env.token(&huge)).await.unwrap_err(),
        Malformed
    );
}

#[tokio::test]
async fn b13_json_serialization() {
    let env = env().await;
    let compact = env.token(&env.claims());
    let mut parts = compact.split('.');
    let (h, p, s) = (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    );
    let general = json!({"payload": p, "signatures": [{"protected": h, "signature": s}]});
    let flattened = json!({"payload": p, "protected": h, "signature": s});
    for doc in [general, flattened] {
        let raw = doc.to_string();
        assert_eq!(check(&env.verifier, &raw).await.unwrap_err(), Malformed);
        assert_eq!(
            check(&env.verifier, &b64(raw.as_bytes()))
                .await
                .unwrap_err(),
            Malformed
        );
    }
    assert_eq!(env.fetches(), (0, 0));
}

#[tokio::test]
async fn b14_nested_jwt() {
    let env = env().await;
    let inner = env.token(&env.claims());
    // Outer token declares a nested JWT.
    let outer_header = with(header(&env.key), "cty", json!("JWT")).to_string();
    let t = env.forge(outer_header.as_bytes(), inner.as_bytes());
    assert_eq!(check(&env.verifier, &t).await.unwrap_err(), InvalidHeader);
    // Outer token without cty whose payload is a token: not a claims object.
    let t = env.forge(header(&env.key).to_string().as_bytes(), inner.as_bytes());
    assert_eq!(check(&env.verifier, &t).await.unwrap_err(), Malformed);
    // Valid outer claims wrapping an unsigned inner token are just claims: the outer verifies,
    // the inner is never interpreted.
    let unsigned = format!("{}.{}.", b64(br#"{"alg":"none"}"#), b64(b"{}"));
    let t = env.token(&with(env.claims(), "token", json!(unsigned)));
    assert!(check(&env.verifier, &t).await.is_ok());
}

#[tokio::test]
async fn c01_alg_none() {
    let env = env().await;
    let payload = env.claims().to_string();
    for alg in ["none", "None", "NONE", "nOnE"] {
        let h = json!({"alg": alg, "typ": "at+jwt"}).to_string();
        let empty = forge(h.as_bytes(), payload.as_bytes(), Signer::Bytes(Vec::new()));
        assert!(check(&env.verifier, &empty).await.is_err());
        let random = forge(
            h.as_bytes(),
            payload.as_bytes(),
            Signer::Bytes(vec![42; 64]),
        );
        assert_eq!(
            check(&env.verifier, &random).await.unwrap_err(),
            UnsupportedAlgorithm
        );
    }
    assert_eq!(env.fetches(), (0, 0));
}

#[tokio::test]
async fn c03_missing_or_malformed_alg() {
    let env = env().await;
    let payload = env.claims().to_string();
    let mut headers = vec![json!({"typ": "at+jwt", "kid": "k1"})];
    for alg in [
        json!(null),
        json!(""),
        json!([]),
        json!({}),
        json!(1),
        json!(["RS256"]),
    ] {
        headers.push(json!({"alg": alg, "typ": "at+jwt", "kid": "k1"}));
    }
    for h in headers {
        let t = env.forge(h.to_string().as_bytes(), payload.as_bytes());
        assert_eq!(
            check(&env.verifier, &t).await.unwrap_err(),
            UnsupportedAlgorithm,
            "{h}"
        );
    }
    assert_eq!(env.fetches(), (0, 0));
}

#[tokio::test]
async fn c04_rs256_key_used_as_hs256_secret() {
    let env = env().await;
    let (spki, pkcs1) = env.key.rsa_der();
    let jwk_text = env.key.jwk().to_string();
    let n = env.key.rsa_n();
    let secrets: Vec<(&str, Vec<u8>)> = vec![
        ("SPKI PEM", pem("PUBLIC KEY", &spki).into_bytes()),
        ("PKCS#1 PEM", pem("RSA PUBLIC KEY", &pkcs1).into_bytes()),
        ("SPKI DER", spki),
        ("PKCS#1 DER", pkcs1),
        ("JWK JSON", jwk_text.into_bytes()),
        ("raw n", n.clone()),
        ("n base64url", b64(&n).into_bytes()),
        ("empty", Vec::new()),
    ];
    let payload = env.claims().to_string();
    for alg in ["HS256", "HS384", "HS512"] {
        let h = json!({"alg": alg, "typ": "at+jwt", "kid": "k1"}).to_string();
        for (what, secret) in &secrets {
            let t = forge(h.as_bytes(), payload.as_bytes(), Signer::Hmac(alg, secret));
            assert_eq!(
                check(&env.verifier, &t).await.unwrap_err(),
                UnsupportedAlgorithm,
                "{alg} with {what}"
            );
        }
    }
    // Refused before any key is looked at.
    assert_eq!(env.fetches(), (0, 0));
}

#[tokio::test]
async fn c06_family_mismatch() {
    let rsa = TestKey::rsa("rsa", 0);
    let ec = TestKey::p256("ec");
    let issuer = Issuer::start(&[&rsa, &ec]).await;
    let clock = ManualClock::new(NOW);
    let verifier = issuer.verifier(&clock);
    let claims = issuer.claims(NOW).to_string();
    let cases = [
        // (header alg, header kid, signing key)
        ("ES256", "rsa", &ec),
        ("RS256", "ec", &rsa),
        ("EdDSA", "rsa", &rsa),
        ("PS256", "ec", &rsa),
    ];
    for (alg, kid, key) in cases {
        let h = json!({"alg": alg, "typ": "at+jwt", "kid": kid}).to_string();
        let signer = if alg == "EdDSA" {
            Signer::Bytes(vec![0; 64])
        } else {
            Signer::KeyAs(key, alg)
        };
        let t = forge(h.as_bytes(), claims.as_bytes(), signer);
        assert_eq!(
            check(&verifier, &t).await.unwrap_err(),
            UnsupportedAlgorithm,
            "{alg}/{kid}"
        );
    }
    // PS256 where only RS256 is configured.
    let rs_only = verifier.with_algorithms([JwsAlgorithm::RS256]).unwrap();
    let h = json!({"alg": "PS256", "typ": "at+jwt", "kid": "rsa"}).to_string();
    let t = forge(
        h.as_bytes(),
        claims.as_bytes(),
        Signer::KeyAs(&rsa, "PS256"),
    );
    assert_eq!(check(&rs_only, &t).await.unwrap_err(), UnsupportedAlgorithm);
}

#[tokio::test]
async fn c08_algorithms_outside_the_allow_list() {
    let env = env().await;
    let verifier = env
        .verifier
        .clone()
        .with_algorithms([JwsAlgorithm::RS256])
        .unwrap();
    let payload = env.claims().to_string();
    for alg in ["RS384", "RS512", "PS256", "PS512"] {
        let h = json!({"alg": alg, "typ": "at+jwt", "kid": "k1"}).to_string();
        let t = forge(
            h.as_bytes(),
            payload.as_bytes(),
            Signer::KeyAs(&env.key, alg),
        );
        assert_eq!(
            check(&verifier, &t).await.unwrap_err(),
            UnsupportedAlgorithm,
            "{alg}"
        );
        // The same token is fine for the default allow-list.
        assert!(check(&env.verifier, &t).await.is_ok(), "{alg}");
    }
    for alg in ["ES256K", "HS256", "Ed25519", "ES256"] {
        let h = json!({"alg": alg, "typ": "at+jwt", "kid": "k1"}).to_string();
        let t = forge(h.as_bytes(), payload.as_bytes(), Signer::Bytes(vec![1; 64]));
        assert_eq!(
            check(&verifier, &t).await.unwrap_err(),
            UnsupportedAlgorithm,
            "{alg}"
        );
    }
}

#[tokio::test]
async fn c10_kid_injection_strings() {
    let env = env().await;
    check(&env.verifier, &env.token(&env.claims()))
        .await
        .unwrap();
    env.clock.advance(31);
    let payload = env.claims().to_string();
    for kid in [
        "x' UNION SELECT 'AA'--",
        "*)(uid=*",
        "$(id)",
        "`id`",
        "{{7*7}}",
        "%00",
        "\0",
        "../../k1",
    ] {
        let h = json!({"alg": "RS256", "typ": "at+jwt", "kid": kid}).to_string();
        let t = env.forge(h.as_bytes(), payload.as_bytes());
        assert_eq!(
            check(&env.verifier, &t).await.unwrap_err(),
            KeyNotFound,
            "{kid:?}"
        );
    }
    // One refetch for the first unknown kid, none for the rest (cooldown).
    assert_eq!(env.fetches(), (1, 2));
}

/// Header parameters that point at keys are never followed or trusted (C12–C15).
async fn key_reference_case(member: &str, value: impl Fn(&Canary, &TestKey) -> Value) {
    let env = env().await;
    let canary = Canary::start().await;
    let attacker = TestKey::rsa("attacker", 3);
    check(&env.verifier, &env.token(&env.claims()))
        .await
        .unwrap();
    let payload = env.claims().to_string();
    for kid in ["attacker", "k1"] {
        let h = with(
            json!({"alg": "RS256", "typ": "at+jwt", "kid": kid}),
            member,
            value(&canary, &attacker),
        );
        let t = forge(
            h.to_string().as_bytes(),
            payload.as_bytes(),
            Signer::Key(&attacker),
        );
        let expected = if kid == "k1" {
            InvalidSignature
        } else {
            KeyNotFound
        };
        assert_eq!(
            check(&env.verifier, &t).await.unwrap_err(),
            expected,
            "{member} {kid}"
        );
    }
    assert_eq!(canary.hits(), 0, "{member} was fetched");
    assert_eq!(env.fetches(), (1, 1));
}

#[tokio::test]
async fn c12_jku_to_attacker_jwks() {
    key_reference_case("jku", |c, _| json!(format!("{}/jwks.json", c.url))).await;
    key_reference_case("jku", |_, _| {
        json!("http://169.254.169.254/latest/meta-data")
    })
    .await;
}

#[tokio::test]
async fn c13_x5u_to_attacker_certificate() {
    key_reference_case("x5u", |c, _| json!(format!("{}/cert.pem", c.url))).await;
}

#[tokio::test]
async fn c14_embedded_jwk() {
    key_reference_case("jwk", |_, attacker| attacker.jwk()).await;
}

#[tokio::test]
async fn c15_embedded_x5c() {
    // No X.509 generator among the dependencies: the chain carries the attacker's SPKI in
    // certificate position; a real certificate would be ignored the same way (never parsed).
    key_reference_case("x5c", |_, attacker| json!([b64(&attacker.rsa_der().0)])).await;
}

#[tokio::test]
async fn c16_crit() {
    let env = env().await;
    let payload = env.claims().to_string();
    for crit in [
        json!({"crit": ["exp"]}),
        json!({"crit": ["x-demo"], "x-demo": true}),
        json!({"crit": []}),
        json!({"crit": "b64"}),
        json!({"crit": [1]}),
        json!({"crit": ["b64"], "b64": false}),
        json!({"b64": true}),
    ] {
        let mut h = header(&env.key);
        for (k, v) in crit.as_object().unwrap() {
            h[k] = v.clone();
        }
        let t = env.forge(h.to_string().as_bytes(), payload.as_bytes());
        assert_eq!(
            check(&env.verifier, &t).await.unwrap_err(),
            InvalidHeader,
            "{h}"
        );
    }
    assert_eq!(env.fetches(), (0, 0));
}

#[tokio::test]
async fn c19_explicit_typing() {
    let env = env().await;
    let strict = env
        .verifier
        .clone()
        .with_typ_policy(mcp_auth::verify::TypPolicy::Strict);
    let payload = env.claims().to_string();
    let t = |typ: Option<&str>| {
        let mut h = json!({"alg": "RS256", "kid": "k1"});
        if let Some(typ) = typ {
            h["typ"] = json!(typ);
        }
        env.forge(h.to_string().as_bytes(), payload.as_bytes())
    };
    for ok in ["at+jwt", "application/at+jwt", "AT+JWT"] {
        assert!(check(&env.verifier, &t(Some(ok))).await.is_ok(), "{ok}");
        assert!(check(&strict, &t(Some(ok))).await.is_ok(), "strict {ok}");
    }
    // Pinned decision 3: `JWT` and no `typ` are accepted by default, refused in strict mode.
    for compat in [None, Some("JWT"), Some("jwt")] {
        assert!(check(&env.verifier, &t(compat)).await.is_ok(), "{compat:?}");
        assert_eq!(
            check(&strict, &t(compat)).await.unwrap_err(),
            InvalidHeader,
            "{compat:?}"
        );
    }
    for bad in [
        "id_token+jwt",
        "secevent+jwt",
        "logout+jwt",
        "dpop+jwt",
        "JOSE",
    ] {
        assert_eq!(
            check(&env.verifier, &t(Some(bad))).await.unwrap_err(),
            InvalidHeader,
            "{bad}"
        );
    }
}

#[tokio::test]
async fn c20_unknown_non_critical_header_parameter() {
    let env = env().await;
    let h = with(header(&env.key), "x-debug", json!(true)).to_string();
    let t = env.forge(h.as_bytes(), env.claims().to_string().as_bytes());
    assert!(check(&env.verifier, &t).await.is_ok());
}
