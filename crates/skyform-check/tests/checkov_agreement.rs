//! Agreement with the real `checkov` on a generated corpus plus `helm create` charts
//! rendered by the real `helm`.
//!
//! For every checkov check that a skyform rule maps to (the rule's `refs.checkov`), the
//! set of objects each tool fails is compared. Every disagreement must be explained by
//! an entry of `test-data/checkov/explanations.yaml`; the full list, with the
//! explanation of each, is the snapshot `test-data/checkov/disagreements.snap`.
//!
//! The tools come from `scripts/setup-tools` (`.tools/bin/checkov`, `.tools/bin/helm`).
//! When they are missing this test FAILS: it is never silently skipped.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "support/corpus.rs"]
mod corpus;

use skyform_check::model::CLUSTER_SCOPED;
use skyform_check::{ALL_RULES, Options, check};

const WORKLOADS: &[&str] = &["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod"];

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn tool(name: &str) -> PathBuf {
    let p = repo().join(".tools/bin").join(name);
    assert!(p.exists(), "`{}` is missing: run scripts/setup-tools (this test never skips)", p.display());
    p
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success() || out.status.code() == Some(1),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `Kind/ns/name`, without namespace for cluster-scoped kinds (skyform's format).
fn key(kind: &str, ns: &str, name: &str) -> String {
    if CLUSTER_SCOPED.contains(&kind) { format!("{kind}/{name}") } else { format!("{kind}/{ns}/{name}") }
}

struct Explanation {
    checkov: String,
    side: String,
    object: String,
    reason: String,
}

fn explanations() -> Vec<Explanation> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("test-data/checkov/explanations.yaml");
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let doc = skyform_yaml::parse_document(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let field =
        |n: &skyform_yaml::Node, k: &str| n.get(k).and_then(skyform_yaml::Node::scalar_text).unwrap_or_default();
    doc.get("explanations")
        .and_then(skyform_yaml::Node::as_seq)
        .unwrap_or(&[])
        .iter()
        .map(|n| Explanation {
            checkov: field(n, "checkov"),
            side: field(n, "side"),
            object: {
                let o = field(n, "object");
                if o.is_empty() { "*".to_string() } else { o }
            },
            reason: field(n, "reason").split_whitespace().collect::<Vec<_>>().join(" "),
        })
        .collect()
}

#[test]
fn checkov_agreement() {
    let checkov = tool("checkov");
    let helm = tool("helm");
    let dir = std::env::temp_dir().join(format!("skyform-checkov-agreement-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("scan")).unwrap_or_else(|e| panic!("{e}"));

    // 1. The generated corpus.
    let corpus = corpus::generate(11, 400, 20);
    for (name, text) in &corpus.files {
        std::fs::write(dir.join("scan").join(name), text).unwrap_or_else(|e| panic!("{e}"));
    }
    // 2. `helm create` charts, rendered with default and with production-like values.
    run(Command::new(&helm)
        .arg("create")
        .arg(dir.join("demo"))
        .env("HELM_CACHE_HOME", dir.join("hc"))
        .env("HELM_CONFIG_HOME", dir.join("hcfg"))
        .env("HELM_DATA_HOME", dir.join("hd")));
    for (release, extra) in [
        ("demo", vec![]),
        (
            "demo-prod",
            vec![
                "--namespace",
                "demo-prod",
                "--set",
                "autoscaling.enabled=true,ingress.enabled=true,service.type=LoadBalancer",
            ],
        ),
    ] {
        let mut cmd = Command::new(&helm);
        cmd.arg("template").arg(release).arg(dir.join("demo")).args(extra);
        cmd.env("HELM_CACHE_HOME", dir.join("hc"))
            .env("HELM_CONFIG_HOME", dir.join("hcfg"))
            .env("HELM_DATA_HOME", dir.join("hd"));
        let text = run(&mut cmd);
        assert!(text.contains("kind: Deployment"), "helm template produced no Deployment");
        std::fs::write(dir.join("scan").join(format!("helm-{release}.yaml")), text).unwrap_or_else(|e| panic!("{e}"));
    }

    // 3. skyform, all rules enabled (opt-in ones map to checkov checks too).
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir.join("scan"))
        .unwrap_or_else(|e| panic!("{e}"))
        .flatten()
        .map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read_to_string(e.path()).unwrap_or_default()))
        .collect();
    files.sort();
    let report = check(&files, &Options { enable: vec!["all".to_string()], ..Options::default() });
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    // Every object of the input, by key and kind (for "both pass" counts).
    let mut all_objects: BTreeMap<String, String> = BTreeMap::new();
    for (_, text) in &files {
        for doc in skyform_yaml::parse_stream(text).unwrap_or_default() {
            if let Some(o) = skyform_check::model::Object::from_node(0, doc, "default") {
                all_objects.insert(o.object_ref().to_string(), o.kind.clone());
            }
        }
    }
    // checkov models a workload's pod template as a synthetic `Pod` named
    // `<workload>.<label>-<value>...`; attribute those findings to the workload.
    let normalize = |k: String, kind: &str, ns: &str, name: &str| -> String {
        if all_objects.contains_key(&k) || kind != "Pod" {
            return k;
        }
        let owner = name.split('.').next().unwrap_or(name);
        let suffix = format!("/{ns}/{owner}");
        all_objects
            .keys()
            .find(|o| o.ends_with(&suffix) && WORKLOADS.iter().any(|w| o.starts_with(&format!("{w}/"))))
            .cloned()
            .unwrap_or(k)
    };

    // 4. checkov.
    let json = run(Command::new(&checkov)
        .args(["--framework", "kubernetes", "--skip-download", "-o", "json", "--quiet", "-d"])
        .arg(dir.join("scan"))
        .env("HOME", &dir));
    let value: serde_json::Value = serde_json::from_str(&json).unwrap_or_else(|e| panic!("checkov JSON: {e}\n{json}"));
    let runs = if value.is_array() { value.as_array().cloned().unwrap_or_default() } else { vec![value] };
    let mut ck_fail: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut ck_seen: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for r in &runs {
        for (list, failed) in [("failed_checks", true), ("passed_checks", false)] {
            for c in r["results"][list].as_array().into_iter().flatten() {
                let id = c["check_id"].as_str().unwrap_or_default().to_string();
                let res = c["resource"].as_str().unwrap_or_default();
                let mut parts = res.splitn(3, '.');
                let (kind, ns, name) =
                    (parts.next().unwrap_or(""), parts.next().unwrap_or(""), parts.next().unwrap_or(""));
                let k = normalize(key(kind, ns, name), kind, ns, name);
                ck_seen.entry(id.clone()).or_default().insert(k.clone());
                if failed {
                    ck_fail.entry(id).or_default().insert(k);
                }
            }
        }
    }
    assert!(!ck_seen.is_empty(), "checkov evaluated nothing:\n{json}");

    // 5. Compare, per checkov id that some skyform rule maps to.
    let mut mapping: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for r in ALL_RULES {
        for c in r.refs.checkov {
            mapping.entry(c).or_default().push(r.id);
        }
    }
    let explanations = explanations();
    let mut listing = String::new();
    let mut unexplained = Vec::new();
    let (mut both_fail, mut both_pass, mut disagree) = (0usize, 0usize, 0usize);
    let mut per_check = String::new();
    for (ck, rules) in &mapping {
        let ours: BTreeSet<String> =
            report.findings.iter().filter(|f| rules.contains(&f.rule)).map(|f| f.object.to_string()).collect();
        let theirs = ck_fail.get(*ck).cloned().unwrap_or_default();
        // checkov's `--quiet` output lists failures only, so the universe of a check is
        // every input object of a kind that either tool reported for it.
        let kinds: BTreeSet<&str> = ours
            .iter()
            .chain(theirs.iter())
            .chain(ck_seen.get(*ck).into_iter().flatten())
            .filter_map(|o| o.split('/').next())
            .collect();
        let universe: BTreeSet<String> = all_objects
            .iter()
            .filter(|(_, kind)| kinds.contains(kind.as_str()))
            .map(|(k, _)| k.clone())
            .chain(ours.iter().cloned())
            .chain(theirs.iter().cloned())
            .collect();
        let (mut bf, mut bp, mut d) = (0, 0, 0);
        for obj in &universe {
            let (a, b) = (ours.contains(obj), theirs.contains(obj));
            if a == b {
                if a {
                    bf += 1
                } else {
                    bp += 1
                }
                continue;
            }
            d += 1;
            let side = if a { "skyform-only" } else { "checkov-only" };
            let ex = explanations
                .iter()
                .find(|e| e.checkov == *ck && e.side == side && skyform_check::waiver::glob(&e.object, obj));
            match ex {
                Some(e) => {
                    let _ = writeln!(listing, "{ck} ({}) {side} {obj}\n    because: {}", rules.join(","), e.reason);
                }
                None => unexplained.push(format!("{ck} ({}) {side} {obj}", rules.join(","))),
            }
        }
        if !universe.is_empty() {
            let _ = writeln!(
                per_check,
                "{ck:<12} -> {:<18} both-fail {bf:>4}  both-pass {bp:>4}  disagree {d:>4}",
                rules.join(",")
            );
        }
        both_fail += bf;
        both_pass += bp;
        disagree += d;
    }
    let total = both_fail + both_pass + disagree;
    let summary = format!(
        "corpus: {} generated objects + 2 helm-create renders; checkov checks compared: {}\nagreement: {} of {} (object, check) pairs ({:.1}%): both fail {both_fail}, both pass {both_pass}, disagree {disagree}\n\n{per_check}\n",
        corpus.objects,
        per_check.lines().count(),
        both_fail + both_pass,
        total,
        if total == 0 { 0.0 } else { 100.0 * (both_fail + both_pass) as f64 / total as f64 },
    );
    println!("{summary}");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        unexplained.is_empty(),
        "{} unexplained disagreements with checkov:\n{}",
        unexplained.len(),
        unexplained.join("\n")
    );
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(Path::new(env!("CARGO_MANIFEST_DIR")).join("test-data/checkov"));
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!("disagreements", format!("{summary}{listing}")));
}
