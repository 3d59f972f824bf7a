//! Keeping Local Offer entries right once they are in. A provider changes their own
//! organisation's services; each change waits for a Local Offer officer, who reads it as
//! the difference from what families see now, then approves it or returns it with a
//! reason. Officers also edit entries themselves and restore any earlier version (as a new
//! version: history is added to, never rewritten). Nothing a provider sends is public
//! until it is approved.

use super::{redirect_with, refused, saved, version_of, FormPairs};
use crate::auth::{Ctx, Flash};
use crate::errors::{AppError, AppResult};
use crate::forms::{Choice, Field};
use crate::pages::{html, FormPage, NoticePage, TableBlock};
use crate::views::{url_encode, Cell, Chrome, LinkButton, PostButton, Tag};
use crate::AppState;
use axum::extract::{Path, State};
use axum::response::Response;
use sendplan_domain::access::Capability;
use sendplan_domain::input::{long_date, FormReader, RawForm};
use sendplan_domain::local_offer::changes::{
    apply_edit, differences, form_values, time_fields, Names, ProposalState,
};
use sendplan_domain::local_offer::measures::LocalOfferMeasure;
use sendplan_domain::local_offer::{Day, Service};
use sendplan_storage::{Problem, Proposal, ServiceEntry, StoreError};

/// A service key as one segment of an address (keys from feeds can hold anything).
fn segment(key: &str) -> String {
    url_encode(key).replace('/', "%2F")
}

fn officer_home(ctx: &Ctx) -> String {
    format!("{}/local-offer", ctx.base())
}

fn service_href(ctx: &Ctx, key: &str) -> String {
    format!("{}/local-offer/services/{}", ctx.base(), segment(key))
}

fn provider_home(ctx: &Ctx) -> String {
    format!("{}/provide", ctx.base())
}

fn last_checked(service: &Service) -> String {
    service
        .assured_date
        .map(long_date)
        .unwrap_or_else(|| "Not recorded".to_owned())
}

/// How to give opening times, said once above the form.
const TIMES_HINT: &str = "Give opening times in the 24-hour clock, like 09:30 or 17:00, and leave both times empty on days it is closed.";

/// The edit form's fields, filled from `service`, for the version it was read at.
fn edit_fields(service: &Service, version: i64) -> Vec<Field> {
    let mut fields = vec![
        Field::text("name", "Name of the service"),
        Field::textarea("description", "Description")
            .rows(6)
            .hint("What it offers and who it is for, in plain English."),
        Field::textarea("easy_read", "Easy Read description")
            .rows(4)
            .hint("Short sentences and everyday words, for children, young people and adults who find reading hard."),
        Field::textarea("how_to_access", "How to get a place or a referral").rows(3),
        Field::text("fees", "What it costs").hint("For example, Free, or £5 a session"),
        Field::text("minimum_age", "Youngest age, in years")
            .width("govuk-input--width-3")
            .input_type("text"),
        Field::text("maximum_age", "Oldest age, in years").width("govuk-input--width-3"),
        Field::text("url", "Website").input_type("url"),
        Field::text("email", "Email address")
            .input_type("email")
            .autocomplete("off"),
        Field::text("phone", "Phone number")
            .input_type("tel")
            .width("govuk-input--width-20"),
    ];
    for day in Day::ALL {
        let (opens, closes) = time_fields(*day);
        fields.push(
            Field::text(&opens, &format!("{}: opens at", day.label()))
                .width("govuk-input--width-5"),
        );
        fields.push(
            Field::text(&closes, &format!("{}: closes at", day.label()))
                .width("govuk-input--width-5"),
        );
    }
    fields.push(
        Field::text("times_note", "Anything else about when it is open")
            .hint("For example, Term time only, or By appointment"),
    );
    fields.push(Field::hidden("version", version));
    for (name, value) in form_values(service) {
        if let Some(field) = fields.iter_mut().find(|f| f.name == name) {
            field.set_value(value);
        }
    }
    fields
}

/// The organisation this provider keeps the services of, or "not found": someone who
/// provides for no organisation has no services here.
async fn own_organisation(state: &AppState, ctx: &Ctx) -> AppResult<String> {
    ctx.require(Capability::ProposeServiceChanges)?;
    state
        .store
        .provider_organisation(ctx.signed_in.user.id, ctx.pid())
        .await?
        .ok_or(AppError::NotFound)
}

/// One of the provider's own services, or "not found" for anyone else's.
async fn own_service(state: &AppState, ctx: &Ctx, key: &str) -> AppResult<ServiceEntry> {
    let organisation = own_organisation(state, ctx).await?;
    let entry = state.store.local_offer_service(ctx.pid(), key).await?;
    if entry.service.organization_key != organisation {
        return Err(AppError::NotFound);
    }
    Ok(entry)
}

fn proposal_tag(proposal: Option<&Proposal>) -> Tag {
    match proposal.map(|p| p.state) {
        Some(ProposalState::Waiting) => Tag::new("Change waiting for approval", "blue"),
        Some(ProposalState::Returned) => Tag::new("Change returned", "red"),
        _ => Tag::new("Published", "green"),
    }
}

/// A provider's services, each with where its latest change stands.
pub async fn provider_services(State(state): State<AppState>, ctx: Ctx) -> AppResult {
    ctx.require(Capability::ProposeServiceChanges)?;
    let chrome = Chrome::for_ctx(&ctx, "Your services", "provide");
    let Some(organisation) = state
        .store
        .provider_organisation(ctx.signed_in.user.id, ctx.pid())
        .await?
    else {
        let mut page = NoticePage::new(chrome, "Your services")
            .say("You do not provide services for an organisation in this Local Offer, so there is nothing here for you to change.");
        if ctx.can(Capability::ManageLocalOffer) {
            page.links
                .push(("Look after the Local Offer".to_owned(), officer_home(&ctx)));
        }
        return html(&page);
    };
    let entries = state
        .store
        .services_of_organisation(ctx.pid(), &organisation)
        .await?;
    let proposals = state
        .store
        .latest_proposals(ctx.pid(), &organisation)
        .await?;
    let rows = entries
        .iter()
        .map(|entry| {
            let key = &entry.service.key;
            let proposal = proposals.iter().find(|p| &p.service_key == key);
            let status = Cell::text(match proposal {
                Some(p) if p.state == ProposalState::Returned => {
                    format!("Returned: {}", p.reason.trim())
                }
                _ => String::new(),
            })
            .with_tag(proposal_tag(proposal));
            vec![
                Cell::link(
                    entry.service.name.clone(),
                    format!("{}/services/{}", provider_home(&ctx), segment(key)),
                ),
                Cell::text(last_checked(&entry.service)),
                status,
            ]
        })
        .collect();
    let problems: Vec<Vec<Cell>> = state
        .store
        .list_problems(ctx.pid())
        .await?
        .iter()
        .filter(|p| p.dealt_at.is_none())
        .filter_map(|p| {
            let entry = entries.iter().find(|e| e.service.key == p.service_key)?;
            Some(problem_row(&ctx, p, entry.service.name.clone(), false))
        })
        .collect();
    let mut page = NoticePage::new(chrome, "Your services in the Local Offer")
        .say("Families find these services in the Local Offer. Change anything that is out of date: the Local Offer team checks each change, and families see it once it is approved.");
    page.caption = ctx.partnership.name.clone();
    page.tables.push(TableBlock {
        heading: "Services".to_owned(),
        head: vec!["Service", "Last checked", "State"],
        rows,
        empty: "Your organisation has no services in the Local Offer yet.".to_owned(),
    });
    page.tables.push(TableBlock {
        heading: "Problems families reported".to_owned(),
        head: vec!["Service", "What is wrong", "Reported"],
        rows: problems,
        empty: "No problems have been reported with your services.".to_owned(),
    });
    html(&page)
}

fn provider_form(ctx: &Ctx, entry: &ServiceEntry, start: &Service, intro: String) -> FormPage {
    FormPage::new(
        Chrome::for_ctx(ctx, entry.service.name.clone(), "provide"),
        format!("Change {}", entry.service.name),
        format!(
            "{}/services/{}",
            provider_home(ctx),
            segment(&entry.service.key)
        ),
        edit_fields(start, entry.version),
    )
    .caption("Your services")
    .intro(format!("{intro} {TIMES_HINT}"))
    .submit("Send for approval")
    .cancel(provider_home(ctx))
}

pub async fn edit_own_service(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, key)): Path<(i64, String)>,
) -> AppResult {
    let entry = own_service(&state, &ctx, &key).await?;
    let organisation = entry.service.organization_key.clone();
    let latest = state
        .store
        .latest_proposals(ctx.pid(), &organisation)
        .await?
        .into_iter()
        .find(|p| p.service_key == key);
    let intro = "Families see this entry as it is now. What you change here is sent to the Local Offer team, and families see it once they approve it.";
    let (start, intro) = match &latest {
        // Carry on from the change still waiting, if it was made to this version.
        Some(p) if p.state == ProposalState::Waiting && p.base_version == entry.version => (
            p.service.clone(),
            format!("{intro} Your change of {} is still waiting: this form shows it, and sending again replaces it.", long_date(p.proposed_at.date())),
        ),
        Some(p) if p.state == ProposalState::Returned => (
            entry.service.clone(),
            format!("{intro} Your last change was returned: {}", p.reason),
        ),
        _ => (entry.service.clone(), intro.to_owned()),
    };
    html(&provider_form(&ctx, &entry, &start, intro))
}

pub async fn save_own_service(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, key)): Path<(i64, String)>,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    let entry = own_service(&state, &ctx, &key).await?;
    let form = RawForm(pairs);
    let page = provider_form(&ctx, &entry, &entry.service, String::new());
    let proposed = match apply_edit(&form, &entry.service) {
        Ok(service) => service,
        Err(errors) => return page.with_errors(&form, errors),
    };
    let organisation = entry.service.organization_key.clone();
    match state
        .store
        .propose_service_change(
            ctx.actor(),
            ctx.pid(),
            Some(&organisation),
            &proposed,
            version_of(&form),
        )
        .await
    {
        Ok(_) => Ok(saved(
            &state,
            &provider_home(&ctx),
            &format!(
                "Your change to {} was sent to the Local Offer team. Families will see it once it is approved.",
                proposed.name
            ),
        )),
        Err(StoreError::Conflict) => page.with_conflict(
            &form,
            entry.version,
            "the Local Offer's page for this service",
        ),
        Err(error) => refused(page, &form, error),
    }
}

/// The officer's page: changes waiting, changes decided lately, and every entry.
pub async fn officer_page(State(state): State<AppState>, ctx: Ctx) -> AppResult {
    ctx.require(Capability::ManageLocalOffer)?;
    let proposals = state.store.list_proposals(ctx.pid()).await?;
    let directory = state.store.local_offer(ctx.pid()).await?;
    let name_of = |key: &str| {
        directory
            .services
            .iter()
            .find(|s| s.key == key)
            .map_or_else(|| key.to_owned(), |s| s.name.clone())
    };
    let change_row = |p: &Proposal| {
        vec![
            Cell::link(
                name_of(&p.service_key),
                format!("{}/changes/{}", officer_home(&ctx), p.id),
            ),
            Cell::text(p.proposed_by.clone()),
            Cell::text(long_date(p.proposed_at.date())),
            Cell::text(match p.state {
                ProposalState::Waiting => String::new(),
                _ => format!(
                    "{} by {}",
                    p.decided_at
                        .map(|d| long_date(d.date()))
                        .unwrap_or_default(),
                    p.decided_by.clone().unwrap_or_default()
                ),
            })
            .with_tag(Tag::new(
                p.state.label(),
                match p.state {
                    ProposalState::Waiting => "blue",
                    ProposalState::Approved => "green",
                    ProposalState::Returned => "red",
                },
            )),
        ]
    };
    let (waiting, decided): (Vec<&Proposal>, Vec<&Proposal>) = proposals
        .iter()
        .partition(|p| p.state == ProposalState::Waiting);
    let organisation_name = |key: &str| {
        directory
            .organizations
            .iter()
            .find(|o| o.key == key)
            .map_or_else(|| key.to_owned(), |o| o.name.clone())
    };
    let mut page = NoticePage::new(Chrome::for_ctx(&ctx, "Local Offer", "local-offer"), "Local Offer")
        .say("Providers' changes wait here until you approve them or return them with a reason. Families see only what is approved.");
    page.caption = ctx.partnership.name.clone();
    page.wide = true;
    page.buttons.push(LinkButton::secondary(
        "Review programme",
        format!("{}/review", officer_home(&ctx)),
    ));
    page.buttons.push(LinkButton::secondary(
        "Import a directory",
        format!("{}/import", officer_home(&ctx)),
    ));
    let new_comments = state.store.new_comments(ctx.pid()).await?;
    page.buttons.push(LinkButton::secondary(
        format!("Families' comments ({new_comments} new)"),
        format!("{}/feedback", officer_home(&ctx)),
    ));
    page.buttons.push(LinkButton::secondary(
        "Website performance",
        format!("{}/performance", officer_home(&ctx)),
    ));
    page.buttons.push(LinkButton::secondary(
        "Unmet need",
        format!("{}/unmet-need", officer_home(&ctx)),
    ));
    page.tables.push(TableBlock {
        heading: "Changes waiting for approval".to_owned(),
        head: vec!["Service", "From", "Sent", "State"],
        rows: waiting.into_iter().map(change_row).collect(),
        empty: "No changes are waiting.".to_owned(),
    });
    let problems = state.store.list_problems(ctx.pid()).await?;
    page.tables.push(TableBlock {
        heading: "Problems families reported".to_owned(),
        head: vec!["Service", "What is wrong", "Reported"],
        rows: problems
            .iter()
            .filter(|p| p.dealt_at.is_none())
            .map(|p| problem_row(&ctx, p, name_of(&p.service_key), true))
            .collect(),
        empty: "No problems are waiting.".to_owned(),
    });
    page.tables.push(TableBlock {
        heading: "Changes decided".to_owned(),
        head: vec!["Service", "From", "Sent", "Decided"],
        rows: decided.into_iter().take(20).map(change_row).collect(),
        empty: "No changes have been decided yet.".to_owned(),
    });
    page.tables.push(TableBlock {
        heading: "Services".to_owned(),
        head: vec!["Service", "Organisation", "Last checked"],
        rows: directory
            .services
            .iter()
            .map(|s| {
                vec![
                    Cell::link(s.name.clone(), service_href(&ctx, &s.key)),
                    Cell::text(organisation_name(&s.organization_key)),
                    Cell::text(last_checked(s)),
                ]
            })
            .collect(),
        empty: "The Local Offer has no services yet: import a directory with sendplan local-offer import.".to_owned(),
    });
    html(&page)
}

/// A reported problem: the service, what is wrong (flagged when the words may hold
/// someone's details), and, for an officer, the button that closes it.
fn problem_row(ctx: &Ctx, problem: &Problem, service: String, officer: bool) -> Vec<Cell> {
    let what = [problem.kind.label(), problem.details.as_str()]
        .into_iter()
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join(": ");
    let mut what = Cell::text(what);
    if problem.flagged {
        what = what.with_tag(Tag::new("May hold personal details", "yellow"));
    }
    let mut when = Cell::text(long_date(problem.reported_at.date()));
    if officer {
        when = when.with_post(
            PostButton::new(
                "Dealt with",
                format!("{}/problems/{}/dealt", officer_home(ctx), problem.id),
            )
            .context(format!("the problem reported with {service}")),
        );
    }
    vec![
        if officer {
            Cell::link(service, service_href(ctx, &problem.service_key))
        } else {
            Cell::text(service)
        },
        what,
        when,
    ]
}

pub async fn problem_dealt_with(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
) -> AppResult {
    ctx.require(Capability::ManageLocalOffer)?;
    state
        .store
        .mark_problem_dealt(ctx.actor(), ctx.pid(), id)
        .await?;
    Ok(saved(
        &state,
        &officer_home(&ctx),
        "The problem is marked as dealt with",
    ))
}

async fn proposal_and_entry(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
) -> AppResult<(Proposal, ServiceEntry)> {
    ctx.require(Capability::ManageLocalOffer)?;
    let proposal = state.store.get_proposal(ctx.pid(), id).await?;
    let entry = state
        .store
        .local_offer_service(ctx.pid(), &proposal.service_key)
        .await?;
    Ok((proposal, entry))
}

/// A difference table: each field that differs, as it is now and as it would be.
fn difference_table(
    heading: &str,
    now: &Service,
    then: &Service,
    then_head: &'static str,
    names: &Names,
) -> TableBlock {
    TableBlock {
        heading: heading.to_owned(),
        head: vec!["Field", "Now", then_head],
        rows: differences(now, then, names)
            .into_iter()
            .map(|d| {
                vec![
                    Cell::text(d.field),
                    Cell::text(if d.before.is_empty() {
                        "(empty)".to_owned()
                    } else {
                        d.before
                    }),
                    Cell::text(if d.after.is_empty() {
                        "(empty)".to_owned()
                    } else {
                        d.after
                    }),
                ]
            })
            .collect(),
        empty: "Nothing differs from the entry as it is now.".to_owned(),
    }
}

/// One proposed change, as the difference from what families see now.
pub async fn show_change(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
) -> AppResult {
    let (proposal, entry) = proposal_and_entry(&state, &ctx, id).await?;
    let here = format!("{}/changes/{id}", officer_home(&ctx));
    let mut page = NoticePage::new(
        Chrome::for_ctx(
            &ctx,
            format!("Change to {}", entry.service.name),
            "local-offer",
        ),
        format!("Change to {}", entry.service.name),
    )
    .say(format!(
        "Sent by {} on {}.",
        proposal.proposed_by,
        long_date(proposal.proposed_at.date())
    ));
    page.caption = "Local Offer".to_owned();
    page.back = officer_home(&ctx);
    page.wide = true;
    let names = state.store.local_offer_names(ctx.pid()).await?;
    page.tables.push(difference_table(
        "What would change",
        &entry.service,
        &proposal.service,
        "Proposed",
        &names,
    ));
    match proposal.state {
        ProposalState::Waiting if proposal.base_version != entry.version => {
            page.warning = "The entry has changed since this was sent, so approving it would overwrite that change. Return it, so the provider can make their change again to the entry as it is now.".to_owned();
            page.buttons.push(LinkButton::primary(
                "Return with a reason",
                format!("{here}/return"),
            ));
        }
        ProposalState::Waiting => {
            page.posts.push(PostButton::new(
                "Approve and publish",
                format!("{here}/approve"),
            ));
            page.buttons.push(LinkButton::secondary(
                "Return with a reason",
                format!("{here}/return"),
            ));
        }
        decided => page.paragraphs.push(format!(
            "{} on {} by {}.{}",
            decided.label(),
            proposal
                .decided_at
                .map(|d| long_date(d.date()))
                .unwrap_or_default(),
            proposal.decided_by.clone().unwrap_or_default(),
            if proposal.reason.is_empty() {
                String::new()
            } else {
                format!(" Reason: {}", proposal.reason)
            }
        )),
    }
    page.links.push((
        "Every version of this entry".to_owned(),
        service_href(&ctx, &entry.service.key),
    ));
    html(&page)
}

/// Back to the officer's page with news that needs noticing (a refusal, not a success).
fn news(state: &AppState, to: &str, text: String) -> Response {
    redirect_with(
        state,
        to,
        &Flash {
            text,
            important: true,
        },
    )
}

pub async fn approve_change(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
) -> AppResult {
    let (proposal, entry) = proposal_and_entry(&state, &ctx, id).await?;
    let here = format!("{}/changes/{id}", officer_home(&ctx));
    match state.store.approve_proposal(ctx.actor(), ctx.pid(), id).await {
        Ok(()) => Ok(saved(
            &state,
            &officer_home(&ctx),
            &format!(
                "Approved: families now see {}'s change to {}",
                proposal.proposed_by, entry.service.name
            ),
        )),
        Err(StoreError::Conflict) => Ok(news(
            &state,
            &here,
            "Not approved: the entry changed since this was sent. Return it so the provider can make their change again.".to_owned(),
        )),
        Err(StoreError::Rule(why)) => Ok(news(&state, &here, why)),
        Err(error) => Err(error.into()),
    }
}

fn return_form(ctx: &Ctx, proposal: &Proposal, entry: &ServiceEntry) -> FormPage {
    let here = format!("{}/changes/{}", officer_home(ctx), proposal.id);
    FormPage::new(
        Chrome::for_ctx(ctx, "Return a change", "local-offer"),
        format!("Return {}'s change", proposal.proposed_by),
        format!("{here}/return"),
        vec![Field::textarea("reason", "Why are you returning it?")
            .rows(4)
            .hint("The provider sees this beside their service. Say what to change, so they can send it again.")],
    )
    .caption(entry.service.name.clone())
    .submit("Return the change")
    .cancel(here)
}

pub async fn confirm_return_change(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
) -> AppResult {
    let (proposal, entry) = proposal_and_entry(&state, &ctx, id).await?;
    html(&return_form(&ctx, &proposal, &entry))
}

pub async fn return_change(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    let (proposal, entry) = proposal_and_entry(&state, &ctx, id).await?;
    let form = RawForm(pairs);
    let page = return_form(&ctx, &proposal, &entry);
    let mut reader = FormReader::new(&form);
    let reason = reader.required("reason", "why you are returning it", 1000);
    let reason = match reader.finish(reason) {
        Ok(reason) => reason.trim().to_owned(),
        Err(errors) => return page.with_errors(&form, errors),
    };
    match state
        .store
        .return_proposal(ctx.actor(), ctx.pid(), id, &reason)
        .await
    {
        Ok(()) => Ok(saved(
            &state,
            &officer_home(&ctx),
            &format!(
                "Returned {}'s change to {}",
                proposal.proposed_by, entry.service.name
            ),
        )),
        Err(error) => refused(page, &form, error),
    }
}

/// Every version an entry has had, newest first, each with what restoring it would change.
pub async fn show_service(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, key)): Path<(i64, String)>,
) -> AppResult {
    ctx.require(Capability::ManageLocalOffer)?;
    let entry = state.store.local_offer_service(ctx.pid(), &key).await?;
    let versions = state.store.service_versions(ctx.pid(), &key).await?;
    let names = state.store.local_offer_names(ctx.pid()).await?;
    let href = service_href(&ctx, &key);
    let rows = versions
        .iter()
        .map(|v| {
            let changed: Vec<&str> = differences(&entry.service, &v.service, &names)
                .iter()
                .map(|d| d.field)
                .collect();
            let mut what = Cell::text(if v.version == entry.version {
                "What families see now".to_owned()
            } else if changed.is_empty() {
                "The same as now".to_owned()
            } else {
                format!("Differs from now in: {}", changed.join(", "))
            });
            if v.version != entry.version && !changed.is_empty() {
                what = what.with_post(
                    PostButton::new("Restore", format!("{href}/versions/{}/restore", v.version))
                        .context(format!("version {}", v.version))
                        .hidden("version", entry.version),
                );
            }
            vec![
                Cell::text(format!("Version {}", v.version)),
                Cell::text(format!(
                    "{}, {} by {}",
                    long_date(v.made_at.date()),
                    v.how,
                    v.made_by
                )),
                what,
            ]
        })
        .collect();
    let mut page = NoticePage::new(
        Chrome::for_ctx(&ctx, entry.service.name.clone(), "local-offer"),
        entry.service.name.clone(),
    )
    .say(format!(
        "Version {}, last checked: {}. Restoring an earlier version makes it a new version; nothing is lost.",
        entry.version,
        last_checked(&entry.service)
    ));
    page.caption = "Local Offer".to_owned();
    page.back = officer_home(&ctx);
    page.wide = true;
    page.buttons.push(LinkButton::primary(
        "Edit this entry",
        format!("{href}/edit"),
    ));
    page.tables.push(TableBlock {
        heading: "Versions".to_owned(),
        head: vec!["Version", "Made", "Compared with now"],
        rows,
        empty: "No versions are recorded.".to_owned(),
    });
    html(&page)
}

pub async fn restore_version(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, key, version)): Path<(i64, String, i64)>,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    ctx.require(Capability::ManageLocalOffer)?;
    let form = RawForm(pairs);
    let href = service_href(&ctx, &key);
    match state
        .store
        .restore_service_version(ctx.actor(), ctx.pid(), &key, version, version_of(&form))
        .await
    {
        Ok(now) => Ok(saved(
            &state,
            &href,
            &format!("Version {version} restored: families now see it, as version {now}"),
        )),
        Err(StoreError::Conflict) => Ok(news(
            &state,
            &href,
            "Not restored: the entry changed while you were looking at it. Check the versions below and try again.".to_owned(),
        )),
        Err(error) => Err(error.into()),
    }
}

fn officer_form(ctx: &Ctx, entry: &ServiceEntry) -> FormPage {
    let href = service_href(ctx, &entry.service.key);
    FormPage::new(
        Chrome::for_ctx(ctx, entry.service.name.clone(), "local-offer"),
        format!("Edit {}", entry.service.name),
        format!("{href}/edit"),
        edit_fields(&entry.service, entry.version),
    )
    .caption("Local Offer")
    .intro(format!("What you save here is what families see, at once. The version before is kept and can be restored. {TIMES_HINT}"))
    .submit("Save and publish")
    .cancel(href)
}

pub async fn edit_service(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, key)): Path<(i64, String)>,
) -> AppResult {
    ctx.require(Capability::ManageLocalOffer)?;
    let entry = state.store.local_offer_service(ctx.pid(), &key).await?;
    html(&officer_form(&ctx, &entry))
}

pub async fn save_service(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, key)): Path<(i64, String)>,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    ctx.require(Capability::ManageLocalOffer)?;
    let entry = state.store.local_offer_service(ctx.pid(), &key).await?;
    let form = RawForm(pairs);
    let page = officer_form(&ctx, &entry);
    let edited = match apply_edit(&form, &entry.service) {
        Ok(service) => service,
        Err(errors) => return page.with_errors(&form, errors),
    };
    let href = service_href(&ctx, &key);
    match state
        .store
        .edit_service(ctx.actor(), ctx.pid(), &edited, version_of(&form))
        .await
    {
        Ok(version) => Ok(saved(
            &state,
            &href,
            &format!(
                "{} saved as version {version}: families see it now",
                edited.name
            ),
        )),
        Err(StoreError::Conflict) => page.with_conflict(&form, entry.version, &href),
        Err(error) => refused(page, &form, error),
    }
}

/// The Local Offer's figures a plan does not hold yet, as checkboxes.
async fn local_offer_measures_form(
    state: &AppState,
    ctx: &Ctx,
    plan: sendplan_domain::PlanId,
) -> AppResult<FormPage> {
    let held: Vec<LocalOfferMeasure> = state
        .store
        .local_offer_measures(ctx.pid())
        .await?
        .into_iter()
        .filter(|(p, _, _)| *p == plan)
        .map(|(_, _, what)| what)
        .collect();
    let choices = LocalOfferMeasure::ALL
        .iter()
        .filter(|what| !held.contains(what))
        .map(|what| Choice::new(what.code(), what.label()).hint(what.input().definition))
        .collect::<Vec<_>>();
    let intro = if choices.is_empty() {
        "This plan already holds every Local Offer measure."
    } else {
        "sendplan works these out from the Local Offer and records them on the plan each day, so the plan's Local Offer area can show its impact. Add targets to them like any other measure."
    };
    let measures = format!("{}/plans/{}/measures", ctx.base(), plan.0);
    Ok(FormPage::new(
        Chrome::for_ctx(ctx, "Add the Local Offer's measures", "overview"),
        "Add the Local Offer's measures",
        format!("{measures}/local-offer"),
        vec![Field::checkboxes("what", "Which measures?", choices)],
    )
    .intro(intro)
    .submit("Add the measures")
    .cancel(measures))
}

pub async fn new_local_offer_measures(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, plan)): Path<(i64, i64)>,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let plan = state
        .store
        .get_plan(ctx.pid(), sendplan_domain::PlanId(plan))
        .await?;
    let page = local_offer_measures_form(&state, &ctx, plan.id).await?;
    if page.fields.iter().all(|f| f.options.is_empty()) {
        // Nothing left to add: say so, with no button that could do nothing.
        let measures = format!("{}/plans/{}/measures", ctx.base(), plan.id);
        let mut notice = NoticePage::new(page.chrome, page.heading).say(page.intro);
        notice.back = measures.clone();
        notice
            .links
            .push(("Back to the impact measures".to_owned(), measures));
        return html(&notice);
    }
    html(&page)
}

pub async fn add_local_offer_measures(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, plan)): Path<(i64, i64)>,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let plan = state
        .store
        .get_plan(ctx.pid(), sendplan_domain::PlanId(plan))
        .await?;
    let form = RawForm(pairs);
    let page = local_offer_measures_form(&state, &ctx, plan.id).await?;
    let mut reader = FormReader::new(&form);
    let chosen: Vec<LocalOfferMeasure> = reader
        .ids::<String>("what", "a measure")
        .iter()
        .filter_map(|code| LocalOfferMeasure::from_code(code))
        .collect();
    if chosen.is_empty() {
        reader.error("what", "Select the measures to add");
    }
    if let Err(errors) = reader.finish(()) {
        return page.with_errors(&form, errors);
    }
    for what in &chosen {
        if let Err(error) = state
            .store
            .add_local_offer_measure(ctx.actor(), ctx.pid(), plan.id, *what, ctx.today)
            .await
        {
            return refused(page, &form, error);
        }
    }
    Ok(saved(
        &state,
        &format!("{}/plans/{}/measures", ctx.base(), plan.id),
        &format!(
            "Added {}: sendplan records them from the Local Offer each day",
            chosen
                .iter()
                .map(|w| w.label())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    ))
}
