//! Each record of a feed checked against the ORUK JSON Schemas vendored in `oruk_spec/`
//! (unmodified, with their licences). The schemas are compiled once; no schema is ever
//! fetched from the network.

use jsonschema::Validator;
use serde_json::Value;
use std::sync::OnceLock;

const SERVICE_3: &str = include_str!("../../oruk_spec/compiled/service.json");
const SERVICE_1: &str = include_str!("../../oruk_spec/openapi_1.0/schema/service.json");

fn compile(text: &str) -> Validator {
    let schema: Value = serde_json::from_str(text).expect("the vendored schema is JSON");
    jsonschema::validator_for(&schema).expect("the vendored schema compiles")
}

/// The ORUK 3.0 service schema.
pub fn service_v3() -> &'static Validator {
    static V: OnceLock<Validator> = OnceLock::new();
    V.get_or_init(|| compile(SERVICE_3))
}

/// The ORUK 1.0 service schema.
pub fn service_v1() -> &'static Validator {
    static V: OnceLock<Validator> = OnceLock::new();
    V.get_or_init(|| compile(SERVICE_1))
}

/// Why `record` fails `validator`, each as "field: what is wrong", at most `most`.
pub fn problems(validator: &Validator, record: &Value, most: usize) -> Vec<String> {
    validator
        .iter_errors(record)
        .take(most)
        .map(|error| {
            let path = error
                .instance_path()
                .as_str()
                .trim_start_matches('/')
                .replace('/', ".");
            let field = if path.is_empty() {
                "the record"
            } else {
                path.as_str()
            };
            format!("{field}: {}", shorten(&error.to_string()))
        })
        .collect()
}

/// A schema's message with the offending value cut short: a whole description quoted
/// back helps nobody.
fn shorten(message: &str) -> String {
    const MOST: usize = 160;
    if message.chars().count() <= MOST {
        return message.to_owned();
    }
    let cut: String = message.chars().take(MOST).collect();
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_vendored_schemas_compile_and_name_what_is_missing() {
        let ok = json!({"id": "a", "name": "Saturday club", "status": "active"});
        assert!(service_v3().is_valid(&ok));
        let bad = json!({"id": "a", "status": "open"});
        let found = problems(service_v3(), &bad, 10);
        assert!(found.iter().any(|p| p.contains("name")), "{found:?}");
        assert!(found.iter().any(|p| p.starts_with("status:")), "{found:?}");
        assert!(service_v1().is_valid(&json!({"id": "a", "name": "b", "organization": {"id": "0f0e8c9a-1111-4222-8333-444455556666", "name": "o", "description": "d"}})));
    }
}
