//! Local servers for proxyc's tests and examples. Everything binds
//! 127.0.0.1 and records what it received.

pub mod echo;
pub mod google;
