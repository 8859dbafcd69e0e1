//! Policy behaviour that generated code calls: one module per policy type,
//! plus the message operations several policies share.

pub mod assign_message;
pub mod extract_variables;
pub mod flow_callout;
pub mod integration_callout;
pub mod message_ops;
pub mod raise_fault;
pub mod service_callout;
pub mod set_integration_request;
