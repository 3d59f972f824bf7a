//! "Report a problem with this information": what a family can say is wrong with an
//! entry, read from the form on the service's page. It asks for no personal details; a
//! report that seems to hold some anyway (an email address, a phone number) is flagged
//! for the officer, who sees it before anyone else could.

use crate::input::{FieldErrors, FormReader, RawForm};

crate::coded_enum! {
    /// What is wrong with an entry.
    ProblemKind {
        Closed => ("closed", "The service has closed or moved"),
        OpeningTimes => ("opening_times", "The opening times are wrong"),
        Contact => ("contact", "The phone number, email or website is wrong"),
        Cost => ("cost", "The cost or who it is for is wrong"),
        Other => ("other", "Something else"),
    }
}

/// The longest report.
pub const MOST_DETAIL_CHARS: usize = 1200;

/// A report as sent, valid by construction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProblemReport {
    pub kind: ProblemKind,
    pub details: String,
    /// It seems to hold someone's contact details.
    pub flagged: bool,
}

impl ProblemReport {
    /// The report on the form; `Ok(None)` when the hidden trap field was filled in (a
    /// robot, which is thanked and ignored).
    pub fn parse(form: &RawForm) -> Result<Option<ProblemReport>, FieldErrors> {
        if !form.get("website").trim().is_empty() {
            return Ok(None);
        }
        let mut f = FormReader::new(form);
        let kind = f.choice("kind", "what is wrong", ProblemKind::from_code);
        let details = f
            .optional("details", "what is wrong", MOST_DETAIL_CHARS)
            .trim()
            .to_owned();
        if kind == Some(ProblemKind::Other) && details.is_empty() {
            f.error("details", "Say what is wrong");
        }
        let kind = f.finish(kind)?;
        Ok(kind.map(|kind| ProblemReport {
            kind,
            flagged: looks_personal(&details),
            details,
        }))
    }
}

/// Whether text seems to hold something that could identify someone (an email address,
/// a phone number, a link, a name): the one rule, [`super::feedback::identifying`].
pub fn looks_personal(text: &str) -> bool {
    !super::feedback::identifying(text).is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> RawForm {
        RawForm::from_pairs(pairs)
    }

    #[test]
    fn a_report_needs_what_is_wrong_and_words_for_something_else() {
        assert_eq!(
            ProblemReport::parse(&form(&[("kind", "opening_times")])),
            Ok(Some(ProblemReport {
                kind: ProblemKind::OpeningTimes,
                details: String::new(),
                flagged: false
            }))
        );
        assert!(ProblemReport::parse(&form(&[]))
            .unwrap_err()
            .message_for("kind")
            .is_some());
        assert!(ProblemReport::parse(&form(&[("kind", "other")]))
            .unwrap_err()
            .message_for("details")
            .is_some());
        assert_eq!(
            ProblemReport::parse(&form(&[("kind", "closed"), ("website", "http://spam")])),
            Ok(None),
            "the trap field"
        );
    }

    #[test]
    fn contact_details_in_a_report_are_flagged() {
        assert!(looks_personal("ring me on 07700 900123"));
        assert!(looks_personal("I am jo.bloggs@example.com."));
        assert!(!looks_personal("It closes at 17:30 on Fridays, not 18:00"));
        assert!(!looks_personal("Costs £12.50 since 2025"));
    }
}
