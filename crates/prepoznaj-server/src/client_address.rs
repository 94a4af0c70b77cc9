//! Which address a request comes from, for the per-client limits. Behind a reverse proxy
//! every connection comes from the proxy, so the proxy's own headers (`Forwarded`, RFC 7239,
//! else `X-Forwarded-For`) name the client; but anyone can send those headers, so they are
//! read only when the connection comes from a proxy the operator trusts
//! (`--trusted-proxy <CIDR>`, repeatable). Otherwise they are ignored and the connection's
//! address counts.
//!
//! The chain is read from the right (the hop nearest this server) leftwards, past every
//! trusted proxy; the first address that is not a trusted proxy is the client. A hop that
//! cannot be read (`unknown`, an obfuscated name, garbage) ends the walk at the last trusted
//! hop, so a forged or broken header can only make clients share a limit, never escape it.

use std::{
    fmt,
    net::{IpAddr, Ipv6Addr},
    str::FromStr,
};

use axum::http::{HeaderMap, header::FORWARDED};

/// One block of addresses: `10.0.0.0/8`, `2001:db8::/32`, or one address (`192.0.2.1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

/// Why a `--trusted-proxy` value is not a block of addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CidrError(String);

impl fmt::Display for CidrError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} is not an address or a block of addresses: write it like 10.0.0.0/8, 192.0.2.1 or fd00::/8",
            self.0
        )
    }
}

impl std::error::Error for CidrError {}

impl FromStr for Cidr {
    type Err = CidrError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let refused = || CidrError(text.to_owned());
        let (address, prefix) = match text.trim().split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text.trim(), None),
        };
        let network = canonical(address.parse::<IpAddr>().map_err(|_| refused())?);
        let bits = bits_of(network);
        let prefix = match prefix {
            Some(prefix) if prefix.bytes().all(|byte| byte.is_ascii_digit()) => {
                prefix.parse::<u8>().map_err(|_| refused())?
            }
            Some(_) => return Err(refused()),
            None => bits,
        };
        if prefix > bits {
            return Err(refused());
        }
        Ok(Self { network, prefix })
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

impl Cidr {
    /// Whether `address` is in this block (an IPv4 address written as IPv6, `::ffff:a.b.c.d`,
    /// counts as the IPv4 address).
    #[must_use]
    pub fn contains(&self, address: IpAddr) -> bool {
        let address = canonical(address);
        let (network, address) = match (self.network, address) {
            (IpAddr::V4(network), IpAddr::V4(address)) => {
                (u128::from(network.to_bits()), u128::from(address.to_bits()))
            }
            (IpAddr::V6(network), IpAddr::V6(address)) => (network.to_bits(), address.to_bits()),
            _ => return false,
        };
        let shift = u32::from(bits_of(self.network) - self.prefix);
        network.checked_shr(shift).unwrap_or(0) == address.checked_shr(shift).unwrap_or(0)
    }
}

fn bits_of(address: IpAddr) -> u8 {
    match address {
        IpAddr::V4(_) => 32,
        IpAddr::V6(_) => 128,
    }
}

/// An IPv4 address written as IPv6 (`::ffff:a.b.c.d`) as the IPv4 address it is.
fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

/// The proxies whose forwarding headers are believed (none unless the operator says).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<Cidr>);

impl TrustedProxies {
    #[must_use]
    pub fn new(blocks: Vec<Cidr>) -> Self {
        Self(blocks)
    }

    fn trusts(&self, address: IpAddr) -> bool {
        self.0.iter().any(|block| block.contains(address))
    }

    /// The client's address of a request that came on a connection from `peer` with
    /// `headers` (see the module's rules).
    #[must_use]
    pub fn client_address(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let mut client = canonical(peer);
        if !self.trusts(client) {
            return client;
        }
        let hops = forwarded_hops(headers).unwrap_or_default();
        for hop in hops.iter().rev() {
            let Some(address) = hop else {
                return client;
            };
            client = canonical(*address);
            if !self.trusts(client) {
                return client;
            }
        }
        client
    }
}

/// The hops a proxy chain recorded, leftmost (the original client) first; `None` for a hop
/// that names no address. `Forwarded` wins over `X-Forwarded-For`; no header is `None`.
fn forwarded_hops(headers: &HeaderMap) -> Option<Vec<Option<IpAddr>>> {
    let forwarded: Vec<&str> = headers
        .get_all(FORWARDED)
        .iter()
        .map(|value| value.to_str().unwrap_or("unknown"))
        .collect();
    if !forwarded.is_empty() {
        return Some(
            forwarded
                .iter()
                .flat_map(|value| value.split(','))
                .map(forwarded_for)
                .collect(),
        );
    }
    let x_forwarded_for: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .map(|value| value.to_str().unwrap_or("unknown"))
        .collect();
    if x_forwarded_for.is_empty() {
        return None;
    }
    Some(
        x_forwarded_for
            .iter()
            .flat_map(|value| value.split(','))
            .map(|hop| address_of(hop.trim()))
            .collect(),
    )
}

/// The `for=` address of one `Forwarded` element (`for=192.0.2.60;proto=https`,
/// `for="[2001:db8::1]:4711"`).
fn forwarded_for(element: &str) -> Option<IpAddr> {
    element.split(';').find_map(|pair| {
        let (name, value) = pair.trim().split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("for")
            .then(|| address_of(value.trim().trim_matches('"')))
            .flatten()
    })
}

/// An address as a hop writes it: `192.0.2.1`, `192.0.2.1:4711`, `2001:db8::1`,
/// `[2001:db8::1]:4711`.
fn address_of(text: &str) -> Option<IpAddr> {
    if let Ok(address) = text.parse::<IpAddr>() {
        return Some(address);
    }
    if let Some(rest) = text.strip_prefix('[') {
        let (inside, _port) = rest.split_once(']')?;
        return inside.parse::<Ipv6Addr>().ok().map(IpAddr::V6);
    }
    let (address, port) = text.rsplit_once(':')?;
    port.parse::<u16>().ok()?;
    address.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test assertions")]

    use super::*;
    use axum::http::HeaderValue;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn proxies(blocks: &[&str]) -> TrustedProxies {
        TrustedProxies::new(blocks.iter().map(|block| block.parse().unwrap()).collect())
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn blocks_parse_contain_and_refuse_what_is_not_one() {
        let private = "10.0.0.0/8".parse::<Cidr>().unwrap();
        assert!(private.contains(ip("10.255.0.1")));
        assert!(!private.contains(ip("11.0.0.1")));
        assert!(
            private.contains(ip("::ffff:10.1.2.3")),
            "IPv4 written as IPv6"
        );
        assert!(!private.contains(ip("fd00::1")));
        let one = "192.0.2.1".parse::<Cidr>().unwrap();
        assert_eq!(one.to_string(), "192.0.2.1/32");
        assert!(one.contains(ip("192.0.2.1")) && !one.contains(ip("192.0.2.2")));
        let v6 = "fd00::/8".parse::<Cidr>().unwrap();
        assert!(v6.contains(ip("fdff::1")) && !v6.contains(ip("fe80::1")));
        let everything = "0.0.0.0/0".parse::<Cidr>().unwrap();
        assert!(everything.contains(ip("203.0.113.9")));
        for refused in [
            "10.0.0.0/33",
            "fd00::/129",
            "10.0.0/8",
            "10.0.0.0/",
            "10.0.0.0/+8",
            "proxy",
            "",
        ] {
            assert!(refused.parse::<Cidr>().is_err(), "{refused}");
        }
    }

    #[test]
    fn headers_from_a_connection_that_is_not_a_trusted_proxy_are_ignored() {
        let sent = headers(&[
            ("x-forwarded-for", "198.51.100.7"),
            ("forwarded", "for=198.51.100.8"),
        ]);
        assert_eq!(
            proxies(&[]).client_address(ip("203.0.113.1"), &sent),
            ip("203.0.113.1")
        );
        assert_eq!(
            proxies(&["10.0.0.0/8"]).client_address(ip("203.0.113.1"), &sent),
            ip("203.0.113.1")
        );
    }

    #[test]
    fn behind_trusted_proxies_the_first_untrusted_hop_from_the_right_is_the_client() {
        let trusted = proxies(&["10.0.0.0/8"]);
        let peer = ip("10.0.0.2");
        // A client's own forged entry on the left does not count: the proxy appended the
        // address it saw.
        let chain = headers(&[("x-forwarded-for", "1.2.3.4, 198.51.100.7, 10.0.0.5")]);
        assert_eq!(trusted.client_address(peer, &chain), ip("198.51.100.7"));
        let two_headers = headers(&[
            ("x-forwarded-for", "1.2.3.4"),
            ("x-forwarded-for", "198.51.100.9"),
        ]);
        assert_eq!(
            trusted.client_address(peer, &two_headers),
            ip("198.51.100.9")
        );
        // `Forwarded` wins, with quotes, ports and IPv6 in brackets.
        let forwarded = headers(&[
            (
                "forwarded",
                "for=192.0.2.43;proto=https, for=\"[2001:db8:cafe::17]:4711\"",
            ),
            ("x-forwarded-for", "198.51.100.7"),
        ]);
        assert_eq!(
            trusted.client_address(peer, &forwarded),
            ip("2001:db8:cafe::17")
        );
        let with_port = headers(&[("x-forwarded-for", "198.51.100.7:5123")]);
        assert_eq!(trusted.client_address(peer, &with_port), ip("198.51.100.7"));
        // No header: the proxy itself.
        assert_eq!(trusted.client_address(peer, &HeaderMap::new()), peer);
    }

    #[test]
    fn an_unreadable_hop_stops_at_the_last_trusted_one() {
        let trusted = proxies(&["10.0.0.0/8"]);
        let peer = ip("10.0.0.2");
        let hidden = headers(&[("forwarded", "for=198.51.100.7, for=unknown")]);
        assert_eq!(trusted.client_address(peer, &hidden), peer);
        let garbage = headers(&[("x-forwarded-for", "198.51.100.7, not-an-address, 10.0.0.9")]);
        assert_eq!(trusted.client_address(peer, &garbage), ip("10.0.0.9"));
        let only_proxies = headers(&[("x-forwarded-for", "10.0.0.7, 10.0.0.9")]);
        assert_eq!(trusted.client_address(peer, &only_proxies), ip("10.0.0.7"));
    }
}
