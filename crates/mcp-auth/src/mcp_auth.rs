//! McpAuth facade (STUB: to be implemented).
#![allow(missing_docs, unused)]
