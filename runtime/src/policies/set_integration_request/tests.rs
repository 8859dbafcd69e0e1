//! `execute` end to end: the body's exact bytes against the text of the same
//! object built as a `serde_json::Value`, and the faults.

use super::*;
use crate::proxy::ProxyMeta;
use serde_json::{Map, Value as Json, json};

const META: PolicyMeta = PolicyMeta {
    name: "SIR-1",
    kind: "SetIntegrationRequest",
    continue_on_error: false,
    failed_slot: 0,
};

/// Variables `v0`…`v9` are slots 0 to 9; then the request object and the
/// `integration.*` variables.
const SLOTS: &[&str] = &[
    "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "req", "project", "name", "region",
    "trigger",
];
const REQUEST_SLOT: usize = 10;

/// Variable values: `(slot, text)`.
type Values<'a> = &'a [(usize, &'static str)];

/// A context where the slots hold `values`.
fn ctx_with(values: Values) -> Ctx {
    static PROXY: ProxyMeta = ProxyMeta {
        slots: SLOTS,
        ..crate::ctx::TEST_PROXY
    };
    let mut ctx = crate::ctx::test_ctx(&PROXY);
    for &(slot, text) in values {
        ctx.set_slot(slot, Slot::Value(Value::str(text)));
    }
    ctx
}

const fn literal(text: &'static str) -> Prop {
    Prop {
        reference: None,
        text,
    }
}

/// `ref="v<slot>"`, with `text` as the fallback.
const fn by_ref(slot: usize, text: &'static str) -> Prop {
    Prop {
        reference: Some((SLOTS[slot], Var::Slot(slot))),
        text,
    }
}

const fn param(name: &'static str, kind: ParamType, value: Prop) -> Param {
    Param {
        name,
        kind,
        array: false,
        value,
        values: &[],
    }
}

const fn array(name: &'static str, kind: ParamType, value: Prop, values: &'static [Prop]) -> Param {
    Param {
        name,
        kind,
        array: true,
        value,
        values,
    }
}

/// Project `proj`, no IntegrationName, region `ref="v9"`, trigger `orders`,
/// ScheduleTime `ref="v8"`.
const fn config(params: &'static [Param], key_order: &'static [usize]) -> Config {
    Config {
        project: literal("proj"),
        name: None,
        region: by_ref(9, ""),
        trigger: literal("orders"),
        schedule_time: Some(by_ref(8, "")),
        params,
        key_order,
        request_slot: REQUEST_SLOT,
        // The region is a `ref`: the path is built per request.
        literal_path: None,
        vars: [
            Var::Slot(REQUEST_SLOT + 1),
            Var::Slot(REQUEST_SLOT + 2),
            Var::Slot(REQUEST_SLOT + 3),
            Var::Slot(REQUEST_SLOT + 4),
        ],
    }
}

/// The body `execute` stored, and its `requestId`.
fn run(cfg: &'static Config, values: Values) -> (Ctx, String, Json) {
    let mut ctx = ctx_with(values);
    execute(&mut ctx, &META, cfg).unwrap(); // ok: unit test
    let body = ctx
        .slot_message(REQUEST_SLOT)
        .and_then(Message::content)
        .unwrap_or_default()
        .into_owned();
    let parsed: Json = serde_json::from_str(&body).unwrap(); // ok: unit test
    let id = parsed["requestId"].clone();
    assert!(uuid::Uuid::parse_str(id.as_str().unwrap_or_default()).is_ok());
    (ctx, body, id)
}

/// The fault's code and message.
fn fault_of(cfg: &'static Config, values: Values) -> (String, String) {
    let mut ctx = ctx_with(values);
    let Err(f) = execute(&mut ctx, &META, cfg) else {
        panic!("no fault") // ok: unit test
    };
    (f.code.into_owned(), f.faultstring)
}

const TRICKY: &str = "tab\t \"quote\" \\ \u{7f} \u{2028} \u{1F600}";

/// Every type and form, in document order; `zeta` twice.
static PARAMS: [Param; 12] = [
    param("zeta", ParamType::String, by_ref(0, "fallback")),
    param("count", ParamType::Integer, by_ref(1, "")),
    param("flag", ParamType::Boolean, literal("TRUE")),
    param("ratio", ParamType::Double, literal("0.1")),
    param("big", ParamType::Double, by_ref(2, "")),
    param("doc", ParamType::Json, by_ref(3, "")),
    param("we\"ird\u{1}", ParamType::String, literal("k\u{e9}y")),
    array("ints", ParamType::Integer, by_ref(4, ""), &[]),
    array("dbls", ParamType::Double, by_ref(5, ""), &[]),
    array(
        "strs",
        ParamType::String,
        by_ref(7, ""),
        &[literal("a"), by_ref(6, "b")],
    ),
    array(
        "bools",
        ParamType::Boolean,
        literal(""),
        &[literal("true"), literal("False")],
    ),
    param("zeta", ParamType::String, literal("last")),
];

#[test]
fn body_bytes_equal_the_serde_json_value_text() {
    // By name; of the two `zeta`, the later.
    static CONFIG: Config = config(&PARAMS, &[4, 10, 1, 8, 5, 2, 7, 3, 9, 6, 11]);
    let doc = " {\"a\": [1, 2.5e3, \"\\u00e9\"]} ";
    let (ctx, body, id) = run(
        &CONFIG,
        &[
            (0, TRICKY),
            (1, " 007 "),
            (2, "1e21"),
            (3, doc),
            (4, "[1, \"-2\", 9223372036854775807]"),
            (5, "[1, 2.5, \"3\", -0.0, 1e300, 18446744073709551615]"),
            (6, "c\\d"),
            (8, " 2022-01-15T01:30:15Z "),
            (9, "us-east1"),
        ],
    );
    // The same object as a serde_json::Value, its parameters inserted in
    // document order (the later `zeta` replaces the earlier).
    let mut inputs = Map::new();
    for (name, value) in [
        ("zeta", json!({"stringValue": TRICKY})),
        ("count", json!({"intValue": "7"})),
        ("flag", json!({"booleanValue": true})),
        ("ratio", json!({"doubleValue": 0.1})),
        ("big", json!({"doubleValue": 1e21})),
        ("doc", json!({"jsonValue": doc})),
        ("we\"ird\u{1}", json!({"stringValue": "k\u{e9}y"})),
        (
            "ints",
            json!({"intArray": {"intValues": ["1", "-2", "9223372036854775807"]}}),
        ),
        (
            "dbls",
            json!({"doubleArray": {"doubleValues": [1, 2.5, 3.0, -0.0, 1e300, u64::MAX]}}),
        ),
        (
            "strs",
            json!({"stringArray": {"stringValues": ["a", "c\\d"]}}),
        ),
        (
            "bools",
            json!({"booleanArray": {"booleanValues": [true, false]}}),
        ),
        ("zeta", json!({"stringValue": "last"})),
    ] {
        inputs.insert(name.to_owned(), value);
    }
    let expected = json!({
        "triggerId": "api_trigger/orders",
        "inputParameters": inputs,
        "requestId": id,
        "scheduleTime": "2022-01-15T01:30:15Z",
    });
    assert_eq!(body, expected.to_string());

    let Some(msg) = ctx.slot_message(REQUEST_SLOT) else {
        panic!("no request object") // ok: unit test
    };
    assert_eq!(msg.verb, http::Method::POST);
    assert_eq!(
        msg.path(),
        "/v1/projects/proj/locations/us-east1/integrations/-:execute"
    );
    let content_type = msg.headers.get(http::header::CONTENT_TYPE);
    assert_eq!(
        content_type.map(|v| v.as_bytes()),
        Some(&b"application/json"[..])
    );
    let set: Vec<String> = (1..=4)
        .map(|i| read(&ctx, &Var::Slot(REQUEST_SLOT + i)).to_string())
        .collect();
    assert_eq!(set, ["proj", "-", "us-east1", "api_trigger/orders"]);
}

#[test]
fn a_body_without_parameters_or_schedule_time() {
    static CONFIG: Config = config(&[], &[]);
    let (_, body, id) = run(&CONFIG, &[(9, "eu")]);
    let expected = json!({"triggerId": "api_trigger/orders", "requestId": id});
    assert_eq!(body, expected.to_string());
}

#[test]
fn the_first_failing_parameter_in_document_order_gives_the_fault() {
    // `aa` is written first; `zz` comes first in the document.
    static PARAMS: [Param; 2] = [
        param("zz", ParamType::Integer, by_ref(0, "")),
        param("aa", ParamType::Boolean, by_ref(1, "")),
    ];
    static CONFIG: Config = config(&PARAMS, &[1, 0]);
    assert_eq!(
        fault_of(&CONFIG, &[(0, "abc"), (9, "eu")]),
        (
            codes::MISMATCHED_TYPE.to_owned(),
            "SetIntegrationRequest[SIR-1]: variable v0 of parameter zz resolved to `abc`, which is not of type integer".to_owned()
        )
    );
    assert_eq!(
        fault_of(&CONFIG, &[(0, "1"), (9, "eu")]),
        (
            codes::UNRESOLVED_VARIABLE.to_owned(),
            "SetIntegrationRequest[SIR-1]: unable to resolve variable v1 of parameter aa"
                .to_owned()
        )
    );
}

#[test]
fn array_schedule_and_reference_faults() {
    static PARAMS: [Param; 2] = [
        array("ints", ParamType::Integer, by_ref(0, ""), &[by_ref(1, "")]),
        array("none", ParamType::String, by_ref(2, ""), &[]),
    ];
    static CONFIG: Config = config(&PARAMS, &[0, 1]);
    let cases: [(Values, &str, &str); 9] = [
        (
            &[(0, "[1, 2.5]"), (9, "eu")],
            codes::MISMATCHED_TYPE,
            "variable v0 of parameter ints resolved to `[1, 2.5]`, which is not of type integer array",
        ),
        (
            &[(0, "{\"a\":1}"), (9, "eu")],
            codes::MISMATCHED_TYPE,
            "variable v0 of parameter ints resolved to `{\"a\":1}`, which is not of type integer array",
        ),
        (
            &[(0, "[]"), (9, "eu")],
            codes::EMPTY_PARAMETER_ARRAY,
            "parameter array ints has no value",
        ),
        (
            &[(1, "x"), (9, "eu")],
            codes::MISMATCHED_TYPE,
            "variable v1 of parameter ints resolved to `x`, which is not of type integer array",
        ),
        (
            &[(9, "eu")],
            codes::EMPTY_PARAMETER_ARRAY_VALUE,
            "value 1 of parameter array ints is empty (variable v1 does not resolve)",
        ),
        (
            &[(0, "[1]"), (9, "eu")],
            codes::EMPTY_PARAMETER_ARRAY,
            "parameter array none has no value",
        ),
        (
            &[(0, "[1]"), (2, "[\"s\"]"), (8, "soon"), (9, "eu")],
            codes::INVALID_RESOLVED,
            "variable v8 of <ScheduleTime> resolved to `soon`, which is not an RFC 3339 timestamp",
        ),
        (
            &[(0, "[1]"), (2, "[\"s\"]"), (9, "a b")],
            codes::INVALID_RESOLVED,
            "variable v9 of <IntegrationRegion> resolved to `a b`, which is not a valid IntegrationRegion",
        ),
        (
            &[(0, "[1]"), (2, "[\"s\"]")],
            codes::UNRESOLVED_VARIABLE,
            "unable to resolve variable v9 for <IntegrationRegion>",
        ),
    ];
    for (values, code, message) in cases {
        assert_eq!(
            fault_of(&CONFIG, values),
            (
                code.to_owned(),
                format!("SetIntegrationRequest[SIR-1]: {message}")
            )
        );
    }
}

#[test]
fn triggers_and_segments() {
    assert_eq!(trigger_id("orders".into()), "api_trigger/orders");
    assert_eq!(
        trigger_id("api_trigger/orders".into()),
        "api_trigger/orders"
    );
    assert!(is_path_segment("us-central1"));
    assert!(!is_path_segment("a/b"));
    assert!(!is_path_segment(""));
    assert!(is_schedule_time("2022-01-15T01:30:15Z"));
    assert!(!is_schedule_time("tomorrow"));
}
