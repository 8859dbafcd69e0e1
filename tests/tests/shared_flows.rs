//! Shared flows and proxy chaining over real sockets: FlowCallout with
//! parameters into shared flows compiled in the same build (fixtures
//! `tests/bundles/{tagging,audit,shared}`) or mounted from another build
//! (`tests/remote/caller`), and TargetEndpoints with LocalTargetConnections
//! (`tests/bundles/chain`).

use proxyc_runtime::{EnvConfig, Environment, Gateway};
use proxyc_tests::harness::TestGateway;
use proxyc_tests::proxies::{caller, chain, cycle, sf_tagging, shared};
use std::sync::Arc;

#[tokio::test]
async fn flow_callout_sets_parameters_and_shares_variables_both_ways() {
    let gw = TestGateway::serving(shared::Proxy).await;
    let resp = gw.get("/shared/items?who=ada").await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    let echoed = resp.json();
    // Headers the shared flow set on the request from the parameters
    // (a literal and a ref).
    assert_eq!(echoed["headers"]["x-sf-greeting"], "hello");
    assert_eq!(echoed["headers"]["x-sf-who"], "ada");
    // Variables the shared flow set, read back by the proxy; `audit.seen`
    // comes from a second shared flow the first one calls.
    assert_eq!(resp.header("x-sf-result").as_deref(), Some("tagged hello"));
    assert_eq!(resp.header("x-audit").as_deref(), Some("audited ada"));
    assert_eq!(resp.header("x-soft-failed").as_deref(), Some(""));
}

#[tokio::test]
async fn conditions_inside_the_shared_flow_are_evaluated_on_the_callers_message() {
    let gw = TestGateway::serving(shared::Proxy).await;
    // No `who`: the shared flow's conditional Step calling `audit` is skipped
    // and the ref parameter leaves `sf.who` unset.
    let resp = gw.get("/shared/items").await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert_eq!(resp.json()["headers"]["x-sf-who"], "");
    assert_eq!(resp.header("x-sf-result").as_deref(), Some("tagged hello"));
    assert_eq!(resp.header("x-audit").as_deref(), Some(""));
}

#[tokio::test]
async fn a_fault_in_the_shared_flow_reaches_the_proxys_fault_rules() {
    let gw = TestGateway::serving(shared::Proxy).await;
    let resp = gw
        .send("GET", "/shared/items", &[("x-sf-fail", "true")], "")
        .await;
    assert_eq!(resp.status, 409, "{}", resp.text());
    assert_eq!(resp.text(), "refused by the shared flow");
    assert_eq!(
        resp.header("x-handled-by").as_deref(),
        Some("proxy fault rule (RaiseFault)")
    );
    assert!(gw.echo.requests().is_empty(), "the target was not called");
}

#[tokio::test]
async fn continue_on_error_on_the_flow_callout_lets_the_flow_go_on() {
    let gw = TestGateway::serving(shared::Proxy).await;
    let resp = gw
        .send("GET", "/shared/soft/x", &[("x-sf-fail", "true")], "")
        .await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert_eq!(resp.header("x-soft-failed").as_deref(), Some("true"));
    // The fault stopped the shared flow before AM-Tag.
    assert_eq!(
        resp.json()["headers"]["x-sf-greeting"],
        serde_json::Value::Null
    );
    let resp = gw.get("/shared/soft/x").await;
    assert_eq!(resp.header("x-soft-failed").as_deref(), Some("false"));
    assert_eq!(resp.json()["headers"]["x-sf-greeting"], "soft");
}

async fn chain_gateway() -> TestGateway {
    TestGateway::start(
        |g| {
            g.mount(chain::Proxy)
                .and_then(|g| g.mount(shared::Proxy))
                .expect("mount")
        },
        |_| {},
    )
    .await
}

#[tokio::test]
async fn local_target_by_api_proxy_runs_the_other_proxys_full_flow() {
    let gw = chain_gateway().await;
    let resp = gw.get("/chain/items?who=lin").await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert_eq!(resp.header("x-chain-route").as_deref(), Some("proxy"));
    // The `shared` proxy's own flows ran (its shared flow and response flow).
    assert_eq!(resp.header("x-sf-result").as_deref(), Some("tagged hello"));
    assert_eq!(resp.header("x-audit").as_deref(), Some("audited lin"));
    let echoed = resp.json();
    assert_eq!(echoed["headers"]["x-chained"], "by-proxy");
    let recorded = gw.echo.requests();
    let req = recorded.last().expect("the backend got the request");
    assert_eq!(req.path, "/backend/items");
    assert_eq!(req.query_pairs(), vec![("who".into(), "lin".into())]);
}

#[tokio::test]
async fn local_target_by_path_appends_the_path_suffix() {
    let gw = chain_gateway().await;
    let resp = gw.send("POST", "/chain/by-path/x", &[], "payload").await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert_eq!(resp.header("x-chain-route").as_deref(), Some("path"));
    let recorded = gw.echo.requests();
    let req = recorded.last().expect("the backend got the request");
    assert_eq!(req.method, "POST");
    assert_eq!(req.path, "/backend/path/by-path/x");
    assert_eq!(req.header("x-chained"), Some("by-path"));
    assert_eq!(resp.json()["body"], "payload");
}

#[tokio::test]
async fn an_error_response_of_the_local_proxy_is_an_error_response_code_fault() {
    let gw = chain_gateway().await;
    let resp = gw
        .send("GET", "/chain/items", &[("x-sf-fail", "true")], "")
        .await;
    // The `shared` proxy answered 409 (its FaultRule handled the shared
    // flow's fault); for `chain` that is a failing target response.
    assert_eq!(resp.status, 409);
    assert_eq!(resp.text(), "refused by the shared flow");
    assert_eq!(
        resp.header("x-handled-by").as_deref(),
        Some("proxy fault rule (RaiseFault)")
    );
}

#[tokio::test]
async fn a_shared_flow_from_another_build_is_called_through_the_gateway() {
    let gw = TestGateway::start(
        |g| {
            g.mount(caller::Proxy)
                .and_then(|g| g.mount_shared_flow(sf_tagging::SharedFlow))
                .expect("mount")
        },
        |_| {},
    )
    .await;
    let resp = gw.get("/caller").await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    // `sf.result` is set by the mounted shared flow, mapped back by name.
    assert_eq!(
        resp.header("x-sf-result").as_deref(),
        Some("tagged from afar")
    );
}

fn gateway() -> Gateway {
    let env = Arc::new(Environment::new(EnvConfig::default()).expect("environment"));
    Gateway::new(env)
}

#[tokio::test]
async fn a_missing_shared_flow_or_local_proxy_stops_the_gateway_before_serving() {
    let gw = gateway()
        .mount(caller::Proxy)
        .and_then(|g| g.mount(chain::Proxy))
        .expect("mount");
    let err = gw.check().expect_err("the environment is incomplete");
    assert!(
        err.contains(
            "proxy `caller`: FlowCallout `FC-Remote` calls shared flow `tagging`, which is not mounted"
        ),
        "{err}"
    );
    assert!(
        err.contains(
            "proxy `chain`: TargetEndpoint `by-proxy` has a LocalTargetConnection: no local proxy `shared` with ProxyEndpoint `default`"
        ),
        "{err}"
    );
    assert!(
        err.contains(
            "proxy `chain`: TargetEndpoint `by-path` has a LocalTargetConnection: no local proxy serves the path `/shared/path`"
        ),
        "{err}"
    );
    // serve refuses to start.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let served = gw.serve(listener, async {}).await;
    let e = served.expect_err("serve fails before serving");
    assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput);
    assert!(e.to_string().contains("shared flow `tagging`"), "{e}");

    // Complete, it passes.
    let complete = gateway()
        .mount(caller::Proxy)
        .and_then(|g| g.mount(chain::Proxy))
        .and_then(|g| g.mount(shared::Proxy))
        .and_then(|g| g.mount_shared_flow(sf_tagging::SharedFlow))
        .expect("mount");
    complete.check().expect("complete environment");
}

#[tokio::test]
async fn mounting_a_shared_flow_twice_is_an_error() {
    let err = gateway()
        .mount_shared_flow(sf_tagging::SharedFlow)
        .and_then(|g| g.mount_shared_flow(sf_tagging::SharedFlow))
        .err()
        .expect("duplicate");
    assert_eq!(err, "shared flow `tagging` is mounted twice");
}

#[tokio::test]
async fn a_local_target_cycle_is_a_fault_not_unbounded_recursion() {
    let gw = TestGateway::serving(cycle::Proxy).await;
    for _ in 0..2 {
        let resp = gw.get("/cycle/x").await;
        // The innermost call fails; every proxy above it returns that
        // response as its target's error response.
        assert_eq!(resp.status, 503, "{}", resp.text());
        assert!(
            resp.text().contains("nested local target calls"),
            "{}",
            resp.text()
        );
    }
}
