//! Integration tests over real sockets on 127.0.0.1:0.

mod discovery;
mod hardening;
mod herd;
mod introspection;
mod jwks;
mod jwt;
mod layer;
mod mcp_auth;
mod properties;
mod support;
mod userinfo;
