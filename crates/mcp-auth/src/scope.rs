//! Scopes (STUB: to be implemented).
#![allow(missing_docs, unused)]
