//! Accounts and access, as rules: what an invitation says and where it stands, how long
//! sessions and single-use links last, how many attempts a sign-in may take, which address
//! a request really came from behind a proxy, and which email domains sign in through the
//! council's identity provider. Storage and the web layer apply these; nothing here does I/O.

use crate::access::Role;
use crate::input::{parse_email, FieldErrors, FormReader, RawForm};
use crate::PersonId;
use std::net::IpAddr;
use time::{Duration, OffsetDateTime};

/// How long an invitation can be accepted.
pub const INVITATION_VALID_FOR: Duration = Duration::days(7);
/// How long a password reset link works (NCSC: short-lived, single use).
pub const RESET_VALID_FOR: Duration = Duration::hours(1);
/// How often a session's "last seen" time is written: often enough for an idle time-out
/// measured in hours, rarely enough that reading a page is not a database write.
pub const LAST_SEEN_EVERY: Duration = Duration::minutes(1);

/// An invitation to join a partnership with a role, as an administrator typed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationInput {
    pub email: String,
    pub role: Role,
    /// The person in the plans this account will be (for "My actions").
    pub person: Option<PersonId>,
    /// For a Local Offer provider, the organisation (its key in the directory) whose
    /// services they keep; `None` for every other role.
    pub organisation: Option<String>,
}

impl InvitationInput {
    pub fn parse(form: &RawForm) -> Result<Self, FieldErrors> {
        let mut f = FormReader::new(form);
        let email = parse_email(&mut f, "email", true);
        let role = f.choice("role", "a role", Role::from_code);
        let person = f.optional_id("person_id", "a person");
        let (role, person) = f.finish((role, person))?;
        let Some(role) = role else {
            return Err(FieldErrors::single("role", "Select a role"));
        };
        Ok(InvitationInput {
            email,
            role,
            person,
            organisation: provider_organisation(form, role)?,
        })
    }
}

/// The organisation a provider is tied to, from the form's `organisation` field: required
/// for a provider, and left out for every other role (whatever the form carried).
pub fn provider_organisation(form: &RawForm, role: Role) -> Result<Option<String>, FieldErrors> {
    if role != Role::Provider {
        return Ok(None);
    }
    match Some(form.get("organisation").trim()).filter(|k| !k.is_empty()) {
        Some(key) => Ok(Some(key.to_owned())),
        None => Err(FieldErrors::single(
            "organisation",
            "Select the organisation whose services they will keep up to date",
        )),
    }
}

/// Where an invitation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitationState {
    /// Sent (or shown) and not yet used.
    Waiting,
    Accepted,
    /// Not accepted within [`INVITATION_VALID_FOR`]; it can be sent again.
    Expired,
    Withdrawn,
}

impl InvitationState {
    pub fn of(
        accepted: bool,
        withdrawn: bool,
        expires_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Self {
        if accepted {
            InvitationState::Accepted
        } else if withdrawn {
            InvitationState::Withdrawn
        } else if now >= expires_at {
            InvitationState::Expired
        } else {
            InvitationState::Waiting
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            InvitationState::Waiting => "Waiting",
            InvitationState::Accepted => "Accepted",
            InvitationState::Expired => "Expired",
            InvitationState::Withdrawn => "Withdrawn",
        }
    }

    /// Whether it can still be resent or withdrawn.
    pub fn is_open(self) -> bool {
        matches!(self, InvitationState::Waiting | InvitationState::Expired)
    }
}

/// How many attempts of one kind a key (an account or a client address) may make in a
/// window. The attempt is counted before it is checked, in one step, so parallel attempts
/// cannot all slip in before the count catches up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub attempts: i64,
    pub window: Duration,
}

/// Wrong passwords for one account: NCSC suggests a small number before slowing down.
pub const SIGN_IN_PER_ACCOUNT: Limit = Limit {
    attempts: 5,
    window: Duration::minutes(15),
};
/// Sign-ins from one client address. Higher than per account, because a council office
/// can reach sendplan from one address; a guesser spreading over accounts still meets it.
pub const SIGN_IN_PER_CLIENT: Limit = Limit {
    attempts: 30,
    window: Duration::minutes(15),
};
/// Password reset emails to one address, so nobody's inbox can be flooded.
pub const RESET_PER_ACCOUNT: Limit = Limit {
    attempts: 3,
    window: Duration::hours(1),
};
/// Reset requests, invitation and reset link uses from one client address.
pub const LINKS_PER_CLIENT: Limit = Limit {
    attempts: 20,
    window: Duration::minutes(15),
};

/// What a throttled person is told: how long to wait, in whole minutes (at least 1).
pub fn minutes_to_wait(window_started: OffsetDateTime, limit: Limit, now: OffsetDateTime) -> i64 {
    let left = (window_started + limit.window - now).whole_seconds();
    ((left + 59) / 60).max(1)
}

/// How long sessions last: ended after `idle` without a request, and after `absolute`
/// whatever happens, so a stolen cookie or a forgotten shared computer stops working.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionTimes {
    pub idle: Duration,
    pub absolute: Duration,
}

impl Default for SessionTimes {
    fn default() -> Self {
        SessionTimes {
            idle: Duration::hours(8),
            absolute: Duration::days(30),
        }
    }
}

impl SessionTimes {
    /// Whether a session started at `created` and last used at `last_seen` still works.
    pub fn alive(
        self,
        created: OffsetDateTime,
        last_seen: OffsetDateTime,
        now: OffsetDateTime,
    ) -> bool {
        now < created + self.absolute && now < last_seen + self.idle
    }
}

/// The address a request came from. Behind a reverse proxy every request arrives from the
/// proxy, so its `X-Forwarded-For` header is believed, but only when the request comes from
/// a proxy the deployment named as trusted: anyone else could write any address there.
/// Proxies append the address they saw, so the right-most entry that is not itself a
/// trusted proxy is the client.
pub fn client_address(peer: IpAddr, forwarded_for: &[&str], trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let mut chain = forwarded_for
        .iter()
        .flat_map(|header| header.split(','))
        .map(str::trim)
        .collect::<Vec<_>>();
    chain.reverse();
    for entry in chain {
        match entry.parse::<IpAddr>() {
            Ok(address) if trusted.contains(&address) => continue,
            Ok(address) => return address,
            // Something a proxy would not write: stop believing the header here.
            Err(_) => return peer,
        }
    }
    peer
}

/// A browser and system in words, such as "Firefox on Windows", for "Your sessions".
pub fn describe_device(user_agent: &str) -> String {
    let ua = user_agent;
    let browser = if ua.contains("Edg/") {
        "Edge"
    } else if ua.contains("OPR/") {
        "Opera"
    } else if ua.contains("Firefox/") {
        "Firefox"
    } else if ua.contains("Chrome/") || ua.contains("Chromium/") || ua.contains("CriOS/") {
        "Chrome"
    } else if ua.contains("Safari/") {
        "Safari"
    } else {
        "A browser"
    };
    let system = if ua.contains("iPhone") || ua.contains("iPad") {
        Some("iPhone or iPad")
    } else if ua.contains("Android") {
        Some("Android")
    } else if ua.contains("Windows") {
        Some("Windows")
    } else if ua.contains("Mac OS X") || ua.contains("Macintosh") {
        Some("Mac")
    } else if ua.contains("CrOS") {
        Some("Chromebook")
    } else if ua.contains("Linux") {
        Some("Linux")
    } else {
        None
    };
    match system {
        Some(system) => format!("{browser} on {system}"),
        None => browser.to_owned(),
    }
}

/// The domain of an email address, lower-cased.
pub fn email_domain(email: &str) -> Option<String> {
    email
        .rsplit_once('@')
        .map(|(_, domain)| domain.trim().to_lowercase())
        .filter(|d| !d.is_empty())
}

/// The email domains a partnership signs in through its identity provider, typed as a
/// list separated by commas, spaces or new lines ("council.gov.uk, nhs.net").
pub fn parse_domains(text: &str) -> Result<Vec<String>, String> {
    let mut domains: Vec<String> = Vec::new();
    for word in text.split(|c: char| c == ',' || c.is_whitespace()) {
        let domain = word.trim().trim_start_matches('@').to_lowercase();
        if domain.is_empty() {
            continue;
        }
        let labels_ok = domain.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
        if !labels_ok || !domain.contains('.') || domain.len() > 253 {
            return Err(format!(
                "{word} is not an email domain: write domains like council.gov.uk, separated by commas"
            ));
        }
        if !domains.contains(&domain) {
            domains.push(domain);
        }
    }
    if domains.len() > 20 {
        return Err("Name at most 20 email domains".to_owned());
    }
    Ok(domains)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn an_invitation_is_waiting_until_accepted_withdrawn_or_seven_days_pass() {
        let sent = datetime!(2026-12-01 09:00 UTC);
        let expires = sent + INVITATION_VALID_FOR;
        let state =
            |accepted, withdrawn, now| InvitationState::of(accepted, withdrawn, expires, now);
        assert_eq!(state(false, false, sent), InvitationState::Waiting);
        assert_eq!(
            state(false, false, expires - Duration::seconds(1)),
            InvitationState::Waiting
        );
        assert_eq!(state(false, false, expires), InvitationState::Expired);
        assert_eq!(state(true, false, expires), InvitationState::Accepted);
        assert_eq!(state(false, true, sent), InvitationState::Withdrawn);
        assert!(InvitationState::Expired.is_open());
        assert!(!InvitationState::Accepted.is_open());
    }

    #[test]
    fn an_invitation_needs_an_email_and_a_role() {
        let errors =
            InvitationInput::parse(&RawForm::from_pairs(&[("email", "not an email")])).unwrap_err();
        assert!(errors.message_for("email").is_some());
        let errors =
            InvitationInput::parse(&RawForm::from_pairs(&[("email", "lead@council.gov.uk")]))
                .unwrap_err();
        assert_eq!(errors.message_for("role"), Some("Select a role"));
        let input = InvitationInput::parse(&RawForm::from_pairs(&[
            ("email", "Lead@Council.gov.uk"),
            ("role", "action_lead"),
            ("person_id", "7"),
        ]))
        .unwrap();
        assert_eq!(input.email, "lead@council.gov.uk");
        assert_eq!(input.role, Role::ActionLead);
        assert_eq!(input.person, Some(PersonId(7)));
    }

    #[test]
    fn sessions_end_when_idle_or_too_old() {
        let times = SessionTimes::default();
        let start = datetime!(2026-12-01 09:00 UTC);
        assert!(times.alive(start, start, start + Duration::hours(7)));
        assert!(!times.alive(start, start, start + Duration::hours(8)));
        let used_yesterday = start + Duration::days(29) + Duration::hours(20);
        assert!(times.alive(
            start,
            used_yesterday,
            start + Duration::days(29) + Duration::hours(23)
        ));
        assert!(!times.alive(start, used_yesterday, start + Duration::days(30)));
    }

    #[test]
    fn the_wait_is_whole_minutes_until_the_window_ends() {
        let start = datetime!(2026-12-01 09:00 UTC);
        assert_eq!(minutes_to_wait(start, SIGN_IN_PER_ACCOUNT, start), 15);
        assert_eq!(
            minutes_to_wait(start, SIGN_IN_PER_ACCOUNT, start + Duration::seconds(61)),
            14
        );
        assert_eq!(
            minutes_to_wait(start, SIGN_IN_PER_ACCOUNT, start + Duration::minutes(20)),
            1
        );
    }

    #[test]
    fn forwarded_addresses_are_believed_only_from_a_trusted_proxy() {
        let proxy: IpAddr = "10.0.0.2".parse().unwrap();
        let client: IpAddr = "203.0.113.9".parse().unwrap();
        let stranger: IpAddr = "198.51.100.1".parse().unwrap();
        // Straight from the internet: the header is whatever the sender wrote.
        assert_eq!(
            client_address(stranger, &["203.0.113.9"], &[proxy]),
            stranger
        );
        // Through the proxy: the address it saw, not one the client prepended.
        assert_eq!(
            client_address(proxy, &["1.2.3.4, 203.0.113.9"], &[proxy]),
            client
        );
        // Two proxies of ours in a row.
        let inner: IpAddr = "10.0.0.3".parse().unwrap();
        assert_eq!(
            client_address(proxy, &["203.0.113.9", "10.0.0.3"], &[proxy, inner]),
            client
        );
        // No header, or rubbish in it: the proxy itself.
        assert_eq!(client_address(proxy, &[], &[proxy]), proxy);
        assert_eq!(client_address(proxy, &["not\tan address"], &[proxy]), proxy);
    }

    #[test]
    fn devices_are_named_as_people_know_them() {
        assert_eq!(
            describe_device("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36 Edg/120.0"),
            "Edge on Windows"
        );
        assert_eq!(
            describe_device("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1"),
            "Safari on iPhone or iPad"
        );
        assert_eq!(
            describe_device(
                "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"
            ),
            "Firefox on Linux"
        );
        assert_eq!(describe_device("curl/8.0"), "A browser");
    }

    #[test]
    fn domains_are_listed_lower_case_once_each() {
        assert_eq!(
            parse_domains("Council.gov.uk, @nhs.net\nnhs.net").unwrap(),
            vec!["council.gov.uk", "nhs.net"]
        );
        assert_eq!(parse_domains("").unwrap(), Vec::<String>::new());
        assert!(parse_domains("council").is_err());
        assert!(parse_domains("bad_domain.gov.uk").is_err());
        assert_eq!(
            email_domain("A@Council.Gov.UK"),
            Some("council.gov.uk".to_owned())
        );
    }
}
