//! The echo backend: answers every request with a JSON description of what
//! it received, so tests (and the README's examples) can see exactly what a
//! proxy sent. `/status/<code>` answers with that status.

use crate::google::{LocalService, RecordedRequest};
use bytes::Bytes;
use http::{Response, StatusCode};
use http_body_util::Full;

/// The echo service.
#[derive(Debug, Default, Clone, Copy)]
pub struct Echo;

impl LocalService for Echo {
    fn handle(&self, req: &RecordedRequest, _base_url: &str) -> Response<Full<Bytes>> {
        let status = req
            .path
            .strip_prefix("/status/")
            .and_then(|s| s.split('/').next())
            .and_then(|s| s.parse::<u16>().ok())
            .and_then(|s| StatusCode::from_u16(s).ok())
            .unwrap_or(StatusCode::OK);
        let mut headers = serde_json::Map::new();
        for (name, value) in &req.headers {
            let v = String::from_utf8_lossy(value.as_bytes()).into_owned();
            match headers.get_mut(name.as_str()) {
                Some(serde_json::Value::String(prev)) => {
                    prev.push_str(", ");
                    prev.push_str(&v);
                }
                _ => {
                    headers.insert(name.as_str().to_owned(), v.into());
                }
            }
        }
        let query: serde_json::Map<String, serde_json::Value> = req
            .query_pairs()
            .into_iter()
            .map(|(k, v)| (k, v.into()))
            .collect();
        let body = serde_json::json!({
            "method": req.method.as_str(),
            "path": req.path,
            "query": query,
            "headers": headers,
            "body": String::from_utf8_lossy(&req.body),
        });
        let mut resp = Response::new(Full::new(Bytes::from(body.to_string())));
        *resp.status_mut() = status;
        resp.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/json"),
        );
        resp.headers_mut()
            .insert("x-backend", http::HeaderValue::from_static("echo"));
        resp
    }
}
