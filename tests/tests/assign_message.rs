//! AssignMessage over real sockets (fixture `tests/bundles/assign`): Copy,
//! Remove, Add, Set, AssignTo and AssignVariable, and their faults.

use proxyc_tests::harness::TestGateway;
use proxyc_tests::proxies::assign;

#[tokio::test]
async fn copy_from_a_created_request_and_response() {
    let gw = TestGateway::serving(assign::Proxy).await;
    let resp = gw
        .send("GET", "/am/copy?orig=1", &[("x-multi", "client")], "")
        .await;
    // StatusCode and every header copied from the created response.
    assert_eq!(resp.status, 201, "{}", resp.text());
    assert_eq!(resp.header("x-r").as_deref(), Some("from-myresp"));
    let req = gw
        .echo
        .requests()
        .pop()
        .expect("the backend got the request");
    assert_eq!(req.method, "PUT");
    assert_eq!(req.header("x-a"), Some("1"));
    // `x-multi.2`: only the second value, replacing the client's header.
    assert_eq!(req.header("x-multi"), Some("two"));
    assert_eq!(req.header("content-type"), Some("text/plain"));
    assert!(req.query_pairs().contains(&("qp".into(), "v".into())));
    assert!(req.query_pairs().contains(&("orig".into(), "1".into())));
    assert_eq!(&req.body[..], b"payload!");
    assert_eq!(req.header("x-copied-path"), Some("/copied"));
}

#[tokio::test]
async fn remove_named_and_indexed() {
    let gw = TestGateway::serving(assign::Proxy).await;
    gw.send(
        "GET",
        "/am/remove?a=1&b=2&b=3&c=4",
        &[("x-r1", "1"), ("x-r2", "2"), ("x-dup", "a"), ("x-dup", "b")],
        "",
    )
    .await;
    let req = gw.echo.requests().pop().expect("request");
    assert_eq!(req.header("x-r1"), None);
    assert_eq!(req.header("x-r2"), Some("2"));
    assert_eq!(req.header("x-dup"), Some("a"));
    assert_eq!(
        req.query_pairs(),
        vec![("b".into(), "3".into()), ("c".into(), "4".into())]
    );
}

#[tokio::test]
async fn remove_everything() {
    let gw = TestGateway::serving(assign::Proxy).await;
    gw.send(
        "POST",
        "/am/remove-all?a=1",
        &[("x-r1", "1"), ("content-type", "text/plain")],
        "body",
    )
    .await;
    let req = gw.echo.requests().pop().expect("request");
    assert_eq!(req.header("x-r1"), None);
    assert!(req.query_pairs().is_empty());
    assert!(req.body.is_empty());
}

#[tokio::test]
async fn set_and_add_headers_query_and_form_params() {
    let gw = TestGateway::serving(assign::Proxy).await;
    gw.send("GET", "/am/set-add?s=0", &[("x-in", "in")], "")
        .await;
    let req = gw.echo.requests().pop().expect("request");
    assert_eq!(req.method, "POST");
    let set: Vec<&str> = req
        .headers
        .get_all("x-set")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    assert_eq!(set, ["in-set", "added"]);
    assert_eq!(
        req.query_pairs(),
        vec![("s".into(), "1".into()), ("s".into(), "2".into())]
    );
    assert_eq!(
        req.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(&req.body[..], b"f=one&f=two");
}

#[tokio::test]
async fn create_new_without_a_variable_replaces_the_request() {
    let gw = TestGateway::serving(assign::Proxy).await;
    gw.send("POST", "/am/replace?q=1", &[("x-old", "1")], "old body")
        .await;
    let req = gw.echo.requests().pop().expect("request");
    assert_eq!(req.header("x-old"), None);
    assert_eq!(req.header("x-new"), Some("1"));
    assert!(req.body.is_empty());
    assert!(req.query_pairs().is_empty());
}

#[tokio::test]
async fn assign_variable_precedence_template_ref_value() {
    let gw = TestGateway::serving(assign::Proxy).await;
    gw.send("GET", "/am/vars", &[("x-r", "R")], "").await;
    let req = gw.echo.requests().pop().expect("request");
    assert_eq!(req.header("x-tpl"), Some("R-tpl"));
    assert_eq!(req.header("x-ref"), Some("R"));
    assert_eq!(req.header("x-value"), Some("value"));
}

#[tokio::test]
async fn unresolved_variable_and_variable_of_non_msg_type() {
    let gw = TestGateway::serving(assign::Proxy).await;
    let resp = gw.get("/am/vars-fail").await;
    assert_eq!(resp.status, 500);
    assert_eq!(resp.errorcode(), "steps.assignmessage.UnresolvedVariable");
    let resp = gw.get("/am/non-msg").await;
    assert_eq!(resp.status, 500);
    assert_eq!(resp.errorcode(), "steps.assignmessage.VariableOfNonMsgType");
    assert_eq!(
        resp.json()["fault"]["faultstring"],
        "AssignMessage[AM-NeedsMsg]: value of variable is not of type Message"
    );
}
