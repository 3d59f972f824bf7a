//! Resolving the lead text plans write ("PeRi SEND GM", "Head of Service - Inclusion and
//! Empowerment", "Matt Biggs, Darren Barrow") to the partnership's people: by short code,
//! by name, then by job title. What cannot be resolved is returned as written, for the
//! importer to add as a person marked "to review" rather than guess.

/// Who a piece of lead text is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lead {
    /// The position of a known person in the list given.
    Known(usize),
    /// Text that matched nobody, trimmed.
    Unknown(String),
}

/// What is known about a person, for matching.
#[derive(Debug, Clone, Copy)]
pub struct KnownPerson<'a> {
    pub name: &'a str,
    pub job_title: &'a str,
    pub short_code: &'a str,
}

/// Lower case, with dashes, dots and repeated spaces folded, for comparing titles.
fn fold(text: &str) -> String {
    text.chars()
        .map(|c| {
            if matches!(c, '–' | '—' | '-' | '.' | ',' | '(' | ')') {
                ' '
            } else {
                c
            }
        })
        .collect::<String>()
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A person whose name or job title is exactly the text (ignoring case and dashes).
fn by_name_or_title(text: &str, people: &[KnownPerson<'_>]) -> Option<usize> {
    let folded = fold(text);
    if folded.is_empty() {
        return None;
    }
    people
        .iter()
        .position(|p| !p.name.is_empty() && fold(p.name) == folded)
        .or_else(|| {
            people
                .iter()
                .position(|p| !p.job_title.is_empty() && fold(p.job_title) == folded)
        })
}

/// A person whose short code starts the text, as plans write it ("PeRi SEND GM").
fn by_short_code(text: &str, people: &[KnownPerson<'_>]) -> Option<usize> {
    let first = text.split_whitespace().next()?;
    people
        .iter()
        .position(|p| !p.short_code.is_empty() && p.short_code == first)
}

/// Resolves a lead cell to people: the whole text as a name or job title (titles contain
/// commas and "and"); else its parts, split at the strongest separator it has (new
/// lines, semicolons, commas, slashes, ampersands); else a short code at the start; else
/// its parts split at " and ".
pub fn resolve(text: &str, people: &[KnownPerson<'_>]) -> Vec<Lead> {
    let text = text.trim();
    if text.is_empty() {
        return Vec::new();
    }
    if let Some(i) = by_name_or_title(text, people) {
        return vec![Lead::Known(i)];
    }
    for separator in ["\n", ";", ",", "/", "&"] {
        let parts: Vec<&str> = text
            .split(separator)
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        if parts.len() > 1 {
            return parts
                .into_iter()
                .flat_map(|part| resolve(part, people))
                .collect();
        }
    }
    if let Some(i) = by_short_code(text, people) {
        return vec![Lead::Known(i)];
    }
    let parts: Vec<&str> = text
        .split(" and ")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    if parts.len() > 1 {
        return parts
            .into_iter()
            .flat_map(|part| resolve(part, people))
            .collect();
    }
    vec![Lead::Unknown(text.to_owned())]
}

/// Whether unresolved lead text looks like a person's name ("Matt Biggs") rather than a
/// role ("SEND Group Manager"): two or three words, each starting with a capital and not
/// all capitals.
pub fn looks_like_a_name(text: &str) -> bool {
    let words: Vec<&str> = text.split_whitespace().collect();
    (2..=3).contains(&words.len())
        && words.iter().all(|w| {
            w.chars().next().is_some_and(char::is_uppercase) && w.chars().any(char::is_lowercase)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn people() -> Vec<KnownPerson<'static>> {
        vec![
            KnownPerson {
                name: "Penny Richardson",
                job_title: "SEND General Manager",
                short_code: "PeRi",
            },
            KnownPerson {
                name: "Nick Wilson",
                job_title: "Assistant Director for Education and Skills",
                short_code: "NiWi",
            },
            KnownPerson {
                name: "",
                job_title: "Head of Service – Inclusion and Empowerment",
                short_code: "",
            },
            KnownPerson {
                name: "Matt Biggs",
                job_title: "Head of SEND",
                short_code: "",
            },
        ]
    }

    #[test]
    fn short_codes_are_read_from_the_start_of_the_text() {
        assert_eq!(resolve("PeRi SEND GM", &people()), vec![Lead::Known(0)]);
        assert_eq!(
            resolve("NiWi AD for Education and Skills", &people()),
            vec![Lead::Known(1)]
        );
    }

    #[test]
    fn job_titles_match_whatever_the_dashes_and_and_words() {
        assert_eq!(
            resolve("Head of Service - Inclusion and Empowerment", &people()),
            vec![Lead::Known(2)]
        );
    }

    #[test]
    fn several_leads_in_one_cell() {
        assert_eq!(
            resolve("Matt Biggs, Darren Barrow", &people()),
            vec![Lead::Known(3), Lead::Unknown("Darren Barrow".to_owned())]
        );
        assert_eq!(
            resolve("PeRi / NiWi", &people()),
            vec![Lead::Known(0), Lead::Known(1)]
        );
    }

    #[test]
    fn unknown_text_is_kept_never_guessed() {
        assert_eq!(
            resolve("SEND Project Officer", &people()),
            vec![Lead::Unknown("SEND Project Officer".to_owned())]
        );
        assert!(resolve("  ", &people()).is_empty());
    }

    #[test]
    fn names_are_told_from_roles() {
        assert!(looks_like_a_name("Darren Barrow"));
        assert!(looks_like_a_name("Sally-Anne O'Brien"));
        assert!(!looks_like_a_name("SEND Project Officer"));
        assert!(!looks_like_a_name("Head of Service"));
    }
}
