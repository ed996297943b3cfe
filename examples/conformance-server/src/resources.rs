//! The fixture's resources (`resources-*`): two static resources, a template, and a resource
//! clients may subscribe to.

use rmcp::ErrorData;
use rmcp::model::{ReadResourceResult, Resource, ResourceContents, ResourceTemplate};
use serde_json::json;

use crate::content::PNG_BASE64;

/// The text resource.
pub(crate) const STATIC_TEXT: &str = "test://static-text";
/// The binary resource (the PNG).
pub(crate) const STATIC_BINARY: &str = "test://static-binary";
/// The resource clients subscribe to.
pub(crate) const WATCHED: &str = "test://watched-resource";
/// The resource template; `{id}` is one path segment.
pub(crate) const TEMPLATE: &str = "test://template/{id}/data";

/// The direct resources (`resources/list`).
pub(crate) fn list() -> Vec<Resource> {
    vec![
        Resource::new(STATIC_TEXT, "static-text")
            .with_description("A static text resource")
            .with_mime_type("text/plain"),
        Resource::new(STATIC_BINARY, "static-binary")
            .with_description("A static binary resource (a 1x1 PNG image)")
            .with_mime_type("image/png"),
        Resource::new(WATCHED, "watched-resource")
            .with_description("A resource clients can subscribe to")
            .with_mime_type("text/plain"),
    ]
}

/// The resource templates (`resources/templates/list`).
pub(crate) fn templates() -> Vec<ResourceTemplate> {
    vec![
        ResourceTemplate::new(TEMPLATE, "template-data")
            .with_description("Data for the id in the URI")
            .with_mime_type("application/json"),
    ]
}

/// Whether `uri` names a resource of this server (a direct one or one of the template).
pub(crate) fn exists(uri: &str) -> bool {
    [STATIC_TEXT, STATIC_BINARY, WATCHED].contains(&uri) || template_id(uri).is_some()
}

/// `resources/read`.
pub(crate) fn read(uri: &str) -> Result<ReadResourceResult, ErrorData> {
    let contents = match uri {
        STATIC_TEXT => {
            ResourceContents::text("This is the content of the static text resource.", uri)
        }
        STATIC_BINARY => ResourceContents::blob(PNG_BASE64, uri).with_mime_type("image/png"),
        WATCHED => ResourceContents::text("This is the content of the watched resource.", uri),
        _ => match template_id(uri) {
            Some(id) => ResourceContents::text(
                json!({"id": id, "templateTest": true, "data": format!("Data for ID: {id}")})
                    .to_string(),
                uri,
            )
            .with_mime_type("application/json"),
            None => return Err(not_found(uri)),
        },
    };
    Ok(ReadResourceResult::new(vec![contents]))
}

/// The `{id}` of a `test://template/{id}/data` URI: one non-empty path segment.
pub(crate) fn template_id(uri: &str) -> Option<&str> {
    let id = uri
        .strip_prefix("test://template/")?
        .strip_suffix("/data")?;
    (!id.is_empty() && !id.contains('/')).then_some(id)
}

/// The JSON-RPC error for an unknown resource (MCP resources: -32002).
pub(crate) fn not_found(uri: &str) -> ErrorData {
    ErrorData::resource_not_found(format!("no resource {uri}"), Some(json!({"uri": uri})))
}
