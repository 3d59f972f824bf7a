//! Publication settings and "You said, we did" entries.

use crate::audit::{record, record_created, Change, Subject};
use crate::sql::{date_text, now_text, RowExt};
use crate::{Actor, Result, Store, StoreError};
use sendplan_domain::publication::*;
use sendplan_domain::*;

/// The columns [`you_said_from`] reads, named so that a migration adding a column cannot
/// change what a cached statement returns.
macro_rules! you_said_select {
    () => {
        "SELECT id, plan_id, said, response, action_id, said_on, published, version FROM you_said_we_did"
    };
}

fn you_said_from(r: &sqlx::any::AnyRow) -> Result<YouSaid> {
    Ok(YouSaid {
        id: YouSaidId(r.int("id")?),
        plan_id: PlanId(r.int("plan_id")?),
        said: r.text("said")?,
        response: r.text("response")?,
        action_id: r.opt_int("action_id")?.map(ActionId),
        said_on: r.date("said_on")?,
        published: r.int("published")? != 0,
        version: r.int("version")?,
    })
}

/// Writes a new "You said, we did" entry; the caller logs it.
pub(crate) async fn insert_you_said(
    tx: &mut crate::Tx,
    partnership: PartnershipId,
    plan: PlanId,
    input: &YouSaidInput,
) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO you_said_we_did (partnership_id, plan_id, said, response, action_id, said_on, published, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(partnership.0)
    .bind(plan.0)
    .bind(input.said.clone())
    .bind(input.response.clone())
    .bind(input.action_id.map(|a| a.0))
    .bind(date_text(input.said_on))
    .bind(i64::from(input.published))
    .bind(now_text())
    .fetch_one(&mut **tx)
    .await?)
}

/// Changes a "You said, we did" entry, only at `version` if one is given; says whether it
/// was changed. The caller logs it.
pub(crate) async fn write_you_said(
    tx: &mut crate::Tx,
    partnership: PartnershipId,
    id: YouSaidId,
    input: &YouSaidInput,
    version: Option<i64>,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE you_said_we_did SET said = $1, response = $2, action_id = $3, said_on = $4, published = $5, version = version + 1 \
         WHERE id = $6 AND partnership_id = $7 AND ($8 = 0 OR version = $8)",
    )
    .bind(input.said.clone())
    .bind(input.response.clone())
    .bind(input.action_id.map(|a| a.0))
    .bind(date_text(input.said_on))
    .bind(i64::from(input.published))
    .bind(id.0)
    .bind(partnership.0)
    .bind(version.unwrap_or(0))
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() > 0)
}

impl Store {
    /// A plan's publication settings (not published, if none were ever saved).
    pub async fn get_publication(
        &self,
        partnership: PartnershipId,
        plan: PlanId,
    ) -> Result<Publication> {
        let row = sqlx::query(
            "SELECT * FROM plan_publications WHERE plan_id = $1 AND partnership_id = $2",
        )
        .bind(plan.0)
        .bind(partnership.0)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else {
            return Ok(Publication::default());
        };
        let areas = sqlx::query(
            "SELECT s.area_id, s.summary, s.easy_read FROM area_summaries s JOIN areas a ON a.id = s.area_id \
             WHERE a.plan_id = $1 AND s.partnership_id = $2 ORDER BY s.area_id",
        )
        .bind(plan.0)
        .bind(partnership.0)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(AreaText {
                area: AreaId(r.int("area_id")?),
                summary: r.text("summary")?,
                easy_read: r.text("easy_read")?,
            })
        })
        .collect::<Result<_>>()?;
        let measures = sqlx::query(
            "SELECT measure_id FROM published_measures WHERE plan_id = $1 AND partnership_id = $2 ORDER BY measure_id",
        )
        .bind(plan.0)
        .bind(partnership.0)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| r.int("measure_id").map(MeasureId))
        .collect::<Result<Vec<_>>>()?;
        Ok(Publication {
            measures,
            published: row.int("published")? != 0,
            summary: row.text("summary")?,
            show_ratings: row.int("show_ratings")? != 0,
            show_measures: row.int("show_measures")? != 0,
            show_roles: row.int("show_roles")? != 0,
            show_names: row.int("show_names")? != 0,
            areas,
            version: row.int("version")?,
        })
    }

    /// Saves what is published about a plan, if it is still at `version` (0: never saved).
    pub async fn set_publication(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        plan: PlanId,
        version: i64,
        input: &Publication,
    ) -> Result<()> {
        self.get_plan(partnership, plan).await?;
        let before = self.get_publication(partnership, plan).await?;
        if before.version != version {
            return Err(StoreError::Conflict);
        }
        let plan_areas = self.list_areas(partnership, plan).await?;
        if input
            .areas
            .iter()
            .any(|t| !plan_areas.iter().any(|p| p.id == t.area))
        {
            return Err(StoreError::Rule(
                "Summaries can only be written for this plan's areas".to_owned(),
            ));
        }
        let plan_measures: Vec<MeasureId> =
            sqlx::query("SELECT id FROM measures WHERE plan_id = $1 AND partnership_id = $2")
                .bind(plan.0)
                .bind(partnership.0)
                .fetch_all(self.pool())
                .await?
                .iter()
                .map(|r| r.int("id").map(MeasureId))
                .collect::<Result<_>>()?;
        if input.measures.iter().any(|m| !plan_measures.contains(m)) {
            return Err(StoreError::Rule(
                "Only this plan's own measures can be shown on its page".to_owned(),
            ));
        }
        let mut write = self.begin_write().await?;
        let flags = (
            i64::from(input.published),
            i64::from(input.show_ratings),
            i64::from(input.show_measures),
            i64::from(input.show_roles),
            i64::from(input.show_names),
        );
        let done = if version == 0 {
            sqlx::query(
                "INSERT INTO plan_publications (plan_id, partnership_id, published, summary, show_ratings, show_measures, show_roles, show_names, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(plan.0)
            .bind(partnership.0)
            .bind(flags.0)
            .bind(input.summary.clone())
            .bind(flags.1)
            .bind(flags.2)
            .bind(flags.3)
            .bind(flags.4)
            .bind(now_text())
            .execute(&mut *write.tx)
            .await
            .map_err(crate::duplicate_as("Someone else saved this plan's publication first"))?
        } else {
            sqlx::query(
                "UPDATE plan_publications SET published = $1, summary = $2, show_ratings = $3, show_measures = $4, show_roles = $5, \
                 show_names = $6, updated_at = $7, version = version + 1 WHERE plan_id = $8 AND partnership_id = $9 AND version = $10",
            )
            .bind(flags.0)
            .bind(input.summary.clone())
            .bind(flags.1)
            .bind(flags.2)
            .bind(flags.3)
            .bind(flags.4)
            .bind(now_text())
            .bind(plan.0)
            .bind(partnership.0)
            .bind(version)
            .execute(&mut *write.tx)
            .await?
        };
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict);
        }
        for area in &plan_areas {
            sqlx::query("DELETE FROM area_summaries WHERE area_id = $1")
                .bind(area.id.0)
                .execute(&mut *write.tx)
                .await?;
        }
        sqlx::query("DELETE FROM published_measures WHERE plan_id = $1 AND partnership_id = $2")
            .bind(plan.0)
            .bind(partnership.0)
            .execute(&mut *write.tx)
            .await?;
        for measure in &input.measures {
            sqlx::query(
                "INSERT INTO published_measures (plan_id, measure_id, partnership_id) VALUES ($1, $2, $3)",
            )
            .bind(plan.0)
            .bind(measure.0)
            .bind(partnership.0)
            .execute(&mut *write.tx)
            .await?;
        }
        for text in &input.areas {
            sqlx::query(
                "INSERT INTO area_summaries (area_id, partnership_id, summary, easy_read) VALUES ($1, $2, $3, $4)",
            )
            .bind(text.area.0)
            .bind(partnership.0)
            .bind(text.summary.clone())
            .bind(text.easy_read.clone())
            .execute(&mut *write.tx)
            .await?;
        }
        let after = Publication {
            version: version + 1,
            ..input.clone()
        };
        record(
            &mut write.tx,
            Change {
                partnership: Some(partnership),
                actor,
                entity: "publication",
                entity_id: plan.0,
                change: if input.published {
                    "published"
                } else {
                    "unpublished"
                },
                summary: if input.published {
                    "Public progress page published or changed".to_owned()
                } else {
                    "Public progress page not published".to_owned()
                },
                before: Some(&before),
                after: Some(&after),
            },
        )
        .await?;
        write.commit().await
    }

    /// Adds a "You said, we did" entry to a plan.
    pub async fn add_you_said(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        plan: PlanId,
        input: &YouSaidInput,
    ) -> Result<YouSaidId> {
        self.get_plan(partnership, plan).await?;
        if let Some(action) = input.action_id {
            if self.get_action(partnership, action).await?.plan_id != plan {
                return Err(StoreError::Rule("Choose an action of this plan".to_owned()));
            }
        }
        let mut write = self.begin_write().await?;
        let id = insert_you_said(&mut write.tx, partnership, plan, input).await?;
        record_created(
            &mut write.tx,
            Subject {
                partnership,
                actor,
                entity: "you_said_we_did",
                id,
            },
            "You said, we did: entry added".to_owned(),
            &(&input.said, &input.response, input.published),
        )
        .await?;
        write.commit().await?;
        Ok(YouSaidId(id))
    }

    /// A plan's "You said, we did" entries, newest first; only the published ones if asked.
    pub async fn list_you_said(
        &self,
        partnership: PartnershipId,
        plan: PlanId,
        published_only: bool,
    ) -> Result<Vec<YouSaid>> {
        let sql = if published_only {
            concat!(
                you_said_select!(),
                " WHERE partnership_id = $1 AND plan_id = $2 AND published = 1 ORDER BY said_on DESC, id DESC"
            )
        } else {
            concat!(
                you_said_select!(),
                " WHERE partnership_id = $1 AND plan_id = $2 ORDER BY said_on DESC, id DESC"
            )
        };
        let rows = sqlx::query(sql)
            .bind(partnership.0)
            .bind(plan.0)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(you_said_from).collect()
    }

    /// The published "You said, we did" entries that answer Local Offer feedback, newest
    /// first, whatever plan holds them.
    pub async fn local_offer_you_said(&self, partnership: PartnershipId) -> Result<Vec<YouSaid>> {
        let rows = sqlx::query(concat!(
            you_said_select!(),
            " WHERE partnership_id = $1 AND published = 1 \
              AND id IN (SELECT you_said_id FROM local_offer_feedback WHERE partnership_id = $1) \
              ORDER BY said_on DESC, id DESC"
        ))
        .bind(partnership.0)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(you_said_from).collect()
    }

    /// One "You said, we did" entry of the partnership's.
    pub async fn get_you_said(&self, partnership: PartnershipId, id: YouSaidId) -> Result<YouSaid> {
        let row = sqlx::query(concat!(
            you_said_select!(),
            " WHERE id = $1 AND partnership_id = $2"
        ))
        .bind(id.0)
        .bind(partnership.0)
        .fetch_optional(self.pool())
        .await?;
        you_said_from(&row.ok_or(StoreError::NotFound)?)
    }

    /// Changes a "You said, we did" entry: its words, its action, and whether it is on the
    /// public page. Unpublishing takes it off the public page at once (the page is built
    /// from the data version, which this change moves).
    pub async fn update_you_said(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        id: YouSaidId,
        version: i64,
        input: &YouSaidInput,
    ) -> Result<()> {
        let before = self.get_you_said(partnership, id).await?;
        if let Some(action) = input.action_id {
            if self.get_action(partnership, action).await?.plan_id != before.plan_id {
                return Err(StoreError::Rule("Choose an action of this plan".to_owned()));
            }
        }
        let mut write = self.begin_write().await?;
        if !write_you_said(&mut write.tx, partnership, id, input, Some(version)).await? {
            return Err(StoreError::Conflict);
        }
        let after = YouSaid {
            said: input.said.clone(),
            response: input.response.clone(),
            action_id: input.action_id,
            said_on: input.said_on,
            published: input.published,
            version: version + 1,
            ..before.clone()
        };
        let summary = match (before.published, input.published) {
            (true, false) => "You said, we did: entry withdrawn from the public page",
            (false, true) => "You said, we did: entry published",
            _ => "You said, we did: entry changed",
        };
        record(
            &mut write.tx,
            Change {
                partnership: Some(partnership),
                actor,
                entity: "you_said_we_did",
                entity_id: id.0,
                change: "updated",
                summary: summary.to_owned(),
                before: Some(&before),
                after: Some(&after),
            },
        )
        .await?;
        write.commit().await
    }
}

impl Store {
    /// The partnership's plans with a published progress page, by title.
    pub async fn published_plans(
        &self,
        partnership: PartnershipId,
    ) -> Result<Vec<(PlanId, String)>> {
        sqlx::query(
            "SELECT p.id, p.title FROM plans p JOIN plan_publications u ON u.plan_id = p.id \
             WHERE p.partnership_id = $1 AND u.partnership_id = $1 AND u.published = 1 \
             AND NOT EXISTS (SELECT 1 FROM plan_archives x WHERE x.plan_id = p.id) ORDER BY p.title, p.id",
        )
        .bind(partnership.0)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| Ok((PlanId(r.int("id")?), r.text("title")?)))
        .collect()
    }

    /// Publishes a paper issued to a board on its plan's public page, or withdraws it.
    pub async fn set_report_published(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        report: i64,
        published: bool,
    ) -> Result<()> {
        let issued = self.get_issued_report(partnership, report).await?;
        let mut write = self.begin_write().await?;
        let done = if published {
            sqlx::query(
                "INSERT INTO published_reports (report_id, partnership_id, plan_id, published_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(report)
            .bind(partnership.0)
            .bind(issued.plan_id.0)
            .bind(now_text())
            .execute(&mut *write.tx)
            .await
            .map_err(crate::duplicate_as("This paper is already published"))?
        } else {
            sqlx::query(
                "DELETE FROM published_reports WHERE report_id = $1 AND partnership_id = $2",
            )
            .bind(report)
            .bind(partnership.0)
            .execute(&mut *write.tx)
            .await?
        };
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict);
        }
        record(
            &mut write.tx,
            Change {
                partnership: Some(partnership),
                actor,
                entity: "issued_report",
                entity_id: report,
                change: if published { "published" } else { "withdrawn" },
                summary: format!(
                    "{}, issued to {}, {} the public progress page",
                    issued.title,
                    issued.board,
                    if published {
                        "published on"
                    } else {
                        "withdrawn from"
                    }
                ),
                before: Some(&!published),
                after: Some(&published),
            },
        )
        .await?;
        write.commit().await
    }

    /// The ids of a plan's papers that are published, whether or not the plan's page is.
    pub async fn published_report_ids(
        &self,
        partnership: PartnershipId,
        plan: PlanId,
    ) -> Result<Vec<i64>> {
        sqlx::query(
            "SELECT report_id FROM published_reports WHERE partnership_id = $1 AND plan_id = $2",
        )
        .bind(partnership.0)
        .bind(plan.0)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| r.int("report_id"))
        .collect()
    }

    /// A published paper, while both it and its plan's page are published; otherwise it
    /// is not found, as if it did not exist.
    pub async fn get_published_report(
        &self,
        partnership: PartnershipId,
        report: i64,
    ) -> Result<crate::IssuedReport> {
        let issued = self.get_issued_report(partnership, report).await?;
        let shown = self
            .published_report_ids(partnership, issued.plan_id)
            .await?
            .contains(&report)
            && self
                .get_publication(partnership, issued.plan_id)
                .await?
                .published
            && self
                .plan_archive(partnership, issued.plan_id)
                .await?
                .is_none();
        if shown {
            Ok(issued)
        } else {
            Err(StoreError::NotFound)
        }
    }
}
