//! Warm-cache JWT verification cost against the signature-verification floor.
//!
//! For RS256, ES256 and EdDSA tokens with ~650 bytes of RFC 9068 style claims, in one run:
//!
//! * `jwt_verifier`: [`JwtVerifier`] with a pinned key set (no network) and **no result cache**
//!   (`without_cache`): every call checks the signature and the claims, as for a token seen
//!   for the first time; through the [`TokenVerifier`] trait, polled once (it never waits when
//!   keys are pinned);
//! * `jwt_verifier_warm`: the default [`JwtVerifier`], which remembers a verified token: the
//!   cost of every later request with the same token;
//! * `raw_unparsed`: aws-lc-rs `UnparsedPublicKey::verify` of the same signing input (what
//!   `jsonwebtoken` calls: the key is parsed on every verification);
//! * `raw_parsed`: aws-lc-rs `ParsedPublicKey::verify_sig` (the crypto floor);
//! * `jsonwebtoken_decode`: `jsonwebtoken::decode` with an equivalent `Validation`.
//!
//! Targets: cold `jwt_verifier` throughput ≥ 0.85 × `raw_unparsed` for RS256, ≥ 0.9 × for
//! ES256 and EdDSA. Run with `cargo bench -p mcp-auth --bench verify`.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair as RsaKeyPair, KeySize, PublicKeyComponents};
use aws_lc_rs::signature::{
    self, EcdsaKeyPair, Ed25519KeyPair, KeyPair as _, ParsedPublicKey, UnparsedPublicKey,
    VerificationAlgorithm,
};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use criterion::{Criterion, criterion_group};
use mcp_auth::{BearerToken, JwtVerifier, TokenVerifier};
use serde_json::{Map, Value, json};

const ISSUER: &str = "https://auth.example.com/oidc";
const RESOURCE: &str = "https://api.example.com/mcp";

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// RFC 9068 style claims, about 650 bytes of JSON.
fn claims() -> Value {
    let now = mcp_auth::clock::Clock::now(&mcp_auth::clock::SystemClock::default());
    json!({
        "iss": ISSUER,
        "sub": "248289761001-user-7c1f5a2e",
        "aud": [RESOURCE, "https://api.example.com/admin"],
        "exp": now + 3600,
        "iat": now,
        "nbf": now,
        "jti": "b2f3c4d5-e6f7-4a8b-9c0d-1e2f3a4b5c6d",
        "client_id": "mcp-inspector-client-0a1b2c3d",
        "azp": "mcp-inspector-client-0a1b2c3d",
        "scope": "openid profile email todo:read todo:write todo:delete offline_access",
        "auth_time": now - 120,
        "sid": "08a5019c-17e1-4977-8f42-65a12843ea02",
        "acr": "urn:mace:incommon:iap:silver",
        "email": "jane.doe@example.com",
        "preferred_username": "jane.doe",
        "roles": ["admin", "editor", "viewer"],
    })
}

enum Key {
    Rsa(RsaKeyPair),
    Ec(EcdsaKeyPair),
    Ed(Ed25519KeyPair),
}

struct Case {
    name: &'static str,
    alg: &'static str,
    key: Key,
    raw_alg: &'static dyn VerificationAlgorithm,
    jwt_alg: jsonwebtoken::Algorithm,
}

impl Case {
    fn jwk(&self) -> Value {
        match &self.key {
            Key::Rsa(pair) => {
                let c = PublicKeyComponents::<Vec<u8>>::from(pair.public_key());
                json!({"kty": "RSA", "kid": "k1", "alg": self.alg, "use": "sig",
                       "n": b64(&c.n), "e": b64(&c.e)})
            }
            Key::Ec(pair) => {
                let p = pair.public_key().as_ref();
                json!({"kty": "EC", "crv": "P-256", "kid": "k1", "alg": self.alg, "use": "sig",
                       "x": b64(&p[1..33]), "y": b64(&p[33..])})
            }
            Key::Ed(pair) => json!({"kty": "OKP", "crv": "Ed25519", "kid": "k1",
                                    "alg": self.alg, "use": "sig",
                                    "x": b64(pair.public_key().as_ref())}),
        }
    }

    /// The public key bytes `UnparsedPublicKey` takes (PKCS#1 DER, SEC 1 point, raw Ed25519).
    fn public_bytes(&self) -> Vec<u8> {
        match &self.key {
            Key::Rsa(pair) => pair.public_key().as_ref().to_vec(),
            Key::Ec(pair) => pair.public_key().as_ref().to_vec(),
            Key::Ed(pair) => pair.public_key().as_ref().to_vec(),
        }
    }

    fn token(&self) -> String {
        let header = json!({"typ": "at+jwt", "alg": self.alg, "kid": "k1"});
        let input = format!(
            "{}.{}",
            b64(header.to_string().as_bytes()),
            b64(claims().to_string().as_bytes())
        );
        let rng = SystemRandom::new();
        let sig = match &self.key {
            Key::Rsa(pair) => {
                let mut sig = vec![0; pair.public_modulus_len()];
                pair.sign(
                    &signature::RSA_PKCS1_SHA256,
                    &rng,
                    input.as_bytes(),
                    &mut sig,
                )
                .unwrap();
                sig
            }
            Key::Ec(pair) => pair.sign(&rng, input.as_bytes()).unwrap().as_ref().to_vec(),
            Key::Ed(pair) => pair.sign(input.as_bytes()).as_ref().to_vec(),
        };
        format!("{input}.{}", b64(&sig))
    }
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "RS256",
            alg: "RS256",
            key: Key::Rsa(RsaKeyPair::generate(KeySize::Rsa2048).unwrap()),
            raw_alg: &signature::RSA_PKCS1_2048_8192_SHA256,
            jwt_alg: jsonwebtoken::Algorithm::RS256,
        },
        Case {
            name: "ES256",
            alg: "ES256",
            key: Key::Ec(
                EcdsaKeyPair::generate(&signature::ECDSA_P256_SHA256_FIXED_SIGNING).unwrap(),
            ),
            raw_alg: &signature::ECDSA_P256_SHA256_FIXED,
            jwt_alg: jsonwebtoken::Algorithm::ES256,
        },
        Case {
            name: "EdDSA",
            alg: "EdDSA",
            key: Key::Ed(Ed25519KeyPair::generate().unwrap()),
            raw_alg: &signature::ED25519,
            jwt_alg: jsonwebtoken::Algorithm::EdDSA,
        },
    ]
}

/// Polls a future that must complete without waiting (pinned keys: no I/O).
fn ready<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("verification with pinned keys never waits"),
    }
}

fn bench(c: &mut Criterion) {
    for case in cases() {
        let token = case.token();
        let jwks = json!({ "keys": [case.jwk()] }).to_string();
        let (input, sig) = token.rsplit_once('.').unwrap();
        let sig = URL_SAFE_NO_PAD.decode(sig).unwrap();
        let input = input.as_bytes().to_vec();
        println!(
            "{}: token {} bytes, claims {} bytes of JSON",
            case.name,
            token.len(),
            claims().to_string().len()
        );

        let warm = JwtVerifier::new(RESOURCE)
            .unwrap()
            .with_static_jwks(ISSUER, jwks.as_bytes())
            .unwrap();
        let verifier = warm.clone().without_cache();
        let bearer = BearerToken::new(token.as_str());
        ready(verifier.verify(&bearer)).expect("the benchmark token verifies");
        ready(warm.verify(&bearer)).expect("the benchmark token verifies");

        let public = case.public_bytes();
        let unparsed = UnparsedPublicKey::new(case.raw_alg, public.clone());
        unparsed.verify(&input, &sig).unwrap();
        let parsed = ParsedPublicKey::new(case.raw_alg, &public).unwrap();
        parsed.verify_sig(&input, &sig).unwrap();

        let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_value(case.jwk()).unwrap();
        let decoding_key = jsonwebtoken::DecodingKey::from_jwk(&jwk).unwrap();
        let mut validation = jsonwebtoken::Validation::new(case.jwt_alg);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[RESOURCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        jsonwebtoken::decode::<Map<String, Value>>(&token, &decoding_key, &validation).unwrap();

        let mut group = c.benchmark_group(case.name);
        group.warm_up_time(Duration::from_secs(2));
        group.measurement_time(Duration::from_secs(5));
        group.bench_function("jwt_verifier", |b| {
            b.iter(|| ready(verifier.verify(black_box(&bearer))).unwrap());
        });
        group.bench_function("jwt_verifier_warm", |b| {
            b.iter(|| ready(warm.verify(black_box(&bearer))).unwrap());
        });
        group.bench_function("raw_unparsed", |b| {
            b.iter(|| {
                UnparsedPublicKey::new(case.raw_alg, black_box(public.as_slice()))
                    .verify(black_box(&input), black_box(&sig))
                    .unwrap();
            });
        });
        group.bench_function("raw_parsed", |b| {
            b.iter(|| {
                parsed
                    .verify_sig(black_box(&input), black_box(&sig))
                    .unwrap()
            });
        });
        group.bench_function("jsonwebtoken_decode", |b| {
            b.iter(|| {
                jsonwebtoken::decode::<Map<String, Value>>(
                    black_box(&token),
                    &decoding_key,
                    &validation,
                )
                .unwrap()
            });
        });
        group.finish();
    }
}

/// Interleaved A/B timing of the same operations: on a shared machine, drift between the
/// sequential criterion groups can exceed the differences measured, so the ratios are also
/// computed from alternating batches (median of rounds).
fn interleaved_ratios() {
    const ROUNDS: usize = 101;
    const BATCH: u32 = 100;
    println!("\ninterleaved medians ({ROUNDS} rounds of {BATCH} per operation):");
    println!(
        "| alg | jwt_verifier µs | raw_unparsed µs | raw_parsed µs | jsonwebtoken µs | verifier / unparsed (throughput) | overhead vs parsed µs |"
    );
    println!("|---|---|---|---|---|---|---|");
    for case in cases() {
        let token = case.token();
        let jwks = json!({ "keys": [case.jwk()] }).to_string();
        let (input, sig) = token.rsplit_once('.').unwrap();
        let sig = URL_SAFE_NO_PAD.decode(sig).unwrap();
        let input = input.as_bytes().to_vec();
        // Cold: no result cache, so every call is a full verification.
        let verifier = JwtVerifier::new(RESOURCE)
            .unwrap()
            .with_static_jwks(ISSUER, jwks.as_bytes())
            .unwrap()
            .without_cache();
        let bearer = BearerToken::new(token.as_str());
        let public = case.public_bytes();
        let parsed = ParsedPublicKey::new(case.raw_alg, &public).unwrap();
        let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_value(case.jwk()).unwrap();
        let decoding_key = jsonwebtoken::DecodingKey::from_jwk(&jwk).unwrap();
        let mut validation = jsonwebtoken::Validation::new(case.jwt_alg);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[RESOURCE]);
        let mut samples: [Vec<f64>; 4] = Default::default();
        let time = |f: &mut dyn FnMut()| {
            let start = std::time::Instant::now();
            for _ in 0..BATCH {
                f();
            }
            start.elapsed().as_secs_f64() * 1e6 / f64::from(BATCH)
        };
        for _ in 0..ROUNDS {
            samples[0].push(time(&mut || {
                ready(verifier.verify(black_box(&bearer))).unwrap();
            }));
            samples[1].push(time(&mut || {
                UnparsedPublicKey::new(case.raw_alg, black_box(public.as_slice()))
                    .verify(black_box(&input), black_box(&sig))
                    .unwrap();
            }));
            samples[2].push(time(&mut || {
                parsed
                    .verify_sig(black_box(&input), black_box(&sig))
                    .unwrap();
            }));
            samples[3].push(time(&mut || {
                jsonwebtoken::decode::<Map<String, Value>>(
                    black_box(&token),
                    &decoding_key,
                    &validation,
                )
                .unwrap();
            }));
        }
        // Ratios per round (both batches ran back to back), then the median: robust to load
        // bursts from other processes.
        let median = |mut s: Vec<f64>| {
            s.sort_by(f64::total_cmp);
            s[s.len() / 2]
        };
        let ratio = median(
            samples[1]
                .iter()
                .zip(&samples[0])
                .map(|(u, v)| u / v)
                .collect(),
        );
        let overhead = median(
            samples[0]
                .iter()
                .zip(&samples[2])
                .map(|(v, p)| v - p)
                .collect(),
        );
        let [v, u, p, j] = samples.map(median);
        println!(
            "| {} | {v:.1} | {u:.1} | {p:.1} | {j:.1} | {ratio:.2} | {overhead:.1} |",
            case.name
        );
    }
}

criterion_group!(benches, bench);

fn main() {
    benches();
    // `cargo bench -- --profile-time N` is for profilers: skip the extra measurement.
    if !std::env::args().any(|a| a == "--profile-time") {
        interleaved_ratios();
    }
    Criterion::default().configure_from_args().final_summary();
}
