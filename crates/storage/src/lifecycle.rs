//! Deleting and restoring structure and reference records (issue 13).
//!
//! A deletion removes a record and everything that belongs to it (an action's milestones,
//! leads and resources...), and keeps every removed row, parents first, in
//! `deleted_records`. Restoring inserts the same rows again with the same ids, so the plan
//! reads exactly as before. After [`RESTORE_DAYS`] the kept rows are purged; the audit
//! log's deletion entry still holds them.
//!
//! What may be deleted is declared per kind in [`spec`]: the rows that go with a record,
//! and the records that depend on it and so stop the deletion until they are moved,
//! merged or removed. A test checks that every foreign key in the schema that points at
//! a deletable table is declared one way or the other, so a new table cannot be forgotten.
//!
//! Rows are captured generically as JSON objects (SQLite's `json_object`, PostgreSQL's
//! `row_to_json`) and put back with `json_each` / `json_populate_recordset`, so a column
//! added by a later migration is kept and restored without changing this module.

use crate::audit::{record, Change};
use crate::sql::{now_text, parse_timestamp, timestamp_text, RowExt};
use crate::{Actor, Backend, Result, Store, StoreError, Tx};
use sendplan_domain::lifecycle::{count_of, RecordKind, RESTORE_DAYS};
use sendplan_domain::plan::Plan;
use sendplan_domain::{PartnershipId, PlanId, UserId};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// Rows of one table that go with a deleted record. `rows` is a WHERE clause in which
/// `$1` is the record's id. `noun` names them on the confirmation page; `None` for links
/// that are part of the record itself (an action's leads).
struct Owned {
    table: &'static str,
    rows: &'static str,
    noun: Option<(&'static str, &'static str)>,
}

/// Records that depend on a deleted record and stop its deletion.
struct Blocker {
    /// Counts the dependents; `$1` is the record's id.
    count: &'static str,
    noun: (&'static str, &'static str),
    /// What to do instead, completing the sentence after the count.
    way_on: &'static str,
}

struct Spec {
    table: &'static str,
    /// Selects `label`, `context` and `parent` (the id of the plan, action or inspection
    /// it belongs to, or NULL) for the record; `$1` is its id.
    describe: &'static str,
    versioned: bool,
    /// Parents first: restored in this order, deleted in the reverse.
    owned: &'static [Owned],
    blockers: &'static [Blocker],
}

/// Rows that are part of the record itself and need no mention (an action's leads).
/// A macro, not a function, so the specs stay constants.
macro_rules! link {
    ($table:expr, $rows:expr $(,)?) => {
        Owned {
            table: $table,
            rows: $rows,
            noun: None,
        }
    };
}

fn spec(kind: RecordKind) -> Spec {
    use RecordKind::*;
    match kind {
        // A plan goes with everything in it. Only one made in the last 30 days can be
        // deleted (see `preview_in`); older plans are archived.
        Plan => Spec {
            table: "plans",
            describe: "SELECT 'Plan: ' || title AS label, '' AS context, NULL AS parent FROM plans WHERE id = $1",
            versioned: true,
            owned: &[
                link!("ratings", "plan_id = $1"),
                Owned {
                    table: "areas",
                    rows: "plan_id = $1",
                    noun: Some(("area", "areas")),
                },
                link!("area_findings", "area_id IN (SELECT id FROM areas WHERE plan_id = $1)"),
                link!("area_summaries", "area_id IN (SELECT id FROM areas WHERE plan_id = $1)"),
                Owned {
                    table: "objectives",
                    rows: "plan_id = $1",
                    noun: Some(("objective", "objectives")),
                },
                Owned {
                    table: "actions",
                    rows: "plan_id = $1",
                    noun: Some(("action", "actions")),
                },
                link!("action_leads", "action_id IN (SELECT id FROM actions WHERE plan_id = $1)"),
                link!("action_partner_people", "action_id IN (SELECT id FROM actions WHERE plan_id = $1)"),
                link!("action_partner_organisations", "action_id IN (SELECT id FROM actions WHERE plan_id = $1)"),
                link!("action_resources", "action_id IN (SELECT id FROM actions WHERE plan_id = $1)"),
                link!("action_dependencies", "action_id IN (SELECT id FROM actions WHERE plan_id = $1)"),
                link!("action_extra_fields", "action_id IN (SELECT id FROM actions WHERE plan_id = $1)"),
                Owned {
                    table: "milestones",
                    rows: "plan_id = $1",
                    noun: Some(("milestone", "milestones")),
                },
                Owned {
                    table: "updates",
                    rows: "plan_id = $1",
                    noun: Some(("progress update", "progress updates")),
                },
                link!("update_supersessions", "update_id IN (SELECT id FROM updates WHERE plan_id = $1)"),
                link!("update_headings", "update_id IN (SELECT id FROM updates WHERE plan_id = $1)"),
                Owned {
                    table: "area_updates",
                    rows: "plan_id = $1",
                    noun: Some(("progress update of an area", "progress updates of areas")),
                },
                Owned {
                    table: "measures",
                    rows: "plan_id = $1",
                    noun: Some(("measure", "measures")),
                },
                link!("measure_targets", "measure_id IN (SELECT id FROM measures WHERE plan_id = $1)"),
                link!("measure_links", "measure_id IN (SELECT id FROM measures WHERE plan_id = $1)"),
                link!("comparators", "measure_id IN (SELECT id FROM measures WHERE plan_id = $1)"),
                link!("data_points", "measure_id IN (SELECT id FROM measures WHERE plan_id = $1)"),
                link!("published_measures", "plan_id = $1"),
                link!("computed_measures", "plan_id = $1"),
                Owned {
                    table: "surveys",
                    rows: "plan_id = $1",
                    noun: Some(("survey", "surveys")),
                },
                link!("survey_quotes", "survey_id IN (SELECT id FROM surveys WHERE plan_id = $1)"),
                link!("survey_questions", "survey_id IN (SELECT id FROM surveys WHERE plan_id = $1)"),
                link!(
                    "survey_options",
                    "question_id IN (SELECT q.id FROM survey_questions q JOIN surveys s ON s.id = q.survey_id WHERE s.plan_id = $1)"
                ),
                Owned {
                    table: "issued_reports",
                    rows: "plan_id = $1",
                    noun: Some(("issued paper", "issued papers")),
                },
                link!("published_reports", "plan_id = $1"),
                link!(
                    "report_supersessions",
                    "report_id IN (SELECT id FROM issued_reports WHERE plan_id = $1)"
                ),
                link!("reporting_lines", "plan_id = $1"),
                Owned {
                    table: "meetings",
                    rows: "plan_id = $1",
                    noun: Some(("meeting", "meetings")),
                },
                link!("meeting_agenda", "meeting_id IN (SELECT id FROM meetings WHERE plan_id = $1)"),
                link!("meeting_outcomes", "meeting_id IN (SELECT id FROM meetings WHERE plan_id = $1)"),
                link!("plan_publications", "plan_id = $1"),
                Owned {
                    table: "you_said_we_did",
                    rows: "plan_id = $1",
                    noun: Some(("\"You said, we did\" entry", "\"You said, we did\" entries")),
                },
                link!("reminder_settings", "plan_id = $1"),
                link!("outbox", "plan_id = $1"),
                link!("reminder_keys", "outbox_id IN (SELECT id FROM outbox WHERE plan_id = $1)"),
                link!("plan_archives", "plan_id = $1"),
                link!("plan_approvals", "plan_id = $1"),
                Owned {
                    table: "interventions",
                    rows: "plan_id = $1",
                    noun: Some(("intervention or review", "interventions and reviews")),
                },
            ],
            blockers: &[Blocker {
                count: "SELECT COUNT(*) FROM local_offer_feedback WHERE you_said_id IN (SELECT id FROM you_said_we_did WHERE plan_id = $1)",
                noun: (
                    "Local Offer comment is answered",
                    "Local Offer comments are answered",
                ),
                way_on: "in this plan's \"You said, we did\", which families have been shown. Archive the plan instead.",
            }],
        },
        Milestone => Spec {
            table: "milestones",
            describe: "SELECT 'Milestone: ' || m.title AS label, 'Action ' || a.number || ' of ' || p.title AS context, m.action_id AS parent \
                       FROM milestones m JOIN actions a ON a.id = m.action_id JOIN plans p ON p.id = m.plan_id WHERE m.id = $1",
            versioned: true,
            owned: &[],
            blockers: &[],
        },
        Action => Spec {
            table: "actions",
            describe: "SELECT 'Action ' || a.number || ': ' || a.description AS label, p.title AS context, a.plan_id AS parent \
                       FROM actions a JOIN plans p ON p.id = a.plan_id WHERE a.id = $1",
            versioned: true,
            owned: &[
                link!("action_leads", "action_id = $1"),
                link!("action_partner_people", "action_id = $1"),
                link!("action_partner_organisations", "action_id = $1"),
                link!("action_extra_fields", "action_id = $1"),
                Owned {
                    table: "action_resources",
                    rows: "action_id = $1",
                    noun: Some(("resource", "resources")),
                },
                Owned {
                    table: "action_dependencies",
                    rows: "action_id = $1",
                    noun: Some(("dependency on another action", "dependencies on other actions")),
                },
                Owned {
                    table: "milestones",
                    rows: "action_id = $1",
                    noun: Some(("milestone", "milestones")),
                },
            ],
            blockers: &[
                Blocker {
                    count: "SELECT COUNT(*) FROM updates WHERE action_id = $1",
                    noun: ("progress update is", "progress updates are"),
                    way_on: "its history, which is never deleted. Withdraw a wrong update instead, or archive the plan.",
                },
                Blocker {
                    count: "SELECT COUNT(*) FROM action_dependencies WHERE depends_on_id = $1",
                    noun: ("other action depends", "other actions depend"),
                    way_on: "on it. Change those actions so they no longer depend on it.",
                },
                Blocker {
                    count: "SELECT COUNT(*) FROM measure_links WHERE action_id = $1",
                    noun: ("measure is linked", "measures are linked"),
                    way_on: "to it. Change those measures first.",
                },
                Blocker {
                    count: "SELECT (SELECT COUNT(*) FROM meeting_agenda WHERE action_id = $1) + (SELECT COUNT(*) FROM meeting_outcomes WHERE plan_action_id = $1)",
                    noun: ("meeting record names", "meeting records name"),
                    way_on: "it (agendas and actions arising). Change those meetings first.",
                },
                Blocker {
                    count: "SELECT COUNT(*) FROM you_said_we_did WHERE action_id = $1",
                    noun: ("\"You said, we did\" entry names", "\"You said, we did\" entries name"),
                    way_on: "it. Change those entries first.",
                },
                Blocker {
                    count: "SELECT COUNT(*) FROM local_offer_feedback WHERE action_id = $1",
                    noun: ("Local Offer comment names", "Local Offer comments name"),
                    way_on: "it as what will be done. Change those comments first.",
                },
            ],
        },
        Objective => Spec {
            table: "objectives",
            describe: "SELECT 'Objective ' || o.number || ': ' || o.title AS label, p.title AS context, o.plan_id AS parent \
                       FROM objectives o JOIN plans p ON p.id = o.plan_id WHERE o.id = $1",
            versioned: true,
            owned: &[],
            blockers: &[
                Blocker {
                    count: "SELECT COUNT(*) FROM actions WHERE objective_id = $1",
                    noun: ("action belongs", "actions belong"),
                    way_on: "to it. Move them to another objective, or delete them, first.",
                },
                Blocker {
                    count: "SELECT COUNT(*) FROM area_updates WHERE objective_id = $1",
                    noun: ("progress update is", "progress updates are"),
                    way_on: "its history, which is never deleted. Archive the plan instead.",
                },
            ],
        },
        Area => Spec {
            table: "areas",
            describe: "SELECT 'Area ' || a.number || ': ' || a.title AS label, p.title AS context, a.plan_id AS parent \
                       FROM areas a JOIN plans p ON p.id = a.plan_id WHERE a.id = $1",
            versioned: true,
            owned: &[
                Owned {
                    table: "area_findings",
                    rows: "area_id = $1",
                    noun: Some(("link to an inspection finding", "links to inspection findings")),
                },
                Owned {
                    table: "area_summaries",
                    rows: "area_id = $1",
                    noun: Some(("public summary", "public summaries")),
                },
            ],
            blockers: &[
                Blocker {
                    count: "SELECT COUNT(*) FROM objectives WHERE area_id = $1",
                    noun: ("objective belongs", "objectives belong"),
                    way_on: "to it. Delete them first.",
                },
                Blocker {
                    count: "SELECT COUNT(*) FROM area_updates WHERE area_id = $1",
                    noun: ("progress update is", "progress updates are"),
                    way_on: "its history, which is never deleted. Archive the plan instead.",
                },
                Blocker {
                    count: "SELECT COUNT(*) FROM actions WHERE area_id = $1",
                    noun: ("action belongs", "actions belong"),
                    way_on: "to it. Move them to another area, or delete them, first.",
                },
                Blocker {
                    count: "SELECT COUNT(*) FROM measure_links WHERE area_id = $1",
                    noun: ("measure is linked", "measures are linked"),
                    way_on: "to it. Change those measures first.",
                },
            ],
        },
        Measure => Spec {
            table: "measures",
            describe: "SELECT 'Measure: ' || m.name AS label, p.title AS context, m.plan_id AS parent \
                       FROM measures m JOIN plans p ON p.id = m.plan_id WHERE m.id = $1",
            versioned: true,
            owned: &[
                Owned {
                    table: "measure_targets",
                    rows: "measure_id = $1",
                    noun: Some(("target", "targets")),
                },
                link!("measure_links", "measure_id = $1"),
                link!("published_measures", "measure_id = $1"),
                link!("computed_measures", "measure_id = $1"),
                Owned {
                    table: "comparators",
                    rows: "measure_id = $1",
                    noun: Some(("comparator value", "comparator values")),
                },
                Owned {
                    table: "data_points",
                    rows: "measure_id = $1",
                    noun: Some(("recorded value", "recorded values")),
                },
            ],
            blockers: &[],
        },
        Person => Spec {
            table: "people",
            describe: "SELECT 'Person: ' || CASE WHEN name = '' THEN job_title ELSE name END AS label, job_title AS context, NULL AS parent FROM people WHERE id = $1",
            versioned: true,
            owned: &[],
            blockers: &[
                Blocker {
                    count: "SELECT (SELECT COUNT(*) FROM action_leads WHERE person_id = $1) + (SELECT COUNT(*) FROM action_partner_people WHERE person_id = $1)",
                    noun: ("action names", "actions name"),
                    way_on: "them as a lead or partner. Merge them into the right person, or change those actions.",
                },
                Blocker {
                    count: "SELECT COUNT(*) FROM areas WHERE sro_person_id = $1",
                    noun: ("area has", "areas have"),
                    way_on: "them as senior responsible officer. Change those areas first.",
                },
                Blocker {
                    count: "SELECT COUNT(*) FROM measures WHERE owner_person_id = $1",
                    noun: ("measure has", "measures have"),
                    way_on: "them as owner. Change those measures first.",
                },
                Blocker {
                    count: "SELECT (SELECT COUNT(*) FROM memberships WHERE person_id = $1) + (SELECT COUNT(*) FROM invitations WHERE person_id = $1)",
                    noun: ("account or invitation is linked", "accounts or invitations are linked"),
                    way_on: "to them. Change the link on the Members page first.",
                },
            ],
        },
        Organisation => Spec {
            table: "organisations",
            describe: "SELECT 'Organisation: ' || name AS label, kind AS context, NULL AS parent FROM organisations WHERE id = $1",
            versioned: true,
            owned: &[],
            blockers: &[
                Blocker {
                    count: "SELECT COUNT(*) FROM people WHERE organisation_id = $1",
                    noun: ("person works", "people work"),
                    way_on: "there. Change their organisation first.",
                },
                Blocker {
                    count: "SELECT COUNT(*) FROM action_partner_organisations WHERE organisation_id = $1",
                    noun: ("action names", "actions name"),
                    way_on: "it as a partner. Change those actions first.",
                },
            ],
        },
        Inspection => Spec {
            table: "inspections",
            describe: "SELECT 'Inspection from ' || start_date AS label, framework AS context, NULL AS parent FROM inspections WHERE id = $1",
            versioned: true,
            owned: &[
                Owned {
                    table: "findings",
                    rows: "inspection_id = $1",
                    noun: Some(("finding", "findings")),
                },
                Owned {
                    table: "revisits",
                    rows: "inspection_id = $1",
                    noun: Some(("revisit", "revisits")),
                },
                link!(
                    "revisit_judgements",
                    "revisit_id IN (SELECT id FROM revisits WHERE inspection_id = $1)",
                ),
                Owned {
                    table: "area_findings",
                    rows: "finding_id IN (SELECT id FROM findings WHERE inspection_id = $1)",
                    noun: Some(("link from a plan's area", "links from plans' areas")),
                },
            ],
            blockers: &[Blocker {
                count: "SELECT COUNT(*) FROM plans WHERE inspection_id = $1",
                noun: ("plan answers", "plans answer"),
                way_on: "it. Change those plans first.",
            }],
        },
        Finding => Spec {
            table: "findings",
            describe: "SELECT 'Finding: ' || f.text AS label, 'Inspection from ' || i.start_date AS context, f.inspection_id AS parent \
                       FROM findings f JOIN inspections i ON i.id = f.inspection_id WHERE f.id = $1",
            versioned: false,
            owned: &[
                Owned {
                    table: "revisit_judgements",
                    rows: "finding_id = $1",
                    noun: Some(("revisit judgement", "revisit judgements")),
                },
                Owned {
                    table: "area_findings",
                    rows: "finding_id = $1",
                    noun: Some(("link from a plan's area", "links from plans' areas")),
                },
            ],
            blockers: &[],
        },
        Board => Spec {
            table: "boards",
            describe: "SELECT 'Board: ' || name AS label, '' AS context, NULL AS parent FROM boards WHERE id = $1",
            versioned: true,
            owned: &[Owned {
                table: "reporting_lines",
                rows: "board_id = $1",
                noun: Some(("plan reporting line", "plan reporting lines")),
            }],
            blockers: &[
                Blocker {
                    count: "SELECT COUNT(*) FROM meetings WHERE board_id = $1",
                    noun: ("meeting is", "meetings are"),
                    way_on: "recorded for it. Delete those meetings first.",
                },
                Blocker {
                    count: "SELECT COUNT(*) FROM boards WHERE reports_to = $1",
                    noun: ("board reports", "boards report"),
                    way_on: "to it. Change where those boards report first.",
                },
            ],
        },
        Meeting => Spec {
            table: "meetings",
            describe: "SELECT 'Meeting of ' || b.name || ' on ' || m.held_on AS label, p.title AS context, m.plan_id AS parent \
                       FROM meetings m JOIN boards b ON b.id = m.board_id JOIN plans p ON p.id = m.plan_id WHERE m.id = $1",
            versioned: true,
            owned: &[
                Owned {
                    table: "meeting_agenda",
                    rows: "meeting_id = $1",
                    noun: Some(("agenda item", "agenda items")),
                },
                Owned {
                    table: "meeting_outcomes",
                    rows: "meeting_id = $1",
                    noun: Some(("decision or action arising", "decisions and actions arising")),
                },
            ],
            blockers: &[],
        },
        Intervention => Spec {
            table: "interventions",
            describe: "SELECT CASE WHEN title = '' THEN kind ELSE title END || ', ' || on_date AS label, by_body AS context, NULL AS parent \
                       FROM interventions WHERE id = $1",
            versioned: true,
            owned: &[],
            blockers: &[],
        },
        Survey => Spec {
            table: "surveys",
            describe: "SELECT 'Survey: ' || s.title AS label, p.title AS context, s.plan_id AS parent \
                       FROM surveys s JOIN plans p ON p.id = s.plan_id WHERE s.id = $1",
            versioned: true,
            owned: &[
                Owned {
                    table: "survey_quotes",
                    rows: "survey_id = $1",
                    noun: Some(("quote", "quotes")),
                },
                Owned {
                    table: "survey_questions",
                    rows: "survey_id = $1",
                    noun: Some(("question", "questions")),
                },
                link!(
                    "survey_options",
                    "question_id IN (SELECT id FROM survey_questions WHERE survey_id = $1)",
                ),
            ],
            blockers: &[],
        },
    }
}

/// What deleting a record would do, for its confirmation page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeletionPreview {
    pub kind: RecordKind,
    pub record_id: i64,
    pub label: String,
    pub context: String,
    /// The plan, action or inspection it belongs to, for going back there.
    pub parent_id: Option<i64>,
    /// The record's version when read, to refuse the deletion if it changes meanwhile.
    pub version: Option<i64>,
    /// What is removed with it: "3 milestones".
    pub goes_with: Vec<String>,
    /// What stops the deletion, each a sentence: "2 progress updates are its history...".
    pub blocked_by: Vec<String>,
}

/// A record in the "Recently deleted" list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeletedRecord {
    pub id: i64,
    pub kind: RecordKind,
    pub record_id: i64,
    pub label: String,
    pub context: String,
    pub parent_id: Option<i64>,
    pub deleted_at: OffsetDateTime,
    pub deleted_by: Option<UserId>,
    pub deleted_by_name: String,
}

/// The columns [`deleted_from`] reads. Not the kept rows, which can be large: only a
/// restore reads them.
macro_rules! deleted_columns {
    () => {
        "d.id, d.kind, d.record_id, d.label, d.context, d.parent_id, d.deleted_at, d.deleted_by, \
         COALESCE(u.display_name, '') AS deleted_by_name"
    };
}
macro_rules! deleted_select {
    () => {
        concat!(
            "SELECT ",
            deleted_columns!(),
            " FROM deleted_records d LEFT JOIN users u ON u.id = d.deleted_by"
        )
    };
}

fn deleted_from(row: &sqlx::any::AnyRow) -> Result<DeletedRecord> {
    Ok(DeletedRecord {
        id: row.int("id")?,
        kind: row.code("kind", RecordKind::from_code)?,
        record_id: row.int("record_id")?,
        label: row.text("label")?,
        context: row.text("context")?,
        parent_id: row.opt_int("parent_id")?,
        deleted_at: parse_timestamp(&row.text("deleted_at")?)?,
        deleted_by: row.opt_int("deleted_by")?.map(UserId),
        deleted_by_name: row.text("deleted_by_name")?,
    })
}

/// The rows of one table removed by a deletion, as JSON objects.
#[derive(Debug, Serialize, Deserialize)]
struct TableRows {
    table: String,
    rows: Vec<serde_json::Value>,
}

impl Store {
    /// What deleting a record would remove and what stops it. Not found unless the record
    /// is in `partnership`.
    pub async fn deletion_preview(
        &self,
        partnership: PartnershipId,
        kind: RecordKind,
        id: i64,
    ) -> Result<DeletionPreview> {
        let mut tx = self.pool().begin().await?;
        let preview = preview_in(&mut tx, partnership, kind, id).await?;
        tx.rollback().await?;
        Ok(preview)
    }

    /// Deletes a record and what goes with it into "Recently deleted". Refused with
    /// [`StoreError::Conflict`] when the record changed since `version` was read, and with
    /// [`StoreError::Rule`] when something still depends on it.
    pub async fn delete_record(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        kind: RecordKind,
        id: i64,
        version: Option<i64>,
    ) -> Result<i64> {
        let spec = spec(kind);
        let mut write = self.begin_write().await?;
        let preview = preview_in(&mut write.tx, partnership, kind, id).await?;
        if spec.versioned && version.is_some() && preview.version != version {
            return Err(StoreError::Conflict);
        }
        if !preview.blocked_by.is_empty() {
            return Err(StoreError::Rule(format!(
                "The {} cannot be deleted: {}",
                kind.label(),
                preview.blocked_by.join(" ")
            )));
        }
        let where_root = "id = $1";
        let mut kept = vec![TableRows {
            table: spec.table.to_owned(),
            rows: self
                .capture(&mut write.tx, spec.table, where_root, id)
                .await?,
        }];
        for owned in spec.owned {
            kept.push(TableRows {
                table: owned.table.to_owned(),
                rows: self
                    .capture(&mut write.tx, owned.table, owned.rows, id)
                    .await?,
            });
        }
        // A plan's progress updates and issued papers are append-only; the database lets
        // them go only while the plan is named in plan_deletions, within this transaction.
        if kind == RecordKind::Plan {
            sqlx::query("INSERT INTO plan_deletions (plan_id) VALUES ($1)")
                .bind(id)
                .execute(&mut *write.tx)
                .await?;
        }
        // Children first, so no foreign key is left dangling at any statement's end.
        for owned in spec.owned.iter().rev() {
            sqlx::query(&format!("DELETE FROM {} WHERE {}", owned.table, owned.rows))
                .bind(id)
                .execute(&mut *write.tx)
                .await?;
        }
        let removed = sqlx::query(&format!(
            "DELETE FROM {} WHERE id = $1 AND partnership_id = $2",
            spec.table
        ))
        .bind(id)
        .bind(partnership.0)
        .execute(&mut *write.tx)
        .await;
        if let Err(error) = removed {
            write.rollback().await?;
            return Err(match &error {
                // Something outside the record still names it (a declared blocker would
                // have said so first; this is the database's own check).
                sqlx::Error::Database(db) if db.is_foreign_key_violation() => {
                    StoreError::Rule(format!(
                        "The {} cannot be deleted: another record still refers to it.",
                        kind.label()
                    ))
                }
                _ => StoreError::Database(error),
            });
        }
        if kind == RecordKind::Plan {
            sqlx::query("DELETE FROM plan_deletions WHERE plan_id = $1")
                .bind(id)
                .execute(&mut *write.tx)
                .await?;
        }
        let rows_json =
            serde_json::to_string(&kept).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let deleted_id: i64 = sqlx::query_scalar(
            "INSERT INTO deleted_records (partnership_id, kind, record_id, label, context, parent_id, rows_json, deleted_at, deleted_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(partnership.0)
        .bind(kind.code())
        .bind(id)
        .bind(preview.label.clone())
        .bind(preview.context.clone())
        .bind(preview.parent_id)
        .bind(rows_json)
        .bind(now_text())
        .bind(actor.0.map(|u| u.0))
        .fetch_one(&mut *write.tx)
        .await?;
        record::<_, ()>(
            &mut write.tx,
            Change {
                partnership: Some(partnership),
                actor,
                entity: kind.code(),
                entity_id: id,
                change: "deleted",
                summary: format!(
                    "Deleted {}{}",
                    preview.label,
                    if preview.goes_with.is_empty() {
                        String::new()
                    } else {
                        format!(", with {}", preview.goes_with.join(", "))
                    }
                ),
                before: Some(&kept),
                after: None,
            },
        )
        .await?;
        write.commit().await?;
        Ok(deleted_id)
    }

    /// The partnership's deleted records that can still be restored, newest first.
    pub async fn list_deleted(&self, partnership: PartnershipId) -> Result<Vec<DeletedRecord>> {
        let rows = sqlx::query(concat!(
            deleted_select!(),
            " WHERE d.partnership_id = $1 ORDER BY d.deleted_at DESC, d.id DESC"
        ))
        .bind(partnership.0)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(deleted_from).collect()
    }

    /// One deleted record of the partnership's, while it can be restored.
    pub async fn get_deleted(&self, partnership: PartnershipId, id: i64) -> Result<DeletedRecord> {
        let row = sqlx::query(concat!(
            deleted_select!(),
            " WHERE d.id = $1 AND d.partnership_id = $2"
        ))
        .bind(id)
        .bind(partnership.0)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
        deleted_from(&row)
    }

    /// Puts a deleted record back exactly as it was, with the same ids. Refused, saying
    /// why, when what it belonged to has been deleted since or its number is now taken.
    pub async fn restore_deleted(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        deleted: i64,
    ) -> Result<DeletedRecord> {
        let mut write = self.begin_write().await?;
        let row = sqlx::query(concat!(
            "SELECT ",
            deleted_columns!(),
            ", d.rows_json FROM deleted_records d LEFT JOIN users u ON u.id = d.deleted_by \
                 WHERE d.id = $1 AND d.partnership_id = $2"
        ))
        .bind(deleted)
        .bind(partnership.0)
        .fetch_optional(&mut *write.tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let restored = deleted_from(&row)?;
        let (kind, record_id, label) = (restored.kind, restored.record_id, restored.label.clone());
        let kept: Vec<TableRows> = serde_json::from_str(&row.text("rows_json")?)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        for group in &kept {
            if group.rows.is_empty() {
                continue;
            }
            if let Err(error) = self.put_back(&mut write.tx, group).await {
                write.rollback().await?;
                return Err(restore_refusal(kind, error));
            }
        }
        sqlx::query("DELETE FROM deleted_records WHERE id = $1")
            .bind(deleted)
            .execute(&mut *write.tx)
            .await?;
        record::<(), _>(
            &mut write.tx,
            Change {
                partnership: Some(partnership),
                actor,
                entity: kind.code(),
                entity_id: record_id,
                change: "restored",
                summary: format!("Restored {label}"),
                before: None,
                after: Some(&kept),
            },
        )
        .await?;
        write.commit().await?;
        Ok(restored)
    }

    /// Purges deleted records older than [`RESTORE_DAYS`] at `now`; the audit log keeps
    /// their last state. Returns how many were purged.
    pub async fn purge_deleted(&self, now: OffsetDateTime) -> Result<u64> {
        let cutoff = timestamp_text(now - time::Duration::days(RESTORE_DAYS));
        let mut write = self.begin_write().await?;
        let due = sqlx::query(
            "SELECT id, partnership_id, kind, record_id, label FROM deleted_records WHERE deleted_at <= $1",
        )
        .bind(cutoff)
        .fetch_all(&mut *write.tx)
        .await?;
        let mut purged = 0;
        for row in &due {
            // Another server sharing the database may have purged it a moment ago: only
            // the one that removed the row logs it.
            let removed = sqlx::query("DELETE FROM deleted_records WHERE id = $1")
                .bind(row.int("id")?)
                .execute(&mut *write.tx)
                .await?;
            if removed.rows_affected() == 0 {
                continue;
            }
            purged += 1;
            record::<(), ()>(
                &mut write.tx,
                Change {
                    partnership: Some(PartnershipId(row.int("partnership_id")?)),
                    actor: Actor(None),
                    entity: &row.text("kind")?,
                    entity_id: row.int("record_id")?,
                    change: "purged",
                    summary: format!(
                        "{} was deleted more than {RESTORE_DAYS} days ago and can no longer be restored; its last state is in its deletion entry",
                        row.text("label")?
                    ),
                    before: None,
                    after: None,
                },
            )
            .await?;
        }
        write.commit().await?;
        Ok(purged)
    }

    /// Every row of `table` matching `rows` (with `$1` = `id`), as JSON objects.
    async fn capture(
        &self,
        tx: &mut Tx,
        table: &str,
        rows: &str,
        id: i64,
    ) -> Result<Vec<serde_json::Value>> {
        let sql = match self.backend() {
            Backend::Postgres => {
                format!("SELECT row_to_json(t)::text AS j FROM {table} t WHERE {rows} ORDER BY 1")
            }
            Backend::Sqlite => {
                let pairs = columns(tx, table)
                    .await?
                    .iter()
                    .map(|c| format!("'{c}', \"{c}\""))
                    .collect::<Vec<_>>()
                    .join(", ");
                format!("SELECT json_object({pairs}) AS j FROM {table} WHERE {rows} ORDER BY 1")
            }
        };
        let found: Vec<String> = sqlx::query_scalar(&sql)
            .bind(id)
            .fetch_all(&mut **tx)
            .await?;
        found
            .iter()
            .map(|j| serde_json::from_str(j).map_err(|e| StoreError::Corrupt(e.to_string())))
            .collect()
    }

    /// Inserts captured rows again, in one statement so rows that refer to each other
    /// (a value replaced by a later value) satisfy their foreign keys at its end.
    async fn put_back(&self, tx: &mut Tx, group: &TableRows) -> Result<()> {
        let json =
            serde_json::to_string(&group.rows).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let table = &group.table;
        let sql = match self.backend() {
            Backend::Postgres => format!(
                "INSERT INTO {table} SELECT * FROM json_populate_recordset(NULL::{table}, CAST($1 AS json))"
            ),
            Backend::Sqlite => {
                let columns = columns(tx, table).await?;
                let names = columns
                    .iter()
                    .map(|c| format!("\"{c}\""))
                    .collect::<Vec<_>>()
                    .join(", ");
                let values = columns
                    .iter()
                    .map(|c| format!("json_extract(value, '$.{c}')"))
                    .collect::<Vec<_>>()
                    .join(", ");
                format!("INSERT INTO {table} ({names}) SELECT {values} FROM json_each($1)")
            }
        };
        sqlx::query(&sql).bind(json).execute(&mut **tx).await?;
        Ok(())
    }
}

/// Why and when a plan was archived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanArchive {
    pub at: OffsetDateTime,
    pub by_name: String,
    pub reason: String,
}

impl Store {
    /// Archives a plan: it leaves the home page, My actions, reminders and the public
    /// pages, and stays readable. Refused with [`StoreError::Conflict`] when the plan
    /// changed since `version` was read.
    pub async fn archive_plan(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        plan: PlanId,
        version: i64,
        reason: &str,
    ) -> Result<()> {
        let mut write = self.begin_write().await?;
        let found = sqlx::query(
            "SELECT title, version, (SELECT COUNT(*) FROM plan_archives x WHERE x.plan_id = p.id) AS archived \
             FROM plans p WHERE id = $1 AND partnership_id = $2",
        )
        .bind(plan.0)
        .bind(partnership.0)
        .fetch_optional(&mut *write.tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        if found.int("version")? != version || found.int("archived")? > 0 {
            return Err(StoreError::Conflict);
        }
        sqlx::query(
            "INSERT INTO plan_archives (plan_id, partnership_id, archived_at, archived_by, reason) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(plan.0)
        .bind(partnership.0)
        .bind(now_text())
        .bind(actor.0.map(|u| u.0))
        .bind(reason.to_owned())
        .execute(&mut *write.tx)
        .await?;
        // The plan's version moves so a form opened before the archive is refused.
        sqlx::query("UPDATE plans SET version = version + 1 WHERE id = $1")
            .bind(plan.0)
            .execute(&mut *write.tx)
            .await?;
        record::<(), _>(
            &mut write.tx,
            Change {
                partnership: Some(partnership),
                actor,
                entity: "plan",
                entity_id: plan.0,
                change: "archived",
                summary: format!("Archived {}: {reason}", found.text("title")?),
                before: None,
                after: Some(&reason),
            },
        )
        .await?;
        write.commit().await
    }

    /// Brings an archived plan back into use.
    pub async fn unarchive_plan(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        plan: PlanId,
    ) -> Result<()> {
        let mut write = self.begin_write().await?;
        let title: String =
            sqlx::query_scalar("SELECT title FROM plans WHERE id = $1 AND partnership_id = $2")
                .bind(plan.0)
                .bind(partnership.0)
                .fetch_optional(&mut *write.tx)
                .await?
                .ok_or(StoreError::NotFound)?;
        let removed = sqlx::query("DELETE FROM plan_archives WHERE plan_id = $1")
            .bind(plan.0)
            .execute(&mut *write.tx)
            .await?;
        if removed.rows_affected() == 0 {
            return Err(StoreError::Conflict);
        }
        sqlx::query("UPDATE plans SET version = version + 1 WHERE id = $1")
            .bind(plan.0)
            .execute(&mut *write.tx)
            .await?;
        record::<(), ()>(
            &mut write.tx,
            Change {
                partnership: Some(partnership),
                actor,
                entity: "plan",
                entity_id: plan.0,
                change: "restored",
                summary: format!("Brought {title} back from the archive"),
                before: None,
                after: None,
            },
        )
        .await?;
        write.commit().await
    }

    /// Whether a plan can still be deleted outright: it was made in the last 30 days.
    pub async fn plan_deletable(&self, partnership: PartnershipId, plan: PlanId) -> Result<bool> {
        let created: String = sqlx::query_scalar(
            "SELECT created_at FROM plans WHERE id = $1 AND partnership_id = $2",
        )
        .bind(plan.0)
        .bind(partnership.0)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
        Ok(sendplan_domain::lifecycle::plan_deletable(
            parse_timestamp(&created)?,
            OffsetDateTime::now_utc(),
        ))
    }

    /// Whether a plan is archived, and why.
    pub async fn plan_archive(
        &self,
        partnership: PartnershipId,
        plan: PlanId,
    ) -> Result<Option<PlanArchive>> {
        let row = sqlx::query(
            "SELECT x.archived_at, x.reason, COALESCE(u.display_name, '') AS by_name FROM plan_archives x \
             LEFT JOIN users u ON u.id = x.archived_by WHERE x.plan_id = $1 AND x.partnership_id = $2",
        )
        .bind(plan.0)
        .bind(partnership.0)
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| archive_from(&r)).transpose()
    }

    /// Every plan of the partnership, archived ones too, oldest first: for its history
    /// (the timeline, a whole-history export, choosing a plan an intervention concerns).
    pub async fn list_every_plan(&self, partnership: PartnershipId) -> Result<Vec<Plan>> {
        let mut plans = self.list_plans(partnership).await?;
        plans.extend(
            self.list_archived_plans(partnership)
                .await?
                .into_iter()
                .map(|(plan, _)| plan),
        );
        plans.sort_by_key(|p| p.id);
        Ok(plans)
    }

    /// The partnership's archived plans, most recently archived first.
    pub async fn list_archived_plans(
        &self,
        partnership: PartnershipId,
    ) -> Result<Vec<(Plan, PlanArchive)>> {
        let rows = sqlx::query(
            "SELECT p.*, x.archived_at, x.reason, COALESCE(u.display_name, '') AS by_name \
             FROM plans p JOIN plan_archives x ON x.plan_id = p.id LEFT JOIN users u ON u.id = x.archived_by \
             WHERE p.partnership_id = $1 ORDER BY x.archived_at DESC, p.id DESC",
        )
        .bind(partnership.0)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((crate::plans::plan_from(r)?, archive_from(r)?)))
            .collect()
    }
}

fn archive_from(row: &sqlx::any::AnyRow) -> Result<PlanArchive> {
    Ok(PlanArchive {
        at: parse_timestamp(&row.text("archived_at")?)?,
        by_name: row.text("by_name")?,
        reason: row.text("reason")?,
    })
}

/// A SQLite table's column names, from the schema itself.
async fn columns(tx: &mut Tx, table: &str) -> Result<Vec<String>> {
    let names: Vec<String> =
        sqlx::query_scalar("SELECT name FROM pragma_table_info($1) ORDER BY cid")
            .bind(table.to_owned())
            .fetch_all(&mut **tx)
            .await?;
    if names.is_empty() {
        return Err(StoreError::Corrupt(format!("no table {table}")));
    }
    Ok(names)
}

async fn preview_in(
    tx: &mut Tx,
    partnership: PartnershipId,
    kind: RecordKind,
    id: i64,
) -> Result<DeletionPreview> {
    let spec = spec(kind);
    let version_column = if spec.versioned { "version" } else { "NULL" };
    let version: Option<i64> = sqlx::query_scalar::<_, Option<i64>>(&format!(
        "SELECT {version_column} FROM {} WHERE id = $1 AND partnership_id = $2",
        spec.table
    ))
    .bind(id)
    .bind(partnership.0)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(StoreError::NotFound)?;
    let described = sqlx::query(spec.describe)
        .bind(id)
        .fetch_one(&mut **tx)
        .await?;
    let mut goes_with = Vec::new();
    for owned in spec.owned {
        if let Some((singular, plural)) = owned.noun {
            let n: i64 = sqlx::query_scalar(&format!(
                "SELECT COUNT(*) FROM {} WHERE {}",
                owned.table, owned.rows
            ))
            .bind(id)
            .fetch_one(&mut **tx)
            .await?;
            if n > 0 {
                goes_with.push(count_of(n, singular, plural));
            }
        }
    }
    let mut blocked_by = Vec::new();
    if kind == RecordKind::Plan {
        let created: String = sqlx::query_scalar("SELECT created_at FROM plans WHERE id = $1")
            .bind(id)
            .fetch_one(&mut **tx)
            .await?;
        let created = parse_timestamp(&created)?;
        if !sendplan_domain::lifecycle::plan_deletable(created, OffsetDateTime::now_utc()) {
            blocked_by.push(format!(
                "It was created or imported on {}, more than {} days ago, so it is part of the partnership's history. Archive it instead: it leaves the home page, My actions, reminders and the public pages, and stays readable.",
                sendplan_domain::input::long_date(created.date()),
                sendplan_domain::lifecycle::PLAN_DELETABLE_DAYS
            ));
        }
    }
    for blocker in spec.blockers {
        let n: i64 = sqlx::query_scalar(blocker.count)
            .bind(id)
            .fetch_one(&mut **tx)
            .await?;
        if n > 0 {
            let (singular, plural) = blocker.noun;
            blocked_by.push(format!(
                "{} {}",
                count_of(n, singular, plural),
                blocker.way_on
            ));
        }
    }
    Ok(DeletionPreview {
        kind,
        record_id: id,
        label: described.text("label")?,
        context: described.opt_text("context")?.unwrap_or_default(),
        parent_id: described.opt_int("parent")?,
        version,
        goes_with,
        blocked_by,
    })
}

/// Why a restore could not put the rows back, in words.
fn restore_refusal(kind: RecordKind, error: StoreError) -> StoreError {
    match &error {
        StoreError::Database(sqlx::Error::Database(db)) if db.is_unique_violation() => {
            StoreError::Rule(format!(
                "The {} cannot be restored: another record now has its number or name. Change that one, then restore this.",
                kind.label()
            ))
        }
        StoreError::Database(sqlx::Error::Database(db)) if db.is_foreign_key_violation() => {
            StoreError::Rule(format!(
                "The {} cannot be restored: something it belonged to (its plan, area, action, inspection, board or person) has been deleted since. Restore that first.",
                kind.label()
            ))
        }
        _ => error,
    }
}

/// Every deletable kind's table, and every table and column that refers to it: for the
/// test that no foreign key is left undeclared.
#[cfg(test)]
fn declared_references() -> Vec<(&'static str, Vec<&'static str>)> {
    RecordKind::ALL
        .iter()
        .map(|kind| {
            let spec = spec(*kind);
            let mut sql: Vec<&'static str> = spec.owned.iter().map(|o| o.rows).collect();
            sql.extend(spec.owned.iter().map(|o| o.table));
            sql.extend(spec.blockers.iter().map(|b| b.count));
            (spec.table, sql)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::Row;

    /// Every foreign key that points at a deletable table is either something that goes
    /// with the record or something that stops its deletion; a new table that refers to
    /// actions (say) fails this test until it is declared.
    #[tokio::test]
    async fn every_reference_to_a_deletable_record_is_declared() {
        let path = std::env::temp_dir().join(format!("sendplan-lc-{}.db", std::process::id()));
        let store = Store::open(&format!("sqlite://{}", path.display()))
            .await
            .expect("open");
        let rows = sqlx::query(
            "SELECT m.name AS tbl, f.\"from\" AS col, f.\"table\" AS target FROM sqlite_master m, pragma_foreign_key_list(m.name) f \
             WHERE m.type = 'table' ORDER BY 1, 2",
        )
        .fetch_all(store.pool())
        .await
        .expect("foreign keys");
        store.close().await;
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
        let declared = declared_references();
        let mut missing = Vec::new();
        for row in &rows {
            let (table, column, target): (String, String, String) =
                (row.get("tbl"), row.get("col"), row.get("target"));
            // History and bookkeeping tables refer to these by design and are handled
            // where the record's blockers count them (updates) or are not partnership data.
            if table == "deleted_records" || table == "audit_events" {
                continue;
            }
            let Some((_, sql)) = declared.iter().find(|(t, _)| *t == target) else {
                continue;
            };
            if table == target && column != "reports_to" {
                continue;
            }
            let needle = format!("{table} WHERE {column}");
            let owned_here = sql.iter().any(|s| s.contains(&needle))
                || sql.iter().any(|s| *s == table)
                    && sql.iter().any(|s| s.starts_with(&format!("{column} ")));
            if !owned_here {
                missing.push(format!("{table}.{column} -> {target}"));
            }
        }
        assert!(missing.is_empty(), "undeclared references: {missing:?}");
    }
}
