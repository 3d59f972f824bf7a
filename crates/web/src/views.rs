//! View models shared by every page: the page chrome (header, navigation, flash), tags,
//! table cells, and the small text helpers templates need.

use crate::auth::{Ctx, SignedIn};
use sendplan_domain::access::Capability;
use sendplan_domain::flags::ActionFlags;
use sendplan_domain::input::long_date;
use sendplan_domain::plan::Rating;
use sendplan_domain::rating::RatingClass;
use time::Date;

/// One link in the service navigation.
#[derive(Debug, Clone)]
pub struct NavItem {
    pub href: String,
    pub label: &'static str,
    pub current: bool,
}

/// The query parameter that carries a form's one-time token.
pub const FORM_TOKEN: &str = "_once";

/// What the layout needs on every page.
#[derive(Debug, Clone, Default)]
pub struct Chrome {
    /// The page's `<title>` (the page heading; the service name is added by the layout).
    pub title: String,
    pub user_name: Option<String>,
    pub partnership_name: Option<String>,
    pub home_href: String,
    pub nav: Vec<NavItem>,
    /// The plan's own pages, on every page of a plan.
    pub plan_nav: Vec<NavItem>,
    pub flash: Option<crate::auth::Flash>,
    pub csrf: String,
    /// Set when the page shows form errors, so the title starts with "Error:".
    pub has_errors: bool,
    /// On a partnership's public pages: its own name, look and contact details in place
    /// of sendplan's.
    pub brand: Option<Brand>,
    /// On the public Local Offer's pages: "Did you find what you were looking for?".
    pub feedback: Option<PageFeedback>,
}

/// The feedback box at the foot of a Local Offer page (the GOV.UK feedback pattern,
/// without JavaScript): its form's address and the page it is about.
#[derive(Debug, Clone, Default)]
pub struct PageFeedback {
    pub action: String,
    /// The page's path below the Local Offer's address.
    pub page: String,
    /// The Local Offer's privacy notice.
    pub privacy_href: String,
}

/// A partnership's public pages as its own (`domain::public_profile`).
#[derive(Debug, Clone, Default)]
pub struct Brand {
    pub name: String,
    pub home_href: String,
    /// Empty without a logo.
    pub logo_href: String,
    pub stylesheet_href: String,
    pub website: String,
    pub contact_email: String,
    pub contact_phone: String,
    pub contact_text: String,
    pub local_offer_url: String,
    pub feedback_url: String,
    pub has_contact: bool,
}

impl Brand {
    /// `base` is the partnership's public address ("/public/wolverhampton").
    pub fn of(
        name: &str,
        base: &str,
        profile: &sendplan_domain::public_profile::PublicProfile,
    ) -> Self {
        Brand {
            name: name.to_owned(),
            home_href: base.to_owned(),
            logo_href: if profile.logo_type.is_empty() {
                String::new()
            } else {
                // The version in the address: a new logo is fetched at once.
                format!("{base}/logo?v={}", profile.version)
            },
            stylesheet_href: format!("{base}/brand.css?v={}", profile.version),
            website: profile.website.clone(),
            contact_email: profile.contact_email.clone(),
            contact_phone: profile.contact_phone.clone(),
            contact_text: profile.contact_text.clone(),
            local_offer_url: profile.local_offer_url.clone(),
            feedback_url: profile.feedback_url.clone(),
            has_contact: profile.has_contact(),
        }
    }
}

impl Chrome {
    /// `action` with a new one-time token, for a form's `action` attribute: the server
    /// does what the form asks once, however often this page is sent (see
    /// `middleware::once`). The token is in the address, not a field, so it can be checked
    /// before a file form's body is read.
    pub fn once(&self, action: &str) -> String {
        let separator = if action.contains('?') { '&' } else { '?' };
        format!(
            "{action}{separator}{FORM_TOKEN}={}",
            crate::auth::random_token()
        )
    }

    /// For pages outside a partnership (sign-in, the partnership list).
    pub fn plain(title: impl Into<String>, signed_in: Option<&SignedIn>) -> Self {
        Chrome {
            title: title.into(),
            user_name: signed_in.map(|s| s.user.display_name.clone()),
            home_href: "/".to_owned(),
            flash: signed_in.and_then(|s| s.flash.clone()),
            csrf: signed_in.map(|s| s.csrf_token.clone()).unwrap_or_default(),
            ..Chrome::default()
        }
    }

    /// For pages inside a partnership; `section` marks the current navigation item.
    pub fn for_ctx(ctx: &Ctx, title: impl Into<String>, section: &str) -> Self {
        let base = ctx.base();
        if !ctx.access.is_member() {
            // A provider: their services, and nothing of the plans.
            let home = format!("{base}/provide");
            return Chrome {
                title: title.into(),
                user_name: Some(ctx.signed_in.user.display_name.clone()),
                partnership_name: Some(ctx.partnership.name.clone()),
                home_href: home.clone(),
                nav: vec![NavItem {
                    href: home,
                    label: "Your services",
                    current: true,
                }],
                plan_nav: vec![],
                flash: ctx.signed_in.flash.clone(),
                csrf: ctx.signed_in.csrf_token.clone(),
                has_errors: false,
                brand: None,
                feedback: None,
            };
        }
        let mut items = vec![
            ("overview", base.clone(), "Plans"),
            ("my-actions", format!("{base}/my-actions"), "My actions"),
            ("inspections", format!("{base}/inspections"), "Inspections"),
            ("people", format!("{base}/people"), "People"),
            ("boards", format!("{base}/boards"), "Boards"),
            (
                "organisations",
                format!("{base}/organisations"),
                "Organisations",
            ),
        ];
        if ctx.can(Capability::ManageLocalOffer) {
            items.push(("local-offer", format!("{base}/local-offer"), "Local Offer"));
        }
        if ctx.can(Capability::Casework) {
            items.push(("casework", format!("{base}/casework"), "EHC casework"));
        }
        if ctx.can(Capability::ManagePartnership) {
            items.push(("members", format!("{base}/members"), "Members"));
        }
        if ctx.can(Capability::ViewAudit) {
            items.push(("audit", format!("{base}/audit"), "Audit log"));
        }
        Chrome {
            title: title.into(),
            user_name: Some(ctx.signed_in.user.display_name.clone()),
            partnership_name: Some(ctx.partnership.name.clone()),
            home_href: base,
            nav: items
                .into_iter()
                .map(|(key, href, label)| NavItem {
                    href,
                    label,
                    current: key == section,
                })
                .collect(),
            plan_nav: plan_nav(ctx),
            flash: ctx.signed_in.flash.clone(),
            csrf: ctx.signed_in.csrf_token.clone(),
            has_errors: false,
            brand: None,
            feedback: None,
        }
    }
}

/// A GOV.UK tag.
#[derive(Debug, Clone)]
pub struct Tag {
    pub text: String,
    /// A `govuk-tag--*` modifier, e.g. `red`.
    pub colour: String,
    /// Longer text for screen readers and hover, e.g. the rating's meaning.
    pub title: String,
}

impl Tag {
    pub fn new(text: impl Into<String>, colour: &str) -> Self {
        Tag {
            text: text.into(),
            colour: colour.to_owned(),
            title: String::new(),
        }
    }

    /// The tag for an action's current rating ("No update yet" when never rated).
    pub fn rating(rating: Option<&Rating>) -> Self {
        match rating {
            Some(r) => Tag {
                text: r.label.clone(),
                colour: r.colour.code().to_owned(),
                title: r.meaning.clone(),
            },
            None => Tag::new("No update yet", "grey"),
        }
    }

    /// Tags for the flags that need attention.
    pub fn flags(flags: &ActionFlags) -> Vec<Tag> {
        let mut tags = Vec::new();
        if flags.overdue {
            tags.push(Tag::new("Overdue", "red"));
        }
        if flags.overdue_milestones > 0 {
            let s = if flags.overdue_milestones == 1 {
                ""
            } else {
                "s"
            };
            tags.push(Tag::new(
                format!("{} overdue milestone{s}", flags.overdue_milestones),
                "orange",
            ));
        }
        if flags.needs_update {
            tags.push(Tag::new("Update needed", "yellow"));
        }
        if flags.blocked {
            tags.push(Tag::new("Waiting on another action", "purple"));
        }
        if flags.not_yet_due {
            tags.push(Tag::new("Not yet due", "grey"));
        }
        tags
    }
}

/// A table cell: text, optionally a link, tags, buttons that post and
/// links to what can be done with the row.
#[derive(Debug, Clone, Default)]
pub struct Cell {
    pub text: String,
    pub href: String,
    pub tags: Vec<Tag>,
    pub posts: Vec<PostButton>,
    pub links: Vec<CellLink>,
}

/// A link in a cell: short visible text, with the rest of its name for screen readers
/// ("Publish" + " the SEND Board paper of 31 March 2023 on the public progress page").
#[derive(Debug, Clone)]
pub struct CellLink {
    pub text: String,
    pub context: String,
    pub href: String,
}

/// A button that posts a small form (with the CSRF token): "Resend", "Sign out".
#[derive(Debug, Clone, Default)]
pub struct PostButton {
    pub action: String,
    pub label: String,
    /// Read after the label by screen readers, so that several "Resend" buttons differ.
    pub context: String,
    /// `primary`, `secondary` or `warning`.
    pub style: &'static str,
    pub hidden: Vec<(String, String)>,
}

impl PostButton {
    pub fn new(label: impl Into<String>, action: impl Into<String>) -> Self {
        PostButton {
            action: action.into(),
            label: label.into(),
            style: "primary",
            ..PostButton::default()
        }
    }
    pub fn secondary(mut self) -> Self {
        self.style = "secondary";
        self
    }
    pub fn warning(mut self) -> Self {
        self.style = "warning";
        self
    }
    pub fn context(mut self, context: impl Into<String>) -> Self {
        self.context = context.into();
        self
    }
    pub fn hidden(mut self, name: &str, value: impl ToString) -> Self {
        self.hidden.push((name.to_owned(), value.to_string()));
        self
    }
}

impl Cell {
    pub fn text(text: impl Into<String>) -> Self {
        Cell {
            text: text.into(),
            ..Cell::default()
        }
    }
    pub fn link(text: impl Into<String>, href: impl Into<String>) -> Self {
        Cell {
            text: text.into(),
            href: href.into(),
            ..Cell::default()
        }
    }
    pub fn tags(tags: Vec<Tag>) -> Self {
        Cell {
            tags,
            ..Cell::default()
        }
    }
    pub fn with_post(mut self, button: PostButton) -> Self {
        self.posts.push(button);
        self
    }
    pub fn with_tag(mut self, tag: Tag) -> Self {
        self.tags.push(tag);
        self
    }
    pub fn with_link(
        mut self,
        text: impl Into<String>,
        context: impl Into<String>,
        href: impl Into<String>,
    ) -> Self {
        self.links.push(CellLink {
            text: text.into(),
            context: context.into(),
            href: href.into(),
        });
        self
    }
}

/// A button or link shown above a table.
#[derive(Debug, Clone)]
pub struct LinkButton {
    pub label: String,
    pub href: String,
    pub secondary: bool,
}

impl LinkButton {
    pub fn primary(label: impl Into<String>, href: impl Into<String>) -> Self {
        LinkButton {
            label: label.into(),
            href: href.into(),
            secondary: false,
        }
    }
    pub fn secondary(label: impl Into<String>, href: impl Into<String>) -> Self {
        LinkButton {
            label: label.into(),
            href: href.into(),
            secondary: true,
        }
    }
}

/// A row of a GOV.UK summary list.
#[derive(Debug, Clone)]
pub struct SummaryRow {
    pub key: String,
    pub value: String,
    pub tags: Vec<Tag>,
}

impl SummaryRow {
    pub fn new(key: impl Into<String>, value: impl Into<String>) -> Self {
        let value = value.into();
        SummaryRow {
            key: key.into(),
            value: if value.trim().is_empty() {
                "Not given".to_owned()
            } else {
                value
            },
            tags: vec![],
        }
    }
}

/// `12 July 2021`, or `Not set`.
pub fn date_or(date: Option<Date>, missing: &str) -> String {
    date.map_or_else(|| missing.to_owned(), long_date)
}

/// Percent-encodes text for a query string or cookie value.
pub fn url_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// Reverses [`url_encode`] (and `+` as space); invalid escapes are kept as written.
pub fn url_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 3;
                        continue;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Only same-site paths may be redirected to after sign-in.
pub fn safe_next(next: &str) -> String {
    if next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(char::is_control)
    {
        next.to_owned()
    } else {
        "/".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_encoding_round_trips() {
        let text = "Saved: action 1.2 & \"rating\" £";
        assert_eq!(url_decode(&url_encode(text)), text);
    }

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(safe_next("/p/1/plans/2"), "/p/1/plans/2");
        assert_eq!(safe_next("//evil.example"), "/");
        assert_eq!(safe_next("https://evil.example"), "/");
    }
}

/// The plan's own pages as a secondary navigation, for a page at or under
/// `/p/{pid}/plans/{id}`: instead of a wall of buttons on the plan page, the same links on
/// every page of the plan, the current one marked.
fn plan_nav(ctx: &Ctx) -> Vec<NavItem> {
    let base = ctx.base();
    let Some(rest) = ctx.path.strip_prefix(&format!("{base}/plans/")) else {
        return vec![];
    };
    let mut parts = rest.split('/');
    let Some(plan) = parts.next().filter(|id| id.parse::<i64>().is_ok()) else {
        return vec![];
    };
    let here = parts.next().unwrap_or("");
    let mut items = vec![
        ("", "Plan"),
        ("dashboard", "Dashboard"),
        ("measures", "Impact measures"),
        ("surveys", "Surveys"),
        ("reports", "Reports"),
        ("meetings", "Meetings"),
        ("you-said", "You said, we did"),
    ];
    if ctx.can(Capability::EditPlans) {
        items.extend([
            ("publish", "Public page"),
            ("reminders", "Reminders"),
            ("ratings", "Rating scheme"),
            ("approval", "Submission and approval"),
        ]);
    }
    items
        .into_iter()
        .map(|(segment, label)| NavItem {
            href: if segment.is_empty() {
                format!("{base}/plans/{plan}")
            } else {
                format!("{base}/plans/{plan}/{segment}")
            },
            label,
            current: segment == here,
        })
        .collect()
}

/// A count that links to the list it counts.
#[derive(Debug, Clone)]
pub struct CountLink {
    pub count: usize,
    pub text: String,
    pub href: String,
}

/// What needs attention in a plan, each count linking to the plan's actions filtered to
/// it. One list for the partnership home and the plan page, from the domain's counts.
pub fn attention_links(
    counts: &sendplan_domain::flags::PlanCounts,
    plan_href: &str,
    stale_after_days: i64,
) -> Vec<CountLink> {
    let one_or_many = |n: usize, one: &str, many: &str| {
        if n == 1 {
            one.to_owned()
        } else {
            many.to_owned()
        }
    };
    let link = |count: usize, text: String, query: &str| CountLink {
        count,
        text,
        href: format!("{plan_href}?{query}"),
    };
    vec![
        link(
            counts.off_track,
            one_or_many(
                counts.off_track,
                "action off track: rated off track or some concerns, overdue, or behind on a milestone",
                "actions off track: rated off track or some concerns, overdue, or behind on a milestone",
            ),
            "show=off-track",
        ),
        link(
            counts.overdue,
            one_or_many(counts.overdue, "overdue action", "overdue actions"),
            "show=overdue",
        ),
        link(
            counts.overdue_milestones,
            one_or_many(
                counts.overdue_milestones,
                "overdue milestone",
                "overdue milestones",
            ),
            "show=milestones",
        ),
        link(
            counts.needs_update,
            format!(
                "{}: no update for more than {stale_after_days} days since the last one, the start date or being added",
                one_or_many(counts.needs_update, "action needing an update", "actions needing an update")
            ),
            "show=stale",
        ),
        link(
            counts.waiting,
            one_or_many(
                counts.waiting,
                "action waiting on another action",
                "actions waiting on another action",
            ),
            "show=blocked",
        ),
        link(
            counts.not_yet_rated,
            one_or_many(
                counts.not_yet_rated,
                "action not yet rated: no update posted yet",
                "actions not yet rated: no update posted yet",
            ),
            "rating=unrated",
        ),
    ]
}

/// The actions of a plan by rating class, each linking to the list of them, then those
/// not yet rated.
pub fn rating_tiles(
    counts: &sendplan_domain::rating::ClassCounts,
    plan_href: &str,
) -> Vec<crate::pages::RatingTile> {
    let mut tiles: Vec<crate::pages::RatingTile> = counts
        .non_zero()
        .into_iter()
        .map(|(class, count)| crate::pages::RatingTile {
            label: class.label().to_owned(),
            count,
            colour: class_colour(class).to_owned(),
            href: format!("{plan_href}?rating=class:{}", class.code()),
        })
        .collect();
    if counts.unrated > 0 {
        tiles.push(crate::pages::RatingTile {
            label: sendplan_domain::rating::NOT_YET_RATED.to_owned(),
            count: counts.unrated,
            colour: "grey".to_owned(),
            href: format!("{plan_href}?rating=unrated"),
        });
    }
    tiles
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
