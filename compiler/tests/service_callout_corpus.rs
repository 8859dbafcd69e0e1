//! Every real ServiceCallout policy of the corpus (/work/shared/corpus or
//! `PROXYC_CORPUS`) compiles inside a minimal generated bundle, or is
//! rejected with a precise diagnostic naming the unsupported part.

use std::path::{Path, PathBuf};

/// Policies expected to be rejected: (file, diagnostic code, text the
/// message must contain, why).
const EXPECTED_REJECTIONS: &[(&str, &str, &str, &str)] = &[
    (
        "api-platform-samples__sample-proxies.oauth-advanced.app.templates.webserver-app__RequestAccessToken.xml",
        "PXC054",
        "host is split",
        "the host mixes a variable with literal text (issue 4 makes this a compile error)",
    ),
    (
        "api-platform-samples__sample-proxies.oauth-advanced.app.templates.webserver-app__ValidateTokenCallout.xml",
        "PXC054",
        "host is split",
        "the host mixes a variable with literal text (issue 4 makes this a compile error)",
    ),
    (
        "apigee-samples__llm-circuit-breaking__SC-Secondary.xml",
        "PXC054",
        "host is split",
        "the host mixes a variable with literal text (issue 4 makes this a compile error)",
    ),
    (
        "apigee-samples__llm-semantic-cache.semantic-cache-request-v1.sf__SC-GenerateEmbeddings.xml",
        "PXC054",
        "host is split",
        "the host mixes a variable with literal text (issue 4 makes this a compile error)",
    ),
    (
        "apigee-samples__llm-semantic-cache.semantic-cache-request-v1.sf__SC-QueryNearestNeighbor.xml",
        "PXC054",
        "host is split",
        "the host mixes a variable with literal text (issue 4 makes this a compile error)",
    ),
    (
        "apigee-samples__llm-semantic-cache.semantic-cache-response-v1.sf__SC-UpsertIndex.xml",
        "PXC054",
        "host is split",
        "the host mixes a variable with literal text (issue 4 makes this a compile error)",
    ),
    (
        "apigeelint__test.fixtures.resources.sampleFlow.24Solver.sf__badServiceCallout.xml",
        "PXC004",
        "malformed XML",
        "a second XML declaration in the middle of the file (an apigeelint negative fixture)",
    ),
    (
        "apigeelint__test.fixtures.resources.sampleProxy.24Solver__badServiceCallout.xml",
        "PXC004",
        "malformed XML",
        "a second XML declaration in the middle of the file (an apigeelint negative fixture)",
    ),
    (
        "openbank__sharedflows.authcode-externaltoken.sf__GenerateToken.xml",
        "PXC054",
        "host is split",
        "the host mixes a variable with literal text (issue 4 makes this a compile error)",
    ),
    (
        "openbank__sharedflows.dynamic-registration.sf__Callout.RegisterAppExternal.xml",
        "PXC054",
        "host is split",
        "the host mixes a variable with literal text (issue 4 makes this a compile error)",
    ),
];

fn corpus_dir() -> PathBuf {
    std::env::var_os("PROXYC_CORPUS")
        .map_or_else(|| PathBuf::from("/work/shared/corpus"), PathBuf::from)
        .join("policies")
}

/// Writes a bundle whose only Step runs `policy` (named `name`).
fn bundle_with(dir: &Path, file: &str, policy: &str, name: &str) {
    let api = dir.join("apiproxy");
    std::fs::create_dir_all(api.join("policies")).unwrap();
    std::fs::create_dir_all(api.join("proxies")).unwrap();
    std::fs::write(
        api.join("corpus.xml"),
        r#"<APIProxy name="corpus" revision="1"/>"#,
    )
    .unwrap();
    std::fs::write(api.join("policies").join(file), policy).unwrap();
    let name = name.replace('&', "&amp;").replace('<', "&lt;");
    std::fs::write(
        api.join("proxies/default.xml"),
        format!(
            r#"<ProxyEndpoint name="default">
  <PreFlow><Request><Step><Name>{name}</Name></Step></Request></PreFlow>
  <HTTPProxyConnection><BasePath>/corpus</BasePath></HTTPProxyConnection>
</ProxyEndpoint>"#
        ),
    )
    .unwrap();
}

/// The root element's `name` attribute (a tiny scan; the files are real XML).
fn policy_name(xml: &str) -> Option<String> {
    let start = xml.find("<ServiceCallout")?;
    let tag_end = start + xml[start..].find('>')?;
    let tag = &xml[start..tag_end];
    let at = tag.find(" name=")? + " name=".len();
    let quote = tag[at..].chars().next()?;
    let rest = &tag[at + 1..];
    Some(rest[..rest.find(quote)?].to_owned())
}

#[test]
fn every_corpus_service_callout_compiles_or_is_precisely_rejected() {
    let dir = corpus_dir();
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("corpus not found at {}; skipped", dir.display());
        return;
    };
    let mut files: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    files.sort();
    let tmp = std::env::temp_dir().join(format!("proxyc-sc-corpus-{}", std::process::id()));
    let mut seen = 0;
    let mut report = Vec::new();
    for path in files {
        let Ok(xml) = std::fs::read_to_string(&path) else {
            continue;
        };
        if !xml.contains("<ServiceCallout") {
            continue;
        }
        seen += 1;
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let name = policy_name(&xml).unwrap_or_default();
        let bundle = tmp.join(format!("b{seen}"));
        bundle_with(&bundle, &file, &xml, &name);
        let result = proxyc_compiler::compile(&bundle, &proxyc_compiler::Options::default());
        let expected = EXPECTED_REJECTIONS.iter().find(|(f, ..)| *f == file);
        match (result, expected) {
            (Ok(_), None) => {}
            (Ok(_), Some(_)) => report.push(format!("{file}: compiles but is listed as rejected")),
            (Err(d), Some((_, code, text, _))) => {
                let hit = d
                    .errors()
                    .any(|e| e.code == *code && e.message.contains(text));
                if !hit {
                    report.push(format!(
                        "{file}: expected {code} `{text}`, got:\n{}",
                        d.render()
                    ));
                }
                for e in d.errors() {
                    assert!(
                        d.location(e).is_some(),
                        "{file}: {} has no location",
                        e.code
                    );
                }
            }
            (Err(d), None) => report.push(format!("{file}: rejected:\n{}", d.render())),
        }
    }
    let _ = std::fs::remove_dir_all(&tmp);
    assert!(report.is_empty(), "{}", report.join("\n"));
    assert_eq!(seen, 72, "the corpus holds 72 ServiceCallout policies");
}
