//! What families tell the Local Offer (issue 17): "Did you find what you were looking
//! for?" on every page, a rating of the landing page, and a comment with either; how
//! officers triage the comments and publish them as "You said, we did" (Children and
//! Families Act 2014 s30(6), SEND Regulations 2014 reg 56); and the two measures the
//! answers give ("% who found what they were looking for", "% rating it good or better").
//! No personal details are asked for; a comment that seems to hold some is flagged, and
//! nothing is published until the officer confirms they have taken out anything that
//! could identify a family.

use crate::input::{FieldErrors, FormReader, RawForm};
use time::{Date, Month};

/// The longest comment.
pub const MOST_COMMENT_CHARS: usize = 1200;

/// How long a comment that is not published is kept unless the partnership says
/// otherwise (the Connected Places Catapult deletes page feedback after 6 months).
pub const DEFAULT_RETAIN_MONTHS: u8 = 6;

/// The longest and shortest retention a partnership may choose.
pub const RETAIN_MONTHS: std::ops::RangeInclusive<u8> = 1..=24;

crate::coded_enum! {
    /// The landing page's rating, best first (the GOV.UK satisfaction scale).
    Rating {
        VeryGood => ("5", "Very good"),
        Good => ("4", "Good"),
        Neither => ("3", "Neither good nor poor"),
        Poor => ("2", "Poor"),
        VeryPoor => ("1", "Very poor"),
    }
}

impl Rating {
    /// The rating as stored: 5 (very good) to 1 (very poor).
    pub fn score(self) -> i64 {
        match self {
            Rating::VeryGood => 5,
            Rating::Good => 4,
            Rating::Neither => 3,
            Rating::Poor => 2,
            Rating::VeryPoor => 1,
        }
    }

    pub fn from_score(score: i64) -> Option<Rating> {
        Rating::ALL.iter().copied().find(|r| r.score() == score)
    }

    /// Good or very good: what the measure counts.
    pub fn good_or_better(self) -> bool {
        self.score() >= 4
    }
}

/// What a visitor answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// "Did you find what you were looking for?"
    Found(bool),
    /// "How would you rate this website?", on the landing page.
    Rated(Rating),
}

impl Answer {
    /// The answer sent by the "Yes"/"No" buttons (`found`) or the rating form (`rating`);
    /// `Ok(None)` when the hidden trap field was filled in (a robot, thanked and ignored).
    pub fn parse(form: &RawForm) -> Result<Option<Answer>, FieldErrors> {
        if !form.get("website").trim().is_empty() {
            return Ok(None);
        }
        let answer = match (form.get("found"), form.get("rating")) {
            ("yes", _) => Answer::Found(true),
            ("no", _) => Answer::Found(false),
            ("", rating) if !rating.is_empty() || form.0.iter().any(|(k, _)| k == "rated") => {
                match Rating::from_code(rating) {
                    Some(r) => Answer::Rated(r),
                    None => {
                        return Err(FieldErrors::single(
                            "rating",
                            "Choose how you would rate this website",
                        ))
                    }
                }
            }
            _ => {
                return Err(FieldErrors::single(
                    "found",
                    "Choose yes or no: did you find what you were looking for?",
                ))
            }
        };
        Ok(Some(answer))
    }
}

crate::coded_enum! {
    /// Something in a comment that could identify someone, for the officer to look at
    /// before anyone else could see it.
    Identifying {
        Link => ("link", "a link"),
        Email => ("email", "an email address"),
        Phone => ("phone", "a phone number"),
        Name => ("name", "what may be a name"),
    }
}

/// Words after which the next capitalised word is most likely someone's name.
const BEFORE_A_NAME: [&str; 14] = [
    "son", "daughter", "child", "boy", "girl", "called", "named", "name", "mr", "mrs", "ms",
    "miss", "dr", "nephew",
];

/// What in `text` could identify someone: links, email addresses, phone numbers (nine or
/// more digits together) and names (a capitalised word after "my son", "called", "Mrs"
/// and the like, or two capitalised words together inside a sentence). It errs towards
/// flagging: the officer decides.
pub fn identifying(text: &str) -> Vec<Identifying> {
    let mut found = Vec::new();
    let words: Vec<&str> = text.split_whitespace().collect();
    let bare = |w: &str| w.trim_matches(|c: char| !c.is_alphanumeric()).to_owned();
    if words.iter().any(|w| {
        let w = w.to_ascii_lowercase();
        w.contains("://") || w.starts_with("www.")
    }) {
        found.push(Identifying::Link);
    }
    if words.iter().any(|w| {
        bare(w)
            .split_once('@')
            .is_some_and(|(a, b)| !a.is_empty() && b.contains('.'))
    }) {
        found.push(Identifying::Email);
    }
    let mut run = 0;
    let mut longest = 0;
    for c in text.chars() {
        if c.is_ascii_digit() {
            run += 1;
            longest = longest.max(run);
        } else if c != ' ' && c != '-' {
            run = 0;
        }
    }
    if longest >= 9 {
        found.push(Identifying::Phone);
    }
    let capitalised = |w: &str| {
        let w = bare(w);
        let mut chars = w.chars();
        chars.next().is_some_and(char::is_uppercase)
            && chars.clone().count() >= 1
            && chars.all(|c| c.is_lowercase() || c == '\'' || c == '-')
            && w != "I"
    };
    let ends_sentence = |w: &str| w.ends_with(['.', '!', '?', ':']);
    let name = words.windows(2).enumerate().any(|(i, pair)| {
        let before = bare(pair[0]).to_ascii_lowercase();
        let after_name_word = BEFORE_A_NAME.contains(&before.as_str()) && capitalised(pair[1]);
        // Two capitalised words inside a sentence ("saw Jane Smith"), not at its start.
        let starts_sentence = i == 0 || ends_sentence(words[i - 1]);
        let two_capitals = !starts_sentence
            && capitalised(pair[0])
            && capitalised(pair[1])
            && !ends_sentence(pair[0]);
        after_name_word || two_capitals
    });
    if name {
        found.push(Identifying::Name);
    }
    found
}

/// A comment as sent, valid by construction: trimmed, at most [`MOST_COMMENT_CHARS`],
/// with what in it could identify someone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    pub text: String,
    pub flags: Vec<Identifying>,
}

impl Comment {
    /// The comment on the form (`comment`); `Ok(None)` when it is empty or the trap field
    /// was filled in.
    pub fn parse(form: &RawForm) -> Result<Option<Comment>, FieldErrors> {
        if !form.get("website").trim().is_empty() {
            return Ok(None);
        }
        let mut f = FormReader::new(form);
        let text = f
            .optional("comment", "your comment", MOST_COMMENT_CHARS)
            .trim()
            .to_owned();
        let text = f.finish(text)?;
        Ok((!text.is_empty()).then(|| Comment {
            flags: identifying(&text),
            text,
        }))
    }
}

crate::coded_enum! {
    /// What a comment is about, as the officer tags it.
    Theme {
        Finding => ("finding", "Finding information"),
        OutOfDate => ("out_of_date", "Information out of date or wrong"),
        Missing => ("missing", "A service that is missing"),
        Access => ("access", "Eligibility, access and waiting"),
        Education => ("education", "Education and EHC plans"),
        Health => ("health", "Health services"),
        SocialCare => ("social_care", "Social care and short breaks"),
        Adulthood => ("adulthood", "Preparing for adulthood"),
        Website => ("website", "Using the website"),
        Other => ("other", "Something else"),
    }
}

crate::coded_enum! {
    /// Where a comment is in its triage.
    FeedbackStatus {
        /// Not yet looked at.
        New => ("new", "New"),
        /// Tagged or answered, not published.
        Answered => ("answered", "Answered, not published"),
        /// On the Local Offer and the plan's public page as "You said, we did".
        Published => ("published", "Published"),
        /// Nothing to publish (no comment worth answering in public, or spam).
        Closed => ("closed", "Closed without publishing"),
    }
}

/// The officer's triage of a comment, read from its page: themes, the response, what
/// will be done, the plan action doing it, and (to publish) the comment's words as they
/// may be shown, with the officer's confirmation that nothing in them could identify a
/// family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Triage {
    pub themes: Vec<Theme>,
    pub response: String,
    pub will_do: String,
    pub action: Option<crate::ActionId>,
    /// What happens with it: stay answered, be published, or be closed.
    pub status: FeedbackStatus,
    /// The words to publish, with anything identifying taken out.
    pub said: String,
}

impl Triage {
    /// `decision` is the button pressed: publishing needs the words to publish, a response
    /// and the confirmation, and words still holding anything identifying are refused.
    pub fn parse(form: &RawForm) -> Result<Triage, FieldErrors> {
        let mut f = FormReader::new(form);
        let themes: Vec<Theme> = form
            .all("themes")
            .iter()
            .filter_map(|c| Theme::from_code(c))
            .collect();
        let response = f
            .optional("response", "the response", MOST_COMMENT_CHARS)
            .trim()
            .to_owned();
        let will_do = f
            .optional("will_do", "what will be done", MOST_COMMENT_CHARS)
            .trim()
            .to_owned();
        let action = f.optional_id("action", "the plan action");
        let said = f
            .optional("said", "the words to publish", MOST_COMMENT_CHARS)
            .trim()
            .to_owned();
        let status = match form.get("decision") {
            "publish" => {
                if said.is_empty() {
                    f.error("said", "Enter the words to publish");
                } else if !identifying(&said).is_empty() {
                    let what: Vec<&str> = identifying(&said).iter().map(|i| i.label()).collect();
                    f.error(
                        "said",
                        format!(
                            "The words to publish still seem to hold {}. Take it out, or reword it",
                            what.join(" and ")
                        ),
                    );
                }
                if response.is_empty() {
                    f.error("response", "Enter the response to publish");
                }
                if form.get("redacted") != "yes" {
                    f.error(
                        "redacted",
                        "Confirm you have taken out anything that could identify a child, a family or a member of staff",
                    );
                }
                FeedbackStatus::Published
            }
            "close" => FeedbackStatus::Closed,
            _ => FeedbackStatus::Answered,
        };
        f.finish(Triage {
            themes,
            response,
            will_do,
            action,
            status,
            said,
        })
    }

    /// The response as "You said, we did" shows it: what was done and what will be.
    pub fn published_response(&self) -> String {
        match (self.response.is_empty(), self.will_do.is_empty()) {
            (_, true) => self.response.clone(),
            (true, false) => format!("What we will do: {}", self.will_do),
            (false, false) => format!("{}\n\nWhat we will do: {}", self.response, self.will_do),
        }
    }
}

/// Share of "Did you find what you were looking for?" answers that were yes, as a
/// percentage to one decimal place; `None` without answers.
pub fn share_found(yes: u64, no: u64) -> Option<f64> {
    percentage(yes, yes + no)
}

/// Share of landing-page ratings that were good or very good; `None` without ratings.
pub fn share_good_or_better(good_or_better: u64, all: u64) -> Option<f64> {
    percentage(good_or_better, all)
}

fn percentage(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| (1000.0 * part as f64 / whole as f64).round() / 10.0)
}

/// The first day on which a comment given on `given` and not published is deleted, kept
/// for `months`.
pub fn delete_from(given: Date, months: u8) -> Date {
    let total = given.year() * 12 + i32::from(u8::from(given.month())) - 1 + i32::from(months);
    let (year, month) = (total.div_euclid(12), total.rem_euclid(12) as u8 + 1);
    let month = Month::try_from(month).unwrap_or(Month::January);
    let last = month.length(year);
    Date::from_calendar_date(year, month, given.day().min(last)).unwrap_or(given)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn form(pairs: &[(&str, &str)]) -> RawForm {
        RawForm::from_pairs(pairs)
    }

    #[test]
    fn an_answer_is_yes_no_or_a_rating_and_robots_are_ignored() {
        assert_eq!(
            Answer::parse(&form(&[("found", "no")])),
            Ok(Some(Answer::Found(false)))
        );
        assert_eq!(
            Answer::parse(&form(&[("rated", "1"), ("rating", "4")])),
            Ok(Some(Answer::Rated(Rating::Good)))
        );
        assert!(Answer::parse(&form(&[("rated", "1")]))
            .unwrap_err()
            .message_for("rating")
            .is_some());
        assert!(Answer::parse(&form(&[("found", "maybe")])).is_err());
        assert_eq!(
            Answer::parse(&form(&[("found", "yes"), ("website", "x")])),
            Ok(None)
        );
        assert!(Rating::Good.good_or_better() && !Rating::Neither.good_or_better());
    }

    #[test]
    fn comments_that_could_identify_someone_are_flagged() {
        let flags = |t: &str| identifying(t);
        assert_eq!(flags("Could not find speech therapy for under 5s."), vec![]);
        assert_eq!(
            flags("See https://example.com/page"),
            vec![Identifying::Link]
        );
        assert_eq!(flags("email me jo@example.org"), vec![Identifying::Email]);
        assert_eq!(flags("ring 07700 900123"), vec![Identifying::Phone]);
        assert_eq!(flags("my son Jake needs a place"), vec![Identifying::Name]);
        assert_eq!(
            flags("We saw Jane Smith at the clinic"),
            vec![Identifying::Name]
        );
        assert_eq!(
            flags("The Local Offer is hard to use. Short Breaks page is fine"),
            vec![Identifying::Name],
            "errs towards flagging: the officer decides"
        );
        assert_eq!(flags("Speech therapy. Nothing for 3 year olds"), vec![]);
        assert_eq!(flags("I could not find it"), vec![]);
    }

    #[test]
    fn publishing_needs_clean_words_a_response_and_the_confirmation() {
        let publish = |said: &str, redacted: &str| {
            Triage::parse(&form(&[
                ("decision", "publish"),
                ("said", said),
                ("response", "We added it"),
                ("redacted", redacted),
                ("themes", "missing"),
                ("themes", "bogus"),
            ]))
        };
        let ok = publish("No holiday club for autistic teenagers", "yes").unwrap();
        assert_eq!(ok.status, FeedbackStatus::Published);
        assert_eq!(ok.themes, vec![Theme::Missing]);
        let errors = publish("my daughter Amy needs one", "yes").unwrap_err();
        assert!(errors.message_for("said").unwrap().contains("name"));
        assert!(publish("fine words", "")
            .unwrap_err()
            .message_for("redacted")
            .is_some());
        let saved = Triage::parse(&form(&[("response", "Thanks")])).unwrap();
        assert_eq!(saved.status, FeedbackStatus::Answered);
        let both = Triage {
            will_do: "Add two clubs".into(),
            ..saved
        };
        assert_eq!(
            both.published_response(),
            "Thanks\n\nWhat we will do: Add two clubs"
        );
    }

    #[test]
    fn shares_and_retention() {
        assert_eq!(share_found(2, 1), Some(66.7));
        assert_eq!(share_found(0, 0), None);
        assert_eq!(share_good_or_better(4, 5), Some(80.0));
        assert_eq!(delete_from(date!(2026 - 08 - 31), 6), date!(2027 - 02 - 28));
        assert_eq!(delete_from(date!(2026 - 12 - 04), 6), date!(2027 - 06 - 04));
    }
}
