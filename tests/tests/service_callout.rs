//! ServiceCallout over real sockets (fixtures `tests/bundles/callouts` and
//! `tests/bundles/callee`): what the service receives, what the client
//! gets, every fault provoked for real, fire-and-forget, local targets and
//! Google authentication.

use proxyc_runtime::{EnvConfig, Gateway};
use proxyc_testkit::echo::Echo;
use proxyc_testkit::google::RunningServer;
use proxyc_tests::harness::{LocalGoogle, TestGateway};
use proxyc_tests::proxies::{callee, callouts};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

fn mount(g: Gateway) -> Gateway {
    g.mount(callouts::Proxy)
        .and_then(|g| g.mount(callee::Proxy))
        .expect("mount")
}

async fn gateway(tweak: impl FnOnce(&mut EnvConfig)) -> TestGateway {
    TestGateway::start(mount, tweak).await
}

/// A server that accepts connections and drops them at once.
async fn resetting_server() -> SocketAddr {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((s, _)) = l.accept().await {
            drop(s);
        }
    });
    addr
}

/// A server that accepts connections and never answers.
async fn silent_server() -> SocketAddr {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = l.accept().await {
            held.push(s);
        }
    });
    addr
}

fn assert_fault(resp: &proxyc_tests::harness::TestResponse, code: &str) -> String {
    assert_eq!(resp.status, 500, "{}", resp.text());
    let body = resp.json();
    assert_eq!(
        body["fault"]["detail"]["errorcode"],
        code,
        "{}",
        resp.text()
    );
    body["fault"]["faultstring"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn inline_request_sends_verb_path_query_headers_and_body() {
    let gw = gateway(|_| {}).await;
    let resp = gw
        .send("GET", "/callouts/inline?q=Berlin", &[("x-in", "abc")], "")
        .await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    let got = gw.echo.requests();
    let r = got.last().unwrap();
    assert_eq!(r.method, "PUT");
    assert_eq!(r.path, "/maps/api/geocode/json");
    assert_eq!(
        r.query_pairs(),
        vec![
            ("address".to_owned(), "Berlin".to_owned()),
            ("sensor".to_owned(), "false".to_owned())
        ]
    );
    assert_eq!(r.header("x-callout"), Some("abc"));
    assert_eq!(r.header("content-type"), Some("text/plain"));
    // The literal URL's host (its default port left out).
    assert_eq!(r.header("host"), Some("echo.internal"));
    assert_eq!(&r.body[..], b"hello Berlin");
    // The response flow copied calloutResponse into the client response.
    assert_eq!(resp.header("x-callout-status").as_deref(), Some("200"));
    assert_eq!(resp.header("x-callout-backend").as_deref(), Some("echo"));
    assert_eq!(resp.json()["path"], "/maps/api/geocode/json");
    assert_eq!(
        resp.header("x-requesturi").as_deref(),
        Some("/maps/api/geocode/json?address=Berlin&sensor=false")
    );
}

#[tokio::test]
async fn form_params_are_sent_as_a_form() {
    let gw = gateway(|_| {}).await;
    let resp = gw.get("/callouts/form?b=two").await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    let got = gw.echo.requests();
    let r = got.last().unwrap();
    assert_eq!(r.method, "POST");
    assert_eq!(
        r.form_pairs(),
        vec![
            ("a".to_owned(), "1".to_owned()),
            ("b".to_owned(), "two".to_owned())
        ]
    );
    assert_eq!(
        r.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
}

#[tokio::test]
async fn a_request_prepared_by_assign_message_is_used_and_kept() {
    let gw = gateway(|_| {}).await;
    let resp = gw.get("/callouts/prepared").await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    let got = gw.echo.requests();
    let r = got.last().unwrap();
    assert_eq!(r.method, "DELETE");
    assert_eq!(r.path, "/api/items/7");
    assert_eq!(r.header("x-prepared"), Some("yes"));
    // clearPayload="false": the request variable still exists afterwards.
    assert_eq!(resp.header("x-prepared-verb").as_deref(), Some("DELETE"));
}

#[tokio::test]
async fn url_templates_take_host_and_path_from_variables() {
    let gw = gateway(|_| {}).await;
    let resp = gw
        .send(
            "GET",
            "/callouts/template?p=abc&w=42",
            &[("x-host", "echo.internal:80")],
            "",
        )
        .await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    let got = gw.echo.requests();
    let r = got.last().unwrap();
    assert_eq!(r.path, "/t/abc");
    assert_eq!(r.query.as_deref(), Some("w=42"));
}

#[tokio::test]
async fn target_url_variable_overrides_the_configured_url() {
    let gw = gateway(|_| {}).await;
    let resp = gw.get("/callouts/override").await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert_eq!(gw.echo.requests().last().unwrap().path, "/overridden");
    assert_eq!(
        resp.header("x-target-url").as_deref(),
        Some("http://echo.internal/overridden")
    );
}

#[tokio::test]
async fn closed_port_reset_and_silence_are_execution_failed() {
    let reset = resetting_server().await;
    let silent = silent_server().await;
    let gw = gateway(|c| {
        c.connect_overrides
            .insert("reset.internal:80".into(), reset);
        c.connect_overrides
            .insert("hang.internal:80".into(), silent);
    })
    .await;
    let s = assert_fault(
        &gw.get("/callouts/down").await,
        "steps.servicecallout.ExecutionFailed",
    );
    assert!(
        s.starts_with("Execution of ServiceCallout SC-Down failed. Reason: "),
        "{s}"
    );
    let s = assert_fault(
        &gw.get("/callouts/reset").await,
        "steps.servicecallout.ExecutionFailed",
    );
    assert!(
        s.starts_with("Execution of ServiceCallout SC-Reset failed. Reason: "),
        "{s}"
    );
    let start = Instant::now();
    let s = assert_fault(
        &gw.get("/callouts/hang").await,
        "steps.servicecallout.ExecutionFailed",
    );
    assert!(s.contains("Timeout"), "{s}");
    assert!(start.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn error_status_is_execution_failed_unless_success_codes_allow_it() {
    let gw = gateway(|_| {}).await;
    let s = assert_fault(
        &gw.get("/callouts/404").await,
        "steps.servicecallout.ExecutionFailed",
    );
    assert_eq!(
        s,
        "Execution of ServiceCallout SC-404 failed. Reason: ResponseCode 404 is treated as error"
    );
    let ok = gw.get("/callouts/404ok").await;
    assert_eq!(ok.status, 200, "{}", ok.text());
    assert_eq!(ok.header("x-callout-status").as_deref(), Some("404"));
}

#[tokio::test]
async fn continue_on_error_keeps_the_error_response() {
    let gw = gateway(|_| {}).await;
    let resp = gw.get("/callouts/503").await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert_eq!(resp.header("x-callout-status").as_deref(), Some("503"));
    assert_eq!(resp.header("x-503-failed").as_deref(), Some("true"));
}

#[tokio::test]
async fn request_variable_holding_a_string_is_not_a_message_and_fault_rules_see_it() {
    let gw = gateway(|_| {}).await;
    let resp = gw.get("/callouts/string").await;
    let s = assert_fault(&resp, "steps.servicecallout.RequestVariableNotMessageType");
    assert_eq!(
        s,
        "ServiceCallout[SC-String]: request variable strReq value is not of type Message"
    );
    assert_eq!(
        resp.header("x-fault-rule").as_deref(),
        Some("RequestVariableNotMessageType")
    );
    assert!(gw.echo.requests().is_empty());
}

#[tokio::test]
async fn request_variable_holding_a_response_is_not_a_request() {
    let gw = gateway(|_| {}).await;
    assert_fault(
        &gw.get("/callouts/respvar").await,
        "steps.servicecallout.RequestVariableNotRequestMessageType",
    );
    assert!(gw.echo.requests().is_empty());
}

#[tokio::test]
async fn without_response_the_proxy_answers_before_the_callout_completes() {
    let slow = RunningServer::start(Echo).await.unwrap();
    slow.set_delay(Duration::from_millis(1500));
    let gw = gateway(|c| {
        c.connect_overrides
            .insert("slow.internal:80".into(), slow.addr());
    })
    .await;
    let start = Instant::now();
    let resp = gw
        .send("GET", "/callouts/fire", &[("x-id", "f1")], "")
        .await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert!(
        start.elapsed() < Duration::from_millis(1000),
        "{:?}",
        start.elapsed()
    );
    // The call still happens, in the background.
    let deadline = Instant::now() + Duration::from_secs(5);
    while slow.requests().is_empty() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let got = slow.requests();
    assert_eq!(got.first().and_then(|r| r.header("x-fire")), Some("f1"));
}

#[tokio::test]
async fn background_callouts_beyond_the_limit_are_dropped_not_queued() {
    let slow = RunningServer::start(Echo).await.unwrap();
    slow.set_delay(Duration::from_millis(800));
    let gw = gateway(|c| {
        c.connect_overrides
            .insert("slow.internal:80".into(), slow.addr());
        c.limits.max_background_callouts = 1;
    })
    .await;
    let start = Instant::now();
    for id in ["a", "b"] {
        let resp = gw.send("GET", "/callouts/fire", &[("x-id", id)], "").await;
        assert_eq!(resp.status, 200);
    }
    assert!(start.elapsed() < Duration::from_millis(700));
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(slow.request_count(), 1);
}

#[tokio::test]
async fn local_target_connection_runs_the_other_proxy_in_process() {
    let gw = gateway(|_| {}).await;
    let resp = gw.get("/callouts/local").await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert_eq!(resp.header("x-callout-status").as_deref(), Some("202"));
    assert_eq!(resp.header("x-callout-backend").as_deref(), Some("callee"));
    let body = resp.json();
    assert_eq!(body["suffix"], "/hello", "{}", resp.text());
    assert_eq!(body["from"], "callouts");
    assert_eq!(body["verb"], "GET");
    let by_path = gw.get("/callouts/localpath").await;
    assert_eq!(by_path.status, 200, "{}", by_path.text());
    assert_eq!(by_path.json()["suffix"], "/by-path");
    let s = assert_fault(
        &gw.get("/callouts/localmissing").await,
        "steps.servicecallout.ExecutionFailed",
    );
    assert!(s.contains("nowhere"), "{s}");
    assert!(gw.echo.requests().is_empty());
}

async fn token_gateway() -> (TestGateway, LocalGoogle) {
    let google = LocalGoogle::start().await;
    let gw = gateway(|c| google.configure(c)).await;
    (gw, google)
}

#[tokio::test]
async fn google_access_token_is_sent_as_bearer() {
    let (gw, _google) = token_gateway().await;
    let resp = gw.get("/callouts/auth").await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    let got = gw.echo.requests();
    let auth = got.last().and_then(|r| r.header("authorization")).unwrap();
    assert!(auth.starts_with("Bearer ya29.local-"), "{auth}");
}

#[tokio::test]
async fn google_id_token_goes_to_header_name_with_the_audience() {
    let (gw, google) = token_gateway().await;
    let resp = gw.get("/callouts/authid").await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    let got = gw.echo.requests();
    let r = got.last().unwrap();
    assert_eq!(r.header("authorization"), None);
    let jwt = r
        .header("x-serverless-authorization")
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap();
    let claims = google.server.verify_id_token(jwt).expect("valid ID token");
    assert_eq!(claims["aud"], "https://service.example");
}

#[tokio::test]
async fn failing_token_server_is_google_token_generation_failure() {
    let (gw, google) = token_gateway().await;
    google.server.fail_with(500, "backendError");
    assert_fault(
        &gw.get("/callouts/auth").await,
        "messaging.adaptors.http.filter.GoogleTokenGenerationFailure",
    );
    assert!(gw.echo.requests().is_empty());
}

/// The reference's examples (examples/bundles/geocoding), with the Geocoding
/// API host mapped to the echo backend as the example gateway does.
#[tokio::test]
async fn reference_examples_call_the_geocoding_api() {
    let gw = TestGateway::start(
        |g| {
            g.mount(proxyc_tests::proxies::geocoding::Proxy)
                .expect("mount")
        },
        |c| {
            let echo = c.connect_overrides["echo.internal:80"];
            c.connect_overrides
                .insert("maps.googleapis.com:80".into(), echo);
        },
    )
    .await;
    for flow in ["inline", "prepared"] {
        let resp = gw
            .get(&format!("/geocoding/{flow}?postalcode=10115&country=de"))
            .await;
        assert_eq!(resp.status, 200, "{flow}: {}", resp.text());
        assert_eq!(resp.header("x-geocoding-status").as_deref(), Some("200"));
        let echoed = resp.json();
        assert_eq!(echoed["method"], "GET");
        assert_eq!(echoed["path"], "/maps/api/geocode/json");
        assert_eq!(echoed["query"]["address"], "10115");
        assert_eq!(echoed["query"]["region"], "de");
        assert_eq!(echoed["query"]["sensor"], "false");
        assert_eq!(echoed["headers"]["host"], "maps.googleapis.com");
    }
}
