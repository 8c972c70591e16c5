//! Every stack under `test-data/stacks/` imports, renders for every environment it
//! declares on two providers, and the rendered manifests pass `skyform check` with no
//! error-level finding, plus what a running system needs and a linter may not ask:
//! Services have ports, every dependency edge is admitted by NetworkPolicies on both
//! sides, and no value of a secret `.env` variable appears anywhere (canary).

mod common;

use common::{assert_compiles, crate_dir, dotenv, import_dir};
use skyform_model::ProviderName;
use std::path::Path;

const STACKS: &[(&str, &[&str], &[&str])] = &[
    ("no-ports", &["docker-compose.yml"], &[]),
    ("volumes", &["docker-compose.yml"], &[]),
    ("migrations", &["docker-compose.yml"], &[]),
    ("anchors", &["docker-compose.yml"], &["flower"]),
    ("secrets", &["docker-compose.yml"], &[]),
    ("frontends", &["docker-compose.yml"], &[]),
    ("shop", &["docker-compose.yml"], &[]),
    ("webapp", &["docker-compose.yml"], &[]),
    ("queue-pipeline", &["docker-compose.yml"], &[]),
    ("identity", &["docker-compose.yml"], &[]),
    ("monitoring", &["docker-compose.yml"], &[]),
    ("profiles", &["docker-compose.yml", "docker-compose.override.yml"], &["dev"]),
];

/// Values of secret-looking `.env` variables (at least 8 characters, so that the check
/// stays meaningful).
fn canaries(dir: &Path) -> Vec<(String, String)> {
    dotenv(dir)
        .into_iter()
        .filter(|(k, v)| {
            let k = k.to_ascii_uppercase();
            (k.contains("PASSWORD") || k.contains("SECRET") || k.contains("KEY") || k.contains("TOKEN")) && v.len() >= 8
        })
        .collect()
}

fn yaml_of(objects: &[skyform_render::Object]) -> Vec<(String, String)> {
    skyform_render::output::files(objects).into_iter().map(|f| (f.path, f.contents)).collect()
}

#[test]
fn stacks_render_and_pass_the_checks_in_every_environment() {
    let mut failures = Vec::new();
    for (name, files, profiles) in STACKS {
        let dir = crate_dir().join("test-data/stacks").join(name);
        let import = match import_dir(&dir, files, profiles) {
            Ok(i) => i,
            Err(f) => panic!("{name} failed to import:\n{}", f.render(false)),
        };
        let model = assert_compiles(name, &import.platform_yaml);
        let names: Vec<&str> = model.environment_names();
        assert_eq!(names, ["dev", "staging", "production"], "{name}: environments");
        let secrets = canaries(&dir);
        for (var, value) in &secrets {
            assert!(!import.platform_yaml.contains(value.as_str()), "{name}: `{var}` copied into the platform file");
            assert!(!import.report.render().contains(value.as_str()), "{name}: `{var}` copied into the report");
        }
        for env in &model.environments {
            for provider in [ProviderName::Aws, ProviderName::Hetzner] {
                // The one object set `skyform render` writes.
                let objects = skyform_addons::platform_objects(&model, env, provider);
                let files = yaml_of(&objects);
                let options =
                    skyform_check::Options { production: Some(env.production), ..skyform_check::Options::default() };
                let report = skyform_check::check(&files, &options);
                for f in report.findings.iter().filter(|f| f.severity == skyform_check::Severity::Error) {
                    failures.push(format!("{name} {} {provider:?}: {} {}: {}", env.name, f.rule, f.file, f.message));
                }
                for (path, text) in &files {
                    for (var, value) in &secrets {
                        assert!(!text.contains(value.as_str()), "{name} {}: `{var}` in {path}", env.name);
                    }
                    if text.contains("kind: Service\n") && text.contains("type: ClusterIP") {
                        assert!(text.contains("ports:"), "{name} {}: a Service without ports in {path}", env.name);
                    }
                    assert!(
                        !text.contains("- \"true\"\n") || !text.contains("exec:"),
                        "{name}: exec true probe in {path}"
                    );
                }
                // Every dependency of the model is admitted on both sides.
                for s in &env.services {
                    for d in &s.depends_on {
                        let Some(t) = env.service(&d.service) else { continue };
                        if t.is_managed_on(provider) {
                            continue;
                        }
                        let policy = files
                            .iter()
                            .find(|(p, _)| *p == format!("{}/networkpolicy-allow-{}.yaml", t.namespace, t.name))
                            .map(|(_, text)| text.clone())
                            .unwrap_or_default();
                        assert!(
                            policy.contains(&s.name),
                            "{name} {}: `{}` → `{}` has no ingress rule in allow-{}",
                            env.name,
                            s.name,
                            t.name,
                            t.name
                        );
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "error-level findings:\n{}", failures.join("\n"));
}

/// The canary: the `secrets` stack feeds `.env` secrets into commands, health checks,
/// connection strings and labels. Their values reach no output (platform file, report,
/// rendered manifests of every environment), and they are referenced instead.
#[test]
fn dotenv_secret_canaries_reach_no_output() {
    let dir = crate_dir().join("test-data/stacks/secrets");
    let compose = std::fs::read_to_string(dir.join("docker-compose.yml")).expect("stack");
    let secrets = canaries(&dir);
    assert!(secrets.len() >= 4, "the canary needs secrets in `.env`");
    for (var, _) in &secrets {
        let used = compose.contains(&format!("${{{var}}}")) || compose.contains(&format!("environment: {var}"));
        assert!(used, "`{var}` is not used by the stack; the canary proves nothing");
    }
    let import = import_dir(&dir, &["docker-compose.yml"], &[]).unwrap_or_else(|f| panic!("{}", f.render(false)));
    // Referenced where they were used: commands (`$(VAR)`), probes (`${VAR}`), secrets.
    assert!(import.platform_yaml.contains("$(REDIS_PASSWORD)"), "{}", import.platform_yaml);
    assert!(import.platform_yaml.contains("$(JWT_SECRET)"), "{}", import.platform_yaml);
    assert!(import.platform_yaml.contains("${REDIS_PASSWORD}"), "{}", import.platform_yaml);
    let model = assert_compiles("secrets", &import.platform_yaml);
    let mut outputs =
        vec![("platform.yaml".to_string(), import.platform_yaml.clone()), ("report".into(), import.report.render())];
    for env in &model.environments {
        let objects = skyform_addons::platform_objects(&model, env, ProviderName::Aws);
        outputs.extend(yaml_of(&objects).into_iter().map(|(p, t)| (format!("{}/{p}", env.name), t)));
    }
    for (path, text) in &outputs {
        for (var, value) in &secrets {
            assert!(!text.contains(value.as_str()), "the value of `{var}` leaked into {path}");
        }
    }
}
