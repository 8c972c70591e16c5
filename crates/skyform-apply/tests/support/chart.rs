//! A Helm chart the tests write: an "operator" serving one API group of their own, with a
//! CRD in `crds/` (installed by helm, absent from `helm get manifest`), the operator's
//! Deployment and Service, and a ValidatingWebhookConfiguration pointing at that Service
//! (failurePolicy Ignore, DELETE only, so nothing calls it during the test).

use std::path::{Path, PathBuf};

/// The group a chart serves (unique per test run, since CRDs are cluster-wide).
pub fn group(prefix: &str) -> String {
    format!("{prefix}{}.e2e.skyform.dev", std::process::id())
}

/// Writes the chart into `dir` and returns its path.
pub fn write(dir: &Path, name: &str, group: &str, version: &str) -> PathBuf {
    let chart = dir.join(name);
    std::fs::create_dir_all(chart.join("crds")).expect("chart dir");
    std::fs::create_dir_all(chart.join("templates")).expect("chart dir");
    let w = |p: &str, text: String| std::fs::write(chart.join(p), text).expect("write chart file");
    w(
        "Chart.yaml",
        format!("apiVersion: v2\nname: {name}\nversion: {version}\nappVersion: \"{version}\"\ntype: application\n"),
    );
    w("values.yaml", "replicas: 1\nimage: example/widget-operator:1.0.0\n".into());
    w(
        "crds/widgets.yaml",
        format!(
            r#"apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.{group}
spec:
  group: {group}
  scope: Namespaced
  names: {{plural: widgets, singular: widget, kind: Widget, listKind: WidgetList}}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [size]
            properties:
              size: {{type: integer, minimum: 1}}
"#
        ),
    );
    w(
        "templates/operator.yaml",
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
  labels: {app.kubernetes.io/name: {{ .Release.Name }}}
spec:
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels: {app.kubernetes.io/name: {{ .Release.Name }}}
  template:
    metadata:
      labels: {app.kubernetes.io/name: {{ .Release.Name }}}
    spec:
      automountServiceAccountToken: false
      containers:
      - name: operator
        image: {{ .Values.image }}
        ports: [{name: webhook, containerPort: 9443, protocol: TCP}]
---
apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}-webhook
spec:
  selector: {app.kubernetes.io/name: {{ .Release.Name }}}
  ports: [{name: webhook, port: 443, targetPort: 9443, protocol: TCP}]
"#
        .into(),
    );
    w(
        "templates/webhook.yaml",
        format!(
            r#"apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: {{{{ .Release.Name }}}}-{group}
webhooks:
- name: widgets.{group}
  admissionReviewVersions: [v1]
  sideEffects: None
  failurePolicy: Ignore
  clientConfig:
    service: {{namespace: {{{{ .Release.Namespace }}}}, name: {{{{ .Release.Name }}}}-webhook, path: /validate}}
  rules:
  - apiGroups: ["{group}"]
    apiVersions: [v1]
    operations: [DELETE]
    resources: [widgets]
"#
        ),
    );
    chart
}
