//! The local Application Integration API: routing, auth, strict bodies, executions.

mod google_common;

use google_common::{Reply, send};
use http::Method;
use proxyc_testkit::google::integration_server::{
    self, DEFAULT_PROJECT, DEFAULT_REGION, DEFAULT_TOKEN, IntegrationServer, Method as Call,
};
use proxyc_testkit::google::{ApiError, RunningServer};
use serde_json::{Map, Value, json};

fn execute_path(name: &str) -> String {
    format!("/v1/projects/{DEFAULT_PROJECT}/locations/{DEFAULT_REGION}/integrations/{name}:execute")
}

fn schedule_path(name: &str) -> String {
    format!(
        "/v1/projects/{DEFAULT_PROJECT}/locations/{DEFAULT_REGION}/integrations/{name}:schedule"
    )
}

async fn start_default() -> RunningServer<IntegrationServer> {
    integration_server::start(IntegrationServer::with_defaults())
        .await
        .expect("start")
}

async fn post(server: &RunningServer<IntegrationServer>, path: &str, body: &Value) -> Reply {
    let auth = format!("Bearer {DEFAULT_TOKEN}");
    let headers = [
        ("authorization", auth.as_str()),
        ("content-type", "application/json"),
    ];
    send(Method::POST, &server.url(path), &headers, body.to_string()).await
}

fn assert_error(reply: &Reply, code: u16, status: &str) {
    assert_eq!(reply.status, code, "{}", reply.text());
    let body = reply.json();
    assert_eq!(body["error"]["code"], code, "{body}");
    assert_eq!(body["error"]["status"], status, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty())
    );
}

#[tokio::test]
async fn echo_executes_the_spec_example() {
    let server = start_default().await;
    let body = json!({
        "triggerId": "api_trigger/echo",
        "requestId": "9f1c2c3e-0b7e-4a0b-9e2f-5d2b1a7c8e11",
        "inputParameters": {
            "customerId":  {"stringValue": "C-1001"},
            "maxItems":    {"intValue": "25"},
            "express":     {"booleanValue": true},
            "payload":     {"jsonValue": "{\"sku\":\"A1\",\"qty\":2}"},
            "tags":        {"stringArray": {"stringValues": ["a", "b"]}}
        },
        "doNotPropagateError": false
    });
    let reply = post(&server, &execute_path("echo"), &body).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let json = reply.json();
    assert!(
        json["executionId"]
            .as_str()
            .is_some_and(|id| !id.is_empty())
    );
    assert_eq!(
        json["outputParameters"],
        json!({
            "customerId": "C-1001", "maxItems": 25, "express": true,
            "payload": {"sku": "A1", "qty": 2}, "tags": ["a", "b"],
            "`ExecutionMode`": "SYNC"
        })
    );
    let executions = server.executions();
    assert_eq!(executions.len(), 1);
    assert_eq!(executions[0].integration, "echo");
    assert_eq!(executions[0].method, Call::Execute);
    assert_eq!(server.requests()[0].json(), Some(body));
}

#[tokio::test]
async fn wildcard_names_resolve_by_trigger_and_snake_case_trigger_is_accepted() {
    let server = start_default().await;
    let reply = post(
        &server,
        &execute_path("-"),
        &json!({"trigger_id": "api_trigger/echo"}),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(
        reply.json()["outputParameters"],
        json!({"`ExecutionMode`": "SYNC"})
    );
    assert_eq!(server.executions()[0].integration, "echo");
}

#[tokio::test]
async fn schedule_returns_execution_ids_immediately() {
    let server = start_default().await;
    let body = json!({
        "triggerId": "api_trigger/echo",
        "scheduleTime": "2026-04-10T12:00:00Z",
        "inputParameters": {"n": {"doubleValue": 2.5}}
    });
    let reply = post(&server, &schedule_path("echo"), &body).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let ids = reply.json()["executionInfoIds"].clone();
    let record = &server.executions()[0];
    assert_eq!(ids, json!([record.execution_id]));
    assert_eq!(record.method, Call::Schedule);
    assert_eq!(
        record.schedule_time.as_deref(),
        Some("2026-04-10T12:00:00Z")
    );
    assert_eq!(
        record.outcome.clone().ok().map(Value::Object),
        Some(json!({"n": 2.5}))
    );
}

#[tokio::test]
async fn registered_handlers_map_inputs_and_errors() {
    let server = integration_server::start(IntegrationServer::new())
        .await
        .expect("start");
    server.allow_token("t1");
    server.register("p", "europe-west1", "orders", "orders_api", |inputs| {
        let id = inputs.get("id").and_then(Value::as_str).unwrap_or("");
        if id == "missing" {
            return Err(ApiError::not_found("order missing"));
        }
        let mut out = Map::new();
        out.insert("orderStatus".into(), json!("SHIPPED"));
        out.insert("id".into(), json!(id));
        Ok(out)
    });
    let url = server.url("/v1/projects/p/locations/europe-west1/integrations/orders:execute");
    let headers = [
        ("authorization", "Bearer t1"),
        ("content-type", "application/json; charset=utf-8"),
    ];
    let ok = json!({"triggerId": "api_trigger/orders_api", "inputParameters": {"id": {"stringValue": "o1"}}});
    let reply = send(Method::POST, &url, &headers, ok.to_string()).await;
    assert_eq!(reply.json()["outputParameters"]["orderStatus"], "SHIPPED");

    let missing = json!({"triggerId": "api_trigger/orders_api", "inputParameters": {"id": {"stringValue": "missing"}}});
    let reply = send(Method::POST, &url, &headers, missing.to_string()).await;
    assert_error(&reply, 404, "NOT_FOUND");

    let mut quiet = missing.clone();
    quiet["doNotPropagateError"] = json!(true);
    let reply = send(Method::POST, &url, &headers, quiet.to_string()).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["executionFailed"], true);
    assert!(
        reply.json()["eventParameters"]["parameters"][0]["value"]["stringValue"]
            .as_str()
            .is_some_and(|m| m.contains("order missing"))
    );
}

#[tokio::test]
async fn unknown_integrations_and_triggers_are_not_found() {
    let server = start_default().await;
    let unknown_name = post(
        &server,
        &execute_path("nope"),
        &json!({"triggerId": "api_trigger/echo"}),
    )
    .await;
    assert_error(&unknown_name, 404, "NOT_FOUND");
    let unknown_trigger = post(
        &server,
        &execute_path("-"),
        &json!({"triggerId": "api_trigger/nope"}),
    )
    .await;
    assert_error(&unknown_trigger, 404, "NOT_FOUND");
    let other_project = post(
        &server,
        "/v1/projects/other/locations/us-central1/integrations/echo:execute",
        &json!({"triggerId": "api_trigger/echo"}),
    )
    .await;
    assert_error(&other_project, 404, "NOT_FOUND");
    for path in [
        "/v1/projects/p/locations/r/integrations/echo:run".to_owned(),
        "/v1/projects/p/integrations/echo:execute".to_owned(),
        "/v2/whatever".to_owned(),
    ] {
        assert_error(&post(&server, &path, &json!({})).await, 404, "NOT_FOUND");
    }
    let get = send(Method::GET, &server.url(&execute_path("echo")), &[], "").await;
    assert_error(&get, 404, "NOT_FOUND");
}

#[tokio::test]
async fn bearer_tokens_are_required_and_permission_can_be_denied() {
    let server = start_default().await;
    let url = server.url(&execute_path("echo"));
    let body = json!({"triggerId": "api_trigger/echo"}).to_string();
    let json_ct = ("content-type", "application/json");
    for headers in [
        vec![json_ct],
        vec![json_ct, ("authorization", "Bearer wrong")],
        vec![json_ct, ("authorization", DEFAULT_TOKEN)],
        vec![json_ct, ("authorization", "Basic dXNlcjpwYXNz")],
    ] {
        let reply = send(Method::POST, &url, &headers, body.clone()).await;
        assert_error(&reply, 401, "UNAUTHENTICATED");
    }
    server.set_denied(true);
    assert_error(
        &post(
            &server,
            &execute_path("echo"),
            &json!({"triggerId": "api_trigger/echo"}),
        )
        .await,
        403,
        "PERMISSION_DENIED",
    );
    server.set_denied(false);
    assert_eq!(
        post(
            &server,
            &execute_path("echo"),
            &json!({"triggerId": "api_trigger/echo"})
        )
        .await
        .status,
        200
    );
    assert_eq!(server.executions().len(), 1);
}

#[tokio::test]
async fn content_type_and_headers_are_checked() {
    let server = start_default().await;
    let url = server.url(&execute_path("echo"));
    let auth = format!("Bearer {DEFAULT_TOKEN}");
    let body = json!({"triggerId": "api_trigger/echo"}).to_string();
    let text = [
        ("authorization", auth.as_str()),
        ("content-type", "text/plain"),
    ];
    assert_error(
        &send(Method::POST, &url, &text, body.clone()).await,
        400,
        "INVALID_ARGUMENT",
    );
    let none = [("authorization", auth.as_str())];
    assert_error(
        &send(Method::POST, &url, &none, body.clone()).await,
        400,
        "INVALID_ARGUMENT",
    );
    let bad_timeout = [
        ("authorization", auth.as_str()),
        ("content-type", "application/json"),
        ("x-server-timeout", "soon"),
    ];
    assert_error(
        &send(Method::POST, &url, &bad_timeout, body.clone()).await,
        400,
        "INVALID_ARGUMENT",
    );
    let good_timeout = [
        ("authorization", auth.as_str()),
        ("content-type", "application/json"),
        ("x-server-timeout", "30"),
    ];
    assert_eq!(
        send(Method::POST, &url, &good_timeout, body).await.status,
        200
    );
    let not_json = [
        ("authorization", auth.as_str()),
        ("content-type", "application/json"),
    ];
    assert_error(
        &send(Method::POST, &url, &not_json, "{oops").await,
        400,
        "INVALID_ARGUMENT",
    );
}

#[tokio::test]
async fn every_kind_of_invalid_body_is_rejected() {
    let server = start_default().await;
    let with_param = |wrapper: Value| json!({"triggerId": "api_trigger/echo", "inputParameters": {"p": wrapper}});
    let cases: Vec<(&str, Value)> = vec![
        ("array body", json!([])),
        ("missing triggerId", json!({"inputParameters": {}})),
        ("triggerId without prefix", json!({"triggerId": "echo"})),
        ("empty trigger name", json!({"triggerId": "api_trigger/"})),
        ("triggerId not a string", json!({"triggerId": 5})),
        (
            "both trigger spellings",
            json!({"triggerId": "api_trigger/echo", "trigger_id": "api_trigger/echo"}),
        ),
        (
            "unknown field",
            json!({"triggerId": "api_trigger/echo", "priority": 1}),
        ),
        (
            "scheduleTime on execute",
            json!({"triggerId": "api_trigger/echo", "scheduleTime": "2026-01-01T00:00:00Z"}),
        ),
        (
            "legacy parameterEntries",
            json!({"triggerId": "api_trigger/echo", "parameterEntries": []}),
        ),
        (
            "inputParameters not an object",
            json!({"triggerId": "api_trigger/echo", "inputParameters": []}),
        ),
        (
            "doNotPropagateError not bool",
            json!({"triggerId": "api_trigger/echo", "doNotPropagateError": "yes"}),
        ),
        (
            "requestId too long",
            json!({"triggerId": "api_trigger/echo", "requestId": "a".repeat(37)}),
        ),
        (
            "requestId bad chars",
            json!({"triggerId": "api_trigger/echo", "requestId": "a_b"}),
        ),
        (
            "requestId empty",
            json!({"triggerId": "api_trigger/echo", "requestId": ""}),
        ),
        ("value not an object", with_param(json!("x"))),
        ("no member", with_param(json!({}))),
        (
            "two members",
            with_param(json!({"stringValue": "a", "intValue": "1"})),
        ),
        ("unknown member", with_param(json!({"protoValue": {}}))),
        (
            "stringValue not a string",
            with_param(json!({"stringValue": 1})),
        ),
        (
            "intValue not a number",
            with_param(json!({"intValue": "abc"})),
        ),
        ("intValue fractional", with_param(json!({"intValue": 1.5}))),
        (
            "intValue overflow",
            with_param(json!({"intValue": "9223372036854775808"})),
        ),
        (
            "doubleValue as string",
            with_param(json!({"doubleValue": "1.5"})),
        ),
        (
            "booleanValue as string",
            with_param(json!({"booleanValue": "true"})),
        ),
        (
            "jsonValue invalid JSON",
            with_param(json!({"jsonValue": "{not json"})),
        ),
        (
            "jsonValue not a string",
            with_param(json!({"jsonValue": {"a": 1}})),
        ),
        ("null value", with_param(json!({"stringValue": null}))),
        (
            "stringArray element",
            with_param(json!({"stringArray": {"stringValues": ["a", 1]}})),
        ),
        (
            "stringArray extra key",
            with_param(json!({"stringArray": {"stringValues": [], "x": 1}})),
        ),
        (
            "stringArray not array",
            with_param(json!({"stringArray": {"stringValues": "a"}})),
        ),
        (
            "intArray element",
            with_param(json!({"intArray": {"intValues": ["x"]}})),
        ),
        (
            "intArray wrong field",
            with_param(json!({"intArray": {"values": ["1"]}})),
        ),
        (
            "doubleArray element",
            with_param(json!({"doubleArray": {"doubleValues": [true]}})),
        ),
        (
            "booleanArray element",
            with_param(json!({"booleanArray": {"booleanValues": [0]}})),
        ),
    ];
    for (name, body) in cases {
        let reply = post(&server, &execute_path("echo"), &body).await;
        assert_eq!(reply.status, 400, "{name}: {}", reply.text());
        assert_eq!(
            reply.json()["error"]["status"],
            "INVALID_ARGUMENT",
            "{name}"
        );
    }
    let schedule_cases = [
        json!({"triggerId": "api_trigger/echo", "scheduleTime": "tomorrow"}),
        json!({"triggerId": "api_trigger/echo", "scheduleTime": "2026-01-01 00:00:00"}),
        json!({"triggerId": "api_trigger/echo", "doNotPropagateError": true}),
    ];
    for body in schedule_cases {
        let reply = post(&server, &schedule_path("echo"), &body).await;
        assert_error(&reply, 400, "INVALID_ARGUMENT");
    }
    let resume = json!({"triggerId": "api_trigger/echo", "executionId": "e-1"});
    assert_error(
        &post(&server, &execute_path("echo"), &resume).await,
        400,
        "FAILED_PRECONDITION",
    );
    assert!(server.executions().is_empty(), "nothing ran");
}

#[tokio::test]
async fn repeated_request_ids_return_the_earlier_response() {
    let server = start_default().await;
    let body = json!({"triggerId": "api_trigger/echo", "requestId": "req-1",
                      "inputParameters": {"a": {"intArray": {"intValues": ["1", "2"]}}}});
    let first = post(&server, &execute_path("echo"), &body).await.json();
    let second = post(&server, &execute_path("echo"), &body).await.json();
    assert_eq!(first, second);
    assert_eq!(first["outputParameters"]["a"], json!([1, 2]));
    assert_eq!(server.executions().len(), 1);
    assert_eq!(server.request_count(), 2);
}
