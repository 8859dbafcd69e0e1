//! Every real SetIntegrationRequest policy in tests/corpus/set-integration-request
//! compiles in a minimal bundle (PreFlow Step + IntegrationEndpoint route), and
//! each SetIntegrationRequest compile error is reported precisely.

use std::path::{Path, PathBuf};

/// Writes a bundle whose only policy is `policy` (named `name`) into a fresh temp dir.
fn bundle(tag: &str, name: &str, policy: &str) -> PathBuf {
    let root = std::env::temp_dir().join(format!("proxyc-sir-{}-{tag}", std::process::id()));
    let api = root.join("apiproxy");
    for dir in ["policies", "proxies", "integration-endpoints"] {
        std::fs::create_dir_all(api.join(dir)).expect("mkdir");
    }
    let write = |rel: &str, text: &str| std::fs::write(api.join(rel), text).expect("write");
    write("sir.xml", r#"<APIProxy name="sir" revision="1"/>"#);
    write(&format!("policies/{name}.xml"), policy);
    write(
        "proxies/default.xml",
        &format!(
            r#"<ProxyEndpoint name="default">
  <PreFlow name="PreFlow"><Request><Step><Name>{name}</Name></Step></Request></PreFlow>
  <HTTPProxyConnection><BasePath>/sir</BasePath></HTTPProxyConnection>
  <RouteRule name="default"><IntegrationEndpoint>default</IntegrationEndpoint></RouteRule>
</ProxyEndpoint>"#
        ),
    );
    write(
        "integration-endpoints/default.xml",
        r#"<IntegrationEndpoint name="default"><AsyncExecution>false</AsyncExecution></IntegrationEndpoint>"#,
    );
    root
}

fn policy_name(xml: &str) -> String {
    let start = xml.find(" name=\"").expect("name attribute") + 7;
    let len = xml[start..].find('"').expect("closing quote");
    xml[start..start + len].to_owned()
}

#[test]
fn every_corpus_policy_compiles() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/set-integration-request");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("corpus dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "xml"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 3);
    for (i, file) in files.iter().enumerate() {
        let xml = std::fs::read_to_string(file).expect("read");
        let root = bundle(&format!("corpus{i}"), &policy_name(&xml), &xml);
        let result = proxyc_compiler::compile(&root, &proxyc_compiler::Options::default());
        let _ = std::fs::remove_dir_all(&root);
        let generated = result.unwrap_or_else(|d| panic!("{}:\n{}", file.display(), d.render()));
        let text = generated.render().expect("renders");
        assert!(text.contains("__rt::sir::execute"), "{}", file.display());
        assert!(
            text.contains("__rt::ic::call_endpoint"),
            "{}",
            file.display()
        );
    }
}

/// `(tag, policy, expected code, expected message fragment)`.
const INVALID: &[(&str, &str, &str, &str)] = &[
    (
        "no-trigger",
        r#"<SetIntegrationRequest name="S"><IntegrationRegion>us-central1</IntegrationRegion></SetIntegrationRequest>"#,
        "PXC011",
        "requires <ApiTrigger>",
    ),
    (
        "no-region",
        r#"<SetIntegrationRequest name="S"><ApiTrigger>t</ApiTrigger></SetIntegrationRequest>"#,
        "PXC011",
        "requires <IntegrationRegion>",
    ),
    (
        "bad-type",
        r#"<SetIntegrationRequest name="S"><IntegrationRegion>r</IntegrationRegion><ApiTrigger>t</ApiTrigger>
           <Parameters><Parameter name="p" type="long">1</Parameter></Parameters></SetIntegrationRequest>"#,
        "PXC070",
        "type=\"long\"",
    ),
    (
        "json-array",
        r#"<SetIntegrationRequest name="S"><IntegrationRegion>r</IntegrationRegion><ApiTrigger>t</ApiTrigger>
           <Parameters><ParameterArray name="p" type="json"><Value>{}</Value></ParameterArray></Parameters></SetIntegrationRequest>"#,
        "PXC070",
        "type=\"json\"",
    ),
    (
        "bad-integer",
        r#"<SetIntegrationRequest name="S"><IntegrationRegion>r</IntegrationRegion><ApiTrigger>t</ApiTrigger>
           <Parameters><Parameter name="p" type="integer">abc</Parameter></Parameters></SetIntegrationRequest>"#,
        "PXC070",
        "`abc` is not a valid integer value",
    ),
    (
        "empty-array",
        r#"<SetIntegrationRequest name="S"><IntegrationRegion>r</IntegrationRegion><ApiTrigger>t</ApiTrigger>
           <Parameters><ParameterArray name="p" type="string"/></Parameters></SetIntegrationRequest>"#,
        "PXC070",
        "EmptyParameterArray",
    ),
    (
        "bad-schedule",
        r#"<SetIntegrationRequest name="S"><IntegrationRegion>r</IntegrationRegion><ApiTrigger>t</ApiTrigger>
           <ScheduleTime>next monday</ScheduleTime></SetIntegrationRequest>"#,
        "PXC071",
        "not an RFC 3339 timestamp",
    ),
    (
        "bad-region",
        r#"<SetIntegrationRequest name="S"><IntegrationRegion>us central</IntegrationRegion><ApiTrigger>t</ApiTrigger></SetIntegrationRequest>"#,
        "PXC016",
        "`us central` is not a region",
    ),
    (
        "reserved-request",
        r#"<SetIntegrationRequest name="S"><IntegrationRegion>r</IntegrationRegion><ApiTrigger>t</ApiTrigger>
           <Request>response</Request></SetIntegrationRequest>"#,
        "PXC072",
        "may not be `response`",
    ),
];

#[test]
fn compile_errors_are_precise() {
    for (tag, policy, code, fragment) in INVALID {
        let root = bundle(tag, "S", policy);
        let result = proxyc_compiler::compile(&root, &proxyc_compiler::Options::default());
        let _ = std::fs::remove_dir_all(&root);
        let Err(diags) = result else {
            panic!("{tag}: should not compile");
        };
        let rendered = diags.render();
        assert!(
            rendered.contains(&format!("error[{code}]")) && rendered.contains(fragment),
            "{tag}:\n{rendered}"
        );
        assert!(
            rendered.contains("policies/S.xml:"),
            "{tag}: no location\n{rendered}"
        );
    }
}
