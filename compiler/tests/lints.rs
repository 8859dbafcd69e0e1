//! Warnings beyond validity: unset variables (with "did you mean") and
//! flows that can never run; every warning can be silenced.

use proxyc_compiler::{Options, compile};
use std::path::{Path, PathBuf};

const PROXY: &str = r#"<ProxyEndpoint name="default">
    <PreFlow>
        <Request>
            <Step><Name>AM-Set</Name></Step>
            <Step>
                <Name>AM-Use</Name>
                <Condition>proxy.pathsufix = "/x" or request.headers.x = "1"</Condition>
            </Step>
        </Request>
    </PreFlow>
    <Flows>
        <Flow name="first">
            <Condition>my.flag = "on" and assignmessage.AM-Set.failed = false</Condition>
        </Flow>
        <Flow name="catch-all"/>
        <Flow name="never">
            <Condition>request.verb = "GET"</Condition>
        </Flow>
        <Flow name="never-either"/>
    </Flows>
    <HTTPProxyConnection><BasePath>/lints</BasePath></HTTPProxyConnection>
    <RouteRule name="none"/>
</ProxyEndpoint>"#;

const AM_SET: &str = r#"<AssignMessage name="AM-Set">
    <AssignVariable><Name>my.flag</Name><Value>on</Value></AssignVariable>
    <AssignVariable><Name>my.copy</Name><Ref>my.unset</Ref></AssignVariable>
</AssignMessage>"#;

const AM_USE: &str = r#"<AssignMessage name="AM-Use">
    <Set><Headers><Header name="x-flag">{my.flag}-{my.flga}-{my.copy}</Header></Headers></Set>
</AssignMessage>"#;

fn bundle(name: &str) -> PathBuf {
    let root = std::env::temp_dir().join(format!("proxyc-lints-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let api = root.join("apiproxy");
    for (rel, text) in [
        ("lints.xml", r#"<APIProxy name="lints"/>"#),
        ("proxies/default.xml", PROXY),
        ("policies/AM-Set.xml", AM_SET),
        ("policies/AM-Use.xml", AM_USE),
    ] {
        let p = api.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    root
}

fn warnings(path: &Path, opts: &Options) -> Vec<(String, String, String)> {
    let generated = compile(path, opts).expect("the bundle compiles");
    generated
        .warnings
        .warnings()
        .map(|w| {
            (
                w.code.to_owned(),
                w.message.clone(),
                w.help.clone().unwrap_or_default(),
            )
        })
        .collect()
}

#[test]
fn unset_variables_and_unreachable_flows_are_reported() {
    let root = bundle("report");
    let found = warnings(&root, &Options::default());
    let has = |code: &str, msg: &str, help: &str| {
        found
            .iter()
            .any(|(c, m, h)| c == code && m.contains(msg) && h.contains(help))
    };
    assert!(
        has(
            "PXW011",
            "`proxy.pathsufix`",
            "did you mean `proxy.pathsuffix`?"
        ),
        "{found:#?}"
    );
    assert!(
        has(
            "PXW011",
            "`request.headers.x`",
            "did you mean `request.header.x`?"
        ),
        "{found:#?}"
    );
    assert!(
        has("PXW011", "`my.flga`", "did you mean `my.flag`?"),
        "{found:#?}"
    );
    assert!(has("PXW011", "`my.unset`", "AssignVariable"), "{found:#?}");
    // Set by AM-Set, or a failed flag: not reported.
    for set in ["`my.flag`", "`my.copy`", "failed"] {
        assert!(
            !found
                .iter()
                .any(|(c, m, _)| c == "PXW011" && m.contains(set)),
            "{set} is set: {found:#?}"
        );
    }
    assert!(
        has("PXW012", "Flow `never`", "first matching Flow"),
        "{found:#?}"
    );
    assert!(has("PXW012", "Flow `never-either`", ""), "{found:#?}");
    assert!(!has("PXW012", "Flow `catch-all`", ""), "{found:#?}");
    let silenced = warnings(
        &root,
        &Options {
            allow: vec!["PXW011".into(), "PXW012".into()],
            ..Options::default()
        },
    );
    assert!(silenced.is_empty(), "{silenced:#?}");
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn a_bundle_allow_file_silences_its_warnings() {
    let root = bundle("allow-file");
    std::fs::write(
        root.join(proxyc_compiler::ALLOW_FILE),
        "# reviewed: the flag is set by the client\npxw011\nPXW012  # ordering is intended\n",
    )
    .unwrap();
    let generated = compile(&root, &Options::default()).expect("compiles");
    assert_eq!(generated.warnings.warnings().count(), 0);
    assert!(
        generated
            .files_read
            .iter()
            .any(|f| f.ends_with(proxyc_compiler::ALLOW_FILE))
    );
    // From the apiproxy/ folder itself too.
    let from_root = compile(&root.join("apiproxy"), &Options::default()).expect("compiles");
    assert_eq!(from_root.warnings.warnings().count(), 0);
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn analyze_returns_the_validated_model() {
    let root = bundle("analyze");
    let (proxy, warnings) =
        proxyc_compiler::analyze(&root, &Options::default()).expect("the bundle is valid");
    assert_eq!(proxy.name, "lints");
    assert_eq!(proxy.endpoints.len(), 1);
    assert!(warnings.warnings().count() > 0);
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn an_unread_service_callout_response_is_reported() {
    let root = std::env::temp_dir().join(format!("proxyc-lints-callout-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let api = root.join("apiproxy");
    let callout = |name: &str, var: &str| {
        format!(
            r#"<ServiceCallout name="{name}"><Response>{var}</Response>
               <HTTPTargetConnection><URL>http://example.com/x</URL></HTTPTargetConnection></ServiceCallout>"#
        )
    };
    for (rel, text) in [
        ("c.xml", r#"<APIProxy name="c"/>"#.to_owned()),
        (
            "proxies/default.xml",
            r#"<ProxyEndpoint name="default"><PreFlow><Request>
                 <Step><Name>SC-Unread</Name></Step><Step><Name>SC-Read</Name></Step><Step><Name>AM-Use</Name></Step>
               </Request></PreFlow>
               <HTTPProxyConnection><BasePath>/c</BasePath></HTTPProxyConnection><RouteRule name="none"/></ProxyEndpoint>"#
                .to_owned(),
        ),
        ("policies/SC-Unread.xml", callout("SC-Unread", "unusedResponse")),
        ("policies/SC-Read.xml", callout("SC-Read", "usedResponse")),
        (
            "policies/AM-Use.xml",
            r#"<AssignMessage name="AM-Use"><Set><Payload>{usedResponse.content}</Payload></Set></AssignMessage>"#.to_owned(),
        ),
    ] {
        let p = api.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let w = warnings(&root, &Options::default());
    let unread: Vec<&(String, String, String)> =
        w.iter().filter(|(code, _, _)| code == "PXW013").collect();
    assert_eq!(unread.len(), 1, "{w:?}");
    assert!(
        unread[0].1.contains("`SC-Unread`") && unread[0].1.contains("unusedResponse"),
        "{w:?}"
    );
    let _ = std::fs::remove_dir_all(&root);
}
