//! The fixture's prompts (`prompts-*`, and `completion-complete` completes
//! `test_prompt_with_arguments`).

use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{ContentBlock, PromptMessage, ResourceContents, Role};
use rmcp::{prompt, prompt_router};
use serde::Deserialize;

use crate::Fixture;
use crate::content::PNG_BASE64;

/// Arguments of `test_prompt_with_arguments`.
#[derive(Debug, Deserialize, rmcp::schemars::JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub(crate) struct PromptArgs {
    /// First test argument.
    pub(crate) arg1: String,
    /// Second test argument.
    pub(crate) arg2: String,
}

/// Arguments of `test_prompt_with_embedded_resource`.
#[derive(Debug, Deserialize, rmcp::schemars::JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub(crate) struct EmbeddedResourceArgs {
    /// URI of the resource to embed.
    #[serde(rename = "resourceUri")]
    pub(crate) resource_uri: String,
}

#[prompt_router(vis = "pub(crate)")]
#[allow(missing_docs)] // the undocumented `*_prompt_attr` functions `#[prompt]` generates
impl Fixture {
    /// `test_simple_prompt`: one user message.
    #[prompt(description = "A simple prompt without arguments.")]
    async fn test_simple_prompt(&self) -> Vec<PromptMessage> {
        vec![PromptMessage::new_text(
            Role::User,
            "This is a simple prompt for testing.",
        )]
    }

    /// `test_prompt_with_arguments`: one user message quoting both arguments.
    #[prompt(description = "A prompt with two required arguments.")]
    async fn test_prompt_with_arguments(
        &self,
        Parameters(args): Parameters<PromptArgs>,
    ) -> Vec<PromptMessage> {
        vec![PromptMessage::new_text(
            Role::User,
            format!(
                "Prompt with arguments: arg1='{}', arg2='{}'",
                args.arg1, args.arg2
            ),
        )]
    }

    /// `test_prompt_with_embedded_resource`: the resource, then an instruction.
    #[prompt(description = "A prompt that embeds the resource it is given.")]
    async fn test_prompt_with_embedded_resource(
        &self,
        Parameters(args): Parameters<EmbeddedResourceArgs>,
    ) -> Vec<PromptMessage> {
        vec![
            PromptMessage::new(
                Role::User,
                ContentBlock::resource(ResourceContents::text(
                    "Embedded resource content for testing.",
                    args.resource_uri,
                )),
            ),
            PromptMessage::new_text(Role::User, "Please process the embedded resource above."),
        ]
    }

    /// `test_prompt_with_image`: the PNG, then an instruction.
    #[prompt(description = "A prompt with an image.")]
    async fn test_prompt_with_image(&self) -> Vec<PromptMessage> {
        vec![
            PromptMessage::new(Role::User, ContentBlock::image(PNG_BASE64, "image/png")),
            PromptMessage::new_text(Role::User, "Please analyze the image above."),
        ]
    }
}

/// Completion candidates for an argument of `test_prompt_with_arguments`.
pub(crate) const ARGUMENT_CANDIDATES: [&str; 5] =
    ["paris", "park", "party", "testValue1", "testValue2"];
