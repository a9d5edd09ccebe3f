//! The server address a person types on the first-run screen or the settings page, read the way
//! they mean it and refused where it would put their account at risk.
//!
//! `192.168.1.20:8080` means plain http on the local network (a laptop running the backend at a
//! party, a venue's own box); `theset.example.org` means https. Plain http to anything else is
//! refused: the session's tokens would cross the internet readable by anyone on the path.

use url::{Host, Url};

/// Longest address accepted (a host name is at most 253 characters).
pub const MAX_LEN: usize = 300;

/// Why a typed address was not taken, in words for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    #[error("Type the server's address, for example https://theset.example.org.")]
    Empty,
    #[error("That address is too long.")]
    TooLong,
    #[error("That is not a web address.")]
    NotAnAddress,
    #[error("Only http:// and https:// addresses can be used.")]
    Scheme,
    #[error("Leave the user name and password out of the address.")]
    Credentials,
    #[error("Give the server's address without a path, query or #part.")]
    Path,
    #[error(
        "Use https:// for a server on the internet; plain http:// only reaches this device or \
         your local network."
    )]
    PlainHttpOnInternet,
}

/// The normalised address (`scheme://host[:port]`, no trailing slash) of what was typed.
pub fn parse(typed: &str) -> Result<String, AddressError> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Err(AddressError::Empty);
    }
    if typed.len() > MAX_LEN {
        return Err(AddressError::TooLong);
    }
    let has_scheme = typed.contains("://");
    let url = if has_scheme {
        Url::parse(typed).map_err(|_| AddressError::NotAnAddress)?
    } else {
        // Without a scheme: read the host first, then pick the one its place in the network
        // calls for.
        let probe =
            Url::parse(&format!("http://{typed}")).map_err(|_| AddressError::NotAnAddress)?;
        let scheme = if probe.host().is_some_and(|h| nearby(&h)) {
            "http"
        } else {
            "https"
        };
        Url::parse(&format!("{scheme}://{typed}")).map_err(|_| AddressError::NotAnAddress)?
    };
    if !matches!(url.scheme(), "http" | "https") {
        return Err(AddressError::Scheme);
    }
    let Some(host) = url.host() else {
        return Err(AddressError::NotAnAddress);
    };
    if !url.username().is_empty() || url.password().is_some() {
        return Err(AddressError::Credentials);
    }
    if !matches!(url.path(), "" | "/") || url.query().is_some() || url.fragment().is_some() {
        return Err(AddressError::Path);
    }
    if url.scheme() == "http" && !nearby(&host) {
        return Err(AddressError::PlainHttpOnInternet);
    }
    let mut out = format!("{}://{}", url.scheme(), host);
    if let Some(port) = url.port() {
        out.push_str(&format!(":{port}"));
    }
    Ok(out)
}

/// This device or the local network: loopback and private addresses, `localhost`, and `.local`
/// (mDNS) names.
fn nearby(host: &Host<&str>) -> bool {
    match host {
        Host::Ipv4(ip) => ip.is_loopback() || ip.is_private() || ip.is_link_local(),
        Host::Ipv6(ip) => {
            ip.is_loopback()
                // fc00::/7 (unique local) and fe80::/10 (link-local).
                || (ip.segments()[0] & 0xfe00) == 0xfc00
                || (ip.segments()[0] & 0xffc0) == 0xfe80
        }
        Host::Domain(d) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            d == "localhost" || d.ends_with(".localhost") || d.ends_with(".local")
        }
    }
}

/// Whether `address` (as [`parse`] returns it) is on this device or the local network.
pub fn is_nearby(address: &str) -> bool {
    Url::parse(address)
        .ok()
        .is_some_and(|u| u.host().is_some_and(|h| nearby(&h)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn typed_addresses_are_read_as_meant() {
        let ok = |typed: &str| parse(typed).expect(typed);
        assert_eq!(ok("theset.example.org"), "https://theset.example.org");
        assert_eq!(
            ok(" https://TheSet.Example.org/ "),
            "https://theset.example.org"
        );
        assert_eq!(ok("192.168.1.20:8080"), "http://192.168.1.20:8080");
        assert_eq!(ok("127.0.0.1:8080"), "http://127.0.0.1:8080");
        assert_eq!(ok("http://127.0.0.1:8080/"), "http://127.0.0.1:8080");
        assert_eq!(ok("localhost:8080"), "http://localhost:8080");
        assert_eq!(
            ok("band-laptop.local:8080"),
            "http://band-laptop.local:8080"
        );
        assert_eq!(ok("https://10.0.0.2"), "https://10.0.0.2");
        assert_eq!(ok("[::1]:8080"), "http://[::1]:8080");
        assert_eq!(
            ok("https://theset.example.org:443"),
            "https://theset.example.org"
        );
    }

    #[test]
    fn risky_or_broken_addresses_are_refused_with_a_reason() {
        assert_eq!(parse("  "), Err(AddressError::Empty));
        assert_eq!(
            parse("http://theset.example.org"),
            Err(AddressError::PlainHttpOnInternet)
        );
        assert_eq!(
            parse("http://8.8.8.8:8080"),
            Err(AddressError::PlainHttpOnInternet)
        );
        assert_eq!(parse("ftp://theset.example.org"), Err(AddressError::Scheme));
        assert_eq!(
            parse("javascript:alert(1)"),
            Err(AddressError::NotAnAddress)
        );
        assert_eq!(
            parse("https://me:pw@theset.example.org"),
            Err(AddressError::Credentials)
        );
        assert_eq!(
            parse("https://theset.example.org/api"),
            Err(AddressError::Path)
        );
        assert_eq!(
            parse("https://theset.example.org/?x=1"),
            Err(AddressError::Path)
        );
        assert_eq!(
            parse("https://theset.example.org/#x"),
            Err(AddressError::Path)
        );
        assert_eq!(parse("not an address"), Err(AddressError::NotAnAddress));
        assert_eq!(parse(&"a".repeat(MAX_LEN + 1)), Err(AddressError::TooLong));
    }

    #[test]
    fn nearby_means_this_device_or_the_local_network() {
        assert!(is_nearby("http://127.0.0.1:8080"));
        assert!(is_nearby("http://192.168.1.20:8080"));
        assert!(is_nearby("http://[fd00::1]:8080"));
        assert!(!is_nearby("https://theset.example.org"));
        assert!(!is_nearby("https://8.8.8.8"));
        assert!(is_nearby("http://172.16.0.1"));
        assert!(!is_nearby("http://172.32.0.1"));
    }

    proptest! {
        /// Whatever is typed, an accepted address parses again to itself and never carries
        /// credentials or plain http to the internet.
        #[test]
        fn accepted_addresses_are_stable_and_safe(typed in "\\PC{0,60}") {
            if let Ok(address) = parse(&typed) {
                prop_assert_eq!(parse(&address), Ok(address.clone()));
                let url = Url::parse(&address).expect("accepted addresses parse");
                prop_assert!(url.username().is_empty() && url.password().is_none());
                prop_assert!(url.scheme() == "https" || is_nearby(&address));
            }
        }
    }
}
