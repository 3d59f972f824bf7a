//! Family and professional surveys: a survey's questions and the share of respondents who
//! gave each answer. Results arrive either as published figures (percentages or counts,
//! kept exactly as published) or as one row per respondent, from which the counts are
//! tallied here. Surveys in the same series (the same annual survey, year after year)
//! are compared question by question.

use serde::{Deserialize, Serialize};

/// The most respondents one survey may have, as a sanity check on counts.
pub const MAX_RESPONDENTS: u32 = 10_000_000;

/// One answer option and how many gave it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OptionResult {
    pub label: String,
    /// The percentage as published, if it was.
    pub percent: Option<f64>,
    pub count: Option<u32>,
}

/// A question with its results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Question {
    pub number: String,
    /// The heading it was published under, if any.
    pub topic: String,
    pub text: String,
    /// Respondents could choose more than one answer, so shares add up to more than 100%.
    pub multiple: bool,
    /// How many answered it, when known (tallied from responses).
    pub answered: Option<u32>,
    pub notes: String,
    pub options: Vec<OptionResult>,
}

impl Question {
    /// An option's share of those who answered, in percent: the published figure, else its
    /// count over those who answered (or over all respondents).
    pub fn share(&self, option: &OptionResult, respondents: Option<u32>) -> Option<f64> {
        if let Some(percent) = option.percent {
            return Some(percent);
        }
        let base = self.answered.or(respondents)?;
        let count = option.count?;
        (base > 0).then(|| f64::from(count) * 100.0 / f64::from(base))
    }
}

/// A survey's details and results, checked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurveyInput {
    pub title: String,
    /// Surveys with the same series are compared year on year.
    pub series: String,
    pub run_by: String,
    pub audience: String,
    /// When it ran, as written: "2021", "Autumn 2022", "March 2023".
    pub period: String,
    pub respondents: Option<u32>,
    pub quotes: Vec<String>,
    pub questions: Vec<Question>,
}

/// What a survey is, apart from its results: the survey form's fields, for adding one
/// with its file and for correcting them later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyDetails {
    pub title: String,
    /// The title when left empty: a survey is its own series until another joins it.
    pub series: String,
    pub run_by: String,
    pub audience: String,
    pub period: String,
    pub respondents: Option<u32>,
}

impl SurveyDetails {
    pub fn parse(form: &crate::input::RawForm) -> Result<Self, crate::input::FieldErrors> {
        use crate::input::{FormReader, LONG_TEXT, SHORT_TEXT};
        let mut f = FormReader::new(form);
        let title = f.required("title", "the survey's title", SHORT_TEXT);
        let series = f.optional("series", "the series", SHORT_TEXT);
        let run_by = f.optional("run_by", "who ran it", SHORT_TEXT);
        let audience = f.optional("audience", "who it asked", LONG_TEXT);
        let period = f.required("period", "when it ran", 60);
        let respondents_text = f.optional("respondents", "the number of respondents", 12);
        let respondents = match respondents_text.replace(',', "").trim() {
            "" => None,
            text => match text.parse::<u32>() {
                Ok(n) if n > 0 && n <= MAX_RESPONDENTS => Some(n),
                _ => {
                    f.error(
                        "respondents",
                        "Enter the number of respondents as a whole number, like 245",
                    );
                    None
                }
            },
        };
        f.finish(SurveyDetails {
            series: if series.is_empty() {
                title.clone()
            } else {
                series
            },
            title,
            run_by,
            audience,
            period,
            respondents,
        })
    }
}

/// A stored survey.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Survey {
    pub id: crate::SurveyId,
    pub plan_id: crate::PlanId,
    pub survey: SurveyInput,
    #[serde(default)]
    pub version: i64,
}

/// Formats a share for people: published percentages exactly as published ("35%"),
/// computed ones to one decimal place ("35.1%").
pub fn format_share(share: f64) -> String {
    if (share - share.round()).abs() < 1e-9 {
        format!("{}%", share.round() as i64)
    } else {
        format!("{share:.1}%")
    }
}

impl SurveyInput {
    /// Every problem with the survey's results, as (where, message).
    pub fn problems(&self) -> Vec<(String, String)> {
        let mut problems = Vec::new();
        if self.title.trim().is_empty() {
            problems.push(("title".to_owned(), "Enter the survey's title".to_owned()));
        }
        if self.respondents.is_some_and(|r| r > MAX_RESPONDENTS) {
            problems.push((
                "respondents".to_owned(),
                "The number of respondents is too large".to_owned(),
            ));
        }
        if self.questions.is_empty() {
            problems.push((
                "questions".to_owned(),
                "The survey has no questions".to_owned(),
            ));
        }
        for (q, question) in self.questions.iter().enumerate() {
            let at = format!("questions[{q}]");
            if question.text.trim().is_empty() {
                problems.push((
                    format!("{at}.text"),
                    "A question needs its wording".to_owned(),
                ));
            }
            if question.options.is_empty() {
                problems.push((
                    format!("{at}.options"),
                    format!("Question {} has no answers", question.number),
                ));
            }
            let mut total = 0.0;
            for (o, option) in question.options.iter().enumerate() {
                let at = format!("{at}.options[{o}]");
                if option.label.trim().is_empty() {
                    problems.push((
                        format!("{at}.label"),
                        "An answer needs its wording".to_owned(),
                    ));
                }
                if option.percent.is_none() && option.count.is_none() {
                    problems.push((
                        at.clone(),
                        format!("\"{}\" needs a percentage or a count", option.label),
                    ));
                }
                if let Some(p) = option.percent {
                    if !(0.0..=100.0).contains(&p) {
                        problems.push((
                            format!("{at}.percent"),
                            format!(
                                "\"{}\": a percentage must be between 0 and 100",
                                option.label
                            ),
                        ));
                    }
                }
                let base = question.answered.or(self.respondents);
                if let (Some(count), Some(base)) = (option.count, base) {
                    if count > base {
                        problems.push((
                            format!("{at}.count"),
                            format!(
                                "\"{}\": {count} answered it but only {base} answered the question",
                                option.label
                            ),
                        ));
                    }
                }
                total += question.share(option, self.respondents).unwrap_or(0.0);
            }
            // Published percentages are rounded, so a little over 100 is allowed.
            if !question.multiple && total > 100.0 + question.options.len() as f64 * 0.5 {
                problems.push((format!("{at}.options"), format!("Question {}'s answers add up to {total:.0}%: if people could choose more than one, say so", question.number)));
            }
        }
        problems
    }
}

/// Tallies one row per respondent: each column is a question (its header the wording),
/// each cell that respondent's answer. A cell holding answers separated by ";" makes the
/// question multiple choice. Blank cells are "did not answer". Answers keep the order in
/// which they first appear.
pub fn tally(headers: &[String], rows: &[Vec<String>]) -> Result<(u32, Vec<Question>), String> {
    if rows.is_empty() {
        return Err("The file has no responses under its headings".to_owned());
    }
    let respondents = u32::try_from(rows.len()).map_err(|_| "Too many responses".to_owned())?;
    let mut questions = Vec::new();
    for (c, header) in headers.iter().enumerate() {
        if header.trim().is_empty() {
            continue;
        }
        let mut options: Vec<OptionResult> = Vec::new();
        let (mut answered, mut multiple) = (0u32, false);
        for row in rows {
            let cell = row.get(c).map_or("", |s| s.trim());
            if cell.is_empty() {
                continue;
            }
            answered += 1;
            let answers: Vec<&str> = cell
                .split(';')
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .collect();
            multiple |= answers.len() > 1;
            for answer in answers {
                match options
                    .iter_mut()
                    .find(|o| o.label.eq_ignore_ascii_case(answer))
                {
                    Some(option) => option.count = Some(option.count.unwrap_or(0) + 1),
                    None => options.push(OptionResult {
                        label: answer.to_owned(),
                        percent: None,
                        count: Some(1),
                    }),
                }
            }
        }
        questions.push(Question {
            number: (questions.len() + 1).to_string(),
            topic: String::new(),
            text: header.trim().to_owned(),
            multiple,
            answered: Some(answered),
            notes: String::new(),
            options,
        });
    }
    Ok((respondents, questions))
}

/// Reads published results laid out a row per answer: Question, Answer, and Percent or
/// Count (the layout a results table is typed in). Rows are (line, question, answer,
/// percent, count) cells as written.
pub fn published(
    rows: &[(usize, String, String, String, String)],
) -> Result<Vec<Question>, Vec<(usize, String)>> {
    let mut problems = Vec::new();
    let mut questions: Vec<Question> = Vec::new();
    for (line, question, answer, percent, count) in rows {
        let percent_value = match percent.trim().trim_end_matches('%').trim() {
            "" => None,
            text => match text.parse::<f64>() {
                Ok(v) if (0.0..=100.0).contains(&v) => Some(v),
                _ => {
                    problems.push((
                        *line,
                        format!("Percent \"{percent}\" is not a percentage from 0 to 100"),
                    ));
                    None
                }
            },
        };
        let count_value = match count.trim().replace(',', "").as_str() {
            "" => None,
            text => match text.parse::<u32>() {
                Ok(v) => Some(v),
                Err(_) => {
                    problems.push((*line, format!("Count \"{count}\" is not a whole number")));
                    None
                }
            },
        };
        if question.trim().is_empty() || answer.trim().is_empty() {
            problems.push((*line, "Each row needs a question and an answer".to_owned()));
            continue;
        }
        if percent.trim().is_empty() && count.trim().is_empty() {
            problems.push((
                *line,
                format!("\"{}\" needs a percent or a count", answer.trim()),
            ));
        }
        let option = OptionResult {
            label: answer.trim().to_owned(),
            percent: percent_value,
            count: count_value,
        };
        match questions.iter_mut().find(|q| q.text == question.trim()) {
            Some(q) => {
                if q.options
                    .iter()
                    .any(|o| o.label.eq_ignore_ascii_case(&option.label))
                {
                    problems.push((
                        *line,
                        format!("\"{}\" is listed twice for this question", option.label),
                    ));
                }
                q.options.push(option);
            }
            None => questions.push(Question {
                number: (questions.len() + 1).to_string(),
                topic: String::new(),
                text: question.trim().to_owned(),
                multiple: false,
                answered: None,
                notes: String::new(),
                options: vec![option],
            }),
        }
    }
    for q in &mut questions {
        let total: f64 = q.options.iter().filter_map(|o| o.percent).sum();
        // Shares well over 100% can only mean people chose more than one answer.
        q.multiple = total > 100.0 + q.options.len() as f64 * 0.5;
    }
    if problems.is_empty() {
        Ok(questions)
    } else {
        Err(problems)
    }
}

/// The same question in an earlier survey of the series (matched by its wording, ignoring
/// case and spacing), for year-on-year comparison.
pub fn earlier_question<'a>(question: &Question, earlier: &'a SurveyInput) -> Option<&'a Question> {
    let key = |t: &str| {
        t.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    earlier
        .questions
        .iter()
        .find(|q| key(&q.text) == key(&question.text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| (*c).to_owned()).collect()
    }

    #[test]
    fn responses_are_tallied_into_shares_of_those_who_answered() {
        let headers = row(&["How supported do you feel?", "What would help?"]);
        let rows = vec![
            row(&["Very supported", "A keyworker; One stop hub"]),
            row(&["Not supported at all", "One stop hub"]),
            row(&["not supported at all", ""]),
            row(&["", "A keyworker"]),
        ];
        let (respondents, questions) = tally(&headers, &rows).expect("tallied");
        assert_eq!(respondents, 4);
        let support = &questions[0];
        assert_eq!(support.answered, Some(3));
        assert!(!support.multiple);
        assert_eq!(
            support.options[1].count,
            Some(2),
            "answers match ignoring case"
        );
        let share = support
            .share(&support.options[1], Some(respondents))
            .expect("share");
        assert!((share - 66.666).abs() < 0.01);
        assert_eq!(format_share(share), "66.7%");
        assert!(
            questions[1].multiple,
            "a cell with two answers makes it multiple choice"
        );
        assert_eq!(questions[1].options[0].count, Some(2));
    }

    #[test]
    fn published_percentages_display_exactly_and_impossible_ones_are_refused() {
        let q = Question {
            number: "1".into(),
            topic: "Support".into(),
            text: "How supported do you feel by the local authority?".into(),
            multiple: false,
            answered: None,
            notes: String::new(),
            options: vec![
                OptionResult {
                    label: "Very supported".into(),
                    percent: Some(4.0),
                    count: None,
                },
                OptionResult {
                    label: "Not supported".into(),
                    percent: Some(35.0),
                    count: None,
                },
            ],
        };
        assert_eq!(
            format_share(q.share(&q.options[1], Some(245)).expect("share")),
            "35%"
        );
        let mut survey = SurveyInput {
            title: "Voice 4 Parents annual survey 2021".into(),
            series: "Voice 4 Parents annual survey".into(),
            run_by: "Voice 4 Parents".into(),
            audience: String::new(),
            period: "2021".into(),
            respondents: Some(245),
            quotes: vec![],
            questions: vec![q],
        };
        assert!(survey.problems().is_empty());
        survey.questions[0].options[0].percent = Some(140.0);
        survey.questions[0].options[1].percent = None;
        survey.questions[0].options[1].count = Some(300);
        let problems = survey.problems();
        assert!(problems
            .iter()
            .any(|(_, m)| m.contains("between 0 and 100")));
        assert!(problems
            .iter()
            .any(|(_, m)| m.contains("300 answered it but only 245")));
        assert!(problems.iter().any(|(_, m)| m.contains("add up to")));
    }

    #[test]
    fn published_rows_group_into_questions_and_multiple_choice_is_recognised() {
        let r = |line, q: &str, a: &str, p: &str| {
            (
                line,
                q.to_owned(),
                a.to_owned(),
                p.to_owned(),
                String::new(),
            )
        };
        let questions = published(&[
            r(2, "What would help?", "A keyworker", "56%"),
            r(3, "What would help?", "One stop hub", "65"),
            r(4, "How supported?", "Very", "4"),
        ])
        .expect("read");
        assert_eq!(questions.len(), 2);
        assert!(
            questions[0].multiple,
            "121% in all: more than one answer each"
        );
        assert!(!questions[1].multiple);
        let problems =
            published(&[r(2, "Q", "A", "lots"), r(3, "Q", "A", "")]).expect_err("refused");
        assert_eq!(
            problems.iter().map(|(l, _)| *l).collect::<Vec<_>>(),
            vec![2, 3, 3]
        );
    }

    #[test]
    fn questions_are_matched_across_years_by_their_wording() {
        let question = |text: &str| Question {
            number: "1".into(),
            topic: String::new(),
            text: text.into(),
            multiple: false,
            answered: None,
            notes: String::new(),
            options: vec![],
        };
        let earlier = SurveyInput {
            title: "2020".into(),
            series: "s".into(),
            run_by: String::new(),
            audience: String::new(),
            period: "2020".into(),
            respondents: None,
            quotes: vec![],
            questions: vec![question("How  supported do you feel?")],
        };
        assert!(earlier_question(&question("how supported do you feel?"), &earlier).is_some());
        assert!(earlier_question(&question("Something else"), &earlier).is_none());
    }
}
