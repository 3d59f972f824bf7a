//! A partnership's members and invitations: inviting someone with a role (by email, or a
//! link to copy when there is no mail server), sending an invitation again or withdrawing
//! it, changing a member's role, removing a leaver, and the email domains that sign in
//! through the identity provider. Partnership administrators only.

use super::accounts::when;
use super::partnerships::role_hint;
use super::session::link_to;
use super::{refused, saved, FormPairs};
use crate::auth::{random_token, token_hash, Ctx};
use crate::errors::AppResult;
use crate::forms::{with_none, Choice, Field};
use crate::pages::{html, FormPage, NoticePage, TableBlock};
use crate::views::{Cell, Chrome, LinkButton, PostButton, Tag};
use crate::AppState;
use axum::extract::{Path, State};
use sendplan_domain::access::{Capability, Role};
use sendplan_domain::accounts::{
    parse_domains, provider_organisation, InvitationInput, InvitationState,
};
use sendplan_domain::input::{FieldErrors, FormReader, RawForm};
use sendplan_domain::partnership::Person;
use sendplan_domain::reminders::Recipient;
use sendplan_domain::UserId;
use sendplan_storage::{Member, OutgoingMail};
use time::OffsetDateTime;

fn role_choices(current: Option<Role>) -> Vec<Choice> {
    Role::ALL
        .iter()
        .map(|r| {
            let mut choice = Choice::new(r.code(), r.label()).hint(role_hint(*r));
            choice.selected = current == Some(*r);
            choice
        })
        .collect()
}

fn person_choices(people: &[Person], current: Option<sendplan_domain::PersonId>) -> Vec<Choice> {
    with_none(
        "Not linked to a person",
        people
            .iter()
            .map(|p| {
                let mut choice = Choice::new(p.id, p.display_name());
                choice.selected = current == Some(p.id);
                choice
            })
            .collect(),
    )
}

/// The Local Offer organisations a provider can keep the services of.
fn organisation_field(organisations: &[(String, String)], current: Option<&str>) -> Field {
    Field::select(
        "organisation",
        "For a Local Offer provider: which organisation's services will they keep up to date?",
        with_none(
            "Not a provider",
            organisations
                .iter()
                .map(|(key, name)| {
                    let mut choice = Choice::new(key, name);
                    choice.selected = current == Some(key.as_str());
                    choice
                })
                .collect(),
        ),
    )
    .hint("A provider sees and changes only this organisation's services, and an officer approves each change before families see it.")
}

/// An organisation the page did not offer (a forged or stale form), said on the field.
fn unknown_organisation(page: &FormPage, form: &RawForm) -> Option<FieldErrors> {
    page.fields
        .iter()
        .find(|f| f.name == "organisation")
        .filter(|f| !f.offers(&form.all("organisation")))
        .map(|_| FieldErrors::single("organisation", "Select an organisation from the list"))
}

fn organisation_name<'a>(organisations: &'a [(String, String)], key: &'a str) -> &'a str {
    organisations
        .iter()
        .find(|(k, _)| k == key)
        .map_or(key, |(_, name)| name.as_str())
}

fn person_name(people: &[Person], id: Option<sendplan_domain::PersonId>) -> String {
    id.and_then(|id| people.iter().find(|p| p.id == id))
        .map(Person::display_name)
        .unwrap_or_default()
}

/// Members, then invitations with their state, each with what can be done to it.
pub async fn list_members(State(state): State<AppState>, ctx: Ctx) -> AppResult {
    ctx.require(Capability::ManagePartnership)?;
    let members = state.store.list_members(ctx.pid()).await?;
    let invitations = state.store.list_invitations(ctx.pid()).await?;
    let people = state.store.list_people(ctx.pid()).await?;
    let organisations = state.store.local_offer_organisations(ctx.pid()).await?;
    let now = OffsetDateTime::now_utc();
    let base = ctx.base();
    let member_rows = members
        .iter()
        .map(|m| {
            let mut name = Cell::link(
                m.display_name.clone(),
                format!("{base}/members/{}", m.user_id.0),
            );
            if m.disabled {
                name = name.with_tag(Tag::new("Disabled", "red"));
            }
            let mut role = Cell::text(match &m.organisation {
                Some(key) => format!(
                    "{} for {}",
                    m.role.label(),
                    organisation_name(&organisations, key)
                ),
                None => m.role.label().to_owned(),
            });
            if m.casework {
                role = role.with_tag(Tag::new("Casework", "purple"));
            }
            vec![
                name,
                Cell::text(m.email.clone()),
                role,
                Cell::text(person_name(&people, m.person_id)),
            ]
        })
        .collect();
    let invitation_rows = invitations
        .iter()
        .map(|i| {
            let invitation_state = i.state(now);
            let colour = match invitation_state {
                InvitationState::Waiting => "blue",
                InvitationState::Accepted => "green",
                InvitationState::Expired => "yellow",
                InvitationState::Withdrawn => "grey",
            };
            let mut status = Cell::text(i.email_state.clone().unwrap_or_default())
                .with_tag(Tag::new(invitation_state.label(), colour));
            if invitation_state.is_open() {
                let path = format!("{base}/invitations/{}", i.id);
                status = status
                    .with_post(
                        PostButton::new("Send again", format!("{path}/resend"))
                            .context(format!("to {}", i.email)),
                    )
                    .with_post(
                        PostButton::new("Withdraw", format!("{path}/withdraw"))
                            .context(format!("the invitation to {}", i.email)),
                    );
            }
            vec![
                Cell::text(i.email.clone()),
                Cell::text(i.role.label()),
                Cell::text(format!("{}, by {}", when(i.sent_at), i.invited_by)),
                status,
            ]
        })
        .collect();
    let mut page = NoticePage::new(Chrome::for_ctx(&ctx, "Members", "members"), "Members").say(
        "Everyone who can sign in to this partnership, what they can do, and who has been invited.",
    );
    page.caption = ctx.partnership.name.clone();
    page.wide = true;
    page.buttons.push(LinkButton::primary(
        "Invite someone",
        format!("{base}/invitations/new"),
    ));
    page.buttons.push(LinkButton::secondary(
        "Single sign-on",
        format!("{base}/sign-in"),
    ));
    page.tables.push(TableBlock {
        heading: "Members".to_owned(),
        head: vec!["Name", "Email", "Role", "Person in plans"],
        rows: member_rows,
        empty: "No members yet.".to_owned(),
    });
    page.tables.push(TableBlock {
        heading: "Invitations".to_owned(),
        head: vec!["Email", "Role", "Sent", "State"],
        rows: invitation_rows,
        empty: "No invitations yet.".to_owned(),
    });
    html(&page)
}

async fn invitation_page(state: &AppState, ctx: &Ctx) -> AppResult<FormPage> {
    let people = state.store.list_people(ctx.pid()).await?;
    let organisations = state.store.local_offer_organisations(ctx.pid()).await?;
    let intro = if state.config.mailer.is_some() {
        "We will email them a link to join. It works once, for 7 days. If they already have a sendplan account, accepting adds this role to it."
    } else {
        "This sendplan cannot send email, so you will be shown a link to give them yourself. It works once, for 7 days."
    };
    Ok(FormPage::new(
        Chrome::for_ctx(ctx, "Invite someone", "members"),
        "Invite someone",
        format!("{}/invitations/new", ctx.base()),
        vec![
            Field::text("email", "Email address")
                .input_type("email")
                .autocomplete("off"),
            Field::radios("role", "Role", role_choices(None)),
            Field::select(
                "person_id",
                "Which person in the plans are they?",
                person_choices(&people, None),
            )
            .hint("Link an action lead to their person, so \"My actions\" shows the actions they lead."),
            organisation_field(&organisations, None),
        ],
    )
    .intro(intro)
    .submit("Send invitation")
    .cancel(format!("{}/members", ctx.base())))
}

pub async fn new_invitation(State(state): State<AppState>, ctx: Ctx) -> AppResult {
    ctx.require(Capability::ManagePartnership)?;
    html(&invitation_page(&state, &ctx).await?)
}

/// The email an invitation sends.
fn invitation_mail(
    state: &AppState,
    ctx: &Ctx,
    email: &str,
    role: Role,
    link: &str,
) -> Option<OutgoingMail> {
    state.config.mailer.as_ref()?;
    Some(OutgoingMail {
        partnership: Some(ctx.pid()),
        purpose: "invitation",
        to: Recipient {
            name: String::new(),
            email: email.to_owned(),
        },
        subject: format!("You are invited to {} on sendplan", ctx.partnership.name),
        body: format!(
            "{} has invited you to join {}'s SEND improvement plans on sendplan as {}: {}.\n\n\
             To accept, open this link within 7 days:\n{link}\n\n\
             The link works once. If you were not expecting this email, you can ignore it.",
            ctx.signed_in.user.display_name,
            ctx.partnership.name,
            role.label().to_lowercase(),
            role_hint(role).to_lowercase(),
        ),
        secret: true,
    })
}

/// After inviting: with a mail server, back to the list; without one, the link, shown
/// once, to copy (only its hash is kept, so it cannot be shown again).
fn after_inviting(state: &AppState, ctx: &Ctx, email: &str, link: &str, mailed: bool) -> AppResult {
    if mailed {
        state.mail_waiting.notify_one();
        return Ok(saved(
            state,
            &format!("{}/members", ctx.base()),
            &format!("Invitation sent to {email}"),
        ));
    }
    let mut page = NoticePage::new(Chrome::for_ctx(ctx, "Give them this link", "members"), "Give them this link")
        .say(format!("The invitation to {email} is ready. This sendplan cannot send email, so copy the link below and send it to them yourself."))
        .back(format!("{}/members", ctx.base()));
    page.warning = "This is the only time the link is shown. It works once, for 7 days. Anyone with it can join as this person, so send it only to them.".to_owned();
    page.copy = link.to_owned();
    page.copy_label = format!("Invitation link for {email}");
    page = page.link("Back to members", format!("{}/members", ctx.base()));
    html(&page)
}

pub async fn create_invitation(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    ctx.require(Capability::ManagePartnership)?;
    let form = RawForm(pairs);
    let page = invitation_page(&state, &ctx).await?;
    if let Some(errors) = unknown_organisation(&page, &form) {
        return page.with_errors(&form, errors);
    }
    let input = match InvitationInput::parse(&form) {
        Ok(input) => input,
        Err(errors) => return page.with_errors(&form, errors),
    };
    let token = random_token();
    let link = link_to(&state, &format!("/invitations/{token}"));
    let mail = invitation_mail(&state, &ctx, &input.email, input.role, &link);
    let now = OffsetDateTime::now_utc();
    match state
        .store
        .create_invitation(
            ctx.actor(),
            ctx.pid(),
            &input,
            &token_hash(&token),
            now,
            mail.as_ref(),
        )
        .await
    {
        Ok(_) => after_inviting(&state, &ctx, &input.email, &link, mail.is_some()),
        Err(error) => refused(page, &form, error),
    }
}

/// Sends an invitation again with a new link and 7 more days.
pub async fn resend_invitation(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
) -> AppResult {
    ctx.require(Capability::ManagePartnership)?;
    let invitation = state.store.get_invitation(ctx.pid(), id).await?;
    let token = random_token();
    let link = link_to(&state, &format!("/invitations/{token}"));
    let mail = invitation_mail(&state, &ctx, &invitation.email, invitation.role, &link);
    let now = OffsetDateTime::now_utc();
    state
        .store
        .resend_invitation(
            ctx.actor(),
            ctx.pid(),
            id,
            &token_hash(&token),
            now,
            mail.as_ref(),
        )
        .await?;
    after_inviting(&state, &ctx, &invitation.email, &link, mail.is_some())
}

pub async fn withdraw_invitation(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
) -> AppResult {
    ctx.require(Capability::ManagePartnership)?;
    let invitation = state.store.get_invitation(ctx.pid(), id).await?;
    let now = OffsetDateTime::now_utc();
    state
        .store
        .withdraw_invitation(ctx.actor(), ctx.pid(), id, now)
        .await?;
    Ok(saved(
        &state,
        &format!("{}/members", ctx.base()),
        &format!(
            "The invitation to {} is withdrawn: its link no longer works",
            invitation.email
        ),
    ))
}

async fn member(state: &AppState, ctx: &Ctx, id: i64) -> AppResult<Member> {
    state
        .store
        .list_members(ctx.pid())
        .await?
        .into_iter()
        .find(|m| m.user_id == UserId(id))
        .ok_or(crate::errors::AppError::NotFound)
}

fn member_page(
    ctx: &Ctx,
    member: &Member,
    people: &[Person],
    organisations: &[(String, String)],
) -> FormPage {
    let base = ctx.base();
    FormPage::new(
        Chrome::for_ctx(ctx, member.display_name.clone(), "members"),
        format!("Change {}'s role", member.display_name),
        format!("{base}/members/{}", member.user_id.0),
        vec![
            Field::radios("role", "Role", role_choices(Some(member.role))),
            Field::select(
                "person_id",
                "Which person in the plans are they?",
                person_choices(people, member.person_id),
            ),
            organisation_field(organisations, member.organisation.as_deref()),
            Field::checkboxes(
                "casework",
                "Casework",
                vec![Choice::new("granted", "Can see EHC casework").hint(
                    "Case-level data about children: EHC needs assessments, plans, reviews and what is overdue, by case reference. Give it only to the SEND team members who need it. No role brings it, not even an administrator's, and every look at a case is in the audit log.",
                )],
            )
            .checked(if member.casework { &["granted"][..] } else { &[] }),
        ],
    )
    .caption(member.email.clone())
    .with_link(
        format!("Remove {} from the partnership", member.display_name),
        format!("{base}/members/{}/remove", member.user_id.0),
    )
    .submit("Save role")
    .cancel(format!("{base}/members"))
}

pub async fn edit_member(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
) -> AppResult {
    ctx.require(Capability::ManagePartnership)?;
    let member = member(&state, &ctx, id).await?;
    let people = state.store.list_people(ctx.pid()).await?;
    let organisations = state.store.local_offer_organisations(ctx.pid()).await?;
    html(&member_page(&ctx, &member, &people, &organisations))
}

pub async fn update_member(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    ctx.require(Capability::ManagePartnership)?;
    let member = member(&state, &ctx, id).await?;
    let people = state.store.list_people(ctx.pid()).await?;
    let organisations = state.store.local_offer_organisations(ctx.pid()).await?;
    let page = member_page(&ctx, &member, &people, &organisations);
    let form = RawForm(pairs);
    let mut reader = FormReader::new(&form);
    let role = reader.choice("role", "a role", Role::from_code);
    let person = reader.optional_id("person_id", "a person");
    let casework = form.all("casework").contains(&"granted");
    let (role, person) = match reader.finish((role, person)) {
        Ok((Some(role), person)) => (role, person),
        Ok((None, _)) => {
            return page.with_errors(&form, FieldErrors::single("role", "Select a role"))
        }
        Err(errors) => return page.with_errors(&form, errors),
    };
    if let Some(errors) = unknown_organisation(&page, &form) {
        return page.with_errors(&form, errors);
    }
    let organisation = match provider_organisation(&form, role) {
        Ok(organisation) => organisation,
        Err(errors) => return page.with_errors(&form, errors),
    };
    match state
        .store
        .change_role(
            ctx.actor(),
            ctx.pid(),
            member.user_id,
            role,
            person,
            organisation.as_deref(),
        )
        .await
    {
        Ok(()) => {}
        Err(error) => return refused(page, &form, error),
    }
    match state
        .store
        .set_casework_access(ctx.actor(), ctx.pid(), member.user_id, casework)
        .await
    {
        Ok(()) => Ok(saved(
            &state,
            &format!("{}/members", ctx.base()),
            &format!(
                "{} is now {}",
                member.display_name,
                role.label().to_lowercase()
            ),
        )),
        Err(error) => refused(page, &form, error),
    }
}

pub async fn confirm_remove_member(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
) -> AppResult {
    ctx.require(Capability::ManagePartnership)?;
    let member = member(&state, &ctx, id).await?;
    let base = ctx.base();
    let heading = format!(
        "Remove {} from {}?",
        member.display_name, ctx.partnership.name
    );
    let mut page = NoticePage::new(Chrome::for_ctx(&ctx, heading.clone(), "members"), heading)
        .say(format!(
            "{} ({}) will no longer be able to see or change anything in this partnership. They are signed out at once, everywhere.",
            member.display_name, member.email
        ))
        .say("What they wrote stays in the plans and the audit log. You can invite them again later.")
        .post(PostButton::new("Remove from the partnership", format!("{base}/members/{id}/remove")).warning())
        .back(format!("{base}/members/{id}"));
    page.caption = member.email.clone();
    page = page.link("Cancel", format!("{base}/members"));
    html(&page)
}

pub async fn remove_member(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
) -> AppResult {
    ctx.require(Capability::ManagePartnership)?;
    let user = UserId(id);
    let name = match member(&state, &ctx, id).await {
        Ok(member) => member.display_name,
        // Already removed (the form sent twice): nothing more to do.
        Err(_) => {
            return Ok(saved(
                &state,
                &format!("{}/members", ctx.base()),
                "Removed from the partnership",
            ))
        }
    };
    state
        .store
        .remove_member(ctx.actor(), ctx.pid(), user)
        .await?;
    tracing::info!(account = id, by = ctx.signed_in.user.id.0, "member removed");
    Ok(saved(
        &state,
        &format!("{}/members", ctx.base()),
        &format!("{name} has been removed from the partnership and signed out"),
    ))
}

async fn sign_in_page(state: &AppState, ctx: &Ctx) -> AppResult<FormPage> {
    let (domains, password_allowed) = state.store.sign_in_domains(ctx.pid()).await?;
    let provider = state.config.sso.as_ref().map(|s| s.name().to_owned());
    let intro = match &provider {
        Some(name) => format!("People whose email address is at one of these domains can sign in with {name}, the identity provider this sendplan is set up with. They still need an invitation or an account: the domain says how they sign in, not that they may."),
        None => "This sendplan has no identity provider set up (SENDPLAN_OIDC_ISSUER), so these domains have no effect until one is. Ask whoever runs it.".to_owned(),
    };
    let mut allowed = vec![
        Choice::new("yes", "Yes, they may use either"),
        Choice::new("no", "No, only the identity provider"),
    ];
    allowed[usize::from(!password_allowed)].selected = true;
    Ok(FormPage::new(
        Chrome::for_ctx(ctx, "Single sign-on", "members"),
        "Single sign-on",
        format!("{}/sign-in", ctx.base()),
        vec![
            Field::textarea("domains", "Email domains that sign in with the identity provider")
                .hint("For example council.gov.uk, nhs.net. Separate them with commas. Leave empty for none.")
                .value(domains.join(", "))
                .rows(3),
            Field::radios("password_allowed", "May people at these domains also sign in with a password?", allowed)
                .hint("Choose No once everyone has signed in through the identity provider, so that access ends when their organisation's account does."),
        ],
    )
    .intro(intro)
    .cancel(format!("{}/members", ctx.base())))
}

pub async fn edit_sign_in(State(state): State<AppState>, ctx: Ctx) -> AppResult {
    ctx.require(Capability::ManagePartnership)?;
    html(&sign_in_page(&state, &ctx).await?)
}

pub async fn save_sign_in(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    ctx.require(Capability::ManagePartnership)?;
    let form = RawForm(pairs);
    let page = sign_in_page(&state, &ctx).await?;
    let mut errors = FieldErrors::default();
    let domains = match parse_domains(form.get("domains")) {
        Ok(domains) => domains,
        Err(message) => {
            errors.add("domains", message);
            Vec::new()
        }
    };
    let password_allowed = match form.get("password_allowed") {
        "yes" => true,
        "no" => false,
        _ => {
            errors.add(
                "password_allowed",
                "Select whether they may also sign in with a password",
            );
            true
        }
    };
    if !errors.is_empty() {
        return page.with_errors(&form, errors);
    }
    match state
        .store
        .set_sign_in_domains(ctx.actor(), ctx.pid(), &domains, password_allowed)
        .await
    {
        Ok(()) => Ok(saved(
            &state,
            &format!("{}/members", ctx.base()),
            "Single sign-on settings saved",
        )),
        Err(error) => refused(page, &form, error),
    }
}
