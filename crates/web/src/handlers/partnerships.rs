//! The partnership list, a partnership's home page, its details and its members.

use super::{refused, saved, version_of, FormPairs};
use crate::auth::{Ctx, SignedIn};
use crate::errors::{AppError, AppResult};
use crate::forms::{with_none, Choice, Field};
use crate::pages::{html, FormPage, PartnershipPage, PartnershipsPage, PlanCard, TablePage};
use crate::views::{Cell, Chrome, LinkButton};
use crate::AppState;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect};
use sendplan_domain::access::{Capability, Role};
use sendplan_domain::input::{FieldErrors, FormReader, PartnershipInput, RawForm};
use sendplan_domain::partnership::{Partnership, Person};
use sendplan_domain::rating::RatingClass;
use sendplan_storage::StoreError;

/// The start page: the partnerships the account belongs to (straight to the only one).
pub async fn list_partnerships(State(state): State<AppState>, signed_in: SignedIn) -> AppResult {
    let partnerships = state.store.partnerships_for(&signed_in.user).await?;
    if let [(only, _)] = partnerships.as_slice() {
        if !signed_in.user.deployment_admin {
            return Ok(Redirect::to(&format!("/p/{}", only.id)).into_response());
        }
    }
    let cells = partnerships
        .iter()
        .map(|(p, role)| {
            let mut cell = Cell::link(
                format!("{} ({})", p.name, p.la_code),
                format!("/p/{}", p.id),
            );
            if let Some(role) = role {
                cell.tags.push(crate::views::Tag::new(role.label(), "grey"));
            }
            cell
        })
        .collect();
    html(&PartnershipsPage {
        chrome: Chrome::plain("Your partnerships", Some(&signed_in)),
        partnerships: cells,
        can_create: signed_in.user.deployment_admin,
    })
}

fn partnership_fields(existing: Option<&Partnership>) -> Vec<Field> {
    let mut fields = vec![
        Field::text("name", "Name of the local area")
            .hint("For example, Wolverhampton")
            .value(existing.map_or("", |p| p.name.as_str())),
        Field::text("la_code", "Local authority code")
            .hint("The 9-character ONS code, for example E08000031")
            .width("govuk-input--width-10")
            .value(existing.map_or("", |p| p.la_code.as_str())),
    ];
    if let Some(p) = existing {
        fields.push(Field::hidden("version", p.version));
    }
    fields
}

fn require_deployment_admin(signed_in: &SignedIn) -> Result<(), AppError> {
    if signed_in.user.deployment_admin {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

fn new_partnership_page(signed_in: &SignedIn) -> FormPage {
    FormPage::new(
        Chrome::plain("Add a partnership", Some(signed_in)),
        "Add a partnership",
        "/partnerships/new",
        partnership_fields(None),
    )
    .cancel("/")
    .submit("Add partnership")
}

pub async fn new_partnership(signed_in: SignedIn) -> AppResult {
    require_deployment_admin(&signed_in)?;
    html(&new_partnership_page(&signed_in))
}

pub async fn create_partnership(
    State(state): State<AppState>,
    signed_in: SignedIn,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    require_deployment_admin(&signed_in)?;
    let form = RawForm(pairs);
    let page = new_partnership_page(&signed_in);
    let input = match PartnershipInput::parse(&form) {
        Ok(input) => input,
        Err(errors) => return page.with_errors(&form, errors),
    };
    match state
        .store
        .create_partnership(signed_in.actor(), &input)
        .await
    {
        Ok(id) => Ok(saved(
            &state,
            &format!("/p/{id}"),
            &format!("{} added", input.name),
        )),
        Err(error) => refused(page, &form, error),
    }
}

/// The partnership home: each plan with its actions by rating class and what needs attention.
pub async fn show_partnership(State(state): State<AppState>, ctx: Ctx) -> AppResult {
    let summary = state
        .store
        .partnership_summary(ctx.pid(), ctx.today)
        .await?;
    let plans = summary
        .plans
        .into_iter()
        .map(|s| PlanCard {
            href: format!("{}/plans/{}", ctx.base(), s.plan.id),
            title: s.plan.title.clone(),
            kind: s.plan.kind.label().to_owned(),
            status: s.plan.status.label().to_owned(),
            counts: s
                .counts
                .non_zero()
                .into_iter()
                .map(|(class, n)| (class.label().to_owned(), n, class_colour(class).to_owned()))
                .collect(),
            total: s.counts.total(),
            unrated: s.counts.unrated,
            overdue_actions: s.overdue_actions,
            overdue_milestones: s.overdue_milestones,
            stale_actions: s.stale_actions,
        })
        .collect();
    let mut buttons = Vec::new();
    if ctx.can(Capability::EditPlans) {
        buttons.push(LinkButton::primary(
            "Create a plan",
            format!("{}/plans/new", ctx.base()),
        ));
        buttons.push(LinkButton::secondary(
            "Import a plan from a spreadsheet",
            format!("{}/imports/new", ctx.base()),
        ));
    }
    if ctx.can(Capability::ManagePartnership) {
        buttons.push(LinkButton::secondary(
            "Edit partnership details",
            format!("{}/edit", ctx.base()),
        ));
    }
    html(&PartnershipPage {
        chrome: Chrome::for_ctx(
            &ctx,
            format!("{} SEND improvement", ctx.partnership.name),
            "overview",
        ),
        la_code: ctx.partnership.la_code.clone(),
        plans,
        buttons,
    })
}

/// A neutral colour per class for counts that span several plans' schemes.
pub fn class_colour(class: RatingClass) -> &'static str {
    match class {
        RatingClass::OffTrack => "red",
        RatingClass::SomeConcerns => "orange",
        RatingClass::NotStarted => "pink",
        RatingClass::Waiting => "purple",
        RatingClass::OnTrack => "green",
        RatingClass::Complete => "blue",
        RatingClass::NotYetDue => "grey",
    }
}

fn edit_partnership_page(ctx: &Ctx) -> FormPage {
    FormPage::new(
        Chrome::for_ctx(ctx, "Edit partnership details", "overview"),
        "Edit partnership details",
        format!("{}/edit", ctx.base()),
        partnership_fields(Some(&ctx.partnership)),
    )
    .cancel(ctx.base())
}

pub async fn edit_partnership(ctx: Ctx) -> AppResult {
    ctx.require(Capability::ManagePartnership)?;
    html(&edit_partnership_page(&ctx))
}

pub async fn update_partnership(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    ctx.require(Capability::ManagePartnership)?;
    let form = RawForm(pairs);
    let page = edit_partnership_page(&ctx);
    let input = match PartnershipInput::parse(&form) {
        Ok(input) => input,
        Err(errors) => return page.with_errors(&form, errors),
    };
    match state
        .store
        .update_partnership(ctx.actor(), ctx.pid(), version_of(&form), &input)
        .await
    {
        Ok(()) => Ok(saved(&state, &ctx.base(), "Partnership details saved")),
        Err(StoreError::Conflict) => {
            let current = state.store.get_partnership(ctx.pid()).await?;
            page.with_conflict(&form, current.version, &ctx.base())
        }
        Err(error) => refused(page, &form, error),
    }
}

fn member_fields(people: &[Person]) -> Vec<Field> {
    vec![
        Field::text("email", "Email address of the account")
            .hint("The account must exist already: accounts are created with `sendplan user add`.")
            .input_type("email")
            .autocomplete("email"),
        Field::radios(
            "role",
            "Role",
            Role::ALL
                .iter()
                .map(|r| Choice::new(r.code(), r.label()).hint(role_hint(*r)))
                .collect(),
        ),
        Field::select(
            "person_id",
            "Which person in the plans is this account?",
            with_none(
                "Not linked to a person",
                people
                    .iter()
                    .map(|p| Choice::new(p.id, p.display_name()))
                    .collect(),
            ),
        )
        .hint(
            "Link an action lead to their person, so \"My actions\" shows the actions they lead.",
        ),
    ]
}

fn role_hint(role: Role) -> &'static str {
    match role {
        Role::Admin => {
            "Manages the partnership, its members and the audit log, and can do everything else"
        }
        Role::PlanManager => "Builds and edits plans, inspections and people",
        Role::ActionLead => "Posts progress updates on the actions they lead",
        Role::Viewer => "Reads plans: board members, advisers, forum representatives",
    }
}

async fn members_page(state: &AppState, ctx: &Ctx) -> Result<(TablePage, FormPage), AppError> {
    let members = state.store.list_members(ctx.pid()).await?;
    let people = state.store.list_people(ctx.pid()).await?;
    let rows = members
        .iter()
        .map(|m| {
            let person = m
                .person_id
                .and_then(|id| people.iter().find(|p| p.id == id))
                .map(Person::display_name)
                .unwrap_or_default();
            vec![
                Cell::text(m.display_name.clone()),
                Cell::text(m.email.clone()),
                Cell::text(m.role.label()),
                Cell::text(person),
            ]
        })
        .collect();
    let table = TablePage {
        chrome: Chrome::for_ctx(ctx, "Members", "members"),
        heading: "Members".to_owned(),
        caption: ctx.partnership.name.clone(),
        intro: "Everyone who can sign in to this partnership, and what they can do.".to_owned(),
        buttons: vec![],
        head: vec!["Name", "Email", "Role", "Person in plans"],
        rows,
        empty: "No members yet.".to_owned(),
        more_href: String::new(),
    };
    let form = FormPage::new(
        Chrome::for_ctx(ctx, "Give someone a role", "members"),
        "Give someone a role",
        format!("{}/members", ctx.base()),
        member_fields(&people),
    )
    .cancel(format!("{}/members", ctx.base()))
    .submit("Save role");
    Ok((table, form))
}

pub async fn list_members(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<Vec<(String, String)>>,
) -> AppResult {
    ctx.require(Capability::ManagePartnership)?;
    let (mut table, form) = members_page(&state, &ctx).await?;
    if RawForm(query).get("add") == "1" {
        return html(&form);
    }
    table.buttons.push(LinkButton::primary(
        "Give someone a role",
        format!("{}/members?add=1", ctx.base()),
    ));
    html(&table)
}

pub async fn grant_role(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    ctx.require(Capability::ManagePartnership)?;
    let form = RawForm(pairs);
    let (_, page) = members_page(&state, &ctx).await?;
    let mut reader = FormReader::new(&form);
    let email = sendplan_domain::input::parse_email(&mut reader, "email", true);
    let role = reader.choice("role", "a role", Role::from_code);
    let person = reader.optional_id("person_id", "a person");
    let (role, person) = match reader.finish((role, person)) {
        Ok((Some(role), person)) => (role, person),
        Ok((None, _)) => {
            return page.with_errors(&form, FieldErrors::single("role", "Select a role"))
        }
        Err(errors) => return page.with_errors(&form, errors),
    };
    let Some(user) = state.store.find_user_by_email(&email).await? else {
        let message = "There is no account with that email address. Create it first with `sendplan user add`.";
        return page.with_errors(&form, FieldErrors::single("email", message));
    };
    match state
        .store
        .grant_role(ctx.actor(), user.id, ctx.pid(), role, person)
        .await
    {
        Ok(()) => Ok(saved(
            &state,
            &format!("{}/members", ctx.base()),
            &format!(
                "{} is now {}",
                user.display_name,
                role.label().to_lowercase()
            ),
        )),
        Err(error) => refused(page, &form, error),
    }
}
