//! How visits to the Local Offer are counted without cookies (issue 17): the rules that
//! turn page views into visits, and what a request says about the visitor's device and how
//! they arrived. The method is the one the privacy-first tools publish: a visitor is a
//! keyed hash of site, address and browser (made by the caller, with a salt that never
//! leaves memory), a visit ends after 30 minutes without a page view, a bounce is a visit
//! of one page, and nothing is kept on the visitor's device. The page views of a day are
//! rolled up into that day's figures ([`roll_up`]), and a month's or any range's figures
//! are the sum of its days' ([`Figures`]): every page, paper and measure reads them from
//! here.

use crate::needs::NeedType;
use std::collections::{BTreeMap, HashMap, HashSet};
use time::{Date, Duration, OffsetDateTime, Time};

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
    // The Host header may carry a port; a referrer's host, as read, does not.
    let own = own_host.to_ascii_lowercase();
    let own = own.split(':').next().unwrap_or("");
    if host == own.strip_prefix("www.").unwrap_or(own) {
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

/// One counted page view, as kept for the days before they are rolled up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageView {
    /// The keyed hash of site, address and browser (see the module's notes).
    pub visitor: i64,
    pub at: OffsetDateTime,
    /// The page's path below the Local Offer's address ("" for its home page).
    pub path: String,
    /// The top-level heading the page belongs to, or the kind of page.
    pub section: String,
    pub device: DeviceClass,
    pub source: Source,
}

crate::coded_enum! {
    /// What a dimension of a day's figures is broken down by.
    Dimension {
        /// The day's totals (one row, with an empty item).
        All => ("all", "All visits"),
        /// Visits by the device of their first page view.
        Device => ("device", "Device"),
        /// Visits by where their first page view came from: "kind\tname".
        Source => ("source", "Traffic source"),
        /// Page views by section.
        Section => ("section", "Section"),
        /// Page views by page.
        Page => ("page", "Page"),
    }
}

/// One row of a day's figures: for visits (all, by device, by source) the visits,
/// visitors, bounces and seconds; for sections and pages the page views.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub visits: i64,
    pub visitors: i64,
    pub page_views: i64,
    pub bounces: i64,
    /// Total seconds from first to last page view, over the visits.
    pub seconds: i64,
}

impl Tally {
    pub fn add(&mut self, other: &Tally) {
        self.visits += other.visits;
        self.visitors += other.visitors;
        self.page_views += other.page_views;
        self.bounces += other.bounces;
        self.seconds += other.seconds;
    }

    /// Visits of one page, as a percentage of visits, to one decimal place.
    pub fn bounce_rate(&self) -> Option<f64> {
        (self.visits > 0)
            .then(|| (1000.0 * self.bounces as f64 / self.visits as f64).round() / 10.0)
    }

    /// The mean time from a visit's first page view to its last, bounces included.
    pub fn mean_duration(&self) -> Option<Duration> {
        (self.visits > 0).then(|| Duration::seconds(self.seconds / self.visits))
    }
}

/// The moments whose page views [`roll_up`] needs for `day`: from 30 minutes before it
/// (a visit already running at midnight belongs to the day before) to 30 minutes after
/// (a visit running past midnight ends on the next day).
pub fn views_needed_for(day: Date) -> (OffsetDateTime, OffsetDateTime) {
    let start = day.with_time(Time::MIDNIGHT).assume_utc();
    (
        start - VISIT_ENDS_AFTER,
        start + Duration::DAY + VISIT_ENDS_AFTER,
    )
}

/// Whether a day's page views are all in, so it can be rolled up for good: the last visit
/// that could start on it has ended.
pub fn day_is_over(day: Date, now: OffsetDateTime) -> bool {
    now >= views_needed_for(day).1
}

/// A day's figures from the page views around it (see [`views_needed_for`]): the visits
/// that started on `day` (UTC), with their device and source those of their first page
/// view, and the day's page views by section and page. A visitor counts once a day;
/// visitors are not added up across days, since their key changes every day.
pub fn roll_up(day: Date, views: &[PageView]) -> Vec<(Dimension, String, Tally)> {
    let mut sorted: Vec<&PageView> = views.iter().collect();
    sorted.sort_by(|a, b| a.visitor.cmp(&b.visitor).then(a.at.cmp(&b.at)));
    let keyed: Vec<(i64, OffsetDateTime)> = sorted.iter().map(|v| (v.visitor, v.at)).collect();
    // A visit's first page view, by visitor and moment: the earliest kept where two
    // share a moment.
    let mut first: HashMap<(i64, OffsetDateTime), &PageView> = HashMap::new();
    for v in &sorted {
        first.entry((v.visitor, v.at)).or_insert(v);
    }
    let mut rows: BTreeMap<(Dimension, String), Tally> = BTreeMap::new();
    let mut visitors: HashMap<(Dimension, String), HashSet<i64>> = HashMap::new();
    for visit in visits(&keyed) {
        if visit.start.date() != day {
            continue;
        }
        let Some(view) = first.get(&(visit.visitor, visit.start)) else {
            continue;
        };
        let tally = Tally {
            visits: 1,
            visitors: 0,
            page_views: i64::from(visit.views),
            bounces: i64::from(visit.bounced()),
            seconds: visit.duration().whole_seconds(),
        };
        for key in [
            (Dimension::All, String::new()),
            (Dimension::Device, view.device.code().to_owned()),
            (
                Dimension::Source,
                format!("{}\t{}", view.source.kind.code(), view.source.name),
            ),
        ] {
            rows.entry(key.clone()).or_default().add(&tally);
            visitors.entry(key).or_default().insert(visit.visitor);
        }
    }
    for view in sorted.iter().filter(|v| v.at.date() == day) {
        for key in [
            (Dimension::Section, view.section.clone()),
            (Dimension::Page, view.path.clone()),
        ] {
            rows.entry(key.clone()).or_default().page_views += 1;
            visitors.entry(key).or_default().insert(view.visitor);
        }
    }
    rows.entry((Dimension::All, String::new())).or_default();
    rows.into_iter()
        .map(|(key, mut tally)| {
            tally.visitors = visitors.get(&key).map_or(0, |v| v.len() as i64);
            (key.0, key.1, tally)
        })
        .collect()
}

/// The figures of a month or any range of days: the sum of its days' rows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    pub totals: Tally,
    pub devices: BTreeMap<DeviceClass, Tally>,
    /// Visits by source, most first.
    pub sources: Vec<(Source, Tally)>,
    /// Page views by section, most first.
    pub sections: Vec<(String, i64)>,
    /// Page views by page, most first.
    pub pages: Vec<(String, i64)>,
}

impl Figures {
    /// Adds up rows of daily figures (dimension, item and tally, from any number of days).
    pub fn of<'a>(rows: impl IntoIterator<Item = (Dimension, &'a str, &'a Tally)>) -> Figures {
        let mut f = Figures::default();
        let mut sources: HashMap<(SourceKind, String), Tally> = HashMap::new();
        let mut sections: HashMap<String, i64> = HashMap::new();
        let mut pages: HashMap<String, i64> = HashMap::new();
        for (dimension, item, tally) in rows {
            match dimension {
                Dimension::All => f.totals.add(tally),
                Dimension::Device => {
                    if let Some(d) = DeviceClass::from_code(item) {
                        f.devices.entry(d).or_default().add(tally);
                    }
                }
                Dimension::Source => {
                    let (kind, name) = item.split_once('\t').unwrap_or((item, ""));
                    if let Some(kind) = SourceKind::from_code(kind) {
                        sources
                            .entry((kind, name.to_owned()))
                            .or_default()
                            .add(tally);
                    }
                }
                Dimension::Section => {
                    *sections.entry(item.to_owned()).or_default() += tally.page_views
                }
                Dimension::Page => *pages.entry(item.to_owned()).or_default() += tally.page_views,
            }
        }
        f.sources = sources
            .into_iter()
            .map(|((kind, name), t)| (Source { kind, name }, t))
            .collect();
        f.sources
            .sort_by(|a, b| b.1.visits.cmp(&a.1.visits).then(a.0.name.cmp(&b.0.name)));
        f.sections = most_first(sections);
        f.pages = most_first(pages);
        f
    }

    /// Visits by kind of source, in the order the kinds are listed.
    pub fn source_kinds(&self) -> Vec<(SourceKind, i64)> {
        SourceKind::ALL
            .iter()
            .map(|k| {
                (
                    *k,
                    self.sources
                        .iter()
                        .filter(|(s, _)| s.kind == *k)
                        .map(|(_, t)| t.visits)
                        .sum(),
                )
            })
            .collect()
    }

    /// Visits on `device`.
    pub fn visits_on(&self, device: DeviceClass) -> i64 {
        self.devices.get(&device).map_or(0, |t| t.visits)
    }
}

fn most_first(counts: HashMap<String, i64>) -> Vec<(String, i64)> {
    let mut list: Vec<(String, i64)> = counts.into_iter().collect();
    list.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    list
}

/// A change from one period to another, as a percentage of the earlier; `None` when the
/// earlier had nothing to compare with.
pub fn change(now: f64, before: f64) -> Option<f64> {
    (before != 0.0).then(|| (1000.0 * (now - before) / before).round() / 10.0)
}

/// A counted page's name for people, from its path below the Local Offer's address;
/// `name_of` names a service or category by its key (`None` once it has gone).
pub fn page_name(path: &str, name_of: impl Fn(&str) -> Option<String>) -> String {
    if let Some(key) = path.strip_prefix("/services/") {
        return name_of(key).unwrap_or_else(|| "A service no longer listed".to_owned());
    }
    if let Some(key) = path.strip_prefix("/categories/") {
        return match name_of(key) {
            Some(name) => format!("Category: {name}"),
            None => "A category no longer listed".to_owned(),
        };
    }
    match path {
        "" => "Home page",
        "/search" => "Search results",
        "/shortlist" => "Shortlist",
        "/you-said-we-did" => "You said, we did",
        "/privacy" => "Privacy notice",
        other => other,
    }
    .to_owned()
}

/// The key a page's path names a service or category by, if it does.
pub fn key_in(path: &str) -> Option<&str> {
    path.strip_prefix("/services/")
        .or_else(|| path.strip_prefix("/categories/"))
}

crate::coded_enum! {
    /// The age bands searches are grouped by (the SEN2 return's, so unmet need and
    /// casework can be set side by side).
    AgeBand {
        UnderFive => ("0-4", "Under 5"),
        FiveToTen => ("5-10", "5 to 10"),
        ElevenToFifteen => ("11-15", "11 to 15"),
        SixteenToNineteen => ("16-19", "16 to 19"),
        TwentyToTwentyFive => ("20-25", "20 to 25"),
    }
}

impl AgeBand {
    pub fn of(age: f32) -> Option<AgeBand> {
        Some(match age {
            a if (0.0..5.0).contains(&a) => AgeBand::UnderFive,
            a if (5.0..11.0).contains(&a) => AgeBand::FiveToTen,
            a if (11.0..16.0).contains(&a) => AgeBand::ElevenToFifteen,
            a if (16.0..20.0).contains(&a) => AgeBand::SixteenToNineteen,
            a if (20.0..=25.0).contains(&a) => AgeBand::TwentyToTwentyFive,
            _ => return None,
        })
    }
}

/// One search as it is kept: the words written one way, the filters used, and how many
/// services it found. Nothing says who searched.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchMade {
    pub at: OffsetDateTime,
    pub words: String,
    pub age_band: Option<AgeBand>,
    pub need: Option<NeedType>,
    /// The category's name, if one was chosen.
    pub category: String,
    /// The other filters, in words ("free only; open on Saturday; within 5 miles").
    pub other_filters: String,
    pub results: usize,
}

/// Search words written one way, so the same search is grouped together: lower case,
/// single spaces, no punctuation at either end, at most 100 characters.
pub fn normalise_words(words: &str) -> String {
    words
        .split_whitespace()
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(100)
        .collect()
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
            source(
                Some("http://127.0.0.1:8080/local-offer/w"),
                None,
                "127.0.0.1:8080"
            )
            .kind,
            SourceKind::Direct,
            "a Host header with a port"
        );
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

    fn view(
        visitor: i64,
        at: OffsetDateTime,
        path: &str,
        device: DeviceClass,
        kind: SourceKind,
    ) -> PageView {
        PageView {
            visitor,
            at,
            path: path.into(),
            section: if path.is_empty() {
                "Home".into()
            } else {
                "Health".into()
            },
            device,
            source: Source {
                kind,
                name: if kind == SourceKind::Direct {
                    String::new()
                } else {
                    "google.co.uk".into()
                },
            },
        }
    }

    #[test]
    fn a_day_is_rolled_up_from_the_visits_that_started_on_it() {
        use DeviceClass::*;
        use SourceKind::*;
        let day = time::macros::date!(2026 - 12 - 04);
        let at = |h: i64, m: i64| {
            day.midnight().assume_utc() + Duration::hours(h) + Duration::minutes(m)
        };
        let views = vec![
            // Started the day before: not this day's visit, though its page views are.
            view(1, at(0, -10), "", Desktop, Direct),
            view(1, at(0, 5), "/services/a", Desktop, Direct),
            // A phone visit from a search engine: 3 pages over 10 minutes.
            view(2, at(9, 0), "", Mobile, Search),
            view(2, at(9, 4), "/search", Mobile, Direct),
            view(2, at(9, 10), "/services/a", Mobile, Direct),
            // The same phone again after an hour: a second visit, a bounce.
            view(2, at(10, 30), "", Mobile, Direct),
            // A desktop bounce starting before midnight, running past: counted today.
            view(3, at(23, 50), "/services/a", Desktop, Direct),
            view(3, at(24, 10), "", Desktop, Direct),
        ];
        assert_eq!(views_needed_for(day).0, at(0, -30));
        assert!(!day_is_over(day, at(24, 29)) && day_is_over(day, at(24, 30)));
        let rows = roll_up(day, &views);
        let find = |d: Dimension, item: &str| {
            rows.iter()
                .find(|(dd, i, _)| *dd == d && i == item)
                .map(|(_, _, t)| t.clone())
                .unwrap_or_default()
        };
        let all = find(Dimension::All, "");
        assert_eq!(
            (all.visits, all.visitors, all.page_views, all.bounces),
            (3, 2, 6, 1)
        );
        assert_eq!(all.seconds, 600 + 20 * 60);
        assert_eq!(find(Dimension::Device, "mobile").visits, 2);
        assert_eq!(find(Dimension::Device, "desktop").visits, 1);
        assert_eq!(find(Dimension::Source, "search\tgoogle.co.uk").visits, 1);
        assert_eq!(find(Dimension::Source, "direct\t").visits, 2);
        assert_eq!(
            find(Dimension::Page, "/services/a").page_views,
            3,
            "views on the day only"
        );
        assert_eq!(find(Dimension::Section, "Home").page_views, 2);

        let figures = Figures::of(rows.iter().map(|(d, i, t)| (*d, i.as_str(), t)));
        assert_eq!(figures.totals.bounce_rate(), Some(33.3));
        assert_eq!(figures.totals.mean_duration(), Some(Duration::seconds(600)));
        assert_eq!(figures.visits_on(Mobile), 2);
        assert_eq!(figures.source_kinds()[0], (SourceKind::Direct, 2));
        assert_eq!(figures.pages[0], ("/services/a".to_owned(), 3));
        assert_eq!(change(150.0, 100.0), Some(50.0));
        assert_eq!(change(1.0, 0.0), None);
        let empty = roll_up(day, &[]);
        assert_eq!(
            empty.len(),
            1,
            "a day without visits still has its totals row"
        );
    }

    #[test]
    fn pages_are_named_for_people() {
        let names = |k: &str| (k == "k1").then(|| "Swim club".to_owned());
        assert_eq!(page_name("/services/k1", names), "Swim club");
        assert_eq!(page_name("/categories/k1", names), "Category: Swim club");
        assert_eq!(
            page_name("/services/gone", names),
            "A service no longer listed"
        );
        assert_eq!(page_name("", names), "Home page");
        assert_eq!(key_in("/services/k1"), Some("k1"));
        assert_eq!(key_in("/search"), None);
    }

    #[test]
    fn searches_are_grouped_by_their_words_and_age_band() {
        assert_eq!(normalise_words("  Speech   Therapy! "), "speech therapy");
        assert_eq!(AgeBand::of(4.9), Some(AgeBand::UnderFive));
        assert_eq!(AgeBand::of(16.0), Some(AgeBand::SixteenToNineteen));
        assert_eq!(AgeBand::of(26.0), None);
    }
}
