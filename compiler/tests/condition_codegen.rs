//! Generated Rust for conditions: shape, calls and validity as Rust syntax.

use proc_macro2::TokenStream;
use proxyc_compiler::expr::condition::{
    CmpOp, ConditionOptions, Expr, Operand, codegen, fold, parse,
};
use quote::quote;

fn generate(src: &str) -> (String, Vec<(String, String)>) {
    let expr = parse(src, &ConditionOptions::default()).unwrap_or_else(|e| panic!("{src}: {e:#?}"));
    let mut reads = Vec::new();
    let tokens = codegen(&expr, &quote!(::proxyc_runtime), &mut |name, span| {
        reads.push((name.to_owned(), src[span].to_owned()));
        quote!(ctx.var(#name))
    });
    assert!(
        syn::parse2::<syn::Expr>(tokens.clone()).is_ok(),
        "not an expression: {tokens}"
    );
    (render(&tokens), reads)
}

/// Whitespace-free text, so needles do not depend on line breaking.
fn squash(text: &str) -> String {
    text.split_whitespace().collect()
}

fn assert_contains(code: &str, needle: &str) {
    assert!(
        squash(code).contains(&squash(needle)),
        "missing {needle:?} in\n{code}"
    );
}

/// Pretty-printed as the body of a function, the way the generator emits it.
fn render(tokens: &TokenStream) -> String {
    let file = quote!(fn condition(ctx: &Ctx) -> bool { #tokens });
    let file = syn::parse2::<syn::File>(file).unwrap_or_else(|e| panic!("{e}"));
    prettyplease::unparse(&file)
}

#[test]
fn equality_with_a_string_literal_on_the_right_compares_text_directly() {
    let (code, _) = generate("a = \"x\" and b != \"y\" and \"z\" = c and d = e");
    for needle in [
        "::proxyc_runtime::__private::cond::eq_str(&ctx.var(\"a\"), \"x\")",
        "::proxyc_runtime::__private::cond::ne_str(&ctx.var(\"b\"), \"y\")",
        "::proxyc_runtime::__private::cond::eq(&::proxyc_runtime::__private::Value::str(\"z\"), &ctx.var(\"c\")",
        "::proxyc_runtime::__private::cond::eq(&ctx.var(\"d\"), &ctx.var(\"e\"))",
    ] {
        assert_contains(&code, needle);
    }
}

#[test]
fn complex_condition() {
    let src = "(request.verb = \"GET\" or request.verb := \"head\") and proxy.pathsuffix MatchesPath \"/a/*/{id}/**\" \
               and not (request.header.x-id ~~ \"\\d+\") and 'my var' !~ \"*.json\" and response.status.code >= 400 \
               and flow.cachehit and y != null and z > -2147483648 and w = 1.5f and v = 12L and u < -0.25 \
               and t Matches \"a%*b*\" and s :~ \"X*\" and r StartsWith other.var and q = true";
    let (code, reads) = generate(src);
    for needle in [
        "::proxyc_runtime::__private::cond::eq_str(&ctx.var(\"request.verb\"), \"GET\")",
        "::proxyc_runtime::__private::cond::eq_ci(",
        "::proxyc_runtime::__private::cond::PathPattern(",
        "::proxyc_runtime::__private::cond::Seg::Lit(\"a\")",
        "::proxyc_runtime::__private::cond::Seg::One",
        "::proxyc_runtime::__private::cond::Seg::Many",
        "::proxyc_runtime::__private::cond::path_match(&ctx.var(\"proxy.pathsuffix\"), { const PATTERN",
        "static RE: ::std::sync::LazyLock<::proxyc_runtime::__private::Regex>",
        "/// ok: proxyc compiled this pattern at build time",
        "::proxyc_runtime::__private::Regex::new(\"^(?:[0-9]+)$\")",
        "::proxyc_runtime::__private::cond::regex_match(&ctx.var(\"request.header.x-id\"), {",
        "&RE },",
        "!::proxyc_runtime::__private::cond::regex_match(",
        "::proxyc_runtime::__private::cond::glob_match(&ctx.var(\"my var\"), {",
        "&PATTERN },",
        "::proxyc_runtime::__private::cond::GlobPart::Star",
        "::proxyc_runtime::__private::cond::GlobPart::Lit(\"a*b\")",
        "::proxyc_runtime::__private::cond::glob_match_ci(",
        "::proxyc_runtime::__private::cond::ge(",
        "::proxyc_runtime::__private::Value::Int(400)",
        "::proxyc_runtime::__private::cond::truthy(&ctx.var(\"flow.cachehit\"))",
        "::proxyc_runtime::__private::cond::ne(&ctx.var(\"y\"), &::proxyc_runtime::__private::Value::Null",
        "::proxyc_runtime::__private::Value::Int(-2147483648)",
        "::proxyc_runtime::__private::Value::Float(1.5)",
        "::proxyc_runtime::__private::Value::Long(12)",
        "::proxyc_runtime::__private::Value::Double(-0.25)",
        "::proxyc_runtime::__private::cond::starts_with(&ctx.var(\"r\"), &ctx.var(\"other.var\")",
        "::proxyc_runtime::__private::Value::Bool(true)",
        "||",
        "&&",
    ] {
        assert_contains(&code, needle);
    }
    // Only the nested `or` is parenthesised, not the `and` chain around it.
    let body = squash(&code);
    assert!(body.contains("bool{(::proxyc_runtime"), "{code}");
    assert!(!body.contains("(("), "{code}");
    let names: Vec<&str> = reads.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "request.verb",
            "request.verb",
            "proxy.pathsuffix",
            "request.header.x-id",
            "my var",
            "response.status.code",
            "flow.cachehit",
            "y",
            "z",
            "w",
            "v",
            "u",
            "t",
            "s",
            "r",
            "other.var",
            "q"
        ]
    );
    // Spans handed to the callback cover the variable token, quotes included.
    assert!(
        reads
            .iter()
            .any(|(n, text)| n == "my var" && text == "'my var'")
    );
}

#[test]
fn constants_and_negation() {
    assert_eq!(generate("").0.lines().nth(1).map(str::trim), Some("true"));
    let (code, _) = generate("not a and not (b or c)");
    assert_contains(
        &code,
        "!::proxyc_runtime::__private::cond::truthy(&ctx.var(\"a\"))",
    );
    assert_contains(
        &code,
        "!(::proxyc_runtime::__private::cond::truthy(&ctx.var(\"b\"))",
    );
    let (code, _) = generate("x not StartsWith \"a\"");
    assert_contains(&code, "!::proxyc_runtime::__private::cond::starts_with(");
}

#[test]
fn folded_conditions_generate_constants() {
    let expr = parse(
        "1 = 1 and \"a\" Matches \"*\"",
        &ConditionOptions::default(),
    )
    .unwrap_or_else(|e| panic!("{e:?}"));
    let tokens = codegen(&fold(expr), &quote!(rt), &mut |_, _| quote!(unreachable));
    assert_eq!(tokens.to_string(), "true");
}

#[test]
fn hand_built_invalid_pattern_becomes_compile_error() {
    let expr = Expr::Cmp {
        op: CmpOp::JavaRegex,
        negated: false,
        lhs: Operand::Var {
            name: "x".into(),
            span: 0..1,
        },
        rhs: Operand::Str("(?=a)".into(), 2..9),
        op_span: 1..2,
    };
    let tokens = codegen(&expr, &quote!(rt), &mut |_, _| quote!(v));
    let text = tokens.to_string();
    assert!(text.contains("compile_error"), "{text}");
    assert!(text.contains("look-ahead"), "{text}");
}
