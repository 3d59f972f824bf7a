//! The partnership list, a partnership's home page, its details and its members.

use super::{refused, saved, version_of, FormPairs};
use crate::auth::{partnership_home, Ctx, SignedIn};
use crate::errors::AppResult;
use crate::forms::Field;
use crate::pages::{html, FormPage, PartnershipPage, PartnershipsPage, PlanCard};
use crate::views::{attention_links, rating_tiles, Cell, Chrome, LinkButton};
use crate::AppState;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use sendplan_domain::access::{Capability, Role};
use sendplan_domain::input::{long_date, PartnershipInput, RawForm};
use sendplan_domain::partnership::Partnership;
use sendplan_storage::StoreError;

/// The start page: the partnerships the account belongs to (straight to the only one).
pub async fn list_partnerships(State(state): State<AppState>, signed_in: SignedIn) -> AppResult {
    let partnerships = state.store.partnerships_for(&signed_in.user).await?;
    if let [(only, role)] = partnerships.as_slice() {
        if !signed_in.user.deployment_admin {
            return Ok(Redirect::to(&partnership_home(only.id, *role)).into_response());
        }
    }
    let cells = partnerships
        .iter()
        .map(|(p, role)| {
            let mut cell = Cell::link(
                format!("{} ({})", p.name, p.la_code),
                partnership_home(p.id, *role),
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
    signed_in.require_deployment_admin()?;
    html(&new_partnership_page(&signed_in))
}

pub async fn create_partnership(
    State(state): State<AppState>,
    signed_in: SignedIn,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    signed_in.require_deployment_admin()?;
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
            attention: attention_links(
                &s.attention,
                &format!("{}/plans/{}", ctx.base(), s.plan.id),
                s.plan.stale_after_days,
            ),
            href: format!("{}/plans/{}", ctx.base(), s.plan.id),
            title: s.plan.title.clone(),
            kind: s.plan.kind.label().to_owned(),
            status: s.plan.status.label().to_owned(),
            counts: rating_tiles(&s.counts, &format!("{}/plans/{}", ctx.base(), s.plan.id)),
            total: s.counts.total(),
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
        buttons.push(LinkButton::secondary(
            "Public pages: look and contact details",
            format!("{}/public-profile", ctx.base()),
        ));
    }
    let archived = state
        .store
        .list_archived_plans(ctx.pid())
        .await?
        .into_iter()
        .map(|(plan, archive)| {
            (
                plan.title,
                format!("{}/plans/{}", ctx.base(), plan.id),
                format!(
                    "Archived {}: {}",
                    long_date(archive.at.date()),
                    archive.reason
                ),
            )
        })
        .collect();
    html(&PartnershipPage {
        chrome: Chrome::for_ctx(
            &ctx,
            format!("{} SEND improvement", ctx.partnership.name),
            "overview",
        ),
        la_code: ctx.partnership.la_code.clone(),
        plans,
        buttons,
        archived,
        deleted_href: if ctx.can(Capability::EditPlans) {
            format!("{}/deleted", ctx.base())
        } else {
            String::new()
        },
    })
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

pub fn role_hint(role: Role) -> &'static str {
    match role {
        Role::Admin => {
            "Manages the partnership, its members and the audit log, and can do everything else"
        }
        Role::PlanManager => "Builds and edits plans, inspections and people",
        Role::ActionLead => "Posts progress updates on the actions they lead",
        Role::Viewer => "Reads plans: board members, advisers, forum representatives",
        Role::LocalOfferOfficer => {
            "Approves providers' changes to the Local Offer and runs its reviews; reads plans"
        }
        Role::Provider => {
            "Keeps one organisation's Local Offer services up to date; sees nothing of the plans"
        }
    }
}
