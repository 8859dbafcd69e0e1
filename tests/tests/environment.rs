//! The environment file: loading, start-up validation with exact messages,
//! Apigee tooling's targetServers.json files from real repositories, and an
//! unmodified public bundle run against local servers through connect
//! overrides.

use proxyc_runtime::target_servers::{TargetServerConfig, read_json};
use proxyc_runtime::tls::{KeyEntryConfig, KeyStoreConfig, TrustStoreConfig};
use proxyc_runtime::{EnvConfig, Environment, Gateway};
use proxyc_testkit::echo::Echo;
use proxyc_testkit::google::RunningServer;
use proxyc_tests::harness::TestGateway;
use proxyc_tests::proxies::{balanced, tls_targets};
use proxyc_tests::tls::{TempDir, TestCa, TlsOptions, TlsServer};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

fn corpus() -> Option<PathBuf> {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let bundles = proxyc_tests::corpus_dir::bundles_dir(&manifest)?;
    Some(bundles.parent()?.to_owned())
}

fn mount_err(config: EnvConfig, mount: impl FnOnce(Gateway) -> Result<Gateway, String>) -> String {
    let env = Arc::new(Environment::new(config).expect("environment"));
    match mount(Gateway::new(env)) {
        Ok(_) => panic!("mounted"),
        Err(e) => e,
    }
}

#[test]
fn a_target_server_the_bundle_names_must_exist() {
    let err = mount_err(EnvConfig::default(), |g| g.mount(balanced::Proxy));
    assert_eq!(
        err,
        "proxy `balanced` references TargetServer `fb`, which the environment does not define (add [target_servers.fb] or a targetServers.json entry)"
    );
}

fn secure_server(c: &mut EnvConfig) {
    c.target_servers.insert(
        "secure".into(),
        TargetServerConfig {
            host: "secure.test".into(),
            port: 9443,
            enabled: true,
            protocol: "HTTP".into(),
            ssl_info: None,
        },
    );
}

#[test]
fn missing_trust_and_key_stores_are_named() {
    let mut config = EnvConfig::default();
    secure_server(&mut config);
    let err = mount_err(config, |g| g.mount(tls_targets::Proxy));
    assert_eq!(
        err,
        "proxy `tls_targets`, SSLInfo of TargetEndpoint `cn`: trust store `test-ca` is not defined in the environment"
    );

    let dir = TempDir::new("env");
    let ca = TestCa::new("ca").write(&dir, "ca");
    let mut config = EnvConfig::default();
    secure_server(&mut config);
    config
        .trust_stores
        .insert("test-ca".into(), TrustStoreConfig { certs: vec![ca] });
    let err = mount_err(config, |g| g.mount(tls_targets::Proxy));
    assert_eq!(
        err,
        "proxy `tls_targets`, SSLInfo of TargetEndpoint `mtls`: key store `client-keys` is not defined in the environment"
    );
}

#[test]
fn unreadable_certificates_and_keys_fail_at_start_up() {
    let dir = TempDir::new("env");
    let ca = TestCa::new("ca");
    let (cert, key) = ca.leaf(&["client"]).write(&dir, "client");
    let missing = dir.path("missing.pem");
    let mut config = EnvConfig::default();
    config.key_stores.insert(
        "ks".into(),
        KeyStoreConfig {
            aliases: BTreeMap::from([(
                "a".into(),
                KeyEntryConfig {
                    cert: missing.clone(),
                    key: key.clone(),
                },
            )]),
        },
    );
    let err = Environment::new(config).unwrap_err();
    assert_eq!(err.file, missing);
    assert_eq!(
        err.message,
        "key_stores.ks.aliases.a: cannot read: No such file or directory (os error 2)"
    );

    // A certificate file given as the key: no key in it.
    let mut config = EnvConfig::default();
    config.key_stores.insert(
        "ks".into(),
        KeyStoreConfig {
            aliases: BTreeMap::from([(
                "a".into(),
                KeyEntryConfig {
                    cert: cert.clone(),
                    key: cert.clone(),
                },
            )]),
        },
    );
    let err = Environment::new(config).unwrap_err();
    assert_eq!(err.file, cert);
    assert!(
        err.message
            .starts_with("key_stores.ks.aliases.a: no usable PEM private key"),
        "{}",
        err.message
    );

    let garbage = dir.write("garbage.pem", "not a certificate");
    let mut config = EnvConfig::default();
    config.trust_stores.insert(
        "ts".into(),
        TrustStoreConfig {
            certs: vec![garbage.clone()],
        },
    );
    let err = Environment::new(config).unwrap_err();
    assert_eq!(err.file, garbage);
    assert_eq!(err.message, "trust_stores.ts: no CERTIFICATE block found");
}

#[test]
fn environment_file_with_stores_and_target_servers_loads() {
    let dir = TempDir::new("env");
    let ca = TestCa::new("ca");
    ca.write(&dir, "ca");
    ca.leaf(&["client"]).write(&dir, "client");
    dir.write(
        "targetServers.json",
        r#"[{"name":"json-server","host":"backend.test","port":"8443","isEnabled":"true","sSLInfo":{"enabled":"true","trustStore":"backend-ca"}}]"#,
    );
    let file = dir.write(
        "proxyc.toml",
        r#"
listen = "127.0.0.1:0"
trust_anchors = ["ca.pem"]
target_servers_json = ["targetServers.json"]

[target_servers.backend]
host = "backend.test"
port = 8443
ssl_info = { enabled = true, client_auth_enabled = true, key_store = "client", key_alias = "main", trust_store = "backend-ca", protocols = ["TLSv1.3"] }

[key_stores.client.aliases.main]
cert = "client.pem"
key = "client.key"

[trust_stores.backend-ca]
certs = ["ca.pem"]
"#,
    );
    let config = EnvConfig::load(&file).expect("load");
    assert_eq!(
        config.key_stores["client"].aliases["main"].cert,
        dir.path("client.pem")
    );
    let env = Environment::new(config).expect("environment");
    drop(env);

    let bad = dir.write(
        "bad.toml",
        "[target_servers.x]\nhost = \"h\"\nport = 1\nprotocol = \"GRPC\"\n",
    );
    let err = Environment::new(EnvConfig::load(&bad).expect("load")).unwrap_err();
    assert_eq!(err.file, bad);
    assert_eq!(
        err.message,
        "target_servers.x: protocol `GRPC` is not supported; use HTTP"
    );
}

#[test]
fn every_target_servers_json_of_the_corpus_parses() {
    let Some(corpus) = corpus() else {
        eprintln!("SKIPPED: no corpus");
        return;
    };
    let dir = corpus.join("config-examples");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("config-examples")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.to_ascii_lowercase().ends_with("targetservers.json"))
        })
        .collect();
    files.sort();
    assert_eq!(files.len(), 9, "{files:?}");
    for f in &files {
        let servers = read_json(f).unwrap_or_else(|e| panic!("{e}"));
        assert!(!servers.is_empty(), "{}", f.display());
        // Each file is usable as the environment's TargetServers, except where
        // it names stores the environment lacks.
        let config = EnvConfig {
            target_servers_json: vec![f.clone()],
            ..EnvConfig::default()
        };
        match Environment::new(config) {
            Ok(_) => {}
            Err(e) => assert_eq!(
                e.message,
                "target_servers.ESBTarget: trust store `truststore_name` is not defined in the environment",
                "{}",
                f.display()
            ),
        }
    }
    // Booleans as strings ("true") and as JSON booleans.
    let esb = &read_json(&dir.join(
        "apigee-config-maven-plugin__samples__EdgeConfig__resources__edge__env__dev__targetServers.json",
    ))
    .expect("parse")["ESBTarget"];
    let ssl = esb.ssl_info.as_ref().expect("sSLInfo");
    assert!(ssl.enabled && !ssl.client_auth_enabled && !ssl.ignore_validation_errors);
    assert_eq!((esb.host.as_str(), esb.port), ("enterprise.com", 8080));
    assert_eq!(ssl.key_store.as_deref(), Some("keystore_name"));
    let cli =
        &read_json(&dir.join("apigeecli__samples__targetservers.json")).expect("parse")["TS-Mock"];
    assert!(cli.ssl_info.as_ref().expect("sSLInfo").enabled);
}

/// apigeelint's fixture for issue 437 (Apache-2.0, apigee/apigeelint), run
/// unmodified: `HEAD` goes to `target1`, https with an SSLInfo naming trust
/// store `ref://myTrustStoreRef` (Enforce on); every other verb to
/// `target2`, plain http. Both name the public host
/// echo.dchiesa.demo.altostrat.com, sent here to local servers.
#[tokio::test]
async fn unmodified_corpus_bundle_with_an_https_target_runs_locally() {
    let Some(_) = corpus() else {
        eprintln!("SKIPPED: no corpus");
        return;
    };
    let bundle = "apigeelint/test__fixtures__resources__EP002-issue-437";
    let dir = TempDir::new("ep002");
    let ca = TestCa::new("ca");
    let ca_file = ca.write(&dir, "ca");
    let tls = TlsServer::start(
        &ca.leaf(&["echo.dchiesa.demo.altostrat.com"]),
        &TlsOptions::default(),
    )
    .await;
    let http = RunningServer::start(Echo).await.expect("echo");
    let (tls_addr, http_addr) = (tls.addr(), http.addr());
    let gw = TestGateway::start(
        |g| {
            proxyc_tests::corpus::mount(bundle, g)
                .expect("the bundle compiles")
                .expect("mount")
        },
        |c| {
            c.trust_stores.insert(
                "myTrustStoreRef".into(),
                TrustStoreConfig {
                    certs: vec![ca_file],
                },
            );
            c.connect_overrides
                .insert("echo.dchiesa.demo.altostrat.com:443".into(), tls_addr);
            c.connect_overrides
                .insert("echo.dchiesa.demo.altostrat.com:80".into(), http_addr);
        },
    )
    .await;
    let r = gw.get("/issue-437/hello").await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["path"], "/hello");
    assert_eq!(
        r.json()["headers"]["host"],
        "echo.dchiesa.demo.altostrat.com"
    );
    let r = gw.send("HEAD", "/issue-437/hello", &[], "").await;
    assert_eq!(r.status, 200);
    assert_eq!(http.request_count(), 1, "HEAD went over TLS");
}

/// devrel's southbound mTLS reference (Apache-2.0, apigee/devrel), run
/// unmodified against a local stand-in for client.badssl.com, with the
/// TargetServers its pipeline creates given as a targetServers.json file.
/// Its feature file expects `GET /` → 400 (no client certificate) and
/// `GET /?auth=true` → 200 (the TargetServer presenting one).
#[tokio::test]
async fn devrel_southbound_mtls_answers_as_its_feature_file_expects() {
    let Some(_) = corpus() else {
        eprintln!("SKIPPED: no corpus");
        return;
    };
    let dir = TempDir::new("mtls");
    let ca = TestCa::new("badssl stand-in CA");
    let ca_file = ca.write(&dir, "ca");
    let (cert, key) = ca.leaf(&["badssl-client"]).write(&dir, "client");
    let servers = dir.write(
        "targetServers.json",
        r#"[
  {"name": "badSSLWithClientCert", "host": "client.badssl.com", "port": 443, "isEnabled": true,
   "sSLInfo": {"enabled": "true", "clientAuthEnabled": "true", "keyStore": "badssl", "keyAlias": "badssl"}},
  {"name": "badSSLWithoutClientCert", "host": "client.badssl.com", "port": 443, "isEnabled": true,
   "sSLInfo": {"enabled": "true"}}
]"#,
    );
    let server = TlsServer::start(
        &ca.leaf(&["client.badssl.com"]),
        &TlsOptions {
            client_ca: Some(&ca),
            optional_client_auth: true,
            ..TlsOptions::default()
        },
    )
    .await;
    let addr = server.addr();
    let gw = TestGateway::start(
        |g| {
            proxyc_tests::corpus::mount("devrel/references__southbound-mtls", g)
                .expect("the bundle compiles")
                .expect("mount")
        },
        |c| {
            c.trust_anchors.push(ca_file);
            c.target_servers_json.push(servers);
            c.key_stores.insert(
                "badssl".into(),
                KeyStoreConfig {
                    aliases: BTreeMap::from([("badssl".into(), KeyEntryConfig { cert, key })]),
                },
            );
            c.connect_overrides
                .insert("client.badssl.com:443".into(), addr);
        },
    )
    .await;
    let r = gw.get("/badssl/v0/").await;
    assert_eq!(r.status, 400, "{}", r.text());
    let r = gw.get("/badssl/v0/?auth=true").await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["client_cert"], true);
}
