//! The Local Offer's rolling review programme, run by the scheduler: for every service,
//! the domain says what is due today (`local_offer::review::next_step`), and this sends
//! it: an email to the service's contact with a link that confirms the entry unchanged
//! without signing in, reminders when it goes unanswered, then word to the Local Offer
//! officers. Each email is recorded once (see `Store::send_review_email`), so a round can
//! run again, or on two servers, without sending anything twice.

use crate::auth::{random_token, token_hash};
use sendplan_domain::input::long_date;
use sendplan_domain::local_offer::review::{
    due_date, next_step, review_contact, NextStep, ReviewEmail, ReviewPolicy, LINK_VALID_DAYS,
};
use sendplan_domain::reminders::Recipient;
use sendplan_domain::PartnershipId;
use sendplan_storage::{OutgoingMail, ReviewEmailToSend, ReviewRound, Store, StoreError};
use time::OffsetDateTime;

/// The address of a review link.
pub fn review_link(base_url: &str, token: &str) -> String {
    format!(
        "{}/local-offer-review/{token}",
        base_url.trim_end_matches('/')
    )
}

/// Sends every review email due at `now` in one partnership; returns how many.
pub async fn review_round(
    store: &Store,
    partnership: PartnershipId,
    base_url: &str,
    now: OffsetDateTime,
) -> Result<usize, StoreError> {
    let mut sent = 0;
    let name = store.get_partnership(partnership).await?.name;
    let (policy, _) = store.review_policy(partnership).await?;
    let officers = store.local_offer_officers(partnership).await?;
    for round in store.review_rounds(partnership).await? {
        let step = next_step(
            &round.entry.service,
            &round.sent,
            round.officer_told,
            now.date(),
            &policy,
        );
        sent += send_step(
            store,
            Programme {
                partnership,
                name: &name,
                policy: &policy,
                officers: &officers,
                base_url,
            },
            &round,
            step,
            now,
        )
        .await?;
    }
    Ok(sent)
}

/// What every email in one partnership's round shares.
#[derive(Clone, Copy)]
struct Programme<'a> {
    partnership: PartnershipId,
    name: &'a str,
    policy: &'a ReviewPolicy,
    officers: &'a [Recipient],
    base_url: &'a str,
}

async fn send_step(
    store: &Store,
    programme: Programme<'_>,
    round: &ReviewRound,
    step: NextStep,
    now: OffsetDateTime,
) -> Result<usize, StoreError> {
    let service = &round.entry.service;
    let contact = review_contact(service, round.organisation.as_ref());
    let kind = match (step, contact) {
        (NextStep::Wait, _) => return Ok(0),
        // Nobody to ask: the officers are told at once, once.
        (_, None) if round.officer_told => return Ok(0),
        (_, None) | (NextStep::TellOfficer, _) => ReviewEmail::OfficerTold,
        (NextStep::Invite, Some(_)) => ReviewEmail::Invitation,
        (NextStep::Remind(_), Some(_)) => ReviewEmail::Reminder,
    };
    if kind == ReviewEmail::OfficerTold {
        let Some(first) = programme.officers.first() else {
            return Ok(0);
        };
        let mails: Vec<OutgoingMail> = programme
            .officers
            .iter()
            .map(|officer| officer_mail(programme, round, contact, officer))
            .collect();
        let recorded = store
            .send_review_email(
                programme.partnership,
                &ReviewEmailToSend {
                    service_key: &service.key,
                    checked_on: service.assured_date,
                    kind,
                    recipient: &first.email,
                    token_hash: None,
                    mails: &mails,
                },
                now,
            )
            .await?;
        return Ok(if recorded { mails.len() } else { 0 });
    }
    let Some(contact) = contact else {
        return Ok(0);
    };
    let token = random_token();
    let link = review_link(programme.base_url, &token);
    let mail = contact_mail(programme, round, contact, &link, step);
    let recorded = store
        .send_review_email(
            programme.partnership,
            &ReviewEmailToSend {
                service_key: &service.key,
                checked_on: service.assured_date,
                kind,
                recipient: contact,
                token_hash: Some(&token_hash(&token)),
                mails: std::slice::from_ref(&mail),
            },
            now,
        )
        .await?;
    Ok(usize::from(recorded))
}

fn last_checked(round: &ReviewRound) -> String {
    round
        .entry
        .service
        .assured_date
        .map_or_else(|| "never".to_owned(), |d| format!("on {}", long_date(d)))
}

/// The email asking a service's contact to check its entry.
fn contact_mail(
    programme: Programme<'_>,
    round: &ReviewRound,
    contact: &str,
    link: &str,
    step: NextStep,
) -> OutgoingMail {
    let service = &round.entry.service;
    let (subject, opening) = match step {
        NextStep::Remind(n) => (
            format!(
                "Reminder: please check {} in {}'s Local Offer",
                service.name, programme.name
            ),
            format!(
                "This is reminder {n} of {}: we have not heard back about this entry yet.\n\n",
                programme.policy.reminders
            ),
        ),
        _ => (
            format!(
                "Please check {} in {}'s Local Offer",
                service.name, programme.name
            ),
            String::new(),
        ),
    };
    let due = due_date(service, programme.policy)
        .map_or_else(|| "now".to_owned(), |d| format!("on {}", long_date(d)));
    let body = format!(
        "Hello,\n\n{opening}{} is listed in {}'s Local Offer, the directory families use to find services for children and young people with special educational needs and disabilities.\n\n\
         We ask every service to check its entry every {} months, so that families can trust what they read. This entry was last checked {}, and its next check is due {due}.\n\n\
         Open this link to see the entry. If nothing has changed, press \"Nothing has changed\": you do not need an account.\n\n{link}\n\n\
         If something has changed, the same page says how to update it. The link works for {LINK_VALID_DAYS} days.\n\n\
         {} Local Offer team",
        service.name,
        programme.name,
        programme.policy.months,
        last_checked(round),
        programme.name,
    );
    OutgoingMail {
        partnership: Some(programme.partnership),
        purpose: "local_offer_review",
        to: Recipient {
            name: String::new(),
            email: contact.to_owned(),
        },
        subject,
        body,
        secret: true,
    }
}

/// The email telling an officer that a service's contact has not answered, or that it has
/// no one to ask.
fn officer_mail(
    programme: Programme<'_>,
    round: &ReviewRound,
    contact: Option<&str>,
    officer: &Recipient,
) -> OutgoingMail {
    let service = &round.entry.service;
    let what = match (contact, round.sent.first()) {
        (Some(contact), Some(first)) => format!(
            "We asked {contact} to check this entry on {} and reminded them {} times, with no answer.",
            long_date(*first),
            round.sent.len().saturating_sub(1)
        ),
        _ => "The entry gives no email address, so there is no one to ask to check it.".to_owned(),
    };
    let body = format!(
        "Hello {},\n\n{what} {} was last checked {}.\n\nOpen it in sendplan to check it yourself, or to find who to ask:\n{}/p/{}/local-offer/services/{}\n\nsendplan",
        officer.name,
        service.name,
        last_checked(round),
        programme.base_url.trim_end_matches('/'),
        programme.partnership.0,
        crate::views::url_encode(&service.key).replace('/', "%2F"),
    );
    OutgoingMail {
        partnership: Some(programme.partnership),
        purpose: "local_offer_review",
        to: officer.clone(),
        subject: format!("{}: the Local Offer review has had no answer", service.name),
        body,
        secret: false,
    }
}
