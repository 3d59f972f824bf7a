//! The audit log in words: each entry's record before and after (stored as JSON) turned
//! into the fields that changed, each with its old and new value, as a person reads them.
//! Fields come in alphabetical order (as serde_json keeps them). Pure, so it is
//! unit-tested here.

use serde_json::Value;

/// One field that an audited change altered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    /// "Completion date", from `completion_date`.
    pub field: String,
    /// Empty where the field was not set (or the record is new).
    pub before: String,
    /// Empty where the field was cleared (or the record was removed).
    pub after: String,
}

/// Fields that are the record's bookkeeping, not what anyone changed.
const BOOKKEEPING: [&str; 5] = [
    "id",
    "partnership_id",
    "version",
    "created_at",
    "updated_at",
];

/// The fields that differ between `before` and `after` (either may be absent: a record
/// created or removed). Text that is not a JSON object is one field, "Record".
pub fn field_changes(before: Option<&str>, after: Option<&str>) -> Vec<FieldChange> {
    let read = |text: Option<&str>| {
        text.map(|t| {
            serde_json::from_str::<Value>(t).unwrap_or_else(|_| Value::String(t.to_owned()))
        })
    };
    let (before, after) = (read(before), read(after));
    let empty = serde_json::Map::new();
    let fields = |value: &Option<Value>| match value {
        Some(Value::Object(map)) => Some(map.clone()),
        None => Some(empty.clone()),
        Some(_) => None,
    };
    let (Some(old), Some(new)) = (fields(&before), fields(&after)) else {
        let text = |v: &Option<Value>| v.as_ref().map_or(String::new(), words);
        return vec![FieldChange {
            field: "Record".to_owned(),
            before: text(&before),
            after: text(&after),
        }];
    };
    let mut keys: Vec<&String> = new.keys().collect();
    keys.extend(old.keys().filter(|k| !new.contains_key(*k)));
    keys.into_iter()
        .filter(|k| !BOOKKEEPING.contains(&k.as_str()))
        .filter_map(|key| {
            let was = old.get(key).map_or(String::new(), words);
            let now = new.get(key).map_or(String::new(), words);
            (was != now).then(|| FieldChange {
                field: field_name(key),
                before: was,
                after: now,
            })
        })
        .collect()
}

/// "completion_date" as "Completion date".
fn field_name(key: &str) -> String {
    let spaced = key.replace('_', " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A JSON value as words: text as it is, yes/no, lists joined, nested records as
/// "Field: value" pairs.
fn words(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::Bool(true) => "Yes".to_owned(),
        Value::Bool(false) => "No".to_owned(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .map(words)
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join("; "),
        Value::Object(map) => map
            .iter()
            .filter(|(k, _)| !BOOKKEEPING.contains(&k.as_str()))
            .map(|(k, v)| (field_name(k), words(v)))
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}: {v}"))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// The page of the record an entry is about, for the kinds of record that have one.
pub fn record_href(base: &str, entity: &str, id: i64) -> Option<String> {
    let path = match entity {
        "action" => format!("actions/{id}"),
        "plan" => format!("plans/{id}"),
        "measure" => format!("measures/{id}"),
        "inspection" => format!("inspections/{id}"),
        "area" => format!("areas/{id}/edit"),
        "finding" => format!("findings/{id}/edit"),
        "intervention" => format!("interventions/{id}/edit"),
        "person" => format!("people/{id}/edit"),
        "organisation" => format!("organisations/{id}/edit"),
        "board" => format!("boards/{id}/edit"),
        "issued_report" => format!("reports/{id}"),
        "local_offer_feedback" => format!("local-offer/feedback/{id}"),
        _ => return None,
    };
    Some(format!("{base}/{path}"))
}

/// The kind of record as people call it: "issued_report" as "Issued report".
pub fn record_kind(entity: &str) -> String {
    field_name(entity)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_edit_is_the_fields_it_changed_with_their_old_and_new_values() {
        let before = r#"{"id":7,"version":3,"description":"Publish the toolkit","completion_date":"2022-03-31","leads":[1,2],"done":false}"#;
        let after = r#"{"id":7,"version":4,"description":"Publish the toolkit","completion_date":"2022-06-30","leads":[1],"done":true}"#;
        assert_eq!(
            field_changes(Some(before), Some(after)),
            vec![
                FieldChange {
                    field: "Completion date".to_owned(),
                    before: "2022-03-31".to_owned(),
                    after: "2022-06-30".to_owned()
                },
                FieldChange {
                    field: "Done".to_owned(),
                    before: "No".to_owned(),
                    after: "Yes".to_owned()
                },
                FieldChange {
                    field: "Leads".to_owned(),
                    before: "1; 2".to_owned(),
                    after: "1".to_owned()
                },
            ]
        );
    }

    #[test]
    fn a_new_record_is_every_field_it_was_given_and_a_removed_one_every_field_it_had() {
        let record = r#"{"id":1,"name":"SEND Board","chair":null,"purpose":""}"#;
        let created = field_changes(None, Some(record));
        assert_eq!(
            created,
            vec![FieldChange {
                field: "Name".to_owned(),
                before: String::new(),
                after: "SEND Board".to_owned()
            }]
        );
        let removed = field_changes(Some(record), None);
        assert_eq!(removed[0].before, "SEND Board");
        assert_eq!(removed[0].after, "");
    }

    #[test]
    fn nested_records_and_text_that_is_not_json_are_still_words() {
        let changes = field_changes(
            Some(r#"{"rating":{"id":3,"label":"Amber","class":"some_concerns"}}"#),
            Some(r#"{"rating":{"id":4,"label":"Green","class":"on_track"}}"#),
        );
        assert_eq!(changes[0].before, "Class: some_concerns, Label: Amber");
        assert_eq!(
            field_changes(None, Some("not json")),
            vec![FieldChange {
                field: "Record".to_owned(),
                before: String::new(),
                after: "not json".to_owned()
            }]
        );
    }

    #[test]
    fn each_kind_of_record_with_a_page_is_linked() {
        assert_eq!(
            record_href("/p/1", "action", 9).as_deref(),
            Some("/p/1/actions/9")
        );
        assert_eq!(record_href("/p/1", "sign_in", 9), None);
        assert_eq!(record_kind("issued_report"), "Issued report");
    }
}
