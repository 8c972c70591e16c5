//! Helm umbrella chart: one subchart per tier, values per environment.
//!
//! Layout (paths relative to the chart directory):
//! - `Chart.yaml` (apiVersion v2) with one dependency per tier, `condition: <tier>.enabled`;
//! - `values.yaml` (defaults: the base environment, `production` if there is one) and
//!   `values-<env>.yaml` per environment holding only what differs from the defaults;
//! - `values.schema.json` (every value typed, unknown keys rejected), `README.md` (every
//!   value with its default and per-environment value), `templates/NOTES.txt`,
//!   `templates/_helpers.tpl`, and templates for objects outside the tiers' namespaces;
//! - `charts/<tier>/` with its own `Chart.yaml`, `values.yaml`, `_helpers.tpl` and one
//!   template per object.
//!
//! Templates are generated from the objects of every environment at once. A field is a
//! template value when operators tune it per environment (image, replicas, HPA bounds,
//! container resources, ingress hosts, storage sizes, feature toggles of autoscaling,
//! disruption budgets, ingress, Knative, metrics, secrets, backups — always, even when
//! every environment agrees) or when its value differs between environments (generically,
//! under `<object>.fields`); a field or object present in only some environments is
//! wrapped in an `if` on a boolean value (`<object>.include`, `<feature>.enabled`). Values
//! are written with `toJson`, so every rendered scalar parses back to the exact value.
//! Only features both Helm 3 and Helm 4 accept are used.

mod emit;
mod readme;
mod schema;
mod template;

use crate::{Aligned, Error, Package, RenderedFile, align, base_env};
use emit::*;
use readme::*;
use schema::*;
use serde_json::{Map, Value, json};
use skyform_render::objects::Object;
use skyform_render::output::{file_kind, key_order, object_path, string_scalar, to_yaml};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use template::*;

/// Labels the chart adds to every object's `metadata.labels` that the plain manifests do
/// not have: Helm's own chart label. Nothing else differs.
pub const HELM_ONLY_LABELS: &[&str] = &["helm.sh/chart"];

/// Annotations the chart adds that the plain manifests do not have (none; `helm install`
/// itself adds `meta.helm.sh/release-name` and `meta.helm.sh/release-namespace` in the
/// cluster, which `helm template` does not print).
pub const HELM_ONLY_ANNOTATIONS: &[&str] = &["meta.helm.sh/release-name", "meta.helm.sh/release-namespace"];

const LABEL_NAME: &str = "app.kubernetes.io/name";

/// The umbrella chart, sorted by path.
pub fn render(pkg: &Package<'_>) -> Result<Vec<RenderedFile>, Error> {
    let aligned = align(pkg)?;
    if let Some(t) = pkg.tiers.iter().find(|t| t.tier == "global") {
        return Err(Error::InvalidName { what: "tier (reserved by Helm)", name: t.tier.clone() });
    }
    let envs: Vec<&str> = pkg.environments.iter().map(|(n, _)| n.as_str()).collect();
    let base = base_env(pkg.environments);
    let umbrella_key = if pkg.tiers.iter().any(|t| t.tier == "cluster") { "clusterWide" } else { "cluster" };
    let common = common_labels(&aligned);

    // Which chart each object goes to: a tier's subchart (its namespace and Namespace
    // object), else the umbrella.
    let mut charts: Vec<Chart> = pkg.tiers.iter().map(|t| Chart::new(Some(t.tier.clone()), envs.len(), base)).collect();
    let mut umbrella = Chart::new(None, envs.len(), base);
    for a in &aligned {
        let tier = pkg.tiers.iter().position(|t| {
            a.id.namespace.as_deref() == Some(t.namespace.as_str())
                || (a.id.namespace.is_none() && a.id.kind == "Namespace" && a.id.name == t.namespace)
        });
        let chart = match tier {
            Some(i) => &mut charts[i],
            None => &mut umbrella,
        };
        let prefix: Vec<String> = if chart.tier.is_some() { vec![] } else { vec![umbrella_key.to_string()] };
        let helper = format!("{}.labels", chart.tier.as_deref().unwrap_or(&pkg.name));
        let template = chart.template(a, &prefix, &common, &helper);
        let path = match &chart.tier {
            Some(_) => format!("templates/{}-{}.yaml", file_kind(a.sample), a.id.name),
            None => format!("templates/{}", object_path(a.sample)),
        };
        chart.templates.push((path, template));
    }

    let mut files = Vec::new();
    let mut all_values = Map::new();
    let mut env_values: Vec<Map<String, Value>> = vec![Map::new(); envs.len()];
    let mut readme_rows = Vec::new();
    let mut schema = SchemaNode::default();
    for (chart, t) in charts.iter().zip(&pkg.tiers) {
        let dir = format!("charts/{}", t.tier);
        let defaults = chart.defaults();
        files.push(file(
            format!("{dir}/Chart.yaml"),
            yaml_doc(
                &format!("Tier `{}` (namespace `{}`) of {}.", t.tier, t.namespace, pkg.name),
                &chart_yaml(&t.tier, &format!("{} tier of {}", t.tier, pkg.name), &pkg.version, &[]),
            ),
        ));
        files.push(file(
            format!("{dir}/values.yaml"),
            yaml_doc(
                &format!(
                    "Defaults of tier `{}`; set them per environment in the umbrella chart's values files.",
                    t.tier
                ),
                &Value::Object(defaults.clone()),
            ),
        ));
        files.push(file(format!("{dir}/templates/_helpers.tpl"), helpers(&t.tier, &common)));
        for (path, body) in &chart.templates {
            files.push(file(format!("{dir}/{path}"), body.clone()));
        }
        let mut section = Map::new();
        section.insert("enabled".into(), Value::Bool(true));
        section.extend(defaults);
        all_values.insert(t.tier.clone(), Value::Object(section));
        for (e, m) in env_values.iter_mut().enumerate() {
            let o = chart.overrides(e);
            if !o.is_empty() {
                m.insert(t.tier.clone(), Value::Object(o));
            }
        }
        let tier_schema = schema.child(&t.tier);
        tier_schema.allow_global = true;
        tier_schema.child("enabled").leaf = Some(json!({"type": "boolean", "description": "Install this tier."}));
        readme_rows.push(Row {
            key: format!("{}.enabled", t.tier),
            default: "true".into(),
            per_env: vec![],
            what: "Install this tier.".into(),
        });
        chart.describe(std::slice::from_ref(&t.tier), &envs, tier_schema, &mut readme_rows);
    }
    let umbrella_defaults = umbrella.defaults();
    if !umbrella_defaults.is_empty() {
        all_values.extend(umbrella_defaults);
        for (e, m) in env_values.iter_mut().enumerate() {
            m.extend(umbrella.overrides(e));
        }
        umbrella.describe(&[], &envs, &mut schema, &mut readme_rows);
    }
    for (path, body) in &umbrella.templates {
        files.push(file(path.clone(), body.clone()));
    }
    schema.allow_global = true;

    let deps: Vec<(String, String)> =
        pkg.tiers.iter().map(|t| (t.tier.clone(), format!("{}.enabled", t.tier))).collect();
    let mut chart = chart_yaml(&pkg.name, &pkg.description, &pkg.version, &deps);
    add_dependencies(pkg, &mut chart, &mut all_values, &mut env_values, base, &envs, &mut schema, &mut readme_rows);
    files.push(file(
        "Chart.yaml".into(),
        yaml_doc(
            &format!("Umbrella chart of {}: one subchart per tier. Edit platform.yaml, not this chart.", pkg.name),
            &chart,
        ),
    ));
    files.push(file(
        "values.yaml".into(),
        yaml_doc(
            &format!(
                "Defaults of {} (the `{}` environment). Per environment: helm install -f values-<env>.yaml.",
                pkg.name, envs[base]
            ),
            &Value::Object(all_values),
        ),
    ));
    for (e, name) in envs.iter().enumerate() {
        let m = std::mem::take(&mut env_values[e]);
        let comment = if m.is_empty() {
            format!("Environment `{name}`: identical to the defaults in values.yaml.")
        } else {
            format!("Environment `{name}`: only the values that differ from values.yaml.")
        };
        files.push(file(format!("values-{name}.yaml"), yaml_doc(&comment, &Value::Object(m))));
    }
    let schema_json = share_repeated(schema.to_json(true));
    files.push(file(
        "values.schema.json".into(),
        serde_json::to_string_pretty(&schema_json).unwrap_or_else(|_| "{}".into()) + "\n",
    ));
    files.push(file("templates/_helpers.tpl".into(), helpers(&pkg.name, &common)));
    files.push(file("templates/NOTES.txt".into(), notes(pkg)));
    let (readme_text, values_table) = readme(pkg, &envs, base, &readme_rows);
    files.push(file("README.md".into(), readme_text));
    let mut helmignore = HELMIGNORE.to_string();
    if let Some(table) = values_table {
        helmignore.push_str(VALUES_TABLE_FILE);
        helmignore.push('\n');
        files.push(file(VALUES_TABLE_FILE.into(), table));
    }
    files.push(file(".helmignore".into(), helmignore));
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// The prerequisite charts as dependencies of the umbrella chart: one entry per chart
/// in `Chart.yaml` (repository, exact version, `condition: <alias>.enabled`), their
/// values under `<alias>` in `values.yaml` (the base environment; `enabled: false` where
/// it does not need the chart) and what differs per environment in `values-<env>.yaml`
/// (`null` removes a default key, as Helm does).
#[allow(clippy::too_many_arguments)]
fn add_dependencies(
    pkg: &Package<'_>,
    chart: &mut Value,
    all_values: &mut Map<String, Value>,
    env_values: &mut [Map<String, Value>],
    base: usize,
    envs: &[&str],
    schema: &mut SchemaNode,
    rows: &mut Vec<Row>,
) {
    if pkg.dependencies.is_empty() {
        return;
    }
    let per_env = |d: &crate::ChartDependency, e: usize| -> Value {
        let mut m = Map::new();
        match d.values.get(e).and_then(Option::as_ref) {
            Some(v) => {
                m.insert("enabled".into(), Value::Bool(true));
                m.insert("namespaceOverride".into(), json!(d.namespace));
                if let Value::Object(o) = v {
                    m.extend(o.clone());
                }
            }
            None => {
                m.insert("enabled".into(), Value::Bool(false));
            }
        }
        Value::Object(m)
    };
    let mut list = Vec::new();
    for d in &pkg.dependencies {
        let mut entry = json!({ "name": d.chart, "version": d.version, "repository": d.repository });
        if d.alias != d.chart {
            entry["alias"] = json!(d.alias);
        }
        entry["condition"] = json!(format!("{}.enabled", d.alias));
        list.push(entry);
        let defaults = per_env(d, base);
        for (e, m) in env_values.iter_mut().enumerate() {
            // A chart the environment does not need is only switched off.
            let diff = if d.values.get(e).is_some_and(Option::is_some) {
                value_diff(&defaults, &per_env(d, e))
            } else {
                (defaults["enabled"] != Value::Bool(false)).then(|| json!({ "enabled": false }))
            };
            if let Some(diff) = diff {
                m.insert(d.alias.clone(), diff);
            }
        }
        all_values.insert(d.alias.clone(), defaults);
        schema.child(&d.alias).leaf = Some(json!({
            "type": "object",
            "description": format!("Values of the `{}` chart {} (prerequisite).", d.chart, d.version),
            "properties": { "enabled": { "type": "boolean" } },
        }));
        rows.push(Row {
            key: format!("{}.enabled", d.alias),
            default: d.values.get(base).is_some_and(Option::is_some).to_string(),
            per_env: envs
                .iter()
                .enumerate()
                .filter(|(e, _)| *e != base)
                .map(|(e, n)| {
                    let on = d.values.get(e).is_some_and(Option::is_some);
                    let base_on = d.values.get(base).is_some_and(Option::is_some);
                    ((*n).to_string(), if on == base_on { "·".to_string() } else { format!("`{on}`") })
                })
                .collect(),
            what: format!(
                "Install chart `{}` {} from {} into namespace `{}` (values under `{}`).",
                d.chart, d.version, d.repository, d.namespace, d.alias
            ),
        });
    }
    if let Some(Value::Array(deps)) = chart.get_mut("dependencies") {
        deps.extend(list);
    } else {
        chart["dependencies"] = Value::Array(list);
    }
}

/// What turns `base` into `other` under Helm's value merging: changed keys, `null` for
/// removed ones; `None` when they are equal.
fn value_diff(base: &Value, other: &Value) -> Option<Value> {
    if base == other {
        return None;
    }
    match (base, other) {
        (Value::Object(b), Value::Object(o)) => {
            let mut m = Map::new();
            for (k, ov) in o {
                match b.get(k) {
                    Some(bv) => {
                        if let Some(d) = value_diff(bv, ov) {
                            m.insert(k.clone(), d);
                        }
                    }
                    None => {
                        m.insert(k.clone(), ov.clone());
                    }
                }
            }
            for k in b.keys().filter(|k| !o.contains_key(*k)) {
                m.insert(k.clone(), Value::Null);
            }
            Some(Value::Object(m))
        }
        _ => Some(other.clone()),
    }
}

const HELMIGNORE: &str =
    "# Patterns to ignore when packaging the chart.\n.DS_Store\n.git/\n*.swp\n*.bak\n*.tmp\n*.orig\n*~\n";

fn file(path: String, contents: String) -> RenderedFile {
    RenderedFile { path, contents }
}

fn yaml_doc(comment: &str, v: &Value) -> String {
    let body = match v {
        Value::Object(m) if m.is_empty() => "{}\n".to_string(),
        _ => to_yaml(v),
    };
    format!("# Generated by skyform. {comment}\n{body}")
}

fn chart_yaml(name: &str, description: &str, version: &str, deps: &[(String, String)]) -> Value {
    let mut m = Map::new();
    m.insert("apiVersion".into(), json!("v2"));
    m.insert("name".into(), json!(name));
    m.insert("description".into(), json!(description));
    m.insert("type".into(), json!("application"));
    m.insert("version".into(), json!(version));
    m.insert("appVersion".into(), json!(version));
    if !deps.is_empty() {
        let list: Vec<Value> =
            deps.iter().map(|(n, c)| json!({"name": n, "version": version, "condition": c})).collect();
        m.insert("dependencies".into(), Value::Array(list));
    }
    Value::Object(m)
}

/// Labels every object carries in every environment (the platform labels).
fn common_labels(aligned: &[Aligned<'_>]) -> BTreeMap<String, String> {
    let mut common: Option<BTreeMap<String, String>> = None;
    for v in aligned.iter().flat_map(|a| a.per_env.iter().flatten()) {
        let labels: BTreeMap<String, String> = v
            .pointer("/metadata/labels")
            .and_then(Value::as_object)
            .map(|m| m.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect())
            .unwrap_or_default();
        common = Some(match common {
            None => labels,
            Some(c) => c.into_iter().filter(|(k, v)| labels.get(k) == Some(v)).collect(),
        });
    }
    common.unwrap_or_default()
}

fn helpers(chart: &str, common: &BTreeMap<String, String>) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{{{{/* Generated by skyform. Named templates of chart `{chart}`. */}}}}");
    let _ = writeln!(s);
    let _ = writeln!(s, "{{{{/* Chart name and version, for the helm.sh/chart label. */}}}}");
    let _ = writeln!(s, "{{{{- define \"{chart}.chart\" -}}}}");
    let _ = writeln!(
        s,
        "{{{{- printf \"%s-%s\" .Chart.Name .Chart.Version | replace \"+\" \"_\" | trunc 63 | trimSuffix \"-\" }}}}"
    );
    let _ = writeln!(s, "{{{{- end }}}}");
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "{{{{/* Standard labels of every object: the chart label plus the platform's labels\n   (selector labels stay out: they must never change between chart versions). */}}}}"
    );
    let _ = writeln!(s, "{{{{- define \"{chart}.labels\" -}}}}");
    let _ = write!(s, "helm.sh/chart: {{{{ include \"{chart}.chart\" . }}}}");
    for (k, v) in common {
        let _ = write!(s, "\n{}: {}", lit_key(k), lit_string(v));
    }
    let _ = writeln!(s);
    let _ = writeln!(s, "{{{{- end }}}}");
    s
}

fn notes(pkg: &Package<'_>) -> String {
    let mut s = String::new();
    let _ =
        writeln!(s, "{} (chart {{{{ .Chart.Version }}}}) is installed as release {{{{ .Release.Name }}}}.", pkg.name);
    let _ = writeln!(s);
    let _ = writeln!(s, "Tiers and their namespaces:");
    for t in &pkg.tiers {
        let _ = writeln!(s, "{{{{- if (index .Values {}).enabled }}}}", go_string(&t.tier));
        let _ = writeln!(s, "  - {}: namespace {}", t.tier, t.namespace);
        let _ = writeln!(s, "{{{{- end }}}}");
    }
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "This chart is generated by skyform from platform.yaml: change the platform file or the\nvalues files, not the templates."
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_diff_is_what_helm_merges_onto_the_defaults() {
        let base = json!({ "enabled": true, "a": { "b": 1, "c": 2 }, "list": [1, 2], "gone": "x" });
        let other = json!({ "enabled": true, "a": { "b": 1, "c": 3 }, "list": [1], "new": true });
        assert_eq!(value_diff(&base, &base), None);
        assert_eq!(value_diff(&base, &other), Some(json!({ "a": { "c": 3 }, "list": [1], "new": true, "gone": null })));
    }

    #[test]
    fn access_uses_index_for_odd_keys() {
        assert_eq!(access(&["image".into(), "tag".into()]), "$v.image.tag");
        assert_eq!(
            access(&["deployment".into(), "fields".into(), "spec.replicas".into()]),
            "(index $v \"deployment\" \"fields\" \"spec.replicas\")"
        );
    }

    #[test]
    fn template_delimiters_in_literals_are_escaped() {
        assert_eq!(lit_string("{{ $labels.pod }}"), "\"{{ \"{{\" }} $labels.pod }}\"");
        assert_eq!(lit_string("plain"), "plain");
    }
}
