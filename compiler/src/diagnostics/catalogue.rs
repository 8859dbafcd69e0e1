//! The catalogue of diagnostic codes. Every diagnostic the compiler emits
//! uses one of these; `proxyc explain`-style tooling and the docs list them.

/// A diagnostic code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Code(pub &'static str);

macro_rules! catalogue {
    ($($name:ident = $code:literal: $summary:literal;)*) => {
        $(
            #[doc = $summary]
            pub const $name: Code = Code($code);
        )*
        /// Every code with its one-line meaning.
        pub const CATALOGUE: &[(&str, &str)] = &[$(($code, $summary)),*];
    };
}

impl Code {
    catalogue! {
        // ----- loading (PXC00x)
        BUNDLE_NOT_FOUND = "PXC001": "the bundle path does not exist or holds no apiproxy/ folder";
        BUNDLE_READ = "PXC002": "a bundle file could not be read";
        ZIP_INVALID = "PXC003": "the .zip export is malformed or holds unsafe entries";
        XML_MALFORMED = "PXC004": "a file is not well-formed XML";
        DESCRIPTOR_MISSING = "PXC005": "the APIProxy descriptor (apiproxy/<name>.xml) is missing or ambiguous";
        NOT_UTF8 = "PXC006": "a bundle file is not UTF-8 text";
        BUNDLE_TOO_LARGE = "PXC007": "a bundle file or the whole bundle exceeds the size limits";
        // ----- hostile input (PXC36x)
        XML_DTD = "PXC360": "a bundle file declares a DTD (<!DOCTYPE>); DTDs and entity declarations are refused";
        XML_LIMIT = "PXC361": "a file exceeds the XML limits: nesting depth, node count or attributes per element";
        // ----- structure (PXC01x)
        UNEXPECTED_ROOT = "PXC010": "a file's root element is not what its folder requires";
        MISSING_ELEMENT = "PXC011": "a required element or attribute is missing";
        UNKNOWN_POLICY = "PXC012": "a Step names a policy that does not exist";
        UNSUPPORTED_POLICY = "PXC013": "the policy type is not supported by proxyc yet";
        UNKNOWN_TARGET = "PXC014": "a RouteRule names a TargetEndpoint that does not exist";
        DUPLICATE_NAME = "PXC015": "two items share a name that must be unique";
        INVALID_VALUE = "PXC016": "an element or attribute has a value that is not allowed";
        NO_PROXY_ENDPOINT = "PXC017": "the bundle has no ProxyEndpoint";
        UNSUPPORTED_FEATURE = "PXC018": "the element is valid Apigee but not supported by proxyc yet";
        NAME_COLLISION = "PXC019": "two names map to the same Rust identifier";
        // ----- policies (PXC05x)
        INVALID_TIMEOUT = "PXC050": "InvalidTimeoutValue: Timeout is zero or negative";
        URL_MISSING = "PXC051": "URLMissing: HTTPTargetConnection has no URL";
        CONNECTION_INFO_MISSING = "PXC052": "ConnectionInfoMissing: neither HTTPTargetConnection nor LocalTargetConnection";
        INVALID_VARIABLE_NAME = "PXC053": "InvalidVariableName: AssignVariable has no Name";
        INVALID_URL_TEMPLATE = "PXC054": "the URL template takes its scheme from a variable or mixes host and path variables";
        INVALID_INDEX = "PXC055": "InvalidIndex: a header or parameter index is zero or negative";
        READ_ONLY_VARIABLE = "PXC056": "a policy writes a read-only built-in variable";
        INTEGRATION_PARAMETER = "PXC070": "a SetIntegrationRequest parameter has an unknown type, no value or a value not of its type";
        INVALID_SCHEDULE_TIME = "PXC071": "SetIntegrationRequest ScheduleTime is not an RFC 3339 timestamp";
        INTEGRATION_VARIABLE = "PXC072": "an integration policy's Request/Response names a variable that cannot hold its message";
        // ----- ExtractVariables (PXC08x-PXC09x)
        EV_NOTHING_TO_EXTRACT = "PXC080": "NothingToExtract: ExtractVariables has no URIPath, QueryParam, Header, FormParam, Variable, JSONPayload or XMLPayload";
        EV_PATTERN_WITHOUT_VARIABLE = "PXC081": "PatternWithoutVariable: an ExtractVariables pattern has no {variable}";
        EV_INVALID_PATTERN = "PXC082": "InvalidPattern: an ExtractVariables pattern is malformed (unbalanced or empty braces)";
        EV_MISSING_NAME = "PXC083": "MissingName: an ExtractVariables element has no name attribute";
        EV_NO_JSON_PATHS = "PXC084": "NoJSONPathsToEvaluate: a JSONPayload Variable has no JSONPath";
        EV_EMPTY_JSON_PATH = "PXC085": "EmptyJSONPathExpression: a JSONPath is empty";
        EV_JSON_PATH_COMPILATION = "PXC086": "JSONPathCompilationFailed: a JSONPath does not parse";
        EV_NO_XPATHS = "PXC087": "NoXPathsToEvaluate: an XMLPayload Variable has no XPath";
        EV_EMPTY_XPATH = "PXC088": "EmptyXPathExpression: an XPath is empty";
        EV_XPATH_COMPILATION = "PXC089": "XPathCompilationFailed: an XPath does not parse or uses an undeclared prefix";
        EV_DUPLICATE_PREFIX = "PXC090": "DuplicatePrefix: two Namespace elements declare the same prefix";
        EV_EMPTY_NAMESPACE_URI = "PXC091": "NONEmptyPrefixMappedToEmptyURI: a namespace prefix is bound to an empty URI";
        IMMUTABLE_VARIABLE = "PXC092": "ImmutableVariable: ExtractVariables would write a read-only variable";
        TLS_NOT_LITERAL = "PXC300": "an SSLInfo value must be literal text (references are not supported)";
        TLS_PROTOCOL = "PXC301": "an SSLInfo Protocol other than TLSv1.2 or TLSv1.3";
        TLS_CIPHER = "PXC302": "an SSLInfo Cipher that rustls does not implement";
        TLS_CLIENT_AUTH = "PXC303": "ClientAuthEnabled without KeyStore and KeyAlias";
        URL_AND_LOAD_BALANCER = "PXC304": "an HTTPTargetConnection has both URL and LoadBalancer";
        LB_NO_SERVER = "PXC305": "a LoadBalancer has no Server";
        LB_ALGORITHM = "PXC306": "a LoadBalancer Algorithm other than RoundRobin, Weighted or LeastConnections";
        LB_FALLBACK = "PXC307": "a LoadBalancer has more than one fallback Server";
        HEALTH_MONITOR = "PXC308": "a HealthMonitor lacks IntervalInSec or its TCPMonitor/HTTPMonitor, or has both";
        // ----- shared flows and proxy chaining (PXC33x)
        SHARED_FLOW_ENTRY = "PXC330": "a shared flow bundle has no shared flow, or several and none named `default`";
        FLOW_CALLOUT_SELF = "PXC331": "a shared flow's FlowCallout calls the shared flow bundle it belongs to";
        // ----- expressions: PXC1xx conditions, PXC2xx templates (codes owned by expr::)
        // ----- warnings
        UNKNOWN_ELEMENT = "PXW001": "an element proxyc does not know is ignored";
        DEPRECATED = "PXW002": "a deprecated attribute or element is ignored";
        UNREACHABLE_ROUTE = "PXW003": "a RouteRule after an unconditional one can never be chosen";
        DISABLED_STEP = "PXW004": "a Step runs a policy whose enabled attribute is false";
        UNUSED_POLICY = "PXW005": "a policy file is not used by any Step";
        ASYNC_ATTRIBUTE = "PXW006": "the async attribute is deprecated and ignored";
        UNKNOWN_PROPERTY = "PXW007": "a transport property proxyc does not know is ignored";
        NAME_CHARS = "PXW008": "a name uses characters outside the documented set";
        RESPONSE_CONDITION_CHANGES = "PXW009": "a flow condition may evaluate differently in the response segment";
        DOLLAR_PLACEHOLDER = "PXW010": "a ${…} build-time placeholder was left in the bundle";
        UNSET_VARIABLE = "PXW011": "a variable is read that no policy sets and that is not a built-in";
        UNREACHABLE_FLOW = "PXW012": "a conditional Flow after one that always matches can never run";
        UNREAD_CALLOUT_RESPONSE = "PXW013": "a ServiceCallout stores its response in a variable nothing reads";
        TLS_NO_VERIFY = "PXW300": "IgnoreValidationErrors turns off verification of the backend's certificate";
        PATH_WITHOUT_LOAD_BALANCER = "PXW301": "an HTTPTargetConnection Path is only used with a LoadBalancer";
        HEALTH_MONITOR_IDLE = "PXW302": "a HealthMonitor has no effect (disabled, no LoadBalancer or MaxFailures 0)";
        PROPERTY_NOT_APPLIED = "PXW303": "a documented transport property proxyc accepts but does not apply";
        SHARED_FLOW_UNREACHABLE = "PXW310": "a shared flow of a bundle other than the one FlowCallout runs never runs";
        SHARED_FLOW_NOT_IN_BUILD = "PXW311": "a FlowCallout calls a shared flow this build does not compile (it must be mounted on the gateway)";
    }
}
