//! Who the client is when a reverse proxy stands in front: `THESET_TRUSTED_PROXIES` lists the
//! proxies' networks (CIDRs, comma separated). Only a request whose TCP peer is one of them has
//! its forwarded-for header read, and that header is read right to left: each trusted hop
//! appends the address it saw, so the first address from the right that is not a trusted proxy
//! is the client. Anything to its left was written by the client and may be forged. Without the
//! setting (or from an untrusted peer) the TCP peer is the client.
//!
//! Exactly one header is read, the one the proxies write: `X-Forwarded-For` (nginx, HAProxy,
//! most load balancers) unless `THESET_FORWARDED_HEADER=forwarded` names RFC 7239's
//! `Forwarded`. Reading both would let a client write the one its proxy passes through
//! untouched.

use std::net::IpAddr;

use axum::http::HeaderMap;
use ipnet::IpNet;

/// The header the trusted proxies write (`THESET_FORWARDED_HEADER`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ForwardedHeader {
    #[default]
    #[value(name = "x-forwarded-for")]
    XForwardedFor,
    /// RFC 7239 `Forwarded: for=…`.
    Forwarded,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies {
    nets: Vec<IpNet>,
    header: ForwardedHeader,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("THESET_TRUSTED_PROXIES: {0:?} is not an address or CIDR network")]
pub struct BadProxy(String);

impl TrustedProxies {
    /// `10.0.0.0/8, 127.0.0.1, ::1`: networks or single addresses; their `X-Forwarded-For`.
    pub fn parse(list: &str) -> Result<Self, BadProxy> {
        let nets = list
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<IpNet>()
                    .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| BadProxy(s.to_owned()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            nets,
            header: ForwardedHeader::default(),
        })
    }

    /// The same proxies, writing `header` instead.
    pub fn reading(mut self, header: ForwardedHeader) -> Self {
        self.header = header;
        self
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.nets.iter().any(|net| net.contains(&ip))
    }

    /// The client's address for a request from `peer` with `headers`.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = canonical(peer);
        if !self.trusts(peer) {
            return peer;
        }
        let hops = match self.header {
            ForwardedHeader::XForwardedFor => x_forwarded_for(headers),
            ForwardedHeader::Forwarded => forwarded(headers),
        };
        let Some(hops) = hops else { return peer };
        let mut client = peer;
        for hop in hops.iter().rev() {
            match hop {
                Some(ip) => {
                    client = canonical(*ip);
                    if !self.trusts(client) {
                        return client;
                    }
                }
                // An address a trusted hop could not parse: stop at the last one we know.
                None => return client,
            }
        }
        client
    }
}

fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// Every `X-Forwarded-For` value, in order (several headers are one list).
fn x_forwarded_for(headers: &HeaderMap) -> Option<Vec<Option<IpAddr>>> {
    let hops: Vec<Option<IpAddr>> = headers
        .get_all("x-forwarded-for")
        .iter()
        .flat_map(|v| v.to_str().ok().unwrap_or("").split(','))
        .map(|s| parse_addr(s.trim()))
        .collect();
    (!hops.is_empty()).then_some(hops)
}

/// The `for=` of each element of every `Forwarded` header, in order.
fn forwarded(headers: &HeaderMap) -> Option<Vec<Option<IpAddr>>> {
    let mut hops = Vec::new();
    for value in headers.get_all("forwarded") {
        for element in value.to_str().ok().unwrap_or("").split(',') {
            let node = element
                .split(';')
                .filter_map(|pair| pair.split_once('='))
                .find(|(k, _)| k.trim().eq_ignore_ascii_case("for"))
                .map(|(_, v)| v.trim().trim_matches('"'));
            hops.push(node.and_then(parse_addr));
        }
    }
    (!hops.is_empty()).then_some(hops)
}

/// `1.2.3.4`, `1.2.3.4:5678`, `[2001:db8::1]`, `[2001:db8::1]:80` or a bare IPv6 address.
fn parse_addr(s: &str) -> Option<IpAddr> {
    if let Ok(ip) = s.parse() {
        return Some(ip);
    }
    if let Some(rest) = s.strip_prefix('[') {
        return rest.split_once(']').and_then(|(ip, _)| ip.parse().ok());
    }
    s.rsplit_once(':')
        .and_then(|(ip, port)| port.parse::<u16>().ok().and(ip.parse().ok()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                axum::http::HeaderName::from_bytes(k.as_bytes()).expect("name"),
                v.parse().expect("value"),
            );
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn untrusted_peers_are_the_client_whatever_they_claim() {
        let none = TrustedProxies::default();
        let h = headers(&[("x-forwarded-for", "1.1.1.1")]);
        assert_eq!(none.client(ip("9.9.9.9"), &h), ip("9.9.9.9"));
        let some = TrustedProxies::parse("10.0.0.0/8").expect("parse");
        assert_eq!(some.client(ip("9.9.9.9"), &h), ip("9.9.9.9"));
    }

    #[test]
    fn read_right_to_left_skipping_trusted_hops() {
        let t = TrustedProxies::parse("10.0.0.0/8, 127.0.0.1").expect("parse");
        // The client forged "6.6.6.6"; the first proxy saw 5.5.5.5; an inner proxy 10.1.1.1.
        let h = headers(&[("x-forwarded-for", "6.6.6.6, 5.5.5.5, 10.1.1.1")]);
        assert_eq!(t.client(ip("127.0.0.1"), &h), ip("5.5.5.5"));
        let h = headers(&[
            ("x-forwarded-for", "6.6.6.6"),
            ("x-forwarded-for", "5.5.5.5"),
        ]);
        assert_eq!(t.client(ip("10.0.0.2"), &h), ip("5.5.5.5"));
        // Only proxies in the chain: the leftmost is the best we know.
        let h = headers(&[("x-forwarded-for", "10.0.0.3")]);
        assert_eq!(t.client(ip("10.0.0.2"), &h), ip("10.0.0.3"));
        // No header from a proxy: the proxy itself.
        assert_eq!(t.client(ip("10.0.0.2"), &HeaderMap::new()), ip("10.0.0.2"));
    }

    #[test]
    fn only_the_configured_header_is_read() {
        let t = TrustedProxies::parse("127.0.0.1").expect("parse");
        // The proxy writes X-Forwarded-For and passes a client's `Forwarded` through untouched.
        let h = headers(&[("forwarded", "for=1.2.3.4"), ("x-forwarded-for", "5.5.5.5")]);
        assert_eq!(t.client(ip("127.0.0.1"), &h), ip("5.5.5.5"));
        let h = headers(&[("forwarded", "for=1.2.3.4")]);
        assert_eq!(t.client(ip("127.0.0.1"), &h), ip("127.0.0.1"));
    }

    #[test]
    fn forwarded_header_with_ports_and_ipv6() {
        let t = TrustedProxies::parse("::1, 10.0.0.0/8")
            .expect("parse")
            .reading(ForwardedHeader::Forwarded);
        let h = headers(&[(
            "forwarded",
            "for=6.6.6.6, for=\"[2001:db8:cafe::17]:4711\";proto=https, for=10.0.0.1:80",
        )]);
        assert_eq!(t.client(ip("::1"), &h), ip("2001:db8:cafe::17"));
        let h = headers(&[("forwarded", "for=unknown")]);
        assert_eq!(t.client(ip("::1"), &h), ip("::1"));
        assert_eq!(
            t.client(ip("::ffff:10.0.0.1"), &HeaderMap::new()),
            ip("10.0.0.1")
        );
    }

    #[test]
    fn bad_settings_are_refused() {
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse("proxy.example").is_err());
        assert_eq!(
            TrustedProxies::parse(" ").expect("empty"),
            TrustedProxies::default()
        );
    }
}
