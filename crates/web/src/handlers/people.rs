//! People named in plans, and the partnership's organisations.

use super::{refused, saved, version_of, FormPairs};
use crate::auth::Ctx;
use crate::errors::AppResult;
use crate::forms::{with_none, Choice, Field};
use crate::pages::{html, FormPage, TablePage};
use crate::views::{Cell, Chrome, LinkButton};
use crate::AppState;
use axum::extract::{Path, State};
use sendplan_domain::access::Capability;
use sendplan_domain::input::{OrganisationInput, PersonInput, RawForm};
use sendplan_domain::partnership::{Organisation, OrganisationKind, Person};
use sendplan_domain::{OrganisationId, PersonId};
use sendplan_storage::StoreError;

fn table(
    ctx: &Ctx,
    heading: &str,
    section: &str,
    head: Vec<&'static str>,
    rows: Vec<Vec<Cell>>,
    add: Option<(&str, String)>,
) -> TablePage {
    TablePage {
        chrome: Chrome::for_ctx(ctx, heading, section),
        heading: heading.to_owned(),
        caption: ctx.partnership.name.clone(),
        intro: String::new(),
        buttons: add
            .filter(|_| ctx.can(Capability::EditPlans))
            .map(|(label, href)| LinkButton::primary(label, href))
            .into_iter()
            .collect(),
        head,
        rows,
        empty: format!("There are no {} yet.", heading.to_lowercase()),
        more_href: String::new(),
    }
}

pub async fn list_people(State(state): State<AppState>, ctx: Ctx) -> AppResult {
    let people = state.store.list_people(ctx.pid()).await?;
    let organisations = state.store.list_organisations(ctx.pid()).await?;
    let editable = ctx.can(Capability::EditPlans);
    let rows = people
        .iter()
        .map(|p| {
            let name = if p.name.is_empty() {
                "Not named".to_owned()
            } else {
                p.name.clone()
            };
            let organisation = p
                .organisation_id
                .and_then(|id| organisations.iter().find(|o| o.id == id))
                .map(|o| o.name.clone())
                .unwrap_or_default();
            let first = if editable {
                Cell::link(name, format!("{}/people/{}/edit", ctx.base(), p.id))
            } else {
                Cell::text(name)
            };
            let mut first = first;
            if p.to_review {
                first
                    .tags
                    .push(crate::views::Tag::new("To review", "yellow"));
            }
            vec![
                first,
                Cell::text(p.job_title.clone()),
                Cell::text(organisation),
                Cell::text(p.short_code.clone()),
                if p.to_review && editable {
                    Cell::link(
                        "Merge or confirm",
                        format!("{}/people/{}/merge", ctx.base(), p.id),
                    )
                } else {
                    Cell::text("")
                },
            ]
        })
        .collect();
    html(&table(
        &ctx,
        "People",
        "people",
        vec![
            "Name",
            "Job title",
            "Organisation",
            "Short code",
            "To review",
        ],
        rows,
        Some(("Add a person", format!("{}/people/new", ctx.base()))),
    ))
}

fn person_page(ctx: &Ctx, person: Option<&Person>, organisations: &[Organisation]) -> FormPage {
    let (heading, action) = match person {
        Some(p) => (
            format!("Edit {}", p.display_name()),
            format!("{}/people/{}/edit", ctx.base(), p.id),
        ),
        None => (
            "Add a person".to_owned(),
            format!("{}/people/new", ctx.base()),
        ),
    };
    let mut fields = vec![
        Field::text("name", "Name")
            .hint("Leave empty if the plan names only a job title")
            .value(person.map_or("", |p| p.name.as_str())),
        Field::text("job_title", "Job title").value(person.map_or("", |p| p.job_title.as_str())),
        Field::select(
            "organisation_id",
            "Organisation",
            with_none(
                "Not known",
                organisations
                    .iter()
                    .map(|o| Choice::new(o.id, o.name.clone()))
                    .collect(),
            ),
        )
        .value(
            person
                .and_then(|p| p.organisation_id)
                .map(|id| id.to_string())
                .unwrap_or_default(),
        ),
        Field::text("short_code", "Short code")
            .hint("The initials plans use for this person, for example PeRi")
            .width("govuk-input--width-5")
            .value(person.map_or("", |p| p.short_code.as_str())),
        Field::text("email", "Email address (optional)")
            .input_type("email")
            .autocomplete("off")
            .value(person.map_or("", |p| p.email.as_str())),
    ];
    if let Some(p) = person {
        fields.push(Field::hidden("version", p.version));
    }
    FormPage::new(
        Chrome::for_ctx(ctx, heading.clone(), "people"),
        heading,
        action,
        fields,
    )
    .cancel(format!("{}/people", ctx.base()))
}

pub async fn new_person(State(state): State<AppState>, ctx: Ctx) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    html(&person_page(
        &ctx,
        None,
        &state.store.list_organisations(ctx.pid()).await?,
    ))
}

pub async fn create_person(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let form = RawForm(pairs);
    let page = person_page(
        &ctx,
        None,
        &state.store.list_organisations(ctx.pid()).await?,
    );
    let input = match PersonInput::parse(&form) {
        Ok(input) => input,
        Err(errors) => return page.with_errors(&form, errors),
    };
    match state
        .store
        .create_person(ctx.actor(), ctx.pid(), &input)
        .await
    {
        Ok(_) => Ok(saved(
            &state,
            &format!("{}/people", ctx.base()),
            "Person added",
        )),
        Err(error) => refused(page, &form, error),
    }
}

pub async fn edit_person(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let person = state.store.get_person(ctx.pid(), PersonId(id)).await?;
    html(
        &person_page(
            &ctx,
            Some(&person),
            &state.store.list_organisations(ctx.pid()).await?,
        )
        .with_link(
            "This entry is really several people: split it",
            format!("{}/people/{}/split", ctx.base(), person.id),
        )
        .delete_link(
            "Remove this person",
            crate::handlers::lifecycle::delete_href(
                &ctx,
                sendplan_domain::lifecycle::RecordKind::Person,
                person.id,
            ),
        ),
    )
}

pub async fn update_person(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let form = RawForm(pairs);
    let person = state.store.get_person(ctx.pid(), PersonId(id)).await?;
    let page = person_page(
        &ctx,
        Some(&person),
        &state.store.list_organisations(ctx.pid()).await?,
    );
    let input = match PersonInput::parse(&form) {
        Ok(input) => input,
        Err(errors) => return page.with_errors(&form, errors),
    };
    match state
        .store
        .update_person(ctx.actor(), ctx.pid(), person.id, version_of(&form), &input)
        .await
    {
        Ok(()) => Ok(saved(
            &state,
            &format!("{}/people", ctx.base()),
            "Person saved",
        )),
        Err(StoreError::Conflict) => {
            page.with_conflict(&form, person.version, &format!("{}/people", ctx.base()))
        }
        Err(error) => refused(page, &form, error),
    }
}

pub async fn list_organisations(State(state): State<AppState>, ctx: Ctx) -> AppResult {
    let organisations = state.store.list_organisations(ctx.pid()).await?;
    let editable = ctx.can(Capability::EditPlans);
    let rows = organisations
        .iter()
        .map(|o| {
            let first = if editable {
                Cell::link(
                    o.name.clone(),
                    format!("{}/organisations/{}/edit", ctx.base(), o.id),
                )
            } else {
                Cell::text(o.name.clone())
            };
            vec![first, Cell::text(o.kind.label())]
        })
        .collect();
    html(&table(
        &ctx,
        "Organisations",
        "organisations",
        vec!["Name", "Kind"],
        rows,
        Some((
            "Add an organisation",
            format!("{}/organisations/new", ctx.base()),
        )),
    ))
}

fn organisation_page(ctx: &Ctx, organisation: Option<&Organisation>) -> FormPage {
    let (heading, action) = match organisation {
        Some(o) => (
            format!("Edit {}", o.name),
            format!("{}/organisations/{}/edit", ctx.base(), o.id),
        ),
        None => (
            "Add an organisation".to_owned(),
            format!("{}/organisations/new", ctx.base()),
        ),
    };
    let mut fields = vec![
        Field::text("name", "Name").value(organisation.map_or("", |o| o.name.as_str())),
        Field::radios(
            "kind",
            "Kind of organisation",
            OrganisationKind::ALL
                .iter()
                .map(|k| Choice::new(k.code(), k.label()))
                .collect(),
        )
        .value(organisation.map_or("", |o| o.kind.code())),
    ];
    if let Some(o) = organisation {
        fields.push(Field::hidden("version", o.version));
    }
    FormPage::new(
        Chrome::for_ctx(ctx, heading.clone(), "organisations"),
        heading,
        action,
        fields,
    )
    .cancel(format!("{}/organisations", ctx.base()))
}

pub async fn new_organisation(ctx: Ctx) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    html(&organisation_page(&ctx, None))
}

pub async fn create_organisation(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let form = RawForm(pairs);
    let page = organisation_page(&ctx, None);
    let input = match OrganisationInput::parse(&form) {
        Ok(input) => input,
        Err(errors) => return page.with_errors(&form, errors),
    };
    match state
        .store
        .create_organisation(ctx.actor(), ctx.pid(), &input)
        .await
    {
        Ok(_) => Ok(saved(
            &state,
            &format!("{}/organisations", ctx.base()),
            "Organisation added",
        )),
        Err(error) => refused(page, &form, error),
    }
}

pub async fn edit_organisation(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let organisation = state
        .store
        .get_organisation(ctx.pid(), OrganisationId(id))
        .await?;
    html(&organisation_page(&ctx, Some(&organisation)).delete_link(
        "Delete this organisation",
        crate::handlers::lifecycle::delete_href(
            &ctx,
            sendplan_domain::lifecycle::RecordKind::Organisation,
            organisation.id,
        ),
    ))
}

pub async fn update_organisation(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let form = RawForm(pairs);
    let organisation = state
        .store
        .get_organisation(ctx.pid(), OrganisationId(id))
        .await?;
    let page = organisation_page(&ctx, Some(&organisation));
    let input = match OrganisationInput::parse(&form) {
        Ok(input) => input,
        Err(errors) => return page.with_errors(&form, errors),
    };
    match state
        .store
        .update_organisation(
            ctx.actor(),
            ctx.pid(),
            organisation.id,
            version_of(&form),
            &input,
        )
        .await
    {
        Ok(()) => Ok(saved(
            &state,
            &format!("{}/organisations", ctx.base()),
            "Organisation saved",
        )),
        Err(StoreError::Conflict) => page.with_conflict(
            &form,
            organisation.version,
            &format!("{}/organisations", ctx.base()),
        ),
        Err(error) => refused(page, &form, error),
    }
}

fn merge_page(ctx: &Ctx, person: &Person, people: &[Person]) -> FormPage {
    let others: Vec<Choice> = people
        .iter()
        .filter(|p| p.id != person.id && !p.to_review)
        .map(|p| Choice::new(p.id, p.display_name()))
        .collect();
    FormPage::new(
        Chrome::for_ctx(ctx, "Merge or confirm a person", "people"),
        format!("Who is \u{201c}{}\u{201d}?", person.display_name()),
        format!("{}/people/{}/merge", ctx.base(), person.id),
        vec![Field::select("into", "This is the same person as", with_none("Choose someone", others))],
    )
    .caption("A lead an import could not match")
    .intro("An imported plan named this lead, and sendplan could not match it to anyone in the partnership. If it is someone already listed, merge them: every action, area and account that names this entry will name that person instead. If it is a new person, confirm them by editing their details instead.")
    .submit("Merge")
    .cancel(format!("{}/people", ctx.base()))
    .with_link("Edit and confirm as a new person", format!("{}/people/{}/edit", ctx.base(), person.id))
}

fn split_page(ctx: &Ctx, person: &Person) -> FormPage {
    FormPage::new(
        Chrome::for_ctx(ctx, "Split into several people", "people"),
        format!("Who is \u{201c}{}\u{201d}?", person.display_name()),
        format!("{}/people/{}/split", ctx.base(), person.id),
        vec![
            Field::textarea("people", "The people this entry is, one per line")
                .rows(5)
                .hint("Write each as \"Name, job title\". The first keeps this entry; the others are added. Every action this entry leads or partners will name each of them."),
            // Not "version": the form acts on the entry rather than editing it.
            Field::hidden("person_version", person.version),
        ],
    )
    .caption("One entry that is really several people")
    .intro("A plan sometimes names two leads in one cell, for example \"(M.S) CYC (K.McN) CCG\", and an import keeps it as one entry. Split it into the people it names.")
    .submit("Split")
    .cancel(format!("{}/people/{}/edit", ctx.base(), person.id))
}

pub async fn show_split_person(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let person = state.store.get_person(ctx.pid(), PersonId(id)).await?;
    html(&split_page(&ctx, &person))
}

pub async fn split_person(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let form = RawForm(pairs);
    let person = state.store.get_person(ctx.pid(), PersonId(id)).await?;
    let page = split_page(&ctx, &person);
    let input = match sendplan_domain::input::SplitInput::parse(&form) {
        Ok(input) => input,
        Err(errors) => return page.with_errors(&form, errors),
    };
    let people = format!("{}/people", ctx.base());
    match state
        .store
        .split_person(
            ctx.actor(),
            ctx.pid(),
            person.id,
            form.get("person_version").parse().unwrap_or(0),
            &input.people,
        )
        .await
    {
        Ok(ids) => Ok(saved(
            &state,
            &people,
            &format!("Split into {} people", ids.len()),
        )),
        Err(StoreError::Conflict) => {
            let mut page = page;
            page.set_value("person_version", person.version);
            page.with_errors(
                &form,
                sendplan_domain::input::FieldErrors::single(
                    "people",
                    "Someone changed this entry after you opened this page. Check it on the People page, then split it again if you still mean to.",
                ),
            )
        }
        Err(error) => refused(page, &form, error),
    }
}

pub async fn show_merge_person(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let person = state.store.get_person(ctx.pid(), PersonId(id)).await?;
    html(&merge_page(
        &ctx,
        &person,
        &state.store.list_people(ctx.pid()).await?,
    ))
}

pub async fn merge_person(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let form = RawForm(pairs);
    let person = state.store.get_person(ctx.pid(), PersonId(id)).await?;
    let people = state.store.list_people(ctx.pid()).await?;
    let page = merge_page(&ctx, &person, &people);
    let Some(into) = form
        .get("into")
        .parse::<i64>()
        .ok()
        .map(PersonId)
        .filter(|p| people.iter().any(|x| x.id == *p))
    else {
        return page.with_errors(
            &form,
            sendplan_domain::input::FieldErrors::single("into", "Choose the person this is"),
        );
    };
    match state
        .store
        .merge_person(ctx.actor(), ctx.pid(), person.id, into)
        .await
    {
        Ok(()) => Ok(saved(
            &state,
            &format!("{}/people", ctx.base()),
            &format!("{} merged", person.display_name()),
        )),
        Err(error) => refused(page, &form, error),
    }
}
