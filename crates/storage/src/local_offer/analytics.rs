//! Page views and searches of the Local Offer, as counted on the server: written in
//! batches, rolled up into each day's figures once the day is over, and read back as a
//! month's or any range's figures. Page views are kept [`VIEWS_KEPT_DAYS`] days and
//! searches [`SEARCHES_KEPT_MONTHS`] months; the daily figures are kept for good.

use crate::sql::{date_text, timestamp_text, RowExt};
use crate::{Result, Store};
use sendplan_domain::local_offer::analytics::{
    day_is_over, roll_up, views_needed_for, AgeBand, DeviceClass, Dimension, Figures, PageView,
    SearchMade, Source, SourceKind, Tally,
};
use sendplan_domain::local_offer::performance::{Period, PeriodFigures};
use sendplan_domain::needs::NeedType;
use sendplan_domain::PartnershipId;
use std::collections::BTreeSet;
use time::{Date, Duration, OffsetDateTime};

/// How long page views (with their pseudonymous visitor key) are kept before only the
/// daily figures remain.
pub const VIEWS_KEPT_DAYS: i64 = 31;
/// How long searches are kept: long enough to set a month beside the same month a year
/// before.
pub const SEARCHES_KEPT_MONTHS: i64 = 25;

/// Searches that found nothing, grouped for commissioners (issue 17's "unmet need").
#[derive(Debug, Clone, Default)]
pub struct UnmetNeed {
    pub searches: i64,
    pub found_nothing: i64,
    /// The words searched for, most often first.
    pub by_words: Vec<(String, i64)>,
    /// By the age band the family gave; "" when they gave none.
    pub by_age_band: Vec<(Option<AgeBand>, i64)>,
    /// By the need the family chose; `None` when they chose none.
    pub by_need: Vec<(Option<NeedType>, i64)>,
    /// By month ("2026-12"): searches and those that found nothing.
    pub by_month: Vec<(String, i64, i64)>,
    /// The most recent that found nothing, with their filters.
    pub recent: Vec<SearchMade>,
}

/// A page view's moment as stored: RFC 3339 to the millisecond, so that the views of one
/// second keep their order. Bounds compared with it are written the same way.
fn moment_text(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{}T{:02}:{:02}:{:02}.{:03}Z",
        at.date(),
        at.hour(),
        at.minute(),
        at.second(),
        at.millisecond()
    )
}

/// Rows written by one INSERT: 8 columns each keeps it far under SQLite's and
/// PostgreSQL's limits on bound values.
const ROWS_PER_INSERT: usize = 500;

use crate::sql::many_rows;

fn view_from(row: &sqlx::any::AnyRow) -> Result<PageView> {
    Ok(PageView {
        visitor: row.int("visitor")?,
        at: crate::sql::parse_timestamp(&row.text("viewed_at")?)?,
        path: row.text("path")?,
        section: row.text("section")?,
        device: row.code("device", DeviceClass::from_code)?,
        source: Source {
            kind: row.code("source_kind", SourceKind::from_code)?,
            name: row.text("source_name")?,
        },
    })
}

fn search_from(row: &sqlx::any::AnyRow) -> Result<SearchMade> {
    Ok(SearchMade {
        at: crate::sql::parse_timestamp(&row.text("searched_at")?)?,
        words: row.text("words")?,
        age_band: AgeBand::from_code(&row.text("age_band")?),
        need: NeedType::from_code(&row.text("need")?),
        category: row.text("category")?,
        other_filters: row.text("other_filters")?,
        results: usize::try_from(row.int("results")?).unwrap_or(0),
    })
}

impl Store {
    /// Writes a batch of counted page views and searches in one transaction.
    pub async fn record_use(
        &self,
        views: &[(PartnershipId, PageView)],
        searches: &[(PartnershipId, SearchMade)],
    ) -> Result<()> {
        if views.is_empty() && searches.is_empty() {
            return Ok(());
        }
        let mut write = self.begin_write().await?;
        // Many rows to a statement: one statement per row cost most of counting's time.
        for chunk in views.chunks(ROWS_PER_INSERT) {
            let sql = many_rows(
                "INSERT INTO local_offer_page_views (partnership_id, viewed_at, visitor, path, section, device, source_kind, source_name) VALUES ",
                8,
                chunk.len(),
            );
            let mut query = sqlx::query(&sql);
            for (partnership, v) in chunk {
                query = query
                    .bind(partnership.0)
                    .bind(moment_text(v.at))
                    .bind(v.visitor)
                    .bind(v.path.clone())
                    .bind(v.section.clone())
                    .bind(v.device.code())
                    .bind(v.source.kind.code())
                    .bind(v.source.name.clone());
            }
            query.execute(&mut *write.tx).await?;
        }
        for chunk in searches.chunks(ROWS_PER_INSERT) {
            let sql = many_rows(
                "INSERT INTO local_offer_searches (partnership_id, searched_at, words, age_band, need, category, other_filters, results) VALUES ",
                8,
                chunk.len(),
            );
            let mut query = sqlx::query(&sql);
            for (partnership, s) in chunk {
                query = query
                    .bind(partnership.0)
                    .bind(timestamp_text(s.at))
                    .bind(s.words.clone())
                    .bind(s.age_band.map_or("", AgeBand::code))
                    .bind(s.need.map_or("", NeedType::code))
                    .bind(s.category.clone())
                    .bind(s.other_filters.clone())
                    .bind(i64::try_from(s.results).unwrap_or(i64::MAX));
            }
            query.execute(&mut *write.tx).await?;
        }
        // Page views are not the partnership's data: the pages' caches stay valid.
        write.commit_unseen().await
    }

    /// The page views `roll_up` needs for `day`.
    async fn views_around(&self, partnership: PartnershipId, day: Date) -> Result<Vec<PageView>> {
        let (from, to) = views_needed_for(day);
        let rows = sqlx::query(
            "SELECT visitor, viewed_at, path, section, device, source_kind, source_name FROM local_offer_page_views \
             WHERE partnership_id = $1 AND viewed_at >= $2 AND viewed_at < $3",
        )
        .bind(partnership.0)
        .bind(moment_text(from))
        .bind(moment_text(to))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(view_from).collect()
    }

    /// Days with page views whose figures are not yet kept.
    async fn days_not_rolled_up(
        &self,
        partnership: PartnershipId,
        from: Date,
        to: Date,
    ) -> Result<Vec<Date>> {
        let days: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT substr(v.viewed_at, 1, 10) AS day FROM local_offer_page_views v \
             WHERE v.partnership_id = $1 AND v.viewed_at >= $2 AND v.viewed_at < $3 \
             AND NOT EXISTS (SELECT 1 FROM local_offer_daily_figures d WHERE d.partnership_id = v.partnership_id \
                             AND d.day = substr(v.viewed_at, 1, 10) AND d.dimension = 'all')",
        )
        .bind(partnership.0)
        .bind(date_text(from))
        .bind(date_text(to.next_day().unwrap_or(to)))
        .fetch_all(self.pool())
        .await?;
        let format = time::macros::format_description!("[year]-[month]-[day]");
        Ok(days
            .iter()
            .filter_map(|d| Date::parse(d, format).ok())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect())
    }

    /// Rolls up every day that is over and not yet kept, for every partnership, then
    /// deletes page views and searches past their keeping. Returns how many days were
    /// rolled up. Run by housekeeping.
    pub async fn roll_up_local_offer_days(&self, now: OffsetDateTime) -> Result<usize> {
        let partnerships: Vec<i64> =
            sqlx::query_scalar("SELECT DISTINCT partnership_id FROM local_offer_page_views")
                .fetch_all(self.pool())
                .await?;
        let mut rolled = 0;
        for p in partnerships {
            let partnership = PartnershipId(p);
            let earliest = now.date() - Duration::days(VIEWS_KEPT_DAYS + 1);
            for day in self
                .days_not_rolled_up(partnership, earliest, now.date())
                .await?
            {
                if !day_is_over(day, now) {
                    continue;
                }
                let rows = roll_up(day, &self.views_around(partnership, day).await?);
                self.keep_day_figures(partnership, day, &rows).await?;
                rolled += 1;
            }
        }
        let mut write = self.begin_write().await?;
        sqlx::query("DELETE FROM local_offer_page_views WHERE viewed_at < $1")
            .bind(moment_text(now - Duration::days(VIEWS_KEPT_DAYS)))
            .execute(&mut *write.tx)
            .await?;
        sqlx::query("DELETE FROM local_offer_searches WHERE searched_at < $1")
            .bind(timestamp_text(
                now - Duration::days(SEARCHES_KEPT_MONTHS * 31),
            ))
            .execute(&mut *write.tx)
            .await?;
        write.commit().await?;
        Ok(rolled)
    }

    /// Keeps a day's figures (see [`roll_up`]), once: a day already kept is left as it is.
    pub async fn keep_day_figures(
        &self,
        partnership: PartnershipId,
        day: Date,
        rows: &[(Dimension, String, Tally)],
    ) -> Result<()> {
        let mut write = self.begin_write().await?;
        for (dimension, item, t) in rows {
            sqlx::query(
                "INSERT INTO local_offer_daily_figures (partnership_id, day, dimension, item, visits, visitors, page_views, bounces, seconds) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING",
            )
            .bind(partnership.0)
            .bind(date_text(day))
            .bind(dimension.code())
            .bind(item.clone())
            .bind(t.visits)
            .bind(t.visitors)
            .bind(t.page_views)
            .bind(t.bounces)
            .bind(t.seconds)
            .execute(&mut *write.tx)
            .await?;
        }
        write.commit().await
    }

    /// The figures of the days `from` to `to` (both included), and the visits of each day
    /// that had any: the kept daily figures, and for days not yet rolled up (today, and
    /// yesterday until its visits are over) the same roll-up worked out now, once, from
    /// their page views.
    async fn figures_and_days(
        &self,
        partnership: PartnershipId,
        from: Date,
        to: Date,
    ) -> Result<(Figures, Vec<(Date, i64)>)> {
        let rows = sqlx::query(
            // SUM of a BIGINT is NUMERIC in PostgreSQL, which the Any driver cannot read.
            "SELECT dimension, item, CAST(SUM(visits) AS BIGINT) AS visits, CAST(SUM(visitors) AS BIGINT) AS visitors, \
                    CAST(SUM(page_views) AS BIGINT) AS page_views, CAST(SUM(bounces) AS BIGINT) AS bounces, \
                    CAST(SUM(seconds) AS BIGINT) AS seconds \
             FROM local_offer_daily_figures WHERE partnership_id = $1 AND day >= $2 AND day <= $3 \
             GROUP BY dimension, item",
        )
        .bind(partnership.0)
        .bind(date_text(from))
        .bind(date_text(to))
        .fetch_all(self.pool())
        .await?;
        let mut kept: Vec<(Dimension, String, Tally)> = Vec::with_capacity(rows.len());
        for r in &rows {
            kept.push((
                r.code("dimension", Dimension::from_code)?,
                r.text("item")?,
                Tally {
                    visits: r.int("visits")?,
                    visitors: r.int("visitors")?,
                    page_views: r.int("page_views")?,
                    bounces: r.int("bounces")?,
                    seconds: r.int("seconds")?,
                },
            ));
        }
        let kept_days = sqlx::query(
            "SELECT day, visits FROM local_offer_daily_figures \
             WHERE partnership_id = $1 AND dimension = 'all' AND day >= $2 AND day <= $3",
        )
        .bind(partnership.0)
        .bind(date_text(from))
        .bind(date_text(to))
        .fetch_all(self.pool())
        .await?;
        let mut days = Vec::with_capacity(kept_days.len() + 2);
        for r in &kept_days {
            days.push((r.date("day")?, r.int("visits")?));
        }
        for day in self.days_not_rolled_up(partnership, from, to).await? {
            let live = roll_up(day, &self.views_around(partnership, day).await?);
            let visits = live
                .iter()
                .find(|(d, _, _)| *d == Dimension::All)
                .map_or(0, |(_, _, t)| t.visits);
            days.push((day, visits));
            kept.extend(live);
        }
        days.sort();
        Ok((
            Figures::of(kept.iter().map(|(d, i, t)| (*d, i.as_str(), t))),
            days,
        ))
    }

    /// Searches from `from` to `to` (both included), and those that found nothing grouped
    /// by words, age band, need and month.
    pub async fn unmet_need(
        &self,
        partnership: PartnershipId,
        from: Date,
        to: Date,
    ) -> Result<UnmetNeed> {
        let range = |sql: &str| {
            format!("{sql} WHERE partnership_id = $1 AND searched_at >= $2 AND searched_at < $3")
        };
        let totals_sql = range(
            "SELECT COUNT(*) AS n, COALESCE(SUM(CASE WHEN results = 0 THEN 1 ELSE 0 END), 0) AS z FROM local_offer_searches",
        );
        let totals = sqlx::query(&totals_sql)
            .bind(partnership.0)
            .bind(date_text(from))
            .bind(date_text(to.next_day().unwrap_or(to)))
            .fetch_one(self.pool())
            .await?;
        let grouped = |column: &str| {
            range(&format!(
                "SELECT {column} AS item, COUNT(*) AS n FROM local_offer_searches"
            )) + &format!(" AND results = 0 GROUP BY {column} ORDER BY n DESC, item LIMIT 50")
        };
        let mut by = Vec::new();
        for column in ["words", "age_band", "need"] {
            let sql = grouped(column);
            let rows = sqlx::query(&sql)
                .bind(partnership.0)
                .bind(date_text(from))
                .bind(date_text(to.next_day().unwrap_or(to)))
                .fetch_all(self.pool())
                .await?;
            let mut list = Vec::with_capacity(rows.len());
            for r in &rows {
                list.push((r.text("item")?, r.int("n")?));
            }
            by.push(list);
        }
        let month_sql = range(
            "SELECT substr(searched_at, 1, 7) AS month, COUNT(*) AS n, COALESCE(SUM(CASE WHEN results = 0 THEN 1 ELSE 0 END), 0) AS z FROM local_offer_searches",
        ) + " GROUP BY substr(searched_at, 1, 7) ORDER BY month";
        let months = sqlx::query(&month_sql)
            .bind(partnership.0)
            .bind(date_text(from))
            .bind(date_text(to.next_day().unwrap_or(to)))
            .fetch_all(self.pool())
            .await?;
        let recent_sql = range(
            "SELECT searched_at, words, age_band, need, category, other_filters, results FROM local_offer_searches",
        ) + " AND results = 0 ORDER BY searched_at DESC LIMIT 50";
        let recent = sqlx::query(&recent_sql)
            .bind(partnership.0)
            .bind(date_text(from))
            .bind(date_text(to.next_day().unwrap_or(to)))
            .fetch_all(self.pool())
            .await?;
        let mut by = by.into_iter();
        let words = by.next().unwrap_or_default();
        let ages = by.next().unwrap_or_default();
        let needs = by.next().unwrap_or_default();
        Ok(UnmetNeed {
            searches: totals.int("n")?,
            found_nothing: totals.int("z")?,
            by_words: words,
            by_age_band: ages
                .into_iter()
                .map(|(a, n)| (AgeBand::from_code(&a), n))
                .collect(),
            by_need: needs
                .into_iter()
                .map(|(a, n)| (NeedType::from_code(&a), n))
                .collect(),
            by_month: months
                .iter()
                .map(|r| Ok((r.text("month")?, r.int("n")?, r.int("z")?)))
                .collect::<Result<_>>()?,
            recent: recent.iter().map(search_from).collect::<Result<_>>()?,
        })
    }

    /// Everything counted in `period`: visits and pages, searches, and answers.
    pub async fn period_figures(
        &self,
        partnership: PartnershipId,
        period: Period,
    ) -> Result<PeriodFigures> {
        let (figures, daily_visits) = self
            .figures_and_days(partnership, period.from, period.to)
            .await?;
        let searches = sqlx::query(
            "SELECT COUNT(*) AS n, COALESCE(SUM(CASE WHEN results = 0 THEN 1 ELSE 0 END), 0) AS z FROM local_offer_searches \
             WHERE partnership_id = $1 AND searched_at >= $2 AND searched_at < $3",
        )
        .bind(partnership.0)
        .bind(date_text(period.from))
        .bind(date_text(period.to.next_day().unwrap_or(period.to)))
        .fetch_one(self.pool())
        .await?;
        let answers = self
            .answer_counts(
                partnership,
                period.from,
                period.to.next_day().unwrap_or(period.to),
            )
            .await?;
        Ok(PeriodFigures {
            figures,
            daily_visits,
            searches: searches.int("n")?,
            searches_found_nothing: searches.int("z")?,
            found_yes: answers.found_yes,
            found_no: answers.found_no,
            ratings: answers.ratings,
            rated_good_or_better: answers.rated_good_or_better,
        })
    }

    /// Visits on each day of `period` that had any, kept or worked out now.
    pub async fn daily_visits(
        &self,
        partnership: PartnershipId,
        period: Period,
    ) -> Result<Vec<(Date, i64)>> {
        Ok(self
            .figures_and_days(partnership, period.from, period.to)
            .await?
            .1)
    }

    /// The names of the Local Offer's services and categories with these keys.
    pub async fn local_offer_names_of(
        &self,
        partnership: PartnershipId,
        keys: &[&str],
    ) -> Result<std::collections::HashMap<String, String>> {
        let mut names = std::collections::HashMap::new();
        for key in keys {
            let name: Option<String> = sqlx::query_scalar(
                "SELECT name FROM local_offer_services WHERE partnership_id = $1 AND key = $2 \
                 UNION ALL SELECT name FROM local_offer_terms WHERE partnership_id = $1 AND key = $2",
            )
            .bind(partnership.0)
            .bind((*key).to_owned())
            .fetch_optional(self.pool())
            .await?;
            if let Some(name) = name {
                names.insert((*key).to_owned(), name);
            }
        }
        Ok(names)
    }
}
