//! `skyform check`'s engine: fast, located policy checks over any Kubernetes manifests.
//!
//! The input is a list of `(file name, text)` pairs; the output is a [`Report`] of
//! [`Finding`]s, each pointing at the exact `line:column` of the offending field (or the
//! nearest existing parent when a field is missing). The pipeline:
//!
//! 1. parse every file in parallel into located trees ([`skyform_yaml`]); documents
//!    without `apiVersion`/`kind` are skipped, `kind: List` is expanded;
//! 2. build one [`index::Index`] over all objects (cross-file context);
//! 3. run every enabled [`rules::Rule`] on every object, in parallel;
//! 4. apply waivers (from a separate file; inline annotations only when opted in).
//!
//! Nothing here reads files, the terminal, the clock or the environment: the CLI passes
//! texts in, and "today" for waiver expiry.

pub mod credentials;
pub mod finding;
pub mod index;
pub mod model;
pub mod netpol;
pub mod output;
pub mod rules;
pub mod sarif;
pub mod security_context;
pub mod waiver;
pub mod works;

use rayon::prelude::*;
use skyform_yaml::{Node, Value};

pub use finding::{Finding, LoadError, ObjectRef, Severity};
pub use rules::{ALL_RULES, Rule};
pub use waiver::{Date, Waiver, WaiverError, parse_waivers};

use index::Index;
use model::Object;
use rules::{Cx, Out};

/// The annotation that waives rules inline, honoured only with
/// [`Options::inline_waivers`]: a comma-separated list of rule ids or names.
pub const INLINE_WAIVER_ANNOTATION: &str = "skyform.dev/waive";

/// How a check run behaves.
#[derive(Clone, Debug)]
pub struct Options {
    /// Namespace of objects that do not set one (as `kubectl apply` would use).
    pub default_namespace: String,
    /// Force HA rules on (`Some(true)`) or off; `None` decides per object from its
    /// namespace and environment labels.
    pub production: Option<bool>,
    /// Extra rules to run (ids or names), e.g. off-by-default ones.
    pub enable: Vec<String>,
    /// Rules not to run (ids or names).
    pub disable: Vec<String>,
    /// Honour [`INLINE_WAIVER_ANNOTATION`] on objects.
    pub inline_waivers: bool,
    /// Waivers from a waiver file.
    pub waivers: Vec<Waiver>,
    /// Today's date, for waiver expiry; `None` treats every waiver as current.
    pub today: Option<Date>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            default_namespace: "default".to_string(),
            production: None,
            enable: Vec::new(),
            disable: Vec::new(),
            inline_waivers: false,
            waivers: Vec::new(),
            today: None,
        }
    }
}

/// The result of one check run.
#[derive(Debug, Default)]
pub struct Report {
    /// Active findings, sorted by file order, line, column, rule.
    pub findings: Vec<Finding>,
    /// Findings silenced by a waiver, with the waiver's reason.
    pub waived: Vec<(Finding, String)>,
    /// Waivers past their expiry date (they no longer apply).
    pub expired_waivers: Vec<Waiver>,
    /// Files or documents that could not be checked.
    pub errors: Vec<LoadError>,
    pub files: usize,
    pub objects: usize,
    /// Documents that are not Kubernetes objects (no `apiVersion`/`kind`).
    pub skipped_documents: usize,
    /// NetworkPolicy selector/peer evaluations the run made (the connectivity rules' cost;
    /// tests use it to prove linear growth).
    pub netpol_evaluations: usize,
}

impl Report {
    /// The worst severity among active findings.
    pub fn max_severity(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }

    /// How many active findings have exactly severity `s`.
    pub fn count(&self, s: Severity) -> usize {
        self.findings.iter().filter(|f| f.severity == s).count()
    }
}

/// One parsed file: its objects or its error.
struct Parsed {
    objects: Vec<Object>,
    skipped: usize,
    error: Option<LoadError>,
}

fn parse_one(file: usize, name: &str, text: &str, default_ns: &str) -> Parsed {
    match skyform_yaml::parse_stream(text) {
        Ok(docs) => load(file, docs, default_ns),
        Err(e) => Parsed {
            objects: Vec::new(),
            skipped: 0,
            error: Some(LoadError {
                file: name.to_string(),
                line: e.span.line,
                column: e.span.column,
                message: e.message,
            }),
        },
    }
}

/// The objects of one file's documents (`kind: List` expanded).
fn load(file: usize, docs: Vec<Node>, default_ns: &str) -> Parsed {
    let mut objects = Vec::new();
    let mut skipped = 0;
    let mut stack: Vec<Node> = docs.into_iter().rev().collect();
    while let Some(doc) = stack.pop() {
        let is_list = doc.get("kind").and_then(Node::as_str).is_some_and(|k| k == "List" || k.ends_with("List"))
            && doc.get("items").and_then(Node::as_seq).is_some();
        if is_list {
            if let Value::Map(entries) = doc.value {
                for e in entries {
                    if e.key == "items"
                        && let Value::Seq(items) = e.value.value
                    {
                        stack.extend(items.into_iter().rev());
                    }
                }
            }
            continue;
        }
        match Object::from_node(file, doc, default_ns) {
            Some(o) => objects.push(o),
            None => skipped += 1,
        }
    }
    Parsed { objects, skipped, error: None }
}

/// The rules a run uses: default-enabled ones plus `enable`, minus `disable`.
pub fn enabled_rules(options: &Options) -> Vec<&'static Rule> {
    ALL_RULES
        .iter()
        .filter(|r| r.default_enabled || options.enable.iter().any(|k| r.is(k) || k == "all"))
        .filter(|r| !options.disable.iter().any(|k| r.is(k)))
        .collect()
}

/// Checks a set of files as one input (cross-file references resolve across all of them).
pub fn check<S: AsRef<str> + Sync>(inputs: &[(S, S)], options: &Options) -> Report {
    let parsed: Vec<Parsed> = inputs
        .par_iter()
        .enumerate()
        .map(|(i, (name, text))| parse_one(i, name.as_ref(), text.as_ref(), &options.default_namespace))
        .collect();
    let names: Vec<&str> = inputs.iter().map(|(n, _)| n.as_ref()).collect();
    check_loaded(&names, parsed, options)
}

/// One file already parsed into located documents, e.g. by a writer that builds the
/// trees of the text it writes (`skyform_render::output::located_files`).
pub struct ParsedFile<'a> {
    pub name: &'a str,
    /// The file's documents, as `skyform_yaml::parse_stream` of its text returns them.
    pub documents: Vec<Node>,
}

/// [`check`] of files already parsed: the same rules, findings and order as [`check`] of
/// their texts, without parsing them.
pub fn check_parsed(files: Vec<ParsedFile<'_>>, options: &Options) -> Report {
    let names: Vec<&str> = files.iter().map(|f| f.name).collect();
    let parsed: Vec<Parsed> =
        files.into_par_iter().enumerate().map(|(i, f)| load(i, f.documents, &options.default_namespace)).collect();
    check_loaded(&names, parsed, options)
}

/// The checking after parsing, shared by [`check`] and [`check_parsed`].
fn check_loaded(inputs: &[&str], parsed: Vec<Parsed>, options: &Options) -> Report {
    let mut report = Report { files: inputs.len(), ..Report::default() };
    let mut objects = Vec::new();
    for p in parsed {
        report.skipped_documents += p.skipped;
        report.errors.extend(p.error);
        objects.extend(p.objects);
    }
    report.objects = objects.len();
    let index = Index::new(&objects);
    let cx = Cx { index: &index, options };
    let rules = enabled_rules(options);
    let mut findings: Vec<Finding> = objects
        .par_iter()
        .flat_map_iter(|obj| {
            let mut found = Vec::new();
            for rule in &rules {
                let mut out = Out::default();
                (rule.check)(&cx, obj, &mut out);
                for hit in out.hits {
                    found.push(Finding {
                        rule: rule.id,
                        name: rule.name,
                        severity: hit.severity.unwrap_or(rule.severity),
                        file: inputs[obj.file].to_string(),
                        line: hit.span.line,
                        column: hit.span.column,
                        span: hit.span,
                        object: obj.object_ref(),
                        message: hit.message,
                        hint: hit.hint.unwrap_or_else(|| rule.hint.to_string()),
                    });
                }
            }
            if options.inline_waivers {
                let waived = inline_waived(obj);
                found.retain(|f| !waived.iter().any(|w| w == "all" || w.eq_ignore_ascii_case(f.rule) || w == f.name));
            }
            found
        })
        .collect();
    let order: std::collections::HashMap<&str, usize> = inputs.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    findings.sort_by(|a, b| {
        (order.get(a.file.as_str()), a.line, a.column, a.rule, &a.message).cmp(&(
            order.get(b.file.as_str()),
            b.line,
            b.column,
            b.rule,
            &b.message,
        ))
    });
    findings.dedup();
    report.netpol_evaluations = index.net.evaluations();
    drop(index);
    // Freeing thousands of located trees is a measurable part of a large check: done on
    // every core.
    objects.into_par_iter().for_each(drop);
    let (active, waived, expired) = waiver::apply(findings, &options.waivers, options.today);
    report.findings = active;
    report.waived = waived;
    report.expired_waivers = expired;
    report
}

fn inline_waived(obj: &Object) -> Vec<String> {
    let mut out = Vec::new();
    let from = |ann: Option<&Node>, out: &mut Vec<String>| {
        if let Some(v) = ann.and_then(|a| a.get(INLINE_WAIVER_ANNOTATION)).and_then(Node::as_str) {
            out.extend(v.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()));
        }
    };
    from(obj.annotations(), &mut out);
    from(obj.pod().and_then(|p| p.annotations()), &mut out);
    out
}

#[cfg(test)]
mod tests;
