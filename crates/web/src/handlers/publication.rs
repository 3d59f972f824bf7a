//! What a partnership publishes: the publication settings of a plan, "You said, we did",
//! and the public progress pages themselves, which need no sign-in and show only what was
//! chosen (never people's names, narratives or anything else of the plan).

use super::{refused, saved, version_of, FormPairs};
use crate::auth::Ctx;
use crate::charts::{measure_chart, Chart, Figures, Plotted};
use crate::errors::{AppError, AppResult};
use crate::forms::{with_none, Choice, Field};
use crate::pages::{html, FormPage, PublicArea, PublicMeasure, PublicPlanBody, TablePage};
use crate::views::{Cell, Chrome, LinkButton, PostButton};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect};
use sendplan_domain::access::Capability;
use sendplan_domain::input::{long_date, RawForm};
use sendplan_domain::measures::MeasureStatus;
use sendplan_domain::partnership::public_slugs;
use sendplan_domain::publication::*;
use sendplan_domain::rating::{ClassCounts, RatingClass};
use sendplan_domain::{PartnershipId, PlanId, YouSaidId};
use sendplan_storage::StoreError;

async fn publication_form(state: &AppState, ctx: &Ctx, plan: PlanId) -> Result<FormPage, AppError> {
    let plan = state.store.get_plan(ctx.pid(), plan).await?;
    let publication = state.store.get_publication(ctx.pid(), plan.id).await?;
    let areas = state.store.list_areas(ctx.pid(), plan.id).await?;
    let mut shown = Vec::new();
    if publication.show_ratings {
        shown.push("ratings");
    }
    if publication.show_roles {
        shown.push("roles");
    }
    if publication.show_names {
        shown.push("names");
    }
    let mut fields =
        vec![
        Field::hidden("version", publication.version),
        Field::checkboxes(
            "published",
            "Public progress page",
            vec![Choice::new("yes", "Publish this plan's progress page")
                .hint("Anyone can read it, without signing in")],
        )
        .checked(if publication.published {
            &["yes"][..]
        } else {
            &[][..]
        }),
        Field::textarea("summary", "Summary in plain language")
            .rows(5)
            .value(publication.summary.clone())
            .hint(
                "What the plan is for and what families should notice, in words anyone can follow",
            ),
        Field::checkboxes(
            "show",
            "Also show",
            vec![
                Choice::new("ratings", "How many actions are at each rating")
                    .hint("Counts only: never the actions' progress notes or who leads them"),
                Choice::new("roles", "Who leads each area: their job title and organisation")
                    .hint("The area's senior responsible officer, as the People page has them"),
                Choice::new("names", "Their names too")
                    .hint("Only if they have agreed: names are personal data"),
            ],
        )
        .checked(&shown),
    ];
    // Each measure chosen on its own: one with no figures yet need not be shown at all.
    let plan_measures = state.store.plan_measures(ctx.pid(), plan.id).await?;
    if !plan_measures.measures.is_empty() {
        let chosen: Vec<String> = publication
            .measures
            .iter()
            .map(|m| m.0.to_string())
            .collect();
        let chosen: Vec<&str> = chosen.iter().map(String::as_str).collect();
        fields.push(
            Field::checkboxes(
                "measures",
                "Impact measures to show, with their figures and charts",
                plan_measures
                    .measures
                    .iter()
                    .map(|m| {
                        let values = plan_measures.values_of(m.id);
                        Choice::new(m.id, m.name.clone()).hint(if values.is_empty() {
                            "No figures yet: the page would say it has not been reported on yet"
                                .to_owned()
                        } else {
                            format!("{} figures recorded", values.len())
                        })
                    })
                    .collect(),
            )
            .checked(&chosen),
        );
    }
    for area in &areas {
        let text = publication.area_text(area.id);
        fields.push(
            Field::textarea(
                &format!("area-{}", area.id.0),
                &format!("Area {}: summary in plain language (optional)", area.number),
            )
            .rows(3)
            .value(text.summary)
            .hint(&area.title),
        );
        fields.push(
            Field::textarea(
                &format!("easy-{}", area.id.0),
                &format!("Area {}: easy read (optional)", area.number),
            )
            .rows(3)
            .value(text.easy_read)
            .hint("Short sentences with one idea in each, for children and young people and for readers with a learning disability"),
        );
    }
    Ok(FormPage::new(
        Chrome::for_ctx(ctx, "Public progress page", "overview"),
        "Public progress page",
        format!("{}/plans/{}/publish", ctx.base(), plan.id),
        fields,
    )
    .caption(plan.title.clone())
    .intro("Only what you choose here is public. People's names, progress notes, milestones and anything else in the plan never appear on the public page.")
    .with_link("Read the public page as families will", format!("{}/plans/{}", public_base(state, ctx.pid()).await?, plan.id))
    .cancel(format!("{}/plans/{}", ctx.base(), plan.id)))
}

pub async fn edit_publication(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, plan)): Path<(i64, i64)>,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    html(&publication_form(&state, &ctx, PlanId(plan)).await?)
}

pub async fn save_publication(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, plan)): Path<(i64, i64)>,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let form = RawForm(pairs);
    let page = publication_form(&state, &ctx, PlanId(plan)).await?;
    let areas: Vec<_> = state
        .store
        .list_areas(ctx.pid(), PlanId(plan))
        .await?
        .iter()
        .map(|a| a.id)
        .collect();
    let measures: Vec<_> = state
        .store
        .plan_measures(ctx.pid(), PlanId(plan))
        .await?
        .measures
        .iter()
        .map(|m| m.id)
        .collect();
    let input = match parse_publication(&form, &areas, &measures) {
        Ok(input) => input,
        Err(errors) => return page.with_errors(&form, errors),
    };
    let version = form.get("version").parse().unwrap_or(-1);
    match state
        .store
        .set_publication(ctx.actor(), ctx.pid(), PlanId(plan), version, &input)
        .await
    {
        Ok(()) => Ok(saved(
            &state,
            &format!("{}/plans/{plan}/publish", ctx.base()),
            if input.published {
                "The public progress page is published"
            } else {
                "The public progress page is not published"
            },
        )),
        Err(sendplan_storage::StoreError::Conflict) => {
            let current = state.store.get_publication(ctx.pid(), PlanId(plan)).await?;
            page.with_conflict(&form, current.version, "the settings below")
        }
        Err(error) => refused(page, &form, error),
    }
}

pub async fn list_you_said(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, plan)): Path<(i64, i64)>,
) -> AppResult {
    let plan = state.store.get_plan(ctx.pid(), PlanId(plan)).await?;
    let editable = ctx.can(Capability::EditPlans);
    let rows = state
        .store
        .list_you_said(ctx.pid(), plan.id, false)
        .await?
        .into_iter()
        .map(|e| {
            let mut said = Cell::text(e.said.clone());
            let mut public = Cell::text(if e.published {
                "Published"
            } else {
                "Not published"
            });
            if editable {
                said.href = format!("{}/you-said/{}/edit", ctx.base(), e.id);
                // Withdrawing is one press: a quote that identifies a family must be
                // able to leave the public page at once.
                let mut button = PostButton::new(
                    if e.published {
                        "Withdraw"
                    } else {
                        "Publish again"
                    },
                    format!("{}/you-said/{}/publication", ctx.base(), e.id),
                );
                button.context = format!("the entry of {}", long_date(e.said_on));
                button.hidden = vec![
                    (
                        "published".to_owned(),
                        if e.published { "no" } else { "yes" }.to_owned(),
                    ),
                    ("version".to_owned(), e.version.to_string()),
                ];
                public.posts.push(button);
            }
            vec![
                Cell::text(long_date(e.said_on)),
                said,
                Cell::text(e.response),
                public,
            ]
        })
        .collect();
    let mut buttons = Vec::new();
    if ctx.can(Capability::EditPlans) {
        buttons.push(LinkButton::primary(
            "Add an entry",
            format!("{}/plans/{}/you-said/new", ctx.base(), plan.id),
        ));
    }
    html(&TablePage {
        chrome: Chrome::for_ctx(&ctx, "You said, we did", "overview"),
        heading: "You said, we did".to_owned(),
        caption: plan.title.clone(),
        intro: "What families told the partnership, what it did in response and the action taken. Published entries appear on the public progress page.".to_owned(),
        buttons,
        head: vec!["When", "You said", "We did", "Public"],
        rows,
        empty: "No entries yet.".to_owned(),
        more_href: String::new(),
    })
}

async fn you_said_form(
    state: &AppState,
    ctx: &Ctx,
    plan: PlanId,
    entry: Option<&YouSaid>,
) -> Result<FormPage, AppError> {
    let overview = state
        .store
        .plan_overview(ctx.pid(), plan, ctx.today)
        .await?;
    let (heading, action) = match entry {
        Some(e) => (
            "Change a You said, we did entry",
            format!("{}/you-said/{}/edit", ctx.base(), e.id),
        ),
        None => (
            "Add a You said, we did entry",
            format!("{}/plans/{}/you-said/new", ctx.base(), plan),
        ),
    };
    let mut page = FormPage::new(
        Chrome::for_ctx(ctx, heading, "overview"),
        heading,
        action,
        vec![
            Field::textarea("said", "You said").rows(4).hint("What families told the partnership, as they said it or fairly summarised. No names or details that identify anyone."),
            Field::textarea("response", "We did").rows(4).hint("What the partnership did in response"),
            Field::select(
                "action",
                "The plan action taken (optional)",
                with_none("No particular action", overview.actions.iter().map(|a| Choice::new(a.id, format!("{} {}", a.number, super::plans::truncate(&a.description, 80)))).collect()),
            ),
            Field::date("said_on", "When was it said?"),
            Field::checkboxes("published", "Public", vec![Choice::new("yes", "Show this entry on the public progress page")]),
        ],
    )
    .caption(overview.plan.title.clone())
    .cancel(format!("{}/plans/{}/you-said", ctx.base(), plan));
    if let Some(e) = entry {
        page.set_value("said", &e.said);
        page.set_value("response", &e.response);
        if let Some(action) = e.action_id {
            page.set_value("action", action);
        }
        for field in page.fields.iter_mut().filter(|f| f.name == "said_on") {
            *field = field.clone().date_value(Some(e.said_on));
        }
        if e.published {
            page.set_value("published", "yes");
        }
        page.fields.push(Field::hidden("version", e.version));
    }
    Ok(page)
}

pub async fn edit_you_said(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let entry = state.store.get_you_said(ctx.pid(), YouSaidId(id)).await?;
    html(&you_said_form(&state, &ctx, entry.plan_id, Some(&entry)).await?)
}

pub async fn update_you_said(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let form = RawForm(pairs);
    let entry = state.store.get_you_said(ctx.pid(), YouSaidId(id)).await?;
    let page = you_said_form(&state, &ctx, entry.plan_id, Some(&entry)).await?;
    let input = match YouSaidInput::parse(&form) {
        Ok(input) => input,
        Err(errors) => return page.with_errors(&form, errors),
    };
    let list = format!("{}/plans/{}/you-said", ctx.base(), entry.plan_id);
    match state
        .store
        .update_you_said(ctx.actor(), ctx.pid(), entry.id, version_of(&form), &input)
        .await
    {
        Ok(()) => Ok(saved(&state, &list, "Entry saved")),
        Err(StoreError::Conflict) => page.with_conflict(&form, entry.version, &list),
        Err(error) => refused(page, &form, error),
    }
}

/// Withdraws an entry from the public page, or publishes it again, in one press.
pub async fn set_you_said_published(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let form = RawForm(pairs);
    let entry = state.store.get_you_said(ctx.pid(), YouSaidId(id)).await?;
    let published = match form.get("published") {
        "yes" => true,
        "no" => false,
        _ => {
            return Err(AppError::BadRequest(
                "Choose to withdraw the entry or to publish it again".to_owned(),
            ))
        }
    };
    let list = format!("{}/plans/{}/you-said", ctx.base(), entry.plan_id);
    let input = YouSaidInput {
        said: entry.said.clone(),
        response: entry.response.clone(),
        action_id: entry.action_id,
        said_on: entry.said_on,
        published,
    };
    match state
        .store
        .update_you_said(ctx.actor(), ctx.pid(), entry.id, version_of(&form), &input)
        .await
    {
        Ok(()) => Ok(saved(
            &state,
            &list,
            if published {
                "Entry published on the public page"
            } else {
                "Entry withdrawn: it is no longer on the public page"
            },
        )),
        // Someone changed it since the list was shown: show the list as it is now.
        Err(StoreError::Conflict) => Ok(super::redirect_with(
            &state,
            &list,
            &crate::auth::Flash {
                text: "Someone changed this entry since the page was shown. Check it below and try again.".to_owned(),
                important: true,
            },
        )),
        Err(error) => Err(error.into()),
    }
}

pub async fn new_you_said(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, plan)): Path<(i64, i64)>,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    html(&you_said_form(&state, &ctx, PlanId(plan), None).await?)
}

pub async fn create_you_said(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, plan)): Path<(i64, i64)>,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let form = RawForm(pairs);
    let page = you_said_form(&state, &ctx, PlanId(plan), None).await?;
    let input = match YouSaidInput::parse(&form) {
        Ok(input) => input,
        Err(errors) => return page.with_errors(&form, errors),
    };
    match state
        .store
        .add_you_said(ctx.actor(), ctx.pid(), PlanId(plan), &input)
        .await
    {
        Ok(_) => Ok(saved(
            &state,
            &format!("{}/plans/{plan}/you-said", ctx.base()),
            "Entry added",
        )),
        Err(error) => refused(page, &form, error),
    }
}

fn counts_of(classes: impl Iterator<Item = Option<RatingClass>>) -> Vec<(String, usize)> {
    let mut counts = ClassCounts::default();
    for class in classes {
        counts.add(class);
    }
    counts.for_families()
}

/// A published plan's page, rendered from the publication settings only.
async fn public_body(
    state: &AppState,
    partnership: PartnershipId,
    plan: PlanId,
) -> Result<String, AppError> {
    use askama::Template;
    let publication = state.store.get_publication(partnership, plan).await?;
    // An archived plan leaves the public pages at once, whatever its settings say.
    if !publication.published || state.store.plan_archive(partnership, plan).await?.is_some() {
        return Err(AppError::NotFound);
    }
    let p = state.store.get_partnership(partnership).await?;
    let base = public_base(state, partnership).await?;
    let today = time::OffsetDateTime::now_utc().date();
    let overview = state.store.plan_overview(partnership, plan, today).await?;
    let class = |a: &sendplan_storage::ActionRow| a.rating.as_ref().map(|r| r.class);
    // Who leads each area, only as far as the partnership chose to say.
    let (people, organisations) = if publication.show_roles {
        (
            state.store.list_people(partnership).await?,
            state.store.list_organisations(partnership).await?,
        )
    } else {
        (vec![], vec![])
    };
    let lead_of = |area: &sendplan_domain::plan::Area| {
        let person = people
            .iter()
            .find(|p| Some(p.id) == area.senior_responsible_officer)?;
        let organisation = organisations
            .iter()
            .find(|o| Some(o.id) == person.organisation_id)
            .map(|o| o.name.as_str());
        Some(public_lead(person, organisation, publication.show_names))
    };
    let areas = overview
        .areas
        .iter()
        .map(|area| PublicArea {
            number: area.number.to_string(),
            title: area.title.clone(),
            text: publication.area_text(area.id),
            lead: lead_of(area).unwrap_or_default(),
            counts: if publication.show_ratings {
                counts_of(
                    overview
                        .actions
                        .iter()
                        .filter(|a| a.area_id == area.id)
                        .map(class),
                )
            } else {
                vec![]
            },
        })
        .collect();
    let mut measures = Vec::new();
    if publication.show_measures {
        let plan_measures = state.store.plan_measures(partnership, plan).await?;
        for m in plan_measures
            .measures
            .iter()
            .filter(|m| publication.measures.contains(&m.id))
        {
            let points = plan_measures.values_of(m.id);
            let (latest, status, _) = super::measures::assess(m, points);
            let sentence = match latest {
                Some(p) => format!(
                    "{} for the period ending {}{}.",
                    m.unit.format(p.value),
                    long_date(p.date),
                    match status {
                        Some(MeasureStatus::OnTrack) => ", on track for the plan's target",
                        Some(MeasureStatus::SomeConcerns) => ", a little behind the plan's target",
                        Some(MeasureStatus::OffTrack) => ", behind the plan's target",
                        None => "",
                    }
                ),
                None => "We have not reported on this yet.".to_owned(),
            };
            measures.push(PublicMeasure {
                name: m.name.clone(),
                sentence,
                chart: measure_chart(&Chart {
                    id: &format!("measure-{}", m.id),
                    title: &m.name,
                    unit: m.unit,
                    frequency: m.frequency,
                    trajectory: &m.trajectory,
                    values: &points.iter().map(Plotted::of).collect::<Vec<_>>(),
                    comparators: &[],
                    figures: Figures::Details,
                }),
            });
        }
    }
    let you_said = state
        .store
        .list_you_said(partnership, plan, true)
        .await?
        .into_iter()
        .map(|e| {
            // The action in the plan that answers it, by number and in the plan's words.
            let action = e
                .action_id
                .and_then(|id| overview.actions.iter().find(|a| a.id == id))
                .map_or(String::new(), |a| format!("{} {}", a.number, a.description));
            (long_date(e.said_on), e.said, e.response, action)
        })
        .collect();
    let published = state.store.published_report_ids(partnership, plan).await?;
    let papers = state
        .store
        .list_issued_reports(partnership, plan)
        .await?
        .into_iter()
        .filter(|r| published.contains(&r.id))
        .map(|r| {
            (
                format!("{}, as at {}", r.title, long_date(r.as_at)),
                format!("Issued to {}", r.board),
                format!("{base}/reports/{}", r.id),
            )
        })
        .collect();
    let mut chrome = Chrome::plain(overview.plan.title.clone(), None);
    chrome.home_href = format!("{base}/plans/{}", plan.0);
    chrome.brand = Some(brand_of(state, partnership, &p.name, &base).await?);
    Ok(PublicPlanBody {
        chrome,
        partnership: p.name.clone(),
        heading: overview.plan.title.clone(),
        summary: publication.summary.clone(),
        as_at: long_date(today),
        counts: if publication.show_ratings {
            counts_of(overview.actions.iter().map(class))
        } else {
            vec![]
        },
        areas,
        measures,
        you_said,
        papers,
        index_href: base,
    }
    .render()?)
}

/// The public progress page: no sign-in, cacheable, and cached until the partnership's
/// data changes.
pub async fn public_plan(
    State(state): State<AppState>,
    Path((key, plan)): Path<(String, i64)>,
) -> AppResult {
    let (partnership, base, moved) = named_partnership(&state, &key).await?;
    if moved {
        return Ok(Redirect::permanent(&format!("{base}/plans/{plan}")).into_response());
    }
    let pid = partnership.0;
    let version = state.store.data_version(partnership).await?;
    let today = time::OffsetDateTime::now_utc().date();
    let page = state
        .fragments
        .get_or_build(format!("public:{pid}:{plan}:{today}"), version, || async {
            public_body(&state, partnership, PlanId(plan)).await
        })
        .await?;
    Ok(cached_publicly(
        axum::response::Html(page.as_ref().clone()).into_response(),
    ))
}

/// Marks a public page as one anyone may keep, asking again before each use.
fn cached_publicly(mut response: axum::response::Response) -> axum::response::Response {
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        // Shared caches may keep it but must ask again each time: a withdrawn entry
        // leaves the page at once. The server's own cache keeps asking again cheap.
        header::HeaderValue::from_static("public, no-cache"),
    );
    response
}

/// A paper issued to a board that a plan manager published, exactly as issued.
pub async fn public_report(
    State(state): State<AppState>,
    Path((key, id)): Path<(String, i64)>,
) -> AppResult {
    let (partnership, base, moved) = named_partnership(&state, &key).await?;
    if moved {
        return Ok(Redirect::permanent(&format!("{base}/reports/{id}")).into_response());
    }
    let issued = state.store.get_published_report(partnership, id).await?;
    Ok(cached_publicly(super::reports::paper(issued.html)))
}

/// The partnership's own name, look and contact details for the top and foot of its
/// public pages.
pub(super) async fn brand_of(
    state: &AppState,
    partnership: PartnershipId,
    name: &str,
    base: &str,
) -> Result<crate::views::Brand, AppError> {
    let profile = state.store.get_public_profile(partnership).await?;
    Ok(crate::views::Brand::of(name, base, &profile))
}

/// Every partnership's public address part, from the one rule in the domain.
async fn slug_table(state: &AppState) -> Result<Vec<(PartnershipId, String)>, AppError> {
    let all = state.store.list_partnerships().await?;
    let named: Vec<(PartnershipId, &str)> = all.iter().map(|p| (p.id, p.name.as_str())).collect();
    Ok(public_slugs(&named))
}

/// Where a partnership's public pages are: "/public/wolverhampton".
async fn public_base(state: &AppState, partnership: PartnershipId) -> Result<String, AppError> {
    slug_table(state)
        .await?
        .into_iter()
        .find(|(id, _)| *id == partnership)
        .map(|(_, slug)| format!("/public/{slug}"))
        .ok_or(AppError::NotFound)
}

/// The partnership a public address names, its public base, and whether the address
/// used its old numeric id (the page has moved to the readable address).
pub(super) async fn named_partnership(
    state: &AppState,
    key: &str,
) -> Result<(PartnershipId, String, bool), AppError> {
    let table = slug_table(state).await?;
    if let Some((id, slug)) = table.iter().find(|(_, slug)| slug == key) {
        return Ok((*id, format!("/public/{slug}"), false));
    }
    let old = key.parse::<i64>().map_err(|_| AppError::NotFound)?;
    table
        .into_iter()
        .find(|(id, _)| id.0 == old)
        .map(|(id, slug)| (id, format!("/public/{slug}"), true))
        .ok_or(AppError::NotFound)
}

/// As `named_partnership`, with the partnership's data version read in the same query,
/// for the Local Offer's pages and API, whose every answer is kept until it moves.
pub(super) async fn named_partnership_at_version(
    state: &AppState,
    key: &str,
) -> Result<(PartnershipId, String, bool, i64), AppError> {
    let all = state.store.partnership_versions().await?;
    let named: Vec<(PartnershipId, &str)> = all
        .iter()
        .map(|(id, name, _)| (*id, name.as_str()))
        .collect();
    let version_of = |id: PartnershipId| {
        all.iter()
            .find(|(p, _, _)| *p == id)
            .map_or(0, |(_, _, v)| *v)
    };
    let table = public_slugs(&named);
    if let Some((id, slug)) = table.iter().find(|(_, slug)| slug == key) {
        return Ok((*id, format!("/public/{slug}"), false, version_of(*id)));
    }
    let old = key.parse::<i64>().map_err(|_| AppError::NotFound)?;
    table
        .into_iter()
        .find(|(id, _)| id.0 == old)
        .map(|(id, slug)| (id, format!("/public/{slug}"), true, version_of(id)))
        .ok_or(AppError::NotFound)
}

/// A partnership's published plans, for families to find them from one address.
pub async fn public_index(State(state): State<AppState>, Path(key): Path<String>) -> AppResult {
    let (partnership, base, moved) = named_partnership(&state, &key).await?;
    if moved {
        return Ok(Redirect::permanent(&base).into_response());
    }
    let plans = state.store.published_plans(partnership).await?;
    if plans.is_empty() {
        return Err(AppError::NotFound);
    }
    let name = state.store.get_partnership(partnership).await?.name;
    let mut chrome = Chrome::plain(format!("{name}: SEND improvement"), None);
    chrome.home_href = base.clone();
    chrome.brand = Some(brand_of(&state, partnership, &name, &base).await?);
    let page = html(&TablePage {
        chrome,
        heading: "Improving support for children and young people with SEND".to_owned(),
        caption: name,
        intro: "The local area partnership (the council, the NHS and the parent carer forum) publishes how its plans to improve special educational needs and disabilities (SEND) support are going.".to_owned(),
        // The partnership's Local Offer, where it keeps one here.
        buttons: if state.store.local_offer(partnership).await?.services.is_empty() {
            vec![]
        } else {
            vec![crate::views::LinkButton::primary(
                "Find services and support: the Local Offer",
                base.replacen("/public/", "/local-offer/", 1),
            )]
        },
        head: vec!["Plan"],
        rows: plans
            .into_iter()
            .map(|(id, title)| vec![Cell::link(title, format!("{base}/plans/{}", id.0))])
            .collect(),
        empty: String::new(),
        more_href: String::new(),
    })?;
    Ok(cached_publicly(page))
}
