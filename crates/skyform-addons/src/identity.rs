//! Identity: Ory Kratos as a component.
//!
//! A `component: kratos` service gets the ConfigMap [`crate::component_config_name`]
//! (mounted at `/etc/config/kratos`, where the component's default arguments read
//! `kratos.yml`) holding:
//! - `kratos.yml`: public and admin base URLs (the exposed host, else the in-cluster
//!   Service), the self-service flows (login, registration, recovery, verification,
//!   settings, error, logout) whose UI URLs are `https://<ui host>/auth/<flow>` — the UI
//!   host is the exposed service that depends on Kratos (the frontend), else the
//!   environment's domain — password, TOTP, WebAuthn (relying party = the environment's
//!   domain) and lookup-secret methods, the identity schema `user_v1`, JSON logs without
//!   sensitive values. `dsn`, `secrets.cookie`, `secrets.cipher` and the courier's SMTP
//!   URL are not in the file: Kratos reads them from the environment (`DSN`,
//!   `SECRETS_COOKIE`, `SECRETS_CIPHER`, `COURIER_SMTP_CONNECTION_URI`), which the
//!   secrets add-on fills from the backend;
//! - `identity.schema.json`: e-mail as the login identifier for password, WebAuthn and
//!   TOTP, used for verification and recovery, plus a name;
//! - `schema.sql`: the dedicated PostgreSQL schema `kratos_identities` of the Resimate
//!   seed; the `DSN` must select it (`...?search_path=kratos_identities`) and
//!   `kratos migrate sql -e --yes` creates the tables. With an operator-run or managed
//!   database the DSN is wired (key `uri-kratos` of `<db>-app`/`<db>-connection`) and
//!   the schema is created by the database's `Database` resource.
//!
//! Migrations (rendered by the core renderer, `skyform_render::k8s::lifecycle`): the Job `<kratos>-migrate-<image hash>` runs `kratos migrate sql -e
//! --yes` with the same DSN (retrying until the database is up), with its own
//! NetworkPolicy (egress to the database only) and the database's ingress from it;
//! Kratos's pods start only after it, through an init container running `kratos migrate
//! status -e --block`. The Job is named after the image, so an upgrade is a new Job.

use crate::{Ctx, annotate, component_config_name, pretty_json, service_meta};
use k8s_openapi::api::core::v1::ConfigMap;
use serde_json::{Value, json};
use skyform_model::{ComponentKind, Service};
use skyform_render::Object;
use std::collections::BTreeMap;

/// Database schema Kratos keeps its tables in.
pub const KRATOS_SCHEMA: &str = "kratos_identities";
/// Identity schema id.
pub const SCHEMA_ID: &str = "user_v1";

/// Every identity object of the environment.
pub fn objects(cx: &Ctx<'_>) -> Vec<Object> {
    let mut out = Vec::new();
    for k in cx.components(ComponentKind::Kratos) {
        out.push(config_map(cx, k));
    }
    out
}

/// The host serving the self-service UI: an exposed service depending on Kratos.
fn ui_host(cx: &Ctx<'_>, k: &Service) -> String {
    cx.env
        .services
        .iter()
        .filter(|s| s.name != k.name && s.depends_on.iter().any(|d| d.service == k.name))
        .find_map(|s| s.expose.as_ref().map(|e| e.host.clone()))
        .unwrap_or_else(|| cx.env.domain.clone())
}

/// The `kratos.yml` configuration.
pub fn config(cx: &Ctx<'_>, k: &Service) -> Value {
    let ui = format!("https://{}", ui_host(cx, k));
    let flow = |f: &str| format!("{ui}/auth/{f}");
    let public_port = k.port("public").map_or(4433, |p| p.port);
    let admin_port = k.port("admin").map_or(4434, |p| p.port);
    let public_url = match &k.expose {
        Some(e) => format!("{}://{}/", if e.tls { "https" } else { "http" }, e.host),
        None => format!("http://{}:{public_port}/", crate::service_host(k)),
    };
    let cookie_domain = cx.env.domain.clone();
    json!({
        "version": "v1.3.1",
        "serve": {
            "public": {
                "base_url": public_url,
                "cors": { "enabled": true, "allowed_origins": [ui], "allow_credentials": true },
            },
            "admin": { "base_url": format!("http://{}:{admin_port}/", crate::service_host(k)) },
        },
        "selfservice": {
            "default_browser_return_url": format!("{ui}/"),
            "allowed_return_urls": [format!("{ui}/")],
            "methods": {
                "password": { "enabled": true, "config": { "haveibeenpwned_enabled": true, "min_password_length": 12 } },
                "totp": { "enabled": true, "config": { "issuer": cx.model.name } },
                "webauthn": { "enabled": true, "config": {
                    "passwordless": true,
                    "rp": { "id": cx.env.domain, "display_name": cx.model.name, "origins": [ui] },
                }},
                "lookup_secret": { "enabled": true },
                "link": { "enabled": false },
                "code": { "enabled": true },
            },
            "flows": {
                "error": { "ui_url": flow("error") },
                "settings": { "ui_url": flow("settings"), "privileged_session_max_age": "15m", "required_aal": "highest_available" },
                "recovery": { "enabled": true, "ui_url": flow("recovery"), "use": "code" },
                "verification": { "enabled": true, "ui_url": flow("verification"), "use": "code",
                    "after": { "default_browser_return_url": format!("{ui}/") } },
                "logout": { "after": { "default_browser_return_url": flow("login") } },
                "login": { "ui_url": flow("login"), "lifespan": "10m" },
                "registration": {
                    "enabled": true,
                    "ui_url": flow("registration"),
                    "lifespan": "10m",
                    "after": { "password": { "hooks": [{ "hook": "session" }] }, "webauthn": { "hooks": [{ "hook": "session" }] } },
                },
            },
        },
        "session": {
            "lifespan": "24h",
            "cookie": { "domain": cookie_domain, "same_site": "Lax", "persistent": false },
        },
        "log": { "level": "info", "format": "json", "leak_sensitive_values": false },
        "ciphers": { "algorithm": "xchacha20-poly1305" },
        "hashers": { "algorithm": "bcrypt", "bcrypt": { "cost": 12 } },
        "identity": {
            "default_schema_id": SCHEMA_ID,
            "schemas": [{ "id": SCHEMA_ID, "url": "file:///etc/config/kratos/identity.schema.json" }],
        },
        "courier": { "smtp": { "from_address": format!("no-reply@{}", cx.env.domain), "from_name": cx.model.name } },
    })
}

/// The identity schema `user_v1`.
pub fn identity_schema(cx: &Ctx<'_>) -> Value {
    json!({
        "$id": format!("https://{}/schemas/{SCHEMA_ID}.json", cx.env.domain),
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "User",
        "type": "object",
        "properties": {
            "traits": {
                "type": "object",
                "properties": {
                    "email": {
                        "type": "string",
                        "format": "email",
                        "title": "E-mail",
                        "maxLength": 320,
                        "ory.sh/kratos": {
                            "credentials": {
                                "password": { "identifier": true },
                                "webauthn": { "identifier": true },
                                "totp": { "account_name": true },
                                "code": { "identifier": true, "via": "email" },
                            },
                            "verification": { "via": "email" },
                            "recovery": { "via": "email" },
                        },
                    },
                    "name": {
                        "type": "object",
                        "properties": {
                            "first": { "type": "string", "title": "First name", "maxLength": 256 },
                            "last": { "type": "string", "title": "Last name", "maxLength": 256 },
                        },
                    },
                },
                "required": ["email"],
                "additionalProperties": false,
            },
        },
    })
}

fn config_map(cx: &Ctx<'_>, k: &Service) -> Object {
    let sql = format!(
        "-- Kratos keeps identities, sessions and flows in its own schema; the DSN selects it with\n\
         -- search_path={KRATOS_SCHEMA}, and `kratos migrate sql -e --yes` creates the tables.\n\
         CREATE SCHEMA IF NOT EXISTS {KRATOS_SCHEMA};\n"
    );
    let data = BTreeMap::from([
        ("kratos.yml".to_string(), skyform_render::output::to_yaml(&config(cx, k))),
        ("identity.schema.json".to_string(), pretty_json(&identity_schema(cx))),
        ("schema.sql".to_string(), sql),
    ]);
    let m = annotate(
        service_meta(cx.model, k, &component_config_name(&k.name), &k.namespace),
        &[("skyform.dev/mount-path", crate::component_config_dir(ComponentKind::Kratos).unwrap_or_default().into())],
    );
    Object::typed(&ConfigMap { metadata: m, data: Some(data), ..ConfigMap::default() })
}
