//! Rating schemes. Every plan has its own scheme (there is no national standard), so each
//! rating carries a semantic [`RatingClass`] that lets sendplan count and compare across plans.

use serde::{Deserialize, Serialize};

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

    /// `non_zero` with the classes' labels, then the unrated actions under `unrated`.
    pub fn labelled(&self, unrated: &str) -> Vec<(String, usize)> {
        let mut out: Vec<(String, usize)> = self
            .non_zero()
            .into_iter()
            .map(|(c, n)| (c.label().to_owned(), n))
            .collect();
        if self.unrated > 0 {
            out.push((unrated.to_owned(), self.unrated));
        }
        out
    }

    fn index(class: RatingClass) -> usize {
        class as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
