//! Built-in flow variables as a policy reads them (fixture `tests/bundles/vars`).

use proxyc_tests::harness::TestGateway;
use proxyc_tests::proxies::vars;

#[tokio::test]
async fn built_in_variables_resolve() {
    let gw = TestGateway::start(
        |g| g.mount(vars::Proxy).expect("mount"),
        |c| {
            c.environment = "test".into();
            c.organization = "acme".into();
        },
    )
    .await;
    let before = std::time::SystemTime::now();
    let resp = gw
        .send(
            "GET",
            "/vars/v1/items/42/details?a=1&a=2&b=x",
            &[("x-multi", "first, second"), ("X-Multi", "third")],
            "",
        )
        .await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    let v = resp.json();
    let expect = [
        ("proxy.basepath", "/vars/*/items"),
        ("proxy.pathsuffix", "/42/details"),
        ("proxy.name", "main"),
        ("request.uri", "/vars/v1/items/42/details?a=1&a=2&b=x"),
        ("request.path", "/vars/v1/items/42/details"),
        ("request.querystring", "a=1&a=2&b=x"),
        ("request.queryparam.a.2", "2"),
        ("request.queryparam.a.values.count", "2"),
        ("request.header.X-Multi", "first"),
        ("request.header.x-multi.2", "second"),
        ("request.header.X-MULTI.values.count", "3"),
        ("request.verb", "GET"),
        ("request.version", "1.1"),
        ("message.verb", ""),
        ("response.status.code", "200"),
        ("apiproxy.name", "vars"),
        ("apiproxy.revision", "7"),
        ("environment.name", "test"),
        ("organization.name", "acme"),
        ("client.ip", "127.0.0.1"),
        ("client.scheme", "HTTP"),
        ("route.name", "none"),
        ("current.flow.name", "PostFlow"),
        ("is.error", "false"),
        ("missing", "default-used"),
    ];
    for (name, value) in expect {
        assert_eq!(v[name], value, "{name}");
    }
    // Read by this proxy, so recorded: the URL as received, with its Host.
    let url = format!("http://{}/vars/v1/items/42/details?a=1&a=2&b=x", gw.addr);
    assert_eq!(v["proxy.url"], url.as_str());
    // Read by this proxy (its only timestamp read), so taken at arrival.
    let received: u128 = v["client.received.start.timestamp"]
        .as_str()
        .and_then(|t| t.parse().ok())
        .expect("client.received.start.timestamp in ms");
    let since = |t: std::time::SystemTime| {
        t.duration_since(std::time::UNIX_EPOCH)
            .expect("clock after 1970")
            .as_millis()
    };
    assert!(since(before) <= received && received <= since(std::time::SystemTime::now()));
}
