//! End-to-end tests of the development authorization server over real HTTP on 127.0.0.1:0,
//! with real keys and signatures, checked with the core crate's discovery and verifiers.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    unreachable_pub
)]

mod dev_server {
    pub mod browser;
    pub mod support;

    mod authorization_code;
    mod authorize_errors;
    mod client_credentials;
    mod cors_users_headless;
    mod errors;
    mod in_process;
    mod keys_file;
    mod metadata;
    mod metadata_document;
    mod refresh;
    mod registration;
    mod userinfo_introspection;
}
