//! The integration API request target (URI and `X-Server-Timeout` value)
//! of the last call each thread made, reused while the target stays the
//! same: most proxies call one integration, and comparing a few short
//! strings costs far less than writing the URL and parsing it again.

use crate::env::GoogleConfig;
use std::cell::RefCell;

/// What an IntegrationCallout sends to: the URI and the timeout it tells
/// the API.
#[derive(Clone)]
pub(super) struct Target {
    /// `…/v1/projects/{project}/locations/{region}/integrations/{name}:{method}`.
    pub uri: http::Uri,
    /// The `X-Server-Timeout` header value (whole seconds).
    pub server_timeout: http::HeaderValue,
}

/// The target for `(project, region, name, method)` under `google`'s
/// endpoint, with a server timeout of `timeout_secs`; `Err` with the URL
/// when it is not a valid URI.
pub(super) fn target(
    google: &GoogleConfig,
    project: &str,
    region: &str,
    name: &str,
    method: &'static str,
    timeout_secs: u64,
) -> Result<Target, String> {
    thread_local! {
        static LAST: RefCell<Option<Remembered>> = const { RefCell::new(None) };
    }
    LAST.with_borrow_mut(|last| {
        if let Some(r) = last.as_ref().filter(|r| {
            r.method == method
                && r.timeout_secs == timeout_secs
                && *r.project == *project
                && *r.region == *region
                && *r.name == *name
                && r.endpoint.as_deref() == google.integration_endpoint.as_deref()
        }) {
            return Ok(r.target.clone());
        }
        let url = google.integration_url(project, region, name, method);
        let uri = http::Uri::try_from(url.as_str()).map_err(|_| url)?;
        let target = Target {
            uri,
            server_timeout: http::HeaderValue::from(timeout_secs),
        };
        *last = Some(Remembered {
            endpoint: google.integration_endpoint.clone(),
            project: project.into(),
            region: region.into(),
            name: name.into(),
            method,
            timeout_secs,
            target: target.clone(),
        });
        Ok(target)
    })
}

/// A target with everything it was built from.
struct Remembered {
    endpoint: Option<String>,
    project: Box<str>,
    region: Box<str>,
    name: Box<str>,
    method: &'static str,
    timeout_secs: u64,
    target: Target,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn google(endpoint: &str) -> GoogleConfig {
        GoogleConfig {
            integration_endpoint: Some(endpoint.to_owned()),
            ..GoogleConfig::default()
        }
    }

    #[test]
    fn every_part_of_the_target_is_compared_before_it_is_reused() {
        let a = google("http://a.test");
        let b = google("http://b.test/{region}");
        // Each call differs from the one before in one part (or in none:
        // the second is served from what the first left). The second
        // column is the endpoint with `{region}` filled in.
        let cases = [
            (&a, "http://a.test", ["p", "r", "n", "execute"], 120),
            (&a, "http://a.test", ["p", "r", "n", "execute"], 120),
            (&a, "http://a.test", ["q", "r", "n", "execute"], 120),
            (&a, "http://a.test", ["p", "s", "n", "execute"], 120),
            (&a, "http://a.test", ["p", "r", "m", "execute"], 120),
            (&a, "http://a.test", ["p", "r", "n", "schedule"], 120),
            (&a, "http://a.test", ["p", "r", "n", "schedule"], 30),
            (&b, "http://b.test/r", ["p", "r", "n", "schedule"], 30),
            (&a, "http://a.test", ["p", "r", "n", "execute"], 120),
        ];
        for (config, endpoint, [p, r, n, m], secs) in cases {
            let got = target(config, p, r, n, m, secs).unwrap(); // ok: unit test
            let url = format!("{endpoint}/v1/projects/{p}/locations/{r}/integrations/{n}:{m}");
            assert_eq!(got.uri.to_string(), url);
            assert_eq!(got.server_timeout, http::HeaderValue::from(secs), "{url}");
        }
    }

    #[test]
    fn an_invalid_url_is_returned_and_not_remembered() {
        let g = google("http://a.test");
        assert_eq!(
            target(&g, "p q", "r", "n", "execute", 1).err().as_deref(),
            Some("http://a.test/v1/projects/p q/locations/r/integrations/n:execute")
        );
        assert!(target(&g, "p", "r", "n", "execute", 1).is_ok());
    }
}
