//! Observability: scrape targets, alerts, dashboards and log shipping.
//!
//! - **Scrape targets** (prometheus-operator): a service with `metrics:` gets a
//!   ServiceMonitor when it runs as a Deployment (its ClusterIP Service carries the named
//!   port) and a PodMonitor when it runs as a StatefulSet (its ClusterIP and headless
//!   Services carry the same labels, so a ServiceMonitor would scrape every pod twice) or
//!   as a Knative Service (no stable Service port; the pods are scraped directly). The
//!   core NetworkPolicy already admits the monitoring namespace on the metrics port of
//!   Deployments and StatefulSets; Knative pods only admit the Knative data plane, so a
//!   Knative service with metrics gets `allow-monitoring-<service>` here — monitoring
//!   stays the same whether the environment enables Knative or not. A query string in
//!   the metrics path (Vault's `?format=prometheus`) becomes the endpoint's `params`.
//! - **Alerts**: one PrometheusRule `<platform>-alerts` with the default alerts the
//!   environment needs (crash-looping, HPA at max, PVC almost full, high 5xx at the
//!   ingress controller or Knative, certificate expiry, backup failed or stale).
//! - **Dashboards**: a ConfigMap per service labelled `grafana_dashboard: "1"` (the
//!   Grafana sidecar's default) with RED panels (from the ingress controller, Knative's
//!   queue-proxy or the service's own `http_requests_total` /
//!   `http_request_duration_seconds` by convention) and resource panels (CPU and memory
//!   against the declared requests and limits, restarts, replicas, volume usage).
//! - **Logs**: a Promtail or Fluent Bit ConfigMap shipping the platform namespaces' pod
//!   logs to Loki, parsing JSON logs: `level` and `service` become labels, the other
//!   declared fields (e.g. `tenant`, `user_id`, `operation`) structured metadata, because
//!   high-cardinality values must not be Loki labels.

use crate::{Ctx, annotate, custom, label, platform_meta, pretty_json, service_meta};
use k8s_openapi::api::core::v1::ConfigMap;
use rayon::prelude::*;
use serde_json::{Value, json};
use skyform_model::{ComponentKind, IngressController, LogStack, Protocol, Service, WorkloadKind};
use skyform_render::Object;
use skyform_render::k8s::{autoscaled, knative_port};
use skyform_render::objects::selector_labels;
use std::collections::BTreeMap;

/// Scrape interval of every monitor.
pub const SCRAPE_INTERVAL: &str = "30s";
/// Label the Grafana dashboard sidecar watches.
pub const DASHBOARD_LABEL: (&str, &str) = ("grafana_dashboard", "1");
/// Structured-log fields promoted to Loki labels (low cardinality only).
pub const LABEL_FIELDS: [&str; 2] = ["level", "service"];

/// Every observability object of the environment.
pub fn objects(cx: &Ctx<'_>) -> Vec<Object> {
    let mut out = Vec::new();
    let obs = &cx.model.observability;
    if obs.metrics {
        for s in cx.in_cluster_services() {
            out.extend(monitor(cx, s));
        }
        out.push(rules(cx));
        if obs.dashboards {
            // One dashboard per service, each on its own (in parallel, in service order).
            let services: Vec<&Service> = cx.in_cluster_services().collect();
            let dashboards: Vec<Object> =
                services.par_iter().with_min_len(skyform_render::PARALLEL_MIN).map(|s| dashboard(cx, s)).collect();
            out.extend(dashboards);
        }
    }
    if let Some(stack) = obs.logs {
        out.push(log_shipping(cx, stack));
    }
    out
}

/// Splits `/v1/sys/metrics?format=prometheus` into the path and query parameters.
fn split_path(path: &str) -> (String, BTreeMap<String, Vec<String>>) {
    let Some((p, q)) = path.split_once('?') else { return (path.to_string(), BTreeMap::new()) };
    let mut params: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for pair in q.split('&').filter(|x| !x.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        params.entry(k.to_string()).or_default().push(v.to_string());
    }
    (p.to_string(), params)
}

fn endpoint(port_key: &str, port: Value, path: &str) -> Value {
    let (p, params) = split_path(path);
    let mut e = json!({ port_key: port, "path": p, "interval": SCRAPE_INTERVAL, "scheme": "http" });
    if !params.is_empty() {
        e["params"] = json!(params);
    }
    e
}

/// An in-cluster Vault serves TLS only: scrape it over HTTPS, verifying its certificate
/// against the internal CA under the Service's name (the pods' IPs are not in it).
fn vault_tls(s: &Service, mut e: Value) -> Value {
    if s.component == Some(skyform_model::ComponentKind::Vault) {
        e["scheme"] = json!("https");
        e["tlsConfig"] = json!({
            "ca": { "secret": {
                "name": skyform_render::k8s::wiring::vault_server_tls_secret(&s.name),
                "key": "ca.crt",
            }},
            "serverName": format!("{}.{}.svc", s.name, s.namespace),
        });
    }
    e
}

/// ServiceMonitor or PodMonitor (plus a NetworkPolicy for Knative pods) for one service.
fn monitor(cx: &Ctx<'_>, s: &Service) -> Vec<Object> {
    let Some(m) = &s.metrics else { return Vec::new() };
    let selector = json!({ "matchLabels": selector_labels(cx.model, &s.name) });
    let namespaces = json!({ "matchNames": [s.namespace] });
    let meta = service_meta(cx.model, s, &s.name, &s.namespace);
    match s.workload {
        WorkloadKind::Deployment => vec![custom(
            "monitoring.coreos.com/v1",
            "ServiceMonitor",
            meta,
            json!({
                "selector": selector,
                "namespaceSelector": namespaces,
                "endpoints": [endpoint("port", json!(m.port.name), &m.path)],
            }),
        )],
        WorkloadKind::StatefulSet | WorkloadKind::Job => vec![custom(
            "monitoring.coreos.com/v1",
            "PodMonitor",
            meta,
            json!({
                "selector": selector,
                "namespaceSelector": namespaces,
                "podMetricsEndpoints": [vault_tls(s, endpoint("port", json!(m.port.name), &m.path))],
            }),
        )],
        WorkloadKind::Knative => {
            // Knative renames the serving port `http1` and exposes no other port by name.
            let serving = knative_port(s).map(|p| p.port);
            let ep = if serving == Some(m.port.port) {
                endpoint("port", json!("http1"), &m.path)
            } else {
                endpoint("targetPort", json!(m.port.port), &m.path)
            };
            vec![
                custom(
                    "monitoring.coreos.com/v1",
                    "PodMonitor",
                    meta,
                    json!({ "selector": selector, "namespaceSelector": namespaces, "podMetricsEndpoints": [ep] }),
                ),
                knative_scrape_policy(cx, s, m.port.port, m.port.protocol),
            ]
        }
    }
}

fn knative_scrape_policy(cx: &Ctx<'_>, s: &Service, port: u16, protocol: Protocol) -> Object {
    let name = format!("allow-monitoring-{}", s.name);
    crate::allow_ingress_from_namespace(cx, s, &name, &cx.model.observability.namespace, port, protocol)
}

/// `ns1|ns2|…` for PromQL regex matchers.
fn ns_regex(cx: &Ctx<'_>) -> String {
    cx.tier_namespaces().join("|")
}

fn alert(name: &str, expr: String, for_: &str, severity: &str, summary: &str, description: &str) -> Value {
    json!({
        "alert": name,
        "expr": expr,
        "for": for_,
        "labels": { "severity": severity },
        "annotations": { "summary": summary, "description": description },
    })
}

/// The 5xx ratio expression at the ingress controller, by exposed service.
fn ingress_5xx(controller: IngressController, ns: &str) -> (String, &'static str) {
    match controller {
        IngressController::Nginx => (
            format!(
                "sum by (exported_namespace, exported_service) (rate(nginx_ingress_controller_requests{{exported_namespace=~\"{ns}\",status=~\"5..\"}}[5m])) / sum by (exported_namespace, exported_service) (rate(nginx_ingress_controller_requests{{exported_namespace=~\"{ns}\"}}[5m])) > 0.05"
            ),
            "{{ $labels.exported_namespace }}/{{ $labels.exported_service }}",
        ),
        IngressController::Traefik => (
            format!(
                "sum by (exported_service) (rate(traefik_service_requests_total{{exported_service=~\"({ns})-.*\",code=~\"5..\"}}[5m])) / sum by (exported_service) (rate(traefik_service_requests_total{{exported_service=~\"({ns})-.*\"}}[5m])) > 0.05"
            ),
            "{{ $labels.exported_service }}",
        ),
        IngressController::Haproxy => (
            format!(
                "sum by (proxy) (rate(haproxy_backend_http_responses_total{{proxy=~\"({ns})_.*\",code=\"5xx\"}}[5m])) / sum by (proxy) (rate(haproxy_backend_http_responses_total{{proxy=~\"({ns})_.*\"}}[5m])) > 0.05"
            ),
            "{{ $labels.proxy }}",
        ),
        // Envoy Gateway names an Envoy cluster per route rule: `httproute/<ns>/<name>/rule/<i>`.
        IngressController::EnvoyGateway => (
            format!(
                "sum by (envoy_cluster_name) (rate(envoy_cluster_upstream_rq_xx{{envoy_cluster_name=~\"(httproute|grpcroute)/({ns})/.*\",envoy_response_code_class=\"5\"}}[5m])) / sum by (envoy_cluster_name) (rate(envoy_cluster_upstream_rq_xx{{envoy_cluster_name=~\"(httproute|grpcroute)/({ns})/.*\"}}[5m])) > 0.05"
            ),
            "{{ $labels.envoy_cluster_name }}",
        ),
    }
}

/// The PrometheusRule with the default alerts of this environment.
fn rules(cx: &Ctx<'_>) -> Object {
    let ns = ns_regex(cx);
    let mut workload = vec![alert(
        "PodCrashLooping",
        format!(
            "max_over_time(kube_pod_container_status_waiting_reason{{namespace=~\"{ns}\",reason=\"CrashLoopBackOff\"}}[5m]) >= 1"
        ),
        "15m",
        "critical",
        "Container is crash-looping",
        "{{ $labels.namespace }}/{{ $labels.pod }} ({{ $labels.container }}) has been in CrashLoopBackOff for 15 minutes.",
    )];
    if cx.in_cluster_services().any(autoscaled) {
        workload.push(alert(
            "HpaAtMaxReplicas",
            format!(
                "kube_horizontalpodautoscaler_status_current_replicas{{namespace=~\"{ns}\"}} >= kube_horizontalpodautoscaler_spec_max_replicas{{namespace=~\"{ns}\"}}"
            ),
            "15m",
            "warning",
            "Autoscaler is at its maximum",
            "{{ $labels.namespace }}/{{ $labels.horizontalpodautoscaler }} has run at max replicas for 15 minutes; raise the maximum or the node pool.",
        ));
    }
    if cx.in_cluster_services().any(|s| s.storage.is_some() && s.workload == WorkloadKind::StatefulSet) {
        workload.push(alert(
            "PersistentVolumeAlmostFull",
            format!(
                "kubelet_volume_stats_available_bytes{{namespace=~\"{ns}\"}} / kubelet_volume_stats_capacity_bytes{{namespace=~\"{ns}\"}} < 0.15"
            ),
            "10m",
            "warning",
            "Volume is more than 85% full",
            "{{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} has {{ $value | humanizePercentage }} free.",
        ));
    }
    let mut traffic = Vec::new();
    let exposed: Vec<&Service> = cx.in_cluster_services().filter(|s| s.expose.is_some()).collect();
    if exposed.iter().any(|s| s.workload != WorkloadKind::Knative) {
        let (expr, who) = ingress_5xx(cx.model.ingress.controller, &ns);
        traffic.push(alert(
            "HighHttp5xxRate",
            expr,
            "10m",
            "critical",
            "More than 5% of requests fail with 5xx",
            &format!("{who} answers more than 5% of requests with a 5xx status."),
        ));
    }
    if cx.in_cluster_services().any(|s| s.workload == WorkloadKind::Knative) {
        traffic.push(alert(
            "KnativeHigh5xxRate",
            format!(
                "sum by (namespace_name, configuration_name) (rate(revision_request_count{{namespace_name=~\"{ns}\",response_code_class=\"5xx\"}}[5m])) / sum by (namespace_name, configuration_name) (rate(revision_request_count{{namespace_name=~\"{ns}\"}}[5m])) > 0.05"
            ),
            "10m",
            "critical",
            "More than 5% of requests to a Knative service fail with 5xx",
            "{{ $labels.namespace_name }}/{{ $labels.configuration_name }} answers more than 5% of requests with a 5xx status.",
        ));
    }
    if exposed.iter().any(|s| s.expose.as_ref().is_some_and(|e| e.tls)) {
        traffic.push(alert(
            "CertificateExpiresSoon",
            format!("certmanager_certificate_expiration_timestamp_seconds{{namespace=~\"{ns}\"}} - time() < 14 * 86400"),
            "1h",
            "warning",
            "TLS certificate expires in less than 14 days",
            "cert-manager has not renewed {{ $labels.namespace }}/{{ $labels.name }}; check the issuer and the ACME challenge.",
        ));
    }
    let mut groups = vec![json!({ "name": format!("{}.workloads", cx.model.name), "rules": workload })];
    if !traffic.is_empty() {
        groups.push(json!({ "name": format!("{}.traffic", cx.model.name), "rules": traffic }));
    }
    let schedules = crate::backup::schedules_in(cx);
    if !schedules.is_empty() {
        let mut backup = Vec::new();
        let names: Vec<String> = schedules.iter().map(|s| crate::backup::schedule_name(cx.model, &s.name)).collect();
        backup.push(alert(
            "BackupFailed",
            format!("increase(velero_backup_failure_total{{schedule=~\"{}\"}}[1h]) > 0", names.join("|")),
            "0m",
            "critical",
            "Velero backup failed",
            "A backup of schedule {{ $labels.schedule }} failed in the last hour; see `velero backup logs`.",
        ));
        for (s, name) in schedules.iter().zip(&names) {
            // Stale: no success for 1.5 scheduling intervals (plus 30 minutes of run time).
            let limit = s.interval_minutes * 90 + 1800;
            backup.push(alert(
                "BackupStale",
                format!("time() - velero_backup_last_successful_timestamp{{schedule=\"{name}\"}} > {limit}"),
                "15m",
                "critical",
                "No successful backup within 1.5 schedule intervals",
                &format!(
                    "Schedule {name} ({}) has had no successful backup for more than {} minutes: the RPO is no longer met.",
                    s.cron,
                    limit / 60
                ),
            ));
        }
        groups.push(json!({ "name": format!("{}.backups", cx.model.name), "rules": backup }));
    }
    let obs_ns = cx.model.observability.namespace.clone();
    custom(
        "monitoring.coreos.com/v1",
        "PrometheusRule",
        platform_meta(cx.model, &format!("{}-alerts", cx.model.name), Some(&obs_ns)),
        json!({ "groups": groups }),
    )
}

/// A Grafana dashboard as the JSON skyform writes (fields in the order written): typed,
/// so a dashboard per service is serialized straight to text, not built as a map first.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Dashboard<'a> {
    uid: String,
    title: String,
    description: String,
    tags: [&'a str; 3],
    timezone: &'static str,
    schema_version: u32,
    refresh: &'static str,
    time: TimeRange,
    templating: Templating,
    panels: Vec<Panel<'a>>,
}

#[derive(serde::Serialize)]
struct TimeRange {
    from: &'static str,
    to: &'static str,
}

#[derive(serde::Serialize)]
struct Templating {
    list: [TemplateVariable; 1],
}

#[derive(serde::Serialize)]
struct TemplateVariable {
    name: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    query: &'static str,
    label: &'static str,
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Panel<'a> {
    id: u32,
    #[serde(rename = "type")]
    kind: &'static str,
    title: &'a str,
    grid_pos: GridPos,
    datasource: Datasource,
    field_config: FieldConfig<'a>,
    targets: Vec<Target>,
}

#[derive(serde::Serialize)]
struct GridPos {
    h: u32,
    w: u32,
    x: u32,
    y: u32,
}

/// The dashboard's Prometheus data source variable.
#[derive(serde::Serialize)]
struct Datasource {
    #[serde(rename = "type")]
    kind: &'static str,
    uid: &'static str,
}

const PROMETHEUS: Datasource = Datasource { kind: "prometheus", uid: "${datasource}" };

#[derive(serde::Serialize)]
struct FieldConfig<'a> {
    defaults: Unit<'a>,
    overrides: [(); 0],
}

#[derive(serde::Serialize)]
struct Unit<'a> {
    unit: &'a str,
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Target {
    ref_id: String,
    expr: String,
    legend_format: String,
    datasource: Datasource,
}

fn panel<'a>(id: u32, title: &'a str, unit: &'a str, x: u32, y: u32, targets: Vec<(String, String)>) -> Panel<'a> {
    let targets = targets
        .into_iter()
        .enumerate()
        .map(|(i, (expr, legend))| Target {
            ref_id: char::from(b'A' + u8::try_from(i % 26).unwrap_or(0)).to_string(),
            expr,
            legend_format: legend,
            datasource: PROMETHEUS,
        })
        .collect();
    Panel {
        id,
        kind: "timeseries",
        title,
        grid_pos: GridPos { h: 8, w: 12, x, y },
        datasource: PROMETHEUS,
        field_config: FieldConfig { defaults: Unit { unit }, overrides: [] },
        targets,
    }
}

/// Rate, errors and duration queries for one service, with where they come from.
fn red_queries(cx: &Ctx<'_>, s: &Service) -> Option<([(String, String); 3], &'static str)> {
    let ns = &s.namespace;
    let name = &s.name;
    if s.workload == WorkloadKind::Knative {
        let sel = format!("namespace_name=\"{ns}\",configuration_name=\"{name}\"");
        return Some((
            [
                (format!("sum(rate(revision_request_count{{{sel}}}[5m]))"), "requests/s".into()),
                (
                    format!(
                        "sum(rate(revision_request_count{{{sel},response_code_class=\"5xx\"}}[5m])) / sum(rate(revision_request_count{{{sel}}}[5m]))"
                    ),
                    "5xx ratio".into(),
                ),
                (
                    format!(
                        "histogram_quantile(0.95, sum by (le) (rate(revision_request_latencies_bucket{{{sel}}}[5m]))) / 1000"
                    ),
                    "p95".into(),
                ),
            ],
            "Knative queue-proxy metrics",
        ));
    }
    if s.expose.is_some() && cx.model.ingress.controller == IngressController::Nginx {
        let sel = format!("exported_namespace=\"{ns}\",exported_service=\"{name}\"");
        return Some((
            [
                (format!("sum(rate(nginx_ingress_controller_requests{{{sel}}}[5m]))"), "requests/s".into()),
                (
                    format!(
                        "sum(rate(nginx_ingress_controller_requests{{{sel},status=~\"5..\"}}[5m])) / sum(rate(nginx_ingress_controller_requests{{{sel}}}[5m]))"
                    ),
                    "5xx ratio".into(),
                ),
                (
                    format!(
                        "histogram_quantile(0.95, sum by (le) (rate(nginx_ingress_controller_request_duration_seconds_bucket{{{sel}}}[5m])))"
                    ),
                    "p95".into(),
                ),
            ],
            "ingress-nginx metrics (external traffic)",
        ));
    }
    if s.metrics.is_some() && s.component.is_none() {
        let sel = format!("namespace=\"{ns}\",job=\"{name}\"");
        return Some((
            [
                (format!("sum(rate(http_requests_total{{{sel}}}[5m]))"), "requests/s".into()),
                (
                    format!(
                        "sum(rate(http_requests_total{{{sel},status=~\"5..\"}}[5m])) / sum(rate(http_requests_total{{{sel}}}[5m]))"
                    ),
                    "5xx ratio".into(),
                ),
                (
                    format!(
                        "histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{{{sel}}}[5m])))"
                    ),
                    "p95".into(),
                ),
            ],
            "the service's own metrics (http_requests_total, http_request_duration_seconds)",
        ));
    }
    None
}

/// The Grafana dashboard ConfigMap of one service.
fn dashboard(cx: &Ctx<'_>, s: &Service) -> Object {
    let ns = &s.namespace;
    let c = format!("namespace=\"{ns}\",container=\"{}\"", s.name);
    let r = &s.resources;
    let mut panels = Vec::new();
    let mut y = 0;
    let source = match red_queries(cx, s) {
        Some(([rate, errors, duration], source)) => {
            panels.push(panel(1, "Request rate", "reqps", 0, y, vec![rate]));
            panels.push(panel(2, "Error ratio (5xx)", "percentunit", 12, y, vec![errors]));
            y += 8;
            panels.push(panel(3, "Latency p95", "s", 0, y, vec![duration]));
            source
        }
        None => "none: the service is neither exposed nor declares `metrics:`",
    };
    let replicas = match s.workload {
        WorkloadKind::StatefulSet => {
            format!("kube_statefulset_status_replicas_ready{{namespace=\"{ns}\",statefulset=\"{}\"}}", s.name)
        }
        WorkloadKind::Deployment => {
            format!("kube_deployment_status_replicas_available{{namespace=\"{ns}\",deployment=\"{}\"}}", s.name)
        }
        WorkloadKind::Knative => format!("count(kube_pod_container_status_ready{{{c}}} == 1)"),
        WorkloadKind::Job => format!("kube_job_status_succeeded{{namespace=\"{ns}\",job_name=\"{}\"}}", s.name),
    };
    panels.push(panel(4, "Ready replicas", "short", 12, y, vec![(replicas, "ready".into())]));
    y += 8;
    panels.push(panel(
        5,
        "CPU (cores) vs request and limit",
        "short",
        0,
        y,
        vec![
            (format!("sum by (pod) (rate(container_cpu_usage_seconds_total{{{c}}}[5m]))"), "{{pod}}".into()),
            (format!("vector({})", r.cpu_request.0 as f64 / 1000.0), "request".into()),
            (format!("vector({})", r.cpu_limit.0 as f64 / 1000.0), "limit".into()),
        ],
    ));
    panels.push(panel(
        6,
        "Memory (working set) vs request and limit",
        "bytes",
        12,
        y,
        vec![
            (format!("sum by (pod) (container_memory_working_set_bytes{{{c}}})"), "{{pod}}".into()),
            (format!("vector({})", r.memory_request.0), "request".into()),
            (format!("vector({})", r.memory_limit.0), "limit".into()),
        ],
    ));
    y += 8;
    panels.push(panel(
        7,
        "Container restarts (1h)",
        "short",
        0,
        y,
        vec![(
            format!("sum by (pod) (increase(kube_pod_container_status_restarts_total{{{c}}}[1h]))"),
            "{{pod}}".into(),
        )],
    ));
    if s.storage.is_some() && s.workload == WorkloadKind::StatefulSet {
        panels.push(panel(
            8,
            "Volume usage",
            "percentunit",
            12,
            y,
            vec![(
                format!(
                    "1 - kubelet_volume_stats_available_bytes{{namespace=\"{ns}\",persistentvolumeclaim=~\"data-{}-[0-9]+\"}} / kubelet_volume_stats_capacity_bytes{{namespace=\"{ns}\",persistentvolumeclaim=~\"data-{}-[0-9]+\"}}",
                    s.name, s.name
                ),
                "{{persistentvolumeclaim}}".into(),
            )],
        ));
    }
    let uid = format!("{}-{}", cx.model.name, s.name);
    let uid: String = uid.chars().take(40).collect();
    let dash = Dashboard {
        uid,
        title: format!("{} / {}", cx.model.name, s.name),
        description: format!("RED and resources of {}. Request metrics: {source}.", s.name),
        tags: [&cx.model.name, &s.tier, "skyform"],
        timezone: "utc",
        schema_version: 39,
        refresh: "1m",
        time: TimeRange { from: "now-6h", to: "now" },
        templating: Templating {
            list: [TemplateVariable {
                name: "datasource",
                kind: "datasource",
                query: "prometheus",
                label: "Prometheus",
            }],
        },
        panels,
    };
    let name = format!("{}-dashboard-{}", cx.model.name, s.name);
    let obs_ns = cx.model.observability.namespace.clone();
    let meta = label(
        annotate(service_meta(cx.model, s, &name, &obs_ns), &[("grafana_folder", cx.model.name.clone())]),
        &[DASHBOARD_LABEL],
    );
    Object::typed(&ConfigMap {
        metadata: meta,
        data: Some(BTreeMap::from([(format!("{}.json", s.name), pretty_json(&dash))])),
        ..ConfigMap::default()
    })
}

/// The Loki push URL: the platform's own Loki service if it has one, else the Loki Helm
/// chart's gateway in the observability namespace.
fn loki_push_url(cx: &Ctx<'_>) -> String {
    match cx.components(ComponentKind::Loki).next() {
        Some(l) => {
            let port = l.ports.first().map_or(3100, |p| p.port);
            format!("http://{}:{port}/loki/api/v1/push", crate::service_host(l))
        }
        None => format!("http://loki-gateway.{}.svc.cluster.local/loki/api/v1/push", cx.model.observability.namespace),
    }
}

/// The structured-log fields: the declared ones, else `timestamp` and `level`.
fn log_fields(cx: &Ctx<'_>) -> Vec<String> {
    let f = &cx.model.observability.log_fields;
    if f.is_empty() { vec!["timestamp".into(), "level".into()] } else { f.clone() }
}

fn log_shipping(cx: &Ctx<'_>, stack: LogStack) -> Object {
    let fields = log_fields(cx);
    let labels: Vec<&String> = fields.iter().filter(|f| LABEL_FIELDS.contains(&f.as_str())).collect();
    let metadata: Vec<&String> =
        fields.iter().filter(|f| !LABEL_FIELDS.contains(&f.as_str()) && f.as_str() != "timestamp").collect();
    let ns_regex = ns_regex(cx);
    let url = loki_push_url(cx);
    let (name, key, text) = match stack {
        LogStack::LokiPromtail => {
            let mut stages = vec![json!({ "cri": {} })];
            let exprs: BTreeMap<&str, &str> = fields.iter().map(|f| (f.as_str(), f.as_str())).collect();
            stages.push(json!({ "json": { "expressions": exprs } }));
            if fields.iter().any(|f| f == "timestamp") {
                stages.push(json!({ "timestamp": { "source": "timestamp", "format": "RFC3339Nano", "action_on_failure": "skip" } }));
            }
            if !labels.is_empty() {
                let l: BTreeMap<&str, Value> = labels.iter().map(|f| (f.as_str(), Value::Null)).collect();
                stages.push(json!({ "labels": l }));
            }
            if !metadata.is_empty() {
                let m: BTreeMap<&str, Value> = metadata.iter().map(|f| (f.as_str(), Value::Null)).collect();
                stages.push(json!({ "structured_metadata": m }));
            }
            let relabel = json!([
                { "source_labels": ["__meta_kubernetes_namespace"], "regex": ns_regex, "action": "keep" },
                { "source_labels": ["__meta_kubernetes_namespace"], "target_label": "namespace" },
                { "source_labels": ["__meta_kubernetes_pod_name"], "target_label": "pod" },
                { "source_labels": ["__meta_kubernetes_pod_container_name"], "target_label": "container" },
                { "source_labels": ["__meta_kubernetes_pod_label_app_kubernetes_io_name"], "target_label": "app" },
                { "source_labels": ["__meta_kubernetes_pod_label_app_kubernetes_io_component"], "target_label": "component" },
                { "source_labels": ["__meta_kubernetes_pod_node_name"], "target_label": "__host__" },
                {
                    "source_labels": ["__meta_kubernetes_pod_uid", "__meta_kubernetes_pod_container_name"],
                    "separator": "/",
                    "replacement": "/var/log/pods/*$1/*.log",
                    "target_label": "__path__",
                },
            ]);
            let cfg = json!({
                "server": { "http_listen_port": 3101, "grpc_listen_port": 0, "log_level": "info" },
                "positions": { "filename": "/run/promtail/positions.yaml" },
                "clients": [{ "url": url, "external_labels": { "platform": cx.model.name, "environment": cx.env.name } }],
                "scrape_configs": [{
                    "job_name": format!("{}-pods", cx.model.name),
                    "kubernetes_sd_configs": [{ "role": "pod" }],
                    "relabel_configs": relabel,
                    "pipeline_stages": stages,
                }],
            });
            (format!("{}-promtail", cx.model.name), "promtail.yaml", skyform_render::output::to_yaml(&cfg))
        }
        LogStack::LokiFluentBit => {
            let host = url.trim_start_matches("http://").split('/').next().unwrap_or_default().to_string();
            let (host, port) = match host.rsplit_once(':') {
                Some((h, p)) => (h.to_string(), p.parse::<u16>().unwrap_or(80)),
                None => (host, 80),
            };
            let mut loki_labels = vec![
                "job=fluent-bit".to_string(),
                format!("platform={}", cx.model.name),
                format!("environment={}", cx.env.name),
                "namespace=$kubernetes['namespace_name']".to_string(),
                "pod=$kubernetes['pod_name']".to_string(),
                "container=$kubernetes['container_name']".to_string(),
                "app=$kubernetes['labels']['app.kubernetes.io/name']".to_string(),
            ];
            loki_labels.extend(labels.iter().map(|f| format!("{f}=${f}")));
            let mut output = json!({
                "name": "loki",
                "match": "kube.*",
                "host": host,
                "port": port,
                "uri": "/loki/api/v1/push",
                "labels": loki_labels.join(", "),
                "line_format": "json",
            });
            if !metadata.is_empty() {
                output["structured_metadata"] =
                    json!(metadata.iter().map(|f| format!("{f}=${f}")).collect::<Vec<_>>().join(", "));
            }
            let ns_alt = cx.tier_namespaces().join("|");
            let cfg = json!({
                "service": { "flush": 1, "log_level": "info", "http_server": "on", "http_port": 2020 },
                "pipeline": {
                    "inputs": [{
                        "name": "tail",
                        "tag": "kube.*",
                        "path": "/var/log/containers/*.log",
                        "multiline.parser": "cri, docker",
                        "db": "/var/fluent-bit/state/tail.db",
                        "mem_buf_limit": "50MB",
                        "skip_long_lines": "on",
                    }],
                    "filters": [
                        {
                            "name": "kubernetes",
                            "match": "kube.*",
                            "merge_log": "on",
                            "keep_log": "off",
                            "k8s-logging.parser": "on",
                            "k8s-logging.exclude": "on",
                        },
                        {
                            "name": "grep",
                            "match": "kube.*",
                            "regex": format!("$kubernetes['namespace_name'] ^({ns_alt})$"),
                        },
                    ],
                    "outputs": [output],
                },
            });
            (format!("{}-fluent-bit", cx.model.name), "fluent-bit.yaml", skyform_render::output::to_yaml(&cfg))
        }
    };
    let obs_ns = cx.model.observability.namespace.clone();
    let meta = annotate(
        platform_meta(cx.model, &name, Some(&obs_ns)),
        &[
            ("skyform.dev/log-fields", fields.join(",")),
            ("skyform.dev/log-retention", cx.model.observability.log_retention.clone()),
        ],
    );
    Object::typed(&ConfigMap {
        metadata: meta,
        data: Some(BTreeMap::from([(key.to_string(), text)])),
        ..ConfigMap::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings_become_params() {
        let (p, q) = split_path("/v1/sys/metrics?format=prometheus");
        assert_eq!(p, "/v1/sys/metrics");
        assert_eq!(q.get("format"), Some(&vec!["prometheus".to_string()]));
        assert!(split_path("/metrics").1.is_empty());
    }

    #[test]
    fn labels_exclude_high_cardinality_fields() {
        assert!(!LABEL_FIELDS.contains(&"user_id"));
        assert!(!LABEL_FIELDS.contains(&"tenant"));
    }
}
