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

/// The people leads are matched against, indexed by folded name, folded job title and
/// short code, so resolving a cell costs the same however many people there are (matching
/// by scanning and re-folding everyone, for every part of every cell, made a 69 KB
/// spreadsheet of many distinct leads take most of a minute). Where two people share a
/// name, title or code, the first added wins, as a scan would find it.
#[derive(Debug, Clone, Default)]
pub struct PeopleIndex {
    names: std::collections::HashMap<String, usize>,
    titles: std::collections::HashMap<String, usize>,
    short_codes: std::collections::HashMap<String, usize>,
    /// Initials of names ("ms" for "Mark Smith"), each to the one person they belong to,
    /// or to `None` when two people share them (initials are then never matched).
    initials: std::collections::HashMap<String, Option<usize>>,
    count: usize,
}

/// The initials of a name, lower case ("Mark Smith" and "M.S" are both "ms"); empty for
/// fewer than two words.
fn initials_of(name: &str) -> String {
    let words: Vec<&str> = name
        .split(|c: char| c.is_whitespace() || c == '.' || c == '-')
        .filter(|w| !w.is_empty())
        .collect();
    if words.len() < 2 {
        return String::new();
    }
    words
        .iter()
        .filter_map(|w| w.chars().next())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Whether text is written as initials ("M.S", "JS", "K.McN"): short, no spaces, and
/// either dotted or mostly capitals.
fn looks_like_initials(text: &str) -> bool {
    let letters = text.chars().filter(|c| c.is_alphabetic()).count();
    (2..=6).contains(&letters)
        && !text.contains(char::is_whitespace)
        && text.chars().all(|c| c.is_alphabetic() || c == '.')
        && (text.contains('.') || text.chars().filter(|c| c.is_uppercase()).count() * 2 > letters)
}

impl PeopleIndex {
    pub fn new<'a>(people: impl IntoIterator<Item = KnownPerson<'a>>) -> Self {
        let mut index = PeopleIndex::default();
        for person in people {
            index.add(person);
        }
        index
    }

    /// Adds the next person (their position is the number added before them).
    pub fn add(&mut self, person: KnownPerson<'_>) -> usize {
        let position = self.count;
        self.count += 1;
        let initials = initials_of(person.name);
        if !initials.is_empty() {
            self.initials
                .entry(initials)
                .and_modify(|owner| *owner = None)
                .or_insert(Some(position));
        }
        for (map, key) in [
            (&mut self.names, fold(person.name)),
            (&mut self.titles, fold(person.job_title)),
            (&mut self.short_codes, person.short_code.to_owned()),
        ] {
            if !key.is_empty() {
                map.entry(key).or_insert(position);
            }
        }
        position
    }

    /// A person whose name or job title is exactly the text (ignoring case and dashes).
    fn by_name_or_title(&self, text: &str) -> Option<usize> {
        let folded = fold(text);
        if folded.is_empty() {
            return None;
        }
        self.names
            .get(&folded)
            .or_else(|| self.titles.get(&folded))
            .copied()
    }

    /// A person whose short code starts the text, as plans write it ("PeRi SEND GM").
    fn by_short_code(&self, text: &str) -> Option<usize> {
        let first = text.split_whitespace().next()?;
        self.short_codes.get(first).copied()
    }

    /// The one person whose name has these initials ("M.S" for Mark Smith), if the text is
    /// written as initials and nobody else shares them.
    fn by_initials(&self, text: &str) -> Option<usize> {
        if !looks_like_initials(text) || text.chars().filter(|c| c.is_uppercase()).count() < 2 {
            return None;
        }
        let key: String = text
            .chars()
            .filter(|c| c.is_uppercase())
            .flat_map(char::to_lowercase)
            .collect();
        self.initials.get(&key).copied().flatten()
    }
}

/// Lead cells that name people by bracketed initials, each followed by their organisation,
/// as some trackers write them: "(M.S) CYC (K.McN) CCG" is M.S and K.McN. `None` unless
/// the text has at least two such brackets.
fn bracketed_initials(text: &str) -> Option<Vec<&str>> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('(') {
        let after = &rest[open + 1..];
        let close = after.find(')')?;
        let inside = after[..close].trim();
        if !looks_like_initials(inside) {
            return None;
        }
        found.push(inside);
        rest = &after[close + 1..];
    }
    (found.len() >= 2).then_some(found)
}

/// Resolves a lead cell to people: the whole text as a name or job title (titles contain
/// commas and "and"); else its parts, split at the strongest separator it has (new
/// lines, semicolons, commas, slashes, ampersands); else a short code at the start; else
/// its parts split at " and ".
pub fn resolve(text: &str, people: &PeopleIndex) -> Vec<Lead> {
    let text = text.trim();
    if text.is_empty() {
        return Vec::new();
    }
    if let Some(i) = people.by_name_or_title(text) {
        return vec![Lead::Known(i)];
    }
    if let Some(initials) = bracketed_initials(text) {
        return initials
            .into_iter()
            .flat_map(|part| resolve(part, people))
            .collect();
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
    if let Some(i) = people
        .by_short_code(text)
        .or_else(|| people.by_initials(text))
    {
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
        assert_eq!(
            resolve("PeRi SEND GM", &PeopleIndex::new(people())),
            vec![Lead::Known(0)]
        );
        assert_eq!(
            resolve(
                "NiWi AD for Education and Skills",
                &PeopleIndex::new(people())
            ),
            vec![Lead::Known(1)]
        );
    }

    #[test]
    fn job_titles_match_whatever_the_dashes_and_and_words() {
        assert_eq!(
            resolve(
                "Head of Service - Inclusion and Empowerment",
                &PeopleIndex::new(people())
            ),
            vec![Lead::Known(2)]
        );
    }

    #[test]
    fn several_leads_in_one_cell() {
        assert_eq!(
            resolve("Matt Biggs, Darren Barrow", &PeopleIndex::new(people())),
            vec![Lead::Known(3), Lead::Unknown("Darren Barrow".to_owned())]
        );
        assert_eq!(
            resolve("PeRi / NiWi", &PeopleIndex::new(people())),
            vec![Lead::Known(0), Lead::Known(1)]
        );
    }

    #[test]
    fn bracketed_initials_name_several_people() {
        let index = PeopleIndex::new([
            KnownPerson {
                name: "Mark Smith",
                job_title: "",
                short_code: "",
            },
            KnownPerson {
                name: "Jane Smith",
                job_title: "",
                short_code: "",
            },
        ]);
        assert_eq!(
            resolve("(M.S) CYC (K.McN) CCG", &index),
            vec![Lead::Known(0), Lead::Unknown("K.McN".to_owned())]
        );
        assert_eq!(
            resolve("JS and Amir Khan", &index),
            vec![Lead::Known(1), Lead::Unknown("Amir Khan".to_owned())]
        );
        // One bracket is a note about one person, not a list.
        assert_eq!(
            resolve("Sarah Jones (Head of Inclusion)", &index),
            vec![Lead::Unknown("Sarah Jones (Head of Inclusion)".to_owned())]
        );
        // Initials two people share are never guessed.
        let mut shared = index.clone();
        shared.add(KnownPerson {
            name: "Jo Sharp",
            job_title: "",
            short_code: "",
        });
        assert_eq!(
            resolve("J.S", &shared),
            vec![Lead::Unknown("J.S".to_owned())]
        );
    }

    #[test]
    fn unknown_text_is_kept_never_guessed() {
        assert_eq!(
            resolve("SEND Project Officer", &PeopleIndex::new(people())),
            vec![Lead::Unknown("SEND Project Officer".to_owned())]
        );
        assert!(resolve("  ", &PeopleIndex::new(people())).is_empty());
    }

    #[test]
    fn names_are_told_from_roles() {
        assert!(looks_like_a_name("Darren Barrow"));
        assert!(looks_like_a_name("Sally-Anne O'Brien"));
        assert!(!looks_like_a_name("SEND Project Officer"));
        assert!(!looks_like_a_name("Head of Service"));
    }

    #[test]
    fn the_first_person_with_a_name_wins_and_people_added_later_are_found() {
        let mut index = PeopleIndex::new([
            KnownPerson {
                name: "Sam Lee",
                job_title: "Head of SEN",
                short_code: "SaLe",
            },
            KnownPerson {
                name: "Sam  LEE",
                job_title: "",
                short_code: "SaLe",
            },
        ]);
        assert_eq!(resolve("sam lee", &index), vec![Lead::Known(0)]);
        assert_eq!(resolve("SaLe to chair", &index), vec![Lead::Known(0)]);
        assert_eq!(
            resolve("Designated Clinical Officer", &index),
            vec![Lead::Unknown("Designated Clinical Officer".to_owned())]
        );
        let added = index.add(KnownPerson {
            name: "",
            job_title: "Designated Clinical Officer",
            short_code: "",
        });
        assert_eq!(added, 2);
        assert_eq!(
            resolve("Designated Clinical Officer; Head of SEN", &index),
            vec![Lead::Known(2), Lead::Known(0)]
        );
    }
}
