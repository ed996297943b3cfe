//! Response body types and composition (axum, rmcp-shaped services).

use super::*;

#[tokio::test]
async fn rejection_bodies_for_common_response_types() {
    use http_body_util::combinators::{BoxBody, UnsyncBoxBody};

    async fn status_and_body<B>(layer: &BearerAuthLayer) -> (StatusCode, Bytes)
    where
        B: RejectionBody + Body<Data = Bytes> + Default + Send + 'static,
        B::Error: std::fmt::Debug,
    {
        let service = layer.layer(service_fn(|_: Request<Full<Bytes>>| async {
            Ok::<_, Infallible>(Response::new(B::default()))
        }));
        let response = service.oneshot(request(&[], "/")).await.unwrap();
        let status = response.status();
        (
            status,
            response.into_body().collect().await.unwrap().to_bytes(),
        )
    }

    let c = Counters::default();
    let layer = c.layer();
    let expected = Bytes::from_static(
        br#"{"error":"unauthorized","error_description":"An access token is required"}"#,
    );
    // rmcp's StreamableHttpService body type.
    assert_eq!(
        status_and_body::<BoxBody<Bytes, Infallible>>(&layer).await,
        (StatusCode::UNAUTHORIZED, expected.clone())
    );
    assert_eq!(
        status_and_body::<UnsyncBoxBody<Bytes, std::io::Error>>(&layer)
            .await
            .1,
        expected
    );
    assert_eq!(
        status_and_body::<axum::body::Body>(&layer).await.1,
        expected
    );
    assert_eq!(status_and_body::<String>(&layer).await.1, expected);
    assert_eq!(status_and_body::<Full<Bytes>>(&layer).await.1, expected);
}

/// A service shaped like rmcp's `StreamableHttpService`: any request body, a boxed response
/// body, `Error = Infallible`; the layer wraps it and the result nests in an axum router.
#[tokio::test]
async fn composes_with_a_streamable_http_shaped_service_in_axum() {
    use http_body_util::combinators::BoxBody;

    #[derive(Clone)]
    struct StreamableShaped;

    impl<B> tower::Service<Request<B>> for StreamableShaped
    where
        B: Body + Send + 'static,
        B::Error: std::fmt::Display,
        B::Data: Send,
    {
        type Response = Response<BoxBody<Bytes, Infallible>>;
        type Error = Infallible;
        type Future = crate::verify::BoxFuture<'static, Result<Self::Response, Infallible>>;

        fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
            Poll::Ready(Ok(()))
        }

        fn call(&mut self, request: Request<B>) -> Self::Future {
            Box::pin(async move {
                let subject = request
                    .extensions()
                    .get::<AuthInfo>()
                    .map(|i| i.subject.clone())
                    .unwrap_or_default();
                let body = request.into_body().collect().await.map(|b| b.to_bytes());
                let text = format!("{subject}:{}", body.map(|b| b.len()).unwrap_or(0));
                Ok(Response::new(Full::from(text).boxed()))
            })
        }
    }

    let c = Counters::default();
    let app = axum::Router::new().nest_service("/mcp", c.layer().layer(StreamableShaped));
    let request = Request::post("/mcp")
        .header(AUTHORIZATION, "Bearer tok-read")
        .body(axum::body::Body::from("{}"))
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(&body[..], b"alice:2");
    let request = Request::post("/mcp")
        .body(axum::body::Body::from("{}"))
        .unwrap();
    let response = app.oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}
