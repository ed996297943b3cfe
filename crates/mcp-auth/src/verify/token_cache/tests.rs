#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::*;
use crate::clock::ManualClock;
use crate::error::VerifyErrorKind;
use crate::verify::TokenVerifier;

const NOW: i64 = 1_800_000_000;

/// A verifier that counts its calls and answers from the token text: `ok-*` accepted (with
/// `expires_at` = the number after `exp=` if any), `down` unavailable, anything else refused.
#[derive(Clone, Default)]
struct Counting(Arc<AtomicUsize>);

impl Counting {
    fn calls(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

impl TokenVerifier for Counting {
    fn verify<'a>(
        &'a self,
        token: &'a BearerToken,
    ) -> crate::verify::BoxFuture<'a, Result<AuthInfo, VerifyError>> {
        Box::pin(async move {
            self.0.fetch_add(1, Ordering::SeqCst);
            // Let concurrent callers pile up behind the first one.
            tokio::time::sleep(Duration::from_millis(20)).await;
            let text = token.secret();
            if text == "down" {
                return Err(VerifyError::unavailable("upstream down"));
            }
            if !text.starts_with("ok") && !text.contains('.') {
                return Err(VerifyError::new(VerifyErrorKind::Inactive));
            }
            let mut info = AuthInfo::new(token.clone(), "https://as.test", "alice");
            if let Some((_, exp)) = text.split_once("exp=") {
                info = info.with_expires_at(exp.parse().unwrap());
            }
            Ok(info)
        })
    }
}

fn cached(ttl: u64, capacity: u64) -> (CachedVerifier<Counting>, Counting, ManualClock) {
    let inner = Counting::default();
    let clock = ManualClock::new(NOW);
    let verifier = CachedVerifier::new(inner.clone(), Duration::from_secs(ttl), capacity)
        .unwrap()
        .with_clock(Arc::new(clock.clone()));
    (verifier, inner, clock)
}

async fn verify(v: &CachedVerifier<Counting>, token: &str) -> Result<AuthInfo, VerifyErrorKind> {
    v.verify(&BearerToken::new(token))
        .await
        .map_err(|e| e.kind())
}

#[tokio::test(start_paused = true)]
async fn hits_do_not_call_the_verifier_and_carry_the_presented_token() {
    let (v, inner, _) = cached(60, 100);
    let info = verify(&v, "ok-1").await.unwrap();
    assert_eq!(info.token.secret(), "ok-1");
    for _ in 0..5 {
        let info = verify(&v, "ok-1").await.unwrap();
        assert_eq!(info.subject, "alice");
        assert_eq!(info.token.secret(), "ok-1");
    }
    assert_eq!(inner.calls(), 1);
    verify(&v, "ok-2").await.unwrap();
    assert_eq!(inner.calls(), 2);
}

#[tokio::test(start_paused = true)]
async fn k05_ttl_bounds_the_cache() {
    let (v, inner, clock) = cached(60, 100);
    verify(&v, "ok").await.unwrap();
    clock.advance(59);
    verify(&v, "ok").await.unwrap();
    assert_eq!(inner.calls(), 1);
    clock.advance(1); // cached at NOW, TTL 60: not usable at NOW + 60
    verify(&v, "ok").await.unwrap();
    assert_eq!(inner.calls(), 2);
}

#[tokio::test(start_paused = true)]
async fn k05_never_past_the_reported_expiry() {
    let (v, inner, clock) = cached(600, 100);
    let token = format!("ok-exp={}", NOW + 10);
    verify(&v, &token).await.unwrap();
    clock.advance(9);
    verify(&v, &token).await.unwrap();
    assert_eq!(inner.calls(), 1);
    clock.advance(1);
    verify(&v, &token).await.unwrap();
    assert_eq!(inner.calls(), 2, "a result is never served at or after exp");
}

#[tokio::test(start_paused = true)]
async fn k05_unverified_jwt_exp_only_shortens_the_lifetime() {
    let (v, inner, clock) = cached(600, 100);
    let jwt = |exp: i64| {
        format!(
            "{}.{}.c2ln",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"ES256"}"#),
            URL_SAFE_NO_PAD.encode(format!(r#"{{"exp":{exp}}}"#))
        )
    };
    let short = jwt(NOW + 5);
    verify(&v, &short).await.unwrap();
    clock.advance(5);
    verify(&v, &short).await.unwrap();
    assert_eq!(inner.calls(), 2);

    // A far-future exp does not extend the TTL.
    clock.set(NOW);
    let long = jwt(NOW + 1_000_000);
    verify(&v, &long).await.unwrap();
    clock.advance(600);
    verify(&v, &long).await.unwrap();
    assert_eq!(inner.calls(), 4);
}

#[tokio::test(start_paused = true)]
async fn k05_errors_are_never_cached() {
    let (v, inner, _) = cached(60, 100);
    for _ in 0..3 {
        assert_eq!(
            verify(&v, "down").await.unwrap_err(),
            VerifyErrorKind::Unavailable
        );
        assert_eq!(
            verify(&v, "bad").await.unwrap_err(),
            VerifyErrorKind::Inactive
        );
    }
    assert_eq!(inner.calls(), 6);
    assert_eq!(v.cached_tokens(), 0);
}

#[tokio::test(start_paused = true)]
async fn results_without_time_left_are_returned_but_not_cached() {
    let (v, inner, _) = cached(60, 100);
    let token = format!("ok-exp={NOW}");
    verify(&v, &token).await.unwrap();
    verify(&v, &token).await.unwrap();
    assert_eq!(inner.calls(), 2);
}

#[tokio::test(start_paused = true)]
async fn l01_concurrent_misses_share_one_verification() {
    let (v, inner, _) = cached(60, 100);
    let v = Arc::new(v);
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let v = Arc::clone(&v);
            tokio::spawn(async move { verify(&v, "ok-shared").await.map(|i| i.subject) })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap().unwrap(), "alice");
    }
    assert_eq!(inner.calls(), 1);
}

#[tokio::test(start_paused = true)]
async fn l05_the_cache_is_bounded() {
    let (v, _, _) = cached(60, 10);
    for i in 0..200 {
        verify(&v, &format!("ok-{i}")).await.unwrap();
    }
    v.cache.run_pending_tasks().await;
    assert!(v.cached_tokens() <= 10, "{}", v.cached_tokens());
}

#[test]
fn settings_are_validated() {
    let zero = CachedVerifier::new(Counting::default(), Duration::ZERO, 1);
    assert!(matches!(zero, Err(ConfigError::InvalidSetting { .. })));
    let long = CachedVerifier::new(Counting::default(), Duration::from_secs(3601), 1);
    assert!(long.is_err());
    assert!(CachedVerifier::new(Counting::default(), Duration::from_secs(1), 0).is_err());
    assert!(CachedVerifier::new(Counting::default(), MAX_TTL, 1).is_ok());
}

#[test]
fn keys_are_digests_not_tokens() {
    let a = hash(&BearerToken::new("token-a"));
    assert_eq!(a, hash(&BearerToken::new("token-a")));
    assert_ne!(a, hash(&BearerToken::new("token-b")));
    assert!(!a.windows(7).any(|w| w == b"token-a"));
}

#[tokio::test(start_paused = true)]
async fn cached_entries_hold_no_token() {
    let (v, _, _) = cached(60, 100);
    verify(&v, "ok-secret").await.unwrap();
    let entry = v
        .cache
        .entries
        .get(&hash(&BearerToken::new("ok-secret")))
        .await
        .unwrap();
    assert_eq!(entry.info.token.secret(), "");
    assert!(!format!("{v:?}").contains("ok-secret"));
}
