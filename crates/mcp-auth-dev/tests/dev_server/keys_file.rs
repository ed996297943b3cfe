//! Keys persisted in a file survive restarts.

use mcp_auth::{BearerToken, JwtVerifier, TokenVerifier};
use mcp_auth_dev::{DevError, DevServer, SigningAlgorithm, TokenRequest};
use serde_json::Value;

use super::support::{RESOURCE, start_with, temp_path};

struct Cleanup(std::path::PathBuf);

impl Drop for Cleanup {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[tokio::test]
async fn a_restart_keeps_the_kid_and_old_tokens_stay_verifiable() {
    let path = temp_path("keys.json");
    let _cleanup = Cleanup(path.clone());

    let first = start_with(DevServer::builder().keys_file(&path)).await;
    let kid = first.signing_key_id().to_owned();
    let old_issuer = first.issuer().to_owned();
    let token = first
        .issue_access_token(&TokenRequest::for_client("dev-client").with_resource(RESOURCE))
        .unwrap();
    first.shutdown().await;

    let stored: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(stored["keys"][0]["kid"], kid.as_str());
    assert_eq!(stored["keys"][0]["alg"], "ES256");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the keys file is private");
    }

    let second = start_with(DevServer::builder().keys_file(&path)).await;
    assert_eq!(second.signing_key_id(), kid);
    // The restarted server's published keys verify the token signed before the restart.
    let jwks = reqwest::get(format!("{}/jwks", second.issuer()))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let verifier = JwtVerifier::new(RESOURCE)
        .unwrap()
        .with_static_jwks(&old_issuer, &jwks)
        .unwrap();
    let info = verifier.verify(&BearerToken::new(token)).await.unwrap();
    assert_eq!(info.subject, "dev-client");
}

#[tokio::test]
async fn another_algorithm_adds_a_key_and_keeps_the_old_one() {
    let path = temp_path("keys-two-algs.json");
    let _cleanup = Cleanup(path.clone());

    let es = start_with(DevServer::builder().keys_file(&path)).await;
    let es_kid = es.signing_key_id().to_owned();
    es.shutdown().await;

    let rs = start_with(
        DevServer::builder()
            .keys_file(&path)
            .signing_algorithm(SigningAlgorithm::Rs256),
    )
    .await;
    assert_eq!(rs.signing_algorithm(), SigningAlgorithm::Rs256);
    assert_ne!(rs.signing_key_id(), es_kid);
    let kids: Vec<&str> = rs.jwks()["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap())
        .collect();
    assert_eq!(kids, [es_kid.as_str(), rs.signing_key_id()]);
    let rs_kid = rs.signing_key_id().to_owned();
    rs.shutdown().await;

    // Both kept: each algorithm picks its own key again.
    let es_again = start_with(DevServer::builder().keys_file(&path)).await;
    assert_eq!(es_again.signing_key_id(), es_kid);
    let rs_again = start_with(
        DevServer::builder()
            .keys_file(&path)
            .signing_algorithm(SigningAlgorithm::Rs256),
    )
    .await;
    assert_eq!(rs_again.signing_key_id(), rs_kid);
}

#[tokio::test]
async fn an_unreadable_keys_file_is_an_error_and_is_left_alone() {
    let path = temp_path("bad-keys.json");
    let _cleanup = Cleanup(path.clone());
    for content in [
        &b"not json"[..],
        br#"{"keys":[{"kid":"k","alg":"ES256","pkcs8":"!!"}]}"#,
        br#"{"keys":[{"kid":"k","alg":"ES256","pkcs8":"AAAA"}]}"#,
        br#"{"keys":[{"kid":"k","alg":"HS256","pkcs8":"AAAA"}]}"#,
        br#"{"keys":[],"extra":1}"#,
    ] {
        std::fs::write(&path, content).unwrap();
        let error = DevServer::builder()
            .keys_file(&path)
            .start()
            .await
            .unwrap_err();
        assert!(matches!(error, DevError::KeysFile { .. }), "{error}");
        assert_eq!(std::fs::read(&path).unwrap(), content, "file untouched");
    }
}
