//! SetIntegrationRequest, IntegrationCallout and IntegrationEndpoint over real
//! sockets, against the local Application Integration API (fixture
//! `tests/bundles/integration`).

use proxyc_runtime::EnvConfig;
use proxyc_testkit::google::integration_server::{
    self, DEFAULT_PROJECT, DEFAULT_REGION, DEFAULT_TOKEN, IntegrationServer, Method,
};
use proxyc_testkit::google::keys::ServiceAccountKey;
use proxyc_testkit::google::token_server::{self, TOKEN_PATH, TokenServer};
use proxyc_testkit::google::{ApiError, RunningServer};
use proxyc_tests::harness::{TestGateway, TestResponse};
use proxyc_tests::proxies::integration_callout as integration;
use serde_json::json;

type Server = RunningServer<IntegrationServer>;

/// The fixture proxy, a static token accepted by the integration server, and
/// `organization.name` = the integration project.
async fn setup() -> (TestGateway, Server) {
    let server = integration_server::start(IntegrationServer::with_defaults())
        .await
        .expect("integration server");
    let base = server.base_url();
    let gw = TestGateway::start(
        |g| g.mount(integration::Proxy).expect("mount"),
        |c| {
            point_at(c, &base);
            c.google.credentials = Some("static".into());
            c.google.token = Some(DEFAULT_TOKEN.into());
        },
    )
    .await;
    (gw, server)
}

fn point_at(c: &mut EnvConfig, base: &str) {
    c.organization = DEFAULT_PROJECT.into();
    c.google.integration_endpoint = Some(base.to_owned());
}

fn assert_fault(resp: &TestResponse, code: &str) {
    assert_eq!(resp.status, 500, "{}", resp.text());
    assert_eq!(
        resp.json()["fault"]["detail"]["errorcode"],
        code,
        "{}",
        resp.text()
    );
}

#[tokio::test]
async fn sync_callout_sends_every_parameter_type_and_returns_the_output() {
    let (gw, server) = setup().await;
    let resp = gw.get("/integration/sync?s=from-query&i=42&d=3").await;
    assert_eq!(resp.status, 200, "{}", resp.text());

    let recorded = server.requests();
    let req = recorded.last().expect("the API was called");
    assert_eq!(
        req.path,
        "/v1/projects/proxyc-local/locations/us-central1/integrations/echo:execute"
    );
    assert_eq!(
        req.header("authorization"),
        Some("Bearer local-integration-token")
    );
    assert_eq!(req.header("content-type"), Some("application/json"));
    assert_eq!(req.header("x-server-timeout"), Some("120"));
    let mut body = req.json().expect("JSON body");
    let request_id = body["requestId"].take();
    assert_eq!(request_id.as_str().map(str::len), Some(36));
    assert_eq!(
        body,
        json!({
            "triggerId": "api_trigger/echo",
            "requestId": null,
            "inputParameters": {
                "s": {"stringValue": "hello"},
                "sref": {"stringValue": "from-query"},
                "i": {"intValue": "42"},
                "b": {"booleanValue": true},
                "d": {"doubleValue": 1.5},
                "j": {"jsonValue": "{\"sku\":\"A1\",\"qty\":2}"},
                "sa": {"stringArray": {"stringValues": ["a", "from-query"]}},
                "ia": {"intArray": {"intValues": ["1", "2"]}},
                "ba": {"booleanArray": {"booleanValues": [true, false]}},
                "da": {"doubleArray": {"doubleValues": [0.5, 3.0]}},
            }
        })
    );

    // The integration's raw API response is `<Response>.content`.
    let out = resp.json();
    assert_eq!(out["outputParameters"]["i"], 42);
    assert_eq!(out["outputParameters"]["j"], json!({"sku": "A1", "qty": 2}));
    assert_eq!(out["outputParameters"]["`ExecutionMode`"], "SYNC");
    let execution = &server.executions()[0];
    assert_eq!(out["executionId"], execution.execution_id.as_str());
    assert_eq!(execution.method, Method::Execute);
    assert_eq!(resp.header("x-integration-status").as_deref(), Some("200"));
    assert_eq!(
        resp.header("x-integration-target").as_deref(),
        Some("proxyc-local/us-central1/echo")
    );
    assert_eq!(
        resp.header("x-integration-trigger").as_deref(),
        Some("api_trigger/echo")
    );
    assert_eq!(
        resp.header("x-request-path").as_deref(),
        Some("/v1/projects/proxyc-local/locations/us-central1/integrations/echo:execute")
    );
    // clearPayload="false": the request object keeps its body.
    assert_eq!(
        resp.header("x-request-trigger").as_deref(),
        Some("api_trigger/echo")
    );
}

#[tokio::test]
async fn parameter_array_ref_reads_a_json_array() {
    let (gw, server) = setup().await;
    let resp = gw.get("/integration/sync?ints=%5B5,%20%226%22%5D").await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    let body = server.requests()[0].json().expect("body");
    assert_eq!(
        body["inputParameters"]["ia"],
        json!({"intArray": {"intValues": ["5", "6"]}})
    );
    let resp = gw.get("/integration/sync?ints=%5B%5D").await;
    assert_fault(&resp, "steps.setintegrationrequest.EmptyParameterArray");
    let resp = gw.get("/integration/sync?ints=%5B1.5%5D").await;
    assert_fault(
        &resp,
        "steps.setintegrationrequest.MismatchedTypeAndResolvedRef",
    );
}

#[tokio::test]
async fn async_callout_schedules_and_returns_execution_ids_at_once() {
    let (gw, server) = setup().await;
    let resp = gw
        .get("/integration/async?order=o-1&at=2030-01-15T01:30:15Z&trigger=echo")
        .await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    let req = &server.requests()[0];
    assert!(
        req.path.ends_with("/integrations/echo:schedule"),
        "{}",
        req.path
    );
    let body = req.json().expect("body");
    assert_eq!(body["scheduleTime"], "2030-01-15T01:30:15Z");
    assert_eq!(body["triggerId"], "api_trigger/echo");
    assert_eq!(
        body["inputParameters"],
        json!({"order": {"stringValue": "o-1"}})
    );
    let execution = &server.executions()[0];
    assert_eq!(execution.method, Method::Schedule);
    assert_eq!(
        resp.json(),
        json!({"executionInfoIds": [execution.execution_id]})
    );
    assert_eq!(resp.header("x-integration-status").as_deref(), Some("200"));
    // clearPayload defaults to true: the request object's body is gone.
    assert_eq!(resp.header("x-request-trigger").as_deref(), Some(""));
}

#[tokio::test]
async fn refs_win_over_text_and_are_validated() {
    let (gw, server) = setup().await;
    server.register(DEFAULT_PROJECT, "europe-west1", "other", "other", |_| {
        Ok(serde_json::Map::new())
    });
    let resp = gw
        .get("/integration/async?region=europe-west1&name=other&trigger=other")
        .await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert_eq!(
        server.requests()[0].path,
        "/v1/projects/proxyc-local/locations/europe-west1/integrations/other:schedule"
    );
    let resp = gw.get("/integration/async?project=a/b").await;
    assert_fault(
        &resp,
        "steps.setintegrationrequest.InvalidResolvedFlowVariable",
    );
    let resp = gw.get("/integration/async?at=tomorrow").await;
    assert_fault(
        &resp,
        "steps.setintegrationrequest.InvalidResolvedFlowVariable",
    );
}

#[tokio::test]
async fn set_integration_request_runtime_faults() {
    let (gw, server) = setup().await;
    let resp = gw.get("/integration/checks?n=12&v=x").await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    let mut built = resp.json();
    built["requestId"].take();
    assert_eq!(
        built,
        json!({
            "triggerId": "api_trigger/echo",
            "requestId": null,
            "inputParameters": {
                "n": {"intValue": "12"},
                "va": {"stringArray": {"stringValues": ["x"]}},
            }
        })
    );
    let resp = gw.get("/integration/checks?n=abc&v=x").await;
    assert_fault(
        &resp,
        "steps.setintegrationrequest.MismatchedTypeAndResolvedRef",
    );
    assert!(resp.text().contains("abc"), "{}", resp.text());
    let resp = gw.get("/integration/checks?v=x").await;
    assert_fault(&resp, "steps.setintegrationrequest.UnresolvedVariable");
    // A FaultRule matches fault.name "UnresolvedVariable".
    assert_eq!(
        resp.header("x-caught").as_deref(),
        Some("UnresolvedVariable")
    );
    let resp = gw.get("/integration/checks?n=1").await;
    assert_fault(
        &resp,
        "steps.setintegrationrequest.EmptyParameterArrayValue",
    );
    let resp = gw.get("/integration/checks?n=1&v=x&region=a%20b").await;
    assert_fault(
        &resp,
        "steps.setintegrationrequest.InvalidResolvedFlowVariable",
    );
    assert_eq!(server.request_count(), 0);
}

#[tokio::test]
async fn integration_callout_faults() {
    let (gw, server) = setup().await;
    let cases = [
        (
            "/integration/schedule-sync",
            "steps.integrationcallout.ExecutionFailed",
        ),
        ("/integration/unresolved", "entities.UnresolvedVariable"),
        (
            "/integration/null",
            "steps.integrationcallout.NullRequestVariable",
        ),
        (
            "/integration/not-message",
            "steps.integrationcallout.RequestVariableNotMessageType",
        ),
        (
            "/integration/not-request",
            "steps.integrationcallout.RequestVariableNotRequestMessageType",
        ),
    ];
    for (path, code) in cases {
        let resp = gw.get(path).await;
        assert_fault(&resp, code);
        let name = code.rsplit('.').next().unwrap_or(code);
        let rule_header = if name == "UnresolvedVariable" {
            "x-caught"
        } else {
            "x-fault-name"
        };
        assert_eq!(resp.header(rule_header).as_deref(), Some(name), "{path}");
    }
    assert_eq!(server.request_count(), 0, "none of these reach the API");
}

#[tokio::test]
async fn api_errors_are_execution_failed() {
    let (gw, server) = setup().await;
    let resp = gw.get("/integration/missing").await;
    assert_fault(&resp, "steps.integrationcallout.ExecutionFailed");
    assert!(resp.text().contains("404"), "{}", resp.text());
    assert!(resp.text().contains("NOT_FOUND"), "{}", resp.text());

    server.set_denied(true);
    let resp = gw.get("/integration/sync").await;
    assert_fault(&resp, "steps.integrationcallout.ExecutionFailed");
    assert!(resp.text().contains("PERMISSION_DENIED"), "{}", resp.text());
    server.set_denied(false);

    server.register(DEFAULT_PROJECT, DEFAULT_REGION, "nope", "nope", |_| {
        Err(ApiError::invalid_argument("the integration failed"))
    });
    let resp = gw.get("/integration/missing").await;
    assert_fault(&resp, "steps.integrationcallout.ExecutionFailed");
    assert!(
        resp.text().contains("the integration failed"),
        "{}",
        resp.text()
    );
}

#[tokio::test]
async fn continue_on_error_sets_the_failed_flag() {
    let (gw, _server) = setup().await;
    let resp = gw.get("/integration/continue").await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert_eq!(resp.header("x-failed").as_deref(), Some("true"));
    assert_eq!(resp.header("x-integration-status").as_deref(), Some("404"));
}

#[tokio::test]
async fn integration_endpoint_route_writes_the_response() {
    let (gw, server) = setup().await;
    let resp = gw.get("/integration/endpoint?q=hi").await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert_eq!(resp.json()["outputParameters"]["q"], "hi");
    // IntegrationName omitted → `-`; ProjectId omitted → organization.name.
    assert_eq!(
        server.requests()[0].path,
        "/v1/projects/proxyc-local/locations/us-central1/integrations/-:execute"
    );
    server.set_denied(true);
    let resp = gw.get("/integration/endpoint").await;
    assert_fault(&resp, "steps.integrationcallout.ExecutionFailed");
}

#[tokio::test]
async fn sync_timeout_is_execution_failed() {
    let server = integration_server::start(IntegrationServer::with_defaults())
        .await
        .expect("integration server");
    server.set_delay(std::time::Duration::from_millis(1500));
    let base = server.base_url();
    let gw = TestGateway::start(
        |g| g.mount(integration::Proxy).expect("mount"),
        |c| {
            point_at(c, &base);
            c.google.credentials = Some("static".into());
            c.google.token = Some(DEFAULT_TOKEN.into());
            c.google.integration_timeout_ms = Some(200);
        },
    )
    .await;
    let resp = gw.get("/integration/sync").await;
    assert_fault(&resp, "steps.integrationcallout.ExecutionFailed");
    assert!(resp.text().contains("timed out"), "{}", resp.text());
}

/// A service-account key generated here, its token minted by the local token
/// endpoint from a really signed JWT; then the token endpoint fails.
#[tokio::test]
async fn service_account_tokens_and_token_failure() {
    let key = ServiceAccountKey::shared().expect("key");
    let tokens = token_server::start(TokenServer::for_key(key).expect("token server"))
        .await
        .expect("start token server");
    let key_file = key
        .write_key_file(&tokens.url(TOKEN_PATH))
        .expect("key file");
    let server = integration_server::start(IntegrationServer::with_defaults())
        .await
        .expect("integration server");
    server.allow_token("ya29.local-1");
    let base = server.base_url();
    let path = key_file.path().to_owned();
    let gw = TestGateway::start(
        |g| g.mount(integration::Proxy).expect("mount"),
        |c| {
            point_at(c, &base);
            c.google.credentials = Some("service_account_key".into());
            c.google.key_file = Some(path);
        },
    )
    .await;
    let resp = gw.get("/integration/sync").await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert_eq!(
        server.requests()[0].header("authorization"),
        Some("Bearer ya29.local-1")
    );
    let assertion = &tokens.assertions()[0];
    assert_eq!(
        assertion.claims["scope"],
        "https://www.googleapis.com/auth/cloud-platform"
    );
    assert_eq!(assertion.claims["iss"], key.client_email.as_str());

    // A fresh gateway (empty token cache) whose token endpoint refuses.
    tokens.fail_with(500, "backend_error");
    let path = key_file.path().to_owned();
    let gw = TestGateway::start(
        |g| g.mount(integration::Proxy).expect("mount"),
        |c| {
            point_at(c, &base);
            c.google.credentials = Some("service_account_key".into());
            c.google.key_file = Some(path);
        },
    )
    .await;
    let resp = gw.get("/integration/sync").await;
    assert_fault(
        &resp,
        "messaging.adaptors.http.filter.GoogleTokenGenerationFailure",
    );
    assert_eq!(
        resp.header("x-fault-name").as_deref(),
        Some("GoogleTokenGenerationFailure")
    );
    assert_eq!(server.request_count(), 1, "no call without a token");
}

/// The README's example bundle (examples/bundles/integration).
#[tokio::test]
async fn example_bundle_runs_async_and_sync() {
    let server = integration_server::start(IntegrationServer::with_defaults())
        .await
        .expect("integration server");
    let base = server.base_url();
    let gw = TestGateway::start(
        |g| {
            g.mount(proxyc_tests::proxies::integration::Proxy)
                .expect("mount")
        },
        |c| {
            point_at(c, &base);
            c.google.credentials = Some("static".into());
            c.google.token = Some(DEFAULT_TOKEN.into());
        },
    )
    .await;
    let resp = gw.get("/integration/async?text=hi&first=7").await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    let execution = &server.executions()[0];
    assert_eq!(
        resp.json()["executionInfoIds"][0],
        execution.execution_id.as_str()
    );
    assert_eq!(
        execution.schedule_time.as_deref(),
        Some("2022-01-15T01:30:15Z")
    );
    assert_eq!(
        serde_json::Value::Object(execution.inputs.clone()),
        json!({"my_str_param": "hi", "my_array_param": [7, 2]})
    );
    let resp = gw.get("/integration/sync?customer=C-7").await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert_eq!(resp.json()["outputParameters"]["customerId"], "C-7");
    assert_eq!(resp.json()["outputParameters"]["maxItems"], 25);
    assert_eq!(
        resp.header("x-integration").as_deref(),
        Some("proxyc-local/us-central1/echo api_trigger/echo")
    );
}
