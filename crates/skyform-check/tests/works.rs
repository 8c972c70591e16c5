//! The `WRK-` rules at scale: the connectivity rules' NetworkPolicy evaluations grow
//! linearly with the number of workloads (not with their square), and a correctly
//! wired large set is clean.

use std::fmt::Write as _;

use skyform_check::{Options, check};

/// `n` apps in one namespace behind a default deny, each with a Service, an ingress
/// policy admitting its client, and a client whose env names the app's Service and whose
/// egress policy allows exactly that flow (and DNS).
fn platform(n: usize) -> Vec<(String, String)> {
    let mut files = Vec::new();
    let mut s = String::from(
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: apps\n---\n\
         apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: default-deny\n  namespace: apps\n\
         spec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]\n---\n\
         apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: dns\n  namespace: apps\n\
         spec:\n  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n    - ports:\n        - port: 53\n          protocol: UDP\n---\n",
    );
    for i in 0..n {
        if i % 100 == 0 && !s.is_empty() {
            files.push((format!("set-{}.yaml", files.len()), std::mem::take(&mut s)));
        }
        let _ = write!(
            s,
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app{i}\n  namespace: apps\nspec:\n  selector:\n    matchLabels:\n      app: app{i}\n  template:\n    metadata:\n      labels:\n        app: app{i}\n    spec:\n      containers:\n        - name: app\n          image: ghcr.io/example/app:1.0.0\n          ports:\n            - name: http\n              containerPort: 8080\n---\n\
             apiVersion: v1\nkind: Service\nmetadata:\n  name: app{i}\n  namespace: apps\nspec:\n  selector:\n    app: app{i}\n  ports:\n    - port: 80\n      targetPort: http\n---\n\
             apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: app{i}-in\n  namespace: apps\nspec:\n  podSelector:\n    matchLabels:\n      app: app{i}\n  policyTypes: [Ingress]\n  ingress:\n    - from:\n        - podSelector:\n            matchLabels:\n              app: client{i}\n      ports:\n        - port: http\n---\n\
             apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: client{i}\n  namespace: apps\nspec:\n  selector:\n    matchLabels:\n      app: client{i}\n  template:\n    metadata:\n      labels:\n        app: client{i}\n    spec:\n      containers:\n        - name: client\n          image: ghcr.io/example/client:1.0.0\n          env:\n            - name: APP_URL\n              value: http://app{i}.apps.svc.cluster.local\n---\n\
             apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: client{i}-out\n  namespace: apps\nspec:\n  podSelector:\n    matchLabels:\n      app: client{i}\n  policyTypes: [Egress]\n  egress:\n    - to:\n        - podSelector:\n            matchLabels:\n              app: app{i}\n      ports:\n        - port: 8080\n---\n"
        );
    }
    files.push((format!("set-{}.yaml", files.len()), s));
    files
}

fn run(n: usize) -> skyform_check::Report {
    let options = Options { enable: vec![], ..Options::default() };
    check(&platform(n), &options)
}

#[test]
fn connectivity_grows_linearly_and_a_wired_set_is_clean() {
    let small = run(60);
    let large = run(600);
    assert!(large.errors.is_empty() && small.errors.is_empty(), "{:?} {:?}", large.errors, small.errors);
    for r in [&small, &large] {
        let works: Vec<String> = r
            .findings
            .iter()
            .filter(|f| f.rule.starts_with("WRK-"))
            .map(|f| format!("{}:{} {} {}", f.line, f.column, f.rule, f.message))
            .take(5)
            .collect();
        assert!(works.is_empty(), "{works:#?}");
    }
    assert!(small.netpol_evaluations > 0);
    let ratio = large.netpol_evaluations as f64 / small.netpol_evaluations as f64;
    eprintln!(
        "netpol evaluations: {} objects -> {}, {} objects -> {} ({ratio:.2}x)",
        small.objects, small.netpol_evaluations, large.objects, large.netpol_evaluations
    );
    assert!(
        (9.0..=11.0).contains(&ratio),
        "10x the workloads cost {ratio:.2}x the evaluations ({} vs {})",
        small.netpol_evaluations,
        large.netpol_evaluations
    );
}

#[test]
fn a_blocked_flow_in_the_large_set_is_found() {
    let files: Vec<(String, String)> = platform(200)
        .into_iter()
        .map(|(n, t)| {
            (
                n,
                t.replace(
                    "              app: client7\n      ports:\n        - port: http",
                    "              app: nobody\n      ports:\n        - port: http",
                ),
            )
        })
        .collect();
    let report = check(&files, &Options::default());
    let blocked: Vec<&skyform_check::Finding> = report.findings.iter().filter(|f| f.rule == "WRK-002").collect();
    assert_eq!(blocked.len(), 1, "{:#?}", blocked.iter().map(|f| &f.message).collect::<Vec<_>>());
    assert!(blocked[0].message.contains("client7") || blocked[0].object.name == "client7");
    assert!(blocked[0].message.contains("app7-in"), "{}", blocked[0].message);
}

/// Every `WRK-` defect fixture's findings with their hints (the per-rule snapshots in
/// `rules.rs` carry the messages only).
#[test]
fn works_findings_carry_located_hints() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("test-data/rules");
    let mut snap = String::new();
    for rule in skyform_check::ALL_RULES.iter().filter(|r| r.id.starts_with("WRK-")) {
        let text = std::fs::read_to_string(root.join(rule.id).join("fail.yaml")).unwrap_or_default();
        let report = check(&[(format!("{}/fail.yaml", rule.id), text)], &Options::default());
        for f in report.findings.iter().filter(|f| f.rule == rule.id) {
            assert!(!f.hint.is_empty());
            let _ = writeln!(snap, "{}:{}:{} {}\n    hint: {}", f.file, f.line, f.column, f.rule, f.hint);
        }
    }
    insta::assert_snapshot!(snap);
}
