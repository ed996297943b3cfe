//! Issued access tokens, looked up by the SHA-256 of the token (the token text itself is not
//! kept), for `/userinfo`, `/introspect` and `/revoke`.

use std::sync::{Arc, Mutex, MutexGuard};

use super::{AccessTokenRecord, secret_hash as hash};
use crate::store::{BoundedStore, StoreFull};

type TokenHash = [u8; 32];

/// The access tokens issued and not yet expired or revoked.
#[derive(Debug)]
pub(crate) struct TokenStore {
    tokens: Mutex<BoundedStore<TokenHash, Arc<AccessTokenRecord>>>,
}

impl TokenStore {
    /// A store for at most `capacity` live tokens.
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            tokens: Mutex::new(BoundedStore::new(capacity)),
        }
    }

    fn lock(&self) -> MutexGuard<'_, BoundedStore<TokenHash, Arc<AccessTokenRecord>>> {
        // A panic while holding the lock cannot leave the map half-updated in a way that
        // matters here, so a poisoned lock is still used.
        self.tokens
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Remembers `token`.
    pub(crate) fn insert(
        &self,
        now: i64,
        token: &str,
        record: AccessTokenRecord,
    ) -> Result<(), StoreFull> {
        let expires_at = record.expires_at;
        self.lock()
            .insert(now, hash(token), Arc::new(record), expires_at)
    }

    /// The record of an active token (issued here, not expired, not revoked).
    pub(crate) fn active(&self, now: i64, token: &str) -> Option<Arc<AccessTokenRecord>> {
        self.lock().get(now, &hash(token)).cloned()
    }

    /// Forgets `token` if `may_revoke` accepts its record (RFC 7009 §2.1); returns the record
    /// of an active token that was found, revoked or not.
    pub(crate) fn revoke(
        &self,
        now: i64,
        token: &str,
        may_revoke: impl FnOnce(&AccessTokenRecord) -> bool,
    ) -> Option<(Arc<AccessTokenRecord>, bool)> {
        let key = hash(token);
        let mut tokens = self.lock();
        let record = tokens.get(now, &key).cloned()?;
        let allowed = may_revoke(&record);
        if allowed {
            tokens.remove(&key);
        }
        Some((record, allowed))
    }

    /// Forgets every token of the grant `grant_id`.
    pub(crate) fn revoke_grant(&self, grant_id: &str) {
        self.lock()
            .retain(|record| record.grant_id.as_deref() != Some(grant_id));
    }
}
