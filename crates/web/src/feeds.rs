//! Reading an Open Referral UK feed from its address: its `/services?full=true` pages, one
//! after another, until the feed says it is on its last page, within the size limit and
//! [`MAX_PAGES`]. Used by `sendplan local-offer import URL` and by the import page.
//!
//! From the pages, an address is fetched only if it is on the public internet
//! ([`Reach::PublicOnly`]): a signed-in person must not be able to point the server at
//! machines on the network behind it (server-side request forgery). The address is
//! resolved and checked once, the connection is made to exactly the address checked, and
//! redirects are not followed.

use reqwest::Url;
use sendplan_interchange::oruk::{read_json_pages, FeedRead, MAX_FEED_BYTES};
use std::net::{IpAddr, SocketAddr};

/// The most pages read from a feed's address.
pub const MAX_PAGES: usize = 1000;
/// How many services a page is asked for.
const PER_PAGE: usize = 100;

/// Which addresses may be fetched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Any (the command line, run by someone on the machine already).
    Anywhere,
    /// Only addresses on the public internet (the pages).
    PublicOnly,
}

/// The `/services` address of a feed: the address given if it names `/services`, else that
/// under it.
pub fn services_address(feed: &str) -> String {
    let base = feed.split('?').next().unwrap_or(feed).trim_end_matches('/');
    if base.ends_with("/services") {
        base.to_owned()
    } else {
        format!("{base}/services")
    }
}

/// Whether an address is on the public internet: not this machine, a private or shared
/// network, a link-local, multicast, documentation or unspecified address.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_multicast()
                || v4.is_broadcast()
                || v4.is_unspecified()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 192 && b == 0)
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || first == 0x2001 && v6.segments()[1] == 0x0db8)
        }
    }
}

/// A client for `address`: for [`Reach::PublicOnly`], pinned to the one public address
/// the host resolves to and checked, and not following redirects.
async fn client_for(address: &str, reach: Reach) -> Result<reqwest::Client, String> {
    let url = Url::parse(address).map_err(|_| format!("{address} is not a web address"))?;
    if !matches!(url.scheme(), "https" | "http") {
        return Err(format!("{address} is not an https:// or http:// address"));
    }
    let builder = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(60))
        .user_agent(concat!("sendplan/", env!("CARGO_PKG_VERSION")));
    let builder = match reach {
        Reach::Anywhere => builder,
        Reach::PublicOnly => {
            let host = url
                .host_str()
                .ok_or_else(|| format!("{address} has no host"))?
                .to_owned();
            let port = url.port_or_known_default().unwrap_or(443);
            let resolved: Vec<SocketAddr> =
                tokio::net::lookup_host((host.trim_matches(['[', ']']), port))
                    .await
                    .map_err(|_| format!("{host} could not be found"))?
                    .collect();
            let Some(first) = resolved.first() else {
                return Err(format!("{host} could not be found"));
            };
            if resolved.iter().any(|a| !is_public(a.ip())) {
                return Err(format!(
                    "{host} is not on the public internet, so sendplan will not fetch it from the pages (use sendplan local-offer import on the server)"
                ));
            }
            builder
                .resolve(&host, *first)
                .redirect(reqwest::redirect::Policy::none())
        }
    };
    builder.build().map_err(|e| e.to_string())
}

/// Reads the feed at `feed`, page by page; every failure is said in words.
pub async fn fetch_feed(feed: &str, reach: Reach) -> Result<FeedRead, String> {
    let address = services_address(feed);
    let client = client_for(&address, reach).await?;
    let mut pages: Vec<Vec<u8>> = Vec::new();
    let mut total = 0usize;
    for page in 1..=MAX_PAGES {
        let url = format!("{address}?full=true&page={page}&per_page={PER_PAGE}");
        let mut response = client
            .get(&url)
            .header("Accept", "application/json")
            .send()
            .await
            .map_err(|e| format!("{url} could not be reached ({e})"))?;
        if response.status().is_redirection() {
            return Err(format!(
                "{url} sends readers to another address: import from that address instead"
            ));
        }
        if !response.status().is_success() {
            return Err(format!("{url} answered {}", response.status()));
        }
        // Read within the limit, whatever the response says its length is.
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| format!("{url} could not be read ({e})"))?
        {
            total += chunk.len();
            if total > MAX_FEED_BYTES {
                return Err(format!(
                    "the feed is larger than {} MB, the most sendplan reads",
                    MAX_FEED_BYTES / 1024 / 1024
                ));
            }
            body.extend_from_slice(&chunk);
        }
        let envelope: serde_json::Value =
            serde_json::from_slice(&body).map_err(|_| format!("{url} did not answer with JSON"))?;
        let flag = |key: &str| envelope.get(key).and_then(serde_json::Value::as_bool);
        let number = |key: &str| envelope.get(key).and_then(serde_json::Value::as_u64);
        let items = envelope
            .get("contents")
            .or_else(|| envelope.get("content"))
            .and_then(serde_json::Value::as_array)
            .map_or(0, Vec::len);
        let last = flag("last_page").or_else(|| flag("last")).unwrap_or(false)
            || number("total_pages")
                .or_else(|| number("totalPages"))
                .is_some_and(|t| page as u64 >= t)
            || items == 0;
        pages.push(body);
        if last {
            let pages: Vec<&[u8]> = pages.iter().map(Vec::as_slice).collect();
            return read_json_pages(&pages).map_err(|e| e.to_string());
        }
    }
    Err(format!(
        "the feed has more than {MAX_PAGES} pages of {PER_PAGE} services"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_feeds_services_address_is_found_from_what_is_given() {
        for (given, expected) in [
            (
                "https://d.example.org/api",
                "https://d.example.org/api/services",
            ),
            (
                "https://d.example.org/api/",
                "https://d.example.org/api/services",
            ),
            (
                "https://d.example.org/api/services?page=3",
                "https://d.example.org/api/services",
            ),
        ] {
            assert_eq!(services_address(given), expected);
        }
    }

    #[test]
    fn only_public_internet_addresses_are_public() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in ["81.2.69.160", "2a00:1450:4009:81f::200e", "8.8.8.8"] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }

    #[tokio::test]
    async fn the_pages_refuse_an_address_on_this_machine() {
        let refused = fetch_feed("http://127.0.0.1:9/api", Reach::PublicOnly)
            .await
            .unwrap_err();
        assert!(refused.contains("not on the public internet"), "{refused}");
        let refused = fetch_feed("file:///etc/passwd", Reach::PublicOnly)
            .await
            .unwrap_err();
        assert!(refused.contains("https://"), "{refused}");
    }
}
