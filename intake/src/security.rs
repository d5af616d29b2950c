//! Abuse protection for every intake route: per-client rate limits (governor) with `429` and
//! `Retry-After`, the client address (X-Forwarded-For believed only from configured proxies),
//! and the security headers on every intake response.
//!
//! A client is counted by its [`ClientKey`]: an IPv4 address, or the /64 network of an IPv6
//! address. One IPv6 subscriber is usually handed a whole /64 (often more), so counting single
//! IPv6 addresses would give one machine 2^64 allowances.
//!
//! The limiters live in [`crate::AppState`]; [`rate_limit`] is the middleware, [`check`] the
//! same test for a handler that wants to apply it itself (the staff sign-in does).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::num::NonZeroU32;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::config::Limits;
use crate::error::Error;
use crate::AppState;

/// What a client is limited in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    Submission,
    Tracking,
    SignIn,
}

/// What a client is counted by: an IPv4 address (an IPv4-mapped IPv6 address is its IPv4
/// address), or the /64 network of an IPv6 address. Shown as `203.0.113.7` or `2001:db8:1:2::/64`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientKey(IpAddr);

impl ClientKey {
    pub fn of(ip: IpAddr) -> ClientKey {
        match ip {
            IpAddr::V4(v4) => ClientKey(IpAddr::V4(v4)),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => ClientKey(IpAddr::V4(v4)),
                None => {
                    let network = u128::from(v6) & !((1u128 << 64) - 1);
                    ClientKey(IpAddr::V6(Ipv6Addr::from(network)))
                }
            },
        }
    }
}

impl std::fmt::Display for ClientKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            IpAddr::V4(v4) => write!(f, "{v4}"),
            IpAddr::V6(v6) => write!(f, "{v6}/64"),
        }
    }
}

/// One keyed limiter per [`Limit`], keyed by [`ClientKey`].
pub struct RateLimiters {
    submission: DefaultKeyedRateLimiter<ClientKey>,
    tracking: DefaultKeyedRateLimiter<ClientKey>,
    sign_in: DefaultKeyedRateLimiter<ClientKey>,
    enabled: bool,
}

fn quota(per_minute: u32, burst: u32) -> Quota {
    let per_minute = NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN);
    let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
    Quota::per_minute(per_minute).allow_burst(burst)
}

impl RateLimiters {
    /// `enabled = false` is `--no-rate-limit`, for load tests and benchmarks only.
    pub fn new(limits: &Limits, enabled: bool) -> RateLimiters {
        RateLimiters {
            submission: RateLimiter::keyed(quota(
                limits.submissions_per_minute,
                limits.submissions_burst,
            )),
            tracking: RateLimiter::keyed(quota(limits.track_per_minute, limits.track_burst)),
            sign_in: RateLimiter::keyed(quota(limits.sign_in_per_minute, limits.sign_in_burst)),
            enabled,
        }
    }

    /// Takes one request from the client's allowance, or says how long to wait.
    pub fn check(&self, limit: Limit, client: IpAddr) -> Result<(), Error> {
        if !self.enabled {
            return Ok(());
        }
        let limiter = match limit {
            Limit::Submission => &self.submission,
            Limit::Tracking => &self.tracking,
            Limit::SignIn => &self.sign_in,
        };
        limiter
            .check_key(&ClientKey::of(client))
            .map_err(|not_until| {
                let wait = not_until.wait_time_from(DefaultClock::default().now());
                Error::RateLimited {
                    retry_after_secs: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
                }
            })
    }

    /// Forgets clients whose allowance is full again, so the maps do not grow without bound.
    pub fn forget_idle(&self) {
        self.submission.retain_recent();
        self.tracking.retain_recent();
        self.sign_in.retain_recent();
    }
}

/// Checks a limit for the client of a request, in a handler.
pub fn check(state: &AppState, limit: Limit, client: IpAddr) -> Result<(), Error> {
    state.limiters.check(limit, client)
}

/// The client's address: the peer, or, when the peer is a trusted proxy, the nearest address
/// in `X-Forwarded-For` that is not itself a trusted proxy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

pub fn client_ip(trusted: &[IpAddr], peer: Option<IpAddr>, headers: &HeaderMap) -> IpAddr {
    // Without connection info (a server not started with `into_make_service_with_connect_info`)
    // every client shares one allowance: safe, if coarse.
    let Some(peer) = peer else {
        return IpAddr::V4(Ipv4Addr::UNSPECIFIED);
    };
    if !trusted.contains(&peer) {
        return peer;
    }
    let hops: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    hops.into_iter()
        .rev()
        .find(|ip| !trusted.contains(ip))
        .unwrap_or(peer)
}

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<ClientIp, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        Ok(ClientIp(client_ip(
            &state.config.trusted_proxies,
            peer,
            &parts.headers,
        )))
    }
}

/// Middleware: `from_fn_with_state((state, Limit::X), rate_limit)`.
pub async fn rate_limit(
    State((state, limit)): State<(AppState, Limit)>,
    request: Request,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let ip = client_ip(&state.config.trusted_proxies, peer, request.headers());
    match state.limiters.check(limit, ip) {
        Ok(()) => next.run(request).await,
        Err(e) => e.into_response(),
    }
}

/// The Content-Security-Policy of intake pages: the site's own ([`themes::CSP`]).
pub const CSP: &str = themes::CSP;

/// Middleware adding the security headers to every intake response: the site's list
/// ([`themes::SECURITY_HEADERS`]), and `no-store`, since intake pages hold personal data.
pub async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    for (name, value) in themes::SECURITY_HEADERS {
        h.insert(
            axum::http::HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", xff.parse().unwrap());
        h
    }

    #[test]
    fn forwarded_for_only_from_trusted_proxies() {
        let proxy: IpAddr = "10.0.0.1".parse().unwrap();
        let client: IpAddr = "203.0.113.7".parse().unwrap();
        let stranger: IpAddr = "198.51.100.9".parse().unwrap();
        // A stranger cannot pick its own address.
        assert_eq!(
            client_ip(&[proxy], Some(stranger), &headers("203.0.113.7")),
            stranger
        );
        // The proxy's word is taken, the rightmost untrusted hop wins (the client can prepend
        // anything it likes to the header).
        assert_eq!(
            client_ip(&[proxy], Some(proxy), &headers("1.2.3.4, 203.0.113.7")),
            client
        );
        assert_eq!(client_ip(&[proxy], Some(proxy), &HeaderMap::new()), proxy);
    }

    #[test]
    fn limits_count_per_client() {
        let limits = Limits {
            submissions_per_minute: 1,
            submissions_burst: 2,
            ..Limits::default()
        };
        let l = RateLimiters::new(&limits, true);
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        assert!(l.check(Limit::Submission, a).is_ok());
        assert!(l.check(Limit::Submission, a).is_ok());
        match l.check(Limit::Submission, a) {
            Err(Error::RateLimited { retry_after_secs }) => {
                assert!((1..=60).contains(&retry_after_secs))
            }
            other => panic!("expected a rate limit, got {other:?}"),
        }
        assert!(l.check(Limit::Submission, b).is_ok());
        assert!(l.check(Limit::Tracking, a).is_ok());
        assert!(RateLimiters::new(&limits, false)
            .check(Limit::Submission, a)
            .is_ok());
    }

    #[test]
    fn ipv6_clients_count_by_their_64() {
        let key = |s: &str| ClientKey::of(s.parse().unwrap());
        assert_eq!(
            key("2001:db8:1:2::a"),
            key("2001:db8:1:2:ffff:ffff:ffff:ffff")
        );
        assert_ne!(key("2001:db8:1:2::a"), key("2001:db8:1:3::a"));
        assert_eq!(key("2001:db8:1:2::a").to_string(), "2001:db8:1:2::/64");
        assert_eq!(key("::ffff:192.0.2.1"), key("192.0.2.1"));
        assert_eq!(key("192.0.2.1").to_string(), "192.0.2.1");
        let limits = Limits {
            submissions_per_minute: 1,
            submissions_burst: 1,
            ..Limits::default()
        };
        let l = RateLimiters::new(&limits, true);
        assert!(l
            .check(Limit::Submission, "2001:db8::1".parse().unwrap())
            .is_ok());
        assert!(l
            .check(Limit::Submission, "2001:db8::2".parse().unwrap())
            .is_err());
        assert!(l
            .check(Limit::Submission, "2001:db8:0:1::1".parse().unwrap())
            .is_ok());
    }
}
