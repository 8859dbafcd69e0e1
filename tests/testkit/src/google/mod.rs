//! Local stand-ins for the Google APIs proxyc talks to, for tests and examples: an OAuth
//! token endpoint, a metadata server, the IAM Credentials API and Application Integration.
//! Each binds 127.0.0.1 on an ephemeral port, records what it receives and stops on drop.

mod api_error;
pub mod iam_server;
mod integration_schema;
pub mod integration_server;
pub mod keys;
pub mod metadata_server;
mod server;
pub mod token_server;

pub use api_error::{ApiError, GoogleStatus};
pub use server::{LocalService, RecordedRequest, RunningServer};
