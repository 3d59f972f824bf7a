//! Finding services in families' own words. A family types "can't sleep", "school
//! refusal", "short breaks" or "autisim"; a directory that matches only its own words finds
//! nothing. Queries are read as words (lower case, plurals and "-ing" taken off), widened
//! by the phrases families use for what services call otherwise, forgiven small
//! misspellings, and ranked by where the words are found: a service's name and families'
//! words about it count most, its description least. Filters (age, need, category, cost,
//! day) narrow before anything is ranked.

use super::geo::{distance_metres, Point};
use super::model::*;
use crate::needs::NeedType;
use std::collections::{HashMap, HashSet};

/// What a family asked for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Query {
    pub words: String,
    /// The child's age in years.
    pub age: Option<f32>,
    pub need: Option<NeedType>,
    /// A taxonomy term's key: the service is filed under it or under one of its children.
    pub category: Option<String>,
    pub free_only: bool,
    pub day: Option<Day>,
    /// Where the family is (their postcode's centroid), to measure distances from.
    pub near: Option<Point>,
    /// How far they will travel, in metres; only with `near`.
    pub within_metres: Option<f64>,
}

/// How far a service's nearest location is from `point`, in metres; `None` if none of
/// its locations has a map position.
pub fn distance_to(service: &Service, point: Point) -> Option<f64> {
    service
        .locations
        .iter()
        .filter_map(|l| {
            Some(distance_metres(
                point,
                Point {
                    latitude: l.latitude?,
                    longitude: l.longitude?,
                },
            ))
        })
        .min_by(f64::total_cmp)
}

/// A child's age in whole and part years on `today`, from their date of birth; `None`
/// for a birth date after today.
pub fn age_on(born: time::Date, today: time::Date) -> Option<f32> {
    if born > today {
        return None;
    }
    let mut years = today.year() - born.year();
    let birthday_this_year = born.replace_year(today.year()).unwrap_or_else(|_| {
        // Born on 29 February: the birthday is 1 March in other years.
        time::Date::from_calendar_date(today.year(), time::Month::March, 1).unwrap_or(today)
    });
    let last_birthday = if birthday_this_year > today {
        years -= 1;
        born.replace_year(today.year() - 1)
            .unwrap_or(birthday_this_year)
    } else {
        birthday_this_year
    };
    let days_since = (today - last_birthday).whole_days() as f32;
    Some(years as f32 + days_since / 366.0)
}

/// Phrases families use, and the words directories use for the same thing.
const FAMILY_WORDS: &[(&str, &[&str])] = &[
    ("can't sleep", &["sleep"]),
    ("cant sleep", &["sleep"]),
    ("not sleeping", &["sleep"]),
    ("won't sleep", &["sleep"]),
    (
        "school refusal",
        &[
            "school avoidance",
            "anxiety",
            "attendance",
            "emotionally based",
        ],
    ),
    (
        "won't go to school",
        &["school avoidance", "anxiety", "attendance"],
    ),
    (
        "ebsa",
        &["school avoidance", "anxiety", "emotionally based"],
    ),
    ("adhd", &["adhd", "attention", "neurodevelopmental"]),
    ("add", &["adhd", "attention"]),
    ("autistic", &["autism"]),
    ("asd", &["autism"]),
    ("asc", &["autism"]),
    ("aspergers", &["autism"]),
    ("respite", &["short breaks", "respite"]),
    ("time off", &["short breaks", "respite"]),
    ("a break", &["short breaks", "respite"]),
    ("short breaks", &["short breaks", "respite"]),
    ("meltdowns", &["behaviour", "emotional", "sensory"]),
    ("tantrums", &["behaviour", "emotional"]),
    ("not talking", &["speech", "language", "communication"]),
    ("talking", &["speech", "language", "communication"]),
    ("speech", &["speech", "language", "communication"]),
    ("dyslexia", &["dyslexia", "specific learning"]),
    ("deaf", &["hearing", "deaf"]),
    ("blind", &["vision", "visual", "sight"]),
    ("sight", &["vision", "visual"]),
    ("wheelchair", &["wheelchair", "physical", "mobility"]),
    ("money", &["benefits", "financial", "grants"]),
    ("benefits", &["benefits", "financial"]),
    ("dla", &["disability living allowance", "benefits"]),
    ("pip", &["personal independence payment", "benefits"]),
    ("bus", &["travel", "transport"]),
    ("taxi", &["travel", "transport"]),
    ("school transport", &["travel", "transport"]),
    ("toileting", &["continence", "toilet"]),
    ("potty", &["continence", "toilet"]),
    ("wetting", &["continence"]),
    ("anxious", &["anxiety", "mental health", "emotional"]),
    ("worried", &["anxiety", "mental health", "emotional"]),
    ("depressed", &["mental health", "emotional"]),
    ("mental health", &["mental health", "camhs", "emotional"]),
    ("ehcp", &["education health and care", "ehc"]),
    ("ehc plan", &["education health and care", "ehc"]),
    (
        "someone to talk to",
        &["support group", "advice", "listening", "counselling"],
    ),
    (
        "other parents",
        &["parent support", "support group", "parent carer forum"],
    ),
    ("brothers and sisters", &["sibling"]),
    ("siblings", &["sibling", "brothers and sisters"]),
    ("job", &["employment", "work", "supported internship"]),
    ("college", &["college", "post 16", "further education"]),
    (
        "leaving school",
        &["preparing for adulthood", "transition", "post 16"],
    ),
    ("grown up", &["preparing for adulthood", "adult"]),
    ("eating", &["feeding", "eating"]),
    ("won't eat", &["feeding", "eating"]),
    ("clubs", &["activities", "leisure", "club"]),
    ("things to do", &["activities", "leisure"]),
    ("holidays", &["holiday", "play scheme"]),
];

/// Words too common to tell services apart.
const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "the", "for", "of", "to", "in", "on", "with", "my", "our", "is", "it", "i",
    "me", "we", "help", "who", "at", "or", "be", "can", "child", "children", "son", "daughter",
    "kid", "kids", "year", "years", "old",
];

/// Lower case, letters and digits only, apostrophes dropped ("can't" is "cant").
fn words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .replace(['\'', '\u{2019}'], "")
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A word without its plural or "-ing": "breaks" and "break", "therapies" and "therapy",
/// "swimming" and "swim" are one word.
pub fn stem(word: &str) -> String {
    let w = word;
    let n = w.chars().count();
    if n > 4 && w.ends_with("ies") {
        return format!("{}y", &w[..w.len() - 3]);
    }
    if n > 5 && w.ends_with("ing") {
        let base = &w[..w.len() - 3];
        // "swimming" to "swim": a doubled last letter goes with the ending.
        let bytes = base.as_bytes();
        if bytes.len() > 2 && bytes[bytes.len() - 1] == bytes[bytes.len() - 2] {
            return base[..base.len() - 1].to_owned();
        }
        return base.to_owned();
    }
    if n > 4
        && (w.ends_with("ches") || w.ends_with("shes") || w.ends_with("xes") || w.ends_with("sses"))
    {
        return w[..w.len() - 2].to_owned();
    }
    if n > 3 && w.ends_with('s') && !w.ends_with("ss") && !w.ends_with("us") && !w.ends_with("is") {
        return w[..w.len() - 1].to_owned();
    }
    w.to_owned()
}

fn stems(text: &str) -> Vec<String> {
    words(text).iter().map(|w| stem(w)).collect()
}

/// Where a word is found in a service, and what that is worth.
const NAME: f32 = 5.0;
const FAMILY: f32 = 4.0;
const CATEGORY: f32 = 3.0;
const DESCRIPTION: f32 = 1.0;

/// A word of the directory's vocabulary, by number: a service's words are kept as
/// numbers, so 10,000 services' words take little memory and compare quickly.
type WordId = u32;

/// A service's words, field by field, read once.
struct Indexed {
    fields: Vec<(f32, Vec<WordId>)>,
    /// Worked out once, since every search without words filters on them: whether it is
    /// free, and the days it is open (bit i for `Day::ALL[i]`).
    free: bool,
    days: u8,
}

/// What a query asks for: each concept a list of alternatives, each alternative a
/// sequence of words and what a match is worth.
type Concepts = Vec<Vec<(Vec<WordId>, f32)>>;

/// A directory read for searching: each service's words, and the category tree. It owns
/// the directory, so that one index can be kept between requests and shared.
pub struct SearchIndex {
    directory: Directory,
    services: Vec<Indexed>,
    /// Every word of every service, numbered; also for forgiving misspellings.
    vocabulary: HashMap<String, WordId>,
    /// For each word, the services (by place, in order) that have it, each with which of
    /// its fields do (bit i for field i): a search works from these lists, touching only
    /// the services that have its words.
    postings: HashMap<WordId, Vec<(u32, u8)>>,
    children: HashMap<String, Vec<String>>,
}

/// What a search found: the services, best first, and how many services that match the
/// words better than the first shown were left out by the filters (so the page can say
/// so instead of offering a poor match as if it were the best there is).
#[derive(Debug, Clone, Default)]
pub struct Found<'a> {
    pub services: Vec<&'a Service>,
    pub hidden_by_filters: usize,
    /// With `near`, how far each service's nearest location is, in metres, in the order
    /// of `services`; `None` for a service with no map position.
    pub distances: Vec<Option<f64>>,
    /// With `near`: services that pass every other filter but have no map position, so
    /// cannot be measured. They are listed apart, never dropped.
    pub unplaced: Vec<&'a Service>,
}

/// A match worth less than this share of the best match for the same words is not shown:
/// a service that mentions one of three words in passing is noise, not a result.
const FLOOR: f32 = 0.3;

impl SearchIndex {
    pub fn new(mut directory: Directory) -> Self {
        // By name once, so that a search without words needs no sorting.
        directory
            .services
            .sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.key.cmp(&b.key)));
        let term_names: HashMap<&str, &str> = directory
            .terms
            .iter()
            .map(|t| (t.key.as_str(), t.name.as_str()))
            .collect();
        let organisations: HashMap<&str, &str> = directory
            .organizations
            .iter()
            .map(|o| (o.key.as_str(), o.name.as_str()))
            .collect();
        let mut vocabulary: HashMap<String, WordId> = HashMap::new();
        let mut number = |words: Vec<String>| -> Vec<WordId> {
            words
                .into_iter()
                .map(|w| {
                    let next = vocabulary.len() as WordId;
                    *vocabulary.entry(w).or_insert(next)
                })
                .collect()
        };
        let services: Vec<Indexed> = directory
            .services
            .iter()
            .map(|s| {
                let categories: Vec<&str> = s
                    .terms
                    .iter()
                    .filter_map(|t| term_names.get(t.as_str()).copied())
                    .collect();
                let needs: Vec<&str> = s.send.needs.iter().map(|n| n.label()).collect();
                let fields = vec![
                    (NAME, number(stems(&s.name))),
                    (FAMILY, number(stems(&s.send.family_words.join(" ")))),
                    (
                        CATEGORY,
                        number(stems(&format!(
                            "{} {}",
                            categories.join(" "),
                            needs.join(" ")
                        ))),
                    ),
                    (
                        DESCRIPTION,
                        number(stems(&format!(
                            "{} {} {}",
                            s.description,
                            s.send.easy_read,
                            organisations
                                .get(s.organization_key.as_str())
                                .unwrap_or(&"")
                        ))),
                    ),
                ];
                let days = Day::ALL
                    .iter()
                    .enumerate()
                    .filter(|(_, d)| s.schedules.iter().any(|sc| sc.days.contains(d)))
                    .fold(0u8, |mask, (i, _)| mask | 1 << i);
                Indexed {
                    fields,
                    free: s.is_free(),
                    days,
                }
            })
            .collect();
        let mut postings: HashMap<WordId, Vec<(u32, u8)>> = HashMap::new();
        for (at, indexed) in services.iter().enumerate() {
            for (f, (_, field)) in indexed.fields.iter().enumerate() {
                for word in field {
                    let list = postings.entry(*word).or_default();
                    match list.last_mut() {
                        Some((service, mask)) if *service == at as u32 => *mask |= 1 << f,
                        _ => list.push((at as u32, 1 << f)),
                    }
                }
            }
        }
        let mut children: HashMap<String, Vec<String>> = HashMap::new();
        for t in &directory.terms {
            if let Some(p) = &t.parent_key {
                children.entry(p.clone()).or_default().push(t.key.clone());
            }
        }
        SearchIndex {
            directory,
            services,
            vocabulary,
            postings,
            children,
        }
    }

    /// The directory searched.
    pub fn directory(&self) -> &Directory {
        &self.directory
    }

    /// `key` and every term below it.
    fn category_and_below<'k>(&'k self, key: &'k str) -> HashSet<&'k str> {
        let mut found = HashSet::from([key]);
        let mut queue = vec![key];
        while let Some(k) = queue.pop() {
            for c in self.children.get(k).into_iter().flatten() {
                if found.insert(c.as_str()) {
                    queue.push(c.as_str());
                }
            }
        }
        found
    }

    /// The services that pass the filters, best match first; with no words, every one
    /// that passes, by name. Matches far weaker than the best for the same words are
    /// left out.
    pub fn search(&self, query: &Query) -> Found<'_> {
        let concepts = self.concepts(&query.words);
        let category = query
            .category
            .as_deref()
            .and_then(|c| self.directory.terms.iter().find(|t| t.key == c))
            .map(|t| self.category_and_below(t.key.as_str()));
        let mut hits: Vec<(f32, &Service)> = Vec::new();
        let mut best_anywhere = 0.0f32;
        let mut filtered_scores: Vec<f32> = Vec::new();
        let scores = self.scores(&concepts);
        let day_bit = query
            .day
            .and_then(|d| Day::ALL.iter().position(|x| *x == d))
            .map(|i| 1u8 << i);
        for ((at, s), indexed) in self
            .directory
            .services
            .iter()
            .enumerate()
            .zip(&self.services)
        {
            // Without words every service is a candidate; with words, only those that
            // have some of them.
            let score = match &scores {
                None => 0.0,
                Some(scores) if scores[at] > 0.0 => scores[at],
                Some(_) => continue,
            };
            best_anywhere = best_anywhere.max(score);
            if query.age.is_some_and(|a| !s.takes_age(a))
                || query
                    .need
                    .is_some_and(|n| !s.send.needs.is_empty() && !s.send.needs.contains(&n))
                || (query.free_only && !indexed.free)
                || day_bit.is_some_and(|bit| indexed.days & bit == 0)
                || category
                    .as_ref()
                    .is_some_and(|c| !s.terms.iter().any(|t| c.contains(t.as_str())))
            {
                if score > 0.0 {
                    filtered_scores.push(score);
                }
                continue;
            }
            if concepts.is_empty() || score > 0.0 {
                hits.push((score, s));
            }
        }
        let floor = best_anywhere * FLOOR;
        if !concepts.is_empty() {
            hits.retain(|(score, _)| *score >= floor);
            // Stable, so equal matches stay in the directory's order: by name.
            hits.sort_by(|a, b| b.0.total_cmp(&a.0));
        }
        let best_shown = hits.first().map_or(0.0, |(score, _)| *score);
        let hidden_by_filters = filtered_scores
            .iter()
            .filter(|score| **score > best_shown && **score >= floor)
            .count();
        let Some(near) = query.near else {
            return Found {
                hidden_by_filters,
                services: hits.into_iter().map(|(_, s)| s).collect(),
                ..Found::default()
            };
        };
        // Near a postcode: measured services within the distance, the nearest first when
        // there are no words to rank by; unmeasurable ones apart.
        let mut placed: Vec<(f32, f64, &Service)> = Vec::new();
        let mut unplaced = Vec::new();
        // A box a little larger than the distance, in degrees: a place outside it is too
        // far without working out how far.
        let reach = query.within_metres.map(|most| {
            let latitude = most / 110_000.0;
            (
                latitude,
                latitude / near.latitude.to_radians().cos().max(0.01),
            )
        });
        let outside = |l: &Location| match (reach, l.latitude, l.longitude) {
            (Some((dlat, dlon)), Some(lat), Some(lon)) => {
                (lat - near.latitude).abs() > dlat || (lon - near.longitude).abs() > dlon
            }
            _ => false,
        };
        for (score, s) in hits {
            let placed_somewhere = s
                .locations
                .iter()
                .any(|l| l.latitude.is_some() && l.longitude.is_some());
            if placed_somewhere
                && s.locations
                    .iter()
                    .all(|l| l.latitude.is_none() || outside(l))
            {
                continue;
            }
            match distance_to(s, near) {
                Some(d) if query.within_metres.is_none_or(|most| d <= most) => {
                    placed.push((score, d, s))
                }
                Some(_) => {}
                None => unplaced.push(s),
            }
        }
        if concepts.is_empty() {
            placed.sort_by(|a, b| a.1.total_cmp(&b.1));
        }
        Found {
            hidden_by_filters,
            distances: placed.iter().map(|(_, d, _)| Some(*d)).collect(),
            services: placed.into_iter().map(|(_, _, s)| s).collect(),
            unplaced,
        }
    }

    /// Every service's score for `concepts` (`None` without any), worked out from the
    /// postings: for each concept, each service's best alternative in its best field;
    /// the total weighed by the share of concepts matched, so a service matching every
    /// concept ranks above one matching some very well.
    fn scores(&self, concepts: &Concepts) -> Option<Vec<f32>> {
        if concepts.is_empty() {
            return None;
        }
        let n = self.services.len();
        let mut total = vec![0.0f32; n];
        let mut matched = vec![0u8; n];
        let mut best = vec![0.0f32; n];
        let mut touched: Vec<u32> = Vec::new();
        for alternatives in concepts {
            for (sequence, worth) in alternatives {
                let Some(first) = self.postings.get(&sequence[0]) else {
                    continue;
                };
                for &(at, mask) in first {
                    let indexed = &self.services[at as usize];
                    // The fields that have every word of the sequence, then those that
                    // have them in order.
                    let mut fields = mask;
                    for word in &sequence[1..] {
                        fields &= self.mask_of(*word, at);
                    }
                    let mut weight = 0.0f32;
                    for (f, (w, field)) in indexed.fields.iter().enumerate() {
                        if fields & (1 << f) != 0
                            && (sequence.len() == 1 || contains_sequence(field, sequence))
                        {
                            weight = weight.max(*w);
                        }
                    }
                    let value = weight * worth;
                    if value > best[at as usize] {
                        if best[at as usize] == 0.0 {
                            touched.push(at);
                        }
                        best[at as usize] = value;
                    }
                }
            }
            for at in touched.drain(..) {
                total[at as usize] += best[at as usize];
                matched[at as usize] += 1;
                best[at as usize] = 0.0;
            }
        }
        let count = concepts.len() as f32;
        for (t, m) in total.iter_mut().zip(&matched) {
            *t *= (f32::from(*m) / count).powi(2);
        }
        Some(total)
    }

    /// Which fields of the service at `at` have `word` (bit i for field i).
    fn mask_of(&self, word: WordId, at: u32) -> u8 {
        self.postings
            .get(&word)
            .and_then(|list| {
                list.binary_search_by_key(&at, |(service, _)| *service)
                    .ok()
                    .map(|i| list[i].1)
            })
            .unwrap_or(0)
    }

    /// What the words ask for: each a list of alternatives (the family's words, the
    /// directory's words for the same, a near spelling), each alternative a sequence of
    /// stems, with what a match is worth.
    fn concepts(&self, text: &str) -> Concepts {
        let lower = words(text).join(" ");
        let mut concepts: Vec<Vec<(Vec<String>, f32)>> = Vec::new();
        let mut covered = String::new();
        // Phrases first ("short breaks", "can't sleep"), longest first.
        let mut phrases: Vec<&(&str, &[&str])> = FAMILY_WORDS.iter().collect();
        phrases.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
        let padded = format!(" {lower} ");
        for (phrase, meant) in phrases {
            let key = words(phrase).join(" ");
            if padded.contains(&format!(" {key} ")) && !covered.contains(&format!(" {key} ")) {
                let mut alternatives = vec![(stems(&key), 1.0)];
                alternatives.extend(meant.iter().map(|m| (stems(m), 0.8)));
                concepts.push(alternatives);
                covered.push_str(&format!(" {key} "));
            }
        }
        for word in words(text) {
            if STOP_WORDS.contains(&word.as_str()) || covered.contains(&format!(" {word} ")) {
                continue;
            }
            let stemmed = stem(&word);
            let mut alternatives = vec![(vec![stemmed.clone()], 1.0)];
            if !self.vocabulary.contains_key(&stemmed) {
                // A misspelling: the nearest words the directory has.
                let length = stemmed.chars().count();
                let most = match length {
                    0..=3 => 0,
                    4..=7 => 1,
                    _ => 2,
                };
                if most > 0 {
                    alternatives.extend(
                        self.vocabulary
                            .keys()
                            // Words whose lengths differ by more cannot be near enough.
                            .filter(|v| v.len().abs_diff(length) <= most)
                            .filter(|v| strsim::damerau_levenshtein(v, &stemmed) <= most)
                            .map(|v| (vec![v.clone()], 0.6)),
                    );
                }
            }
            concepts.push(alternatives);
        }
        // In numbers; an alternative with a word the directory does not have cannot
        // match, so it goes, but its concept stays (and counts as unmatched).
        concepts
            .into_iter()
            .map(|alternatives| {
                alternatives
                    .into_iter()
                    .filter_map(|(sequence, worth)| {
                        let ids: Option<Vec<WordId>> = sequence
                            .iter()
                            .map(|w| self.vocabulary.get(w).copied())
                            .collect();
                        ids.filter(|ids| !ids.is_empty()).map(|ids| (ids, worth))
                    })
                    .collect()
            })
            .collect()
    }
}

/// How well a service matches, read word by word: for each concept, its best
/// alternative in its best field. The plain statement of what `SearchIndex::scores`
/// works out from the postings, kept to check it against.
#[cfg(test)]
fn score(indexed: &Indexed, concepts: &Concepts) -> f32 {
    let mut total = 0.0;
    let mut matched = 0;
    for alternatives in concepts {
        let mut best = 0.0f32;
        for (sequence, worth) in alternatives {
            for (weight, field) in &indexed.fields {
                if contains_sequence(field, sequence) {
                    best = best.max(weight * worth);
                }
            }
        }
        if best > 0.0 {
            matched += 1;
        }
        total += best;
    }
    // A service matching every concept ranks above one matching some very well.
    total * (matched as f32 / concepts.len() as f32).powi(2)
}

fn contains_sequence(field: &[WordId], sequence: &[WordId]) -> bool {
    !sequence.is_empty()
        && field
            .windows(sequence.len())
            .any(|w| w.iter().zip(sequence).all(|(a, b)| a == b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(key: &str, name: &str, description: &str, family: &[&str]) -> Service {
        Service {
            key: key.into(),
            organization_key: "o".into(),
            name: name.into(),
            description: description.into(),
            send: SendDetails {
                family_words: family.iter().map(|w| (*w).to_owned()).collect(),
                ..SendDetails::default()
            },
            ..Service::default()
        }
    }

    fn directory() -> Directory {
        let mut breaks = service(
            "breaks",
            "Bluebell Short Breaks",
            "Saturday activities for disabled children",
            &["respite", "time off"],
        );
        breaks.minimum_age = Some(5.0);
        breaks.maximum_age = Some(17.0);
        breaks.send.needs = vec![NeedType::Asd, NeedType::Sld];
        breaks.terms = vec!["short-breaks".into()];
        breaks.fees = "Free".into();
        breaks.schedules = vec![Schedule {
            days: vec![Day::Saturday],
            ..Schedule::default()
        }];
        let mut sleep = service(
            "sleep",
            "Sleep support workshops",
            "Help for children with autism and ADHD who struggle with sleep",
            &["can't sleep"],
        );
        sleep.terms = vec!["health".into()];
        let mut ebsa = service(
            "ebsa",
            "Attendance support team",
            "Support for emotionally based school avoidance",
            &["school refusal"],
        );
        ebsa.minimum_age = Some(5.0);
        ebsa.maximum_age = Some(16.0);
        let swim = service(
            "swim",
            "Inclusive swimming sessions",
            "Swimming for everyone",
            &[],
        );
        let sibs = service(
            "sibs",
            "SibSpace",
            "A group for brothers and sisters of disabled children",
            &[],
        );
        Directory {
            organizations: vec![],
            services: vec![breaks, sleep, ebsa, swim, sibs],
            terms: vec![
                TaxonomyTerm {
                    key: "leisure".into(),
                    name: "Leisure".into(),
                    ..TaxonomyTerm::default()
                },
                TaxonomyTerm {
                    key: "short-breaks".into(),
                    name: "Short breaks".into(),
                    parent_key: Some("leisure".into()),
                    ..TaxonomyTerm::default()
                },
                TaxonomyTerm {
                    key: "health".into(),
                    name: "Health".into(),
                    ..TaxonomyTerm::default()
                },
            ],
        }
    }

    fn first(query: &str) -> String {
        let index = SearchIndex::new(directory());
        index
            .search(&Query {
                words: query.into(),
                ..Query::default()
            })
            .services
            .first()
            .map_or("nothing".to_owned(), |s| s.key.clone())
    }

    #[test]
    fn families_words_find_what_services_call_otherwise() {
        for (query, expected) in [
            ("can't sleep", "sleep"),
            ("my son cant sleep", "sleep"),
            ("school refusal", "ebsa"),
            ("won't go to school", "ebsa"),
            ("short breaks", "breaks"),
            ("respite", "breaks"),
            ("time off for parents", "breaks"),
            ("ADHD", "sleep"),
            ("swimming", "swim"),
            ("swim", "swim"),
            ("siblings", "sibs"),
            ("brothers and sisters", "sibs"),
            ("short break", "breaks"),
        ] {
            assert_eq!(first(query), expected, "\"{query}\"");
        }
    }

    #[test]
    fn small_misspellings_are_forgiven() {
        assert_eq!(first("swiming"), "swim");
        assert_eq!(first("attendence"), "ebsa");
        assert_eq!(first("xyzzy"), "nothing");
    }

    #[test]
    fn filters_narrow_before_ranking() {
        let index = SearchIndex::new(directory());
        let keys = |q: Query| {
            index
                .search(&q)
                .services
                .iter()
                .map(|s| s.key.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            keys(Query {
                age: Some(3.0),
                words: "short breaks".into(),
                ..Query::default()
            }),
            Vec::<String>::new()
        );
        assert_eq!(
            keys(Query {
                age: Some(9.0),
                need: Some(NeedType::Asd),
                free_only: true,
                day: Some(Day::Saturday),
                ..Query::default()
            }),
            vec!["breaks"]
        );
        assert_eq!(
            keys(Query {
                category: Some("leisure".into()),
                ..Query::default()
            }),
            vec!["breaks"],
            "a category takes in its children"
        );
        assert!(
            keys(Query {
                need: Some(NeedType::Hi),
                ..Query::default()
            })
            .contains(&"swim".to_owned()),
            "a service for all needs serves every need"
        );
    }

    #[test]
    fn weak_matches_are_left_out_and_filtered_better_ones_are_counted() {
        let index = SearchIndex::new(directory());
        let too_young = index.search(&Query {
            words: "short breaks".into(),
            age: Some(3.0),
            ..Query::default()
        });
        assert!(too_young.services.is_empty());
        assert_eq!(
            too_young.hidden_by_filters, 1,
            "the short breaks service was filtered out"
        );
        // "Swimming" and "sleep" both match one word of two: each is shown. A service
        // matching only a stop-word-like passing mention would fall below the floor.
        let all = index.search(&Query {
            words: "short breaks saturday".into(),
            ..Query::default()
        });
        assert_eq!(all.services.first().map(|s| s.key.as_str()), Some("breaks"));
        assert_eq!(all.hidden_by_filters, 0);
        let best = score_of(&index, "breaks", "short breaks saturday");
        for s in &all.services {
            assert!(score_of(&index, &s.key, "short breaks saturday") >= best * FLOOR);
        }
    }

    fn score_of(index: &SearchIndex, key: &str, words: &str) -> f32 {
        let concepts = index.concepts(words);
        let scores = index.scores(&concepts).unwrap();
        let at = index
            .directory
            .services
            .iter()
            .position(|s| s.key == key)
            .unwrap();
        scores[at]
    }

    #[test]
    fn scores_from_the_postings_equal_reading_every_service_word_by_word() {
        let index = SearchIndex::new(directory());
        for words in [
            "short breaks",
            "cant sleep respite",
            "school refusal",
            "swiming club",
            "xyzzy adhd",
        ] {
            let concepts = index.concepts(words);
            let fast = index.scores(&concepts).unwrap();
            for (at, indexed) in index.services.iter().enumerate() {
                assert!(
                    (fast[at] - score(indexed, &concepts)).abs() < 1e-6,
                    "{words}: service {at}"
                );
            }
        }
    }

    #[test]
    fn near_a_postcode_the_nearest_come_first_and_the_unmeasurable_are_kept_apart() {
        let mut d = directory();
        let at = |latitude: f64, longitude: f64| Location {
            latitude: Some(latitude),
            longitude: Some(longitude),
            ..Location::default()
        };
        let place = |d: &mut Directory, key: &str, locations: Vec<Location>| {
            d.services
                .iter_mut()
                .find(|s| s.key == key)
                .unwrap()
                .locations = locations;
        };
        place(&mut d, "breaks", vec![at(52.60, -2.13)]);
        place(&mut d, "sleep", vec![at(52.59, -2.13), at(53.5, -2.2)]);
        place(
            &mut d,
            "ebsa",
            vec![Location {
                postcode: "WV1 1AA".into(),
                ..Location::default()
            }],
        );
        let keys = |f: &Found| f.services.iter().map(|s| s.key.clone()).collect::<Vec<_>>();
        let index = SearchIndex::new(d);
        let home = Point {
            latitude: 52.586,
            longitude: -2.13,
        };
        let found = index.search(&Query {
            near: Some(home),
            within_metres: Some(2_000.0),
            ..Query::default()
        });
        assert_eq!(
            keys(&found),
            vec!["sleep", "breaks"],
            "nearest first, within 2 km"
        );
        assert!(found
            .distances
            .iter()
            .all(|d| d.is_some_and(|d| d <= 2_000.0)));
        assert_eq!(found.unplaced.len(), index.directory().services.len() - 2);
        assert!(found.unplaced.iter().any(|s| s.key == "ebsa"));
    }

    #[test]
    fn an_age_is_worked_out_from_a_date_of_birth() {
        use time::macros::date;
        assert_eq!(
            age_on(date!(2017 - 03 - 14), date!(2026 - 03 - 14)),
            Some(9.0)
        );
        let day_before = age_on(date!(2017 - 03 - 14), date!(2026 - 03 - 13)).unwrap();
        assert!(day_before > 8.99 && day_before < 9.0);
        assert_eq!(
            age_on(date!(2020 - 02 - 29), date!(2025 - 03 - 01)),
            Some(5.0)
        );
        assert_eq!(age_on(date!(2027 - 01 - 01), date!(2026 - 12 - 03)), None);
    }

    #[test]
    fn plurals_and_endings_are_one_word() {
        assert_eq!(stem("breaks"), "break");
        assert_eq!(stem("therapies"), "therapy");
        assert_eq!(stem("swimming"), "swim");
        assert_eq!(stem("classes"), "class");
        assert_eq!(stem("bus"), "bus");
        assert_eq!(stem("autism"), "autism");
    }
}
