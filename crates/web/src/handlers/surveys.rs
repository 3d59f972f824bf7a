//! Surveys: a plan's surveys, one survey's results (each question a table with a bar per
//! answer, beside the last survey of the same series), adding a survey from a file, and
//! using a question's result as a measure's value.

use super::measures::may_record;
use super::saved;
use crate::auth::Ctx;
use crate::errors::{AppError, AppResult};
use crate::forms::{Choice, Field};
use crate::pages::{html, FormPage, SurveyOptionView, SurveyPage, SurveyQuestionView, TablePage};
use crate::upload::{Upload, Uploaded};
use crate::views::{Cell, Chrome, LinkButton, SummaryRow};
use crate::AppState;
use axum::extract::{Path, State};
use sendplan_domain::access::Capability;
use sendplan_domain::input::{FieldErrors, RawForm};
use sendplan_domain::measures::{DataPointInput, DataStatus, Unit};
use sendplan_domain::surveys::*;
use sendplan_domain::{MeasureId, PlanId, SurveyId};

pub async fn list_surveys(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, plan)): Path<(i64, i64)>,
) -> AppResult {
    let plan = state.store.get_plan(ctx.pid(), PlanId(plan)).await?;
    let rows = state
        .store
        .list_surveys(ctx.pid())
        .await?
        .into_iter()
        .filter(|s| s.plan_id == plan.id)
        .map(|s| {
            vec![
                Cell::link(
                    s.survey.title.clone(),
                    format!("{}/surveys/{}", ctx.base(), s.id),
                ),
                Cell::text(s.survey.period.clone()),
                Cell::text(s.survey.run_by.clone()),
                Cell::text(
                    s.survey
                        .respondents
                        .map_or(String::new(), |r| r.to_string()),
                ),
            ]
        })
        .collect();
    let mut buttons = Vec::new();
    if ctx.can(Capability::EditPlans) {
        buttons.push(LinkButton::primary(
            "Add a survey",
            format!("{}/plans/{}/surveys/new", ctx.base(), plan.id),
        ));
    }
    html(&TablePage {
        chrome: Chrome::for_ctx(&ctx, "Surveys", "overview"),
        heading: "Surveys".to_owned(),
        caption: plan.title.clone(),
        intro: "What families and professionals said: each survey's questions and the share of people who gave each answer, compared with the last survey of the same series.".to_owned(),
        buttons,
        head: vec!["Survey", "When", "Run by", "Respondents"],
        rows,
        empty: "No surveys have been added to this plan yet.".to_owned(),
        more_href: String::new(),
    })
}

pub async fn show_survey(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
) -> AppResult {
    let survey = state.store.get_survey(ctx.pid(), SurveyId(id)).await?;
    let plan = state.store.get_plan(ctx.pid(), survey.plan_id).await?;
    // The survey of the same series that ran before this one, for year-on-year comparison.
    let earlier = state
        .store
        .list_surveys(ctx.pid())
        .await?
        .into_iter()
        .filter(|s| s.survey.series == survey.survey.series && s.id != survey.id)
        .filter(|s| (s.survey.period.as_str(), s.id) < (survey.survey.period.as_str(), survey.id))
        .max_by(|a, b| (a.survey.period.as_str(), a.id).cmp(&(b.survey.period.as_str(), b.id)));
    let earlier = match earlier {
        Some(s) => Some(state.store.get_survey(ctx.pid(), s.id).await?),
        None => None,
    };
    let s = &survey.survey;
    let can_feed = ctx.can(Capability::EditPlans);
    let mut previous_topic = String::new();
    let questions = s
        .questions
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let before = earlier
                .as_ref()
                .and_then(|e| earlier_question(q, &e.survey).map(|b| (b, e.survey.respondents)));
            let new_topic = !q.topic.is_empty() && q.topic != previous_topic;
            previous_topic = q.topic.clone();
            SurveyQuestionView {
                number: q.number.clone(),
                topic: q.topic.clone(),
                new_topic,
                text: q.text.clone(),
                multiple: q.multiple,
                notes: q.notes.clone(),
                options: q
                    .options
                    .iter()
                    .map(|o| {
                        let share = q.share(o, s.respondents);
                        SurveyOptionView {
                            label: o.label.clone(),
                            share: share.map_or("Not published".to_owned(), format_share),
                            count: o.count.map_or(String::new(), |c| c.to_string()),
                            earlier: before
                                .and_then(|(b, respondents)| {
                                    let option = b
                                        .options
                                        .iter()
                                        .find(|e| e.label.eq_ignore_ascii_case(&o.label))?;
                                    b.share(option, respondents)
                                })
                                .map_or(String::new(), format_share),
                            width: format!("{:.1}", share.unwrap_or(0.0).clamp(0.0, 100.0)),
                        }
                    })
                    .collect(),
                measure_href: if can_feed {
                    format!(
                        "{}/surveys/{}/questions/{}/measure",
                        ctx.base(),
                        survey.id,
                        i + 1
                    )
                } else {
                    String::new()
                },
            }
        })
        .collect();
    let summary = vec![
        SummaryRow::new("Run by", s.run_by.clone()),
        SummaryRow::new("Who it asked", s.audience.clone()),
        SummaryRow::new("When", s.period.clone()),
        SummaryRow::new(
            "Respondents",
            s.respondents.map_or(String::new(), |r| r.to_string()),
        ),
        SummaryRow::new("Series", s.series.clone()),
    ];
    html(&SurveyPage {
        chrome: Chrome::for_ctx(&ctx, s.title.clone(), "overview"),
        heading: s.title.clone(),
        caption: plan.title.clone(),
        back_href: format!("{}/plans/{}/surveys", ctx.base(), plan.id),
        summary,
        quotes: s.quotes.clone(),
        compared_with: earlier.as_ref().map_or(String::new(), |e| {
            format!("“{}” ({})", e.survey.title, e.survey.period)
        }),
        compared_label: earlier
            .as_ref()
            .map_or(String::new(), |e| e.survey.period.clone()),
        has_counts: s
            .questions
            .iter()
            .flat_map(|q| &q.options)
            .any(|o| o.count.is_some()),
        questions,
        edit_href: if ctx.can(Capability::EditPlans) {
            format!("{}/surveys/{}/edit", ctx.base(), survey.id)
        } else {
            String::new()
        },
        delete_href: if ctx.can(Capability::EditPlans) {
            super::lifecycle::delete_href(
                &ctx,
                sendplan_domain::lifecycle::RecordKind::Survey,
                survey.id,
            )
        } else {
            String::new()
        },
    })
}

fn details_page(ctx: &Ctx, survey: &Survey) -> FormPage {
    let s = &survey.survey;
    FormPage::new(
        Chrome::for_ctx(ctx, "Change survey details", "overview"),
        "Change survey details",
        format!("{}/surveys/{}/edit", ctx.base(), survey.id),
        vec![
            Field::text("title", "Title").value(&s.title),
            Field::text("series", "Series (optional)")
                .hint("Surveys with the same series are compared year on year, question by question")
                .value(&s.series),
            Field::text("run_by", "Who ran it (optional)").value(&s.run_by),
            Field::text("audience", "Who it asked (optional)").value(&s.audience),
            Field::text("period", "When it ran")
                .width("govuk-input--width-20")
                .value(&s.period),
            Field::text("respondents", "Number of respondents (optional)")
                .width("govuk-input--width-5")
                .value(s.respondents.map_or(String::new(), |n| n.to_string())),
            Field::hidden("version", survey.version),
        ],
    )
    .caption(s.title.clone())
    .intro("The results stay as they are. To replace them, delete the survey and add it again with the corrected file.")
    .cancel(format!("{}/surveys/{}", ctx.base(), survey.id))
    .delete_link(
        "Delete this survey",
        super::lifecycle::delete_href(ctx, sendplan_domain::lifecycle::RecordKind::Survey, survey.id),
    )
}

pub async fn edit_survey(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let survey = state.store.get_survey(ctx.pid(), SurveyId(id)).await?;
    html(&details_page(&ctx, &survey))
}

pub async fn update_survey(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
    axum::Form(pairs): crate::handlers::FormPairs,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let form = RawForm(pairs);
    let survey = state.store.get_survey(ctx.pid(), SurveyId(id)).await?;
    let page = details_page(&ctx, &survey);
    let details = match SurveyDetails::parse(&form) {
        Ok(details) => details,
        Err(errors) => return page.with_errors(&form, errors),
    };
    let href = format!("{}/surveys/{}", ctx.base(), survey.id);
    match state
        .store
        .update_survey_details(
            ctx.actor(),
            ctx.pid(),
            survey.id,
            crate::handlers::version_of(&form),
            &details,
        )
        .await
    {
        Ok(()) => Ok(super::saved(&state, &href, "Survey details saved")),
        Err(sendplan_storage::StoreError::Conflict) => {
            page.with_conflict(&form, survey.version, &href)
        }
        Err(error) => super::refused(page, &form, error),
    }
}

fn new_survey_page(ctx: &Ctx, plan: PlanId) -> FormPage {
    let mut page = FormPage::new(
        Chrome::for_ctx(ctx, "Add a survey", "overview"),
        "Add a survey",
        format!("{}/plans/{plan}/surveys/new", ctx.base()),
        vec![
            Field::text("title", "Title").hint("For example, Voice 4 Parents annual survey 2022"),
            Field::text("series", "Series (optional)").hint("Surveys with the same series are compared year on year, question by question. For example, Voice 4 Parents annual survey"),
            Field::text("run_by", "Who ran it (optional)"),
            Field::text("audience", "Who it asked (optional)").hint("For example, parents and carers of children and young people with SEND"),
            Field::text("period", "When it ran").width("govuk-input--width-20").hint("As you would write it: 2022, Autumn 2022, March 2023"),
            Field::text("respondents", "Number of respondents (optional)").width("govuk-input--width-5").hint("Needed to work out shares from counts; worked out for you from responses"),
            Field::file("file", "Results (CSV or Excel)", crate::forms::SPREADSHEETS).hint(
                "Either the published results, a row per answer with columns headed Question, Answer and Percent or Count; or the responses, a row per respondent with a column per question (its heading the question's wording). Where someone chose several answers, separate them with semicolons.",
            ),
        ],
    )
    .submit("Add the survey")
    .cancel(format!("{}/plans/{plan}/surveys", ctx.base()))
    .intro("Every row is checked before anything is saved: percentages must be from 0 to 100, counts no more than the people who answered, and the answers to a single-choice question must not add up to more than 100%.");
    page.multipart = true;
    page
}

pub async fn new_survey(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, plan)): Path<(i64, i64)>,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let plan = state.store.get_plan(ctx.pid(), PlanId(plan)).await?;
    html(&new_survey_page(&ctx, plan.id))
}

/// The survey's results from the uploaded table: published results if it has the
/// Question and Answer columns, else one row per respondent.
fn results(
    table: &sendplan_interchange::sheet::Table,
) -> Result<(Option<u32>, Vec<Question>), Vec<String>> {
    let column = |name: &str| {
        table
            .headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    match (column("question"), column("answer")) {
        (Some(q), Some(a)) => {
            let (percent, count) = (column("percent"), column("count"));
            if percent.is_none() && count.is_none() {
                return Err(vec![
                    "The results need a column headed Percent or one headed Count".to_owned(),
                ]);
            }
            let cell = |cells: &[String], i: Option<usize>| {
                i.and_then(|i| cells.get(i)).cloned().unwrap_or_default()
            };
            let rows: Vec<_> = table
                .rows
                .iter()
                .map(|r| {
                    (
                        r.line,
                        cell(&r.cells, Some(q)),
                        cell(&r.cells, Some(a)),
                        cell(&r.cells, percent),
                        cell(&r.cells, count),
                    )
                })
                .collect();
            published(&rows)
                .map(|questions| (None, questions))
                .map_err(|problems| {
                    problems
                        .into_iter()
                        .map(|(line, m)| format!("Row {line}: {m}"))
                        .collect()
                })
        }
        _ => {
            let rows: Vec<Vec<String>> = table.rows.iter().map(|r| r.cells.clone()).collect();
            tally(&table.headers, &rows)
                .map(|(n, questions)| (Some(n), questions))
                .map_err(|m| vec![m])
        }
    }
}

pub async fn create_survey(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, plan)): Path<(i64, i64)>,
    upload: Upload,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let plan = state.store.get_plan(ctx.pid(), PlanId(plan)).await?;
    let page = new_survey_page(&ctx, plan.id);
    let Uploaded { form, file } = upload.read().await?;
    let (details, mut errors) = match SurveyDetails::parse(&form) {
        Ok(details) => (Some(details), FieldErrors::default()),
        Err(errors) => (None, errors),
    };
    let table = match &file {
        None => {
            errors.add("file", "Select the file of results to upload");
            None
        }
        Some((name, bytes)) => match sendplan_interchange::sheet::read_table(bytes, name) {
            Ok(table) => Some(table),
            Err(e) => {
                errors.add("file", e.to_string());
                None
            }
        },
    };
    let found = table.as_ref().map(results);
    if let Some(Err(problems)) = &found {
        for problem in problems {
            errors.add("file", problem.clone());
        }
    }
    if !errors.is_empty() {
        return page.with_errors(&form, errors);
    }
    let (Some(details), Some(Ok((tallied, questions)))) = (details, found) else {
        return page.with_errors(
            &form,
            FieldErrors::single("file", "Select the file of results to upload"),
        );
    };
    let input = SurveyInput {
        title: details.title,
        series: details.series,
        run_by: details.run_by,
        audience: details.audience,
        period: details.period,
        respondents: tallied.or(details.respondents),
        quotes: vec![],
        questions,
    };
    let problems = input.problems();
    if !problems.is_empty() {
        let mut errors = FieldErrors::default();
        for (place, message) in problems {
            let field = if place == "respondents" || place == "title" {
                place
            } else {
                "file".to_owned()
            };
            errors.add(field, message);
        }
        return page.with_errors(&form, errors);
    }
    let id = state
        .store
        .create_survey(ctx.actor(), ctx.pid(), plan.id, &input)
        .await?;
    Ok(saved(
        &state,
        &format!("{}/surveys/{id}", ctx.base()),
        &format!("Survey added, with {} questions", input.questions.len()),
    ))
}

fn feed_page(
    ctx: &Ctx,
    survey: &Survey,
    number: usize,
    question: &Question,
    measures: &[(MeasureId, String)],
) -> FormPage {
    let answers: Vec<Choice> = question
        .options
        .iter()
        .enumerate()
        .map(|(i, o)| {
            let share = question
                .share(o, survey.survey.respondents)
                .map_or("not published".to_owned(), format_share);
            Choice::new(i, format!("{} ({share})", o.label))
        })
        .collect();
    let answers_field = if question.multiple {
        Field::radios("answers", "Which answer?", answers).hint("People could choose more than one answer, so one answer's share is the measure's value")
    } else {
        Field::checkboxes("answers", "Which answers?", answers).hint("Their shares are added together: for example, \"very supported\" and \"some support\" make \"% who feel supported\"")
    };
    FormPage::new(
        Chrome::for_ctx(ctx, "Use a survey result as a measure's value", "overview"),
        "Use a survey result as a measure's value",
        format!(
            "{}/surveys/{}/questions/{number}/measure",
            ctx.base(),
            survey.id
        ),
        vec![
            Field::select(
                "measure",
                "Measure",
                measures
                    .iter()
                    .map(|(id, name)| Choice::new(id, name.clone()))
                    .collect(),
            )
            .hint("The plan's measures counted in percentages"),
            answers_field,
            Field::text("period", "Period")
                .width("govuk-input--width-20")
                .value(survey.survey.period.clone())
                .hint("The measure's period the survey covers, written as the measure is reported"),
        ],
    )
    .caption(format!(
        "{} – question {}: {}",
        survey.survey.title, question.number, question.text
    ))
    .submit("Record the value")
    .cancel(format!(
        "{}/surveys/{}#question-{}",
        ctx.base(),
        survey.id,
        question.number
    ))
}

async fn percentage_measures(
    state: &AppState,
    ctx: &Ctx,
    plan: PlanId,
) -> Result<Vec<(MeasureId, String)>, AppError> {
    Ok(state
        .store
        .list_measures(ctx.pid(), plan)
        .await?
        .into_iter()
        .filter(|m| m.unit == Unit::Percentage)
        .map(|m| (m.id, m.name))
        .collect())
}

async fn survey_question(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    number: usize,
) -> Result<(Survey, Question), AppError> {
    let survey = state.store.get_survey(ctx.pid(), SurveyId(id)).await?;
    let question = number
        .checked_sub(1)
        .and_then(|i| survey.survey.questions.get(i))
        .cloned()
        .ok_or(AppError::NotFound)?;
    Ok((survey, question))
}

pub async fn new_feed(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id, number)): Path<(i64, i64, usize)>,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let (survey, question) = survey_question(&state, &ctx, id, number).await?;
    let measures = percentage_measures(&state, &ctx, survey.plan_id).await?;
    html(&feed_page(&ctx, &survey, number, &question, &measures))
}

pub async fn feed_measure(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id, number)): Path<(i64, i64, usize)>,
    axum::Form(pairs): super::FormPairs,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let (survey, question) = survey_question(&state, &ctx, id, number).await?;
    let measures = percentage_measures(&state, &ctx, survey.plan_id).await?;
    let page = feed_page(&ctx, &survey, number, &question, &measures);
    let form = RawForm(pairs);
    let mut errors = FieldErrors::default();
    let measure = form
        .get("measure")
        .parse::<i64>()
        .ok()
        .map(MeasureId)
        .filter(|m| measures.iter().any(|(id, _)| id == m));
    if measure.is_none() {
        errors.add("measure", "Choose the measure this result is a value of");
    }
    let chosen: Vec<&sendplan_domain::surveys::OptionResult> = form
        .all("answers")
        .into_iter()
        .filter_map(|i| i.parse::<usize>().ok())
        .filter_map(|i| question.options.get(i))
        .collect();
    let shares: Option<Vec<f64>> = chosen
        .iter()
        .map(|o| question.share(o, survey.survey.respondents))
        .collect();
    let value = match shares {
        _ if chosen.is_empty() => {
            errors.add("answers", "Choose the answers that make up the value");
            None
        }
        None => {
            errors.add("answers", "One of those answers has no published share");
            None
        }
        Some(shares) => Some((shares.iter().sum::<f64>() * 10.0).round() / 10.0),
    };
    let Some(measure_id) = measure else {
        return page.with_errors(&form, errors);
    };
    let target = state.store.get_measure(ctx.pid(), measure_id).await?;
    if !may_record(&state, &ctx, &target).await? {
        return Err(ctx.refuse(Capability::UpdateAnyAction));
    }
    let period = match target.frequency.parse_period(form.get("period")) {
        Ok(p) => Some(p),
        Err(message) => {
            errors.add("period", message);
            None
        }
    };
    let (Some(period), Some(value)) = (period, value) else {
        return page.with_errors(&form, errors);
    };
    if !errors.is_empty() {
        return page.with_errors(&form, errors);
    }
    let labels: Vec<&str> = chosen.iter().map(|o| o.label.as_str()).collect();
    let input = DataPointInput {
        period,
        value: value.min(100.0),
        status: DataStatus::Final,
        note: format!(
            "From {} ({}), question {}: {}",
            survey.survey.title,
            survey.survey.period,
            question.number,
            labels.join(" + ")
        ),
    };
    state
        .store
        .record_data_point(ctx.actor(), ctx.pid(), measure_id, &input)
        .await?;
    Ok(saved(
        &state,
        &format!("{}/measures/{}", ctx.base(), measure_id),
        &format!(
            "{} recorded for {} from the survey",
            format_share(input.value),
            input.period.label
        ),
    ))
}
