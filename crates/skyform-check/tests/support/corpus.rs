//! A seeded generator of varied, realistic Kubernetes manifests with *known* violations,
//! for agreement tests against other tools and for benchmarks.
//!
//! Each generated "app" is a namespace-scoped bundle: a workload (Deployment,
//! StatefulSet, DaemonSet, Job or CronJob), its ServiceAccount, Service, Ingress,
//! NetworkPolicies, RBAC, ConfigMap, PDB/HPA and a few CRD objects (ServiceMonitor,
//! Certificate, ExternalSecret). Starting from a hardened baseline, each app receives a
//! random subset of [`Violation`]s; [`Corpus::injected`] records which rule each one
//! must trigger on which object. Same seed → byte-identical output.
//!
//! Test and benchmark support, not part of the library: tests include it with
//! `#[path = "support/corpus.rs"] mod corpus;`, the `gen-corpus` example likewise.
#![allow(dead_code)]

use std::fmt::Write as _;

/// A tiny deterministic PRNG (SplitMix64); no dependency, stable across platforms.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % (n.max(1) as u64)) as usize
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// A violation the generator can inject, and the rule that must catch it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Violation {
    Privileged,
    HostNetwork,
    HostPid,
    DockerSocket,
    NoRunAsNonRoot,
    EscalationAllowed,
    AddSysAdmin,
    NoDropAll,
    WritableRootFs,
    LatestTag,
    NoResources,
    NoProbes,
    LiteralSecret,
    LoadBalancer,
    IngressNoTls,
    WildcardRole,
    ClusterAdmin,
    SecretsReader,
    NoSeccomp,
    AutomountToken,
    DefaultNamespace,
    NoNetworkPolicy,
}

impl Violation {
    pub const ALL: &'static [Violation] = &[
        Violation::Privileged,
        Violation::HostNetwork,
        Violation::HostPid,
        Violation::DockerSocket,
        Violation::NoRunAsNonRoot,
        Violation::EscalationAllowed,
        Violation::AddSysAdmin,
        Violation::NoDropAll,
        Violation::WritableRootFs,
        Violation::LatestTag,
        Violation::NoResources,
        Violation::NoProbes,
        Violation::LiteralSecret,
        Violation::LoadBalancer,
        Violation::IngressNoTls,
        Violation::WildcardRole,
        Violation::ClusterAdmin,
        Violation::SecretsReader,
        Violation::NoSeccomp,
        Violation::AutomountToken,
        Violation::DefaultNamespace,
        Violation::NoNetworkPolicy,
    ];

    /// The rule that must report this violation.
    pub fn rule(self) -> &'static str {
        match self {
            Violation::Privileged => "POD-001",
            Violation::HostNetwork => "POD-004",
            Violation::HostPid => "POD-002",
            Violation::DockerSocket => "POD-007",
            Violation::NoRunAsNonRoot => "POD-022",
            Violation::EscalationAllowed => "POD-021",
            Violation::AddSysAdmin => "POD-008",
            Violation::NoDropAll => "POD-025",
            Violation::WritableRootFs => "POD-030",
            Violation::LatestTag => "IMG-001",
            Violation::NoResources => "RES-001",
            Violation::NoProbes => "REL-001",
            Violation::LiteralSecret => "SEC-001",
            Violation::LoadBalancer => "NET-003",
            Violation::IngressNoTls => "NET-004",
            Violation::WildcardRole => "RBAC-004",
            Violation::ClusterAdmin => "RBAC-003",
            Violation::SecretsReader => "RBAC-005",
            Violation::NoSeccomp => "POD-024",
            Violation::AutomountToken => "RBAC-001",
            Violation::DefaultNamespace => "API-007",
            Violation::NoNetworkPolicy => "NET-001",
        }
    }
}

/// One injected violation: the rule that must fire and the object (`Kind/ns/name`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Injected {
    pub rule: &'static str,
    pub object: String,
}

/// Generated files and what was injected into them.
#[derive(Clone, Debug, Default)]
pub struct Corpus {
    pub files: Vec<(String, String)>,
    pub injected: Vec<Injected>,
    pub objects: usize,
}

const WORDS: &[&str] = &[
    "api",
    "web",
    "auth",
    "billing",
    "search",
    "cart",
    "orders",
    "users",
    "media",
    "notify",
    "report",
    "gateway",
    "ledger",
    "catalog",
    "inventory",
    "shipping",
    "audit",
    "events",
    "ingest",
    "export",
];
const TEAMS: &[&str] = &["shop", "health", "data", "platform", "growth", "ops"];
const ENVS: &[&str] = &["prod", "staging", "dev"];
const IMAGES: &[&str] = &["ghcr.io/example", "registry.example.com/team", "docker.io/example"];
const WORKLOADS: &[&str] = &["Deployment", "Deployment", "Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"];

struct App<'a> {
    name: String,
    ns: String,
    kind: &'a str,
    v: Vec<Violation>,
    port: u32,
    replicas: u32,
}

impl App<'_> {
    fn has(&self, v: Violation) -> bool {
        self.v.contains(&v)
    }

    fn meta(&self, out: &mut String, name: &str, indent: &str) {
        let _ = writeln!(out, "{indent}name: {name}");
        let _ = writeln!(out, "{indent}namespace: {}", self.ns);
        let _ = writeln!(out, "{indent}labels:");
        let _ = writeln!(out, "{indent}  app.kubernetes.io/name: {}", self.name);
        let _ = writeln!(out, "{indent}  app.kubernetes.io/part-of: corpus");
    }

    /// The pod spec at indentation `i` (spaces), with the app's violations applied.
    fn pod_spec(&self, rng: &mut Rng, i: usize, restart: Option<&str>) -> String {
        let p = " ".repeat(i);
        let mut s = String::new();
        if let Some(r) = restart {
            let _ = writeln!(s, "{p}restartPolicy: {r}");
        }
        let _ = writeln!(s, "{p}serviceAccountName: {}", self.name);
        if !self.has(Violation::AutomountToken) {
            let _ = writeln!(s, "{p}automountServiceAccountToken: false");
        }
        if self.has(Violation::HostNetwork) {
            let _ = writeln!(s, "{p}hostNetwork: true");
        }
        if self.has(Violation::HostPid) {
            let _ = writeln!(s, "{p}hostPID: true");
        }
        let nonroot = !self.has(Violation::NoRunAsNonRoot);
        let seccomp = !self.has(Violation::NoSeccomp);
        if nonroot || seccomp {
            let _ = writeln!(s, "{p}securityContext:");
            if nonroot {
                let _ = writeln!(s, "{p}  runAsNonRoot: true");
                let _ = writeln!(s, "{p}  runAsUser: {}", rng.pick(&[1000, 1001, 10001, 65532]));
            }
            if seccomp {
                let _ = writeln!(s, "{p}  seccompProfile:\n{p}    type: RuntimeDefault");
            }
        }
        if self.kind == "Deployment" || self.kind == "StatefulSet" {
            let _ = writeln!(
                s,
                "{p}topologySpreadConstraints:\n{p}  - maxSkew: 1\n{p}    topologyKey: kubernetes.io/hostname\n{p}    whenUnsatisfiable: ScheduleAnyway\n{p}    labelSelector:\n{p}      matchLabels:\n{p}        app: {}",
                self.name
            );
        }
        let _ = writeln!(s, "{p}containers:");
        let _ = writeln!(s, "{p}  - name: {}", self.name);
        let image = if self.has(Violation::LatestTag) {
            format!("{}/{}:latest", rng.pick(IMAGES), self.name)
        } else {
            format!("{}/{}:{}.{}.{}", rng.pick(IMAGES), self.name, rng.below(4), rng.below(20), rng.below(10))
        };
        let _ = writeln!(s, "{p}    image: {image}");
        let _ = writeln!(s, "{p}    imagePullPolicy: IfNotPresent");
        let _ = writeln!(s, "{p}    ports:\n{p}      - name: http\n{p}        containerPort: {}", self.port);
        let _ = writeln!(s, "{p}    env:\n{p}      - name: LOG_LEVEL\n{p}        value: info");
        if self.has(Violation::LiteralSecret) {
            let _ = writeln!(s, "{p}      - name: DB_PASSWORD\n{p}        value: s3cr3t-{}", rng.below(100_000));
        } else {
            let _ = writeln!(
                s,
                "{p}      - name: DB_PASSWORD\n{p}        valueFrom:\n{p}          secretKeyRef:\n{p}            name: {}-db\n{p}            key: password",
                self.name
            );
        }
        let _ = writeln!(s, "{p}    securityContext:");
        if self.has(Violation::Privileged) {
            let _ = writeln!(s, "{p}      privileged: true");
        }
        if !self.has(Violation::EscalationAllowed) {
            let _ = writeln!(s, "{p}      allowPrivilegeEscalation: false");
        }
        if !self.has(Violation::WritableRootFs) {
            let _ = writeln!(s, "{p}      readOnlyRootFilesystem: true");
        }
        let _ = writeln!(s, "{p}      capabilities:");
        if self.has(Violation::NoDropAll) {
            let _ = writeln!(s, "{p}        drop:\n{p}          - NET_RAW");
        } else {
            let _ = writeln!(s, "{p}        drop:\n{p}          - ALL");
        }
        if self.has(Violation::AddSysAdmin) {
            let _ = writeln!(s, "{p}        add:\n{p}          - SYS_ADMIN");
        }
        if !self.has(Violation::NoResources) {
            let cpu = rng.pick(&["50m", "100m", "250m", "500m"]);
            let mem = rng.pick(&["64Mi", "128Mi", "256Mi", "512Mi"]);
            let _ = writeln!(
                s,
                "{p}    resources:\n{p}      requests:\n{p}        cpu: {cpu}\n{p}        memory: {mem}\n{p}      limits:\n{p}        cpu: \"1\"\n{p}        memory: 1Gi"
            );
        }
        if restart.is_none() && !self.has(Violation::NoProbes) {
            let _ = writeln!(
                s,
                "{p}    readinessProbe:\n{p}      httpGet:\n{p}        path: /ready\n{p}        port: http\n{p}    livenessProbe:\n{p}      httpGet:\n{p}        path: /live\n{p}        port: http\n{p}      periodSeconds: 20"
            );
        }
        let _ = writeln!(s, "{p}    volumeMounts:\n{p}      - name: tmp\n{p}        mountPath: /tmp");
        if self.has(Violation::DockerSocket) {
            let _ = writeln!(s, "{p}      - name: docker\n{p}        mountPath: /var/run/docker.sock");
        }
        let _ = writeln!(s, "{p}volumes:\n{p}  - name: tmp\n{p}    emptyDir: {{}}");
        if self.has(Violation::DockerSocket) {
            let _ = writeln!(s, "{p}  - name: docker\n{p}    hostPath:\n{p}      path: /var/run/docker.sock");
        }
        s
    }

    fn workload(&self, rng: &mut Rng) -> String {
        let mut s = String::new();
        let api = match self.kind {
            "Job" | "CronJob" => "batch/v1",
            _ => "apps/v1",
        };
        let _ = writeln!(s, "apiVersion: {api}\nkind: {}\nmetadata:", self.kind);
        self.meta(&mut s, &self.name, "  ");
        let _ = writeln!(s, "spec:");
        let labels = |s: &mut String, ind: &str| {
            let _ =
                writeln!(s, "{ind}labels:\n{ind}  app: {}\n{ind}  app.kubernetes.io/name: {}", self.name, self.name);
        };
        match self.kind {
            "CronJob" => {
                let _ = writeln!(
                    s,
                    "  schedule: \"{} {} * * *\"\n  startingDeadlineSeconds: 300\n  concurrencyPolicy: Forbid\n  jobTemplate:\n    spec:\n      ttlSecondsAfterFinished: 3600\n      template:\n        metadata:",
                    rng.below(60),
                    rng.below(24)
                );
                labels(&mut s, "          ");
                let _ = writeln!(s, "        spec:");
                s.push_str(&self.pod_spec(rng, 10, Some("OnFailure")));
            }
            "Job" => {
                let _ = writeln!(s, "  ttlSecondsAfterFinished: 86400\n  backoffLimit: 3\n  template:\n    metadata:");
                labels(&mut s, "      ");
                let _ = writeln!(s, "    spec:");
                s.push_str(&self.pod_spec(rng, 6, Some("Never")));
            }
            kind => {
                if kind != "DaemonSet" {
                    let _ = writeln!(s, "  replicas: {}", self.replicas);
                }
                if kind == "StatefulSet" {
                    let _ = writeln!(s, "  serviceName: {}", self.name);
                }
                let _ =
                    writeln!(s, "  selector:\n    matchLabels:\n      app: {}\n  template:\n    metadata:", self.name);
                labels(&mut s, "      ");
                let _ = writeln!(s, "    spec:");
                s.push_str(&self.pod_spec(rng, 6, None));
            }
        }
        s
    }
}

/// Generates about `target_objects` objects, `per_file` objects per file (multi-document).
pub fn generate(seed: u64, target_objects: usize, per_file: usize) -> Corpus {
    let mut rng = Rng::new(seed);
    let mut corpus = Corpus::default();
    let mut docs: Vec<String> = Vec::new();
    let mut n = 0usize;
    while corpus.objects + docs.len() < target_objects {
        n += 1;
        let team = *rng.pick(TEAMS);
        let env = *rng.pick(ENVS);
        let word = *rng.pick(WORDS);
        let name = format!("{word}-{n}");
        let mut v: Vec<Violation> = Vec::new();
        let clean = rng.chance(0.3);
        if !clean {
            for &viol in Violation::ALL {
                if rng.chance(0.12) {
                    v.push(viol);
                }
            }
        }
        let ns = if v.contains(&Violation::DefaultNamespace) { "default".to_string() } else { format!("{team}-{env}") };
        let kind = *rng.pick(WORKLOADS);
        let app = App {
            name: name.clone(),
            ns: ns.clone(),
            kind,
            v,
            port: *rng.pick(&[8080, 8000, 3000, 9090]),
            replicas: *rng.pick(&[2, 2, 3, 4]),
        };
        let obj = |k: &str, nm: &str| format!("{k}/{ns}/{nm}");
        for &viol in &app.v {
            let target = match viol {
                Violation::LoadBalancer if matches!(kind, "Job" | "CronJob") => continue,
                Violation::IngressNoTls if matches!(kind, "Job" | "CronJob" | "DaemonSet") => continue,
                Violation::LoadBalancer => obj("Service", &name),
                Violation::IngressNoTls => obj("Ingress", &name),
                Violation::WildcardRole | Violation::SecretsReader => obj("Role", &name),
                Violation::ClusterAdmin => format!("ClusterRoleBinding/{name}-admin"),
                Violation::NoProbes if matches!(kind, "Job" | "CronJob") => continue,
                Violation::NoNetworkPolicy if ns == "default" => obj(kind, &name),
                _ => obj(kind, &name),
            };
            corpus.injected.push(Injected { rule: viol.rule(), object: target });
        }
        docs.push(app.workload(&mut rng));
        let mut sa = String::from("apiVersion: v1\nkind: ServiceAccount\nmetadata:\n");
        app.meta(&mut sa, &name, "  ");
        if !app.has(Violation::AutomountToken) {
            sa.push_str("automountServiceAccountToken: false\n");
        }
        docs.push(sa);
        let mut es = String::from("apiVersion: external-secrets.io/v1\nkind: ExternalSecret\nmetadata:\n");
        app.meta(&mut es, &format!("{name}-db"), "  ");
        let _ = write!(
            es,
            "spec:\n  refreshInterval: 1h\n  secretStoreRef:\n    kind: ClusterSecretStore\n    name: vault\n  target:\n    name: {name}-db\n  data:\n    - secretKey: password\n      remoteRef:\n        key: {team}/{name}/db\n"
        );
        docs.push(es);
        let mut cm = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n");
        app.meta(&mut cm, &format!("{name}-config"), "  ");
        let _ = write!(cm, "data:\n  LOG_LEVEL: info\n  FEATURE_FLAGS: \"a,b,c\"\n");
        docs.push(cm);
        if matches!(kind, "Deployment" | "StatefulSet" | "DaemonSet") {
            let mut svc = String::from("apiVersion: v1\nkind: Service\nmetadata:\n");
            app.meta(&mut svc, &name, "  ");
            svc.push_str("spec:\n");
            if app.has(Violation::LoadBalancer) {
                svc.push_str("  type: LoadBalancer\n");
            }
            if kind == "StatefulSet" {
                svc.push_str("  clusterIP: None\n");
            }
            let _ = write!(
                svc,
                "  selector:\n    app: {name}\n  ports:\n    - name: http\n      port: 80\n      targetPort: http\n"
            );
            docs.push(svc);
            if kind != "DaemonSet" {
                let mut ing = String::from("apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n");
                app.meta(&mut ing, &name, "  ");
                let host = format!("{name}.{env}.example.com");
                ing.push_str("spec:\n  ingressClassName: nginx\n");
                if !app.has(Violation::IngressNoTls) {
                    let _ = write!(ing, "  tls:\n    - hosts:\n        - {host}\n      secretName: {name}-tls\n");
                }
                let _ = write!(
                    ing,
                    "  rules:\n    - host: {host}\n      http:\n        paths:\n          - path: /\n            pathType: Prefix\n            backend:\n              service:\n                name: {name}\n                port:\n                  name: http\n"
                );
                docs.push(ing);
                let mut pdb = String::from("apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n");
                app.meta(&mut pdb, &name, "  ");
                let _ = write!(pdb, "spec:\n  maxUnavailable: 1\n  selector:\n    matchLabels:\n      app: {name}\n");
                docs.push(pdb);
                let mut sm = String::from("apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata:\n");
                app.meta(&mut sm, &name, "  ");
                let _ = write!(
                    sm,
                    "spec:\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: {name}\n  endpoints:\n    - port: http\n      interval: 30s\n"
                );
                docs.push(sm);
                let mut cert = String::from("apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata:\n");
                app.meta(&mut cert, &format!("{name}-tls"), "  ");
                let _ = write!(
                    cert,
                    "spec:\n  secretName: {name}-tls\n  dnsNames:\n    - {host}\n  issuerRef:\n    kind: ClusterIssuer\n    name: letsencrypt\n"
                );
                docs.push(cert);
            }
        }
        if !app.has(Violation::NoNetworkPolicy) {
            let mut np = String::from("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n");
            app.meta(&mut np, &format!("{name}-default-deny"), "  ");
            let _ = write!(
                np,
                "spec:\n  podSelector:\n    matchLabels:\n      app: {name}\n  policyTypes:\n    - Ingress\n    - Egress\n"
            );
            docs.push(np);
        }
        let mut role = String::from("apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n");
        app.meta(&mut role, &name, "  ");
        role.push_str("rules:\n");
        if app.has(Violation::WildcardRole) {
            role.push_str("  - apiGroups:\n      - \"*\"\n    resources:\n      - \"*\"\n    verbs:\n      - \"*\"\n");
        } else {
            role.push_str("  - apiGroups:\n      - \"\"\n    resources:\n      - configmaps\n    verbs:\n      - get\n      - watch\n");
        }
        if app.has(Violation::SecretsReader) {
            role.push_str("  - apiGroups:\n      - \"\"\n    resources:\n      - secrets\n    verbs:\n      - get\n      - list\n");
        }
        docs.push(role);
        let mut rb = String::from("apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n");
        app.meta(&mut rb, &name, "  ");
        let _ = write!(
            rb,
            "roleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: {name}\nsubjects:\n  - kind: ServiceAccount\n    name: {name}\n    namespace: {ns}\n"
        );
        docs.push(rb);
        if app.has(Violation::ClusterAdmin) {
            docs.push(format!("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: {name}-admin\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: cluster-admin\nsubjects:\n  - kind: ServiceAccount\n    name: {name}\n    namespace: {ns}\n"));
        }
        // Flush full files.
        while docs.len() >= per_file.max(1) {
            let rest = docs.split_off(per_file.max(1));
            push_file(&mut corpus, std::mem::replace(&mut docs, rest));
        }
    }
    if !docs.is_empty() {
        push_file(&mut corpus, docs);
    }
    corpus
}

fn push_file(corpus: &mut Corpus, docs: Vec<String>) {
    corpus.objects += docs.len();
    let name = format!("manifests-{:05}.yaml", corpus.files.len());
    corpus.files.push((name, docs.join("---\n")));
}
