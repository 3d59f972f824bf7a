//! EHC casework as the measures need it (issue 18): returns and extracts imported whole,
//! a collection year imported again replacing the one before, all or nothing.

use crate::audit::{record, record_view, Change};
use crate::sql::{date_text, many_rows, now_text, opt_date_text, parse_timestamp, RowExt};
use crate::{Actor, Result, Store};
use sendplan_domain::casework::clock::ClockSettings;
use sendplan_domain::casework::clock::{
    Assessment, AssessmentOutcome, ExceptionPeriod, ExceptionReason, Request, RequestOutcome,
};
use sendplan_domain::casework::plan_measures::{CaseworkMeasure, Reading};
use sendplan_domain::casework::records::{ActivePlan, CaseRecord, CaseRequest};
use sendplan_domain::measures::{DataPointInput, DataStatus};
use sendplan_domain::{MeasureId, PartnershipId, PlanId};
use serde::Serialize;
use time::{Date, Month, OffsetDateTime};

/// Rows written by one INSERT. More is not faster: SQLite finds each `$n` parameter by
/// searching the statement's names (sqlx binds by name), which grows with the square of
/// the parameters; at 13 columns, 20 rows was quickest (a profile of Kent's return found
/// two thirds of the time in that search at 500).
const ROWS_PER_INSERT: usize = 20;

/// Exception periods as stored: "reason|from|to", several joined by ";".
fn exceptions_text(periods: &[ExceptionPeriod]) -> String {
    periods
        .iter()
        .map(|p| {
            format!(
                "{}|{}|{}",
                p.reason.code(),
                opt_date_text(p.from).unwrap_or_default(),
                opt_date_text(p.to).unwrap_or_default()
            )
        })
        .collect::<Vec<_>>()
        .join(";")
}

fn exceptions_from(text: &str) -> Result<Vec<ExceptionPeriod>> {
    let date = |t: &str| -> Result<Option<Date>> {
        if t.is_empty() {
            return Ok(None);
        }
        Date::parse(t, time::macros::format_description!("[year]-[month]-[day]"))
            .map(Some)
            .map_err(|_| crate::StoreError::Corrupt(format!("exception date {t:?}")))
    };
    text.split(';')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut parts = p.split('|');
            let reason = parts.next().unwrap_or_default();
            Ok(ExceptionPeriod {
                reason: ExceptionReason::from_code(reason).ok_or_else(|| {
                    crate::StoreError::Corrupt(format!("exception reason {reason:?}"))
                })?,
                from: date(parts.next().unwrap_or_default())?,
                to: date(parts.next().unwrap_or_default())?,
            })
        })
        .collect()
}

/// A return or extract as imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseworkImport {
    pub id: i64,
    /// `sen2` or `csv`.
    pub source: String,
    pub collection_year: i32,
    pub la_code: String,
    pub reference_date: Option<Date>,
    pub file_name: String,
    pub people: i64,
    pub requests: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub imported_at: OffsetDateTime,
}

/// What is imported: where it came from and its records.
pub struct CaseworkFile<'a> {
    pub source: &'a str,
    pub collection_year: i32,
    pub la_code: &'a str,
    pub reference_date: Option<Date>,
    pub file_name: &'a str,
    pub people: &'a [CaseRecord],
}

impl Store {
    /// The secret the partnership's UPNs are hashed with: `fresh` (random, from the
    /// caller) the first time, the same one ever after.
    pub async fn casework_secret(&self, partnership: PartnershipId, fresh: &str) -> Result<String> {
        let mut write = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO casework_secrets (partnership_id, secret) VALUES ($1, $2) ON CONFLICT (partnership_id) DO NOTHING",
        )
        .bind(partnership.0)
        .bind(fresh.to_owned())
        .execute(&mut *write.tx)
        .await?;
        let secret: String =
            sqlx::query_scalar("SELECT secret FROM casework_secrets WHERE partnership_id = $1")
                .bind(partnership.0)
                .fetch_one(&mut *write.tx)
                .await?;
        write.commit_unseen().await?;
        Ok(secret)
    }

    /// Imports a return or extract in one transaction, replacing the partnership's import
    /// of the same source and collection year if there is one. The audit log records the
    /// import's size, never its records.
    pub async fn import_casework(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        file: &CaseworkFile<'_>,
    ) -> Result<i64> {
        let requests: usize = file.people.iter().map(|p| p.requests.len()).sum();
        let mut write = self.begin_write().await?;
        let before: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM casework_imports WHERE partnership_id = $1 AND source = $2 AND collection_year = $3",
        )
        .bind(partnership.0)
        .bind(file.source.to_owned())
        .bind(i64::from(file.collection_year))
        .fetch_optional(&mut *write.tx)
        .await?;
        if let Some(old) = before {
            for sql in [
                "DELETE FROM casework_requests WHERE person_id IN (SELECT id FROM casework_people WHERE import_id = $1)",
                "DELETE FROM casework_people WHERE import_id = $1",
                "DELETE FROM casework_imports WHERE id = $1",
            ] {
                sqlx::query(sql).bind(old).execute(&mut *write.tx).await?;
            }
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO casework_imports (partnership_id, source, collection_year, la_code, reference_date, file_name, people, requests, imported_at, imported_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(partnership.0)
        .bind(file.source.to_owned())
        .bind(i64::from(file.collection_year))
        .bind(file.la_code.to_owned())
        .bind(opt_date_text(file.reference_date))
        .bind(file.file_name.to_owned())
        .bind(file.people.len() as i64)
        .bind(requests as i64)
        .bind(now_text())
        .bind(actor.0.map(|u| u.0))
        .fetch_one(&mut *write.tx)
        .await?;
        // Many rows to a statement: an authority's return holds thousands of children,
        // and England's tens of thousands a year.
        for chunk in file.people.chunks(ROWS_PER_INSERT) {
            let sql = many_rows(
                "INSERT INTO casework_people (import_id, person_key, age, needs, settings, review_meeting, review_outcome, last_review, review_draft, phase_transfer_due, phase_transfer_final, caseworker, team) VALUES ",
                13,
                chunk.len(),
            );
            let mut query = sqlx::query(&sql);
            for person in chunk {
                let plan = person.active_plan.clone().unwrap_or_default();
                query = query
                    .bind(id)
                    .bind(person.key.clone())
                    .bind(person.age.map(i64::from))
                    .bind(
                        plan.needs
                            .iter()
                            .map(|(code, rank)| format!("{code}:{rank}"))
                            .collect::<Vec<_>>()
                            .join(","),
                    )
                    .bind(plan.settings.join(","))
                    .bind(opt_date_text(plan.review_meeting))
                    .bind(plan.review_outcome.clone())
                    .bind(opt_date_text(plan.last_review))
                    .bind(opt_date_text(plan.review_draft))
                    .bind(opt_date_text(plan.phase_transfer_due))
                    .bind(opt_date_text(plan.phase_transfer_final))
                    .bind(person.caseworker.clone())
                    .bind(person.team.clone());
            }
            query.execute(&mut *write.tx).await?;
        }
        // Each child's row, by their key (unique within a return: a duplicate is a problem
        // the reader refuses).
        let ids: std::collections::HashMap<String, i64> =
            sqlx::query("SELECT id, person_key FROM casework_people WHERE import_id = $1")
                .bind(id)
                .fetch_all(&mut *write.tx)
                .await?
                .iter()
                .map(|r| Ok((r.text("person_key")?, r.int("id")?)))
                .collect::<Result<_>>()?;
        let all: Vec<(i64, &CaseRequest)> = file
            .people
            .iter()
            .map(|p| {
                ids.get(&p.key)
                    .copied()
                    .ok_or_else(|| {
                        crate::StoreError::Rule(format!(
                            "record {}: the same child twice",
                            p.record
                        ))
                    })
                    .map(|person_id| p.requests.iter().map(move |r| (person_id, r)))
            })
            .collect::<Result<Vec<_>>>()?
            .into_iter()
            .flatten()
            .collect();
        for chunk in all.chunks(ROWS_PER_INSERT) {
            let sql = many_rows(
                "INSERT INTO casework_requests (person_id, received, source, outcome, decided, assessment_outcome, assessment_date, plan_start, exception, exceptions) VALUES ",
                10,
                chunk.len(),
            );
            let mut query = sqlx::query(&sql);
            for (person_id, r) in chunk {
                let a = r.request.assessment.as_ref();
                query = query
                    .bind(*person_id)
                    .bind(date_text(r.request.received))
                    .bind(r.source.map(i64::from))
                    .bind(r.request.outcome.code())
                    .bind(opt_date_text(r.request.decided))
                    .bind(a.map(|a| a.outcome.code()))
                    .bind(opt_date_text(a.and_then(|a| a.outcome_date)))
                    .bind(opt_date_text(a.and_then(|a| a.plan_start)))
                    .bind(i64::from(a.is_some_and(Assessment::has_exception)))
                    .bind(a.map_or(String::new(), |a| exceptions_text(&a.exceptions)));
            }
            query.execute(&mut *write.tx).await?;
        }
        record::<Option<i64>, (usize, usize)>(
            &mut write.tx,
            Change {
                partnership: Some(partnership),
                actor,
                entity: "casework_import",
                entity_id: id,
                change: if before.is_some() {
                    "replaced"
                } else {
                    "imported"
                },
                summary: format!(
                    "Casework imported from {} ({} {}): {} children and young people, {} requests",
                    file.file_name,
                    file.source.to_uppercase(),
                    file.collection_year,
                    file.people.len(),
                    requests
                ),
                before: Some(&before),
                after: Some(&(file.people.len(), requests)),
            },
        )
        .await?;
        write.commit().await?;
        // The plans' measures of the clock follow the data they are worked out from.
        self.refresh_casework_measures(partnership).await?;
        Ok(id)
    }

    /// Whether the partnership has imported any casework.
    pub async fn has_casework(&self, partnership: PartnershipId) -> Result<bool> {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM casework_imports WHERE partnership_id = $1")
                .bind(partnership.0)
                .fetch_one(self.pool())
                .await?;
        Ok(n > 0)
    }

    /// The partnership's imports, newest collection year first.
    pub async fn casework_imports(
        &self,
        partnership: PartnershipId,
    ) -> Result<Vec<CaseworkImport>> {
        sqlx::query(
            "SELECT id, source, collection_year, la_code, reference_date, file_name, people, requests, imported_at \
             FROM casework_imports WHERE partnership_id = $1 ORDER BY collection_year DESC, source",
        )
        .bind(partnership.0)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(CaseworkImport {
                id: r.int("id")?,
                source: r.text("source")?,
                collection_year: i32::try_from(r.int("collection_year")?).unwrap_or(0),
                la_code: r.text("la_code")?,
                reference_date: r.opt_date("reference_date")?,
                file_name: r.text("file_name")?,
                people: r.int("people")?,
                requests: r.int("requests")?,
                imported_at: parse_timestamp(&r.text("imported_at")?)?,
            })
        })
        .collect()
    }

    /// Every request in the partnership's return for `collection_year` (whose activity is
    /// the calendar year before), as the clock reads them.
    pub async fn casework_requests(
        &self,
        partnership: PartnershipId,
        collection_year: i32,
    ) -> Result<Vec<Request>> {
        // Only the requests: a return's plans in place are many more rows, and no measure
        // of a year's requests reads them.
        let Some(import) = self.newest_import(partnership, collection_year).await? else {
            return Ok(vec![]);
        };
        Ok(self
            .requests_of_import(import)
            .await?
            .into_iter()
            .map(|(_, r)| r.request)
            .collect())
    }

    /// The year's newest import: an SEN2 return, or a case-system extract made since.
    async fn newest_import(
        &self,
        partnership: PartnershipId,
        collection_year: i32,
    ) -> Result<Option<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT id FROM casework_imports WHERE partnership_id = $1 AND collection_year = $2 ORDER BY imported_at DESC, id DESC LIMIT 1",
        )
        .bind(partnership.0)
        .bind(i64::from(collection_year))
        .fetch_optional(self.pool())
        .await?)
    }

    /// An import's requests, each with its person's row id, in the order imported.
    async fn requests_of_import(&self, import: i64) -> Result<Vec<(i64, CaseRequest)>> {
        let rows = sqlx::query(
            "SELECT r.person_id, r.received, r.source, r.outcome, r.decided, r.assessment_outcome, r.assessment_date, r.plan_start, r.exception, r.exceptions \
             FROM casework_requests r JOIN casework_people p ON p.id = r.person_id \
             WHERE p.import_id = $1 ORDER BY r.id",
        )
        .bind(import)
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let assessment = match r.opt_text("assessment_outcome")? {
                None => None,
                Some(code) => Some(Assessment {
                    outcome: AssessmentOutcome::from_code(&code).ok_or_else(|| {
                        crate::StoreError::Corrupt(format!("assessment outcome {code:?}"))
                    })?,
                    outcome_date: r.opt_date("assessment_date")?,
                    plan_start: r.opt_date("plan_start")?,
                    exceptions: match exceptions_from(&r.text("exceptions")?)? {
                        periods if !periods.is_empty() => periods,
                        // Imported before the periods were kept: the flag.
                        _ if r.int("exception")? != 0 => vec![ExceptionPeriod::flag_only()],
                        _ => vec![],
                    },
                }),
            };
            out.push((
                r.int("person_id")?,
                CaseRequest {
                    request: Request {
                        received: r.date("received")?,
                        outcome: r.code("outcome", RequestOutcome::from_code)?,
                        decided: r.opt_date("decided")?,
                        assessment,
                    },
                    source: r.opt_int("source")?.and_then(|s| u8::try_from(s).ok()),
                },
            ));
        }
        Ok(out)
    }

    /// The children and young people in the partnership's return for `collection_year`,
    /// with their requests and plans, in the order they were imported.
    pub async fn casework_records(
        &self,
        partnership: PartnershipId,
        collection_year: i32,
    ) -> Result<Vec<CaseRecord>> {
        let Some(import) = self.newest_import(partnership, collection_year).await? else {
            return Ok(vec![]);
        };
        let people = sqlx::query(
            "SELECT p.id, p.person_key, p.age, p.needs, p.settings, p.review_meeting, p.review_outcome, p.last_review, p.review_draft, p.phase_transfer_due, p.phase_transfer_final, p.caseworker, p.team \
             FROM casework_people p WHERE p.import_id = $1 ORDER BY p.id",
        )
        .bind(import)
        .fetch_all(self.pool())
        .await?;
        let mut records = Vec::with_capacity(people.len());
        let mut index = std::collections::HashMap::with_capacity(people.len());
        for (n, r) in people.iter().enumerate() {
            index.insert(r.int("id")?, n);
            let needs = r
                .text("needs")?
                .split(',')
                .filter(|n| !n.is_empty())
                .map(|n| match n.split_once(':') {
                    Some((code, rank)) => (code.to_owned(), rank.parse().unwrap_or(0)),
                    None => (n.to_owned(), 0),
                })
                .collect();
            let plan = ActivePlan {
                review_meeting: r.opt_date("review_meeting")?,
                review_outcome: r.opt_text("review_outcome")?,
                last_review: r.opt_date("last_review")?,
                review_draft: r.opt_date("review_draft")?,
                phase_transfer_due: r.opt_date("phase_transfer_due")?,
                phase_transfer_final: r.opt_date("phase_transfer_final")?,
                needs,
                settings: r
                    .text("settings")?
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect(),
            };
            records.push(CaseRecord {
                record: n + 1,
                key: r.text("person_key")?,
                age: r.opt_int("age")?.and_then(|a| i32::try_from(a).ok()),
                requests: vec![],
                active_plan: (plan != ActivePlan::default()).then_some(plan),
                caseworker: r.opt_text("caseworker")?,
                team: r.opt_text("team")?,
            });
        }
        for (person, request) in self.requests_of_import(import).await? {
            let Some(&n) = index.get(&person) else {
                return Err(crate::StoreError::Corrupt(format!(
                    "casework request for person {person} outside the return"
                )));
            };
            records[n].requests.push(request);
        }
        Ok(records)
    }

    /// Records that a member looked at case-level data (the overdue list, a case): every
    /// such view is in the audit log, naming what was seen but nothing about the child.
    pub async fn record_casework_view(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        what: &str,
    ) -> Result<()> {
        let mut write = self.begin_write().await?;
        record_view::<(), ()>(
            &mut write.tx,
            Change {
                partnership: Some(partnership),
                actor,
                entity: "casework_view",
                entity_id: partnership.0,
                change: "viewed",
                summary: format!("Casework viewed: {what}"),
                before: None,
                after: None,
            },
        )
        .await?;
        write.commit_unseen().await
    }

    /// Adds one of the clock's figures to a plan as a computed measure, with a value for
    /// every month the returns imported cover. A plan holds each at most once.
    pub async fn add_casework_measure(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        plan: PlanId,
        what: CaseworkMeasure,
    ) -> Result<MeasureId> {
        let id = self
            .insert_computed_measure(
                actor,
                partnership,
                plan,
                &what.input(),
                ("casework", what.code()),
            )
            .await?;
        self.refresh_casework_measures(partnership).await?;
        Ok(id)
    }

    /// The casework measures each of the partnership's plans holds.
    pub async fn casework_measures(
        &self,
        partnership: PartnershipId,
    ) -> Result<Vec<(PlanId, MeasureId, CaseworkMeasure)>> {
        self.computed_measures_from(partnership, "casework", CaseworkMeasure::from_code)
            .await
    }

    /// Records each casework measure's value for every month of every return imported,
    /// where it differs from the value held (a month suppressed or with nothing to
    /// measure is left as it is). Run after each import. Returns how many were recorded.
    pub async fn refresh_casework_measures(&self, partnership: PartnershipId) -> Result<usize> {
        let measures = self.casework_measures(partnership).await?;
        if measures.is_empty() {
            return Ok(0);
        }
        let settings = ClockSettings::default();
        let mut recorded = 0;
        let mut years: Vec<i32> = self
            .casework_imports(partnership)
            .await?
            .iter()
            .map(|i| i.collection_year)
            .collect();
        years.dedup();
        for collection_year in years {
            let records = self.casework_records(partnership, collection_year).await?;
            let requests: Vec<Request> = records
                .iter()
                .flat_map(|c| c.requests.iter().map(|r| r.request.clone()))
                .collect();
            let plans: Vec<ActivePlan> = records
                .iter()
                .filter_map(|c| c.active_plan.clone())
                .collect();
            let year = collection_year - 1;
            let (Ok(first), Ok(last)) = (
                Date::from_calendar_date(year, Month::January, 1),
                Date::from_calendar_date(year, Month::December, 31),
            ) else {
                continue;
            };
            for (_, id, what) in &measures {
                let measure = self.get_measure(partnership, *id).await?;
                let held = self.list_data_points(partnership, *id, false).await?;
                let mut inputs = Vec::new();
                for period in measure.frequency.periods_between(first, last) {
                    let Reading::Value(value, note) = what.reading(
                        period.span.start,
                        period.span.end,
                        &requests,
                        &plans,
                        &settings,
                    ) else {
                        continue;
                    };
                    if held
                        .iter()
                        .any(|p| p.period == period && p.value == value && p.note == note)
                    {
                        continue;
                    }
                    inputs.push(DataPointInput {
                        period,
                        value,
                        status: DataStatus::Provisional,
                        note,
                    });
                }
                if !inputs.is_empty() {
                    let (n, _) = self
                        .record_data_points(Actor(None), partnership, *id, &inputs)
                        .await?;
                    recorded += n;
                }
            }
        }
        Ok(recorded)
    }
}
