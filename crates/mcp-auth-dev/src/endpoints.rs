//! The HTTP endpoints, one module each, and the router that mounts them at the paths the
//! metadata lists.

use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};

use crate::authorization_server::AuthorizationServer;
use crate::metadata::paths;

mod authorization_response;
mod authorize;
mod client_authentication;
mod cors;
mod discovery;
mod error_response;
mod form;
mod introspection;
mod jwks;
mod pages;
mod registration;
mod revocation;
mod token;
mod userinfo;

pub(crate) use pages::escape as escape_html;

/// Shared state of the handlers.
type State = axum::extract::State<Arc<AuthorizationServer>>;

/// The router of every endpoint. Browser-facing API endpoints get CORS headers
/// ([`cors`]); the authorization endpoint, its pages and introspection do not.
pub(crate) fn router(server: Arc<AuthorizationServer>) -> Router {
    let api = Router::new()
        .route(paths::OPENID_CONFIGURATION, get(discovery::metadata))
        .route(paths::OAUTH_AUTHORIZATION_SERVER, get(discovery::metadata))
        .route(paths::JWKS, get(jwks::jwks))
        .route(paths::TOKEN, post(token::token))
        .route(paths::REGISTER, post(registration::register))
        .route(
            paths::USERINFO,
            get(userinfo::userinfo).post(userinfo::userinfo),
        )
        .route(paths::REVOKE, post(revocation::revoke))
        .layer(axum::middleware::from_fn(cors::allow_any_origin));
    let pages = Router::new()
        .route(
            paths::AUTHORIZE,
            get(authorize::authorize_get).post(authorize::authorize_post),
        )
        .route(paths::LOGIN, post(authorize::login))
        .route(paths::CONSENT, post(authorize::consent))
        .route(paths::INTROSPECT, post(introspection::introspect));
    api.merge(pages).with_state(server)
}
