//! JWK parsing into verification keys (STUB: to be implemented).
#![allow(missing_docs, unused)]
