//! A chart of thousands of services is still one Helm accepts: no chart file reaches
//! Helm's 5 MiB limit (`values.schema.json` shares every repeated part through
//! `definitions`, the values table moves to an ignored `VALUES.md`), and every `$ref` of
//! the schema resolves.

mod common;

use serde_json::Value;

/// Helm's limit on one file of a chart (`MaxDecompressedFileSize`).
const HELM_FILE_LIMIT: usize = 5 << 20;

/// A platform of `n` services: four tiers, every fourth a Postgres database, the rest
/// autoscaled Deployments with two dependencies, every third exposed (the shape
/// `scripts/bench-render` generates).
fn generated(n: usize) -> String {
    let mut s = String::from(
        "apiVersion: skyform.dev/v1alpha1\nkind: Platform\nmetadata: { name: gen }\nspec:\n  domain: gen.example.com\n  kubernetesVersion: \"1.31\"\n  tiers: [t0, t1, t2, t3]\n  providers: { aws: {} }\n  services:\n",
    );
    for i in 0..n {
        s.push_str(&format!("    svc-{i}:\n      tier: t{}\n", i % 4));
        if i % 4 == 3 {
            s.push_str(
                "      component: postgres\n      storage: { size: 10Gi }\n      secrets: [POSTGRES_PASSWORD]\n",
            );
        } else {
            s.push_str(&format!(
                "      image: example/svc-{i}:1.0.0\n      ports: [{{ name: http, port: 8080 }}]\n      replicas: 2..6\n      autoscale: {{ cpu: 70% }}\n      resources: {{ cpu: 100m..500m, memory: 128Mi..256Mi }}\n"
            ));
            if i % 3 == 0 {
                s.push_str(&format!("      expose: {{ host: \"s{i}.{{domain}}\" }}\n"));
            }
        }
        if let Some(d) = i.checked_sub(1) {
            s.push_str(&format!("      dependsOn: [svc-{d}]\n"));
        }
    }
    s.push_str("  environments:\n    dev: { replicas: min }\n    production: {}\n");
    s
}

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
    let rendered = common::render(&generated(2_000), "aws");
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
