//! `sendplan local-offer synthetic-use`: made-up use of a Local Offer, for benchmarks and
//! trying the performance page on a copy of the database; never for a live Local Offer,
//! and refused for one that has counted any real use.
//!
//! Seeded, so a run can be repeated exactly. Its shape follows what councils report of
//! their Local Offers: most visits from phones, about half arriving directly and a third
//! from search engines, nearly half leaving after one page, and a few services taking
//! most of the views. Each day's page views are rolled up by the same code as real ones
//! (`domain::local_offer::analytics::roll_up`); the page views and searches of the last
//! month are kept as they would be.

use anyhow::{bail, Result};
use sendplan_domain::local_offer::analytics::{
    roll_up, AgeBand, DeviceClass, PageView, SearchMade, Source, SourceKind,
};
use sendplan_domain::local_offer::coverage::heading_of;
use sendplan_domain::needs::NeedType;
use sendplan_domain::PartnershipId;
use sendplan_interchange::seeded::Seeded;
use sendplan_storage::{Store, VIEWS_KEPT_DAYS};
use time::{Date, Duration};

/// A place in a list of `n`.
fn index(random: &mut Seeded, n: usize) -> usize {
    random.below(n as u64) as usize
}

/// What was made.
pub struct Made {
    pub days: i64,
    pub page_views: u64,
    pub visits: u64,
    pub searches: u64,
}

/// Makes `views` page views over the `days` before `today`.
pub async fn make(
    store: &Store,
    partnership: PartnershipId,
    views: u64,
    days: i64,
    seed: u64,
    today: Date,
) -> Result<Made> {
    let first = today - Duration::days(days);
    if store
        .period_figures(
            partnership,
            sendplan_domain::local_offer::performance::Period {
                from: first - Duration::days(3650),
                to: today,
            },
        )
        .await?
        .figures
        .totals
        .page_views
        > 0
    {
        bail!("this Local Offer has counted use already: synthetic use is only for a copy without any");
    }
    let directory = store.local_offer(partnership).await?;
    if directory.services.is_empty() {
        bail!("this partnership has no Local Offer: import one first");
    }
    // Each service's page and section; a few services take most views (Zipf-like).
    let services: Vec<(String, String)> = directory
        .services
        .iter()
        .map(|s| {
            let section = s
                .terms
                .first()
                .and_then(|t| heading_of(&directory, t))
                .map_or_else(|| "Services".to_owned(), |t| t.name.clone());
            (format!("/services/{}", s.key), section)
        })
        .collect();
    let categories: Vec<(String, String)> = directory
        .terms
        .iter()
        .map(|t| {
            let section =
                heading_of(&directory, &t.key).map_or_else(|| t.name.clone(), |h| h.name.clone());
            (format!("/categories/{}", t.key), section)
        })
        .collect();
    let mut random = Seeded::new(seed);
    let devices = [
        (0.60, DeviceClass::Mobile),
        (0.33, DeviceClass::Desktop),
        (0.07, DeviceClass::Tablet),
    ];
    let sources = [
        (0.50, (SourceKind::Direct, "")),
        (0.27, (SourceKind::Search, "google.co.uk")),
        (0.06, (SourceKind::Search, "bing.com")),
        (0.07, (SourceKind::Social, "facebook.com")),
        (0.03, (SourceKind::Social, "t.co")),
        (0.05, (SourceKind::OtherSite, "wolverhampton.gov.uk")),
        (0.02, (SourceKind::Campaign, "newsletter")),
    ];
    let words = [
        "short breaks",
        "speech therapy",
        "autism support",
        "holiday club",
        "sleep",
        "wheelchair swimming",
        "dyslexia",
        "ehcp",
        "respite",
        "sensory room",
    ];
    let per_day = views as f64 / days as f64;
    let mut made = Made {
        days,
        page_views: 0,
        visits: 0,
        searches: 0,
    };
    let kept_from = today - Duration::days(VIEWS_KEPT_DAYS);
    for d in 0..days {
        let day = first + Duration::days(d);
        // Weekdays busier than weekends, and some days busier than others.
        let weekend = matches!(
            day.weekday(),
            time::Weekday::Saturday | time::Weekday::Sunday
        );
        let target =
            (per_day * if weekend { 0.7 } else { 1.12 } * (0.85 + 0.3 * random.unit())) as u64;
        let mut day_views: Vec<PageView> = Vec::with_capacity(target as usize + 8);
        let mut searches: Vec<(PartnershipId, SearchMade)> = Vec::new();
        while (day_views.len() as u64) < target {
            let visitor = random.next_u64() as i64;
            let device = *random.pick(&devices);
            let (kind, name) = *random.pick(&sources);
            let length = if random.unit() < 0.45 {
                1
            } else {
                2 + index(&mut random, 7)
            };
            // Visits start between 07:00 and 23:00.
            let mut at = day.midnight().assume_utc()
                + Duration::seconds(7 * 3600 + random.below(16 * 3600) as i64);
            for n in 0..length {
                let (path, section) = match (n, random.below(10)) {
                    (0, 0..=4) => (String::new(), "Home page".to_owned()),
                    (_, 0..=1) => {
                        if random.unit() < 0.4 {
                            let found = if random.unit() < 0.08 {
                                0
                            } else {
                                1 + index(&mut random, 40)
                            };
                            searches.push((
                                partnership,
                                SearchMade {
                                    at,
                                    words: words[index(&mut random, words.len())].to_owned(),
                                    age_band: AgeBand::ALL
                                        .get(index(&mut random, AgeBand::ALL.len() + 2))
                                        .copied(),
                                    need: NeedType::ALL
                                        .get(index(&mut random, NeedType::ALL.len() * 2))
                                        .copied(),
                                    category: String::new(),
                                    other_filters: String::new(),
                                    results: found,
                                },
                            ));
                        }
                        ("/search".to_owned(), "Search".to_owned())
                    }
                    (_, 2) if !categories.is_empty() => {
                        categories[index(&mut random, categories.len())].clone()
                    }
                    _ => {
                        let u = random.unit();
                        services[((u * u * u) * services.len() as f64) as usize].clone()
                    }
                };
                day_views.push(PageView {
                    visitor,
                    at,
                    path,
                    section,
                    device,
                    source: Source {
                        kind: if n == 0 { kind } else { SourceKind::Direct },
                        name: if n == 0 {
                            name.to_owned()
                        } else {
                            String::new()
                        },
                    },
                });
                at += Duration::seconds(20 + random.below(160) as i64);
            }
            made.visits += 1;
        }
        made.page_views += day_views.len() as u64;
        made.searches += searches.len() as u64;
        let rows = roll_up(day, &day_views);
        store.keep_day_figures(partnership, day, &rows).await?;
        // The last month's page views are kept as real ones are; searches for 25 months.
        let raw: Vec<(PartnershipId, PageView)> = if day >= kept_from {
            day_views.into_iter().map(|v| (partnership, v)).collect()
        } else {
            Vec::new()
        };
        for chunk in raw.chunks(5_000) {
            store.record_use(chunk, &[]).await?;
        }
        store.record_use(&[], &searches).await?;
    }
    Ok(made)
}
