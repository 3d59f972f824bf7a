//! Partnerships (local areas), their member organisations and the people named in plans.

use crate::ids::*;
use serde::{Deserialize, Serialize};

crate::coded_enum! {
    /// What kind of body an organisation in the partnership is.
    OrganisationKind {
        LocalAuthority => ("local_authority", "Local authority"),
        Icb => ("icb", "Integrated care board (ICB)"),
        Ccg => ("ccg", "Clinical commissioning group (CCG)"),
        ParentCarerForum => ("parent_carer_forum", "Parent carer forum"),
        Provider => ("provider", "Health or care provider"),
        School => ("school", "School, college or setting"),
        Other => ("other", "Other"),
    }
}

/// A local area partnership. Every other record belongs to exactly one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Partnership {
    pub id: PartnershipId,
    pub name: String,
    /// ONS code of the local authority, e.g. `E08000031`.
    pub la_code: String,
    pub version: i64,
}

/// A member organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organisation {
    pub id: OrganisationId,
    pub partnership_id: PartnershipId,
    pub name: String,
    pub kind: OrganisationKind,
    pub version: i64,
}

/// A person named in a plan: a lead, an SRO, a partner. Not necessarily an account holder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub id: PersonId,
    pub partnership_id: PartnershipId,
    /// May be empty when a plan names only a job title ("Head of Service - Inclusion").
    pub name: String,
    pub job_title: String,
    pub organisation_id: Option<OrganisationId>,
    /// The initials plans write, e.g. `PeRi`.
    pub short_code: String,
    pub email: String,
    /// Added by an import from a name it could not match: to be confirmed or merged.
    #[serde(default)]
    pub to_review: bool,
    pub version: i64,
}

impl Person {
    /// How the person is shown in lists: name, else job title, with the short code if any.
    pub fn display_name(&self) -> String {
        let main = if self.name.is_empty() {
            &self.job_title
        } else {
            &self.name
        };
        if self.short_code.is_empty() {
            main.clone()
        } else {
            format!("{main} ({})", self.short_code)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(name: &str, title: &str, code: &str) -> Person {
        Person {
            id: PersonId(1),
            partnership_id: PartnershipId(1),
            name: name.into(),
            job_title: title.into(),
            organisation_id: None,
            short_code: code.into(),
            email: String::new(),
            to_review: false,
            version: 1,
        }
    }

    #[test]
    fn a_person_known_only_by_job_title_is_shown_by_it() {
        assert_eq!(
            person("", "Head of Service", "").display_name(),
            "Head of Service"
        );
        assert_eq!(
            person("Pete Rix", "SEND GM", "PeRi").display_name(),
            "Pete Rix (PeRi)"
        );
    }
}

/// Each partnership's part of its public address (`/public/wolverhampton/...`): its name
/// in lower case with words joined by hyphens. A name another partnership with a lower id
/// already has, or one that would read as a number (old addresses used ids), gets the
/// partnership's id after it, so no two partnerships ever share an address.
pub fn public_slugs(partnerships: &[(PartnershipId, &str)]) -> Vec<(PartnershipId, String)> {
    let mut sorted: Vec<&(PartnershipId, &str)> = partnerships.iter().collect();
    sorted.sort_by_key(|(id, _)| *id);
    let mut taken: Vec<(PartnershipId, String)> = Vec::new();
    for (id, name) in sorted {
        let words: Vec<String> = name
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect();
        let mut slug = words.join("-");
        let numeric = slug.chars().all(|c| c.is_ascii_digit());
        if numeric || taken.iter().any(|(_, s)| *s == slug) {
            slug = if slug.is_empty() {
                format!("partnership-{}", id.0)
            } else {
                format!("{slug}-{}", id.0)
            };
        }
        taken.push((*id, slug));
    }
    taken
}

#[cfg(test)]
mod slug_tests {
    use super::*;

    #[test]
    fn every_partnership_has_its_own_readable_public_address() {
        let slugs = public_slugs(&[
            (PartnershipId(3), "Bath & North East Somerset"),
            (PartnershipId(1), "Wolverhampton"),
            (PartnershipId(2), "wolverhampton"),
            (PartnershipId(4), "2024"),
            (PartnershipId(5), "!!"),
        ]);
        assert_eq!(
            slugs,
            vec![
                (PartnershipId(1), "wolverhampton".to_owned()),
                (PartnershipId(2), "wolverhampton-2".to_owned()),
                (PartnershipId(3), "bath-north-east-somerset".to_owned()),
                (PartnershipId(4), "2024-4".to_owned()),
                (PartnershipId(5), "partnership-5".to_owned()),
            ]
        );
    }
}
