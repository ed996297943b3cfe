//! Pending authorizations: a validated authorization request (RFC 6749 §4.1.1) waiting for the
//! user to sign in and consent.
//!
//! Each pending authorization is bound to the browser that started it and protected against
//! cross-site request forgery (RFC 6749 §10.12, MCP Security Best Practices "Confused Deputy
//! Problem"):
//!
//! * a random **binding secret** is set as an `HttpOnly`, `SameSite=Lax` cookie scoped to
//!   `/authorize` when the request starts; only its SHA-256 is stored. A form submitted from
//!   another browser (or by another site, which cannot read or set the cookie) is refused;
//! * every page carries a fresh random **CSRF token** in a hidden field, stored with the record
//!   and replaced at each step;
//! * the record expires after [`PENDING_TTL`] seconds and is removed when the user approves,
//!   denies or cancels, so every form can be submitted once.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::clients::Client;
use crate::error::DevError;
use crate::store::BoundedStore;
use crate::tokens::{random_string, secret_hash, secrets_equal};

/// How long the user has to sign in and consent, in seconds.
pub(crate) const PENDING_TTL: i64 = 600;
/// Most pending authorizations kept.
const MAX_PENDING: usize = 1024;

/// A validated authorization request.
#[derive(Debug, Clone)]
pub(crate) struct AuthorizationRequest {
    pub(crate) client: Arc<Client>,
    /// The redirect URI the response goes to (as the client sent it, or the only registered
    /// one).
    pub(crate) redirect_uri: String,
    /// Whether the request named the redirect URI.
    pub(crate) redirect_uri_sent: bool,
    pub(crate) state: Option<String>,
    /// The S256 `code_challenge` (RFC 7636 §4.3).
    pub(crate) code_challenge: String,
    pub(crate) scopes: Vec<String>,
    /// The RFC 8707 resource, if one was requested.
    pub(crate) resource: Option<String>,
    /// The OpenID Connect `nonce`, returned in the ID token.
    pub(crate) nonce: Option<String>,
}

/// Where the user is in the interaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Stage {
    /// The login page is shown.
    Login,
    /// The user signed in; the consent page is shown.
    Consent {
        /// The user's `sub`.
        user_sub: String,
        /// When they signed in.
        auth_time: i64,
    },
}

/// A pending authorization.
#[derive(Debug)]
pub(crate) struct PendingAuthorization {
    pub(crate) request: AuthorizationRequest,
    pub(crate) stage: Stage,
    /// The CSRF token the current page carries.
    pub(crate) csrf_token: String,
    binding: [u8; 32],
}

impl PendingAuthorization {
    /// Replaces the CSRF token (a new page is shown) and returns the new one.
    pub(crate) fn rotate_csrf_token(&mut self) -> Result<String, DevError> {
        self.csrf_token = random_string(32)?;
        Ok(self.csrf_token.clone())
    }
}

/// A newly started pending authorization.
#[derive(Debug)]
pub(crate) struct Started {
    /// The record's identifier (a form field and part of the cookie name).
    pub(crate) id: String,
    /// The CSRF token of the login page.
    pub(crate) csrf_token: String,
    /// The cookie value binding the record to the browser.
    pub(crate) binding_secret: String,
}

/// Why a form submission is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// No such pending authorization: unknown, expired, or already finished.
    Unknown,
    /// The binding cookie is missing or wrong: another browser, or cookies are off.
    NotThisBrowser,
    /// The CSRF token is missing or wrong.
    Forged,
}

/// The pending authorizations.
#[derive(Debug)]
pub(crate) struct Interactions {
    pending: Mutex<BoundedStore<String, PendingAuthorization>>,
}

impl Default for Interactions {
    fn default() -> Self {
        Self {
            pending: Mutex::new(BoundedStore::new(MAX_PENDING)),
        }
    }
}

impl Interactions {
    fn lock(&self) -> MutexGuard<'_, BoundedStore<String, PendingAuthorization>> {
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Starts a pending authorization at the login stage.
    pub(crate) fn start(
        &self,
        now: i64,
        request: AuthorizationRequest,
    ) -> Result<Started, DevError> {
        let started = Started {
            id: random_string(16)?,
            csrf_token: random_string(32)?,
            binding_secret: random_string(32)?,
        };
        let record = PendingAuthorization {
            request,
            stage: Stage::Login,
            csrf_token: started.csrf_token.clone(),
            binding: secret_hash(&started.binding_secret),
        };
        self.lock()
            .insert(
                now,
                started.id.clone(),
                record,
                now.saturating_add(PENDING_TTL),
            )
            .map_err(|_| DevError::StoreFull)?;
        Ok(started)
    }

    /// Checks a form submission for the record `id` — the browser's binding secret, then the
    /// CSRF token — and runs `step` on the record. `step` returns its result and whether the
    /// record is finished (then it is removed).
    pub(crate) fn submit<R>(
        &self,
        now: i64,
        id: &str,
        binding_secret: Option<&str>,
        csrf_token: &str,
        step: impl FnOnce(&mut PendingAuthorization) -> (R, bool),
    ) -> Result<R, Refusal> {
        let key = id.to_owned();
        let mut pending = self.lock();
        let record = pending.get_mut(now, &key).ok_or(Refusal::Unknown)?;
        let bound = binding_secret.is_some_and(|secret| {
            aws_lc_rs::constant_time::verify_slices_are_equal(&secret_hash(secret), &record.binding)
                .is_ok()
        });
        if !bound {
            return Err(Refusal::NotThisBrowser);
        }
        if !secrets_equal(&record.csrf_token, csrf_token) {
            return Err(Refusal::Forged);
        }
        let (result, finished) = step(record);
        if finished {
            pending.remove(&key);
        }
        Ok(result)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn request() -> AuthorizationRequest {
        AuthorizationRequest {
            client: Arc::new(Client::public("app")),
            redirect_uri: "http://127.0.0.1/cb".into(),
            redirect_uri_sent: true,
            state: None,
            code_challenge: "x".repeat(43),
            scopes: Vec::new(),
            resource: None,
            nonce: None,
        }
    }

    #[test]
    fn submissions_need_the_cookie_and_the_csrf_token() {
        let interactions = Interactions::default();
        let s = interactions.start(0, request()).unwrap();
        let ok = |_: &mut PendingAuthorization| ((), false);
        let submit = |id: &str, cookie: Option<&str>, csrf: &str| {
            interactions.submit(1, id, cookie, csrf, ok)
        };
        assert_eq!(
            submit("nope", Some(&s.binding_secret), &s.csrf_token),
            Err(Refusal::Unknown)
        );
        assert_eq!(
            submit(&s.id, None, &s.csrf_token),
            Err(Refusal::NotThisBrowser)
        );
        assert_eq!(
            submit(&s.id, Some("other"), &s.csrf_token),
            Err(Refusal::NotThisBrowser)
        );
        assert_eq!(
            submit(&s.id, Some(&s.binding_secret), "forged"),
            Err(Refusal::Forged)
        );
        assert_eq!(
            submit(&s.id, Some(&s.binding_secret), &s.csrf_token),
            Ok(())
        );
        // Finishing removes the record.
        let finish = |_: &mut PendingAuthorization| ((), true);
        interactions
            .submit(1, &s.id, Some(&s.binding_secret), &s.csrf_token, finish)
            .unwrap();
        assert_eq!(
            submit(&s.id, Some(&s.binding_secret), &s.csrf_token),
            Err(Refusal::Unknown)
        );
        // Expiry.
        let late = interactions.start(0, request()).unwrap();
        let result = interactions.submit(
            PENDING_TTL,
            &late.id,
            Some(&late.binding_secret),
            &late.csrf_token,
            ok,
        );
        assert_eq!(result, Err(Refusal::Unknown));
    }
}
