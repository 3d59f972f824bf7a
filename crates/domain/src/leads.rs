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
        && text
            .chars()
            .all(|c| c.is_alphabetic() || matches!(c, '.' | '\'' | '’'))
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
/// as some trackers write them: "(M.S) CYC (K.McN) CCG" is M.S and K.McN, "(D.P) CYC" is
/// D.P. `None` unless every bracket holds initials.
fn bracketed_initials(text: &str) -> Option<Vec<&str>> {
    // Initials first, then the organisation; "PhCo (CCG)" is a person and their
    // organisation, not initials in brackets.
    if !text.trim_start().starts_with('(') {
        return None;
    }
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
    (!found.is_empty()).then_some(found)
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
    // New lines and semicolons always separate people. Commas, slashes, "&" between words
    // ("Jo Rolls & Linda Saw", not "E&S Commissioning") and "and" separate people only
    // where every part reads as one: a job title has them too ("Service Manager – SEND
    // Assessment, Planning & Provision", "Head of Service Inclusion and Empowerment").
    for (separator, initials_count) in [
        ("\n", true),
        (";", true),
        (",", true),
        ("/", true),
        (" & ", false),
    ] {
        let parts: Vec<&str> = text
            .split(separator)
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        let always = matches!(separator, "\n" | ";");
        if parts.len() > 1
            && (always
                || parts
                    .iter()
                    .all(|p| names_someone(p, people, initials_count)))
        {
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
    if parts.len() > 1 && parts.iter().all(|p| names_someone(p, people, false)) {
        return parts
            .into_iter()
            .flat_map(|part| resolve(part, people))
            .collect();
    }
    if let Some(names) = run_together_names(text) {
        return names
            .into_iter()
            .flat_map(|name| resolve(name, people))
            .collect();
    }
    vec![Lead::Unknown(text.to_owned())]
}

/// Whether part of a lead cell reads as naming one person or role: someone known, a
/// name, a short code or initials (when `initials` allows; "IT" after "and" is a
/// department), or a phrase with a role's word in it ("Designated Clinical Officer").
fn names_someone(part: &str, people: &PeopleIndex, initials: bool) -> bool {
    const ROLES: [&str; 32] = [
        "head",
        "manager",
        "officer",
        "director",
        "lead",
        "leads",
        "commissioner",
        "analyst",
        "psychologist",
        "coordinator",
        "co-ordinator",
        "consultant",
        "team",
        "chair",
        "clinician",
        "nurse",
        "therapist",
        "senco",
        "sendco",
        "adviser",
        "advisor",
        "practitioner",
        "worker",
        "forum",
        "board",
        "group",
        "partnership",
        "commissioning",
        "service",
        "services",
        "mgr",
        "gm",
    ];
    if people.by_name_or_title(part).is_some() || people.by_short_code(part).is_some() {
        return true;
    }
    // A short code as plans write them first ("PeRi SEND GM"): two capitalised halves.
    let first = part.split_whitespace().next().unwrap_or("");
    let capitals: Vec<usize> = first
        .char_indices()
        .filter(|(_, c)| c.is_uppercase())
        .map(|(i, _)| i)
        .collect();
    if first.len() == 4 && first.chars().all(char::is_alphabetic) && capitals == [0, 2] {
        return true;
    }
    if looks_like_a_name(part)
        && !part
            .split_whitespace()
            .any(|w| ROLES.contains(&w.to_lowercase().as_str()))
    {
        return true;
    }
    let word = part.trim_matches(|c: char| !c.is_alphanumeric());
    let is_initials = looks_like_initials(word)
        || (word.len() <= 5
            && word.chars().all(char::is_alphabetic)
            && word.chars().filter(|c| c.is_uppercase()).count() >= 2);
    if !part.contains(' ') && is_initials {
        return initials || part.contains('.') || people.by_initials(part).is_some();
    }
    // An initial and a surname ("M Norton", "J. Smith").
    if let [initial, surname] = part.split_whitespace().collect::<Vec<_>>()[..] {
        let initial = initial.trim_end_matches('.');
        if initial.len() == 1
            && initial.chars().all(char::is_uppercase)
            && surname.chars().next().is_some_and(char::is_uppercase)
            && surname.chars().skip(1).any(char::is_lowercase)
        {
            return true;
        }
    }
    // A person with their organisation in brackets ("PhCo (CCG)").
    if let Some((before, _)) = part.split_once('(') {
        if !before.trim().is_empty() && names_someone(before.trim(), people, initials) {
            return true;
        }
    }
    part.split(|c: char| !c.is_alphanumeric() && c != '-')
        .any(|w| ROLES.contains(&w.to_lowercase().as_str()))
}

/// Two or three names written one after another with nothing between them ("Helen
/// Stephenson Michelle Rudd", as a cell's line breaks are lost when pasted): four or six
/// words, each a name's word, none a word of a job title.
fn run_together_names(text: &str) -> Option<Vec<&str>> {
    const ROLE_WORDS: [&str; 14] = [
        "of",
        "and",
        "for",
        "head",
        "officer",
        "manager",
        "service",
        "services",
        "team",
        "lead",
        "director",
        "coordinator",
        "commissioning",
        "designated",
    ];
    let words: Vec<(usize, &str)> = text
        .split_whitespace()
        .map(|w| (w.as_ptr() as usize - text.as_ptr() as usize, w))
        .collect();
    if !matches!(words.len(), 4 | 6)
        || words
            .iter()
            .any(|(_, w)| ROLE_WORDS.contains(&w.to_lowercase().as_str()))
    {
        return None;
    }
    let names: Vec<&str> = words
        .chunks(2)
        .map(|pair| {
            let (start, _) = pair[0];
            let (end, last) = pair[1];
            text[start..end + last.len()].trim()
        })
        .collect();
    names.iter().all(|n| looks_like_a_name(n)).then_some(names)
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
        assert_eq!(
            resolve("(L.O'B) CYC (M.S) CYC", &index),
            vec![Lead::Unknown("L.O'B".to_owned()), Lead::Known(0)]
        );
        // A bracket that is not initials is a note about the person, not a list.
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
    fn names_run_together_and_organisations_in_brackets() {
        let index = PeopleIndex::new([]);
        assert_eq!(
            resolve("Helen Stephenson Michelle Rudd", &index),
            vec![
                Lead::Unknown("Helen Stephenson".to_owned()),
                Lead::Unknown("Michelle Rudd".to_owned())
            ]
        );
        assert_eq!(resolve("Head of SEND Service Team", &index).len(), 1);
        assert_eq!(resolve("E&S Commissioning Team", &index).len(), 1);
        assert_eq!(
            resolve("PhCo (CCG), PeRi(WCC), LoLe (WCC), M Norton", &index).len(),
            4
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
