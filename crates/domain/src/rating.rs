//! Rating schemes. Every plan has its own scheme (there is no national standard), so each
//! rating carries a semantic [`RatingClass`] that lets sendplan count and compare across plans.

use serde::{Deserialize, Serialize};

/// What an action with no update yet is called wherever actions are counted by rating.
pub const NOT_YET_RATED: &str = "Not yet rated";

crate::coded_enum! {
    /// What a rating means, whatever its label and colour in a given plan.
    /// Declared in the order dashboards list them: worst news first.
    RatingClass {
        /// Significantly delayed, no progress or major concerns: needs intervention.
        OffTrack => ("off_track", "Off track"),
        /// Progressing with minor delays or some concerns.
        SomeConcerns => ("some_concerns", "Some concerns"),
        /// Due to have started but has not.
        NotStarted => ("not_started", "Not started"),
        /// Waiting on, or dependent on, other actions.
        Waiting => ("waiting", "Waiting on other actions"),
        /// Progressing as planned.
        OnTrack => ("on_track", "On track"),
        /// Done (and, in most schemes, embedded).
        Complete => ("complete", "Complete"),
        /// Not due to start yet.
        NotYetDue => ("not_yet_due", "Not yet due"),
    }
}

impl RatingClass {
    /// The class in words for families, without the jargon of rating schemes.
    pub fn for_families(self) -> &'static str {
        match self {
            RatingClass::OffTrack => "Behind, and being put right",
            RatingClass::SomeConcerns => "Some delays",
            RatingClass::NotStarted => "Not started yet",
            RatingClass::Waiting => "Waiting for other work to finish first",
            RatingClass::OnTrack => "Going to plan",
            RatingClass::Complete => "Done",
            RatingClass::NotYetDue => "Not due to start yet",
        }
    }

    /// Whether the action needs no further delivery work.
    pub fn is_complete(self) -> bool {
        self == RatingClass::Complete
    }

    /// Whether an action in this class belongs in an exception report.
    pub fn is_exception(self) -> bool {
        matches!(
            self,
            RatingClass::OffTrack | RatingClass::SomeConcerns | RatingClass::NotStarted
        )
    }
}

crate::coded_enum! {
    /// The GOV.UK Design System tag colours a rating can be shown in
    /// (the code is the `govuk-tag--{code}` modifier).
    TagColour {
        Red => ("red", "Red"),
        Orange => ("orange", "Orange"),
        Yellow => ("yellow", "Yellow"),
        Green => ("green", "Green"),
        Turquoise => ("turquoise", "Turquoise"),
        Blue => ("blue", "Blue"),
        LightBlue => ("light-blue", "Light blue"),
        Purple => ("purple", "Purple"),
        Pink => ("pink", "Pink"),
        Grey => ("grey", "Grey"),
    }
}

/// One step of a scheme as a plan defines it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatingDefinition {
    pub label: String,
    pub colour: TagColour,
    pub meaning: String,
    pub class: RatingClass,
}

crate::coded_enum! {
    /// The rating schemes found in real plans, offered when a plan is created.
    RatingPreset {
        /// Wolverhampton WSOA: RED / AMBER / GREEN / BLUE / PINK.
        Wolverhampton => ("wolverhampton", "RED, AMBER, GREEN, BLUE, PINK (as Wolverhampton's WSOA)"),
        /// Warwickshire WSoA: Blue / Green / Amber / Red / Grey (BRAG and Grey).
        Warwickshire => ("warwickshire", "Blue, Green, Amber, Red, Grey (BRAG and Grey, as Warwickshire's WSoA)"),
        /// Plain red / amber / green, plus complete.
        Rag => ("rag", "Red, Amber, Green and Complete"),
        /// A five-step text scale used by several councils.
        FiveStep => ("five_step", "Started but delayed, Progressing but delayed, Progressing and on track, Completed, Embedded"),
    }
}

impl RatingPreset {
    /// The ordered ratings of the preset, with meanings as the source plans word them.
    pub fn ratings(self) -> Vec<RatingDefinition> {
        use RatingClass::*;
        use TagColour as C;
        let r = |label: &str, colour, meaning: &str, class| RatingDefinition {
            label: label.to_owned(),
            colour,
            meaning: meaning.to_owned(),
            class,
        };
        match self {
            RatingPreset::Wolverhampton => vec![
                r(
                    "RED",
                    C::Red,
                    "Action significantly delayed (requiring intervention)",
                    OffTrack,
                ),
                r(
                    "AMBER",
                    C::Orange,
                    "Action in progress, minor delays",
                    SomeConcerns,
                ),
                r("GREEN", C::Green, "Action on track", OnTrack),
                r("BLUE", C::Blue, "Action completed and embedded", Complete),
                r(
                    "PINK",
                    C::Pink,
                    "Action not yet started, dependent on or awaiting other actions",
                    Waiting,
                ),
            ],
            RatingPreset::Warwickshire => vec![
                r("Blue", C::Blue, "Completed and embedded", Complete),
                r("Green", C::Green, "On track, no concerns", OnTrack),
                r("Amber", C::Orange, "On track, some concerns", SomeConcerns),
                r("Red", C::Red, "No progress, major concerns", OffTrack),
                r("Grey", C::Grey, "Not due yet", NotYetDue),
            ],
            RatingPreset::Rag => vec![
                r(
                    "Red",
                    C::Red,
                    "Off track: significant delay or risk, intervention needed",
                    OffTrack,
                ),
                r(
                    "Amber",
                    C::Orange,
                    "Some delay or risk, being managed",
                    SomeConcerns,
                ),
                r("Green", C::Green, "On track", OnTrack),
                r("Complete", C::Blue, "Delivered", Complete),
            ],
            RatingPreset::FiveStep => vec![
                r(
                    "Started but delayed",
                    C::Red,
                    "Work has started but is behind plan",
                    OffTrack,
                ),
                r(
                    "Progressing but delayed",
                    C::Orange,
                    "Progressing, with some delay",
                    SomeConcerns,
                ),
                r(
                    "Progressing and on track",
                    C::Green,
                    "Progressing to plan",
                    OnTrack,
                ),
                r("Completed", C::Blue, "Delivered", Complete),
                r(
                    "Embedded",
                    C::Purple,
                    "Delivered and embedded in everyday practice",
                    Complete,
                ),
            ],
        }
    }
}

/// Counts of actions by rating class, with the actions that have never been rated.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ClassCounts {
    counts: [usize; 7],
    /// Actions with no progress update yet.
    pub unrated: usize,
}

impl ClassCounts {
    /// Adds one action with the given current class (`None`: never rated).
    pub fn add(&mut self, class: Option<RatingClass>) {
        match class {
            Some(c) => self.counts[Self::index(c)] += 1,
            None => self.unrated += 1,
        }
    }

    /// How many actions are in `class`.
    pub fn get(&self, class: RatingClass) -> usize {
        self.counts[Self::index(class)]
    }

    /// All actions counted, rated or not.
    pub fn total(&self) -> usize {
        self.counts.iter().sum::<usize>() + self.unrated
    }

    /// The classes with at least one action, in dashboard order, with their counts.
    pub fn non_zero(&self) -> Vec<(RatingClass, usize)> {
        RatingClass::ALL
            .iter()
            .copied()
            .map(|c| (c, self.get(c)))
            .filter(|(_, n)| *n > 0)
            .collect()
    }

    /// `non_zero` in words a parent understands (the public page), then those not yet
    /// reported on: "We have not reported on these yet" rather than "Not yet rated", which
    /// reads as if nothing is happening.
    pub fn for_families(&self) -> Vec<(String, usize)> {
        self.named(
            RatingClass::for_families,
            "We have not reported on these yet",
        )
    }

    /// `non_zero` with the classes' labels, then the unrated actions under `unrated`.
    pub fn labelled(&self, unrated: &str) -> Vec<(String, usize)> {
        self.named(RatingClass::label, unrated)
    }

    /// `non_zero` with each class called `name`, then the unrated actions as `unrated`.
    fn named(&self, name: fn(RatingClass) -> &'static str, unrated: &str) -> Vec<(String, usize)> {
        let mut out: Vec<(String, usize)> = self
            .non_zero()
            .into_iter()
            .map(|(c, n)| (name(c).to_owned(), n))
            .collect();
        if self.unrated > 0 {
            out.push((unrated.to_owned(), self.unrated));
        }
        out
    }

    fn index(class: RatingClass) -> usize {
        class as usize
    }

    /// Each class with actions now or at the date compared with (`then`), worst news
    /// first, then those not yet rated: a paper's executive summary.
    pub fn movement(&self, then: Option<&ClassCounts>) -> Vec<CountMovement> {
        let mut out: Vec<CountMovement> = RatingClass::ALL
            .iter()
            .map(|&c| CountMovement {
                class: Some(c),
                label: c.label().to_owned(),
                now: self.get(c),
                then: then.map(|t| t.get(c)),
            })
            .collect();
        out.push(CountMovement {
            class: None,
            label: NOT_YET_RATED.to_owned(),
            now: self.unrated,
            then: then.map(|t| t.unrated),
        });
        out.retain(|m| m.now > 0 || m.then.is_some_and(|t| t > 0));
        out
    }
}

/// How many actions were in a rating class on a paper's date, and on the date it is
/// compared with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountMovement {
    /// `None` for the actions not yet rated.
    pub class: Option<RatingClass>,
    pub label: String,
    pub now: usize,
    pub then: Option<usize>,
}

impl CountMovement {
    /// The change in words: "Up 3", "Down 2", "No change"; empty with nothing to compare.
    pub fn change(&self) -> String {
        match self.then {
            None => String::new(),
            Some(then) if then == self.now => "No change".to_owned(),
            Some(then) if then < self.now => format!("Up {}", self.now - then),
            Some(then) => format!("Down {}", then - self.now),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn movement_lists_classes_with_actions_then_or_now_and_says_the_change() {
        let mut then = ClassCounts::default();
        then.add(Some(RatingClass::OffTrack));
        then.add(Some(RatingClass::OffTrack));
        then.add(None);
        let mut now = ClassCounts::default();
        now.add(Some(RatingClass::OffTrack));
        now.add(Some(RatingClass::OnTrack));
        now.add(Some(RatingClass::OnTrack));
        let lines = now.movement(Some(&then));
        let words: Vec<(String, usize, Option<usize>, String)> = lines
            .iter()
            .map(|m| (m.label.clone(), m.now, m.then, m.change()))
            .collect();
        assert_eq!(
            words,
            vec![
                ("Off track".into(), 1, Some(2), "Down 1".into()),
                ("On track".into(), 2, Some(0), "Up 2".into()),
                (NOT_YET_RATED.into(), 0, Some(1), "Down 1".into()),
            ]
        );
        let alone = now.movement(None);
        assert_eq!(alone.len(), 2);
        assert_eq!(alone[0].change(), "");
    }

    #[test]
    fn every_preset_has_a_complete_and_an_off_track_rating() {
        for &preset in RatingPreset::ALL {
            let classes: Vec<_> = preset.ratings().iter().map(|r| r.class).collect();
            assert!(classes.contains(&RatingClass::Complete), "{preset:?}");
            assert!(classes.contains(&RatingClass::OffTrack), "{preset:?}");
        }
    }

    #[test]
    fn wolverhampton_pink_means_waiting_and_warwickshire_grey_means_not_yet_due() {
        let pink = RatingPreset::Wolverhampton
            .ratings()
            .into_iter()
            .find(|r| r.label == "PINK");
        assert_eq!(pink.map(|r| r.class), Some(RatingClass::Waiting));
        let grey = RatingPreset::Warwickshire
            .ratings()
            .into_iter()
            .find(|r| r.label == "Grey");
        assert_eq!(grey.map(|r| r.class), Some(RatingClass::NotYetDue));
    }

    #[test]
    fn red_in_two_schemes_counts_as_the_same_class() {
        let mut counts = ClassCounts::default();
        for preset in [RatingPreset::Wolverhampton, RatingPreset::Warwickshire] {
            let red = preset
                .ratings()
                .into_iter()
                .find(|r| r.label.eq_ignore_ascii_case("red"));
            counts.add(red.map(|r| r.class));
        }
        assert_eq!(counts.get(RatingClass::OffTrack), 2);
        assert_eq!(counts.total(), 2);
    }

    #[test]
    fn unrated_actions_are_counted_apart() {
        let mut counts = ClassCounts::default();
        counts.add(None);
        counts.add(Some(RatingClass::OnTrack));
        assert_eq!(counts.unrated, 1);
        assert_eq!(counts.total(), 2);
        assert_eq!(counts.non_zero(), vec![(RatingClass::OnTrack, 1)]);
    }

    #[test]
    fn codes_round_trip() {
        for &c in RatingClass::ALL {
            assert_eq!(RatingClass::from_code(c.code()), Some(c));
        }
        for &c in TagColour::ALL {
            assert_eq!(TagColour::from_code(c.code()), Some(c));
        }
        for &p in RatingPreset::ALL {
            assert_eq!(RatingPreset::from_code(p.code()), Some(p));
        }
        assert_eq!(RatingClass::from_code("nonsense"), None);
    }
}

/// The rating of `ratings` a tracker cell means, from how trackers write ratings: the label
/// itself in any case ("green "), a word for its class ("Complete", "On track", "Not
/// started"), a colour word ("Amber"), or a colour's first letter (R, A, G, B, P). `None`
/// when the value could mean none of them, or is ambiguous.
pub fn rating_for_value<'a>(
    value: &str,
    ratings: &'a [RatingDefinition],
) -> Option<&'a RatingDefinition> {
    let folded = value.trim().to_lowercase();
    let folded = folded.trim_end_matches('.').trim();
    if folded.is_empty() {
        return None;
    }
    if let Some(found) = ratings.iter().find(|r| r.label.to_lowercase() == folded) {
        return Some(found);
    }
    let class = match folded {
        "complete" | "completed" | "done" | "achieved" | "closed" | "delivered" | "c" => {
            Some(RatingClass::Complete)
        }
        "on track" | "on-track" | "ontrack" => Some(RatingClass::OnTrack),
        "off track" | "off-track" | "behind" | "delayed" | "significantly delayed" => {
            Some(RatingClass::OffTrack)
        }
        "not started" | "not yet started" => Some(RatingClass::NotStarted),
        "not yet due" | "not due" | "not due yet" => Some(RatingClass::NotYetDue),
        _ => None,
    };
    if let Some(class) = class {
        let same: Vec<_> = ratings.iter().filter(|r| r.class == class).collect();
        if let Some(first) = same.first() {
            return Some(first);
        }
        if class == RatingClass::NotStarted {
            return ratings.iter().find(|r| r.class == RatingClass::Waiting);
        }
    }
    let colour = match folded {
        "r" | "red" => TagColour::Red,
        "a" | "amber" | "orange" | "yellow" => TagColour::Orange,
        "g" | "green" => TagColour::Green,
        "b" | "blue" => TagColour::Blue,
        "p" | "pink" => TagColour::Pink,
        "grey" | "gray" => TagColour::Grey,
        "purple" => TagColour::Purple,
        _ => return None,
    };
    rating_in_colour(colour, ratings)
}

/// The one rating shown in `colour` (an amber rating is shown orange; yellow is taken as
/// amber), if exactly one is.
pub fn rating_in_colour(
    colour: TagColour,
    ratings: &[RatingDefinition],
) -> Option<&RatingDefinition> {
    let mut same = ratings.iter().filter(|r| {
        r.colour == colour || (colour == TagColour::Orange && r.colour == TagColour::Yellow)
    });
    let first = same.next()?;
    same.next().is_none().then_some(first)
}

/// The tag colour nearest a cell's fill (RRGGBB), by hue, as a person would name it: a
/// fill of FFC000 is amber, 00B050 green, BFBFBF grey. `None` for text that is not a
/// colour, and for white or near-white.
pub fn colour_of_fill(rgb: &str) -> Option<TagColour> {
    let value = u32::from_str_radix(rgb.trim_start_matches('#'), 16).ok()?;
    if rgb.trim_start_matches('#').len() != 6 {
        return None;
    }
    let [r, g, b] =
        [(value >> 16) & 0xFF, (value >> 8) & 0xFF, value & 0xFF].map(|c| c as f64 / 255.0);
    let (max, min) = (r.max(g).max(b), r.min(g).min(b));
    let lightness = (max + min) / 2.0;
    let chroma = max - min;
    if lightness > 0.93 {
        return None;
    }
    if chroma < 0.12 {
        return Some(TagColour::Grey);
    }
    let hue = if max == r {
        60.0 * (((g - b) / chroma).rem_euclid(6.0))
    } else if max == g {
        60.0 * ((b - r) / chroma + 2.0)
    } else {
        60.0 * ((r - g) / chroma + 4.0)
    };
    Some(match hue {
        h if !(12.0..340.0).contains(&h) => TagColour::Red,
        h if h < 65.0 => TagColour::Orange,
        h if h < 170.0 => TagColour::Green,
        h if h < 255.0 => TagColour::Blue,
        h if h < 295.0 => TagColour::Purple,
        _ => TagColour::Pink,
    })
}

#[cfg(test)]
mod value_tests {
    use super::*;

    #[test]
    fn tracker_values_mean_the_plans_ratings() {
        let wolves = RatingPreset::Wolverhampton.ratings();
        let label =
            |v: &str, r: &[RatingDefinition]| rating_for_value(v, r).map(|r| r.label.clone());
        assert_eq!(label("G", &wolves).as_deref(), Some("GREEN"));
        assert_eq!(label("green ", &wolves).as_deref(), Some("GREEN"));
        assert_eq!(label("a", &wolves).as_deref(), Some("AMBER"));
        assert_eq!(label("Complete", &wolves).as_deref(), Some("BLUE"));
        assert_eq!(label("Not started", &wolves).as_deref(), Some("PINK"));
        assert_eq!(label("On track", &wolves).as_deref(), Some("GREEN"));
        assert_eq!(label("Amberish", &wolves), None);
        let rag = RatingPreset::Rag.ratings();
        assert_eq!(label("B", &rag).as_deref(), Some("Complete"));
        assert_eq!(label("C", &rag).as_deref(), Some("Complete"));
        let brag = RatingPreset::Warwickshire.ratings();
        assert_eq!(label("Not yet due", &brag).as_deref(), Some("Grey"));
        assert_eq!(label("G", &brag).as_deref(), Some("Green"));
        let five = RatingPreset::FiveStep.ratings();
        assert_eq!(
            label("complete", &five).as_deref(),
            Some("Completed"),
            "the first of two complete steps"
        );
    }

    #[test]
    fn fills_are_named_as_people_see_them() {
        for (rgb, colour) in [
            ("00B050", TagColour::Green),
            ("92D050", TagColour::Green),
            ("FFC000", TagColour::Orange),
            ("FFFF00", TagColour::Orange),
            ("FF0000", TagColour::Red),
            ("C00000", TagColour::Red),
            ("0070C0", TagColour::Blue),
            ("00B0F0", TagColour::Blue),
            ("BFBFBF", TagColour::Grey),
            ("7030A0", TagColour::Purple),
            ("FF66CC", TagColour::Pink),
        ] {
            assert_eq!(colour_of_fill(rgb), Some(colour), "{rgb}");
        }
        assert_eq!(colour_of_fill("FFFFFF"), None);
        assert_eq!(colour_of_fill("nonsense"), None);
    }
}

#[cfg(test)]
mod family_words {
    use super::*;

    #[test]
    fn the_public_counts_use_words_a_parent_understands() {
        let mut counts = ClassCounts::default();
        counts.add(Some(RatingClass::OnTrack));
        counts.add(None);
        assert_eq!(
            counts.for_families(),
            vec![
                ("Going to plan".to_owned(), 1),
                ("We have not reported on these yet".to_owned(), 1)
            ]
        );
        for class in RatingClass::ALL {
            assert!(!class.for_families().to_lowercase().contains("rated"));
        }
    }
}
