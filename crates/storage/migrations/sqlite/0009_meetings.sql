-- Board meetings (issue 5): when a board met about a plan, who attended, the agenda
-- (items linked to the plan actions they discuss) and the decisions and actions arising.
-- Kept in lockstep with migrations/postgres/0009_meetings.sql.

CREATE TABLE meetings (
    id INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships(id),
    board_id INTEGER NOT NULL REFERENCES boards(id),
    plan_id INTEGER NOT NULL REFERENCES plans(id),
    held_on TEXT NOT NULL,
    attendees TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX meetings_plan ON meetings(plan_id, held_on);

CREATE TABLE meeting_agenda (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meetings(id),
    position INTEGER NOT NULL,
    title TEXT NOT NULL,
    action_id INTEGER REFERENCES actions(id)
);
CREATE INDEX meeting_agenda_meeting ON meeting_agenda(meeting_id);

CREATE TABLE meeting_outcomes (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meetings(id),
    position INTEGER NOT NULL,
    is_action INTEGER NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX meeting_outcomes_meeting ON meeting_outcomes(meeting_id);
