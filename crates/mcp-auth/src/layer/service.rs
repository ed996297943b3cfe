//! The [`BearerAuth`] service.

use std::fmt;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::{Request, Response};
use tower_service::Service;

use super::response::{AuthRejection, RejectionBody};
use super::{BearerAuthLayer, Config};
use crate::auth_info::AuthInfo;
use crate::bearer::BearerToken;
use crate::credentials::extract_bearer;
use crate::verify::BoxFuture;

/// Middleware that authenticates requests with a bearer token; built by [`BearerAuthLayer`].
///
/// See the [module docs](super) for the behaviour. Rejections are `Ok(response)`, so the error
/// type is the inner service's.
pub struct BearerAuth<S> {
    inner: S,
    config: Arc<Config>,
}

impl<S> BearerAuth<S> {
    /// Wraps `inner` with the configuration of `layer`.
    pub fn new(inner: S, layer: &BearerAuthLayer) -> Self {
        Self::from_parts(inner, Arc::clone(&layer.config))
    }

    pub(super) fn from_parts(inner: S, config: Arc<Config>) -> Self {
        Self { inner, config }
    }

    /// The inner service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The inner service, mutably.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// Consumes `self`, returning the inner service.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S: Clone> Clone for BearerAuth<S> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
            config: Arc::clone(&self.config),
        }
    }
}

impl<S: fmt::Debug> fmt::Debug for BearerAuth<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BearerAuth")
            .field("inner", &self.inner)
            .field("config", &self.config)
            .finish()
    }
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for BearerAuth<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    ReqBody: Send + 'static,
    ResBody: RejectionBody + 'static,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = BoxFuture<'static, Result<Response<ResBody>, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<ReqBody>) -> Self::Future {
        // The inner service was driven to readiness by `poll_ready`; a clone may not be ready,
        // so keep the clone here and move the ready one into the future. See
        // https://docs.rs/tower/latest/tower/trait.Service.html#be-careful-when-cloning-inner-services
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let config = Arc::clone(&self.config);
        Box::pin(async move {
            // Extract synchronously: the request (whose body need not be `Sync`) is not borrowed
            // across the verifier's await.
            let extracted =
                extract_bearer(request.headers(), request.uri(), config.max_credential_len);
            let outcome = match extracted {
                Ok(Some(token)) => authenticate(&config, token).await,
                Ok(None) => Err(AuthRejection::missing_credentials()),
                Err(error) => Err(AuthRejection::credential(error)),
            };
            match outcome {
                Ok(info) => {
                    request.extensions_mut().insert(info);
                    inner.call(request).await
                }
                Err(rejection) => {
                    // Never the token, never claim values: the kind and status only.
                    tracing::debug!(
                        status = rejection.status().as_u16(),
                        kind = ?rejection.kind(),
                        credential_error = ?rejection.credential_error(),
                        verify_error = ?rejection.verify_error().map(|e| e.kind()),
                        "bearer authentication rejected the request"
                    );
                    // The request (and its unread body) is dropped here.
                    Ok(rejection.into_response(&config))
                }
            }
        })
    }
}

/// Verifies the token, then checks scopes: authentication strictly before authorization
/// (RFC 6750 §3.1; battery G12).
async fn authenticate(config: &Config, token: BearerToken) -> Result<AuthInfo, AuthRejection> {
    let mut info = config
        .verifier
        .verify(&token)
        .await
        .map_err(AuthRejection::verify)?;
    let required = config.required.as_slice();
    if !config.matcher.grants_all(&info.scopes, required) {
        let missing = config.matcher.missing(&info.scopes, required);
        return Err(AuthRejection::insufficient_scope(
            missing.into_iter().map(str::to_owned).collect(),
        ));
    }
    if info.resource.is_none() {
        info.resource.clone_from(&config.resource);
    }
    Ok(info)
}
