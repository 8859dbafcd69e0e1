//! Runtime for proxies compiled by proxyc.
//!
//! Generated code uses only [`__private`]; applications use [`Gateway`],
//! [`EnvConfig`]/[`Environment`] and [`include_proxy!`].

pub mod background;
pub mod balancer;
pub mod body;
pub mod client;
pub mod condition;
pub mod ctx;
pub mod env;
pub mod fault;
pub mod flow;
pub mod gateway;
pub mod health;
pub mod local_target;
pub mod message;
pub mod policies;
mod pool;
pub mod proxy;
mod request_deadline;
mod requirements;
pub mod shared_flow;
pub mod target;
pub mod target_servers;
pub mod template;
mod text;
pub mod time_fmt;
pub mod tls;
pub mod tls_client;
pub mod tokens;
pub mod trace;
pub mod upstream;
pub mod value;
pub mod vars;

pub use env::{ConfigError, EnvConfig, Environment};
pub use gateway::Gateway;
pub use proxy::CompiledProxy;
pub use shared_flow::CompiledSharedFlow;

/// Includes the code `proxyc_compiler::Builder` wrote for proxy `name`
/// (`$OUT_DIR/proxyc/<name>.rs`).
#[macro_export]
macro_rules! include_proxy {
    ($name:literal) => {
        include!(concat!(env!("OUT_DIR"), "/proxyc/", $name, ".rs"));
    };
}

/// The only surface generated code uses. Not a stable API.
#[doc(hidden)]
pub mod __private {
    pub use crate::condition as cond;
    pub use crate::condition::Regex;
    pub use crate::template::tfn;
    pub use crate::template::{Unresolved, push_value, var_text, var_text_or};
    pub use crate::value::Value;

    /// Version 1 of the generated-code interface. Generated code imports
    /// `__private::v1`; a runtime without it fails to compile with an
    /// unresolved import naming the version, instead of subtler errors.
    pub mod v1 {
        pub use crate::ctx::{Ctx, Phase, Slot};
        pub use crate::fault::{Fault, FaultCategory, codes};
        pub use crate::flow::{
            Abort, FaultState, PolicyMeta, StepGuard, enter_flow, log_post_client_fault, no_route,
            refault,
        };
        pub use crate::gateway::LocalTarget;
        pub use crate::local_target::call as call_local_target;
        pub use crate::message::{Message, MessageKind};
        pub use crate::policies::assign_message as am;
        pub use crate::policies::extract_variables as ev;
        pub use crate::policies::flow_callout as fc;
        pub use crate::policies::integration_callout as ic;
        pub use crate::policies::message_ops as ops;
        pub use crate::policies::raise_fault as rf;
        pub use crate::policies::service_callout as sc;
        pub use crate::policies::set_integration_request as sir;
        pub use crate::proxy::{
            BoxFuture, CompiledProxy, Connections, EndpointMeta, HandlerFuture, ProxyMeta, Reads,
        };
        pub use crate::target::{
            LiteralOrigin, RequestHeaders, Retain, TargetProperties, call as call_target,
        };
        pub use crate::tls_client::SslInfo;
        /// LoadBalancer and HealthMonitor configuration.
        pub mod lb {
            pub use crate::balancer::{Algorithm, LoadBalancer, Server};
            pub use crate::health::{Check, HealthMonitor, HttpCheck};
        }
        pub use crate::shared_flow::{
            CompiledSharedFlow, LocalTargetRef, Requirements, SharedFlowMeta, SharedFlowRef,
        };
        pub use crate::value::Value;
        pub use crate::vars::{MsgProp, MsgSel, TimePart, Var, read, write};
        pub use http::header::{HeaderName, HeaderValue};
        pub use tracing::Instrument;

        /// Reads a message body whole when the bundle's policies need it.
        pub use crate::body::buffer as buffer_body;

        /// A handler future in the dyn-compatible form (in place when it
        /// fits, boxed otherwise).
        #[inline]
        pub fn handler<'a, F>(f: F) -> HandlerFuture<'a>
        where
            F: std::future::Future<Output = ()> + Send + 'a,
        {
            HandlerFuture::from_or_box(f)
        }
    }
}
