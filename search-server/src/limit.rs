//! Per-client rate limiting (governor, through tower_governor): a token bucket per client IP,
//! answered `429 Too Many Requests` with `Retry-After` when empty.
//!
//! The client is the TCP peer. `X-Forwarded-For` is believed only when the peer is one of the
//! configured reverse proxies, and then the client is the nearest address in it that is not a
//! proxy: anyone else could write any address there and escape the limit.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Weak};
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, HeaderValue, Request, Response, StatusCode};
use tower_governor::governor::GovernorConfigBuilder;
use tower_governor::key_extractor::KeyExtractor;
use tower_governor::{GovernorError, GovernorLayer};

/// A token bucket: `burst` requests at once, then one more every `period`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub period: Duration,
    pub burst: u32,
}

impl Default for RateLimit {
    /// Ten searches a second, thirty at once: far above a person, well below a scraper.
    fn default() -> Self {
        RateLimit {
            period: Duration::from_millis(100),
            burst: 30,
        }
    }
}

/// The client's address, from the peer or, behind a trusted proxy, from `X-Forwarded-For`.
#[derive(Debug, Clone)]
pub struct ClientIp {
    trusted: Arc<Vec<IpAddr>>,
}

impl ClientIp {
    pub fn new(trusted: Vec<IpAddr>) -> ClientIp {
        ClientIp {
            trusted: Arc::new(trusted),
        }
    }

    /// The client of a request from `peer` with these `X-Forwarded-For` values.
    pub fn client(&self, peer: Option<IpAddr>, forwarded_for: &[&str]) -> IpAddr {
        // Without connection info (a router served without it) every request shares one bucket:
        // safe, if strict.
        let Some(peer) = peer else {
            return IpAddr::V4(Ipv4Addr::UNSPECIFIED);
        };
        if !self.trusted.contains(&peer) {
            return peer;
        }
        // Walk from the nearest hop outwards; the first address that is not ours is the client.
        let hops: Vec<IpAddr> = forwarded_for
            .iter()
            .flat_map(|v| v.split(','))
            .filter_map(|s| s.trim().parse().ok())
            .collect();
        hops.into_iter()
            .rev()
            .find(|ip| !self.trusted.contains(ip))
            .unwrap_or(peer)
    }
}

impl KeyExtractor for ClientIp {
    type Key = IpAddr;

    fn extract<T>(&self, req: &Request<T>) -> Result<IpAddr, GovernorError> {
        let peer = req
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        let forwarded: Vec<&str> = req
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        Ok(self.client(peer, &forwarded))
    }
}

/// The rate-limiting layer; its answers are `429` with `Retry-After` and a clear message.
pub fn layer(
    rate: RateLimit,
    trusted_proxies: Vec<IpAddr>,
) -> GovernorLayer<
    ClientIp,
    governor::middleware::NoOpMiddleware<governor::clock::QuantaInstant>,
    Body,
> {
    let config = GovernorConfigBuilder::default()
        .key_extractor(ClientIp::new(trusted_proxies))
        .period(rate.period)
        .burst_size(rate.burst.max(1))
        .finish()
        .expect("a positive period and burst make a valid quota");
    // Forget idle clients now and then, so the table does not grow with every address seen.
    let limiter: Weak<_> = Arc::downgrade(config.limiter());
    std::thread::spawn(move || loop {
        std::thread::sleep(Duration::from_secs(60));
        match limiter.upgrade() {
            Some(l) => {
                l.retain_recent();
                l.shrink_to_fit();
            }
            None => break,
        }
    });
    GovernorLayer::new(config).error_handler(too_many_requests)
}

fn too_many_requests(e: GovernorError) -> Response<Body> {
    let (status, wait, message) = match e {
        GovernorError::TooManyRequests { wait_time, .. } => (
            StatusCode::TOO_MANY_REQUESTS,
            wait_time.max(1),
            "请求过于频繁，请稍后再试",
        ),
        _ => (StatusCode::TOO_MANY_REQUESTS, 1, "请求过于频繁，请稍后再试"),
    };
    let body = serde_json::json!({ "error": message }).to_string();
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::RETRY_AFTER, HeaderValue::from(wait));
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let proxy: IpAddr = "10.0.0.1".parse().unwrap();
        let peer: IpAddr = "203.0.113.9".parse().unwrap();
        let ip = ClientIp::new(vec![proxy]);
        assert_eq!(ip.client(Some(peer), &["1.2.3.4"]), peer);
        assert_eq!(
            ip.client(Some(proxy), &["1.2.3.4, 198.51.100.7"]),
            "198.51.100.7".parse::<IpAddr>().unwrap()
        );
        assert_eq!(
            ip.client(Some(proxy), &["1.2.3.4, 10.0.0.1"]),
            "1.2.3.4".parse::<IpAddr>().unwrap()
        );
        assert_eq!(ip.client(Some(proxy), &["garbage"]), proxy);
        assert_eq!(ip.client(None, &[]), IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    }
}
