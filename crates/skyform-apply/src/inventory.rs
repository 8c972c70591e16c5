//! The inventory: what skyform applied, per platform and environment, recorded in the
//! cluster like Helm's release records.
//!
//! One [`Revision`] is one Secret in [`NAMESPACE`] named
//! `skyform.<platform>.<env>.v<N>`, labelled with platform, environment, revision and
//! status, whose `data.objects` holds the applied objects as gzip-compressed JSON (the API
//! carries Secret data base64-encoded, so on the wire it is gzip+base64). The content
//! digest (SHA-256 of the canonical JSON) lets a re-apply of the same objects skip writing
//! a new revision. Encoding and decoding are pure and unit-tested here.

use crate::object::{ObjRef, label};
use crate::plan::ServiceInfo;
use base64::Engine as _;
use flate2::{Compression, read::GzDecoder, write::GzEncoder};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};

/// Namespace holding the inventory.
pub const NAMESPACE: &str = "skyform-system";
/// Label keys on inventory Secrets.
pub const PLATFORM_LABEL: &str = "skyform.dev/platform";
pub const ENV_LABEL: &str = "skyform.dev/environment";
pub const REVISION_LABEL: &str = "skyform.dev/revision";
pub const STATUS_LABEL: &str = "skyform.dev/status";
/// Annotation holding [`Revision::retained`] (a JSON list of object identities).
pub const RETAINED_ANNOTATION: &str = "skyform.dev/retained";
/// Secret type of inventory Secrets.
pub const SECRET_TYPE: &str = "skyform.dev/inventory";
/// Revisions kept per platform/environment; older ones are deleted.
pub const KEEP_REVISIONS: usize = 10;

/// State of a revision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Being applied (or the apply was interrupted).
    Pending,
    /// Applied and ready.
    Deployed,
    /// Apply or readiness failed.
    Failed,
    /// Replaced by a later deployed revision.
    Superseded,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Deployed => "deployed",
            Status::Failed => "failed",
            Status::Superseded => "superseded",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        [Status::Pending, Status::Deployed, Status::Failed, Status::Superseded].into_iter().find(|x| x.as_str() == s)
    }
}

/// One recorded apply.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Revision {
    pub platform: String,
    pub environment: String,
    pub number: u64,
    /// RFC 3339 UTC time of the apply.
    pub time: String,
    pub status: Status,
    /// `sha256:<hex>` of the objects' canonical JSON.
    pub digest: String,
    /// What caused it (`apply`, `rollback to 3`).
    pub reason: String,
    /// Services and their dependencies, so that a rollback plans the same waves.
    #[serde(skip)]
    pub services: Vec<ServiceInfo>,
    #[serde(skip)]
    pub objects: Vec<Value>,
    /// Objects an earlier revision had that a prune kept (data, or an API no longer
    /// served): still candidates of every later prune, so `--prune-data` can delete
    /// them after the revision that dropped them. Also the PersistentVolumeClaims of
    /// removed StatefulSets.
    #[serde(skip)]
    pub retained: Vec<ObjRef>,
}

/// Decoding failures (a damaged or foreign record).
#[derive(Debug, thiserror::Error)]
pub enum InventoryError {
    #[error("inventory record {name}: {what}")]
    Corrupt { name: String, what: String },
}

/// Secret name of a revision (names are lowercase DNS subdomains; platform and env
/// names already are).
pub fn secret_name(platform: &str, env: &str, number: u64) -> String {
    format!("skyform.{platform}.{env}.v{number}")
}

/// Label selector for all revisions of a platform/environment.
pub fn selector(platform: &str, env: &str) -> String {
    format!("{PLATFORM_LABEL}={platform},{ENV_LABEL}={env}")
}

/// SHA-256 digest of a list of objects (canonical: keys sorted).
pub fn digest(objects: &[Value]) -> String {
    let canonical: Vec<Value> = objects.iter().map(sort_keys).collect();
    let bytes = serde_json::to_vec(&canonical).unwrap_or_default();
    let hash = Sha256::digest(&bytes);
    let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

fn sort_keys(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            Value::Object(keys.into_iter().map(|k| (k.clone(), sort_keys(&m[k]))).collect())
        }
        Value::Array(a) => Value::Array(a.iter().map(sort_keys).collect()),
        other => other.clone(),
    }
}

/// gzip of the objects' JSON.
pub fn compress(objects: &[Value]) -> Vec<u8> {
    let json = serde_json::to_vec(objects).unwrap_or_default();
    let mut enc = GzEncoder::new(Vec::new(), Compression::default());
    // Writing into a Vec cannot fail.
    let _ = enc.write_all(&json);
    enc.finish().unwrap_or_default()
}

/// Inverse of [`compress`].
pub fn decompress(bytes: &[u8]) -> Result<Vec<Value>, String> {
    let mut json = Vec::new();
    GzDecoder::new(bytes).read_to_end(&mut json).map_err(|e| format!("not gzip: {e}"))?;
    serde_json::from_slice(&json).map_err(|e| format!("not a JSON list of objects: {e}"))
}

impl Revision {
    /// The inventory Secret for this revision, as JSON ready for server-side apply.
    pub fn to_secret(&self) -> Value {
        let data = base64::engine::general_purpose::STANDARD.encode(compress(&self.objects));
        json!({
            "apiVersion": "v1",
            "kind": "Secret",
            "type": SECRET_TYPE,
            "metadata": {
                "name": secret_name(&self.platform, &self.environment, self.number),
                "namespace": NAMESPACE,
                "labels": {
                    PLATFORM_LABEL: self.platform,
                    ENV_LABEL: self.environment,
                    REVISION_LABEL: self.number.to_string(),
                    STATUS_LABEL: self.status.as_str(),
                    "app.kubernetes.io/managed-by": "skyform",
                },
                "annotations": {
                    "skyform.dev/time": self.time,
                    "skyform.dev/digest": self.digest,
                    "skyform.dev/reason": self.reason,
                    "skyform.dev/objects": self.objects.len().to_string(),
                    "skyform.dev/services": serde_json::to_string(&self.services).unwrap_or_default(),
                    RETAINED_ANNOTATION: serde_json::to_string(&self.retained).unwrap_or_default(),
                },
            },
            "data": { "objects": data },
        })
    }

    /// Reads a revision back from its Secret (as returned by the server). With
    /// `with_objects` false the (possibly large) object list is not decoded.
    pub fn from_secret(secret: &Value, with_objects: bool) -> Result<Revision, InventoryError> {
        let name = secret.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("?").to_string();
        let corrupt = |what: &str| InventoryError::Corrupt { name: name.clone(), what: what.to_string() };
        let ann = |k: &str| secret.pointer("/metadata/annotations").and_then(|a| a.get(k)).and_then(Value::as_str);
        let platform = label(secret, PLATFORM_LABEL).ok_or_else(|| corrupt("no platform label"))?.to_string();
        let environment = label(secret, ENV_LABEL).ok_or_else(|| corrupt("no environment label"))?.to_string();
        let number =
            label(secret, REVISION_LABEL).and_then(|s| s.parse().ok()).ok_or_else(|| corrupt("no revision number"))?;
        let status = label(secret, STATUS_LABEL).and_then(Status::parse).ok_or_else(|| corrupt("no status"))?;
        let objects = if with_objects {
            let b64 = secret.pointer("/data/objects").and_then(Value::as_str).ok_or_else(|| corrupt("no objects"))?;
            let bytes = base64::engine::general_purpose::STANDARD.decode(b64).map_err(|e| corrupt(&e.to_string()))?;
            decompress(&bytes).map_err(|e| corrupt(&e))?
        } else {
            Vec::new()
        };
        Ok(Revision {
            platform,
            environment,
            number,
            time: ann("skyform.dev/time").unwrap_or_default().to_string(),
            status,
            digest: ann("skyform.dev/digest").unwrap_or_default().to_string(),
            reason: ann("skyform.dev/reason").unwrap_or_default().to_string(),
            services: ann("skyform.dev/services").and_then(|s| serde_json::from_str(s).ok()).unwrap_or_default(),
            objects,
            retained: ann(RETAINED_ANNOTATION).and_then(|s| serde_json::from_str(s).ok()).unwrap_or_default(),
        })
    }

    /// Identities of the recorded objects (entries that are not objects are skipped).
    pub fn refs(&self) -> Vec<ObjRef> {
        self.objects
            .iter()
            .enumerate()
            .filter_map(|(i, v)| crate::object::Manifest::from_value(i, v.clone()).ok().map(|m| m.r))
            .collect()
    }
}

/// Revisions whose objects may still be in the cluster: the last deployed one and every
/// revision after it (pending or failed applies may have created objects). Sorted by
/// number. With no deployed revision, all of them.
pub fn live_revisions(history: &[Revision]) -> Vec<&Revision> {
    let mut sorted: Vec<&Revision> = history.iter().collect();
    sorted.sort_by_key(|r| r.number);
    let start = sorted.iter().rposition(|r| r.status == Status::Deployed).unwrap_or(0);
    sorted.split_off(start)
}

/// The number a new apply gets; when the latest revision is an unfinished apply of the
/// same content, it is reused (a re-run after an interruption is the same revision).
pub fn next_number(history: &[Revision], digest: &str) -> (u64, bool) {
    let latest = history.iter().max_by_key(|r| r.number);
    match latest {
        Some(r) if r.digest == digest && r.status != Status::Superseded => (r.number, true),
        Some(r) => (r.number + 1, false),
        None => (1, false),
    }
}

/// Revisions to delete so that at most [`KEEP_REVISIONS`] remain (oldest first).
pub fn expired(history: &[Revision]) -> Vec<u64> {
    let mut numbers: Vec<u64> = history.iter().map(|r| r.number).collect();
    numbers.sort_unstable();
    let excess = numbers.len().saturating_sub(KEEP_REVISIONS);
    numbers.truncate(excess);
    numbers
}

/// RFC 3339 UTC time from seconds since the epoch (no time-zone database needed).
pub fn rfc3339(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem / 60 % 60, rem % 60)
}

/// Empty JSON object (helper for callers building patches).
pub fn empty() -> Value {
    Value::Object(Map::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rev(n: u64, status: Status, digest: &str) -> Revision {
        Revision {
            platform: "p".into(),
            environment: "dev".into(),
            number: n,
            time: rfc3339(0),
            status,
            digest: digest.into(),
            reason: "apply".into(),
            services: vec![ServiceInfo { name: "s".into(), depends_on: vec!["t".into()], data: true }],
            objects: vec![json!({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","namespace":"n"}})],
            retained: vec![ObjRef {
                api_version: "v1".into(),
                kind: "Namespace".into(),
                namespace: None,
                name: "old".into(),
            }],
        }
    }

    #[test]
    fn secret_round_trip() {
        let r = rev(3, Status::Deployed, "sha256:x");
        let s = r.to_secret();
        assert_eq!(s.pointer("/metadata/name").unwrap(), "skyform.p.dev.v3");
        let back = Revision::from_secret(&s, true).unwrap();
        assert_eq!(back, r);
        assert_eq!(back.refs()[0].name, "c");
        let light = Revision::from_secret(&s, false).unwrap();
        assert!(light.objects.is_empty());
    }

    #[test]
    fn corrupt_records_are_errors() {
        let mut s = rev(1, Status::Deployed, "d").to_secret();
        s["data"]["objects"] = json!("!!!");
        assert!(Revision::from_secret(&s, true).is_err());
        assert!(Revision::from_secret(&json!({}), false).is_err());
        assert!(decompress(b"nope").is_err());
    }

    #[test]
    fn digest_ignores_key_order() {
        let a = json!({"a":1,"b":{"c":2,"d":3}});
        let b = json!({"b":{"d":3,"c":2},"a":1});
        assert_eq!(digest(std::slice::from_ref(&a)), digest(&[b]));
        assert_ne!(digest(&[a]), digest(&[json!({"a":2})]));
    }

    #[test]
    fn numbering_and_live_revisions() {
        let h = vec![rev(1, Status::Superseded, "a"), rev(2, Status::Deployed, "b"), rev(3, Status::Pending, "c")];
        assert_eq!(next_number(&h, "c"), (3, true));
        assert_eq!(next_number(&h, "d"), (4, false));
        assert_eq!(next_number(&[], "d"), (1, false));
        let live: Vec<u64> = live_revisions(&h).iter().map(|r| r.number).collect();
        assert_eq!(live, vec![2, 3]);
        let many: Vec<Revision> = (1..=13).map(|n| rev(n, Status::Superseded, "x")).collect();
        assert_eq!(expired(&many), vec![1, 2, 3]);
    }

    #[test]
    fn times() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_795_302_954), "2026-11-21T23:15:54Z");
    }
}
