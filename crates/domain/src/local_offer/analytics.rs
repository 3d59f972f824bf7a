//! How visits to the Local Offer are counted without cookies (issue 17): the rules that
//! turn page views into visits, and what a request says about the visitor's device and how
//! they arrived. The method is the one the privacy-first tools publish: a visitor is a
//! keyed hash of site, address and browser (made by the caller, with a salt that never
//! leaves memory), a visit ends after 30 minutes without a page view, a bounce is a visit
//! of one page, and nothing is kept on the visitor's device. These rules are pure; nothing
//! calls them yet.

use time::{Duration, OffsetDateTime};

/// A visit ends after this long without a page view.
pub const VISIT_ENDS_AFTER: Duration = Duration::minutes(30);

crate::coded_enum! {
    /// The kind of device a page was viewed on, from its User-Agent.
    DeviceClass {
        Desktop => ("desktop", "Desktop"),
        Mobile => ("mobile", "Mobile"),
        Tablet => ("tablet", "Tablet"),
    }
}

crate::coded_enum! {
    /// How a visitor arrived.
    SourceKind {
        /// No referrer, or one from the Local Offer itself.
        Direct => ("direct", "Direct"),
        /// A search engine.
        Search => ("search", "Search engine"),
        /// A social network.
        Social => ("social", "Social media"),
        /// A campaign link (`utm_source`).
        Campaign => ("campaign", "Campaign"),
        /// Any other site.
        OtherSite => ("other_site", "Other website"),
    }
}

/// Where a visit came from: its kind and, except for direct visits, the name it goes by
/// (the search engine's or site's host, or the campaign).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub kind: SourceKind,
    pub name: String,
}

/// The device a User-Agent describes. Tablets first: an iPad or an Android tablet says
/// neither "Mobile" nor "iPhone".
pub fn device_class(user_agent: &str) -> DeviceClass {
    let ua = user_agent.to_ascii_lowercase();
    if ua.contains("ipad")
        || ua.contains("tablet")
        || (ua.contains("android") && !ua.contains("mobile"))
    {
        DeviceClass::Tablet
    } else if ua.contains("mobi") || ua.contains("iphone") || ua.contains("ipod") {
        DeviceClass::Mobile
    } else {
        DeviceClass::Desktop
    }
}

/// Whether a User-Agent is a robot (a crawler, a monitor, a script), which is not counted.
pub fn is_robot(user_agent: &str) -> bool {
    let ua = user_agent.to_ascii_lowercase();
    ua.trim().is_empty()
        || [
            "bot",
            "crawl",
            "spider",
            "slurp",
            "curl",
            "wget",
            "python",
            "httpclient",
            "java/",
            "go-http",
            "headless",
            "monitor",
            "lighthouse",
            "preview",
            "fetch",
        ]
        .iter()
        .any(|word| ua.contains(word))
}

/// Whether the visitor asked not to be tracked (`DNT: 1` or `Sec-GPC: 1`): such views are
/// not counted at all.
pub fn asked_not_to_be_counted(dnt: Option<&str>, sec_gpc: Option<&str>) -> bool {
    [dnt, sec_gpc]
        .into_iter()
        .flatten()
        .any(|v| v.trim() == "1")
}

const SEARCH_ENGINES: [&str; 7] = [
    "google.",
    "bing.com",
    "duckduckgo.com",
    "yahoo.",
    "ecosia.org",
    "baidu.com",
    "yandex.",
];
const SOCIAL_SITES: [&str; 10] = [
    "facebook.com",
    "fb.me",
    "instagram.com",
    "twitter.com",
    "t.co",
    "x.com",
    "linkedin.com",
    "reddit.com",
    "tiktok.com",
    "whatsapp.com",
];

/// The host of an address, lower case, without a leading `www.`.
fn host_of(address: &str) -> Option<String> {
    let rest = address.split_once("://")?.1;
    let host = rest.split(['/', '?', '#']).next()?;
    let host = host
        .rsplit('@')
        .next()?
        .split(':')
        .next()?
        .to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host).to_owned();
    (!host.is_empty()).then_some(host)
}

fn is_or_under(host: &str, site: &str) -> bool {
    if site.ends_with('.') {
        // "google." matches google.com, google.co.uk and their subdomains.
        host.starts_with(site) || host.contains(&format!(".{site}"))
    } else {
        host == site || host.ends_with(&format!(".{site}"))
    }
}

/// Where a view came from: a campaign if the address names one (`utm_source`), else its
/// referrer's site, else direct. A referrer on `own_host` (moving between the Local
/// Offer's own pages) is direct.
pub fn source(referrer: Option<&str>, utm_source: Option<&str>, own_host: &str) -> Source {
    if let Some(campaign) = utm_source.map(str::trim).filter(|c| !c.is_empty()) {
        return Source {
            kind: SourceKind::Campaign,
            name: campaign.chars().take(60).collect(),
        };
    }
    let direct = Source {
        kind: SourceKind::Direct,
        name: String::new(),
    };
    let Some(host) = referrer.and_then(host_of) else {
        return direct;
    };
    let own = own_host.to_ascii_lowercase();
    if host == own.strip_prefix("www.").unwrap_or(&own) {
        return direct;
    }
    let kind = if SEARCH_ENGINES.iter().any(|s| is_or_under(&host, s)) {
        SourceKind::Search
    } else if SOCIAL_SITES.iter().any(|s| is_or_under(&host, s)) {
        SourceKind::Social
    } else {
        SourceKind::OtherSite
    };
    Source { kind, name: host }
}

/// One visit: a visitor's page views with no gap of [`VISIT_ENDS_AFTER`] or more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visit<K> {
    pub visitor: K,
    pub start: OffsetDateTime,
    pub end: OffsetDateTime,
    pub views: u32,
}

impl<K> Visit<K> {
    /// A visit of one page view.
    pub fn bounced(&self) -> bool {
        self.views == 1
    }

    /// From the first page view to the last (zero for a bounce).
    pub fn duration(&self) -> Duration {
        self.end - self.start
    }
}

/// The visits `views` (visitor and when, in any order) make.
pub fn visits<K: Clone + Ord>(views: &[(K, OffsetDateTime)]) -> Vec<Visit<K>> {
    let mut sorted: Vec<&(K, OffsetDateTime)> = views.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut visits: Vec<Visit<K>> = Vec::new();
    for (visitor, at) in sorted {
        match visits.last_mut() {
            Some(v) if v.visitor == *visitor && *at - v.end < VISIT_ENDS_AFTER => {
                v.end = *at;
                v.views += 1;
            }
            _ => visits.push(Visit {
                visitor: visitor.clone(),
                start: *at,
                end: *at,
                views: 1,
            }),
        }
    }
    visits.sort_by_key(|v| v.start);
    visits
}

/// What a set of visits adds up to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VisitSummary {
    pub visits: usize,
    pub unique_visitors: usize,
    pub page_views: u64,
    /// Visits of one page, as a percentage of visits; `None` without visits.
    pub bounce_rate: Option<f64>,
    /// The mean time from a visit's first page view to its last, bounces included.
    pub mean_duration: Option<Duration>,
}

/// The totals of `visits`.
pub fn summarise<K: Ord>(visits: &[Visit<K>]) -> VisitSummary {
    let mut visitors: Vec<&K> = visits.iter().map(|v| &v.visitor).collect();
    visitors.sort();
    visitors.dedup();
    let n = visits.len();
    let total: Duration = visits.iter().map(Visit::duration).sum();
    VisitSummary {
        visits: n,
        unique_visitors: visitors.len(),
        page_views: visits.iter().map(|v| u64::from(v.views)).sum(),
        bounce_rate: (n > 0)
            .then(|| 100.0 * visits.iter().filter(|v| v.bounced()).count() as f64 / n as f64),
        mean_duration: (n > 0).then(|| total / n as u32),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn devices_are_told_apart_by_their_user_agents() {
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148";
        let android_phone = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36";
        let android_tablet = "Mozilla/5.0 (Linux; Android 13; SM-X200) AppleWebKit/537.36 Chrome/120.0 Safari/537.36";
        let ipad =
            "Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148";
        let windows = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36";
        assert_eq!(device_class(iphone), DeviceClass::Mobile);
        assert_eq!(device_class(android_phone), DeviceClass::Mobile);
        assert_eq!(device_class(android_tablet), DeviceClass::Tablet);
        assert_eq!(device_class(ipad), DeviceClass::Tablet);
        assert_eq!(device_class(windows), DeviceClass::Desktop);
        assert!(!is_robot(windows) && !is_robot(iphone));
        assert!(is_robot(
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
        ));
        assert!(is_robot("curl/8.5.0") && is_robot("") && is_robot("HeadlessChrome/120"));
    }

    #[test]
    fn a_visitor_who_asks_not_to_be_tracked_is_not_counted() {
        assert!(asked_not_to_be_counted(Some("1"), None));
        assert!(asked_not_to_be_counted(None, Some("1")));
        assert!(!asked_not_to_be_counted(Some("0"), None));
        assert!(!asked_not_to_be_counted(None, None));
    }

    #[test]
    fn where_a_visit_came_from_is_read_from_its_referrer_or_campaign() {
        let own = "send.wolverhampton.gov.uk";
        let kind = |r: Option<&str>, utm: Option<&str>| source(r, utm, own);
        assert_eq!(kind(None, None).kind, SourceKind::Direct);
        assert_eq!(
            kind(
                Some("https://send.wolverhampton.gov.uk/local-offer/x"),
                None
            )
            .kind,
            SourceKind::Direct,
            "moving between its own pages"
        );
        let google = kind(Some("https://www.google.co.uk/"), None);
        assert_eq!(
            (google.kind, google.name.as_str()),
            (SourceKind::Search, "google.co.uk")
        );
        assert_eq!(
            kind(Some("https://duckduckgo.com/?q=x"), None).kind,
            SourceKind::Search
        );
        assert_eq!(
            kind(Some("https://l.facebook.com/l.php"), None).kind,
            SourceKind::Social
        );
        assert_eq!(
            kind(Some("https://t.co/abc"), None).kind,
            SourceKind::Social
        );
        let school = kind(Some("https://www.stpauls.wolverhampton.sch.uk/send"), None);
        assert_eq!(
            (school.kind, school.name.as_str()),
            (SourceKind::OtherSite, "stpauls.wolverhampton.sch.uk")
        );
        assert_eq!(
            kind(Some("https://www.google.com/"), Some("newsletter")).kind,
            SourceKind::Campaign,
            "a campaign says more than its referrer"
        );
        assert_eq!(kind(Some("not an address"), None).kind, SourceKind::Direct);
        assert_eq!(
            kind(Some("https://notgoogle.example/"), None).kind,
            SourceKind::OtherSite
        );
    }

    #[test]
    fn a_visit_ends_after_thirty_minutes_without_a_page_view() {
        let at = |h: u8, m: u8| {
            datetime!(2026-12-04 00:00 UTC)
                + Duration::hours(h.into())
                + Duration::minutes(m.into())
        };
        let views = vec![
            ("a", at(9, 0)),
            ("b", at(9, 5)),
            ("a", at(9, 10)),
            ("a", at(9, 39)),
            ("a", at(10, 9)), // exactly 30 minutes after: a new visit
            ("c", at(11, 0)),
        ];
        let found = visits(&views);
        assert_eq!(
            found
                .iter()
                .map(|v| (v.visitor, v.views, v.duration().whole_minutes()))
                .collect::<Vec<_>>(),
            vec![("a", 3, 39), ("b", 1, 0), ("a", 1, 0), ("c", 1, 0)]
        );
        let summary = summarise(&found);
        assert_eq!(summary.visits, 4);
        assert_eq!(summary.unique_visitors, 3);
        assert_eq!(summary.page_views, 6);
        assert_eq!(summary.bounce_rate, Some(75.0));
        assert_eq!(
            summary.mean_duration.map(|d| d.whole_seconds()),
            Some(39 * 60 / 4)
        );
        assert_eq!(summarise::<&str>(&[]).bounce_rate, None);
    }
}
