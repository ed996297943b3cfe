//! Refresh tokens (RFC 6749 §6) with rotation and reuse detection (OAuth 2.1 §4.3.1, RFC 9700
//! §4.14.2): each use returns a new refresh token and retires the old one; presenting a retired
//! one revokes the whole family — every refresh and access token of the grant.
//!
//! Tokens are kept by their SHA-256; a retired token is remembered (as retired) until it would
//! have expired, so reuse is recognized for as long as the token could have been used.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::secret_hash;
use crate::store::{BoundedStore, StoreFull};

/// What a refresh token stands for.
#[derive(Debug, Clone)]
pub(crate) struct RefreshRecord {
    pub(crate) client_id: String,
    pub(crate) user_sub: String,
    /// The scopes of the original grant (a refresh may narrow them, never widen them).
    pub(crate) scopes: Vec<String>,
    /// The resource of the original grant, if any.
    pub(crate) resource: Option<String>,
    /// The grant (family) the token belongs to.
    pub(crate) grant_id: String,
    pub(crate) expires_at: i64,
}

#[derive(Debug)]
enum State {
    Active(Arc<RefreshRecord>),
    /// Used once already: presenting it again is a replay.
    Retired {
        grant_id: String,
    },
}

impl State {
    fn grant_id(&self) -> &str {
        match self {
            Self::Active(record) => &record.grant_id,
            Self::Retired { grant_id } => grant_id,
        }
    }
}

/// The outcome of presenting a refresh token.
#[derive(Debug)]
pub(crate) enum Rotation<T, E> {
    /// The token was active and accepted, and is now retired: issue its successor.
    Rotated(Arc<RefreshRecord>, T),
    /// The token is active but the request was refused; the token stays active.
    Refused(E),
    /// The token was already used: the grant `grant_id` must be revoked.
    Reused { grant_id: String },
    /// The token belongs to another client (it stays active).
    OtherClient,
    /// Unknown, expired or revoked.
    Invalid,
}

/// The refresh tokens issued.
#[derive(Debug)]
pub(crate) struct RefreshTokenStore {
    tokens: Mutex<BoundedStore<[u8; 32], State>>,
}

impl RefreshTokenStore {
    /// A store for at most `capacity` refresh tokens (active or retired).
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            tokens: Mutex::new(BoundedStore::new(capacity)),
        }
    }

    fn lock(&self) -> MutexGuard<'_, BoundedStore<[u8; 32], State>> {
        self.tokens.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Remembers a new refresh token.
    pub(crate) fn insert(
        &self,
        now: i64,
        token: &str,
        record: RefreshRecord,
    ) -> Result<(), StoreFull> {
        let expires_at = record.expires_at;
        self.lock().insert(
            now,
            secret_hash(token),
            State::Active(Arc::new(record)),
            expires_at,
        )
    }

    /// Presents `token` on behalf of `client_id`: an active token of that client that `accept`
    /// accepts is retired and its record returned.
    pub(crate) fn rotate<T, E>(
        &self,
        now: i64,
        token: &str,
        client_id: &str,
        accept: impl FnOnce(&RefreshRecord) -> Result<T, E>,
    ) -> Rotation<T, E> {
        let mut tokens = self.lock();
        let Some(state) = tokens.get_mut(now, &secret_hash(token)) else {
            return Rotation::Invalid;
        };
        match state {
            State::Retired { grant_id } => Rotation::Reused {
                grant_id: grant_id.clone(),
            },
            State::Active(record) if record.client_id != client_id => Rotation::OtherClient,
            State::Active(record) => {
                let record = Arc::clone(record);
                match accept(&record) {
                    Ok(accepted) => {
                        *state = State::Retired {
                            grant_id: record.grant_id.clone(),
                        };
                        Rotation::Rotated(record, accepted)
                    }
                    Err(refused) => Rotation::Refused(refused),
                }
            }
        }
    }

    /// The record of an active refresh token, if `may_revoke` accepts it, revoking its family
    /// (RFC 7009 §2.1); `Some((_, false))` when it was found but not revoked.
    pub(crate) fn revoke(
        &self,
        now: i64,
        token: &str,
        may_revoke: impl FnOnce(&RefreshRecord) -> bool,
    ) -> Option<(Arc<RefreshRecord>, bool)> {
        let mut tokens = self.lock();
        let record = match tokens.get(now, &secret_hash(token))? {
            State::Active(record) => Arc::clone(record),
            State::Retired { .. } => return None,
        };
        let allowed = may_revoke(&record);
        if allowed {
            tokens.retain(|state| state.grant_id() != record.grant_id);
        }
        Some((record, allowed))
    }

    /// The record of `token` while it is active (not used, revoked or expired), without using it.
    pub(crate) fn active(&self, now: i64, token: &str) -> Option<Arc<RefreshRecord>> {
        match self.lock().get(now, &secret_hash(token))? {
            State::Active(record) => Some(Arc::clone(record)),
            State::Retired { .. } => None,
        }
    }

    /// Forgets every refresh token of the grant `grant_id`.
    pub(crate) fn revoke_grant(&self, grant_id: &str) {
        self.lock().retain(|state| state.grant_id() != grant_id);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn record(grant: &str) -> RefreshRecord {
        RefreshRecord {
            client_id: "app".into(),
            user_sub: "u-alice".into(),
            scopes: vec!["openid".into()],
            resource: None,
            grant_id: grant.into(),
            expires_at: 1000,
        }
    }

    fn rotate(store: &RefreshTokenStore, now: i64, token: &str, client: &str) -> Rotation<(), ()> {
        store.rotate(now, token, client, |_| Ok(()))
    }

    #[test]
    fn rotation_then_reuse() {
        let store = RefreshTokenStore::new(8);
        store.insert(0, "rt1", record("g1")).unwrap();
        assert!(matches!(
            rotate(&store, 1, "rt1", "other"),
            Rotation::OtherClient
        ));
        // A refused request leaves the token active.
        let refused: Rotation<(), &str> = store.rotate(1, "rt1", "app", |_| Err("no"));
        assert!(matches!(refused, Rotation::Refused("no")));
        assert!(matches!(
            rotate(&store, 1, "rt1", "app"),
            Rotation::Rotated(_, ())
        ));
        assert!(
            matches!(rotate(&store, 2, "rt1", "app"), Rotation::Reused { grant_id } if grant_id == "g1")
        );
        assert!(matches!(
            rotate(&store, 2, "nope", "app"),
            Rotation::Invalid
        ));
        // Expired.
        store.insert(0, "rt2", record("g2")).unwrap();
        assert!(matches!(
            rotate(&store, 1000, "rt2", "app"),
            Rotation::Invalid
        ));
    }

    #[test]
    fn revoking_a_grant_removes_the_family() {
        let store = RefreshTokenStore::new(8);
        store.insert(0, "a", record("g1")).unwrap();
        store.insert(0, "b", record("g1")).unwrap();
        store.insert(0, "c", record("g2")).unwrap();
        store.revoke_grant("g1");
        assert!(matches!(rotate(&store, 1, "a", "app"), Rotation::Invalid));
        assert!(matches!(rotate(&store, 1, "b", "app"), Rotation::Invalid));
        let (found, revoked) = store.revoke(1, "c", |r| r.client_id == "app").unwrap();
        assert!(revoked);
        assert_eq!(found.grant_id, "g2");
        assert!(matches!(rotate(&store, 1, "c", "app"), Rotation::Invalid));
    }
}
