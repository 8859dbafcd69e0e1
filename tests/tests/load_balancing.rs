//! LoadBalancers over TargetServers, on 127.0.0.1: distribution per
//! algorithm, retries and fallback when servers fail, MaxFailures with
//! ServerUnhealthyResponse, and HealthMonitors bringing servers back.

use bytes::Bytes;
use http::Response;
use http_body_util::Full;
use proxyc_runtime::EnvConfig;
use proxyc_runtime::target_servers::TargetServerConfig;
use proxyc_testkit::echo::Echo;
use proxyc_testkit::google::{LocalService, RecordedRequest, RunningServer};
use proxyc_tests::harness::TestGateway;
use proxyc_tests::proxies::{balanced, lb, lb_caller};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// Declares TargetServer `name` as `<name>.test:80`, reached at `addr`.
fn server(config: &mut EnvConfig, name: &str, addr: SocketAddr) {
    let host = format!("{name}.test");
    config.connect_overrides.insert(format!("{host}:80"), addr);
    config.target_servers.insert(
        name.to_owned(),
        TargetServerConfig {
            host,
            port: 80,
            enabled: true,
            protocol: "HTTP".into(),
            ssl_info: None,
        },
    );
}

async fn echo() -> RunningServer<Echo> {
    RunningServer::start(Echo).await.expect("echo")
}

/// Requests a server received, health checks (`/status/200`) left out.
fn proxied(s: &RunningServer<impl LocalService>) -> usize {
    s.requests()
        .iter()
        .filter(|r| r.path != "/status/200")
        .count()
}

/// A TargetServer that always answers 503.
struct Sick;

impl LocalService for Sick {
    fn handle(&self, _: &RecordedRequest, _: &str) -> Response<Full<Bytes>> {
        let mut r = Response::new(Full::new(Bytes::from_static(b"sick")));
        *r.status_mut() = http::StatusCode::SERVICE_UNAVAILABLE;
        r
    }
}

async fn gateway(servers: Vec<(&'static str, SocketAddr)>) -> TestGateway {
    TestGateway::start(
        |g| g.mount(balanced::Proxy).expect("mount"),
        move |c| {
            for (name, addr) in servers {
                server(c, name, addr);
            }
        },
    )
    .await
}

/// The standard set of servers: s1, s2, s3, off, slow, flaky, fb, sick.
struct Servers {
    s1: RunningServer<Echo>,
    s2: RunningServer<Echo>,
    s3: RunningServer<Echo>,
    off: RunningServer<Echo>,
    slow: RunningServer<Echo>,
    flaky: RunningServer<Echo>,
    fb: RunningServer<Echo>,
    sick: RunningServer<Sick>,
}

impl Servers {
    async fn start() -> Self {
        Servers {
            s1: echo().await,
            s2: echo().await,
            s3: echo().await,
            off: echo().await,
            slow: echo().await,
            flaky: echo().await,
            fb: echo().await,
            sick: RunningServer::start(Sick).await.expect("sick"),
        }
    }

    fn list(&self) -> Vec<(&'static str, SocketAddr)> {
        vec![
            ("s1", self.s1.addr()),
            ("s2", self.s2.addr()),
            ("s3", self.s3.addr()),
            ("off", self.off.addr()),
            ("slow", self.slow.addr()),
            ("flaky", self.flaky.addr()),
            ("fb", self.fb.addr()),
            ("sick", self.sick.addr()),
        ]
    }
}

#[tokio::test]
async fn round_robin_spreads_evenly_and_skips_disabled_servers() {
    let s = Servers::start().await;
    let gw = gateway(s.list()).await;
    for _ in 0..30 {
        let r = gw.get("/rr/items?q=1").await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.json()["path"], "/base/items");
        assert_eq!(r.json()["query"]["q"], "1");
    }
    let counts = [proxied(&s.s1), proxied(&s.s2), proxied(&s.s3)];
    assert_eq!(counts, [10, 10, 10]);
    assert_eq!(proxied(&s.off), 0, "IsEnabled=false server used");
}

#[tokio::test]
async fn weighted_follows_the_weights() {
    let s = Servers::start().await;
    let gw = gateway(s.list()).await;
    for _ in 0..40 {
        assert_eq!(gw.get("/weighted").await.status, 200);
    }
    assert_eq!([proxied(&s.s1), proxied(&s.s2)], [10, 30]);
}

#[tokio::test]
async fn least_connections_avoids_the_busy_server() {
    let s = Servers::start().await;
    s.slow.set_delay(Duration::from_secs(2));
    let gw = std::sync::Arc::new(gateway(s.list()).await);
    // Occupy `slow` with one long request (the first pick is `slow`).
    let busy = {
        let gw = std::sync::Arc::clone(&gw);
        tokio::spawn(async move { gw.get("/least").await.status })
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while proxied(&s.slow) == 0 {
        assert!(Instant::now() < deadline, "slow server never reached");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    for _ in 0..6 {
        assert_eq!(gw.get("/least").await.status, 200);
    }
    assert_eq!([proxied(&s.slow), proxied(&s.s2)], [1, 6]);
    assert_eq!(busy.await.expect("busy request"), 200);
}

/// Sends requests until `done` holds (the HealthMonitor runs every second).
async fn until(gw: &TestGateway, path: &str, what: &str, done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while !done() {
        assert!(Instant::now() < deadline, "gave up waiting for: {what}");
        assert_eq!(gw.get(path).await.status, 200);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn failover_fallback_and_health_monitor_bring_servers_back() {
    let s = Servers::start().await;
    let gw = gateway(s.list()).await;
    let Servers {
        s1: _s1,
        s2,
        s3: _s3,
        off: _off,
        slow: _slow,
        flaky,
        fb,
        sick: _sick,
    } = s;
    assert_eq!(gw.get("/failover").await.status, 200);
    assert_eq!(gw.get("/failover").await.status, 200);
    assert_eq!([proxied(&flaky), proxied(&s2)], [1, 1]);

    // `flaky` stops: its requests are retried on s2, and after MaxFailures
    // (2) it leaves rotation.
    let flaky_addr = flaky.addr();
    flaky.shutdown().await;
    for _ in 0..8 {
        let r = gw.get("/failover").await;
        assert_eq!(r.status, 200, "{}", r.text());
    }
    assert_eq!(proxied(&s2), 9);
    assert_eq!(proxied(&fb), 0);

    // s2 stops too: the fallback server answers.
    s2.shutdown().await;
    for _ in 0..4 {
        assert_eq!(gw.get("/failover").await.status, 200);
    }
    assert_eq!(proxied(&fb), 4);

    // `flaky` comes back on its port; the TCP HealthMonitor sees it and it
    // takes traffic again (round robin with nothing else in rotation).
    let flaky = RunningServer::start_on(Echo, flaky_addr)
        .await
        .expect("restart");
    until(&gw, "/failover", "flaky back in rotation", || {
        proxied(&flaky) > 0
    })
    .await;
    let before = proxied(&fb);
    for _ in 0..4 {
        assert_eq!(gw.get("/failover").await.status, 200);
    }
    assert_eq!(proxied(&fb), before, "fallback used while a primary is up");
}

#[tokio::test]
async fn unhealthy_responses_count_as_failures_and_http_monitor_keeps_server_out() {
    let s = Servers::start().await;
    let gw = gateway(s.list()).await;
    for _ in 0..10 {
        let r = gw.get("/unhealthy/x").await;
        assert_eq!(r.status, 200, "503s are retried on the next server");
    }
    // Two 503s (MaxFailures) and the server is out of rotation.
    assert_eq!(proxied(&s.sick), 2);
    assert_eq!(proxied(&s.s2), 10);
    // The HTTP monitor probes it (GET /status/200 with the configured
    // header and the health-check id) and keeps it out: it answers 503.
    let deadline = Instant::now() + Duration::from_secs(15);
    while s.sick.request_count() == 2 {
        assert!(
            Instant::now() < deadline,
            "no health check reached the server"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let probe = s.sick.requests().last().cloned().expect("probe");
    assert_eq!(probe.path, "/status/200");
    assert_eq!(probe.header("x-probe"), Some("yes"));
    assert!(
        probe
            .header("x-apigee-healthcheck-id")
            .is_some_and(|id| id.starts_with("local/local/")),
        "{:?}",
        probe.headers
    );
    for _ in 0..4 {
        assert_eq!(gw.get("/unhealthy/x").await.status, 200);
    }
    assert_eq!(proxied(&s.sick), 2);
}

#[tokio::test]
async fn no_server_in_rotation_is_a_503() {
    let s = Servers::start().await;
    let gw = gateway(s.list()).await;
    let Servers { flaky, s2, fb, .. } = s;
    flaky.shutdown().await;
    s2.shutdown().await;
    fb.shutdown().await;
    let r = gw.get("/failover").await;
    assert_eq!(r.status, 503, "{}", r.text());
    assert_eq!(
        r.errorcode(),
        "messaging.adaptors.http.flow.ServiceUnavailable"
    );
}

#[tokio::test]
async fn service_callout_load_balancer_from_the_reference() {
    let httpbin = echo().await;
    let yahoo = echo().await;
    let servers = vec![("httpbin", httpbin.addr()), ("yahoo", yahoo.addr())];
    let gw = TestGateway::start(
        |g| g.mount(lb::Proxy).expect("mount"),
        move |c| {
            for (name, addr) in servers {
                server(c, name, addr);
            }
        },
    )
    .await;
    for _ in 0..4 {
        let r = gw.get("/lb").await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.header("x-callout-status").as_deref(), Some("200"));
        assert_eq!(r.json()["path"], "/get");
    }
    assert_eq!([httpbin.request_count(), yahoo.request_count()], [2, 2]);
}

#[tokio::test]
async fn a_shared_flows_load_balancer_is_prepared_with_its_calling_proxy() {
    let httpbin = echo().await;
    let yahoo = echo().await;
    let servers = vec![("httpbin", httpbin.addr()), ("yahoo", yahoo.addr())];
    let gw = TestGateway::start(
        |g| g.mount(lb_caller::Proxy).expect("mount"),
        move |c| {
            for (name, addr) in servers {
                server(c, name, addr);
            }
        },
    )
    .await;
    for _ in 0..4 {
        let r = gw.get("/sf-lb").await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.header("x-lookup-status").as_deref(), Some("200"));
        assert_eq!(r.json()["path"], "/lookup");
    }
    assert_eq!([httpbin.request_count(), yahoo.request_count()], [2, 2]);
}

#[tokio::test]
async fn a_shared_flows_target_servers_are_checked_when_its_caller_is_mounted() {
    let env = proxyc_runtime::Environment::new(EnvConfig::default()).expect("environment");
    let gw = proxyc_runtime::Gateway::new(std::sync::Arc::new(env));
    let err = gw
        .mount(lb_caller::Proxy)
        .err()
        .expect("TargetServers are missing");
    assert!(
        err.contains("proxy `lb_caller`, via FlowCallout: shared flow `lookup` references TargetServer `httpbin`"),
        "{err}"
    );
}
