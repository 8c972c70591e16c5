//! Golden tests: every file in `test-data/invalid/` yields located diagnostics, pinned by
//! insta snapshots of exactly what users see (colour off).

use skyform_spec::{SourceFile, diag};
use std::path::Path;

fn render(path: &Path) -> String {
    let text = std::fs::read_to_string(path).expect("fixture is readable");
    let name = format!("invalid/{}", path.file_name().and_then(|n| n.to_str()).unwrap_or("?"));
    let source = SourceFile::new(name, text.clone());
    match skyform_model::compile(&text) {
        Ok(_) => String::from("(no diagnostics: the fixture is valid)\n"),
        Err(diags) => diag::render_all(&diags, &source, false),
    }
}

#[test]
fn invalid_platform_files() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("test-data/invalid");
    let mut files: Vec<_> =
        std::fs::read_dir(&dir).expect("fixture dir").filter_map(Result::ok).map(|e| e.path()).collect();
    files.sort();
    assert!(files.len() >= 25, "the corpus must hold at least 25 cases");
    for file in files {
        let out = render(&file);
        assert!(out.contains("error["), "{} produced no error:\n{out}", file.display());
        assert!(out.contains("-->"), "{} produced an unlocated error", file.display());
        let name = file.file_stem().and_then(|n| n.to_str()).unwrap_or("x").to_string();
        insta::with_settings!({ snapshot_suffix => name, prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!("invalid", out);
        });
    }
}

#[test]
fn examples_are_valid() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    for ex in ["health-platform", "resimate"] {
        let text = std::fs::read_to_string(root.join(ex).join("platform.yaml")).expect("example exists");
        let model = skyform_model::compile(&text).unwrap_or_else(|d| panic!("{ex}: {d:#?}"));
        assert_eq!(model.environment_names(), ["dev", "staging", "production"], "{ex}");
    }
}

#[test]
fn every_error_is_collected_in_one_run() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("test-data/invalid");
    let text = std::fs::read_to_string(dir.join("many-errors-at-once.yaml")).expect("fixture");
    let diags = skyform_model::compile(&text).expect_err("invalid");
    let errors = diags.iter().filter(|d| d.severity == skyform_spec::Severity::Error).count();
    assert!(errors >= 5, "expected every error at once, got {errors}: {diags:#?}");
}

/// One mistake of every kind in one file: structural ones (unknown key, wrong type, bad
/// enum value, out of range, missing key) do not stop lowering of what parsed, so the
/// semantic ones (bad quantity, reversed range, unknown service, bad cron) come in the
/// same run, sorted by location, and nothing is reported twice.
#[test]
fn every_kind_of_mistake_is_reported_in_one_run() {
    use skyform_spec::Code;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("test-data/invalid");
    let text = std::fs::read_to_string(dir.join("every-kind-of-mistake.yaml")).expect("fixture");
    let diags = skyform_model::compile(&text).expect_err("invalid");
    let errors: Vec<_> = diags.iter().filter(|d| d.severity == skyform_spec::Severity::Error).collect();
    let codes: Vec<Code> = errors.iter().map(|d| d.code).collect();
    for code in [
        Code::UnknownKey,
        Code::WrongType,
        Code::UnknownValue,
        Code::OutOfRange,
        Code::MissingKey,
        Code::BadQuantity,
        Code::BadReplicas,
        Code::UnknownService,
        Code::InvalidValue,
    ] {
        assert!(codes.contains(&code), "no {code:?} in {codes:?}");
    }
    assert_eq!(errors.len(), 13, "{errors:#?}");
    let at: Vec<(u32, u32)> = diags.iter().map(|d| (d.line, d.column)).collect();
    let mut sorted = at.clone();
    sorted.sort_unstable();
    assert_eq!(at, sorted, "sorted by location");
    // The pruned `component: postgress` does not also make `db` lack an image, and the
    // unknown key does not hide the quantity next to it.
    assert!(!diags.iter().any(|d| d.message.contains("has no `image`")), "{diags:#?}");
    assert!(diags.iter().any(|d| d.message.contains("unknown key `replicass`")));
    assert!(diags.iter().any(|d| d.message.contains("`250mm`")));
}

/// A required value of the wrong type is kept empty rather than dropping its parent, so
/// the rest of the file is still lowered; the empty value's own echo is not reported.
#[test]
fn a_wrongly_typed_required_value_does_not_stop_lowering() {
    let text = "apiVersion: skyform.dev/v1alpha1\nkind: Platform\nmetadata: { name: [demo] }\nspec:\n  domain: 7\n  \
                tiers: [api]\n  services:\n    web: { tier: api, image: \"nginx:1.27\", ports: [8080], replicas: \"5..2\" }\n";
    let diags = skyform_model::compile(text).expect_err("invalid");
    let errors: Vec<_> = diags.iter().filter(|d| d.severity == skyform_spec::Severity::Error).collect();
    let found: Vec<(u32, skyform_spec::Code)> = errors.iter().map(|d| (d.line, d.code)).collect();
    use skyform_spec::Code::{BadReplicas, WrongType};
    assert_eq!(found, [(3, WrongType), (5, WrongType), (8, BadReplicas)], "{errors:#?}");
}

/// A service dropped for a structural problem is reported once: its dependents and an
/// environment's override of it do not add "does not exist" errors.
#[test]
fn a_dropped_service_is_not_reported_again_where_it_is_referenced() {
    let text = "apiVersion: skyform.dev/v1alpha1\nkind: Platform\nmetadata: { name: demo }\nspec:\n  \
                domain: example.com\n  tiers: [api]\n  services:\n    \
                web: { tier: api, image: \"nginx:1.27\", ports: [8080], dependsOn: [db] }\n    db: 5\n  \
                environments:\n    staging:\n      services:\n        db: { replicas: 1 }\n";
    let diags = skyform_model::compile(text).expect_err("invalid");
    let errors: Vec<_> = diags.iter().filter(|d| d.severity == skyform_spec::Severity::Error).collect();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!((errors[0].line, errors[0].code), (9, skyform_spec::Code::WrongType));
}
