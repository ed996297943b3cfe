//! The HTTP endpoints, one module each, and the router that mounts them at the paths the
//! metadata lists.

use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};

use crate::authorization_server::AuthorizationServer;
use crate::metadata::paths;

mod authorize;
mod client_authentication;
mod discovery;
mod error_response;
mod form;
mod introspection;
mod jwks;
mod revocation;
mod token;
mod userinfo;

/// Shared state of the handlers.
type State = axum::extract::State<Arc<AuthorizationServer>>;

/// The router of every endpoint.
pub(crate) fn router(server: Arc<AuthorizationServer>) -> Router {
    Router::new()
        .route(paths::OPENID_CONFIGURATION, get(discovery::metadata))
        .route(paths::OAUTH_AUTHORIZATION_SERVER, get(discovery::metadata))
        .route(paths::JWKS, get(jwks::jwks))
        .route(
            paths::AUTHORIZE,
            get(authorize::authorize).post(authorize::authorize),
        )
        .route(paths::TOKEN, post(token::token))
        .route(
            paths::USERINFO,
            get(userinfo::userinfo).post(userinfo::userinfo),
        )
        .route(paths::INTROSPECT, post(introspection::introspect))
        .route(paths::REVOKE, post(revocation::revoke))
        .with_state(server)
}
