//! The verified identity inside rmcp handlers: the [`Auth`] and [`MaybeAuth`] extractors for
//! `#[tool]` and `#[prompt]` functions, and [`auth_info`] for hand-written handlers
//! (`read_resource`, `get_prompt`, ...).
//!
//! # How the identity gets there
//!
//! [`BearerAuthLayer`](mcp_auth::layer::BearerAuthLayer) verifies the access token and inserts
//! the [`AuthInfo`] into the HTTP request extensions. rmcp's `StreamableHttpService` (and this
//! crate's [`SseServer`](crate::sse::SseServer)) move the request's [`http::request::Parts`] into
//! the JSON-RPC message extensions, where the handler's
//! [`RequestContext`] finds them. The extractors here do that two-step lookup:
//! `ctx.extensions` → [`Parts`] → `parts.extensions` → [`AuthInfo`].
//!
//! An [`AuthInfo`] put directly into the message extensions (a custom transport, a test) is
//! found as well; the one in the HTTP parts wins.
//!
//! # Example
//!
//! ```
//! use mcp_auth_rmcp::{Auth, MaybeAuth};
//! use rmcp::handler::server::router::tool::ToolRouter;
//! use rmcp::model::{CallToolResult, ContentBlock, ServerCapabilities, ServerConfig};
//! use rmcp::{ErrorData, ServerHandler, tool, tool_handler, tool_router};
//!
//! #[derive(Clone)]
//! struct WhoAmI {
//!     tool_router: ToolRouter<Self>,
//! }
//!
//! #[tool_router]
//! impl WhoAmI {
//!     /// `Auth` fails the call (JSON-RPC error) when no identity is present.
//!     #[tool(description = "Returns the caller's subject")]
//!     fn whoami(&self, Auth(info): Auth) -> Result<CallToolResult, ErrorData> {
//!         Ok(CallToolResult::success(vec![ContentBlock::text(info.subject)]))
//!     }
//!
//!     /// `MaybeAuth` lets the tool decide.
//!     #[tool(description = "Greets the caller")]
//!     fn hello(&self, MaybeAuth(info): MaybeAuth) -> String {
//!         match info {
//!             Some(info) => format!("hello {}", info.subject),
//!             None => "hello stranger".to_owned(),
//!         }
//!     }
//! }
//!
//! #[tool_handler(router = self.tool_router)]
//! impl ServerHandler for WhoAmI {
//!     fn get_info(&self) -> ServerConfig {
//!         ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
//!     }
//! }
//! # let _ = WhoAmI { tool_router: WhoAmI::tool_router() };
//! ```

use std::ops::Deref;

use http::request::Parts;
use mcp_auth::AuthInfo;
use rmcp::ErrorData;
use rmcp::RoleServer;
use rmcp::handler::server::common::{AsRequestContext, FromContextPart};
use rmcp::service::RequestContext;

/// The message of the error [`Auth`] fails with when no identity is present.
pub const MISSING_AUTH_MESSAGE: &str = "mcp-auth: no verified identity for this request; \
     install mcp_auth::layer::BearerAuthLayer in front of the MCP service";

/// The verified identity of the caller, as a `#[tool]` / `#[prompt]` argument.
///
/// Extraction fails with a JSON-RPC internal error ([`MISSING_AUTH_MESSAGE`]) when the request
/// carries no [`AuthInfo`], which means the Bearer layer is not installed in front of the MCP
/// service (a configuration mistake, never a client's). Use [`MaybeAuth`] for tools that also
/// serve anonymous callers.
///
/// See the [module docs](self) for an example.
///
/// Like rmcp's own extractors (and axum's `Extension`), this newtype is exhaustive so that it
/// can be destructured in argument position: `Auth(info): Auth`.
#[derive(Debug, Clone)]
pub struct Auth(pub AuthInfo);

impl Auth {
    /// The identity.
    #[must_use]
    pub fn into_inner(self) -> AuthInfo {
        self.0
    }
}

impl Deref for Auth {
    type Target = AuthInfo;

    fn deref(&self) -> &AuthInfo {
        &self.0
    }
}

impl<C: AsRequestContext> FromContextPart<C> for Auth {
    fn from_context_part(context: &mut C) -> Result<Self, ErrorData> {
        auth_info(context.as_request_context())
            .cloned()
            .map(Auth)
            .ok_or_else(|| ErrorData::internal_error(MISSING_AUTH_MESSAGE, None))
    }
}

/// The verified identity of the caller if there is one, as a `#[tool]` / `#[prompt]` argument.
///
/// Never fails. See the [module docs](self) for an example. Exhaustive, like [`Auth`].
#[derive(Debug, Clone)]
pub struct MaybeAuth(pub Option<AuthInfo>);

impl MaybeAuth {
    /// The identity, if any.
    #[must_use]
    pub fn into_inner(self) -> Option<AuthInfo> {
        self.0
    }
}

impl<C: AsRequestContext> FromContextPart<C> for MaybeAuth {
    fn from_context_part(context: &mut C) -> Result<Self, ErrorData> {
        Ok(MaybeAuth(auth_info(context.as_request_context()).cloned()))
    }
}

/// The verified identity of the request `ctx` belongs to, for handlers that receive a
/// [`RequestContext`] (`read_resource`, `get_prompt`, `list_tools`, ...).
///
/// Looks in the HTTP request [`Parts`] the transport put into `ctx.extensions`, then in
/// `ctx.extensions` itself.
///
/// ```
/// use mcp_auth_rmcp::auth_info;
/// use rmcp::model::{ReadResourceRequestParams, ReadResourceResponse, ReadResourceResult,
///     ResourceContents};
/// use rmcp::service::RequestContext;
/// use rmcp::{ErrorData, RoleServer};
///
/// async fn read_resource(
///     request: ReadResourceRequestParams,
///     ctx: RequestContext<RoleServer>,
/// ) -> Result<ReadResourceResponse, ErrorData> {
///     let info = auth_info(&ctx)
///         .ok_or_else(|| ErrorData::internal_error("not authenticated", None))?;
///     let text = format!("profile of {}", info.subject);
///     Ok(ReadResourceResult::new(vec![ResourceContents::text(text, request.uri)]).into())
/// }
/// ```
#[must_use]
pub fn auth_info(ctx: &RequestContext<RoleServer>) -> Option<&AuthInfo> {
    ctx.extensions
        .get::<Parts>()
        .and_then(|parts| parts.extensions.get::<AuthInfo>())
        .or_else(|| ctx.extensions.get::<AuthInfo>())
}
