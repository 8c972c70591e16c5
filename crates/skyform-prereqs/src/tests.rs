use super::*;
use skyform_model::ProviderName;

const HEALTH: &str = include_str!("../../../examples/health-platform/platform.yaml");
const RESIMATE: &str = include_str!("../../../examples/resimate/platform.yaml");

fn model(text: &str) -> Model {
    match skyform_model::compile(text) {
        Ok(m) => m,
        Err(d) => panic!("example compiles: {d:?}"),
    }
}

fn refs(model: &Model, env: &Environment, provider: ProviderName) -> Vec<ObjectRef> {
    let mut objects = skyform_render::render_objects(model, env, provider);
    objects.extend(skyform_addons::objects(model, env, provider));
    objects.iter().map(|o| ObjectRef::new(&o.api_version, &o.kind, o.namespace.as_deref())).collect()
}

fn production(m: &Model) -> &Environment {
    m.environments.iter().find(|e| e.production).unwrap_or(&m.environments[0])
}

#[test]
fn every_custom_resource_group_of_the_examples_is_served_at_a_pinned_version() {
    for (name, text) in [("health", HEALTH), ("resimate", RESIMATE)] {
        let m = model(text);
        for env in &m.environments {
            for p in [ProviderName::Aws, ProviderName::K3s] {
                let objects = refs(&m, env, p);
                let pre = plan(&m, env, p, &objects);
                assert!(pre.unserved.is_empty(), "{name} {} {p:?}: unserved groups {:?}", env.name, pre.unserved);
                for o in &objects {
                    assert!(
                        pre.serves(o.group()),
                        "{name} {} {p:?}: {} {} is not served",
                        env.name,
                        o.api_version,
                        o.kind
                    );
                }
                for r in &pre.releases {
                    assert!(is_exact_version(&r.version), "{}", r.version);
                    for n in &r.needs {
                        let need = pre.releases.iter().find(|x| &x.name == n);
                        assert!(need.is_some_and(|x| x.wave < r.wave), "{} needs {n} first", r.name);
                    }
                }
            }
        }
    }
}

#[test]
fn an_unknown_group_is_reported_unserved() {
    let m = model(HEALTH);
    let env = production(&m);
    let mut objects = refs(&m, env, ProviderName::Aws);
    objects.push(ObjectRef::new("example.com/v1", "Widget", Some("x")));
    objects.push(ObjectRef::new("apps/v1", "Deployment", Some("x")));
    let pre = plan(&m, env, ProviderName::Aws, &objects);
    assert_eq!(pre.unserved, vec!["example.com".to_string()]);
    assert!(!pre.serves("example.com"));
    assert!(pre.serves("apps"));
}

#[test]
fn health_production_on_aws_installs_what_it_uses() {
    let m = model(HEALTH);
    let env = production(&m);
    let pre = plan(&m, env, ProviderName::Aws, &refs(&m, env, ProviderName::Aws));
    let names: Vec<&str> = pre.releases.iter().map(|r| r.name.as_str()).collect();
    for want in [
        "kube-prometheus-stack",
        "cert-manager",
        "external-secrets",
        "ingress-nginx",
        "velero",
        "loki",
        "promtail",
        "external-dns",
    ] {
        assert!(names.contains(&want), "{want} missing from {names:?}");
    }
    // Waves are in order and the stack's values carry the platform's retention and storage.
    assert!(pre.releases.windows(2).all(|w| w[0].wave <= w[1].wave));
    let kps = pre.release(ComponentId::KubePrometheusStack).map(|r| &r.values);
    let spec = kps.and_then(|v| v.pointer("/prometheus/prometheusSpec")).cloned().unwrap_or_default();
    assert_eq!(spec["retention"], "30d");
    assert_eq!(spec["storageSpec"]["volumeClaimTemplate"]["spec"]["resources"]["requests"]["storage"], "50Gi");
    assert_eq!(spec["replicas"], 2);
    let velero = pre.release(ComponentId::Velero).map(|r| r.values.clone()).unwrap_or_default();
    assert_eq!(velero["configuration"]["backupStorageLocation"][0]["bucket"], "health-platform-production-backups");
    assert_eq!(velero["initContainers"][0]["image"], "velero/velero-plugin-for-aws:v1.14.2");
    let dns = pre.release(ComponentId::ExternalDns).map(|r| r.values.clone()).unwrap_or_default();
    assert_eq!(dns["provider"]["name"], "aws");
    // Namespaces carry the level their pods need.
    let ns = pre.namespaces();
    let monitoring = ns.iter().find(|n| n.name == "monitoring");
    assert_eq!(monitoring.map(|n| n.pod_security), Some(PodSecurityLevel::Privileged));
    assert!(ns.iter().any(|n| n.name == "cert-manager" && n.pod_security == PodSecurityLevel::Restricted));
}

#[test]
fn k3s_has_no_cloud_dns_and_backs_up_to_the_platform_minio() {
    let m = model(HEALTH);
    let env = production(&m);
    let pre = plan(&m, env, ProviderName::K3s, &refs(&m, env, ProviderName::K3s));
    assert!(pre.release(ComponentId::ExternalDns).is_none());
    let velero = pre.release(ComponentId::Velero).map(|r| r.values.clone()).unwrap_or_default();
    let url = velero["configuration"]["backupStorageLocation"][0]["config"]["s3Url"].as_str().unwrap_or_default();
    assert!(url.starts_with("http://minio."), "{url}");
    assert_eq!(velero["deployNodeAgent"], true);
}

#[test]
fn values_are_yaml_and_releases_install_with_helm() {
    let m = model(RESIMATE);
    let env = production(&m);
    let pre = plan(&m, env, ProviderName::Aws, &refs(&m, env, ProviderName::Aws));
    for r in &pre.releases {
        let back: Value = match serde_saphyr::from_str(&r.values_yaml) {
            Ok(v) => v,
            Err(e) => panic!("{}: values do not parse back: {e}", r.name),
        };
        assert_eq!(back, r.values, "{}", r.name);
        let args = r.helm_args("values.yaml");
        assert!(args.contains(&r.version), "{args:?}");
    }
    let snapshot: Vec<String> = pre
        .releases
        .iter()
        .map(|r| format!("{} {} {} {} {} -n {}", r.wave, r.name, r.chart, r.version, r.repo, r.namespace))
        .collect();
    insta::assert_snapshot!("resimate_production_aws", snapshot.join("\n"));
}

#[test]
fn health_production_values() {
    let m = model(HEALTH);
    let env = production(&m);
    let pre = plan(&m, env, ProviderName::Aws, &refs(&m, env, ProviderName::Aws));
    let mut text = String::new();
    for r in &pre.releases {
        text.push_str(&format!("# {} ({} {}) -n {} wave {}\n", r.name, r.chart, r.version, r.namespace, r.wave));
        text.push_str(&r.values_yaml);
        for s in &r.bootstrap_secrets {
            text.push_str(&format!("# needs Secret {}/{} {:?}: {}\n", s.namespace, s.name, s.keys, s.purpose));
        }
    }
    insta::assert_snapshot!("health_production_aws_values", text);
}
