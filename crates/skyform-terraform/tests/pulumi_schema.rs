//! Offline schema validation of the generated Pulumi YAML programs against the Pulumi
//! packages' type definitions, as `scripts/fetch-provider-schemas` reduces them into
//! `.tools/provider-schemas/pulumi-<package>.json` (each resource token with the
//! properties of its `…Args` interface, nested input types resolved, and `required` for
//! the non-optional ones; each function token with its arguments).
//!
//! Every resource type token must exist in its package, every property set (at every
//! nesting level) must exist on the Args interface, and every non-optional property must
//! be set. `fn::invoke` function tokens and their arguments are checked the same way.
//! The plugin version each resource pins must be the package version validated against.
//! References to outputs (`${cluster.endpoint}`) are not checked: the reduced schemas
//! hold inputs only. All eight providers have an offline package (Vultr's is the
//! community `@ediri/vultr`; Civo's, `@pulumi/civo@1.0.7`, is old, and the Civo program
//! is written for exactly that version). The test fails (never skips) when the schemas
//! are missing.

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::Value;
use skyform_terraform::Format;
use skyform_terraform::versions::PULUMI;

fn schema_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.tools/provider-schemas")
}

fn load(name: &str) -> Value {
    let path = schema_dir().join(format!("pulumi-{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "Pulumi schema {} is missing ({e}).\nRun `scripts/setup-tools` (or scripts/fetch-provider-schemas) first; \
             this test never skips.",
            path.display()
        )
    });
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

struct Schemas(Vec<(&'static str, Value)>);

impl Schemas {
    fn load() -> Self {
        Self(PULUMI.iter().map(|p| (p.name, load(p.name))).collect())
    }

    fn package(&self, name: &str) -> Option<&Value> {
        self.0.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// `aws:eks:Cluster` → the entry for `aws:eks/cluster:Cluster`; `digitalocean:Vpc` →
    /// `digitalocean:index/vpc:Vpc`. Full tokens are accepted too.
    fn lookup<'a>(&'a self, token: &str, functions: bool) -> Result<&'a Value, String> {
        let parts: Vec<&str> = token.split(':').collect();
        let (pkg, module, name) = match parts[..] {
            [pkg, name] => (pkg, "index", name),
            [pkg, module, name] => (pkg, module.split('/').next().unwrap_or(module), name),
            _ => return Err(format!("malformed token `{token}`")),
        };
        let schema =
            self.package(pkg).ok_or_else(|| format!("no offline Pulumi package for `{pkg}` (token `{token}`)"))?;
        let map = if functions { &schema["functions"] } else { &schema["resources"] };
        map.as_object()
            .and_then(|m| {
                m.iter().find_map(|(k, v)| {
                    let kp: Vec<&str> = k.split(':').collect();
                    let ok = kp.len() == 3
                        && kp[0] == pkg
                        && kp[1].split('/').next() == Some(module)
                        && kp[2].eq_ignore_ascii_case(name)
                        && (kp[2] == name || functions);
                    ok.then_some(v)
                })
            })
            .ok_or_else(|| {
                format!(
                    "unknown {} `{token}` in {}@{}",
                    if functions { "function" } else { "resource type" },
                    schema["package"].as_str().unwrap_or(pkg),
                    schema["version"].as_str().unwrap_or("?")
                )
            })
    }
}

/// Checks `value` (a property map) against `props` (an Args interface).
fn check(value: &Value, props: &Value, at: &str, errors: &mut Vec<String>) {
    let Some(map) = value.as_object() else { return };
    for (k, v) in map {
        match props.get(k) {
            None => errors.push(format!("{at}: unknown property `{k}`")),
            Some(p) if p["nested"].is_object() => match v {
                Value::Object(o) if !o.keys().any(|k| k.starts_with("fn::")) => {
                    check(v, &p["nested"], &format!("{at}.{k}"), errors);
                }
                Value::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        if item.is_object() {
                            check(item, &p["nested"], &format!("{at}.{k}[{i}]"), errors);
                        }
                    }
                }
                _ => {}
            },
            Some(_) => {}
        }
    }
    if let Some(m) = props.as_object() {
        for (k, p) in m {
            if p["required"] == Value::Bool(true) && !map.contains_key(k) {
                errors.push(format!("{at}: required property `{k}` is not set"));
            }
        }
    }
}

fn validate(schemas: &Schemas, path: &str, text: &str, errors: &mut Vec<String>, checked: &mut BTreeSet<String>) {
    let doc: Value = match serde_saphyr::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            errors.push(format!("{path}: does not parse: {e}"));
            return;
        }
    };
    if doc["runtime"] != "yaml" {
        errors.push(format!("{path}: runtime is not yaml"));
    }
    for key in ["resources", "variables", "outputs"] {
        if !doc[key].is_object() {
            errors.push(format!("{path}: no `{key}:` section"));
        }
    }
    for (name, res) in doc["resources"].as_object().into_iter().flatten() {
        let token = res["type"].as_str().unwrap_or_default();
        let at = format!("{path}: {name} ({token})");
        match schemas.lookup(token, false) {
            Ok(props) => {
                let empty = Value::Object(serde_json::Map::new());
                check(res.get("properties").unwrap_or(&empty), props, &at, errors);
            }
            Err(e) => errors.push(format!("{at}: {e}")),
        }
        let pkg = token.split(':').next().unwrap_or_default();
        let want = PULUMI.iter().find(|p| p.name == pkg).map(|p| p.version);
        if res["options"]["version"].as_str() != want {
            errors.push(format!("{at}: options.version {} is not the validated {want:?}", res["options"]["version"]));
        }
        checked.insert(token.to_owned());
    }
    for (name, var) in doc["variables"].as_object().into_iter().flatten() {
        let Some(inv) = var.get("fn::invoke") else { continue };
        let token = inv["function"].as_str().unwrap_or_default();
        let at = format!("{path}: variables.{name} ({token})");
        match schemas.lookup(token, true) {
            Ok(args) => check(&inv["arguments"], args, &at, errors),
            Err(e) => errors.push(format!("{at}: {e}")),
        }
        checked.insert(format!("fn::invoke {token}"));
    }
}

#[test]
fn generated_pulumi_matches_package_schemas() {
    let schemas = Schemas::load();
    let mut errors = Vec::new();
    let mut checked = BTreeSet::new();
    let mut programs = 0;
    for (example, env, _, files) in common::render_all(Format::Pulumi) {
        for (path, text) in files {
            if path.ends_with("/Pulumi.yaml") {
                validate(&schemas, &format!("{example}/{env}/{path}"), &text, &mut errors, &mut checked);
                programs += 1;
            }
        }
    }
    errors.sort();
    errors.dedup();
    eprintln!("validated {programs} programs, {} types/functions: {checked:#?}", checked.len());
    assert!(errors.is_empty(), "schema errors:\n{}", errors.join("\n"));
    assert!(programs >= 2 * common::PROVIDERS.len(), "too few programs: {programs}");
    assert!(checked.len() > 50, "too few types validated: {}", checked.len());
}

#[test]
fn the_validator_catches_mistakes() {
    let schemas = Schemas::load();
    let bad = r#"
name: x
runtime: yaml
variables:
  v:
    fn::invoke:
      function: aws:getNotAThing
resources:
  a:
    type: aws:eks:Cluster
    properties:
      name: a
      colour: blue
    options:
      version: "7.48.0"
  b:
    type: linode:LkeCluster
    properties:
      label: b
      region: us-east
      k8sVersion: "1.31"
      pools:
        - type: g6-standard-2
          count: 1
          flavour: x
    options:
      version: "5.1.1"
  c:
    type: aws:ec2:NotAThing
    options:
      version: "1"
outputs: {}
"#;
    let mut errors = Vec::new();
    validate(&schemas, "bad", bad, &mut errors, &mut BTreeSet::new());
    errors.sort();
    let mut expected = vec![
        "bad: a (aws:eks:Cluster): required property `roleArn` is not set",
        "bad: a (aws:eks:Cluster): required property `vpcConfig` is not set",
        "bad: a (aws:eks:Cluster): unknown property `colour`",
        "bad: b (linode:LkeCluster).pools[0]: unknown property `flavour`",
        "bad: c (aws:ec2:NotAThing): options.version \"1\" is not the validated Some(\"7.48.0\")",
        "bad: c (aws:ec2:NotAThing): unknown resource type `aws:ec2:NotAThing` in @pulumi/aws@7.48.0",
        "bad: variables.v (aws:getNotAThing): unknown function `aws:getNotAThing` in @pulumi/aws@7.48.0",
    ];
    expected.sort_unstable();
    assert_eq!(errors, expected);
}

#[test]
fn pulumi_pins_agree_with_the_fetch_script() {
    let script =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts/fetch-provider-schemas"))
            .expect("scripts/fetch-provider-schemas");
    for p in PULUMI {
        assert!(
            script
                .lines()
                .any(|l| l.trim_end_matches('\'').split_whitespace().eq(["pulumi", p.name, p.npm, p.version])),
            "{}@{} is not pinned in scripts/fetch-provider-schemas",
            p.npm,
            p.version
        );
        let schema = load(p.name);
        assert_eq!(schema["version"].as_str(), Some(p.version), "{}", p.npm);
    }
}

/// Neither example uses managed Redis, or managed PostgreSQL on DigitalOcean or Linode:
/// this variant of health-platform does, so those programs are validated too.
#[test]
fn managed_redis_and_postgres_everywhere_match_package_schemas() {
    let text = common::EXAMPLES[0]
        .1
        .replace("managed: [aws, gcp, azure]", "managed: [aws, gcp, azure, digitalocean, linode]")
        .replace(
            "      storage: { size: 1Gi, class: fast-ssd }\n    redis-webauthn:",
            "      storage: { size: 1Gi, class: fast-ssd }\n      managed: [aws, gcp, azure, digitalocean]\n    redis-webauthn:",
        );
    let m = common::model(&text);
    let schemas = Schemas::load();
    let mut errors = Vec::new();
    let mut checked = BTreeSet::new();
    for env in m.environments.iter().filter(|e| e.production) {
        for p in common::PROVIDERS {
            let files = skyform_terraform::render_pulumi(&m, env, p, None).expect("renders");
            for (path, text) in files.iter().filter(|(p, _)| p.ends_with("/Pulumi.yaml")) {
                validate(&schemas, path, text, &mut errors, &mut checked);
            }
        }
    }
    eprintln!("{checked:#?}");
    for token in [
        "aws:elasticache:ReplicationGroup",
        "gcp:redis:Instance",
        "azure:redis:Cache",
        "digitalocean:DatabaseCluster",
        "linode:DatabasePostgresqlV2",
    ] {
        assert!(checked.contains(token), "{token} was not rendered");
    }
    assert!(errors.is_empty(), "schema errors:\n{}", errors.join("\n"));
}
