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

use crate::{Aligned, Error, Package, RenderedFile, align, base_env};
use serde_json::{Map, Value, json};
use skyform_render::objects::Object;
use skyform_render::output::{file_kind, key_order, object_path, string_scalar, to_yaml};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

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
    let schema_json = schema.to_json(true);
    files.push(file(
        "values.schema.json".into(),
        serde_json::to_string_pretty(&schema_json).unwrap_or_else(|_| "{}".into()) + "\n",
    ));
    files.push(file("templates/_helpers.tpl".into(), helpers(&pkg.name, &common)));
    files.push(file("templates/NOTES.txt".into(), notes(pkg)));
    files.push(file(".helmignore".into(), HELMIGNORE.into()));
    files.push(file("README.md".into(), readme(pkg, &envs, base, &readme_rows)));
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

/// A Go template string literal (JSON escapes are a subset of Go's).
fn go_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// A literal string scalar in a template: plain YAML, or an action printing it when the
/// text itself contains a template delimiter.
fn lit_string(s: &str) -> String {
    if s.contains("{{") {
        // A JSON string is a YAML double-quoted scalar; each `{{` becomes an action
        // printing `{{`, so the rendered text is that same scalar.
        go_string(s).replace("{{", "{{ \"{{\" }}")
    } else {
        string_scalar(s)
    }
}

fn lit_key(s: &str) -> String {
    lit_string(s)
}

fn lit_scalar(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => lit_string(s),
        Value::Array(_) => "[]".into(),
        Value::Object(_) => "{}".into(),
    }
}

fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Template expression reading `rel` below the variable `$v`.
fn access(rel: &[String]) -> String {
    if rel.iter().all(|s| is_ident(s)) {
        format!("$v.{}", rel.join("."))
    } else {
        let keys: Vec<String> = rel.iter().map(|s| go_string(s)).collect();
        format!("(index $v {})", keys.join(" "))
    }
}

/// An image reference split into repository and `(separator, tag or digest)`.
type ImageRef = (String, Option<(char, String)>);

/// One path segment inside an object.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Seg {
    Key(String),
    Idx(usize),
}

fn dotted(path: &[Seg]) -> String {
    let parts: Vec<String> = path
        .iter()
        .map(|s| match s {
            Seg::Key(k) => k.clone(),
            Seg::Idx(i) => i.to_string(),
        })
        .collect();
    parts.join(".")
}

/// Template tree of one object.
enum Node {
    Lit(Value),
    Map(Vec<Entry>),
    Seq(Vec<Node>),
    /// A template expression, printed with `toJson`.
    Expr(String),
    /// `metadata.labels`: the helper's standard labels plus the object's own.
    Labels {
        helper: String,
        rest: Vec<Entry>,
    },
}

struct Entry {
    key: String,
    node: Node,
    cond: Option<String>,
}

/// What a value is, for the README and the schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SlotKind {
    Replicas,
    Quantity,
    Image,
    Host,
    Scale,
    Toggle,
    Include,
    Field,
}

struct Slot {
    per_env: Vec<Option<Value>>,
    kind: SlotKind,
}

/// A chart being built: its templates and the values they read.
struct Chart {
    tier: Option<String>,
    base: usize,
    nenv: usize,
    slots: BTreeMap<Vec<String>, Slot>,
    templates: Vec<(String, String)>,
}

/// Per-object build state.
struct Ctx<'c> {
    kind: String,
    group: String,
    name: String,
    service: Option<String>,
    /// Values path of the object's scope below the chart's values (`services.<svc>`).
    scope: Vec<String>,
    /// Key of this object below its scope (`deployment`, `networkPolicy-allow-x`).
    obj_key: String,
    common: &'c BTreeMap<String, String>,
    helper: String,
    containers_len: usize,
    container: Option<String>,
}

fn camel(kind: &str) -> String {
    let mut c = kind.chars();
    c.next().map(|f| f.to_ascii_lowercase().to_string() + c.as_str()).unwrap_or_default()
}

/// Feature toggle of an object kind: always a value, even when every environment has it.
fn feature(kind: &str, group: &str) -> Option<&'static str> {
    Some(match (kind, group) {
        ("HorizontalPodAutoscaler", _) | ("ScaledObject" | "TriggerAuthentication", "keda.sh") => "autoscaling",
        ("PodDisruptionBudget", _) => "podDisruptionBudget",
        ("Ingress", _) => "ingress",
        ("Service", "serving.knative.dev") => "knative",
        ("DomainMapping", _) => "domainMapping",
        ("ServiceMonitor" | "PodMonitor" | "PrometheusRule", _) => "metrics",
        ("ExternalSecret" | "SealedSecret", _) => "secrets",
        ("Schedule", "velero.io") => "backup",
        _ => return None,
    })
}

impl Chart {
    fn new(tier: Option<String>, nenv: usize, base: usize) -> Chart {
        Chart { tier, base, nenv, slots: BTreeMap::new(), templates: Vec::new() }
    }

    /// Claims a value at `path`, or shares an existing one whose values agree wherever
    /// both are set; otherwise the last segment gets a numeric suffix.
    fn claim(&mut self, path: Vec<String>, per_env: Vec<Option<Value>>, kind: SlotKind) -> Vec<String> {
        let fallback_ok = |slots: &BTreeMap<Vec<String>, Slot>, p: &[String]| {
            (1..p.len()).all(|n| !slots.contains_key(&p[..n]))
                && slots.range(p.to_vec()..).next().is_none_or(|(k, _)| k.as_slice() == p || !k.starts_with(p))
        };
        let mut candidate = path.clone();
        let mut n = 1;
        loop {
            if let Some(slot) = self.slots.get_mut(&candidate) {
                let agree = slot.per_env.iter().zip(&per_env).all(|(a, b)| a.is_none() || b.is_none() || a == b);
                if agree && slot.kind == kind {
                    for (a, b) in slot.per_env.iter_mut().zip(per_env) {
                        if a.is_none() {
                            *a = b;
                        }
                    }
                    return candidate;
                }
            } else if fallback_ok(&self.slots, &candidate) {
                self.slots.insert(candidate.clone(), Slot { per_env, kind });
                return candidate;
            } else if (1..candidate.len()).any(|k| self.slots.contains_key(&candidate[..k])) {
                // A parent path is a value already: nothing below it can be claimed.
                return self.claim_flat(path, per_env, kind);
            }
            n += 1;
            candidate = path.clone();
            if let Some(last) = candidate.last_mut() {
                *last = format!("{last}{n}");
            }
        }
    }

    fn claim_flat(&mut self, path: Vec<String>, per_env: Vec<Option<Value>>, kind: SlotKind) -> Vec<String> {
        let mut n = 1;
        loop {
            let key = if n == 1 { format!("_{}", path.join(".")) } else { format!("_{}{n}", path.join(".")) };
            let candidate = vec![key];
            if !self.slots.contains_key(&candidate) && !self.slots.keys().any(|k| k.starts_with(&candidate)) {
                self.slots.insert(candidate.clone(), Slot { per_env, kind });
                return candidate;
            }
            n += 1;
        }
    }

    fn value_ref(&mut self, cx: &Ctx<'_>, rel: Vec<String>, per_env: Vec<Option<Value>>, kind: SlotKind) -> String {
        let mut full = cx.scope.clone();
        full.extend(rel);
        let got = self.claim(full, per_env, kind);
        let rel = got.get(cx.scope.len()..).map(<[String]>::to_vec).unwrap_or_default();
        if rel.is_empty() { "$v".into() } else { access(&rel) }
    }

    fn vector(&self, vals: &[(usize, &Value)]) -> Vec<Option<Value>> {
        let mut v = vec![None; self.nenv];
        for (e, x) in vals {
            v[*e] = Some((*x).clone());
        }
        v
    }

    /// The template of one object.
    fn template(
        &mut self,
        a: &Aligned<'_>,
        prefix: &[String],
        common: &BTreeMap<String, String>,
        helper: &str,
    ) -> String {
        let o: &Object = a.sample;
        let service = o
            .value
            .pointer("/metadata/labels")
            .and_then(|l| l.get(LABEL_NAME))
            .and_then(Value::as_str)
            .map(str::to_string);
        let mut scope = prefix.to_vec();
        let obj_key = match &service {
            Some(s) => {
                scope.extend(["services".to_string(), s.clone()]);
                if &o.name == s { camel(&o.kind) } else { format!("{}-{}", camel(&o.kind), o.name) }
            }
            None => {
                scope.push("shared".to_string());
                match &o.namespace {
                    Some(ns) => format!("{}-{}-{}", camel(&o.kind), ns, o.name),
                    None => format!("{}-{}", camel(&o.kind), o.name),
                }
            }
        };
        let mut cx = Ctx {
            kind: o.kind.clone(),
            group: o.group().to_string(),
            name: o.name.clone(),
            service,
            scope,
            obj_key,
            common,
            helper: helper.to_string(),
            containers_len: 0,
            container: None,
        };
        let vals: Vec<(usize, &Value)> = a.per_env.iter().enumerate().filter_map(|(e, v)| Some((e, (*v)?))).collect();
        let node = self.build(&mut cx, &mut Vec::new(), &vals);

        // Whole-object toggle: a feature kind, or an object missing somewhere.
        let presence: Vec<Option<Value>> = a.presence().into_iter().map(|p| Some(Value::Bool(p))).collect();
        let toggle = match feature(&cx.kind, &cx.group) {
            Some(f) => Some(self.value_ref(&cx, vec![f.to_string(), "enabled".into()], presence, SlotKind::Toggle)),
            None if !a.everywhere() => {
                Some(self.value_ref(&cx, vec![cx.obj_key.clone(), "enabled".into()], presence, SlotKind::Toggle))
            }
            None => None,
        };

        let mut body = String::new();
        emit_node(&node, 0, true, &mut body);
        let mut out = String::new();
        let _ = writeln!(out, "{{{{- /* Generated by skyform: {} {}. */ -}}}}", a.id.kind, a.id.name);
        if body.contains("$v") || toggle.is_some() {
            let keys: Vec<String> = cx.scope.iter().map(|s| go_string(s)).collect();
            let _ = writeln!(out, "{{{{- $v := index .Values {} }}}}", keys.join(" "));
        }
        match toggle {
            Some(t) => {
                let _ = writeln!(out, "{{{{- if {t} }}}}");
                out.push_str(&body);
                out.push_str("{{- end }}\n");
            }
            None => out.push_str(&body),
        }
        out
    }

    fn build(&mut self, cx: &mut Ctx<'_>, path: &mut Vec<Seg>, vals: &[(usize, &Value)]) -> Node {
        if let Some(n) = self.tunable(cx, path, vals) {
            return n;
        }
        let Some(&(_, first)) = vals.first() else { return Node::Lit(Value::Null) };
        if vals.iter().all(|(_, v)| v.as_object().is_some_and(|m| !m.is_empty())) {
            return self.build_map(cx, path, vals);
        }
        if let Value::Array(items) = first
            && !items.is_empty()
            && vals.iter().all(|(_, v)| v.as_array().is_some_and(|a| a.len() == items.len()))
        {
            let containers = is_containers(cx, path);
            if containers {
                cx.containers_len = items.len();
            }
            let mut seq = Vec::with_capacity(items.len());
            for i in 0..items.len() {
                let sub: Vec<(usize, &Value)> = vals.iter().filter_map(|(e, v)| Some((*e, v.get(i)?))).collect();
                if containers {
                    let names: BTreeSet<Option<&str>> =
                        sub.iter().map(|(_, c)| c.get("name").and_then(Value::as_str)).collect();
                    cx.container = match names.into_iter().collect::<Vec<_>>().as_slice() {
                        [Some(n)] => Some((*n).to_string()),
                        _ => None,
                    };
                }
                path.push(Seg::Idx(i));
                seq.push(self.build(cx, path, &sub));
                path.pop();
            }
            if containers {
                cx.container = None;
            }
            return Node::Seq(seq);
        }
        if vals.iter().all(|(_, v)| *v == first) {
            return Node::Lit(first.clone());
        }
        // Helm merges maps from values files key by key but replaces lists whole, so a
        // map-valued field is stored as a one-item list.
        let rel = vec![cx.obj_key.clone(), "fields".into(), dotted(path)];
        let wrap = vals.iter().any(|(_, v)| v.is_object());
        let mut per_env = self.vector(vals);
        if wrap {
            for v in per_env.iter_mut().flatten() {
                *v = Value::Array(vec![v.clone()]);
            }
        }
        let r = self.value_ref(cx, rel, per_env, SlotKind::Field);
        Node::Expr(if wrap { format!("(index {r} 0)") } else { r })
    }

    fn build_map(&mut self, cx: &mut Ctx<'_>, path: &mut Vec<Seg>, vals: &[(usize, &Value)]) -> Node {
        let top = path.is_empty();
        let mut keys: Vec<&String> = Vec::new();
        let mut seen = BTreeSet::new();
        for (_, v) in vals {
            if let Value::Object(m) = v {
                for k in m.keys() {
                    if seen.insert(k.as_str()) {
                        keys.push(k);
                    }
                }
            }
        }
        keys.sort_by(|a, b| key_order(top, a).cmp(&key_order(top, b)));
        let is_labels =
            path.len() == 2 && path[0] == Seg::Key("metadata".into()) && path[1] == Seg::Key("labels".into());
        let with_helper = is_labels
            && !cx.common.is_empty()
            && vals.iter().all(|(_, v)| cx.common.iter().all(|(k, val)| v.get(k).and_then(Value::as_str) == Some(val)));
        let mut entries = Vec::new();
        for k in keys {
            if with_helper && cx.common.contains_key(k.as_str()) {
                continue;
            }
            let sub: Vec<(usize, &Value)> = vals.iter().filter_map(|(e, v)| Some((*e, v.get(k.as_str())?))).collect();
            path.push(Seg::Key(k.clone()));
            let cond = if sub.len() == vals.len() {
                None
            } else {
                let mut per_env = vec![None; self.nenv];
                for (e, v) in vals {
                    per_env[*e] = Some(Value::Bool(v.get(k.as_str()).is_some()));
                }
                let rel = vec![cx.obj_key.clone(), "include".into(), dotted(path)];
                Some(self.value_ref(cx, rel, per_env, SlotKind::Include))
            };
            let node = self.build(cx, path, &sub);
            path.pop();
            entries.push(Entry { key: k.clone(), node, cond });
        }
        if with_helper { Node::Labels { helper: cx.helper.clone(), rest: entries } } else { Node::Map(entries) }
    }

    /// Fields operators tune per environment: always values, named for what they are.
    fn tunable(&mut self, cx: &mut Ctx<'_>, path: &[Seg], vals: &[(usize, &Value)]) -> Option<Node> {
        if !vals.iter().all(|(_, v)| matches!(v, Value::String(_) | Value::Number(_))) {
            return None;
        }
        let p: Vec<&str> = path
            .iter()
            .map(|s| match s {
                Seg::Key(k) => k.as_str(),
                Seg::Idx(_) => "#",
            })
            .collect();
        let knative = cx.kind == "Service" && cx.group == "serving.knative.dev";
        let workload = matches!(cx.kind.as_str(), "Deployment" | "StatefulSet" | "DaemonSet") || knative;
        let primary =
            cx.container.as_deref().is_some_and(|c| Some(c) == cx.service.as_deref()) || cx.containers_len == 1;
        let container_rel = |rest: &[&str]| -> Option<Vec<String>> {
            let mut r: Vec<String> = Vec::new();
            if !primary {
                r.extend(["containers".to_string(), cx.container.clone()?]);
            }
            r.extend(rest.iter().map(|s| s.to_string()));
            Some(r)
        };
        let (rel, kind) = match (cx.kind.as_str(), p.as_slice()) {
            (_, ["spec", "replicas"]) if workload && !knative => (vec!["replicas".to_string()], SlotKind::Replicas),
            (_, ["spec", "template", "spec", "containers", "#", "image"]) if workload => {
                return self.image(cx, vals, primary);
            }
            (_, ["spec", "template", "spec", "containers", "#", "resources", a, b]) if workload => {
                (container_rel(&["resources", a, b])?, SlotKind::Quantity)
            }
            ("StatefulSet", ["spec", "volumeClaimTemplates", "#", "spec", "resources", "requests", "storage"]) => {
                let Some(Seg::Idx(i)) = path.get(2) else { return None };
                let name = if *i == 0 { "size".to_string() } else { format!("size{}", i + 1) };
                (vec!["storage".into(), name], SlotKind::Quantity)
            }
            ("PersistentVolumeClaim", ["spec", "resources", "requests", "storage"]) => {
                (vec!["storage".into(), cx.name.clone(), "size".into()], SlotKind::Quantity)
            }
            ("HorizontalPodAutoscaler", ["spec", m @ ("minReplicas" | "maxReplicas")]) => {
                (vec!["autoscaling".into(), (*m).to_string()], SlotKind::Replicas)
            }
            ("ScaledObject", ["spec", "minReplicaCount"]) => {
                (vec!["autoscaling".into(), "minReplicas".into()], SlotKind::Replicas)
            }
            ("ScaledObject", ["spec", "maxReplicaCount"]) => {
                (vec!["autoscaling".into(), "maxReplicas".into()], SlotKind::Replicas)
            }
            (_, ["spec", "template", "metadata", "annotations", "autoscaling.knative.dev/min-scale"]) if knative => {
                (vec!["autoscaling".into(), "minScale".into()], SlotKind::Scale)
            }
            (_, ["spec", "template", "metadata", "annotations", "autoscaling.knative.dev/max-scale"]) if knative => {
                (vec!["autoscaling".into(), "maxScale".into()], SlotKind::Scale)
            }
            ("Ingress", ["spec", "rules", "#", "host"]) => {
                let Some(Seg::Idx(i)) = path.get(2) else { return None };
                let name = if *i == 0 { "host".to_string() } else { format!("host{}", i + 1) };
                (vec!["ingress".into(), name], SlotKind::Host)
            }
            ("Ingress", ["spec", "tls", "#", "hosts", "#"]) => (vec!["ingress".into(), "host".into()], SlotKind::Host),
            _ => return None,
        };
        let per_env = self.vector(vals);
        Some(Node::Expr(self.value_ref(cx, rel, per_env, kind)))
    }

    /// `image: repository:tag` (or `@digest`) as two values, when every environment's
    /// reference has the same shape.
    fn image(&mut self, cx: &Ctx<'_>, vals: &[(usize, &Value)], primary: bool) -> Option<Node> {
        let split = |s: &str| -> ImageRef {
            if let Some((r, d)) = s.split_once('@') {
                return (r.to_string(), Some(('@', d.to_string())));
            }
            let slash = s.rfind('/').map_or(0, |i| i + 1);
            match s[slash..].rfind(':') {
                Some(i) => (s[..slash + i].to_string(), Some((':', s[slash + i + 1..].to_string()))),
                None => (s.to_string(), None),
            }
        };
        let parts: Vec<(usize, ImageRef)> = vals.iter().filter_map(|(e, v)| Some((*e, split(v.as_str()?)))).collect();
        if parts.len() != vals.len() {
            return None;
        }
        let seps: BTreeSet<Option<char>> = parts.iter().map(|(_, (_, t))| t.as_ref().map(|(c, _)| *c)).collect();
        if seps.len() != 1 {
            return None;
        }
        let mut base: Vec<String> = Vec::new();
        if !primary {
            base.extend(["containers".to_string(), cx.container.clone()?]);
        }
        base.push("image".into());
        let mut repo = vec![None; self.nenv];
        let mut tag = vec![None; self.nenv];
        for (e, (r, t)) in &parts {
            repo[*e] = Some(Value::String(r.clone()));
            tag[*e] = t.as_ref().map(|(_, t)| Value::String(t.clone()));
        }
        let mut r = base.clone();
        r.push("repository".into());
        let repo_ref = self.value_ref(cx, r, repo, SlotKind::Image);
        match seps.into_iter().next().flatten() {
            None => Some(Node::Expr(repo_ref)),
            Some(sep) => {
                let mut t = base;
                t.push(if sep == '@' { "digest".into() } else { "tag".into() });
                let tag_ref = self.value_ref(cx, t, tag, SlotKind::Image);
                Some(Node::Expr(format!("printf \"%s{sep}%s\" {repo_ref} {tag_ref}")))
            }
        }
    }

    fn default_of(&self, s: &Slot) -> Value {
        s.per_env
            .get(self.base)
            .cloned()
            .flatten()
            .or_else(|| s.per_env.iter().flatten().next().cloned())
            .unwrap_or(Value::Null)
    }

    /// `values.yaml` content of this chart.
    fn defaults(&self) -> Map<String, Value> {
        let mut root = Map::new();
        for (path, slot) in &self.slots {
            insert_path(&mut root, path, self.default_of(slot));
        }
        root
    }

    /// Values of environment `e` that differ from the defaults.
    fn overrides(&self, e: usize) -> Map<String, Value> {
        let mut root = Map::new();
        for (path, slot) in &self.slots {
            if let Some(Some(v)) = slot.per_env.get(e)
                && *v != self.default_of(slot)
            {
                insert_path(&mut root, path, v.clone());
            }
        }
        root
    }

    /// Schema entries and README rows of this chart's values, below `prefix`.
    fn describe(&self, prefix: &[String], envs: &[&str], schema: &mut SchemaNode, rows: &mut Vec<Row>) {
        for (path, slot) in &self.slots {
            let mut node = &mut *schema;
            for seg in path {
                node = node.child(seg);
            }
            node.leaf = Some(slot_schema(slot));
            let mut key = prefix.to_vec();
            key.extend(path.iter().cloned());
            let default = self.default_of(slot);
            let per_env = envs
                .iter()
                .enumerate()
                .map(|(e, name)| {
                    let v = slot.per_env.get(e).cloned().flatten();
                    let shown = match v {
                        Some(v) if v != default => compact(&v),
                        Some(_) => "·".to_string(),
                        None => "–".to_string(),
                    };
                    ((*name).to_string(), shown)
                })
                .collect();
            rows.push(Row {
                key: readme_key(&key),
                default: compact(&default),
                per_env,
                what: describe_kind(slot.kind).into(),
            });
        }
    }
}

fn is_containers(cx: &Ctx<'_>, path: &[Seg]) -> bool {
    let workload = matches!(cx.kind.as_str(), "Deployment" | "StatefulSet" | "DaemonSet")
        || (cx.kind == "Service" && cx.group == "serving.knative.dev");
    workload
        && path
            == [
                Seg::Key("spec".into()),
                Seg::Key("template".into()),
                Seg::Key("spec".into()),
                Seg::Key("containers".into()),
            ]
}

fn insert_path(root: &mut Map<String, Value>, path: &[String], value: Value) {
    let Some((last, parents)) = path.split_last() else { return };
    let mut cur = root;
    for p in parents {
        let entry = cur.entry(p.clone()).or_insert_with(|| Value::Object(Map::new()));
        if !entry.is_object() {
            *entry = Value::Object(Map::new());
        }
        let Value::Object(m) = entry else { return };
        cur = m;
    }
    cur.insert(last.clone(), value);
}

fn pad(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

fn is_block(n: &Node) -> bool {
    match n {
        Node::Map(e) => !e.is_empty(),
        Node::Labels { .. } => true,
        Node::Seq(s) => !s.is_empty(),
        Node::Lit(Value::Object(m)) => !m.is_empty(),
        Node::Lit(Value::Array(a)) => !a.is_empty(),
        _ => false,
    }
}

/// Literal maps and lists become nodes so one emitter writes everything.
fn expand(v: &Value, top: bool) -> Node {
    match v {
        Value::Object(m) if !m.is_empty() => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort_by(|a, b| key_order(top, a).cmp(&key_order(top, b)));
            Node::Map(
                keys.into_iter()
                    .map(|k| Entry { key: k.clone(), node: expand(&m[k.as_str()], false), cond: None })
                    .collect(),
            )
        }
        Value::Array(a) if !a.is_empty() => Node::Seq(a.iter().map(|x| expand(x, false)).collect()),
        other => Node::Lit(other.clone()),
    }
}

fn emit_node(node: &Node, indent: usize, top: bool, out: &mut String) {
    match node {
        Node::Lit(v) if is_block(node) => emit_node(&expand(v, top), indent, top, out),
        Node::Map(entries) => emit_entries(entries, indent, false, out),
        Node::Labels { helper, rest } => {
            pad(out, indent);
            let _ = writeln!(out, "{{{{- include {} . | nindent {indent} }}}}", go_string(helper));
            emit_entries(rest, indent, false, out);
        }
        Node::Seq(items) => emit_seq(items, indent, out),
        other => {
            pad(out, indent);
            out.push_str(&inline(other));
            out.push('\n');
        }
    }
}

fn inline(node: &Node) -> String {
    match node {
        Node::Lit(v) => lit_scalar(v),
        Node::Expr(e) => format!("{{{{ {e} | toJson }}}}"),
        Node::Map(_) | Node::Labels { .. } => "{}".into(),
        Node::Seq(_) => "[]".into(),
    }
}

fn emit_value_after_key(node: &Node, indent: usize, out: &mut String) {
    if is_block(node) {
        out.push('\n');
        emit_node(node, indent + 2, false, out);
    } else {
        out.push(' ');
        out.push_str(&inline(node));
        out.push('\n');
    }
}

/// Entries of a mapping; with `inline_first` the caller already wrote `- ` for the first.
fn emit_entries(entries: &[Entry], indent: usize, inline_first: bool, out: &mut String) {
    for (i, e) in entries.iter().enumerate() {
        let first_inline = i == 0 && inline_first;
        if let Some(c) = &e.cond {
            pad(out, indent);
            let _ = writeln!(out, "{{{{- if {c} }}}}");
        }
        if !first_inline {
            pad(out, indent);
        }
        out.push_str(&lit_key(&e.key));
        out.push(':');
        emit_value_after_key(&e.node, indent, out);
        if e.cond.is_some() {
            pad(out, indent);
            out.push_str("{{- end }}\n");
        }
    }
}

fn emit_seq(items: &[Node], indent: usize, out: &mut String) {
    for item in items {
        let expanded;
        let item = match item {
            Node::Lit(v) if is_block(item) => {
                expanded = expand(v, false);
                &expanded
            }
            other => other,
        };
        pad(out, indent);
        match item {
            Node::Map(entries) if !entries.is_empty() => {
                if entries[0].cond.is_none() {
                    out.push_str("- ");
                    emit_entries(entries, indent + 2, true, out);
                } else {
                    out.push_str("-\n");
                    emit_entries(entries, indent + 2, false, out);
                }
            }
            Node::Labels { .. } => {
                out.push_str("-\n");
                emit_node(item, indent + 2, false, out);
            }
            Node::Seq(s) if !s.is_empty() => {
                out.push_str("-\n");
                emit_seq(s, indent + 2, out);
            }
            other => {
                out.push_str("- ");
                out.push_str(&inline(other));
                out.push('\n');
            }
        }
    }
}

/// The schema of the values tree: objects reject unknown keys.
#[derive(Default)]
struct SchemaNode {
    children: BTreeMap<String, SchemaNode>,
    leaf: Option<Value>,
    allow_global: bool,
}

impl SchemaNode {
    fn child(&mut self, k: &str) -> &mut SchemaNode {
        self.children.entry(k.to_string()).or_default()
    }

    fn to_json(&self, root: bool) -> Value {
        if let Some(l) = &self.leaf
            && self.children.is_empty()
        {
            return l.clone();
        }
        let mut props = Map::new();
        for (k, c) in &self.children {
            props.insert(k.clone(), c.to_json(false));
        }
        if self.allow_global {
            props.insert(
                "global".into(),
                json!({"type": "object", "description": "Helm's values shared with every subchart."}),
            );
        }
        let mut m = Map::new();
        if root {
            m.insert("$schema".into(), json!("http://json-schema.org/draft-07/schema#"));
            m.insert("title".into(), json!("Values of the generated umbrella chart"));
        }
        m.insert("type".into(), json!("object"));
        m.insert("additionalProperties".into(), json!(false));
        m.insert("properties".into(), Value::Object(props));
        Value::Object(m)
    }
}

const QUANTITY_PATTERN: &str = r"^[+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+|m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$";

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn slot_schema(slot: &Slot) -> Value {
    let what = describe_kind(slot.kind);
    match slot.kind {
        SlotKind::Replicas => json!({"type": "integer", "minimum": 0, "description": what}),
        SlotKind::Quantity => json!({"type": ["string", "number"], "pattern": QUANTITY_PATTERN, "description": what}),
        SlotKind::Image | SlotKind::Host => json!({"type": "string", "minLength": 1, "description": what}),
        SlotKind::Scale => json!({"type": "string", "pattern": "^[0-9]+$", "description": what}),
        SlotKind::Toggle | SlotKind::Include => json!({"type": "boolean", "description": what}),
        SlotKind::Field => {
            let types: BTreeSet<&str> = slot.per_env.iter().flatten().map(json_type).collect();
            let mut m = Map::new();
            if types.len() == 1
                && let Some(t) = types.into_iter().next()
            {
                m.insert("type".into(), json!(t));
            }
            m.insert("description".into(), json!(what));
            Value::Object(m)
        }
    }
}

fn describe_kind(k: SlotKind) -> &'static str {
    match k {
        SlotKind::Replicas => "Replica count or autoscaling bound.",
        SlotKind::Quantity => "Kubernetes quantity (CPU, memory or storage size).",
        SlotKind::Image => "Container image repository, tag or digest.",
        SlotKind::Host => "Ingress host name.",
        SlotKind::Scale => "Knative scale bound (a number as a string).",
        SlotKind::Toggle => "Feature toggle: whether the object is installed.",
        SlotKind::Include => "Whether this field of the object is set.",
        SlotKind::Field => "Field that differs between environments.",
    }
}

struct Row {
    key: String,
    default: String,
    per_env: Vec<(String, String)>,
    what: String,
}

fn readme_key(path: &[String]) -> String {
    let mut s = String::new();
    for (i, p) in path.iter().enumerate() {
        if is_ident(p) || p.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            if i > 0 {
                s.push('.');
            }
            s.push_str(p);
        } else {
            let _ = write!(s, "[{}]", go_string(p));
        }
    }
    s
}

fn compact(v: &Value) -> String {
    let s = serde_json::to_string(v).unwrap_or_default();
    let s = if s.len() > 60 { format!("{}…", s.chars().take(57).collect::<String>()) } else { s };
    // Inside a Markdown code span: no pipes (table cells) and no backticks.
    s.replace('|', "\\|").replace('`', "'")
}

fn readme(pkg: &Package<'_>, envs: &[&str], base: usize, rows: &[Row]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# {} Helm chart\n", pkg.name);
    let _ = writeln!(s, "{}\n", pkg.description);
    let _ = writeln!(
        s,
        "Generated by `skyform render --format helm`; edit `platform.yaml` (or the values files), not the templates.\nWorks with Helm 3 and Helm 4.\n"
    );
    let _ = writeln!(s, "## Install\n\n```sh");
    if !pkg.dependencies.is_empty() {
        let _ = writeln!(s, "helm dependency build .   # downloads the pinned prerequisite charts into charts/");
    }
    for e in envs {
        let _ = writeln!(s, "helm upgrade --install {0} . -f values-{e}.yaml", pkg.name);
    }
    let _ = writeln!(s, "```\n");
    let _ = writeln!(
        s,
        "`values.yaml` holds the defaults (the `{}` environment); each `values-<env>.yaml` holds only what differs. `values.schema.json` rejects unknown keys and mistyped values at install time.\n",
        envs.get(base).copied().unwrap_or_default()
    );
    let _ = writeln!(s, "## Subcharts\n\n| Subchart | Namespace | Toggle |\n|---|---|---|");
    for t in &pkg.tiers {
        let _ = writeln!(s, "| `charts/{0}` | `{1}` | `{0}.enabled` |", t.tier, t.namespace);
    }
    if !pkg.dependencies.is_empty() {
        let _ = writeln!(
            s,
            "\n## Prerequisites\n\nThe operators and services the platform's objects need, pinned; `<name>.enabled: false` skips one (for example when the cluster already runs it). Charts that do not support `namespaceOverride` install into the release's namespace: to install each into its own namespace, disable them here and let `skyform apply` or the GitOps output install them.\n\n| Dependency | Chart | Version | Namespace |\n|---|---|---|---|"
        );
        for d in &pkg.dependencies {
            let _ = writeln!(
                s,
                "| `{}` | `{}` ({}) | `{}` | `{}` |",
                d.alias, d.chart, d.repository, d.version, d.namespace
            );
        }
    }
    let _ = writeln!(s, "\n## Values\n");
    let _ = writeln!(s, "`·` means the environment uses the default, `–` that the value does not apply there.\n");
    let mut header = "| Key | Default |".to_string();
    let mut sep = "|---|---|".to_string();
    for e in envs {
        let _ = write!(header, " {e} |");
        sep.push_str("---|");
    }
    header.push_str(" Description |");
    sep.push_str("---|");
    let _ = writeln!(s, "{header}\n{sep}");
    for r in rows {
        let mut line = format!("| `{}` | `{}` |", r.key, r.default);
        for e in envs {
            let v = r.per_env.iter().find(|(n, _)| n == e).map_or("·", |(_, v)| v.as_str());
            if v == "·" || v == "–" {
                let _ = write!(line, " {v} |");
            } else {
                let _ = write!(line, " `{v}` |");
            }
        }
        let _ = write!(line, " {} |", r.what);
        let _ = writeln!(s, "{line}");
    }
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
