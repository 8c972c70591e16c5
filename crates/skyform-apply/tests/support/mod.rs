//! Shared harness of the integration tests: the live server's kubeconfigs (a missing
//! test environment is a loud failure, never a skip), the node simulator started once per
//! test binary, and a small platform's objects built as plain JSON.

#![allow(dead_code)]

pub mod chart;
pub mod sim;

use serde_json::{Value, json};
use skyform_apply::{Cluster, Manifest, ServiceInfo, Target};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::OnceLock;
use std::sync::atomic::AtomicBool;

/// The admin kubeconfig of the running test env. Panics (fails the test) without it.
pub fn admin_kubeconfig() -> PathBuf {
    kubeconfig_var("SKYFORM_E2E_KUBECONFIG")
}

/// The unprivileged user's kubeconfig.
pub fn user_kubeconfig() -> PathBuf {
    kubeconfig_var("SKYFORM_E2E_USER_KUBECONFIG")
}

fn kubeconfig_var(var: &str) -> PathBuf {
    match std::env::var_os(var) {
        Some(p) if PathBuf::from(&p).is_file() => PathBuf::from(p),
        _ => panic!(
            "\n\n*** {var} is not set or not a file: these tests need the live Kubernetes API server.\n\
             *** Run them with scripts/e2e-apply, which starts scripts/kube-testenv and sets it.\n\n"
        ),
    }
}

/// What the binary hands the engine: the kubeconfig read from `path`, and the clock.
pub fn target(path: &std::path::Path, context: Option<&str>) -> Target {
    let kubeconfig = skyform_apply::Kubeconfig::read_from(path).expect("a readable kubeconfig");
    Target { kubeconfig, context: context.map(str::to_string), clock: std::time::Instant::now }
}

/// Connects as admin, and makes sure the node simulator runs.
pub async fn admin() -> Cluster {
    let path = admin_kubeconfig();
    start_simulator(path.clone());
    Cluster::connect(&target(&path, None)).await.expect("connect as admin")
}

static SIM: OnceLock<Arc<AtomicBool>> = OnceLock::new();

/// Starts the node simulator on its own thread and runtime (once per test binary).
pub fn start_simulator(kubeconfig: PathBuf) {
    SIM.get_or_init(|| {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("sim runtime");
            rt.block_on(async move {
                let cluster = Cluster::connect(&target(&kubeconfig, None)).await.expect("simulator: connect");
                sim::run(cluster.client(), flag).await;
            });
        });
        stop
    });
}

/// Knobs of the test platform.
#[derive(Clone, Debug)]
pub struct Shop {
    pub name: String,
    /// `greeting` in the app ConfigMap.
    pub greeting: String,
    /// Tag of the api image.
    pub api_tag: String,
    /// Whether the `worker` service (Deployment, Service, PVC) exists.
    pub worker: bool,
    /// Adds an autoscaling/v2 HPA (Kubernetes 1.23+).
    pub hpa_v2: bool,
    /// Whether the data tier (its namespace, the postgres StatefulSet and Service) exists.
    pub data: bool,
    /// Extra objects (custom resources of a test's own CRDs).
    pub extra: Vec<Value>,
    pub api_replicas: u32,
}

impl Shop {
    /// A platform named `<name>-<pid>`, so that reruns against one server never share
    /// state.
    pub fn new(name: &str) -> Shop {
        Shop {
            name: format!("{name}-{}", std::process::id()),
            greeting: "hello".into(),
            api_tag: "1.0.0".into(),
            worker: true,
            hpa_v2: false,
            data: true,
            extra: Vec::new(),
            api_replicas: 2,
        }
    }

    pub fn app_ns(&self) -> String {
        format!("{}-app", self.name)
    }

    pub fn data_ns(&self) -> String {
        format!("{}-data", self.name)
    }

    /// The objects, in the shape skyform's renderer produces.
    pub fn objects(&self) -> Vec<Value> {
        let p = &self.name;
        let app = self.app_ns();
        let data = self.data_ns();
        let labels = |svc: Option<&str>| {
            let mut l = json!({"app.kubernetes.io/managed-by": "skyform", "app.kubernetes.io/part-of": p});
            if let Some(s) = svc {
                l["app.kubernetes.io/name"] = json!(s);
                l["app.kubernetes.io/instance"] = json!(p);
            }
            l
        };
        let ns = |n: &str| json!({"apiVersion":"v1","kind":"Namespace","metadata":{"name":n,"labels":labels(None)}});
        let service = |name: &str, ns: &str, port: u16| {
            json!({
            "apiVersion":"v1","kind":"Service",
            "metadata":{"name":name,"namespace":ns,"labels":labels(Some(name))},
            "spec":{"selector":{"app.kubernetes.io/name":name,"app.kubernetes.io/instance":p},
                "ports":[{"name":"http","port":port,"targetPort":port}]}})
        };
        let pod = |name: &str, image: &str, port: u16| {
            json!({
            "metadata":{"labels":{"app.kubernetes.io/name":name,"app.kubernetes.io/instance":p}},
            "spec":{"automountServiceAccountToken":false,
                "securityContext":{"runAsNonRoot":true,"runAsUser":10001,"seccompProfile":{"type":"RuntimeDefault"}},
                "containers":[{"name":name,"image":image,"ports":[{"name":"http","containerPort":port}],
                "resources":{"requests":{"cpu":"50m","memory":"64Mi"},"limits":{"cpu":"200m","memory":"128Mi"}},
                "securityContext":{"allowPrivilegeEscalation":false,"readOnlyRootFilesystem":true,"capabilities":{"drop":["ALL"]}}}]}})
        };
        let deployment = |name: &str, image: &str, replicas: u32, port: u16| {
            json!({
            "apiVersion":"apps/v1","kind":"Deployment",
            "metadata":{"name":name,"namespace":app,"labels":labels(Some(name))},
            "spec":{"replicas":replicas,
                "selector":{"matchLabels":{"app.kubernetes.io/name":name,"app.kubernetes.io/instance":p}},
                "template":pod(name,image,port)}})
        };
        let mut out = vec![
            ns(&app),
            ns(&data),
            json!({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"app-config","namespace":app,"labels":labels(None)},
                "data":{"greeting":self.greeting}}),
            json!({"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy",
                "metadata":{"name":"default-deny","namespace":app,"labels":labels(None)},
                "spec":{"podSelector":{},"policyTypes":["Ingress","Egress"]}}),
            service("postgres", &data, 5432),
            json!({"apiVersion":"apps/v1","kind":"StatefulSet",
                "metadata":{"name":"postgres","namespace":data,"labels":labels(Some("postgres"))},
                "spec":{"replicas":1,"serviceName":"postgres",
                    "selector":{"matchLabels":{"app.kubernetes.io/name":"postgres","app.kubernetes.io/instance":p}},
                    "template":pod("postgres","postgres:16",5432),
                    "volumeClaimTemplates":[{"metadata":{"name":"data"},
                        "spec":{"accessModes":["ReadWriteOnce"],"storageClassName":"sim","resources":{"requests":{"storage":"1Gi"}}}}]}}),
            service("api", &app, 8080),
            deployment("api", &format!("example/api:{}", self.api_tag), self.api_replicas, 8080),
            service("web", &app, 8080),
            deployment("web", "example/web:1.0.0", 1, 8080),
        ];
        if self.worker {
            out.push(service("worker", &app, 9000));
            out.push(deployment("worker", "example/worker:1.0.0", 1, 9000));
            out.push(json!({"apiVersion":"v1","kind":"PersistentVolumeClaim",
                "metadata":{"name":"worker-cache","namespace":app,"labels":labels(Some("worker"))},
                "spec":{"accessModes":["ReadWriteOnce"],"storageClassName":"sim","resources":{"requests":{"storage":"1Gi"}}}}));
        }
        if !self.data {
            out.retain(|o| {
                o["metadata"]["namespace"] != json!(data)
                    && !(o["kind"] == "Namespace" && o["metadata"]["name"] == json!(data))
            });
        }
        out.extend(self.extra.iter().cloned());
        if self.hpa_v2 {
            out.push(json!({"apiVersion":"autoscaling/v2","kind":"HorizontalPodAutoscaler",
                "metadata":{"name":"api","namespace":app,"labels":labels(Some("api"))},
                "spec":{"scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"api"},"minReplicas":2,"maxReplicas":5,
                    "metrics":[{"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":70}}}]}}));
        }
        out
    }

    pub fn manifests(&self) -> Vec<Manifest> {
        Manifest::from_values(self.objects()).expect("fixture objects are valid")
    }

    pub fn services(&self) -> Vec<ServiceInfo> {
        let s = |n: &str, deps: &[&str], data: bool| ServiceInfo {
            name: n.into(),
            depends_on: deps.iter().map(|d| d.to_string()).collect(),
            data,
        };
        let mut v = vec![s("api", &["postgres"], false), s("web", &["api"], false)];
        if self.data {
            v.insert(0, s("postgres", &[], true));
        }
        if self.worker {
            v.push(s("worker", &["postgres"], false));
        }
        v
    }

    pub fn options(&self) -> skyform_apply::ApplyOptions {
        skyform_apply::ApplyOptions {
            platform: self.name.clone(),
            environment: "dev".into(),
            force_conflicts: false,
            prune_data: false,
            wave_timeout: std::time::Duration::from_secs(90),
            reason: "apply".into(),
            no_bootstrap: false,
            started: std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs()),
        }
    }
}
