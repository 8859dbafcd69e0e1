//! ExtractVariables over real sockets (fixture `tests/bundles/extract`):
//! every source kind, JSON from the target response, XML with namespaces,
//! IgnoreUnresolvedVariables, and each runtime fault provoked for real.

use proxyc_tests::harness::TestGateway;
use proxyc_tests::proxies::extract;

#[tokio::test]
async fn uri_path_patterns_most_segments_win() {
    let gw = TestGateway::serving(extract::Proxy).await;
    let resp = gw.get("/ev/accounts/42").await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert_eq!(resp.header("x-id").as_deref(), Some("42"));
    let resp = gw.get("/ev/accounts/42/orders/7").await;
    assert_eq!(resp.header("x-id").as_deref(), Some("42"));
    assert_eq!(resp.header("x-order").as_deref(), Some("7"));
    // `*` is one segment, `**` any number; ignoreCase applies to literals.
    let resp = gw.get("/ev/accounts/42/Files/a/b/c.txt").await;
    assert_eq!(resp.header("x-file").as_deref(), Some("c.txt"));
    assert_eq!(resp.header("x-id").as_deref(), Some(""));
}

#[tokio::test]
async fn query_header_and_variable_patterns_and_a_condition() {
    let gw = TestGateway::serving(extract::Proxy).await;
    gw.send(
        "GET",
        "/ev/inputs?code=dbn123&w=first&w=second",
        &[
            ("authorization", "Bearer tok-1"),
            ("x-multi", "one"),
            ("x-multi", "two"),
            ("accept", "text/xml;charset=UTF-16"),
            ("x-greeting", "hello Ada Lovelace"),
            ("x-braces", "{user} Steve"),
        ],
        "",
    )
    .await;
    let req = gw
        .echo
        .requests()
        .pop()
        .expect("the backend got the request");
    assert_eq!(req.header("x-dbncode"), Some("123"));
    assert_eq!(req.header("x-w2"), Some("second"));
    assert_eq!(req.header("x-token"), Some("tok-1"));
    assert_eq!(req.header("x-multi2"), Some("two"));
    assert_eq!(req.header("x-multiall"), Some("one, two"));
    assert_eq!(req.header("x-charset"), Some("UTF-16"));
    assert_eq!(req.header("x-name"), Some("Ada/Lovelace"));
    assert_eq!(req.header("x-braced"), Some("Steve"));
    // The condition `in.dbncode = "123"` read the extracted variable.
    assert_eq!(req.header("x-cond"), Some("hit"));
}

#[tokio::test]
async fn no_match_creates_nothing_and_a_missing_index_is_empty() {
    let gw = TestGateway::serving(extract::Proxy).await;
    gw.send(
        "GET",
        "/ev/inputs?code=xyz&w=only",
        &[("authorization", "Basic x")],
        "",
    )
    .await;
    let req = gw.echo.requests().pop().expect("request");
    assert_eq!(req.header("x-dbncode"), Some(""));
    assert_eq!(req.header("x-token"), Some(""));
    assert_eq!(req.header("x-w2"), Some(""));
    assert_eq!(req.header("x-cond"), None);
}

#[tokio::test]
async fn form_params_and_clear_payload() {
    let gw = TestGateway::serving(extract::Proxy).await;
    gw.send(
        "POST",
        "/ev/form",
        &[("content-type", "application/x-www-form-urlencoded")],
        "greeting=hello+Bob&x=1",
    )
    .await;
    let req = gw.echo.requests().pop().expect("request");
    assert_eq!(req.header("x-user"), Some("Bob"));
    assert!(req.body.is_empty(), "clearPayload emptied the request body");
}

#[tokio::test]
async fn json_from_the_target_response_exposed_as_headers() {
    let gw = TestGateway::serving(extract::Proxy).await;
    let resp = gw
        .send(
            "GET",
            "/ev/json?q=rust&n=5",
            &[("x-custom", "custom-value"), ("x-field", "q")],
            "",
        )
        .await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert_eq!(resp.header("x-custom-out").as_deref(), Some("custom-value"));
    assert_eq!(resp.header("x-q-out").as_deref(), Some("rust"));
    assert_eq!(resp.header("x-n-out").as_deref(), Some("5"));
    assert_eq!(resp.header("x-picked").as_deref(), Some("rust"));
    assert_eq!(
        resp.header("x-query").as_deref(),
        Some(r#"{"n":"5","q":"rust"}"#)
    );
    assert_eq!(resp.header("x-absent").as_deref(), Some("none"));
}

#[tokio::test]
async fn json_from_a_url_route_response() {
    // A RouteRule's own <URL> is the one route whose response the
    // ProxyEndpoint reads whole itself (a TargetEndpoint buffers its own).
    let gw = TestGateway::serving(extract::Proxy).await;
    let resp = gw
        .send(
            "GET",
            "/ev/json?q=direct&n=7",
            &[("x-route", "url"), ("x-field", "n")],
            "",
        )
        .await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert_eq!(
        gw.echo.requests().pop().expect("request").path,
        "/direct/json"
    );
    assert_eq!(resp.header("x-q-out").as_deref(), Some("direct"));
    assert_eq!(resp.header("x-picked").as_deref(), Some("7"));
}

#[tokio::test]
async fn unable_to_cast_invalid_json_path_and_unresolved_template() {
    let gw = TestGateway::serving(extract::Proxy).await;
    let resp = gw
        .send("GET", "/ev/json?q=a&n=abc", &[("x-field", "q")], "")
        .await;
    assert_eq!(resp.status, 500);
    assert_eq!(resp.errorcode(), "steps.extractvariables.UnableToCast");
    let resp = gw
        .send("GET", "/ev/json?q=a&n=1", &[("x-field", "[[[")], "")
        .await;
    assert_eq!(resp.status, 500);
    assert_eq!(resp.errorcode(), "steps.extractvariables.InvalidJSONPath");
    let resp = gw.get("/ev/json?q=a&n=1").await;
    assert_eq!(resp.status, 500);
    assert_eq!(
        resp.errorcode(),
        "steps.extractvariables.JsonPathParsingFailure"
    );
}

const XML: &str = r#"<d:Directions xmlns:d="urn:directions"><d:route><d:leg mode="walk"><d:step>left</d:step><d:step>right</d:step></d:leg></d:route></d:Directions>"#;

#[tokio::test]
async fn xml_payload_with_namespaces() {
    let gw = TestGateway::serving(extract::Proxy).await;
    let resp = gw
        .send(
            "POST",
            "/ev/xml",
            &[("content-type", "application/xml")],
            XML,
        )
        .await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    let req = gw.echo.requests().pop().expect("request");
    assert_eq!(req.header("x-mode"), Some("walk"));
    assert_eq!(req.header("x-steps"), Some("2"));
    assert_eq!(req.header("x-first"), Some("left"));
    assert_eq!(req.header("x-missing"), Some("none"));
}

#[tokio::test]
async fn malformed_xml_is_execution_failed_and_other_types_are_skipped() {
    let gw = TestGateway::serving(extract::Proxy).await;
    let resp = gw
        .send(
            "POST",
            "/ev/xml",
            &[("content-type", "text/xml")],
            "<a><b></a>",
        )
        .await;
    assert_eq!(resp.status, 500);
    assert_eq!(resp.errorcode(), "steps.extractvariables.ExecutionFailed");
    // Not an XML content type: XMLPayload is skipped, nothing is set.
    let resp = gw
        .send("POST", "/ev/xml", &[("content-type", "text/plain")], XML)
        .await;
    assert_eq!(resp.status, 500, "AM-XmlOut cannot resolve xml.mode");
    assert_eq!(resp.errorcode(), "steps.assignmessage.UnresolvedVariable");
}

#[tokio::test]
async fn source_message_not_available_and_ignored() {
    let gw = TestGateway::serving(extract::Proxy).await;
    let resp = gw.get("/ev/no-response").await;
    assert_eq!(resp.status, 500);
    assert_eq!(
        resp.errorcode(),
        "steps.extractvariables.SourceMessageNotAvailable"
    );
    assert_eq!(
        resp.json()["fault"]["faultstring"],
        "response message is not available for ExtractVariable: EV-NoResponse"
    );
    let resp = gw.get("/ev/ignore").await;
    assert_eq!(resp.status, 200, "{}", resp.text());
}

#[tokio::test]
async fn a_plain_variable_source_and_json_path_parsing_failure() {
    let gw = TestGateway::serving(extract::Proxy).await;
    gw.send(
        "GET",
        "/ev/text-var",
        &[
            ("x-set", "yes"),
            ("x-json", r#"{"flag": true, "price": 2.5}"#),
        ],
        "",
    )
    .await;
    let req = gw.echo.requests().pop().expect("request");
    assert_eq!(req.header("x-flag"), Some("true"));
    assert_eq!(req.header("x-price"), Some("2.5"));
    let resp = gw.get("/ev/text-var").await;
    assert_eq!(resp.status, 500);
    assert_eq!(
        resp.errorcode(),
        "steps.extractvariables.JsonPathParsingFailure"
    );
    let resp = gw
        .send(
            "GET",
            "/ev/text-var",
            &[("x-set", "yes"), ("x-json", "{oops")],
            "",
        )
        .await;
    assert_eq!(resp.errorcode(), "steps.extractvariables.ExecutionFailed");
}

#[tokio::test]
async fn set_variable_failed() {
    let gw = TestGateway::serving(extract::Proxy).await;
    let resp = gw.get("/ev/set-fail?v=a%0Db").await;
    assert_eq!(resp.status, 500);
    assert_eq!(resp.errorcode(), "steps.extractvariables.SetVariableFailed");
    let resp = gw.get("/ev/set-fail?v=fine").await;
    assert_eq!(resp.status, 200);
    let req = gw.echo.requests().pop().expect("request");
    assert_eq!(req.header("x-bad"), Some("fine"));
}
