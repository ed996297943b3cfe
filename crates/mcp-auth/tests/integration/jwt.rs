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

#[tokio::test]
async fn d01_tampered_payload_or_header() {
    let other = TestKey::rsa("k2", 1);
    let env = env().await;
    env.issuer.publish(&[&env.key, &other]);
    let good = env.token(&env.claims());
    let (head, rest) = good.split_once('.').unwrap();
    let (_, sig) = rest.split_once('.').unwrap();
    let swap_payload =
        |claims: &Value| format!("{head}.{}.{sig}", b64(claims.to_string().as_bytes()));
    let swap_header = |h: &Value| {
        let (_, tail) = good.split_once('.').unwrap();
        format!("{}.{tail}", b64(h.to_string().as_bytes()))
    };
    for tampered in [
        swap_payload(&with(env.claims(), "sub", json!("user-124"))),
        swap_payload(&with(
            env.claims(),
            "scope",
            json!("todo:read todo:write admin"),
        )),
        swap_header(&json!({"alg": "RS256", "typ": "at+jwt", "kid": "k2"})),
        swap_header(&json!({"alg": "RS256", "typ": "JWT", "kid": "k1"})),
    ] {
        assert_eq!(
            check(&env.verifier, &tampered).await.unwrap_err(),
            InvalidSignature
        );
    }
    assert!(check(&env.verifier, &good).await.is_ok());
}

#[tokio::test]
async fn d03_untrusted_key_with_trusted_kid() {
    let env = env().await;
    let impostor = TestKey::rsa("k1", 3);
    let t = token(&impostor, &env.claims());
    assert_eq!(
        check(&env.verifier, &t).await.unwrap_err(),
        InvalidSignature
    );
}

#[tokio::test]
async fn d04_missing_kid() {
    let env = env().await;
    let h = json!({"alg": "RS256", "typ": "at+jwt"}).to_string();
    let claims = with(env.claims(), "exp", json!(NOW + 7200));
    let t = env.forge(h.as_bytes(), claims.to_string().as_bytes());
    assert!(check(&env.verifier, &t).await.is_ok(), "one suitable key");
    // Two candidate RSA keys: the token must say which.
    let second = TestKey::rsa("k2", 1);
    env.issuer.publish(&[&env.key, &second]);
    env.clock.advance(601);
    assert_eq!(check(&env.verifier, &t).await.unwrap_err(), KeyNotFound);
    // An EC key next to one RSA key is no candidate for RS256.
    env.issuer.publish(&[&env.key, &TestKey::p256("e1")]);
    env.clock.advance(601);
    assert!(check(&env.verifier, &t).await.is_ok());
}

/// The order n of P-256, big-endian.
const P256_N: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];

#[tokio::test]
async fn d10_ecdsa_high_s_twin_is_valid_and_has_the_same_claims() {
    let key = TestKey::p256("e1");
    let issuer = Issuer::start(&[&key]).await;
    let verifier = issuer.verifier(&ManualClock::new(NOW));
    let t = token(&key, &issuer.claims(NOW));
    let (input, sig) = t.rsplit_once('.').unwrap();
    let mut sig =
        base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, sig).unwrap();
    // s' = n - s (big-endian subtraction).
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let diff = i16::from(P256_N[i]) - i16::from(sig[32 + i]) - borrow;
        sig[32 + i] = diff.rem_euclid(256) as u8;
        borrow = i16::from(diff < 0);
    }
    let twin = format!("{input}.{}", b64(&sig));
    assert_ne!(twin, t);
    let a = check(&verifier, &t).await.unwrap();
    let b = check(&verifier, &twin).await.unwrap();
    // JOSE has no low-S rule: both verify. Anything keyed on the token must use the claims
    // (`jti`), which are identical, not the signature bytes.
    assert_eq!(a.claims, b.claims);
    assert_eq!(a.claims["jti"], "jti-1");
}

#[tokio::test]
async fn d11_eddsa_strictness() {
    let key = TestKey::ed25519("ed");
    let issuer = Issuer::start(&[&key]).await;
    let verifier = issuer.verifier(&ManualClock::new(NOW));
    let claims = issuer.claims(NOW);
    let t = token(&key, &claims);
    let (input, sig) = t.rsplit_once('.').unwrap();
    let mut sig =
        base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, sig).unwrap();
    // S + L: same scalar mod L, not canonical (RFC 8032 §5.1.7).
    const L: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde,
        0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];
    let mut carry = 0u16;
    for (s, l) in sig[32..].iter_mut().zip(L) {
        let sum = u16::from(*s) + u16::from(l) + carry;
        *s = sum as u8;
        carry = sum >> 8;
    }
    let malleated = format!("{input}.{}", b64(&sig));
    assert_eq!(
        check(&verifier, &malleated).await.unwrap_err(),
        InvalidSignature
    );

    // A small-order public key (the identity) would verify R = identity, S = 0 for any
    // message in aws-lc; the key is refused when the JWKS is parsed.
    let mut identity = [0u8; 32];
    identity[0] = 1;
    issuer.publish_raw(vec![
        json!({"kty": "OKP", "crv": "Ed25519", "kid": "id", "x": b64(&identity)}),
    ]);
    let verifier = issuer.verifier(&ManualClock::new(NOW));
    let mut forged_sig = vec![0u8; 64];
    forged_sig[0] = 1;
    let h = json!({"alg": "EdDSA", "typ": "at+jwt", "kid": "id"}).to_string();
    let forged = forge(
        h.as_bytes(),
        claims.to_string().as_bytes(),
        Signer::Bytes(forged_sig),
    );
    assert_eq!(check(&verifier, &forged).await.unwrap_err(), KeyNotFound);
}

/// EMSA-PKCS1-v1_5 encoding of SHA-256(`message`) for a `len`-byte modulus (RFC 8017 §9.2).
fn pkcs1_sha256_encoding(message: &[u8], len: usize) -> Vec<u8> {
    const DIGEST_INFO: [u8; 19] = [
        0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
        0x05, 0x00, 0x04, 0x20,
    ];
    let hash = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, message);
    let t = [&DIGEST_INFO[..], hash.as_ref()].concat();
    let mut em = vec![0x00, 0x01];
    em.resize(len - t.len() - 1, 0xff);
    em.push(0x00);
    em.extend_from_slice(&t);
    em
}

#[tokio::test]
async fn d12_weak_or_broken_rsa_keys() {
    let env = env().await;
    let n = env.key.rsa_n();
    // e = 1: the "signature" is the encoded message itself; anyone could forge it.
    env.issuer.publish_raw(vec![
        env.key.jwk(),
        json!({"kty": "RSA", "kid": "e1", "n": b64(&n), "e": "AQ"}),
        json!({"kty": "RSA", "kid": "short", "n": b64(&n[..128]), "e": "AQAB"}),
    ]);
    let payload = env.claims().to_string();
    let h = json!({"alg": "RS256", "typ": "at+jwt", "kid": "e1"}).to_string();
    let input = format!("{}.{}", b64(h.as_bytes()), b64(payload.as_bytes()));
    let forged = format!(
        "{input}.{}",
        b64(&pkcs1_sha256_encoding(input.as_bytes(), n.len()))
    );
    assert_eq!(
        check(&env.verifier, &forged).await.unwrap_err(),
        KeyNotFound
    );
    let h = json!({"alg": "RS256", "typ": "at+jwt", "kid": "short"}).to_string();
    let t = env.forge(h.as_bytes(), payload.as_bytes());
    assert_eq!(check(&env.verifier, &t).await.unwrap_err(), KeyNotFound);
    // The good key of the same document still works.
    assert!(
        check(&env.verifier, &env.token(&env.claims()))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn d15_symmetric_key_in_the_remote_jwks() {
    let env = env().await;
    let secret = b"a-secret-published-for-everyone";
    env.issuer.publish_raw(vec![
        env.key.jwk(),
        json!({"kty": "oct", "kid": "s1", "k": b64(secret), "alg": "HS256"}),
    ]);
    let payload = env.claims().to_string();
    let h = json!({"alg": "HS256", "typ": "at+jwt", "kid": "s1"}).to_string();
    let t = forge(
        h.as_bytes(),
        payload.as_bytes(),
        Signer::Hmac("HS256", secret),
    );
    assert_eq!(
        check(&env.verifier, &t).await.unwrap_err(),
        UnsupportedAlgorithm
    );
    let h = json!({"alg": "RS256", "typ": "at+jwt", "kid": "s1"}).to_string();
    let t = forge(
        h.as_bytes(),
        payload.as_bytes(),
        Signer::Hmac("HS256", secret),
    );
    assert_eq!(check(&env.verifier, &t).await.unwrap_err(), KeyNotFound);
}

#[tokio::test]
async fn d16_encryption_only_keys() {
    for (member, value) in [
        ("use", json!("enc")),
        ("key_ops", json!(["encrypt"])),
        ("key_ops", json!([])),
    ] {
        let env = env().await;
        env.issuer
            .publish_raw(vec![with(env.key.jwk(), member, value.clone())]);
        let t = env.token(&env.claims());
        assert_eq!(
            check(&env.verifier, &t).await.unwrap_err(),
            KeyNotFound,
            "{member}: {value}"
        );
    }
}
