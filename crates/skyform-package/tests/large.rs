//! A chart of thousands of services is still one Helm accepts: no chart file reaches
//! Helm's 5 MiB limit (`values.schema.json` shares every repeated part through
//! `definitions`, the values table moves to an ignored `VALUES.md`), and every `$ref` of
//! the schema resolves.

mod common;

use serde_json::Value;

/// Helm's limit on one file of a chart (`MaxDecompressedFileSize`).
const HELM_FILE_LIMIT: usize = 5 << 20;

#[path = "../../skyform-render/examples/support/generated.rs"]
mod generated;

fn refs<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(r)) = m.get("$ref") {
                out.push(r);
            }
            m.values().for_each(|c| refs(c, out));
        }
        Value::Array(a) => a.iter().for_each(|c| refs(c, out)),
        _ => {}
    }
}

#[test]
fn a_chart_of_two_thousand_services_has_no_file_helm_refuses() {
    let rendered = common::render(&generated::generated(2_000), "aws");
    let ignore = rendered.helm.iter().find(|f| f.path == ".helmignore").expect(".helmignore");
    let ignored: Vec<&str> = ignore.contents.lines().filter(|l| !l.starts_with('#')).collect();
    for f in &rendered.helm {
        if !ignored.contains(&f.path.as_str()) {
            assert!(f.contents.len() < HELM_FILE_LIMIT, "{}: {} bytes", f.path, f.contents.len());
        }
    }
    let table = rendered.helm.iter().find(|f| f.path == "VALUES.md").expect("the values table moved out of the README");
    assert!(ignored.contains(&"VALUES.md"));
    assert!(table.contents.contains("`t0.services.svc-1996.replicas`"));
    let readme = rendered.helm.iter().find(|f| f.path == "README.md").expect("README.md");
    assert!(readme.contents.contains("`VALUES.md`") && !readme.contents.contains("svc-1996"));

    let text = &rendered.helm.iter().find(|f| f.path == "values.schema.json").expect("schema").contents;
    assert!(text.len() < 1 << 20, "the schema grows with service shapes, not services: {} bytes", text.len());
    let schema: Value = serde_json::from_str(text).expect("JSON");
    let mut found = Vec::new();
    refs(&schema, &mut found);
    assert!(found.len() >= 2_000, "every service's schema is shared: {} refs", found.len());
    for r in found {
        let pointer = r.strip_prefix('#').unwrap_or_else(|| panic!("a local reference: {r}"));
        assert!(schema.pointer(pointer).is_some_and(Value::is_object), "{r} resolves");
    }
    // A service's schema still rejects an unknown key and types its values.
    let svc = schema.pointer("/properties/t0/properties/services/properties/svc-1996/$ref").expect("a shared schema");
    let def = schema.pointer(svc.as_str().and_then(|r| r.strip_prefix('#')).unwrap_or_default()).expect("definition");
    assert_eq!(def["additionalProperties"], Value::Bool(false));
    assert!(def.pointer("/properties/replicas").is_some(), "{def}");
}
