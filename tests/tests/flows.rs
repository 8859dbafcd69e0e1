//! The request pipeline over real sockets: flow order, conditions, routes,
//! target proxying, faults and continueOnError (fixture `tests/bundles/flows`).

use proxyc_tests::harness::TestGateway;
use proxyc_tests::proxies::flows;

#[tokio::test]
async fn flows_run_in_documented_order() {
    let gw = TestGateway::serving(flows::Proxy).await;
    let resp = gw
        .send("GET", "/flows/items?x=1", &[("x-flow", "a")], "")
        .await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    let echoed = resp.json();
    assert_eq!(
        echoed["headers"]["x-order"],
        "proxy-pre, skippable, flow-a, proxy-post, target-pre, target-post"
    );
    assert_eq!(
        resp.header("x-order-response").as_deref(),
        Some("target-pre, target-post, proxy-pre, flow-a, proxy-post")
    );
}

#[tokio::test]
async fn only_the_first_matching_flow_runs_and_step_conditions_apply() {
    let gw = TestGateway::serving(flows::Proxy).await;
    let resp = gw.send("GET", "/flows/items?skip=true", &[], "").await;
    assert_eq!(
        resp.json()["headers"]["x-order"],
        "proxy-pre, flow-other, proxy-post, target-pre, target-post"
    );
}

#[tokio::test]
async fn target_receives_verb_path_query_headers_and_body() {
    let gw = TestGateway::serving(flows::Proxy).await;
    let resp = gw
        .send(
            "POST",
            "/flows/a/b?q=1&q=2&r=x%20y",
            &[("content-type", "text/plain"), ("x-custom", "v")],
            "hello body",
        )
        .await;
    assert_eq!(resp.status, 200);
    let recorded = gw.echo.requests();
    let req = recorded.last().expect("the backend got the request");
    assert_eq!(req.method, "POST");
    assert_eq!(req.path, "/backend/a/b");
    assert_eq!(
        req.query_pairs(),
        vec![
            ("q".into(), "1".into()),
            ("q".into(), "2".into()),
            ("r".into(), "x y".into())
        ]
    );
    assert_eq!(req.header("x-custom"), Some("v"));
    assert_eq!(req.header("content-type"), Some("text/plain"));
    assert_eq!(&req.body[..], b"hello body");
    // The backend's own headers come back to the client.
    assert_eq!(resp.header("x-backend").as_deref(), Some("echo"));
}

/// Milliseconds since the Unix epoch, now.
fn now_ms() -> i64 {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970");
    i64::try_from(since.as_millis()).expect("ms fit in i64")
}

/// A proxy that reads the request's timestamps gets them, in order, within
/// the exchange (the compiler takes them because a policy reads them).
#[tokio::test]
async fn request_timestamps_are_taken_when_read() {
    let gw = TestGateway::serving(flows::Proxy).await;
    let before = now_ms();
    let resp = gw.send("GET", "/flows/items", &[], "").await;
    let after = now_ms();
    assert_eq!(resp.status, 200, "{}", resp.text());
    let timing = resp.header("x-timing").expect("x-timing header");
    let stamps: Vec<i64> = timing
        .split(' ')
        .map(|t| {
            t.parse()
                .unwrap_or_else(|_| panic!("not a timestamp: {timing}"))
        })
        .collect();
    let [client, sent, received] = stamps[..] else {
        panic!("three timestamps expected: {timing}");
    };
    assert!(
        before <= client && client <= sent && sent <= received && received <= after,
        "{timing}"
    );
}

#[tokio::test]
async fn hop_by_hop_headers_are_not_forwarded() {
    let gw = TestGateway::serving(flows::Proxy).await;
    gw.send(
        "GET",
        "/flows/x",
        &[
            ("connection", "x-secret-hop"),
            ("x-secret-hop", "1"),
            ("te", "trailers"),
        ],
        "",
    )
    .await;
    let req = gw.echo.requests().pop().expect("request");
    assert_eq!(req.header("x-secret-hop"), None);
    assert_eq!(req.header("te"), None);
}

#[tokio::test]
async fn null_route_skips_the_backend_but_runs_response_flows() {
    let gw = TestGateway::serving(flows::Proxy).await;
    let resp = gw.send("GET", "/flows/x", &[("x-route", "null")], "").await;
    assert_eq!(resp.status, 200);
    assert_eq!(gw.echo.request_count(), 0);
    assert_eq!(
        resp.header("x-order-response").as_deref(),
        Some("proxy-pre, proxy-post")
    );
}

#[tokio::test]
async fn url_route_calls_the_url() {
    let gw = TestGateway::serving(flows::Proxy).await;
    let resp = gw.send("GET", "/flows/x", &[("x-route", "url")], "").await;
    assert_eq!(resp.status, 200);
    assert_eq!(gw.echo.requests().pop().expect("request").path, "/direct/x");
}

#[tokio::test]
async fn unreachable_backend_is_service_unavailable_and_gateway_keeps_serving() {
    let gw = TestGateway::serving(flows::Proxy).await;
    // `down` has FaultRules (none matches), `bare` has none: either way the
    // ProxyEndpoint's DefaultFaultRule gets the fault as raised, category
    // included.
    for route in ["down", "bare"] {
        let resp = gw.send("GET", "/flows/x", &[("x-route", route)], "").await;
        assert_eq!(resp.status, 503, "{route}: {}", resp.text());
        let fault = &resp.json()["fault"];
        assert_eq!(
            fault["detail"]["errorcode"], "messaging.adaptors.http.flow.ServiceUnavailable",
            "{route}"
        );
        assert_eq!(
            fault["detail"]["reason"], "TARGET_CONNECT_FAILED",
            "{route}"
        );
        assert_eq!(
            resp.header("x-fault-rule").as_deref(),
            Some("ServiceUnavailable"),
            "{route}"
        );
        assert_eq!(
            resp.header("x-fault-category").as_deref(),
            Some("Transport"),
            "{route}"
        );
    }
    assert_eq!(gw.get("/flows/ok").await.status, 200);
}

#[tokio::test]
async fn raise_fault_gives_the_default_fault_body_and_fault_rules_are_selected_bottom_up() {
    let gw = TestGateway::serving(flows::Proxy).await;
    let resp = gw.get("/flows/fail").await;
    assert_eq!(resp.status, 500);
    let body = resp.json();
    assert_eq!(
        body["fault"]["detail"]["errorcode"],
        "steps.raisefault.RaiseFault"
    );
    assert_eq!(
        body["fault"]["faultstring"],
        "Raising fault. Fault name : RF-Fail"
    );
    assert_eq!(resp.header("x-fault-rule").as_deref(), Some("generic"));

    let resp = gw
        .send("GET", "/flows/fail", &[("x-handle", "yes")], "")
        .await;
    assert_eq!(resp.header("x-fault-rule").as_deref(), Some("handled"));
    assert_eq!(gw.echo.request_count(), 0);
}

#[tokio::test]
async fn continue_on_error_sets_the_failed_flag_and_goes_on() {
    let gw = TestGateway::serving(flows::Proxy).await;
    let resp = gw.get("/flows/x?status=abc").await;
    assert_eq!(resp.status, 200);
    assert_eq!(resp.header("x-bad-status-failed").as_deref(), Some("true"));
    assert_eq!(
        resp.header("x-order-response").as_deref(),
        Some("target-pre, target-post, proxy-pre, proxy-post")
    );

    let resp = gw.get("/flows/x?status=201").await;
    assert_eq!(resp.status, 201);
    assert_eq!(resp.header("x-bad-status-failed"), None);
}

#[tokio::test]
async fn unknown_base_path_is_application_not_found() {
    let gw = TestGateway::serving(flows::Proxy).await;
    let resp = gw.get("/nope").await;
    assert_eq!(resp.status, 404);
    assert_eq!(
        resp.json()["fault"]["detail"]["errorcode"],
        "messaging.adaptors.http.flow.ApplicationNotFound"
    );
    let resp = gw.get("/flows/../other").await;
    assert_eq!(resp.status, 404);
}

#[tokio::test]
async fn a_target_fault_rule_handles_target_faults_and_the_proxy_error_flow_is_skipped() {
    let gw = TestGateway::serving(flows::Proxy).await;
    let resp = gw
        .send(
            "GET",
            "/flows/x",
            &[("x-route", "down"), ("x-target-rule", "yes")],
            "",
        )
        .await;
    assert_eq!(resp.status, 503);
    assert_eq!(resp.header("x-fault-rule").as_deref(), Some("target"));
}

#[tokio::test]
async fn post_client_flow_runs_after_the_response_with_the_final_response_visible() {
    let gw = TestGateway::serving(flows::Proxy).await;
    let resp = gw
        .send("GET", "/flows/x", &[("x-post-client", "yes")], "")
        .await;
    assert_eq!(resp.status, 200);
    // The PostClientFlow's callout reaches the backend after the client got its answer.
    let mut seen = None;
    for _ in 0..100 {
        seen = gw
            .echo
            .requests()
            .into_iter()
            .find(|r| r.path == "/post-client");
        if seen.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let callout = seen.expect("the PostClientFlow ran");
    assert_eq!(callout.header("x-response-status"), Some("200"));
    assert_eq!(
        callout.header("x-response-order"),
        Some("target-pre, target-post, proxy-pre, proxy-post")
    );
    let paths: Vec<String> = gw.echo.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(
        paths,
        vec!["/backend/x".to_owned(), "/post-client".to_owned()]
    );
}
