//! The checked-in JSON Schema (`schema/platform.schema.json`) must equal what the types
//! generate, so editors never complete against a stale schema.

#[test]
fn checked_in_schema_is_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schema/platform.schema.json");
    let generated = skyform_spec::schema::platform_schema_text();
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == generated,
        "schema/platform.schema.json is stale; regenerate it with `cargo run -p skyform -- schema --out schema/platform.schema.json`"
    );
}

#[test]
fn schema_describes_services_and_rejects_unknown_keys() {
    let schema = skyform_spec::schema::platform_schema();
    let service = &schema["$defs"]["ServiceSpec"];
    assert_eq!(service["additionalProperties"], serde_json::Value::Bool(false));
    assert!(service["properties"]["dependsOn"].is_object());
}

#[test]
fn loader_checks_against_the_generated_schema() {
    // The loader reads the checked-in text; it must be the very schema the types make.
    assert_eq!(skyform_spec::schema::checked_in_platform_schema(), skyform_spec::schema::platform_schema());
}
