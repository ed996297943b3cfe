//! Metadata documents and the rules around them.
//!
//! * [`AuthorizationServerMetadata`]: RFC 8414 §2 and OpenID Connect Discovery 1.0 §3.
//! * [`ProtectedResourceMetadata`]: RFC 9728 §2, the document an MCP server publishes.
//! * [`well_known`]: where the documents live (RFC 8414 §3.1, RFC 9728 §3.1, OpenID Connect
//!   Discovery §4.1).
//! * [`validate_for_mcp`]: whether an authorization server can serve MCP clients, as a
//!   [`ValidationReport`] with the reference SDKs' codes.
//! * [`parse_json_object`]: strict JSON object parsing (duplicate members refused).
//!
//! The structs are plain serde types: `Option` fields are omitted when `None`, members they do
//! not name are kept in a flattened `extra` map, so documents round-trip unchanged.

mod authorization_server;
mod issuer;
mod json_object;
mod protected_resource;
#[cfg(test)]
mod tests;
mod validation;
pub mod well_known;

pub use authorization_server::{
    AuthorizationServerMetadata, DEFAULT_GRANT_TYPES, DEFAULT_RESPONSE_MODES,
};
pub use issuer::check_issuer;
pub use json_object::{JsonObjectError, parse_json_object};
pub use protected_resource::ProtectedResourceMetadata;
pub use validation::{ValidationCode, ValidationFinding, ValidationReport, validate_for_mcp};
pub use well_known::protected_resource_metadata_url;
