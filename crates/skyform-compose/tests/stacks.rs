//! The compose stacks under `test-data/stacks/` import into platform files that compile
//! with zero errors; the import report and the generated file are snapshots.

mod common;

use common::{assert_compiles, crate_dir, import_dir};

fn stack(name: &str, files: &[&str], profiles: &[&str]) {
    let snap = if profiles.is_empty() { name.to_string() } else { format!("{name}-{}", profiles.join("-")) };
    let dir = crate_dir().join("test-data/stacks").join(name);
    let import = match import_dir(&dir, files, profiles) {
        Ok(i) => i,
        Err(f) => panic!("{name} failed to import:\n{}", f.render(false)),
    };
    assert_compiles(name, &import.platform_yaml);
    // Deterministic: the same input gives the same bytes.
    let again = import_dir(&dir, files, profiles).map(|i| i.platform_yaml).unwrap_or_default();
    assert_eq!(import.platform_yaml, again, "{name}: import is not deterministic");
    // No secret value from the stack reaches the output.
    for leaked in
        ["change-me-please", "0123456789abcdef", "fedcba9876543210", "from-dotenv", "dotenv-secret", "changeme"]
    {
        assert!(
            !import.platform_yaml.contains(leaked),
            "{name}: secret value `{leaked}` copied into the platform file"
        );
    }
    insta::assert_snapshot!(format!("{snap}_report"), import.report.render());
    insta::assert_snapshot!(format!("{snap}_platform"), import.platform_yaml);
}

#[test]
fn no_declared_ports() {
    stack("no-ports", &["docker-compose.yml"], &[]);
}

#[test]
fn many_and_shared_volumes() {
    stack("volumes", &["docker-compose.yml"], &[]);
}

#[test]
fn one_shot_migrators() {
    stack("migrations", &["docker-compose.yml"], &[]);
}

#[test]
fn anchors_aliases_and_interpolated_types() {
    stack("anchors", &["docker-compose.yml"], &[]);
}

#[test]
fn anchors_with_a_profile() {
    stack("anchors", &["docker-compose.yml"], &["flower"]);
}

#[test]
fn dotenv_secrets_in_commands_and_healthchecks() {
    stack("secrets", &["docker-compose.yml"], &[]);
}

#[test]
fn grpc_and_tcp_frontends() {
    stack("frontends", &["docker-compose.yml"], &[]);
}

#[test]
fn shop_with_thirty_four_services() {
    stack("shop", &["docker-compose.yml"], &[]);
}

#[test]
fn webapp_worker_postgres_redis_minio_nginx() {
    stack("webapp", &["docker-compose.yml"], &[]);
}

#[test]
fn message_queue_pipeline() {
    stack("queue-pipeline", &["docker-compose.yml"], &[]);
}

#[test]
fn identity_provider() {
    stack("identity", &["docker-compose.yml"], &[]);
}

#[test]
fn monitoring_stack() {
    stack("monitoring", &["docker-compose.yml"], &[]);
}

#[test]
fn profiles_extends_env_files_interpolation() {
    stack("profiles", &["docker-compose.yml", "docker-compose.override.yml"], &[]);
}

#[test]
fn profiles_stack_with_dev_profile() {
    stack("profiles", &["docker-compose.yml", "docker-compose.override.yml"], &["dev"]);
}
