#!/usr/bin/env python3
"""Writes the committed seed inputs of the fuzz targets to fuzz/seeds/<target>/.

Sources: the example and test bundles of this repository and, when present,
the shared Apigee corpus (../shared/corpus relative to the repository, or
$PROXYC_CORPUS). Inputs larger than MAX_BYTES (MAX_ZIP_BYTES for archives) are skipped to keep the
committed seeds small; file names are content hashes, so re-running is
idempotent. Usage: `python3 fuzz/seed.py` (then commit fuzz/seeds).
"""

import hashlib
import io
import os
import re
import zipfile
from pathlib import Path

FUZZ = Path(__file__).resolve().parent
REPO = FUZZ.parent
MAX_BYTES = 8 * 1024
# Archives hold whole bundles: a larger cap.
MAX_ZIP_BYTES = 32 * 1024
ROOTS = ("apiproxy", "sharedflowbundle")

# Payloads the extraction targets pair with paths (typical API shapes).
JSON_DOCS = [
    '{"access_token":"t0k","expires_in":3599,"token_type":"Bearer"}',
    '{"candidates":[{"geometry":{"location":{"lat":37.42,"lng":-122.08}}}],"status":"OK"}',
    '{"store":{"book":[{"author":"Nigel","price":8.95,"title":"Sayings"},'
    '{"author":"Evelyn","price":12.99,"isbn":"0-553"}],"bicycle":{"color":"red","price":19.95}}}',
    '{"headers":{"x-custom":"v","content-type":"application/json"},"items":[1,"two",null,true,{"a":[]}]}',
    '[{"id":1,"name":"a"},{"id":2,"name":"b","tags":["x","y"]}]',
    '"just a string"',
]
JSON_PATHS_EXTRA = [
    "$..book[?(@.price < 10)].title",
    "$.store.book[*].author",
    "$['store']['bicycle']",
    "$.store.book[0:2]",
    "$.store.book[-1]",
    "$..*",
    "$[*].tags[0,1]",
    "store.bicycle.color",
    "$.headers.content-type",
    "$.items.length()",
]
XML_DOCS = [
    '<?xml version="1.0"?><ElevationResponse><status>OK</status><result><elevation>1608.6</elevation>'
    "</result></ElevationResponse>",
    '<dir:Directions xmlns:dir="urn:dir"><dir:route><dir:leg mode="walk"><dir:step>Go</dir:step>'
    "<dir:step>Stop</dir:step></dir:leg></dir:route></dir:Directions>",
    '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
    '<p:Get xmlns:p="urn:p"><p:city>Paris</p:city><state a="1">IDF</state></p:Get></soap:Body></soap:Envelope>',
    "<a><!-- c --><b x='1'>t<![CDATA[<raw>]]></b><?pi data?><b/></a>",
]
XPATHS_EXTRA = [
    "/a/b[1]/@x",
    "count(//b)",
    "//p:city/text()",
    "string(/*/*)",
    "sum(//elevation) * 2",
    "//*[local-name()='state']",
    "/q:x | //comment() | //processing-instruction()",
]


def corpus_dir():
    env = os.environ.get("PROXYC_CORPUS")
    for cand in ([Path(env)] if env else []) + [REPO.parent / "shared" / "corpus"]:
        if cand.is_dir():
            return cand
    return None


def bundle_roots():
    """Every apiproxy/ or sharedflowbundle/ folder we know of."""
    bases = [REPO / "examples" / "bundles", REPO / "tests" / "bundles"]
    corpus = corpus_dir()
    if corpus:
        bases.append(corpus / "bundles")
    for base in bases:
        for root, dirs, _ in os.walk(base):
            dirs.sort()
            for d in dirs:
                if d in ROOTS:
                    yield Path(root) / d


class Seeds:
    def __init__(self, target, max_bytes=MAX_BYTES):
        self.max_bytes = max_bytes
        self.dir = FUZZ / "seeds" / target
        self.dir.mkdir(parents=True, exist_ok=True)
        self.count = 0

    def add(self, data: bytes):
        if len(data) > self.max_bytes:
            return
        name = hashlib.sha1(data).hexdigest()[:16]
        path = self.dir / name
        if not path.exists():
            path.write_bytes(data)
            self.count += 1


def xml_files(root: Path):
    for path in sorted(root.rglob("*.xml")):
        rel = path.relative_to(root)
        if rel.parts[0] != "resources":
            yield rel, path.read_bytes()


def seed_bundles():
    xml, archives = Seeds("bundle_xml"), Seeds("bundle_zip", MAX_ZIP_BYTES)
    slots = {"policies": 0, "proxies": 1, "targets": 2}
    name_attr = re.compile(rb'(<[A-Za-z]+[^>]*?\sname=")[^"]*(")')
    for root in bundle_roots():
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for rel, data in xml_files(root):
                z.writestr(f"{root.name}/{rel.as_posix()}", data)
                if len(rel.parts) == 1:
                    xml.add(b"\x03" + data)
                elif rel.parts[0] in slots:
                    if rel.parts[0] == "policies":
                        # The fuzzed bundle's PreFlow runs the policy named P.
                        data = name_attr.sub(rb"\1P\2", data, count=1)
                    xml.add(bytes([slots[rel.parts[0]]]) + data)
        archives.add(buf.getvalue())
    corpus = corpus_dir()
    if corpus:
        for path in sorted(corpus.rglob("*.zip")):
            archives.add(path.read_bytes())
    return xml, archives


def all_texts():
    bases = [REPO / "examples", REPO / "tests" / "bundles", REPO / "compiler" / "tests" / "data"]
    corpus = corpus_dir()
    if corpus:
        bases.append(corpus)
    for base in bases:
        for path in sorted(base.rglob("*.xml")) + sorted(base.rglob("*.txt")):
            yield path.read_text(encoding="utf-8", errors="replace")


def seed_extraction():
    paths, xpaths = set(JSON_PATHS_EXTRA), set(XPATHS_EXTRA)
    for text in all_texts():
        paths.update(m.strip() for m in re.findall(r"<JSONPath>([^<]*)</JSONPath>", text))
        paths.update(re.findall(r"jsonPath\('([^']*)'", text))
        xpaths.update(m.strip() for m in re.findall(r"<XPath>([^<]*)</XPath>", text))
        xpaths.update(re.findall(r"xpath\('([^']*)'", text))
    jp, xp = Seeds("json_path"), Seeds("xpath")
    for i, path in enumerate(sorted(paths)):
        jp.add(f"{path}\n{JSON_DOCS[i % len(JSON_DOCS)]}".encode())
    for i, expr in enumerate(sorted(xpaths)):
        doc = XML_DOCS[i % len(XML_DOCS)]
        xp.add(bytes([i % 5]) + f"{expr}\n{doc}".encode())
    return jp, xp


if __name__ == "__main__":
    for seeds in (*seed_bundles(), *seed_extraction()):
        print(f"{seeds.dir.relative_to(REPO)}: {seeds.count} new")
