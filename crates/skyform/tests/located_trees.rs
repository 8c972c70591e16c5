//! The YAML writer's located trees are the parser's: for both examples, every environment
//! and every declared provider, each file `render` writes comes with the
//! `skyform_yaml::Node` tree that `skyform_yaml::parse_stream` returns for its text (same
//! values, same spans), and `skyform check` of those trees reports exactly what it reports
//! for the texts. The render gate checks the writer's trees instead of parsing its output.

use skyform_render::output::{files, located_files};

const HEALTH: &str = include_str!("../../../examples/health-platform/platform.yaml");
const RESIMATE: &str = include_str!("../../../examples/resimate/platform.yaml");

#[test]
fn writer_trees_equal_the_parse_of_the_written_text() {
    let mut combinations = 0;
    for (name, text) in [("health-platform", HEALTH), ("resimate", RESIMATE)] {
        let model = skyform_model::compile(text).unwrap_or_else(|d| panic!("{name} does not compile: {d:#?}"));
        for env in &model.environments {
            for provider in model.providers.iter().map(|p| p.name) {
                combinations += 1;
                let objects = skyform_addons::platform_objects(&model, env, provider);
                let located = located_files(&objects);
                let plain = files(&objects);
                assert_eq!(located.len(), plain.len());
                assert!(!located.is_empty());
                for ((file, tree), written) in located.iter().zip(&plain) {
                    assert_eq!(file, written, "{name}/{}: the text differs from `files`", env.name);
                    let parsed = skyform_yaml::parse_stream(&file.contents)
                        .unwrap_or_else(|e| panic!("{name}/{}/{}: {e}", env.name, file.path));
                    assert_eq!(parsed.len(), 1, "{}", file.path);
                    assert_eq!(&parsed[0], tree, "{name}/{}/{:?}/{}", env.name, provider, file.path);
                }
                let options =
                    skyform_check::Options { production: Some(env.production), ..skyform_check::Options::default() };
                let inputs: Vec<(&str, &str)> =
                    located.iter().map(|(f, _)| (f.path.as_str(), f.contents.as_str())).collect();
                let from_text = skyform_check::check(&inputs, &options);
                let from_trees = skyform_check::check_parsed(
                    located
                        .iter()
                        .map(|(f, t)| skyform_check::ParsedFile { name: &f.path, documents: vec![t.clone()] })
                        .collect(),
                    &options,
                );
                assert_eq!(from_text.findings, from_trees.findings, "{name}/{}/{provider:?}", env.name);
                assert_eq!(from_text.objects, from_trees.objects);
                assert_eq!(from_text.skipped_documents, from_trees.skipped_documents);
                assert!(from_text.errors.is_empty() && from_trees.errors.is_empty());
            }
        }
    }
    assert!(combinations >= 6, "{combinations}");
}
