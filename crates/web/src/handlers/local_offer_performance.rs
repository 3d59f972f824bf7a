//! The Local Offer's website performance page (issue 17), laid out as Wolverhampton's
//! monthly "Website Performance" page: visits, desktop against mobile, visit length,
//! bounce rate, the top 10 sections and pages, and traffic sources, with families'
//! answers and searches, for a month or any range of days, against the previous period
//! and the same period a year before; as CSV too. And the searches that found nothing,
//! for commissioners ("unmet need"). Every member of the partnership can see both: they
//! hold totals only.

use super::imports::download;
use crate::auth::Ctx;
use crate::errors::AppResult;
use crate::pages::html;
use crate::views::Chrome;
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::IntoResponse;
use sendplan_domain::access::Capability;
use sendplan_domain::input::{FieldError, FieldErrors, RawForm};
use sendplan_domain::local_offer::analytics::{key_in, page_name, DeviceClass, SourceKind};
use sendplan_domain::local_offer::performance::{compare, Comparison, Period, PeriodFigures};
use sendplan_domain::PartnershipId;
use time::{Date, Duration, Month, OffsetDateTime};

/// The longest range one page covers.
const MOST_DAYS: i64 = 400;

/// The period the address asks for (`month=2026-11`, or `from` and `to` as YYYY-MM-DD),
/// else the month so far; what could not be read is said.
fn period_asked(form: &RawForm, today: Date) -> (Period, FieldErrors) {
    let mut errors = FieldErrors::default();
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let this_month = Period::month_of(today);
    let month = form.get("month");
    if !month.is_empty() {
        let parsed = month.split_once('-').and_then(|(y, m)| {
            let month = Month::try_from(m.parse::<u8>().ok()?).ok()?;
            Period::month(y.parse().ok()?, month)
        });
        return match parsed {
            Some(p) => (p, errors),
            None => {
                errors.add("month", "Choose a month from the list");
                (this_month, errors)
            }
        };
    }
    let (from, to) = (form.get("from"), form.get("to"));
    if from.is_empty() && to.is_empty() {
        return (this_month, errors);
    }
    let from = Date::parse(from.trim(), format);
    let to = Date::parse(to.trim(), format);
    match (from, to) {
        (Ok(from), Ok(to)) if from > to => {
            errors.add("from", "The first day must be on or before the last day")
        }
        (Ok(from), Ok(to)) if (to - from).whole_days() >= MOST_DAYS => {
            errors.add("from", format!("Choose at most {MOST_DAYS} days"))
        }
        (Ok(from), Ok(to)) => return (Period { from, to }, errors),
        (Err(_), _) => errors.add("from", "Enter the first day as a date, like 2026-11-01"),
        (_, Err(_)) => errors.add("to", "Enter the last day as a date, like 2026-11-30"),
    }
    (this_month, errors)
}

/// A share of the largest, for a bar's width (in whole percent, at least 1 for anything).
fn bar(value: i64, largest: i64) -> u32 {
    if largest <= 0 || value <= 0 {
        0
    } else {
        ((100 * value + largest - 1) / largest).clamp(1, 100) as u32
    }
}

/// One line of the key figures table.
pub struct FigureRow {
    pub label: &'static str,
    pub now: String,
    pub base: String,
    pub previous: String,
    pub change: String,
    pub year_before: String,
    pub year_change: String,
}

/// A named count with a bar.
pub struct BarRow {
    pub label: String,
    pub count: i64,
    pub share: String,
    pub width: u32,
}

/// A table of named counts with bars: devices, sections, pages, sources.
pub struct Breakdown {
    pub heading: &'static str,
    pub first: &'static str,
    pub counted: &'static str,
    pub rows: Vec<BarRow>,
}

#[derive(Template)]
#[template(path = "local_offer_performance.html")]
pub struct PerformancePage {
    pub chrome: Chrome,
    pub caption: String,
    pub period: String,
    pub previous: String,
    pub year_before: String,
    pub months: Vec<(String, String, bool)>,
    pub from: String,
    pub to: String,
    pub errors: Vec<FieldError>,
    pub figures: Vec<FigureRow>,
    /// Visits each day, as bars: (day, visits, height out of 100).
    pub days: Vec<(String, i64, u32)>,
    pub days_label: String,
    pub breakdowns: Vec<Breakdown>,
    pub csv_href: String,
    pub unmet_href: String,
    pub earlier_href: String,
    pub later_href: String,
}

fn query_of(period: &Period) -> String {
    if period.is_month() {
        format!(
            "month={}-{:02}",
            period.from.year(),
            u8::from(period.from.month())
        )
    } else {
        format!("from={}&to={}", period.from, period.to)
    }
}

/// The figures of a period and the two it is set against.
pub async fn three_periods(
    state: &AppState,
    partnership: PartnershipId,
    period: Period,
) -> AppResult<(PeriodFigures, PeriodFigures, PeriodFigures)> {
    // Views counted up to this moment are in the figures.
    state.use_counter.write(&state.store).await;
    Ok((
        state.store.period_figures(partnership, period).await?,
        state
            .store
            .period_figures(partnership, period.previous())
            .await?,
        state
            .store
            .period_figures(partnership, period.year_before())
            .await?,
    ))
}

/// The key figures as the page, the CSV and the board paper show them.
pub fn figure_rows(rows: &[Comparison], now: &PeriodFigures) -> Vec<FigureRow> {
    rows.iter()
        .map(|c| FigureRow {
            label: c.figure.label(),
            now: c.figure.show(c.now),
            base: c.figure.base(now),
            previous: c.figure.show(c.previous),
            change: c.change_from(c.previous),
            year_before: c.figure.show(c.year_before),
            year_change: c.change_from(c.year_before),
        })
        .collect()
}

fn bars(items: impl Iterator<Item = (String, i64)>, total: i64, limit: usize) -> Vec<BarRow> {
    let items: Vec<(String, i64)> = items.take(limit).collect();
    let largest = items.iter().map(|(_, n)| *n).max().unwrap_or(0);
    items
        .into_iter()
        .map(|(label, count)| BarRow {
            share: if total > 0 {
                format!("{:.1}%", 100.0 * count as f64 / total as f64)
            } else {
                String::new()
            },
            width: bar(count, largest),
            label,
            count,
        })
        .collect()
}

pub async fn performance(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<Vec<(String, String)>>,
) -> AppResult {
    ctx.require(Capability::View)?;
    let form = RawForm(query);
    let today = OffsetDateTime::now_utc().date();
    let (period, errors) = period_asked(&form, today);
    let (now, previous, year_before) = three_periods(&state, ctx.pid(), period).await?;
    let rows = compare(&now, &previous, &year_before);
    let base = format!("{}/local-offer/performance", ctx.base());
    let f = &now.figures;
    let visits = f.totals.visits;
    let page_views = f.totals.page_views;
    // Every day of the period up to today, with none for days without visits.
    let counted = &now.daily_visits;
    let mut days = Vec::new();
    let mut day = period.from;
    while day <= period.to.min(today) {
        let n = counted
            .iter()
            .find(|(d, _)| *d == day)
            .map_or(0, |(_, n)| *n);
        days.push((day, n));
        day = day.next_day().unwrap_or(day + Duration::days(1));
    }
    let most = days.iter().map(|(_, n)| *n).max().unwrap_or(0);
    let top_pages: Vec<(String, i64)> = f.pages.iter().take(10).cloned().collect();
    let keys: Vec<&str> = top_pages.iter().filter_map(|(p, _)| key_in(p)).collect();
    let names = state.store.local_offer_names_of(ctx.pid(), &keys).await?;
    let mut months = Vec::new();
    let mut m = Period::month_of(today);
    for _ in 0..25 {
        months.push((
            format!("{}-{:02}", m.from.year(), u8::from(m.from.month())),
            m.describe(),
            m == period,
        ));
        m = m.previous();
    }
    let mut chrome = Chrome::for_ctx(&ctx, "Local Offer website performance", "local-offer");
    chrome.has_errors = !errors.is_empty();
    html(&PerformancePage {
        chrome,
        caption: ctx.partnership.name.clone(),
        period: period.describe(),
        previous: period.previous().describe(),
        year_before: period.year_before().describe(),
        months,
        from: if period.is_month() {
            String::new()
        } else {
            period.from.to_string()
        },
        to: if period.is_month() {
            String::new()
        } else {
            period.to.to_string()
        },
        errors: errors.0,
        figures: figure_rows(&rows, &now),
        days_label: format!(
            "Visits each day, {}: {} in all, at most {most} in a day",
            period.describe(),
            visits
        ),
        days: days
            .iter()
            .map(|(d, n)| (d.to_string(), *n, bar(*n, most)))
            .collect(),
        breakdowns: vec![
            Breakdown {
                heading: "Desktop against mobile",
                first: "Device",
                counted: "Visits",
                rows: bars(
                    DeviceClass::ALL
                        .iter()
                        .map(|d| (d.label().to_owned(), f.visits_on(*d))),
                    visits,
                    3,
                ),
            },
            Breakdown {
                heading: "Top 10 sections",
                first: "Section",
                counted: "Page views",
                rows: bars(f.sections.iter().cloned(), page_views, 10),
            },
            Breakdown {
                heading: "Top 10 pages",
                first: "Page",
                counted: "Page views",
                rows: bars(
                    top_pages
                        .iter()
                        .map(|(p, n)| (page_name(p, |k| names.get(k).cloned()), *n)),
                    page_views,
                    10,
                ),
            },
            Breakdown {
                heading: "Traffic source",
                first: "Source",
                counted: "Visits",
                rows: bars(
                    f.source_kinds()
                        .into_iter()
                        .map(|(k, n)| (k.label().to_owned(), n)),
                    visits,
                    SourceKind::ALL.len(),
                ),
            },
            Breakdown {
                heading: "Top 10 sites and campaigns that sent visitors",
                first: "Site or campaign",
                counted: "Visits",
                rows: bars(
                    f.sources
                        .iter()
                        .filter(|(s, _)| s.kind != SourceKind::Direct)
                        .map(|(s, t)| {
                            (
                                format!("{} ({})", s.name, s.kind.label().to_lowercase()),
                                t.visits,
                            )
                        }),
                    visits,
                    10,
                ),
            },
        ],
        csv_href: format!("{base}.csv?{}", query_of(&period)),
        unmet_href: format!(
            "{}/local-offer/unmet-need?{}",
            ctx.base(),
            query_of(&period)
        ),
        earlier_href: format!("{base}?{}", query_of(&period.previous())),
        later_href: if period.to < today {
            let later = if period.is_month() {
                Period::month_of(period.to + Duration::days(1))
            } else {
                Period {
                    from: period.to + Duration::days(1),
                    to: period.to + Duration::days(period.days()),
                }
            };
            format!("{base}?{}", query_of(&later))
        } else {
            String::new()
        },
    })
}

/// The same figures as CSV: the key figures, then each breakdown, one row per line.
pub async fn performance_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<Vec<(String, String)>>,
) -> AppResult {
    ctx.require(Capability::View)?;
    let form = RawForm(query);
    let (period, _) = period_asked(&form, OffsetDateTime::now_utc().date());
    let (now, previous, year_before) = three_periods(&state, ctx.pid(), period).await?;
    let mut rows: Vec<Vec<String>> = figure_rows(&compare(&now, &previous, &year_before), &now)
        .into_iter()
        .map(|r| {
            vec![
                "Key figure".to_owned(),
                r.label.to_owned(),
                r.now,
                r.previous,
                r.change,
                r.year_before,
                r.year_change,
            ]
        })
        .collect();
    let f = &now.figures;
    let breakdown = |what: &str, items: Vec<(String, i64)>| {
        items
            .into_iter()
            .map(|(label, n)| {
                vec![
                    what.to_owned(),
                    label,
                    n.to_string(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                ]
            })
            .collect::<Vec<_>>()
    };
    rows.extend(breakdown(
        "Visits by device",
        DeviceClass::ALL
            .iter()
            .map(|d| (d.label().to_owned(), f.visits_on(*d)))
            .collect(),
    ));
    rows.extend(breakdown(
        "Visits by source",
        f.sources
            .iter()
            .map(|(s, t)| {
                (
                    if s.name.is_empty() {
                        s.kind.label().to_owned()
                    } else {
                        format!("{}: {}", s.kind.label(), s.name)
                    },
                    t.visits,
                )
            })
            .collect(),
    ));
    rows.extend(breakdown("Page views by section", f.sections.clone()));
    rows.extend(breakdown("Page views by page", f.pages.clone()));
    let name = format!(
        "local-offer-performance-{}.csv",
        query_of(&period).replace(['=', '&'], "-")
    );
    Ok(download(
        "text/csv; charset=utf-8",
        &name,
        sendplan_interchange::sheet_export::table_to_csv(
            &[
                "Part",
                "Figure",
                &period.describe(),
                &period.previous().describe(),
                "Change",
                &period.year_before().describe(),
                "Change on a year before",
            ],
            &rows,
        ),
    )
    .into_response())
}

/// Searches that found nothing, grouped for commissioners.
pub async fn unmet_need(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<Vec<(String, String)>>,
) -> AppResult {
    ctx.require(Capability::View)?;
    let form = RawForm(query);
    let today = OffsetDateTime::now_utc().date();
    let (asked, errors) = period_asked(&form, today);
    // Unmet need is a trend: without a range asked for, the last 12 months.
    let period = if form.get("month").is_empty() && form.get("from").is_empty() {
        // This month so far and the 11 before it.
        let first = (0..11).fold(Period::month_of(today), |m, _| m.previous());
        Period {
            from: first.from,
            to: today,
        }
    } else {
        asked
    };
    let period = Period {
        from: Period::month_of(period.from).from,
        ..period
    };
    state.use_counter.write(&state.store).await;
    let need = state
        .store
        .unmet_need(ctx.pid(), period.from, period.to)
        .await?;
    let mut chrome = Chrome::for_ctx(
        &ctx,
        "Unmet need: searches that found nothing",
        "local-offer",
    );
    chrome.has_errors = !errors.is_empty();
    let count_rows = |items: Vec<(String, i64)>| {
        items
            .into_iter()
            .map(|(label, n)| {
                vec![
                    crate::views::Cell::text(label),
                    crate::views::Cell::text(n.to_string()),
                ]
            })
            .collect::<Vec<_>>()
    };
    let block = |heading: &str, head: Vec<&'static str>, rows| crate::pages::TableBlock {
        heading: heading.to_owned(),
        head,
        rows,
        empty: "None in this period.".to_owned(),
    };
    let page = crate::pages::NoticePage {
        wide: true,
        caption: ctx.partnership.name.clone(),
        errors: errors.0,
        tables: vec![
            block(
                "By month",
                vec!["Month", "Searches", "Found nothing", "Share that found nothing"],
                need.by_month
                    .iter()
                    .map(|(m, n, z)| {
                        vec![
                            crate::views::Cell::text(m.clone()),
                            crate::views::Cell::text(n.to_string()),
                            crate::views::Cell::text(z.to_string()),
                            crate::views::Cell::text(if *n > 0 { format!("{:.1}%", 100.0 * *z as f64 / *n as f64) } else { String::new() }),
                        ]
                    })
                    .collect(),
            ),
            block(
                "By the words searched for",
                vec!["Words", "Searches that found nothing"],
                count_rows(
                    need.by_words
                        .iter()
                        .map(|(w, n)| (if w.is_empty() { "(filters only, no words)".to_owned() } else { w.clone() }, *n))
                        .collect(),
                ),
            ),
            block(
                "By age band",
                vec!["Age band", "Searches that found nothing"],
                count_rows(
                    need.by_age_band
                        .iter()
                        .map(|(a, n)| (a.map_or("No age given".to_owned(), |a| a.label().to_owned()), *n))
                        .collect(),
                ),
            ),
            block(
                "By need",
                vec!["Need", "Searches that found nothing"],
                count_rows(
                    need.by_need
                        .iter()
                        .map(|(a, n)| (a.map_or("No need chosen".to_owned(), |a| a.label().to_owned()), *n))
                        .collect(),
                ),
            ),
            block(
                "The latest searches that found nothing",
                vec!["When", "Words", "Age band", "Need", "Category", "Other filters"],
                need.recent
                    .iter()
                    .map(|s| {
                        [
                            sendplan_domain::input::long_date(s.at.date()),
                            s.words.clone(),
                            s.age_band.map_or(String::new(), |a| a.label().to_owned()),
                            s.need.map_or(String::new(), |n| n.label().to_owned()),
                            s.category.clone(),
                            s.other_filters.clone(),
                        ]
                        .into_iter()
                        .map(crate::views::Cell::text)
                        .collect()
                    })
                    .collect(),
            ),
        ],
        ..crate::pages::NoticePage::new(chrome, "Unmet need: searches that found nothing")
    }
    .say(format!(
        "{}: {} searches of the Local Offer, of which {} found no service. Words are shown as typed, in lower case; searches do not say who made them.",
        Period::describe(&period),
        need.searches,
        need.found_nothing
    ))
    .link(
        "Website performance",
        format!("{}/local-offer/performance", ctx.base()),
    );
    // Other periods: the last 12 months, and each of the last 6 months.
    let here = format!("{}/local-offer/unmet-need", ctx.base());
    let mut page = page.link("The last 12 months", here.clone());
    let mut month = Period::month_of(today);
    for _ in 0..6 {
        page = page.link(month.describe(), format!("{here}?{}", query_of(&month)));
        month = month.previous();
    }
    html(&page)
}
