-- Family and professional surveys (issue 4): a survey of a plan, its questions and the
-- results for each answer, as published (percent) or counted (count), and quotations.
-- Kept in lockstep with migrations/postgres/0005_surveys.sql.

CREATE TABLE surveys (
    id INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
    plan_id INTEGER NOT NULL REFERENCES plans(id),
    title TEXT NOT NULL,
    series TEXT NOT NULL,
    run_by TEXT NOT NULL,
    audience TEXT NOT NULL,
    period TEXT NOT NULL,
    respondents INTEGER,
    created_at TEXT NOT NULL
);
CREATE INDEX surveys_partnership ON surveys(partnership_id, series);

CREATE TABLE survey_quotes (
    id INTEGER PRIMARY KEY,
    survey_id INTEGER NOT NULL REFERENCES surveys(id),
    position INTEGER NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX survey_quotes_survey ON survey_quotes(survey_id);

CREATE TABLE survey_questions (
    id INTEGER PRIMARY KEY,
    survey_id INTEGER NOT NULL REFERENCES surveys(id),
    position INTEGER NOT NULL,
    number TEXT NOT NULL,
    topic TEXT NOT NULL,
    text TEXT NOT NULL,
    multiple INTEGER NOT NULL,
    answered INTEGER,
    notes TEXT NOT NULL
);
CREATE INDEX survey_questions_survey ON survey_questions(survey_id);

CREATE TABLE survey_options (
    id INTEGER PRIMARY KEY,
    question_id INTEGER NOT NULL REFERENCES survey_questions(id),
    position INTEGER NOT NULL,
    label TEXT NOT NULL,
    percent REAL,
    count INTEGER
);
CREATE INDEX survey_options_question ON survey_options(question_id);
