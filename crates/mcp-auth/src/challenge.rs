//! WWW-Authenticate (STUB: to be implemented).
#![allow(missing_docs, unused)]
