//! Hostile bundles, generated here in temporary folders: huge files, deep
//! nesting, entity expansion, zip bombs, entries and links escaping the
//! bundle, files that are not UTF-8 or not regular files, very long lines
//! and crowded elements, many policies. Each is refused with a diagnostic
//! naming its code, the file and the fix (or, where valid, compiled), and
//! the compile's peak heap use is measured by a counting allocator.

use proxyc_compiler::Diagnostics;
use proxyc_compiler::syntax::load::{MAX_FILE_BYTES, MAX_FILES, MAX_TOTAL_BYTES};
use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

/// The system allocator, counting live bytes and their high-water mark.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    let now = LIVE.fetch_add(by, Ordering::Relaxed) + by;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

// SAFETY: every call is forwarded unchanged to `System`; the counters are
// only bookkeeping.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's layout.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `System` with `layout`.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded with the caller's pointer, layout and size.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            grew(new_size);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Tests run one at a time so that each measures only its own compile.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

const MIB: usize = 1024 * 1024;

/// Compiles `path`, returning its diagnostics (it must fail) and the peak
/// heap growth during the compile, in bytes.
fn reject(path: &Path) -> (Diagnostics, usize) {
    let (result, peak) = measured(path);
    match result {
        Ok(_) => panic!("{} should be rejected", path.display()),
        Err(d) => (d, peak),
    }
}

fn measured(path: &Path) -> (Result<proxyc_compiler::Generated, Diagnostics>, usize) {
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let result = proxyc_compiler::compile(path, &proxyc_compiler::Options::default());
    let peak = PEAK.load(Ordering::Relaxed).saturating_sub(base);
    eprintln!("{}: peak heap {} KiB", path.display(), peak / 1024);
    (result, peak)
}

/// Asserts an error with `code` located in a file whose name ends with
/// `file`, with a help line mentioning `fix`.
fn assert_error(diags: &Diagnostics, code: &str, file: &str, fix: &str) {
    // A location is `file:line:column`.
    let in_file = |loc: String| {
        loc.rsplitn(3, ':')
            .nth(2)
            .is_some_and(|name| name.ends_with(file))
    };
    let found = diags.errors().any(|d| {
        d.code == code
            && diags.location(d).is_some_and(in_file)
            && d.help.as_deref().is_some_and(|h| h.contains(fix))
    });
    assert!(
        found,
        "no {code} error in `{file}` with help about `{fix}`:\n{}",
        diags.render()
    );
}

/// Compiles `path`, which must be refused with `code` in `file` (help
/// mentioning `fix`); returns the peak heap growth.
fn refused(path: &Path, code: &str, file: &str, fix: &str) -> usize {
    let (diags, peak) = reject(path);
    assert_error(&diags, code, file, fix);
    peak
}

/// A small valid bundle in a fresh temporary folder.
struct Fixture {
    dir: PathBuf,
}

const DESCRIPTOR: &str = r#"<APIProxy name="hostile" revision="1"/>"#;
const TARGET: &str = r#"<TargetEndpoint name="default">
  <HTTPTargetConnection><URL>http://backend.invalid/</URL></HTTPTargetConnection>
</TargetEndpoint>"#;

fn proxy_endpoint(steps: &[String]) -> String {
    let steps: String = steps
        .iter()
        .map(|s| format!("<Step><Name>{s}</Name></Step>"))
        .collect();
    format!(
        r#"<ProxyEndpoint name="default">
  <PreFlow><Request>{steps}</Request></PreFlow>
  <HTTPProxyConnection><BasePath>/hostile</BasePath></HTTPProxyConnection>
  <RouteRule name="r"><TargetEndpoint>default</TargetEndpoint></RouteRule>
</ProxyEndpoint>"#
    )
}

fn policy(name: &str, value: &str) -> String {
    format!(
        r#"<AssignMessage name="{name}"><Set><Headers><Header name="x-{name}">{value}</Header></Headers></Set></AssignMessage>"#
    )
}

impl Fixture {
    fn new(tag: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("proxyc-hostile-{}-{tag}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let f = Fixture { dir };
        f.write("hostile.xml", DESCRIPTOR);
        f.write("proxies/default.xml", proxy_endpoint(&["P".into()]));
        f.write("targets/default.xml", TARGET);
        f.write("policies/P.xml", policy("P", "1"));
        f
    }

    fn root(&self) -> PathBuf {
        self.dir.join("apiproxy")
    }

    fn write(&self, rel: &str, contents: impl AsRef<[u8]>) {
        let path = self.root().join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, contents).expect("write");
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[test]
fn the_fixture_bundle_compiles() {
    let _s = serial();
    let f = Fixture::new("valid");
    let (result, _) = measured(&f.dir);
    assert!(
        result.is_ok(),
        "{}",
        result.err().map(|d| d.render()).unwrap_or_default()
    );
}

#[test]
fn a_file_over_the_size_limit_is_refused_without_being_read_whole() {
    let _s = serial();
    let f = Fixture::new("big-file");
    let big = format!(
        "<AssignMessage name=\"Big\"><!--{}--></AssignMessage>",
        "x".repeat(MAX_FILE_BYTES as usize + 1)
    );
    f.write("policies/Big.xml", big);
    let peak = refused(
        &f.dir,
        "PXC007",
        "apiproxy/policies/Big.xml",
        "move it out of the bundle",
    );
    assert!(peak < 4 * MIB, "peak heap {peak} bytes");
}

#[test]
fn a_bundle_over_the_total_limit_stops_loading() {
    let _s = serial();
    let f = Fixture::new("big-bundle");
    let each = MAX_FILE_BYTES as usize - 1024;
    let filler = format!(
        "<AssignMessage name=\"F\"><!--{}--></AssignMessage>",
        "y".repeat(each)
    );
    let count = MAX_TOTAL_BYTES as usize / each + 1;
    for i in 0..count {
        f.write(&format!("policies/F{i:02}.xml"), &filler);
    }
    let (diags, peak) = reject(&f.dir);
    assert_error(&diags, "PXC007", ".xml", "move it out of the bundle");
    assert!(
        diags
            .errors()
            .any(|d| d.message.contains("the bundle is too large")),
        "{}",
        diags.render()
    );
    assert!(
        peak < 2 * MAX_TOTAL_BYTES as usize,
        "peak heap {peak} bytes"
    );
}

#[test]
fn deep_nesting_is_refused_at_the_element_too_deep() {
    let _s = serial();
    let f = Fixture::new("deep");
    let depth = 100_000;
    let xml = format!(
        "<AssignMessage name=\"P\">\n{}{}</AssignMessage>",
        "<a>".repeat(depth),
        "</a>".repeat(depth)
    );
    f.write("policies/P.xml", xml);
    let peak = refused(
        &f.dir,
        "PXC361",
        "apiproxy/policies/P.xml",
        "nested this deeply",
    );
    assert!(peak < 64 * MIB, "peak heap {peak} bytes");
}

#[test]
fn too_many_nodes_are_refused() {
    let _s = serial();
    let f = Fixture::new("nodes");
    let xml = format!(
        "<AssignMessage name=\"P\">{}</AssignMessage>",
        "<a/>".repeat(300_000)
    );
    f.write("policies/P.xml", xml);
    let peak = refused(
        &f.dir,
        "PXC361",
        "apiproxy/policies/P.xml",
        "split the content",
    );
    assert!(peak < 64 * MIB, "peak heap {peak} bytes");
}

#[test]
fn dtds_and_entity_expansion_are_refused() {
    let _s = serial();
    let laughs: String = (1..10)
        .map(|i| {
            let prev = format!("&lol{};", i - 1).repeat(10);
            format!("<!ENTITY lol{i} \"{prev}\">\n")
        })
        .collect();
    let cases = [
        // Billion laughs: 10^9 copies from a few hundred bytes.
        format!(
            "<!DOCTYPE lolz [\n<!ENTITY lol0 \"lol\">\n{laughs}]>\n<AssignMessage name=\"P\"><Set><Payload>&lol9;</Payload></Set></AssignMessage>"
        ),
        // Quadratic blow-up: one large entity referenced many times.
        format!(
            "<!DOCTYPE r [<!ENTITY a \"{}\">]>\n<AssignMessage name=\"P\"><Set><Payload>{}</Payload></Set></AssignMessage>",
            "a".repeat(100_000),
            "&a;".repeat(100_000)
        ),
        // External entity: would read a local file.
        "<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<AssignMessage name=\"P\"><Set><Payload>&x;</Payload></Set></AssignMessage>".into(),
        // External DTD.
        "<!DOCTYPE AssignMessage SYSTEM \"http://example.invalid/evil.dtd\">\n<AssignMessage name=\"P\"/>".into(),
    ];
    for (i, xml) in cases.iter().enumerate() {
        let f = Fixture::new(&format!("dtd-{i}"));
        f.write("policies/P.xml", xml);
        let peak = refused(
            &f.dir,
            "PXC360",
            "apiproxy/policies/P.xml",
            "remove the <!DOCTYPE",
        );
        assert!(
            peak < 4 * MIB + 2 * xml.len(),
            "case {i}: peak heap {peak} bytes"
        );
    }
}

#[test]
fn very_long_values_compile_within_bounded_memory() {
    let _s = serial();
    let f = Fixture::new("long-value");
    let len = 4 * MIB;
    f.write("policies/P.xml", policy("P", &"v".repeat(len)));
    let (result, peak) = measured(&f.dir);
    let generated = result.unwrap_or_else(|d| panic!("{}", d.render()));
    assert!(generated.tokens.to_string().contains(&"v".repeat(1000)));
    // The text, its copies and its tokens: a small multiple (the offset
    // map from decoded text to file positions alone once took 8 bytes per byte).
    assert!(
        peak < 8 * len,
        "peak heap {peak} bytes for a {len}-byte value"
    );
}

#[test]
fn an_element_with_very_many_attributes_is_refused_quickly() {
    let _s = serial();
    let f = Fixture::new("attributes");
    let attrs: String = (0..500_000).map(|i| format!(" a{i}=\"\"")).collect();
    let xml = format!("<AssignMessage name=\"P\"{attrs}/>");
    f.write("policies/P.xml", &xml);
    let peak = refused(
        &f.dir,
        "PXC361",
        "apiproxy/policies/P.xml",
        "a few attributes",
    );
    assert!(peak < 4 * MIB + 2 * xml.len(), "peak heap {peak} bytes");
}

#[test]
fn files_that_are_not_utf8_are_refused_at_the_bad_byte() {
    let _s = serial();
    let f = Fixture::new("latin1");
    f.write(
        "policies/P.xml",
        b"<AssignMessage name=\"P\">\n<Set>\n<Payload>caf\xe9</Payload></Set></AssignMessage>",
    );
    let mut utf16 = vec![0xff, 0xfe];
    for unit in "<AssignMessage name=\"Q\"/>".encode_utf16() {
        utf16.extend(unit.to_le_bytes());
    }
    f.write("policies/Q.xml", utf16);
    let (diags, _) = reject(&f.dir);
    assert_error(
        &diags,
        "PXC006",
        "apiproxy/policies/P.xml",
        "save the file as UTF-8",
    );
    assert_error(
        &diags,
        "PXC006",
        "apiproxy/policies/Q.xml",
        "save the file as UTF-8",
    );
    let latin1 = diags
        .errors()
        .find(|d| d.code == "PXC006" && d.message.contains("P.xml"))
        .and_then(|d| diags.location(d));
    assert_eq!(latin1.as_deref(), Some("apiproxy/policies/P.xml:3:13"));
}

#[test]
fn too_many_files_are_refused() {
    let _s = serial();
    let f = Fixture::new("many-files");
    for i in 0..=MAX_FILES {
        f.write(&format!("policies/extra/E{i}.txt"), "");
    }
    let peak = refused(&f.dir, "PXC007", "apiproxy", "move large content out");
    assert!(peak < 32 * MIB, "peak heap {peak} bytes");
}

#[test]
fn many_policies_compile_within_bounded_memory() {
    let _s = serial();
    let f = Fixture::new("many-policies");
    let names: Vec<String> = (0..1000).map(|i| format!("AM-{i}")).collect();
    for n in &names {
        f.write(&format!("policies/{n}.xml"), policy(n, "1"));
    }
    let steps = [names.clone(), vec!["P".into()]].concat();
    f.write("proxies/default.xml", proxy_endpoint(&steps));
    let (result, peak) = measured(&f.dir);
    let generated = result.unwrap_or_else(|d| panic!("{}", d.render()));
    assert!(generated.tokens.to_string().contains("x-am-999"));
    assert!(peak < 256 * MIB, "peak heap {peak} bytes");
}

#[cfg(unix)]
#[test]
fn links_out_of_the_bundle_and_link_loops_are_refused() {
    use std::os::unix::fs::symlink;
    let _s = serial();
    let f = Fixture::new("links");
    let outside = f.dir.join("secret.xml");
    std::fs::write(&outside, "<AssignMessage name=\"S\"/>").expect("write");
    symlink(&outside, f.root().join("policies/S.xml")).expect("file link");
    symlink(&f.dir, f.root().join("policies/up")).expect("folder link");
    symlink(f.root().join("policies"), f.root().join("policies/loop")).expect("loop link");
    let (diags, _) = reject(&f.dir);
    assert_error(
        &diags,
        "PXC002",
        "apiproxy/policies/S.xml",
        "self-contained",
    );
    assert_error(&diags, "PXC002", "apiproxy/policies/up", "self-contained");
    assert_error(&diags, "PXC002", "apiproxy/policies/loop", "link loops");
}

#[cfg(unix)]
#[test]
fn a_named_pipe_is_refused_instead_of_blocking_the_build() {
    let _s = serial();
    let f = Fixture::new("fifo");
    let fifo = f.root().join("policies/Pipe.xml");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(status.success());
    refused(
        &f.dir,
        "PXC002",
        "apiproxy/policies/Pipe.xml",
        "regular files",
    );
}

// ----- zip exports

/// Writes a zip of `entries` (name, contents) next to the fixture.
fn zip(f: &Fixture, name: &str, entries: &[(&str, Vec<u8>)]) -> PathBuf {
    let path = f.dir.join(name);
    let mut z = zip::ZipWriter::new(std::fs::File::create(&path).expect("create zip"));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    for (entry, data) in entries {
        z.start_file(*entry, opts).expect("entry");
        z.write_all(data).expect("entry data");
    }
    z.finish().expect("finish zip");
    path
}

fn bundle_entries() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("apiproxy/hostile.xml", DESCRIPTOR.into()),
        (
            "apiproxy/proxies/default.xml",
            proxy_endpoint(&["P".into()]).into_bytes(),
        ),
        ("apiproxy/targets/default.xml", TARGET.into()),
        ("apiproxy/policies/P.xml", policy("P", "1").into_bytes()),
    ]
}

#[test]
fn a_zipped_fixture_compiles() {
    let _s = serial();
    let f = Fixture::new("zip-valid");
    let path = zip(&f, "ok.zip", &bundle_entries());
    let (result, _) = measured(&path);
    assert!(
        result.is_ok(),
        "{}",
        result.err().map(|d| d.render()).unwrap_or_default()
    );
}

#[test]
fn a_zip_bomb_is_refused_from_its_declared_size() {
    let _s = serial();
    let f = Fixture::new("zip-bomb");
    let path = f.dir.join("bomb.zip");
    let mut z = zip::ZipWriter::new(std::fs::File::create(&path).expect("create zip"));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    for (name, data) in bundle_entries() {
        z.start_file(name, opts).expect("entry");
        z.write_all(&data).expect("data");
    }
    // 256 MiB of zeros compress to about 256 KiB.
    z.start_file("apiproxy/policies/Bomb.xml", opts)
        .expect("entry");
    let zeros = vec![0; MIB];
    for _ in 0..256 {
        z.write_all(&zeros).expect("data");
    }
    z.finish().expect("finish zip");
    let peak = refused(
        &path,
        "PXC007",
        "apiproxy/policies/Bomb.xml",
        "move it out of the bundle",
    );
    assert!(peak < 8 * MIB, "peak heap {peak} bytes");
}

/// Rewrites every size field of a zip (local headers and central
/// directory) that holds `from` to `to`: an archive that lies.
fn patch_sizes(path: &Path, from: u32, to: u32) {
    let mut bytes = std::fs::read(path).expect("read zip");
    let (from, to) = (from.to_le_bytes(), to.to_le_bytes());
    let mut i = 0;
    while i + 4 <= bytes.len() {
        if bytes[i..i + 4] == from {
            bytes[i..i + 4].copy_from_slice(&to);
        }
        i += 1;
    }
    std::fs::write(path, bytes).expect("write zip");
}

#[test]
fn a_zip_lying_about_its_sizes_is_read_only_up_to_the_limit() {
    let _s = serial();
    let f = Fixture::new("zip-liar");
    let real = 2 * MAX_FILE_BYTES as u32 + 12_345;
    let mut entries = bundle_entries();
    entries.push(("apiproxy/policies/Liar.xml", vec![b' '; real as usize]));
    let path = zip(&f, "liar.zip", &entries);
    drop(entries);
    patch_sizes(&path, real, 100);
    let (diags, peak) = reject(&path);
    // The zip reader stops at the declared size; the checksum then fails.
    assert_error(
        &diags,
        "PXC002",
        "apiproxy/policies/Liar.xml",
        "re-export the bundle",
    );
    assert!(peak < 3 * MAX_FILE_BYTES as usize, "peak heap {peak} bytes");
}

#[test]
fn a_zip_expanding_past_the_bundle_limit_stops_loading() {
    let _s = serial();
    let f = Fixture::new("zip-total");
    let each = MAX_FILE_BYTES as usize - 1024;
    let filler = format!(
        "<AssignMessage name=\"F\"><!--{}--></AssignMessage>",
        "z".repeat(each)
    );
    let names: Vec<String> = (0..MAX_TOTAL_BYTES as usize / each + 1)
        .map(|i| format!("apiproxy/policies/F{i:02}.xml"))
        .collect();
    let mut entries = bundle_entries();
    entries.extend(
        names
            .iter()
            .map(|n| (n.as_str(), filler.clone().into_bytes())),
    );
    let path = zip(&f, "total.zip", &entries);
    drop(entries);
    let (diags, peak) = reject(&path);
    assert!(
        diags
            .errors()
            .any(|d| d.code == "PXC007" && d.message.contains("the bundle is too large")),
        "{}",
        diags.render()
    );
    assert!(
        peak < 2 * MAX_TOTAL_BYTES as usize,
        "peak heap {peak} bytes"
    );
}

#[test]
fn a_zip_with_too_many_entries_is_refused() {
    let _s = serial();
    let f = Fixture::new("zip-many");
    let names: Vec<String> = (0..=MAX_FILES)
        .map(|i| format!("apiproxy/resources/r{i}"))
        .collect();
    let mut entries = bundle_entries();
    entries.extend(names.iter().map(|n| (n.as_str(), Vec::new())));
    let path = zip(&f, "many.zip", &entries);
    let (diags, _) = reject(&path);
    assert_error(&diags, "PXC007", "many.zip", "move large content out");
}

#[test]
fn zip_entries_escaping_the_folder_are_refused() {
    let _s = serial();
    let f = Fixture::new("zip-escape");
    let mut entries = bundle_entries();
    let evil = policy("E", "1").into_bytes();
    for name in [
        "../evil.xml",
        "/etc/evil.xml",
        "apiproxy/../../evil.xml",
        "apiproxy/./policies/../../x.xml",
    ] {
        entries.push((name, evil.clone()));
    }
    let path = zip(&f, "escape.zip", &entries);
    let (diags, _) = reject(&path);
    for name in ["../evil.xml", "/etc/evil.xml", "apiproxy/../../evil.xml"] {
        assert_error(&diags, "PXC003", name, "only hold relative paths");
    }
}

#[test]
fn a_zip_symlink_entry_is_refused() {
    let _s = serial();
    let f = Fixture::new("zip-link");
    let path = f.dir.join("link.zip");
    let mut z = zip::ZipWriter::new(std::fs::File::create(&path).expect("create zip"));
    for (name, data) in bundle_entries() {
        z.start_file(name, zip::write::SimpleFileOptions::default())
            .expect("entry");
        z.write_all(&data).expect("data");
    }
    z.add_symlink(
        "apiproxy/policies/L.xml",
        "/etc/passwd",
        zip::write::SimpleFileOptions::default(),
    )
    .expect("link");
    z.finish().expect("finish");
    let (diags, _) = reject(&path);
    assert_error(&diags, "PXC003", "apiproxy/policies/L.xml", "no links");
}

#[test]
fn garbage_named_zip_is_refused() {
    let _s = serial();
    let f = Fixture::new("zip-garbage");
    let path = f.dir.join("garbage.zip");
    std::fs::write(&path, b"PK\x03\x04 not really a zip").expect("write");
    let (diags, _) = reject(&path);
    assert_error(&diags, "PXC003", "garbage.zip", "re-export the bundle");
}

// ----- inputs found by fuzzing (fuzz/fuzz_targets/bundle_xml.rs)

/// Each input replaced the policy `P` of the fixture; the compile must fail
/// with every error located and carrying a help line.
const FUZZ_FOUND_POLICIES: &[&str] = &[
    // An AssignTo type other than request/response had no help line.
    r#"<AssignMessage name="P"><AssignTo createNew="true" type="req{uest">handmade</AssignTo><Set><Payload contentType="application/json">{"triggerId":"api_trigger/echo"}</Payload></Set></AssignMessage>"#,
];

#[test]
fn inputs_found_by_fuzzing_get_located_errors_with_help() {
    let _s = serial();
    for (i, xml) in FUZZ_FOUND_POLICIES.iter().enumerate() {
        let f = Fixture::new(&format!("fuzz-{i}"));
        f.write("policies/P.xml", xml);
        let (diags, _) = reject(&f.dir);
        for d in diags.errors() {
            assert!(
                diags.location(d).is_some(),
                "case {i}: {} has no location",
                d.code
            );
            assert!(
                d.help.is_some(),
                "case {i}: {} has no help: {}",
                d.code,
                d.message
            );
        }
    }
}
