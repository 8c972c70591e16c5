//! How consumers reach a database that is not a plain in-cluster Service.
//!
//! Two cases change what a consumer's environment must say:
//! - **PostgreSQL run by CloudNativePG** (`component: postgres` in the cluster): the
//!   operator creates the Services `<db>-rw` (primary), `<db>-ro` (replicas) and `<db>-r`
//!   (any instance) instead of `<db>`. Host names of `<db>` in the consumer's variables
//!   are rewritten to `<db>-rw`, and its credentials come from the Secret `<db>-app`
//!   (keys `username`, `password`, `host`, `port`, `dbname`, `uri`) that the data add-on
//!   creates in the consumer's namespace from the same backend entry the database is
//!   bootstrapped from, so the two passwords cannot drift apart.
//! - **The provider's managed service** (`managed:` lists the provider): every
//!   connection detail comes from the Secret `<db>-connection` (keys `host`, `port`,
//!   `database`, `username`, `password`, `sslmode`, `uri`; redis: `host`, `port`,
//!   `password`, `tls`, `uri`), created by the data add-on from the backend entry
//!   `<platform>/<db>-connection` that Terraform writes. `POSTGRES_HOST`-style variables
//!   leave the ConfigMap and read that Secret; other values naming the database host are
//!   rebuilt with `$(POSTGRES_HOST)` expansion.
//!
//! A consumer with one such PostgreSQL dependency and the `POSTGRES_*` convention also
//! gets `POSTGRES_PORT`, `POSTGRES_DB` and `POSTGRES_USER` when it does not set them,
//! because the operator's owner role and database are not the image defaults.

use super::Ctx;
use k8s_openapi::api::core::v1::{EnvVar, EnvVarSource, SecretKeySelector};
use skyform_model::{ComponentKind, Service};
use std::collections::BTreeMap;

/// Secret with an operator-run database's application credentials (CloudNativePG).
pub fn app_secret_name(db: &str) -> String {
    format!("{db}-app")
}

/// Secret with a managed service's connection details.
pub fn connection_secret_name(db: &str) -> String {
    format!("{db}-connection")
}

/// Backend key Terraform writes a managed service's connection record to.
pub fn connection_key(platform: &str, db: &str) -> String {
    format!("{platform}/{db}-connection")
}

/// The read-write Service of a CloudNativePG cluster.
pub fn rw_service_name(db: &str) -> String {
    format!("{db}-rw")
}

/// Whether `s` runs as a CloudNativePG `Cluster` on this provider.
pub fn cnpg(cx: &Ctx<'_>, s: &Service) -> bool {
    s.component == Some(ComponentKind::Postgres) && cx.in_cluster(s)
}

/// Key of the connection Secret that holds the Kratos DSN (the URI with Kratos's schema
/// on the search path).
pub const KRATOS_DSN_KEY: &str = "uri-kratos";
/// Schema Kratos keeps its tables in.
pub const KRATOS_SCHEMA: &str = "kratos_identities";

/// One dependency whose connection details come from a Secret.
#[derive(Clone, Debug)]
pub struct Wired<'a> {
    pub target: &'a Service,
    /// `<db>-app` or `<db>-connection`.
    pub secret: String,
    pub managed: bool,
}

/// The wired dependencies of `consumer`, in dependency order.
pub fn wired_dependencies<'a>(cx: &Ctx<'a>, consumer: &Service) -> Vec<Wired<'a>> {
    consumer
        .depends_on
        .iter()
        .filter_map(|d| cx.env.service(&d.service))
        .filter(|t| t.name != consumer.name)
        .filter_map(|t| {
            if !cx.in_cluster(t) && matches!(t.component, Some(ComponentKind::Postgres | ComponentKind::Redis)) {
                Some(Wired { target: t, secret: connection_secret_name(&t.name), managed: true })
            } else if cnpg(cx, t) {
                Some(Wired { target: t, secret: app_secret_name(&t.name), managed: false })
            } else {
                None
            }
        })
        .collect()
}

fn prefix(kind: Option<ComponentKind>) -> &'static str {
    if kind == Some(ComponentKind::Redis) { "REDIS" } else { "POSTGRES" }
}

/// Which key of the wired Secret a consumer variable reads, by the variable's name.
fn key_for(var: &str, w: &Wired<'_>, consumer: &Service) -> Option<&'static str> {
    let redis = w.target.component == Some(ComponentKind::Redis);
    let p = prefix(w.target.component);
    let v = var.to_ascii_uppercase();
    if v == format!("{p}_HOST") {
        return Some("host");
    }
    if v == format!("{p}_PORT") {
        return Some("port");
    }
    if v.ends_with("PASSWORD") && (v.starts_with(p) || (!redis && (v == "PGPASSWORD" || v == "DB_PASSWORD"))) {
        return Some("password");
    }
    if redis {
        return (v == "REDIS_URL").then_some("uri");
    }
    match v.as_str() {
        "POSTGRES_USER" | "PGUSER" | "DB_USER" => Some("username"),
        "POSTGRES_DB" | "PGDATABASE" | "DB_NAME" => Some(if w.managed { "database" } else { "dbname" }),
        "PGSSLMODE" if w.managed => Some("sslmode"),
        "DSN" if consumer.component == Some(ComponentKind::Kratos) => Some(KRATOS_DSN_KEY),
        "DSN" | "DATABASE_URL" | "POSTGRES_URL" | "POSTGRES_DSN" => Some("uri"),
        _ if v.ends_with("_DATABASE_URL") => Some("uri"),
        _ => None,
    }
}

/// Variables whose value comes from a wired Secret: `var → (secret, key)`.
///
/// Covers the consumer's own secrets that name a connection detail, its plain
/// variables that do (managed targets only: their values are not known here), and the
/// `POSTGRES_*` variables added for a single PostgreSQL dependency.
pub fn wired_vars(cx: &Ctx<'_>, consumer: &Service) -> BTreeMap<String, (String, String)> {
    let deps = wired_dependencies(cx, consumer);
    let mut out = BTreeMap::new();
    let pg: Vec<&Wired<'_>> = deps.iter().filter(|w| w.target.component == Some(ComponentKind::Postgres)).collect();
    let redis: Vec<&Wired<'_>> = deps.iter().filter(|w| w.target.component == Some(ComponentKind::Redis)).collect();
    for group in [pg, redis] {
        // A variable is only wired when exactly one dependency of its kind could mean it.
        let [w] = group.as_slice() else { continue };
        for r in &consumer.secrets {
            if let Some(k) = key_for(&r.env, w, consumer) {
                out.insert(r.env.clone(), (w.secret.clone(), k.to_string()));
            }
        }
        if w.managed {
            for (var, value) in &consumer.env {
                // A URL is only replaced when it names this database; other keys always.
                let key = key_for(var, w, consumer)
                    .filter(|k| (*k != "uri" && *k != KRATOS_DSN_KEY) || names_host(value, w.target));
                if let Some(k) = key {
                    out.insert(var.clone(), (w.secret.clone(), k.to_string()));
                }
            }
        }
        let p = prefix(w.target.component);
        let conventional = consumer.env.contains_key(&format!("{p}_HOST"))
            || consumer.secrets.iter().any(|r| r.env == format!("{p}_PASSWORD"));
        if conventional && p == "POSTGRES" {
            for var in ["POSTGRES_HOST", "POSTGRES_PORT", "POSTGRES_DB", "POSTGRES_USER"] {
                let declared = consumer.secrets.iter().any(|r| r.env == var);
                if declared || (consumer.env.contains_key(var) && !w.managed) {
                    continue;
                }
                if var == "POSTGRES_HOST" && !w.managed {
                    continue; // rewritten in place in the ConfigMap
                }
                if let Some(k) = key_for(var, w, consumer) {
                    out.insert(var.to_string(), (w.secret.clone(), k.to_string()));
                }
            }
        }
        if p == "REDIS" && w.managed {
            for (var, key) in [("REDIS_HOST", "host"), ("REDIS_PORT", "port")] {
                out.entry(var.to_string()).or_insert_with(|| (w.secret.clone(), key.to_string()));
            }
        }
    }
    out
}

/// Host forms a value may name a service by, longest first.
fn host_forms(s: &Service) -> [String; 4] {
    [
        format!("{}.{}.svc.cluster.local", s.name, s.namespace),
        format!("{}.{}.svc", s.name, s.namespace),
        format!("{}.{}", s.name, s.namespace),
        s.name.clone(),
    ]
}

fn host_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_'
}

/// Replaces whole host-name occurrences of `from` with `to` in `value`.
pub fn replace_host(value: &str, from: &str, to: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    let mut prev: Option<char> = None;
    while let Some(i) = rest.find(from) {
        let before = rest[..i].chars().last().or(prev);
        let after = rest[i + from.len()..].chars().next();
        let bounded = !before.is_some_and(host_char) && !after.is_some_and(|c| host_char(c) && c != '.');
        // A trailing dot followed by more host characters is a longer name: not a match.
        let longer =
            after == Some('.') && rest[i + from.len() + 1..].chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
        out.push_str(&rest[..i]);
        if bounded && !longer {
            out.push_str(to);
        } else {
            out.push_str(from);
        }
        prev = from.chars().last();
        rest = &rest[i + from.len()..];
    }
    out.push_str(rest);
    out
}

/// Whether `value` names `s` by one of its host forms.
pub fn names_host(value: &str, s: &Service) -> bool {
    host_forms(s).iter().any(|h| replace_host(value, h, "\u{0}") != value)
}

/// The consumer's ConfigMap data after wiring, and the plain variables that moved out of
/// it into the container's `env` (with `$(VAR)` references to wired variables).
pub fn rewrite_env(cx: &Ctx<'_>, consumer: &Service) -> (BTreeMap<String, String>, Vec<EnvVar>) {
    let deps = wired_dependencies(cx, consumer);
    let wired = wired_vars(cx, consumer);
    let mut data = BTreeMap::new();
    let mut moved = Vec::new();
    for (k, v) in &consumer.env {
        if wired.contains_key(k) {
            continue;
        }
        let mut value = v.clone();
        if let Some(vault) = vault_dependency(cx, consumer) {
            value = upgrade_vault_scheme(&value, vault);
        }
        let mut needs_env = false;
        for w in &deps {
            if w.managed {
                let host_var = format!("{}_HOST", prefix(w.target.component));
                if names_host(&value, w.target) && wired.contains_key(&host_var) {
                    for h in host_forms(w.target) {
                        value = replace_host(&value, &h, &format!("$({host_var})"));
                    }
                    needs_env = true;
                }
            } else {
                for h in host_forms(w.target) {
                    let to = h.replacen(&w.target.name, &rw_service_name(&w.target.name), 1);
                    value = replace_host(&value, &h, &to);
                }
            }
        }
        if names_an_address(k, &value) {
            value = qualify_cross_namespace_hosts(cx, consumer, &value);
        }
        if needs_env {
            moved.push(EnvVar { name: k.clone(), value: Some(value), ..EnvVar::default() });
        } else {
            data.insert(k.clone(), value);
        }
    }
    (data, moved)
}

/// Whether the variable `key` = `value` holds a network address: a URL, or a variable
/// named like one (`*_HOST`, `*_URL`, `*_ADDR`, …). Only those get host names rewritten, so
/// a database or bucket that happens to share a service's name is left alone.
fn names_an_address(key: &str, value: &str) -> bool {
    const SUFFIXES: [&str; 11] =
        ["HOST", "HOSTNAME", "HOSTS", "ADDR", "ADDRESS", "URL", "URI", "DSN", "ENDPOINT", "SERVER", "SERVERS"];
    let key = key.to_ascii_uppercase();
    value.contains("://") || SUFFIXES.iter().any(|s| key == *s || key.ends_with(&format!("_{s}")))
}

/// A bare dependency name (`redis-webauthn`, or `postgres-webauthn-rw` after wiring)
/// only resolves inside its own namespace; from another tier's namespace it becomes
/// `<name>.<namespace>.svc.cluster.local`, the name cluster DNS answers.
fn qualify_cross_namespace_hosts(cx: &Ctx<'_>, consumer: &Service, value: &str) -> String {
    let mut value = value.to_string();
    for d in &consumer.depends_on {
        let Some(t) = cx.env.service(&d.service) else { continue };
        if t.namespace == consumer.namespace || !cx.in_cluster(t) {
            continue;
        }
        let mut names = vec![t.name.clone()];
        if cnpg(cx, t) {
            names.push(rw_service_name(&t.name));
        }
        for name in names {
            value = replace_host(&value, &name, &format!("{name}.{}.svc.cluster.local", t.namespace));
        }
    }
    value
}

/// `env` entries reading the wired variables from their Secrets.
pub fn wired_env(cx: &Ctx<'_>, consumer: &Service) -> Vec<EnvVar> {
    wired_vars(cx, consumer)
        .into_iter()
        .map(|(name, (secret, key))| EnvVar {
            name,
            value_from: Some(EnvVarSource {
                secret_key_ref: Some(SecretKeySelector { name: secret, key, optional: Some(false) }),
                ..EnvVarSource::default()
            }),
            ..EnvVar::default()
        })
        .collect()
}

/// Where an in-cluster Vault reads its serving certificate (`tls.crt`, `tls.key`,
/// `ca.crt`). An in-cluster Vault always serves TLS, with a certificate from the
/// platform's internal CA (cert-manager; see the Vault add-on).
pub const VAULT_TLS_DIR: &str = "/vault/tls";
/// Where a Vault client pod finds the internal CA.
pub const VAULT_CA_DIR: &str = "/etc/skyform/vault-ca";

/// Secret with an in-cluster Vault's serving certificate.
pub fn vault_server_tls_secret(vault: &str) -> String {
    format!("{vault}-server-tls")
}

/// Secret (in each client namespace) holding the internal CA as `ca.crt`.
pub fn vault_ca_secret(vault: &str) -> String {
    format!("{vault}-ca")
}

/// Whether `s` is an in-cluster Vault (which serves TLS).
pub fn vault_tls(cx: &Ctx<'_>, s: &Service) -> bool {
    s.component == Some(ComponentKind::Vault) && cx.in_cluster(s)
}

/// The in-cluster Vault a service depends on, if any.
pub fn vault_dependency<'a>(cx: &Ctx<'a>, s: &Service) -> Option<&'a Service> {
    s.depends_on.iter().filter_map(|d| cx.env.service(&d.service)).find(|t| t.name != s.name && vault_tls(cx, t))
}

/// `http://<vault host>` → `https://<vault host>` in a value.
pub fn upgrade_vault_scheme(value: &str, vault: &Service) -> String {
    let mut v = value.to_string();
    for h in host_forms(vault) {
        let from = format!("http://{h}");
        if v.contains(&from) {
            v = v.replace(&from, &format!("https://{h}"));
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::replace_host;

    #[test]
    fn replaces_whole_host_names_only() {
        assert_eq!(replace_host("db", "db", "db-rw"), "db-rw");
        assert_eq!(replace_host("postgres://u@db:5432/x", "db", "db-rw"), "postgres://u@db-rw:5432/x");
        assert_eq!(replace_host("dbx", "db", "db-rw"), "dbx");
        assert_eq!(replace_host("my-db", "db", "db-rw"), "my-db");
        assert_eq!(replace_host("db.data.svc", "db", "db-rw"), "db.data.svc");
        assert_eq!(replace_host("db.", "db", "db-rw"), "db-rw.");
        assert_eq!(
            replace_host("db.data.svc.cluster.local", "db.data.svc.cluster.local", "db-rw.data.svc.cluster.local"),
            "db-rw.data.svc.cluster.local"
        );
    }
}
