//! Pure helpers shared with the runtime, included from the runtime's source
//! tree so that what the compiler accepts is exactly what the runtime
//! understands (a literal date pattern, replacement string or JSONPath that
//! passes here is interpreted by the very same code at run time). They depend
//! on `std` only.
//
// The compiler uses only the validating half of each module (their parsed
// results feed the runtime's evaluators), hence `allow(dead_code)`.

#[allow(dead_code)]
#[path = "../../../../runtime/src/template/java_replacement.rs"]
pub(super) mod java_replacement;

#[allow(dead_code)]
#[path = "../../../../runtime/src/template/jsonpath_compat.rs"]
pub(crate) mod jsonpath_compat;

#[path = "../../../../runtime/src/template/xpath_guard.rs"]
pub(crate) mod xpath_guard;

#[allow(dead_code)]
#[path = "../../../../runtime/src/template/time_pattern.rs"]
pub(super) mod time_pattern;
