//! Bearer layer (STUB: to be implemented).
#![allow(missing_docs, unused)]
