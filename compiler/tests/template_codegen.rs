//! Shape of the generated code, rendered with prettyplease. (The scratch
//! crate also compiled and ran every shape against the runtime.)

use proxyc_compiler::expr::template::{TemplateOptions, codegen, parse};
use quote::quote;

/// Renders the code for `src` inside `fn render(ctx: &Ctx) -> … { … }`.
fn render(src: &str, ignore_unresolved: bool) -> String {
    let template = match parse(src, &TemplateOptions::default()) {
        Ok((t, _)) => t,
        Err(e) => panic!("{e:?}"),
    };
    let rt = quote!(::proxyc_runtime);
    let expr = codegen(
        &template,
        &rt,
        ignore_unresolved,
        &mut |name, _| quote!(ctx.var(#name)),
    );
    let file = quote! {
        fn render(ctx: &Ctx) -> Result<String, ::proxyc_runtime::__private::Unresolved> {
            #expr
        }
    };
    match syn::parse2::<syn::File>(file) {
        Ok(f) => prettyplease::unparse(&f),
        Err(e) => panic!("generated code does not parse: {e}"),
    }
}

fn check(src: &str, ignore_unresolved: bool, expected: &str) {
    let actual = render(src, ignore_unresolved);
    assert_eq!(actual, expected, "\n--- actual ---\n{actual}");
}

#[test]
fn fully_literal() {
    check(
        r#"{"a":1}"#,
        false,
        r#"fn render(ctx: &Ctx) -> Result<String, ::proxyc_runtime::__private::Unresolved> {
    ::core::result::Result::<
        ::std::string::String,
        ::proxyc_runtime::__private::Unresolved,
    >::Ok(::std::string::String::from("{\"a\":1}"))
}
"#,
    );
}
#[test]
fn variables_defaults_and_unresolved() {
    check(
        "Hello {user.name}, {lang:en}!",
        false,
        r#"fn render(ctx: &Ctx) -> Result<String, ::proxyc_runtime::__private::Unresolved> {
    {
        '__proxyc_template: {
            let mut __pxs = ::std::string::String::with_capacity(41usize);
            __pxs.push_str("Hello ");
            if !::proxyc_runtime::__private::push_value(
                &mut __pxs,
                &ctx.var("user.name"),
            ) {
                break '__proxyc_template ::core::result::Result::<
                    ::std::string::String,
                    ::proxyc_runtime::__private::Unresolved,
                >::Err(::proxyc_runtime::__private::Unresolved("user.name"));
            }
            __pxs.push_str(", ");
            if !::proxyc_runtime::__private::push_value(&mut __pxs, &ctx.var("lang")) {
                __pxs.push_str("en");
            }
            __pxs.push('!');
            ::core::result::Result::<
                ::std::string::String,
                ::proxyc_runtime::__private::Unresolved,
            >::Ok(__pxs)
        }
    }
}
"#,
    );
}

#[test]
fn ignore_unresolved_renders_empty_without_a_label() {
    let code = render("Hello {user.name}, {lang:en}!", true);
    assert!(
        !code.contains("break") && !code.contains("'__proxyc_template"),
        "{code}"
    );
    assert!(
        code.contains(
            "::proxyc_runtime::__private::push_value(&mut __pxs, &ctx.var(\"user.name\"));"
        ),
        "{code}"
    );
}

#[test]
fn calls_with_compiled_literals() {
    check(
        "{replaceAll(h,'^Bearer ',r:x)}{firstnonnull(a,'b')}",
        true,
        r#"fn render(ctx: &Ctx) -> Result<String, ::proxyc_runtime::__private::Unresolved> {
    {
        let mut __pxs = ::std::string::String::with_capacity(32usize);
        {
            static __PX_REGEX: ::std::sync::LazyLock<
                ::proxyc_runtime::__private::tfn::CompiledRegex,
            > = ::std::sync::LazyLock::new(|| ::proxyc_runtime::__private::tfn::CompiledRegex::new(
                "^Bearer ",
            ));
            let __pxa0 = ctx.var("h");
            let __pxa2 = ctx.var("r");
            __pxs
                .push_str(
                    &::proxyc_runtime::__private::tfn::replace_all_compiled(
                        &__PX_REGEX,
                        __pxa0.to_text().as_deref(),
                        __pxa2.to_text().as_deref().or(::core::option::Option::Some("x")),
                    ),
                );
        }
        {
            let __pxa0 = ctx.var("a");
            __pxs
                .push_str(
                    &::proxyc_runtime::__private::tfn::firstnonnull(
                        &[__pxa0.to_text().as_deref(), ::core::option::Option::Some("b")],
                    ),
                );
        }
        ::core::result::Result::<
            ::std::string::String,
            ::proxyc_runtime::__private::Unresolved,
        >::Ok(__pxs)
    }
}
"#,
    );
    let code = render(
        "{jsonPath('$.a',j)}{xeger('[a-z]{3}')}{xpath('/a',x,'string')}{substring(s,1)}",
        true,
    );
    for expected in [
        "static __PX_JSON_PATH: ::std::sync::LazyLock<",
        "tfn::json_path_compiled(",
        "static __PX_XEGER: ::std::sync::LazyLock<",
        "tfn::xeger_compiled(&__PX_XEGER)",
        "&[::core::option::Option::Some(\"string\")]",
        "::core::option::Option::Some(\"1\"),\n                        ::core::option::Option::None,",
    ] {
        assert!(code.contains(expected), "missing {expected:?} in\n{code}");
    }
    let code = render(
        "{replaceFirst(h,re,'')}{jsonPath(p,j,'true')}{xeger(x)}",
        true,
    );
    assert!(!code.contains("static"), "{code}");
    for expected in ["tfn::replace_first(", "tfn::json_path(", "tfn::xeger("] {
        assert!(code.contains(expected), "missing {expected:?} in\n{code}");
    }
}

#[test]
fn callback_sees_every_read_in_order() {
    let (template, _) = match parse(
        "a{x}{sha1Hex(y:z)}{w:v}{firstnonnull(p,'q',r)}",
        &TemplateOptions::default(),
    ) {
        Ok(ok) => ok,
        Err(e) => panic!("{e:?}"),
    };
    let mut reads = Vec::new();
    let _ = codegen(&template, &quote!(::rt), false, &mut |name, span| {
        reads.push((name.to_owned(), span));
        quote!(ctx.var(#name))
    });
    let expected: Vec<(String, std::ops::Range<usize>)> = template
        .variables()
        .map(|(n, s)| (n.to_owned(), s))
        .collect();
    assert_eq!(reads, expected);
    assert_eq!(reads.len(), 5);
}
