//! Lowering of the workload shape beyond the basics: one-shot Jobs (`job`, `after`),
//! extra and shared volumes (`volumes`), configuration files (`files`), and their
//! cross-service checks.

use super::{Cx, Merged, is_dns1123_label};
use crate::StorageClassName;
use crate::types::{Service, Volume, WorkloadKind};
use skyform_spec::Code;
use skyform_spec::did_you_mean;
use skyform_spec::quantity::{self, Bytes};
use std::collections::BTreeMap;

/// Largest total size of a service's `files` (a ConfigMap holds at most 1 MiB).
const MAX_FILES_BYTES: usize = 900 * 1024;

impl Cx<'_> {
    /// `volumes:` of one service.
    pub(super) fn volumes(&mut self, name: &str, m: &Merged<'_>, storage_mount: Option<&str>) -> Vec<Volume> {
        let mut out: Vec<Volume> = Vec::new();
        for (i, v) in m.get(|s| s.volumes.clone()).unwrap_or_default().into_iter().enumerate() {
            let path = m.path("volumes").index(i);
            if !is_dns1123_label(&v.name) || v.name == "data" {
                self.error(
                    Code::InvalidName,
                    &path.key("name"),
                    format!("volume name `{}` of service `{name}` is not usable", v.name),
                    Some("use a DNS-1123 label other than `data` (the name of `storage`)".into()),
                );
                continue;
            }
            if !v.mount_path.starts_with('/') {
                self.error(
                    Code::InvalidValue,
                    &path.key("mountPath"),
                    format!("mount path `{}` must be absolute", v.mount_path),
                    None,
                );
                continue;
            }
            if out.iter().any(|o| o.name == v.name || o.mount_path == v.mount_path)
                || storage_mount == Some(v.mount_path.as_str())
            {
                self.error(
                    Code::InvalidValue,
                    &path,
                    format!("volume `{}` of service `{name}` repeats a name or mount path", v.name),
                    None,
                );
                continue;
            }
            let size_text = v.size.clone().unwrap_or_else(|| "10Gi".to_string());
            let size = quantity::parse_bytes(&size_text).unwrap_or_else(|e| {
                self.error(Code::BadQuantity, &path.key("size"), e.message, e.hint);
                Bytes(10 << 30)
            });
            out.push(Volume {
                name: v.name,
                mount_path: v.mount_path,
                size,
                class: v.class.unwrap_or(StorageClassName::Standard),
                shared: v.shared.unwrap_or(false),
            });
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        out
    }

    /// `files:` of one service.
    pub(super) fn files(&mut self, name: &str, m: &Merged<'_>) -> BTreeMap<String, String> {
        let files = m.get(|s| s.files.clone()).unwrap_or_default();
        let mut total = 0usize;
        for (p, content) in &files {
            total += content.len();
            if !p.starts_with('/') || p.ends_with('/') {
                self.error_at_key(
                    Code::InvalidValue,
                    &m.path("files").key(p),
                    format!("file path `{p}` of service `{name}` must be an absolute file path"),
                    None,
                );
            }
        }
        if total > MAX_FILES_BYTES {
            self.error(
                Code::OutOfRange,
                &m.path("files"),
                format!("the files of service `{name}` hold {total} bytes; a ConfigMap holds at most 1 MiB"),
                Some("bake large files into the image".into()),
            );
        }
        files
    }

    /// Jobs: checks `after` targets and shared volumes across the services of one
    /// environment, and drops what does not resolve.
    pub(super) fn check_workloads(&mut self, services: &mut [Service]) {
        let jobs: Vec<String> =
            services.iter().filter(|s| s.workload == WorkloadKind::Job).map(|s| s.name.clone()).collect();
        let names: Vec<String> = services.iter().map(|s| s.name.clone()).collect();
        for s in services.iter_mut() {
            let mut keep = Vec::new();
            for (i, a) in std::mem::take(&mut s.after).into_iter().enumerate() {
                let path = super::spec_path().key("services").key(&s.name).key("after").index(i);
                if jobs.contains(&a) && a != s.name {
                    keep.push(a);
                } else if names.contains(&a) && a != s.name {
                    self.error(
                        Code::InvalidValue,
                        &path,
                        format!("`after: {a}` names a long-running service; only `job: true` services finish"),
                        Some(format!("use `dependsOn: [{a}]` for a connection, or make `{a}` a job")),
                    );
                } else {
                    self.unknown_service(
                        &a,
                        &path,
                        format!("service `{}` runs after `{a}`, which is not a job of this platform", s.name),
                        did_you_mean(&a, jobs.iter().map(String::as_str)).map(|x| format!("did you mean `{x}`?")),
                    );
                }
            }
            keep.sort();
            keep.dedup();
            s.after = keep;
        }
        // A shared claim lives in one namespace, with one size and class.
        let mut claims: BTreeMap<&str, (&Service, &Volume)> = BTreeMap::new();
        let mut problems = Vec::new();
        for s in services.iter() {
            for v in s.volumes.iter().filter(|v| v.shared) {
                match claims.get(v.name.as_str()) {
                    None => {
                        claims.insert(&v.name, (s, v));
                    }
                    Some((first, fv)) if first.namespace != s.namespace => problems.push((
                        s.name.clone(),
                        format!(
                            "shared volume `{}` is used by `{}` (tier `{}`) and `{}` (tier `{}`); a claim lives in one namespace",
                            v.name, first.name, first.tier, s.name, s.tier
                        ),
                        "put every service sharing the volume in one tier".to_string(),
                    )),
                    Some((first, fv)) if fv.size != v.size || fv.class != v.class => problems.push((
                        s.name.clone(),
                        format!(
                            "shared volume `{}` has another size or class in `{}` than in `{}`",
                            v.name, s.name, first.name
                        ),
                        "write the same `size` and `class` everywhere the volume is listed".to_string(),
                    )),
                    Some(_) => {}
                }
            }
        }
        for (svc, msg, hint) in problems {
            let path = super::spec_path().key("services").key(&svc).key("volumes");
            self.error(Code::InvalidValue, &path, msg, Some(hint));
        }
    }
}
