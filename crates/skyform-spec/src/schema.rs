//! The JSON Schema of the platform file, generated from [`crate::raw`].

use serde_json::Value;

/// The schema as JSON (draft 2020-12), with a stable `$id` and title.
pub fn platform_schema() -> Value {
    let schema = schemars::schema_for!(crate::raw::Platform);
    let mut value = schema.to_value();
    if let Some(obj) = value.as_object_mut() {
        obj.insert("$id".into(), Value::String("https://skyform.dev/schemas/platform-v1alpha1.json".into()));
        obj.insert("title".into(), Value::String("skyform Platform (skyform.dev/v1alpha1)".into()));
    }
    value
}

/// The schema as checked into the repository (`schema/platform.schema.json`), which
/// `tests/schema_sync.rs` keeps equal to [`platform_schema_text`]: what the loader checks
/// files against. Parsing the text costs a fraction of generating the schema from the
/// types, and the loader runs on every command.
pub fn checked_in_platform_schema() -> Value {
    serde_json::from_str(include_str!("../../../schema/platform.schema.json"))
        .unwrap_or_else(|e| unreachable!("the checked-in schema is JSON (tests/schema_sync.rs): {e}"))
}

/// The schema pretty-printed with a trailing newline, as checked into the repository.
pub fn platform_schema_text() -> String {
    let mut text = serde_json::to_string_pretty(&platform_schema()).unwrap_or_default();
    text.push('\n');
    text
}
