//! Reading an SEN2 person-level return (issue 18), as local authorities' case systems
//! produce it each January (the DfE's 2023 to 2026 specifications, `../shared/sen2.md`).
//!
//! The file is read as a stream with quick-xml, so a return of any size takes little
//! memory; element names are matched without regard to case, as the newest items'
//! spelling is not published. Only what the measures need is kept: names, dates of birth,
//! postcodes and UPNs are read past and dropped (a birth date becomes an age at the
//! census date; the UPN becomes a key made by the caller, a keyed hash). Every record's
//! problems are listed by record number and element, the way the DfE's validation would
//! query them. A document type declaration is refused outright: it is how entity
//! expansion ("billion laughs") and outside entities get in, and SEN2 files have none.

use quick_xml::events::Event;
use sendplan_domain::casework::clock::{
    Assessment, AssessmentOutcome, ExceptionPeriod, Request, RequestOutcome,
};
use sendplan_domain::casework::records::{ActivePlan, CaseRecord, CaseRequest};
use std::io::BufRead;
use time::Date;

/// The largest file read: an authority's return is tens of megabytes.
pub const MAX_SEN2_BYTES: u64 = 1024 * 1024 * 1024;
/// The deepest nesting read (the return's own is 6).
const MAX_DEPTH: usize = 16;
/// The longest text of one element.
const MAX_TEXT: usize = 4096;

/// A problem with a record, as the DfE's validation would query it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sen2Problem {
    /// 0 for the file's header.
    pub record: usize,
    pub element: String,
    pub message: String,
}

impl std::fmt::Display for Sen2Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.record == 0 {
            write!(f, "Header, {}: {}", self.element, self.message)
        } else {
            write!(
                f,
                "Person {}, {}: {}",
                self.record, self.element, self.message
            )
        }
    }
}

/// A return as read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sen2Return {
    /// `LEA`: the authority's three-digit code.
    pub la: String,
    /// `Year`: the collection year (activity is the calendar year before).
    pub year: i32,
    pub reference_date: Option<Date>,
    pub people: Vec<CaseRecord>,
    pub problems: Vec<Sen2Problem>,
    /// Elements read and deliberately not kept, with how many times each was seen.
    pub dropped: Vec<(String, usize)>,
}

/// Why a file could not be read at all.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Sen2Error {
    #[error("the file is not XML sendplan can read: {0}")]
    NotXml(String),
    #[error("the file declares a document type, which SEN2 returns never do; it is refused because a declaration can expand into more than any file holds")]
    DocumentType,
    #[error(
        "the file is not an SEN2 return: it has no Header with a CollectionDetails and Source"
    )]
    NotSen2,
    #[error("the file is nested more than {MAX_DEPTH} elements deep; an SEN2 return is 6")]
    TooDeep,
}

/// The key a child is kept under: a keyed hash of their UPN with the partnership's
/// secret, so the same child has the same key in every return and the UPN cannot be read
/// back without the secret.
pub fn person_key(secret: &str, upn: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    hash.update((secret.len() as u64).to_le_bytes());
    hash.update(secret.as_bytes());
    hash.update(upn.trim().to_ascii_uppercase().as_bytes());
    hash.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What personal details are dropped as read.
const NOT_KEPT: [&str; 6] = [
    "surname",
    "forename",
    "personbirthdate",
    "postcode",
    "upn",
    "uniquelearnernumber",
];

/// A date written YYYY-MM-DD, as SEN2 writes them.
pub fn parse_iso_date(text: &str) -> Option<Date> {
    date(text)
}

pub(crate) fn date(text: &str) -> Option<Date> {
    Date::parse(
        text.trim(),
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()
}

/// Reads a return from `input`. `key_of` turns a UPN (or, without one, the record's
/// number) into the key kept.
pub fn read_sen2(
    input: impl BufRead,
    key_of: &dyn Fn(&str) -> String,
) -> Result<Sen2Return, Sen2Error> {
    read(input, key_of, false)
}

/// The authority a return names in its header (`LEA`), read without reading its records:
/// to know whose secret its UPNs are hashed with before they are read.
pub fn read_header(input: impl BufRead) -> Result<String, Sen2Error> {
    let header = read(input, &|_| String::new(), true)?;
    Ok(header.la)
}

fn read(
    input: impl BufRead,
    key_of: &dyn Fn(&str) -> String,
    header_only: bool,
) -> Result<Sen2Return, Sen2Error> {
    let mut reader = quick_xml::Reader::from_reader(input);
    let mut buf = Vec::new();
    let mut path: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut out = Sen2Return::default();
    let mut dropped: std::collections::BTreeMap<String, usize> = Default::default();
    let mut header_seen = false;
    // The keys of the people read so far, to find a child listed twice.
    let mut seen = std::collections::HashSet::new();
    // The record being read.
    let mut person: Option<PersonDraft> = None;
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| Sen2Error::NotXml(e.to_string()))?;
        match event {
            Event::DocType(_) => return Err(Sen2Error::DocumentType),
            Event::Start(e) => {
                let name = e.local_name().as_ref().to_ascii_lowercase();
                path.push(name.clone());
                if path.len() > MAX_DEPTH {
                    return Err(Sen2Error::TooDeep);
                }
                text.clear();
                match name.as_str() {
                    "header" => header_seen = true,
                    "person" => {
                        person = Some(PersonDraft {
                            record: out.people.len() + 1,
                            ..PersonDraft::default()
                        })
                    }
                    "requests" => {
                        if let Some(p) = person.as_mut() {
                            p.requests.push(RequestDraft::default());
                        }
                    }
                    "assessment" => {
                        if let Some(r) = person.as_mut().and_then(|p| p.requests.last_mut()) {
                            r.assessment = Some(AssessmentDraft::default());
                        }
                    }
                    "activeplans" => {
                        if let Some(p) = person.as_mut() {
                            p.active = Some(ActivePlan::default());
                        }
                    }
                    _ => {}
                }
            }
            Event::Text(t) => {
                let unescaped = t.xml10_content();
                if text.len() + unescaped.len() > MAX_TEXT {
                    return Err(Sen2Error::NotXml(format!(
                        "an element holds more than {MAX_TEXT} characters; no SEN2 item does"
                    )));
                }
                text.push_str(&unescaped);
            }
            Event::GeneralRef(reference) => {
                match crate::xml::referenced_char(&reference)
                    .map_err(|e| Sen2Error::NotXml(e.to_string()))?
                {
                    Some(c) => text.push(c),
                    None => {
                        return Err(Sen2Error::NotXml(format!(
                            "the entity &{}; is not defined",
                            reference.as_ref()
                        )))
                    }
                }
            }
            Event::End(_) => {
                let Some(name) = path.pop() else { break };
                let value = std::mem::take(&mut text);
                let parent = path.last().map(String::as_str).unwrap_or("");
                if NOT_KEPT.contains(&name.as_str()) {
                    *dropped.entry(name.clone()).or_default() += 1;
                }
                if header_only && name == "header" {
                    break;
                }
                match (parent, name.as_str()) {
                    ("collectiondetails", "year") => out.year = value.trim().parse().unwrap_or(0),
                    ("collectiondetails", "referencedate") => out.reference_date = date(&value),
                    ("source", "lea") => out.la = value.trim().to_owned(),
                    (_, "person") => {
                        if let Some(p) = person.take() {
                            finish_person(p, &mut out, &mut seen, key_of);
                        }
                    }
                    _ => {
                        if let Some(p) = person.as_mut() {
                            p.take(parent, &name, value.trim());
                        }
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if !header_seen || out.la.is_empty() || out.year == 0 {
        return Err(Sen2Error::NotSen2);
    }
    out.dropped = dropped.into_iter().collect();
    Ok(out)
}

/// A record as read, before it is checked: SEN2's items as text. A case-system extract
/// ([`crate::casework_csv`]) is read into the same drafts, so both are checked alike.
#[derive(Default)]
pub(crate) struct PersonDraft {
    pub(crate) record: usize,
    pub(crate) upn: String,
    pub(crate) born: Option<Date>,
    /// An age given as such (an extract's), where no birth date is.
    pub(crate) age: Option<i32>,
    pub(crate) requests: Vec<RequestDraft>,
    pub(crate) active: Option<ActivePlan>,
    pub(crate) caseworker: Option<String>,
    pub(crate) team: Option<String>,
    pub(crate) problems: Vec<(String, String)>,
}

#[derive(Default)]
pub(crate) struct RequestDraft {
    pub(crate) received: String,
    pub(crate) outcome: String,
    pub(crate) outcome_date: String,
    pub(crate) source: String,
    pub(crate) assessment: Option<AssessmentDraft>,
}

#[derive(Default)]
pub(crate) struct AssessmentDraft {
    pub(crate) outcome: String,
    pub(crate) outcome_date: String,
    pub(crate) week20: String,
    pub(crate) plan_start: String,
    /// Exceptions as dated periods with their reasons (an extract's); SEN2 has the flag.
    pub(crate) exceptions: Vec<ExceptionPeriod>,
}

impl PersonDraft {
    /// Keeps the value of element `name` inside `parent`.
    fn take(&mut self, parent: &str, name: &str, value: &str) {
        match (parent, name) {
            ("person", "upn") => self.upn = value.to_owned(),
            ("person", "personbirthdate") => self.born = date(value),
            ("requests", field) => {
                if let Some(r) = self.requests.last_mut() {
                    match field {
                        "receiveddate" => r.received = value.to_owned(),
                        "requestoutcome" => r.outcome = value.to_owned(),
                        "requestoutcomedate" => r.outcome_date = value.to_owned(),
                        "requestsource" => r.source = value.to_owned(),
                        _ => {}
                    }
                }
            }
            ("assessment", field) => {
                if let Some(a) = self.requests.last_mut().and_then(|r| r.assessment.as_mut()) {
                    match field {
                        "assessmentoutcome" => a.outcome = value.to_owned(),
                        "assessmentoutcomedate" => a.outcome_date = value.to_owned(),
                        "week20" => a.week20 = value.to_owned(),
                        _ => {}
                    }
                }
            }
            ("namedplan", "startdate") => {
                if let Some(a) = self.requests.last_mut().and_then(|r| r.assessment.as_mut()) {
                    a.plan_start = value.to_owned();
                }
            }
            ("activeplans", field) => {
                if let Some(p) = self.active.as_mut() {
                    match field {
                        "reviewmeeting" => p.review_meeting = date(value),
                        "reviewoutcome" => p.review_outcome = Some(value.to_owned()),
                        "lastreview" => p.last_review = date(value),
                        "reviewdraft" => p.review_draft = date(value),
                        "phasetransferduedate" => p.phase_transfer_due = date(value),
                        "phasetransferfinaldate" => p.phase_transfer_final = date(value),
                        _ => {}
                    }
                }
            }
            ("senneed", "sentype") => {
                if let Some(p) = self.active.as_mut() {
                    p.needs.push((value.to_ascii_uppercase(), 0));
                }
            }
            ("senneed", "sentyperank") => {
                if let Some((_, rank)) = self.active.as_mut().and_then(|p| p.needs.last_mut()) {
                    *rank = value.parse().unwrap_or(0);
                }
            }
            ("placementdetail", "sensetting") => {
                if let Some(p) = self.active.as_mut() {
                    p.settings.push(value.to_ascii_uppercase());
                }
            }
            _ => {}
        }
    }

    pub(crate) fn problem(&mut self, element: &str, message: impl Into<String>) {
        self.problems.push((element.to_owned(), message.into()));
    }
}

/// Checks a record as the DfE's validation would, and keeps it with its problems.
pub(crate) fn finish_person(
    mut p: PersonDraft,
    out: &mut Sen2Return,
    seen: &mut std::collections::HashSet<String>,
    key_of: &dyn Fn(&str) -> String,
) {
    let mut requests = Vec::new();
    for r in std::mem::take(&mut p.requests) {
        let Some(received) = date(&r.received) else {
            p.problem(
                "ReceivedDate",
                format!("\"{}\" is not a date (YYYY-MM-DD)", r.received),
            );
            continue;
        };
        let Some(outcome) = RequestOutcome::from_code(r.outcome.trim()) else {
            p.problem(
                "RequestOutcome",
                format!(
                    "\"{}\" is not a request outcome (Y, N, A, W or H)",
                    r.outcome
                ),
            );
            continue;
        };
        let decided = date(&r.outcome_date);
        match outcome {
            RequestOutcome::Assess | RequestOutcome::NotAssess if decided.is_none() => {
                p.problem("RequestOutcomeDate", "a decision (Y or N) needs its date");
            }
            _ => {}
        }
        if decided.is_some_and(|d| d < received) {
            p.problem(
                "RequestOutcomeDate",
                "the decision is dated before the request was received",
            );
        }
        let assessment = match r.assessment {
            None => None,
            Some(a) => {
                let Some(outcome) = AssessmentOutcome::from_code(a.outcome.trim()) else {
                    p.problem(
                        "AssessmentOutcome",
                        format!(
                            "\"{}\" is not an assessment outcome (Y, N, A, W or H)",
                            a.outcome
                        ),
                    );
                    continue;
                };
                let outcome_date = date(&a.outcome_date);
                if outcome_date.is_some_and(|d| d < received) {
                    let what = if outcome == AssessmentOutcome::Issue {
                        "the plan is issued before the request was received"
                    } else {
                        "the outcome is dated before the request was received"
                    };
                    p.problem("AssessmentOutcomeDate", what);
                }
                if outcome == AssessmentOutcome::NotIssue && outcome_date.is_none() {
                    p.problem(
                        "AssessmentOutcomeDate",
                        "a decision not to issue a plan needs its date",
                    );
                }
                let week20 = match a.week20.trim() {
                    "" | "0" => false,
                    "1" => true,
                    other => {
                        p.problem("Week20", format!("\"{other}\" is not 0 or 1"));
                        false
                    }
                };
                Some(Assessment {
                    outcome,
                    outcome_date,
                    plan_start: date(&a.plan_start),
                    exceptions: if !a.exceptions.is_empty() {
                        a.exceptions
                    } else if week20 {
                        vec![ExceptionPeriod::flag_only()]
                    } else {
                        vec![]
                    },
                })
            }
        };
        let source = match r.source.trim() {
            "" => None,
            s => match s.parse::<u8>().ok().filter(|n| (1..=5).contains(n)) {
                Some(n) => Some(n),
                None => {
                    p.problem(
                        "RequestSource",
                        format!("\"{s}\" is not a request source (1 to 5)"),
                    );
                    None
                }
            },
        };
        requests.push(CaseRequest {
            request: Request {
                received,
                outcome,
                decided,
                assessment,
            },
            source,
        });
    }
    let upn = p.upn.trim().to_owned();
    let key = if upn.is_empty() {
        key_of(&format!("record {}", p.record))
    } else {
        key_of(&upn)
    };
    if !seen.insert(key.clone()) {
        p.problem("UPN", "the same child appears twice in the return");
    }
    let age = match (p.born, out.reference_date) {
        (Some(born), Some(on)) => {
            let years = on.year()
                - born.year()
                - i32::from((on.month(), on.day()) < (born.month(), born.day()));
            Some(years)
        }
        _ => p.age,
    };
    for (element, message) in &p.problems {
        out.problems.push(Sen2Problem {
            record: p.record,
            element: element.clone(),
            message: message.clone(),
        });
    }
    out.people.push(CaseRecord {
        record: p.record,
        key,
        age,
        requests,
        active_plan: p.active,
        caseworker: p.caseworker,
        team: p.team,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const RETURN: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Message>
  <Header>
    <CollectionDetails><Collection>SEN2</Collection><Year>2025</Year><ReferenceDate>2025-01-16</ReferenceDate></CollectionDetails>
    <Source><SourceLevel>L</SourceLevel><LEA>336</LEA><SoftwareCode>X</SoftwareCode></Source>
  </Header>
  <Persons>
    <Person>
      <Surname>Smithson</Surname><Forename>Alfie</Forename><PersonBirthDate>2015-03-20</PersonBirthDate>
      <PostCode>WV1 1SH</PostCode><UPN>A123456789012</UPN>
      <Requests>
        <ReceivedDate>2024-01-08</ReceivedDate><RequestSource>1</RequestSource>
        <RequestOutcomeDate>2024-02-12</RequestOutcomeDate><RequestOutcome>Y</RequestOutcome>
        <Assessment>
          <AssessmentOutcome>Y</AssessmentOutcome><AssessmentOutcomeDate>2024-05-27</AssessmentOutcomeDate><WEEK20>1</WEEK20>
          <NamedPlan><StartDate>2024-05-27</StartDate></NamedPlan>
        </Assessment>
      </Requests>
      <ActivePlans>
        <ReviewMeeting>2024-11-01</ReviewMeeting><ReviewOutcome>M</ReviewOutcome>
        <phasetransferduedate>2025-02-15</phasetransferduedate>
        <SENneed><SENtype>ASD</SENtype><SENtypeRank>1</SENtypeRank></SENneed>
        <PlacementDetail><SENSetting>OLA</SENSetting></PlacementDetail>
      </ActivePlans>
    </Person>
    <Person>
      <Surname>Jones</Surname><UPN>B999</UPN>
      <Requests>
        <ReceivedDate>2024-06-01</ReceivedDate><RequestOutcome>N</RequestOutcome><RequestOutcomeDate>2024-05-01</RequestOutcomeDate>
      </Requests>
      <Requests>
        <ReceivedDate>2024-07-01</ReceivedDate><RequestOutcome>Z</RequestOutcome>
      </Requests>
    </Person>
    <Person><UPN>A123456789012</UPN></Person>
  </Persons>
</Message>"#;

    fn key(upn: &str) -> String {
        format!("k:{upn}")
    }

    #[test]
    fn a_childs_key_is_the_same_in_every_return_and_hides_the_upn() {
        let a = person_key("secret", "A123456789012");
        assert_eq!(a, person_key("secret", " a123456789012 "));
        assert_ne!(a, person_key("another secret", "A123456789012"));
        assert_eq!(a.len(), 32);
        assert!(!a.contains("123456789"));
    }

    #[test]
    fn a_return_is_read_without_keeping_who_anyone_is() {
        let read = read_sen2(RETURN.as_bytes(), &key).unwrap();
        assert_eq!((read.la.as_str(), read.year), ("336", 2025));
        assert_eq!(read.people.len(), 3);
        let alfie = &read.people[0];
        assert_eq!(alfie.key, "k:A123456789012");
        assert_eq!(
            alfie.age,
            Some(9),
            "an age at the reference date, not the birth date"
        );
        let r = &alfie.requests[0];
        assert_eq!(r.source, Some(1));
        assert_eq!(r.request.decided, Some(date!(2024 - 02 - 12)));
        let a = r.request.assessment.as_ref().unwrap();
        assert_eq!(a.outcome, AssessmentOutcome::Issue);
        assert!(a.has_exception(), "WEEK20 read whatever its case");
        let plan = alfie.active_plan.as_ref().unwrap();
        assert_eq!(plan.needs, vec![("ASD".to_owned(), 1)]);
        assert_eq!(plan.phase_transfer_due, Some(date!(2025 - 02 - 15)));
        assert_eq!(plan.settings, vec!["OLA".to_owned()]);
        let kept = format!("{read:?}");
        for personal in ["Smithson", "Alfie", "2015-03-20", "WV1 1SH", "Jones"] {
            assert!(!kept.contains(personal), "{personal} was kept");
        }
        assert!(read.dropped.contains(&("surname".to_owned(), 2)));
    }

    #[test]
    fn each_records_problems_are_named_by_record_and_element() {
        let read = read_sen2(RETURN.as_bytes(), &key).unwrap();
        let said: Vec<String> = read.problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            said,
            vec![
                "Person 2, RequestOutcomeDate: the decision is dated before the request was received",
                "Person 2, RequestOutcome: \"Z\" is not a request outcome (Y, N, A, W or H)",
                "Person 3, UPN: the same child appears twice in the return",
            ]
        );
    }

    #[test]
    fn the_header_is_read_without_the_records() {
        let xml = "<Message><Header><CollectionDetails><Year>2025</Year></CollectionDetails><Source><LEA>336</LEA></Source></Header><Persons><Person><UPN>x</Persons></Message>";
        assert_eq!(
            read_header(xml.as_bytes()).as_deref(),
            Ok("336"),
            "the broken records are never read"
        );
        assert_eq!(
            read_header("<Message/>".as_bytes()),
            Err(Sen2Error::NotSen2)
        );
    }

    #[test]
    fn entity_expansion_and_other_bad_files_are_refused() {
        let bomb = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><Message>&lol2;</Message>"#;
        assert_eq!(
            read_sen2(bomb.as_bytes(), &key),
            Err(Sen2Error::DocumentType)
        );
        assert_eq!(
            read_sen2("<Message><Persons/></Message>".as_bytes(), &key),
            Err(Sen2Error::NotSen2)
        );
        assert!(matches!(
            read_sen2("<Message><Header>".as_bytes(), &key),
            Err(Sen2Error::NotSen2) | Err(Sen2Error::NotXml(_))
        ));
        let deep = format!("{}{}", "<a>".repeat(100), "</a>".repeat(100));
        assert_eq!(read_sen2(deep.as_bytes(), &key), Err(Sen2Error::TooDeep));
        let long = format!(
            "<Message><Header><x>{}</x></Header></Message>",
            "y".repeat(10_000)
        );
        assert!(matches!(
            read_sen2(long.as_bytes(), &key),
            Err(Sen2Error::NotXml(_))
        ));
    }
}
