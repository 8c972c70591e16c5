//! The templates: which fields of the objects become values, and the Go-template
//! text of each object with its `if`s and value accesses.

use super::*;

/// A Go template string literal (JSON escapes are a subset of Go's).
pub(super) fn go_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// A literal string scalar in a template: plain YAML, or an action printing it when the
/// text itself contains a template delimiter.
pub(super) fn lit_string(s: &str) -> String {
    let scalar = string_scalar(s);
    if s.contains("{{") {
        // `{` is never plain, so this is a double-quoted scalar; each `{{` becomes an action
        // printing `{{`, so the rendered text is that same scalar.
        scalar.replace("{{", "{{ \"{{\" }}")
    } else {
        scalar
    }
}

pub(super) fn lit_key(s: &str) -> String {
    lit_string(s)
}

pub(super) fn lit_scalar(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => lit_string(s),
        Value::Array(_) => "[]".into(),
        Value::Object(_) => "{}".into(),
    }
}

pub(super) fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Template expression reading `rel` below the variable `$v`.
pub(super) fn access(rel: &[String]) -> String {
    if rel.iter().all(|s| is_ident(s)) {
        format!("$v.{}", rel.join("."))
    } else {
        let keys: Vec<String> = rel.iter().map(|s| go_string(s)).collect();
        format!("(index $v {})", keys.join(" "))
    }
}

/// An image reference split into repository and `(separator, tag or digest)`.
pub(super) type ImageRef = (String, Option<(char, String)>);

/// One path segment inside an object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Seg {
    Key(String),
    Idx(usize),
}

pub(super) fn dotted(path: &[Seg]) -> String {
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
pub(super) enum Node {
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

pub(super) struct Entry {
    pub(super) key: String,
    pub(super) node: Node,
    pub(super) cond: Option<String>,
}

/// What a value is, for the README and the schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum SlotKind {
    Replicas,
    Quantity,
    Image,
    Host,
    Scale,
    Toggle,
    Include,
    Field,
}

pub(super) struct Slot {
    pub(super) per_env: Vec<Option<Value>>,
    pub(super) kind: SlotKind,
}

/// A chart being built: its templates and the values they read.
pub(super) struct Chart {
    pub(super) tier: Option<String>,
    pub(super) base: usize,
    pub(super) nenv: usize,
    pub(super) slots: BTreeMap<Vec<String>, Slot>,
    pub(super) templates: Vec<(String, String)>,
}

/// Per-object build state.
pub(super) struct Ctx<'c> {
    pub(super) kind: String,
    pub(super) group: String,
    pub(super) name: String,
    pub(super) service: Option<String>,
    /// Values path of the object's scope below the chart's values (`services.<svc>`).
    pub(super) scope: Vec<String>,
    /// Key of this object below its scope (`deployment`, `networkPolicy-allow-x`).
    pub(super) obj_key: String,
    pub(super) common: &'c BTreeMap<String, String>,
    pub(super) helper: String,
    pub(super) containers_len: usize,
    pub(super) container: Option<String>,
}

pub(super) fn camel(kind: &str) -> String {
    let mut c = kind.chars();
    c.next().map(|f| f.to_ascii_lowercase().to_string() + c.as_str()).unwrap_or_default()
}

/// Feature toggle of an object kind: always a value, even when every environment has it.
pub(super) fn feature(kind: &str, group: &str) -> Option<&'static str> {
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
    pub(super) fn new(tier: Option<String>, nenv: usize, base: usize) -> Chart {
        Chart { tier, base, nenv, slots: BTreeMap::new(), templates: Vec::new() }
    }

    /// Claims a value at `path`, or shares an existing one whose values agree wherever
    /// both are set; otherwise the last segment gets a numeric suffix.
    pub(super) fn claim(&mut self, path: Vec<String>, per_env: Vec<Option<Value>>, kind: SlotKind) -> Vec<String> {
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

    pub(super) fn claim_flat(&mut self, path: Vec<String>, per_env: Vec<Option<Value>>, kind: SlotKind) -> Vec<String> {
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

    pub(super) fn value_ref(
        &mut self,
        cx: &Ctx<'_>,
        rel: Vec<String>,
        per_env: Vec<Option<Value>>,
        kind: SlotKind,
    ) -> String {
        let mut full = cx.scope.clone();
        full.extend(rel);
        let got = self.claim(full, per_env, kind);
        let rel = got.get(cx.scope.len()..).map(<[String]>::to_vec).unwrap_or_default();
        if rel.is_empty() { "$v".into() } else { access(&rel) }
    }

    pub(super) fn vector(&self, vals: &[(usize, &Value)]) -> Vec<Option<Value>> {
        let mut v = vec![None; self.nenv];
        for (e, x) in vals {
            v[*e] = Some((*x).clone());
        }
        v
    }

    /// The template of one object.
    pub(super) fn template(
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

    pub(super) fn build(&mut self, cx: &mut Ctx<'_>, path: &mut Vec<Seg>, vals: &[(usize, &Value)]) -> Node {
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

    pub(super) fn build_map(&mut self, cx: &mut Ctx<'_>, path: &mut Vec<Seg>, vals: &[(usize, &Value)]) -> Node {
        let top = path.is_empty();
        let maps: Vec<&Map<String, Value>> = vals.iter().filter_map(|(_, v)| v.as_object()).collect();
        // The union of the keys in first-seen order; when every environment has the same
        // keys in the same order (most maps), that is the first map's, and no set is needed.
        let same_keys = maps.windows(2).all(|w| w[0].len() == w[1].len() && w[0].keys().eq(w[1].keys()));
        let mut keys: Vec<&String> = Vec::new();
        if same_keys {
            keys.extend(maps.first().into_iter().flat_map(|m| m.keys()));
        } else {
            let mut seen = BTreeSet::new();
            for m in &maps {
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
    pub(super) fn tunable(&mut self, cx: &mut Ctx<'_>, path: &[Seg], vals: &[(usize, &Value)]) -> Option<Node> {
        if !vals.iter().all(|(_, v)| matches!(v, Value::String(_) | Value::Number(_))) {
            return None;
        }
        // Every tunable path has at most eight segments.
        let mut segments = [""; 8];
        if path.len() > segments.len() {
            return None;
        }
        for (to, s) in segments.iter_mut().zip(path) {
            *to = match s {
                Seg::Key(k) => k.as_str(),
                Seg::Idx(_) => "#",
            };
        }
        let p = &segments[..path.len()];
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
        let (rel, kind) = match (cx.kind.as_str(), p) {
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
    pub(super) fn image(&mut self, cx: &Ctx<'_>, vals: &[(usize, &Value)], primary: bool) -> Option<Node> {
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

    pub(super) fn default_of(&self, s: &Slot) -> Value {
        s.per_env
            .get(self.base)
            .cloned()
            .flatten()
            .or_else(|| s.per_env.iter().flatten().next().cloned())
            .unwrap_or(Value::Null)
    }

    /// `values.yaml` content of this chart.
    pub(super) fn defaults(&self) -> Map<String, Value> {
        let mut root = Map::new();
        for (path, slot) in &self.slots {
            insert_path(&mut root, path, self.default_of(slot));
        }
        root
    }

    /// Values of environment `e` that differ from the defaults.
    pub(super) fn overrides(&self, e: usize) -> Map<String, Value> {
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
    pub(super) fn describe(&self, prefix: &[String], envs: &[&str], schema: &mut SchemaNode, rows: &mut Vec<Row>) {
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

pub(super) fn is_containers(cx: &Ctx<'_>, path: &[Seg]) -> bool {
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

pub(super) fn insert_path(root: &mut Map<String, Value>, path: &[String], value: Value) {
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
