//! Values of each release, generated from the platform file.
//!
//! Every value written here is a documented key of the pinned chart. Requests come from
//! the table's pod footprint ([`crate::table::Pods`]), so what the cost planner counts
//! is what the values ask for. Outside production, and always on `kind`, every
//! component runs one replica.

use crate::table::{Component, ComponentId, component};
use crate::{BootstrapSecret, Ctx, is_local};
use serde_json::{Value, json};
use skyform_model::{BackupMethod, ComponentKind, IngressController, LogStack, ProviderName};
use std::collections::BTreeSet;

/// Bucket Velero writes to: the one Terraform creates (`<platform>-<env>-backups`).
pub fn backup_bucket(cx: &Ctx<'_>) -> String {
    format!("{}-{}-backups", cx.model.name, cx.env.name)
}

/// The External-DNS provider of a cloud, if External-DNS supports it natively.
pub fn dns_provider(provider: ProviderName) -> Option<&'static str> {
    match provider.as_str() {
        "aws" => Some("aws"),
        "gcp" => Some("google"),
        "azure" => Some("azure"),
        "digitalocean" => Some("digitalocean"),
        "linode" => Some("linode"),
        "civo" => Some("civo"),
        "vultr" => Some("vultr"),
        _ => None,
    }
}

/// Serializes values as YAML (keys in insertion order).
pub fn to_yaml(v: &Value) -> String {
    match v {
        Value::Object(m) if m.is_empty() => "{}\n".to_string(),
        _ => serde_saphyr::to_string(v).unwrap_or_else(|_| "{}\n".to_string()),
    }
}

fn requests(c: &Component, pod: &str) -> Value {
    let p = c.pods.iter().find(|p| p.name == pod).unwrap_or(&c.pods[0]);
    json!({ "requests": { "cpu": format!("{}m", p.cpu_millis), "memory": format!("{}Mi", p.memory_mib) } })
}

fn replicas(cx: &Ctx<'_>, c: &Component, pod: &str) -> u32 {
    let p = c.pods.iter().find(|p| p.name == pod).unwrap_or(&c.pods[0]);
    if cx.ha() { p.replicas_production } else { p.replicas }
}

/// The values of one component.
pub fn values(cx: &Ctx<'_>, id: ComponentId, ids: &BTreeSet<ComponentId>) -> Value {
    let c = component(id);
    let metrics = ids.contains(&ComponentId::KubePrometheusStack);
    match id {
        ComponentId::CertManager => json!({
            "crds": { "enabled": true, "keep": true },
            "replicaCount": replicas(cx, c, "controller"),
            "resources": requests(c, "controller"),
            "podDisruptionBudget": { "enabled": cx.ha() },
            "webhook": { "replicaCount": replicas(cx, c, "webhook"), "resources": requests(c, "webhook") },
            "cainjector": { "replicaCount": replicas(cx, c, "cainjector"), "resources": requests(c, "cainjector") },
            "prometheus": { "enabled": metrics, "servicemonitor": { "enabled": metrics } },
            // Certificates for the Gateway's HTTPS listeners (cert-manager ≥ 1.15).
            "config": {
                "apiVersion": "controller.config.cert-manager.io/v1alpha1",
                "kind": "ControllerConfiguration",
                "enableGatewayAPI": ids.contains(&ComponentId::EnvoyGateway),
            },
        }),
        ComponentId::ExternalSecrets => json!({
            "installCRDs": true,
            "replicaCount": replicas(cx, c, "controller"),
            // More than one controller replica must elect a leader.
            "leaderElect": replicas(cx, c, "controller") > 1,
            "resources": requests(c, "controller"),
            "webhook": { "replicaCount": replicas(cx, c, "webhook"), "resources": requests(c, "webhook") },
            "certController": { "resources": requests(c, "cert-controller") },
            "serviceMonitor": { "enabled": metrics },
        }),
        ComponentId::SealedSecrets => json!({
            // kubeseal's default controller name (in its default namespace, kube-system).
            "fullnameOverride": "sealed-secrets-controller",
            "resources": requests(c, "controller"),
            "metrics": { "serviceMonitor": { "enabled": metrics } },
        }),
        ComponentId::KubePrometheusStack => prometheus_stack(cx, c, ids),
        ComponentId::Loki => loki(cx, c),
        ComponentId::Promtail => json!({
            "resources": requests(c, "promtail"),
            // The platform's Promtail configuration (ConfigMap `<platform>-promtail`,
            // written by the observability add-on) replaces the chart's.
            "extraVolumes": [{ "name": "skyform-config", "configMap": { "name": format!("{}-promtail", cx.model.name) } }],
            "extraVolumeMounts": [{ "name": "skyform-config", "mountPath": "/etc/skyform", "readOnly": true }],
            "extraArgs": ["-config.file=/etc/skyform/promtail.yaml"],
            "serviceMonitor": { "enabled": metrics },
        }),
        ComponentId::FluentBit => json!({
            "resources": requests(c, "fluent-bit"),
            // The platform's Fluent Bit configuration (ConfigMap `<platform>-fluent-bit`,
            // YAML format) replaces the chart's.
            "existingConfigMap": format!("{}-fluent-bit", cx.model.name),
            "args": ["--workdir=/fluent-bit/etc", "--config=/fluent-bit/etc/conf/fluent-bit.yaml"],
            "extraVolumes": [{ "name": "state", "hostPath": { "path": "/var/fluent-bit/state", "type": "DirectoryOrCreate" } }],
            "extraVolumeMounts": [{ "name": "state", "mountPath": "/var/fluent-bit/state" }],
            "serviceMonitor": { "enabled": metrics },
        }),
        ComponentId::Velero => velero(cx, c, metrics),
        ComponentId::Keda => json!({
            "resources": {
                "operator": requests(c, "operator"),
                "metricServer": requests(c, "metrics-apiserver"),
                "webhooks": requests(c, "admission-webhooks"),
            },
            "prometheus": { "operator": { "enabled": metrics, "serviceMonitor": { "enabled": metrics } } },
        }),
        ComponentId::KnativeOperator => json!({
            "knative_operator": { "knative_operator": { "resources": requests(c, "knative-operator") } },
        }),
        ComponentId::Cnpg => json!({
            "config": { "clusterWide": true },
            "resources": requests(c, "operator"),
            "monitoring": { "podMonitorEnabled": metrics },
        }),
        ComponentId::BarmanCloud => json!({ "resources": requests(c, "barman-cloud") }),
        ComponentId::ExternalDns => external_dns(cx, c, metrics),
        ComponentId::IngressNginx => ingress_nginx(cx, c, metrics),
        ComponentId::Traefik => json!({
            "deployment": { "replicas": replicas(cx, c, "traefik") },
            "resources": requests(c, "traefik"),
            "ingressClass": { "enabled": true, "isDefaultClass": true, "name": cx.model.ingress.class_name },
            "metrics": { "prometheus": { "serviceMonitor": { "enabled": metrics } } },
            "service": { "type": if is_local(cx.provider) { "NodePort" } else { "LoadBalancer" } },
        }),
        ComponentId::HaproxyIngress => json!({
            "controller": {
                "replicaCount": replicas(cx, c, "controller"),
                "resources": requests(c, "controller"),
                "ingressClass": cx.model.ingress.class_name,
                "ingressClassResource": { "name": cx.model.ingress.class_name, "default": true },
                "service": { "type": if is_local(cx.provider) { "NodePort" } else { "LoadBalancer" } },
                "serviceMonitor": { "enabled": metrics },
            },
        }),
        ComponentId::EnvoyGateway => json!({
            "deployment": { "envoyGateway": { "resources": requests(c, "envoy-gateway") } },
        }),
        ComponentId::ArgoCd => json!({
            "configs": { "params": { "server.insecure": false } },
        }),
    }
}

fn prometheus_stack(cx: &Ctx<'_>, c: &Component, ids: &BTreeSet<ComponentId>) -> Value {
    let obs = &cx.model.observability;
    let mut prom = json!({
        "replicas": replicas(cx, c, "prometheus"),
        "retention": obs.retention,
        "resources": requests(c, "prometheus"),
        // Select every ServiceMonitor, PodMonitor and PrometheusRule (the platform's,
        // labelled `app.kubernetes.io/part-of`, and the stack's own for kubelet and
        // kube-state-metrics, which the platform's alerts query).
        "serviceMonitorSelectorNilUsesHelmValues": false,
        "podMonitorSelectorNilUsesHelmValues": false,
        "ruleSelectorNilUsesHelmValues": false,
    });
    if let Some(size) = obs.storage {
        let mut spec = json!({
            "accessModes": ["ReadWriteOnce"],
            "resources": { "requests": { "storage": size.to_string() } },
        });
        if is_local(cx.provider) {
            spec["storageClassName"] = json!("standard");
        }
        prom["storageSpec"] = json!({ "volumeClaimTemplate": { "spec": spec } });
    }
    let mut datasources = Vec::new();
    if obs.logs.is_some() {
        let url = match cx.env.services.iter().find(|s| s.component == Some(ComponentKind::Loki)) {
            Some(l) if ids.contains(&ComponentId::Loki) || !l.is_managed_on(cx.provider) => {
                format!(
                    "http://{}.{}.svc.cluster.local:{}",
                    l.name,
                    l.namespace,
                    l.ports.first().map_or(3100, |p| p.port)
                )
            }
            _ => format!("http://loki-gateway.{}.svc.cluster.local", obs.namespace),
        };
        datasources.push(json!({ "name": "Loki", "type": "loki", "access": "proxy", "url": url }));
    }
    if let Some(t) = &obs.tracing
        && let Some(s) = cx.env.service(&t.service)
    {
        // Jaeger's query API; the OTLP port receives spans.
        let port = s.ports.iter().find(|p| p.port == 16686 || p.name == "query").map_or(16686, |p| p.port);
        datasources.push(json!({
            "name": "Jaeger", "type": "jaeger", "access": "proxy",
            "url": format!("http://{}.{}.svc.cluster.local:{port}", s.name, s.namespace),
        }));
    }
    json!({
        "crds": { "enabled": true },
        "prometheusOperator": { "resources": requests(c, "prometheus-operator") },
        "prometheus": { "prometheusSpec": prom },
        "alertmanager": { "alertmanagerSpec": {
            "replicas": replicas(cx, c, "alertmanager"),
            "resources": requests(c, "alertmanager"),
        } },
        "grafana": {
            "replicas": replicas(cx, c, "grafana"),
            "resources": requests(c, "grafana"),
            // The observability add-on's dashboards: ConfigMaps labelled
            // `grafana_dashboard: "1"`, foldered by the `grafana_folder` annotation.
            "sidecar": { "dashboards": {
                "enabled": true,
                "label": "grafana_dashboard",
                "labelValue": "1",
                "searchNamespace": "ALL",
                "folderAnnotation": "grafana_folder",
                "provider": { "foldersFromFilesStructure": true },
            } },
            "additionalDataSources": datasources,
        },
        "kube-state-metrics": { "resources": requests(c, "kube-state-metrics") },
        "prometheus-node-exporter": { "resources": requests(c, "node-exporter") },
    })
}

fn loki(cx: &Ctx<'_>, c: &Component) -> Value {
    let obs = &cx.model.observability;
    let mut single =
        json!({ "replicas": 1, "resources": requests(c, "loki"), "persistence": { "enabled": true, "size": "10Gi" } });
    if is_local(cx.provider) {
        single["persistence"]["storageClass"] = json!("standard");
    }
    json!({
        // The community chart (18.x) names the single-binary mode `Monolithic`.
        "deploymentMode": "Monolithic",
        "loki": {
            "auth_enabled": false,
            "commonConfig": { "replication_factor": 1 },
            "storage": { "type": "filesystem" },
            "schemaConfig": { "configs": [{
                "from": "2024-04-01", "store": "tsdb", "object_store": "filesystem", "schema": "v13",
                "index": { "prefix": "index_", "period": "24h" },
            }] },
            "limits_config": { "retention_period": obs.log_retention, "allow_structured_metadata": true },
            "compactor": { "retention_enabled": true, "delete_request_store": "filesystem" },
        },
        "singleBinary": single,
        "gateway": { "resources": requests(c, "gateway") },
        "read": { "replicas": 0 },
        "write": { "replicas": 0 },
        "backend": { "replicas": 0 },
        "chunksCache": { "enabled": false },
        "resultsCache": { "enabled": false },
        "lokiCanary": { "enabled": false },
        "test": { "enabled": false },
    })
}

/// Velero's object-storage plugin image and provider name on each cloud, and the
/// S3-compatible endpoint of clouds Velero reaches through the AWS plugin.
fn velero_plugin(cx: &Ctx<'_>, region: &str) -> Option<(&'static str, &'static str, Option<String>)> {
    const AWS: &str = "velero/velero-plugin-for-aws:v1.14.2";
    Some(match cx.provider.as_str() {
        "aws" => (AWS, "aws", None),
        "gcp" => ("velero/velero-plugin-for-gcp:v1.14.4", "gcp", None),
        "azure" => ("velero/velero-plugin-for-microsoft-azure:v1.14.2", "azure", None),
        "digitalocean" => (AWS, "aws", Some(format!("https://{region}.digitaloceanspaces.com"))),
        "linode" => (AWS, "aws", Some(format!("https://{region}.linodeobjects.com"))),
        "civo" => (AWS, "aws", Some(format!("https://objectstore.{region}.civo.com"))),
        "vultr" => (AWS, "aws", Some(format!("https://{region}.vultrobjects.com"))),
        "hetzner" => (AWS, "aws", Some(format!("https://{region}.your-objectstorage.com"))),
        // No cloud object storage: the platform's own MinIO, if it has one.
        _ => {
            let m = cx
                .env
                .services
                .iter()
                .find(|s| s.component == Some(ComponentKind::Minio) && !s.is_managed_on(cx.provider))?;
            let port = m.ports.iter().find(|p| p.port == 9000).or(m.ports.first()).map_or(9000, |p| p.port);
            (AWS, "aws", Some(format!("http://{}.{}.svc.cluster.local:{port}", m.name, m.namespace)))
        }
    })
}

fn velero(cx: &Ctx<'_>, c: &Component, metrics: bool) -> Value {
    let region = cx.model.provider(cx.provider).map(|p| p.region.clone()).unwrap_or_default();
    let fs_backup = !matches!(cx.provider.as_str(), "aws" | "gcp" | "azure")
        || cx.model.backup.schedules.iter().any(|s| s.method == BackupMethod::Filesystem);
    let mut v = json!({
        "resources": requests(c, "velero"),
        "deployNodeAgent": fs_backup,
        "nodeAgent": { "resources": requests(c, "node-agent") },
        "metrics": { "enabled": metrics, "serviceMonitor": { "enabled": metrics } },
        "credentials": { "useSecret": true, "existingSecret": "velero-credentials" },
        "snapshotsEnabled": false,
    });
    if let Some((image, provider, s3_url)) = velero_plugin(cx, &region) {
        let mut config = json!({});
        if s3_url.as_deref().is_some_and(|u| u.starts_with("http://")) {
            config["region"] = json!("minio");
        } else if !region.is_empty() && region != "any" {
            config["region"] = json!(region);
        }
        if let Some(url) = &s3_url {
            config["s3Url"] = json!(url);
            config["s3ForcePathStyle"] = json!("true");
        }
        if provider == "azure" {
            config = json!({ "resourceGroup": format!("{}-{}", cx.model.name, cx.env.name), "storageAccount": format!("{}{}backups", cx.model.name.replace('-', ""), cx.env.name) });
        }
        v["initContainers"] = json!([{
            "name": image.split(':').next().unwrap_or(image).rsplit('/').next().unwrap_or(image),
            "image": image,
            "volumeMounts": [{ "mountPath": "/target", "name": "plugins" }],
        }]);
        let mut conf = json!({
            "backupStorageLocation": [{ "name": "default", "provider": provider, "bucket": backup_bucket(cx), "config": config }],
            "defaultVolumesToFsBackup": false,
        });
        // Volume snapshots exist where the plugin drives the cloud's disk snapshots.
        if matches!(cx.provider.as_str(), "aws" | "gcp" | "azure") {
            let snap_config = if provider == "aws" { json!({ "region": region }) } else { json!({}) };
            conf["volumeSnapshotLocation"] =
                json!([{ "name": "default", "provider": provider, "config": snap_config }]);
            v["snapshotsEnabled"] = json!(true);
        }
        v["configuration"] = conf;
    }
    v
}

fn external_dns(cx: &Ctx<'_>, c: &Component, metrics: bool) -> Value {
    let provider = dns_provider(cx.provider).unwrap_or("inmemory");
    let mut domains: BTreeSet<String> = BTreeSet::new();
    domains.insert(cx.env.domain.clone());
    let mut v = json!({
        "provider": { "name": provider },
        "domainFilters": domains.into_iter().collect::<Vec<_>>(),
        "txtOwnerId": format!("{}-{}", cx.model.name, cx.env.name),
        // Never delete records it did not create in this run (`sync` would).
        "policy": "upsert-only",
        "sources": ["ingress", "service"],
        "resources": requests(c, "external-dns"),
        "serviceMonitor": { "enabled": metrics },
    });
    if let Some(key) = dns_token_env(cx.provider) {
        v["env"] = json!([{ "name": key, "valueFrom": { "secretKeyRef": { "name": "external-dns-credentials", "key": key } } }]);
    }
    v
}

/// The environment variable External-DNS reads an API token from, for clouds that
/// authenticate with a token (the others use the cluster's workload identity).
fn dns_token_env(provider: ProviderName) -> Option<&'static str> {
    match provider.as_str() {
        "digitalocean" => Some("DO_TOKEN"),
        "linode" => Some("LINODE_TOKEN"),
        "civo" => Some("CIVO_TOKEN"),
        "vultr" => Some("VULTR_API_KEY"),
        _ => None,
    }
}

fn ingress_nginx(cx: &Ctx<'_>, c: &Component, metrics: bool) -> Value {
    let local = is_local(cx.provider);
    let mut controller = json!({
        "replicaCount": replicas(cx, c, "controller"),
        "resources": requests(c, "controller"),
        "ingressClassResource": { "name": cx.model.ingress.class_name, "default": true },
        "ingressClass": cx.model.ingress.class_name,
        "metrics": { "enabled": metrics, "serviceMonitor": { "enabled": metrics } },
        "service": { "type": if local { "NodePort" } else { "LoadBalancer" } },
    });
    if local {
        // kind maps the node's ports 80/443 to the host (extraPortMappings).
        controller["hostPort"] = json!({ "enabled": true });
    }
    if cx.ha() {
        controller["autoscaling"] = json!({ "enabled": false });
    }
    json!({ "controller": controller })
}

/// Objects applied right after a component's chart.
pub fn manifests(cx: &Ctx<'_>, id: ComponentId) -> Vec<Value> {
    match id {
        ComponentId::KnativeOperator => {
            let c = component(id);
            vec![json!({
                "apiVersion": "operator.knative.dev/v1beta1",
                "kind": "KnativeServing",
                "metadata": {
                    "name": "knative-serving",
                    "namespace": "knative-serving",
                    "labels": { "app.kubernetes.io/part-of": cx.model.name, "app.kubernetes.io/managed-by": "skyform" },
                },
                "spec": {
                    "high-availability": { "replicas": replicas(cx, c, "serving-activator") },
                    "ingress": { "kourier": { "enabled": true } },
                    "config": {
                        "network": { "ingress-class": "kourier.ingress.networking.knative.dev" },
                        "domain": { cx.env.domain.clone(): "" },
                    },
                },
            })]
        }
        _ => Vec::new(),
    }
}

/// Secrets a component reads that nothing in the object set creates.
pub fn bootstrap_secrets(cx: &Ctx<'_>, id: ComponentId) -> Vec<BootstrapSecret> {
    match id {
        ComponentId::Velero => vec![BootstrapSecret {
            namespace: "velero".into(),
            name: "velero-credentials".into(),
            keys: vec!["cloud".into()],
            purpose: format!(
                "credentials file of the {} object-storage plugin with write access to bucket `{}`",
                cx.provider.as_str(),
                backup_bucket(cx)
            ),
        }],
        ComponentId::ExternalDns => dns_token_env(cx.provider)
            .map(|key| BootstrapSecret {
                namespace: "external-dns".into(),
                name: "external-dns-credentials".into(),
                keys: vec![key.into()],
                purpose: format!(
                    "{} API token allowed to edit the DNS zone of `{}`",
                    cx.provider.as_str(),
                    cx.env.domain
                ),
            })
            .into_iter()
            .collect(),
        _ => Vec::new(),
    }
}

/// Whether the platform uses the given log stack (for callers that only have the model).
pub fn log_agent(stack: LogStack) -> ComponentId {
    match stack {
        LogStack::LokiPromtail => ComponentId::Promtail,
        LogStack::LokiFluentBit => ComponentId::FluentBit,
    }
}

/// The ingress controller component of the platform.
pub fn ingress_controller(c: IngressController) -> ComponentId {
    match c {
        IngressController::Nginx => ComponentId::IngressNginx,
        IngressController::Traefik => ComponentId::Traefik,
        IngressController::Haproxy => ComponentId::HaproxyIngress,
        IngressController::EnvoyGateway => ComponentId::EnvoyGateway,
    }
}
