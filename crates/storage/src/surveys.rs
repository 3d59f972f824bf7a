//! Surveys: stored whole (a survey, its questions, answers and quotations in one
//! transaction) and read back whole.

use crate::audit::{record_created, Subject};
use crate::sql::{now_text, RowExt};
use crate::{Actor, Result, Store, StoreError, Tx};
use sendplan_domain::surveys::*;
use sendplan_domain::*;
use sqlx::Row;

/// The columns [`survey_from`] reads, named so a migration that adds a column cannot
/// change what a cached statement returns.
macro_rules! surveys_select {
    () => {
        "SELECT id, plan_id, title, series, run_by, audience, period, respondents, version FROM surveys"
    };
}

impl Store {
    /// Adds a survey to a plan, all of it or (if it has problems) none.
    pub async fn create_survey(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        plan: PlanId,
        input: &SurveyInput,
    ) -> Result<SurveyId> {
        self.get_plan(partnership, plan).await?;
        let mut write = self.begin_write().await?;
        let id = self
            .insert_survey(&mut write.tx, actor, partnership, plan, input)
            .await?;
        write.commit().await?;
        Ok(id)
    }

    pub(crate) async fn insert_survey(
        &self,
        tx: &mut Tx,
        actor: Actor,
        partnership: PartnershipId,
        plan: PlanId,
        input: &SurveyInput,
    ) -> Result<SurveyId> {
        if let Some((_, message)) = input.problems().into_iter().next() {
            return Err(StoreError::Rule(message));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO surveys (partnership_id, plan_id, title, series, run_by, audience, period, respondents, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(partnership.0)
        .bind(plan.0)
        .bind(input.title.clone())
        .bind(input.series.clone())
        .bind(input.run_by.clone())
        .bind(input.audience.clone())
        .bind(input.period.clone())
        .bind(input.respondents.map(i64::from))
        .bind(now_text())
        .fetch_one(&mut **tx)
        .await?;
        for (position, quote) in input.quotes.iter().enumerate() {
            sqlx::query(
                "INSERT INTO survey_quotes (survey_id, position, text) VALUES ($1, $2, $3)",
            )
            .bind(id)
            .bind(position as i64)
            .bind(quote.clone())
            .execute(&mut **tx)
            .await?;
        }
        for (position, q) in input.questions.iter().enumerate() {
            let question: i64 = sqlx::query_scalar(
                "INSERT INTO survey_questions (survey_id, position, number, topic, text, multiple, answered, notes) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(id)
            .bind(position as i64)
            .bind(q.number.clone())
            .bind(q.topic.clone())
            .bind(q.text.clone())
            .bind(i64::from(q.multiple))
            .bind(q.answered.map(i64::from))
            .bind(q.notes.clone())
            .fetch_one(&mut **tx)
            .await?;
            for (position, o) in q.options.iter().enumerate() {
                // Prepared afresh each time: sqlx 0.8's Any driver types a null f64 as a 4-byte
                // float on PostgreSQL, so a cached statement first run with a null would refuse a
                // real value afterwards ("incorrect binary data format").
                sqlx::query(
                    "INSERT INTO survey_options (question_id, position, label, percent, count) VALUES ($1, $2, $3, $4, $5)",
                )
                .persistent(false)
                .bind(question)
                .bind(position as i64)
                .bind(o.label.clone())
                .bind(o.percent)
                .bind(o.count.map(i64::from))
                .execute(&mut **tx)
                .await?;
            }
        }
        record_created(
            tx,
            Subject {
                partnership,
                actor,
                entity: "survey",
                id,
            },
            format!("Survey added: {}", input.title),
            &input.title,
        )
        .await?;
        Ok(SurveyId(id))
    }

    /// The partnership's surveys (all plans), newest first, without their results.
    pub async fn list_surveys(&self, partnership: PartnershipId) -> Result<Vec<Survey>> {
        let rows = sqlx::query(concat!(
            surveys_select!(),
            " WHERE partnership_id = $1 ORDER BY period DESC, id DESC"
        ))
        .bind(partnership.0)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(survey_from).collect()
    }

    /// A survey with its questions, answers and quotations.
    /// Corrects a survey's details. Its results stay; the respondents must still cover
    /// every count in them.
    pub async fn update_survey_details(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        id: SurveyId,
        version: i64,
        details: &SurveyDetails,
    ) -> Result<()> {
        let before = self.get_survey(partnership, id).await?;
        let after = SurveyInput {
            title: details.title.clone(),
            series: details.series.clone(),
            run_by: details.run_by.clone(),
            audience: details.audience.clone(),
            period: details.period.clone(),
            respondents: details.respondents,
            ..before.survey.clone()
        };
        if let Some((_, message)) = after.problems().into_iter().next() {
            return Err(StoreError::Rule(message));
        }
        let mut write = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE surveys SET title = $1, series = $2, run_by = $3, audience = $4, period = $5, respondents = $6, \
             version = version + 1 WHERE id = $7 AND partnership_id = $8 AND version = $9",
        )
        .bind(after.title.clone())
        .bind(after.series.clone())
        .bind(after.run_by.clone())
        .bind(after.audience.clone())
        .bind(after.period.clone())
        .bind(after.respondents.map(i64::from))
        .bind(id.0)
        .bind(partnership.0)
        .bind(version)
        .execute(&mut *write.tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict);
        }
        crate::audit::record_updated(
            &mut write.tx,
            crate::audit::Subject {
                partnership,
                actor,
                entity: "survey",
                id: id.0,
            },
            format!("Survey details corrected: {}", after.title),
            &(
                &before.survey.title,
                &before.survey.period,
                before.survey.respondents,
            ),
            &(&after.title, &after.period, after.respondents),
        )
        .await?;
        write.commit().await
    }

    pub async fn get_survey(&self, partnership: PartnershipId, id: SurveyId) -> Result<Survey> {
        let row = sqlx::query(concat!(
            surveys_select!(),
            " WHERE id = $1 AND partnership_id = $2"
        ))
        .bind(id.0)
        .bind(partnership.0)
        .fetch_optional(self.pool())
        .await?;
        let mut survey = survey_from(&crate::one_or_not_found(row)?)?;
        survey.survey.quotes =
            sqlx::query("SELECT text FROM survey_quotes WHERE survey_id = $1 ORDER BY position")
                .bind(id.0)
                .fetch_all(self.pool())
                .await?
                .iter()
                .map(|r| r.text("text"))
                .collect::<Result<_>>()?;
        let questions =
            sqlx::query("SELECT * FROM survey_questions WHERE survey_id = $1 ORDER BY position")
                .bind(id.0)
                .fetch_all(self.pool())
                .await?;
        let options = sqlx::query(
            "SELECT o.* FROM survey_options o JOIN survey_questions q ON q.id = o.question_id WHERE q.survey_id = $1 ORDER BY o.question_id, o.position",
        )
        .bind(id.0)
        .fetch_all(self.pool())
        .await?;
        for q in &questions {
            let question_id = q.int("id")?;
            survey.survey.questions.push(Question {
                number: q.text("number")?,
                topic: q.text("topic")?,
                text: q.text("text")?,
                multiple: q.int("multiple")? != 0,
                answered: count(q.opt_int("answered")?)?,
                notes: q.text("notes")?,
                options: options
                    .iter()
                    .filter(|o| o.int("question_id").ok() == Some(question_id))
                    .map(|o| {
                        Ok(OptionResult {
                            label: o.text("label")?,
                            percent: o.try_get::<Option<f64>, _>("percent")?,
                            count: count(o.opt_int("count")?)?,
                        })
                    })
                    .collect::<Result<_>>()?,
            });
        }
        Ok(survey)
    }
}

/// A survey's details from its row, without its questions and quotations.
fn survey_from(row: &sqlx::any::AnyRow) -> Result<Survey> {
    Ok(Survey {
        id: SurveyId(row.int("id")?),
        plan_id: PlanId(row.int("plan_id")?),
        survey: SurveyInput {
            title: row.text("title")?,
            series: row.text("series")?,
            run_by: row.text("run_by")?,
            audience: row.text("audience")?,
            period: row.text("period")?,
            respondents: count(row.opt_int("respondents")?)?,
            quotes: vec![],
            questions: vec![],
        },
        version: row.int("version")?,
    })
}

fn count(value: Option<i64>) -> Result<Option<u32>> {
    value
        .map(|v| u32::try_from(v).map_err(|_| StoreError::Corrupt(format!("a count of {v}"))))
        .transpose()
}
