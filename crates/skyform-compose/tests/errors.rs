//! Bad compose files get located errors (file:line:column, excerpt, hint), never panics.

mod common;

use common::{crate_dir, import_dir};

fn errors(file: &str) -> String {
    let dir = crate_dir().join("test-data/errors");
    match import_dir(&dir, &[file], &[]) {
        Ok(_) => panic!("{file} imported without errors"),
        Err(f) => f.render(false),
    }
}

#[test]
fn yaml_syntax() {
    insta::assert_snapshot!(errors("yaml-syntax.yml"));
}

#[test]
fn unknown_key_with_suggestion() {
    insta::assert_snapshot!(errors("unknown-key.yml"));
}

#[test]
fn wrong_type() {
    insta::assert_snapshot!(errors("wrong-type.yml"));
}

#[test]
fn interpolation_errors() {
    insta::assert_snapshot!(errors("interpolation.yml"));
}

#[test]
fn bad_ports_resources_and_missing_image() {
    insta::assert_snapshot!(errors("bad-port.yml"));
}

#[test]
fn extends_cycle_and_unknown_base() {
    insta::assert_snapshot!(errors("extends-cycle.yml"));
}

#[test]
fn depends_on_cycle_is_located() {
    insta::assert_snapshot!(errors("depends-cycle.yml"));
}

#[test]
fn unparsable_image_references() {
    insta::assert_snapshot!(errors("bad-image.yml"));
}

#[test]
fn billion_laughs_is_stopped() {
    let started = std::time::Instant::now();
    let rendered = errors("billion-laughs.yml");
    assert!(started.elapsed().as_secs() < 30, "alias expansion was not bounded");
    insta::assert_snapshot!(rendered);
}
