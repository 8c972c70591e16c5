//! The real `helm` binary behind [`skyform_apply::HelmRunner`]: `skyform apply` installs
//! prerequisite releases by running it, with the same kubeconfig and context as the
//! apply. Values go in on standard input (`--values -`), so nothing is written to disk.
//!
//! Why helm itself rather than rendering the chart: operator charts carry hooks, CRDs in
//! `crds/`, `lookup` calls and upgrade logic that only helm runs faithfully, and a release
//! installed by helm is one `helm list` / `helm uninstall` away for the people who run it.

use serde_json::Value;
use skyform_apply::{HelmRunner, Installed, Release};
use std::io::Write as _;

/// How the error of a helm that cannot be started begins (the binary adds the hint).
pub const CANNOT_RUN: &str = "cannot run ";
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

/// Runs `helm` against one cluster.
#[derive(Clone, Debug)]
pub struct HelmCli {
    pub helm: PathBuf,
    pub kubeconfig: Option<PathBuf>,
    pub context: Option<String>,
}

impl HelmCli {
    fn command(&self, release: &Release) -> Command {
        let mut c = Command::new(&self.helm);
        if let Some(k) = &self.kubeconfig {
            c.arg("--kubeconfig").arg(k);
        }
        if let Some(ctx) = &self.context {
            c.arg("--kube-context").arg(ctx);
        }
        c.arg("--namespace").arg(&release.namespace);
        c
    }

    /// Runs `c` with `input` on stdin; stdout, or an error naming the command and stderr.
    fn run(&self, mut c: Command, input: Option<&str>) -> Result<String, String> {
        let shown = format!(
            "{} {}",
            self.helm.display(),
            c.get_args().map(|a| a.to_string_lossy().into_owned()).collect::<Vec<_>>().join(" ")
        );
        c.stdin(if input.is_some() { Stdio::piped() } else { Stdio::null() });
        c.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = c.spawn().map_err(|e| format!("{CANNOT_RUN}`{}`: {e}", self.helm.display()))?;
        if let (Some(text), Some(mut stdin)) = (input, child.stdin.take()) {
            stdin.write_all(text.as_bytes()).map_err(|e| format!("`{shown}`: cannot write the values: {e}"))?;
        }
        let out = child.wait_with_output().map_err(|e| format!("`{shown}`: {e}"))?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(format!("`{shown}` failed ({}):\n{}", out.status, String::from_utf8_lossy(&out.stderr).trim_end()))
        }
    }
}

impl HelmRunner for HelmCli {
    fn status(&self, release: &Release) -> Result<Option<Installed>, String> {
        // `helm history` prints the latest revision's status and `<chart>-<version>` alike
        // in helm 3 and 4 (`helm status` lost the chart in 4, `helm list --all` the flag).
        let mut c = self.command(release);
        c.args(["history", &release.name, "--max", "1", "--output", "json"]);
        let text = match self.run(c, None) {
            Ok(t) => t,
            Err(e) if e.contains("release: not found") => return Ok(None),
            Err(e) => return Err(e),
        };
        let history: Vec<Value> =
            serde_json::from_str(&text).map_err(|e| format!("helm history printed no JSON list: {e}"))?;
        let Some(latest) = history.iter().max_by_key(|r| r.get("revision").and_then(Value::as_u64).unwrap_or(0)) else {
            return Ok(None);
        };
        let get = |k: &str| latest.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
        let mut c = self.command(release);
        c.args(["get", "values", &release.name, "--output", "json"]);
        let values = serde_json::from_str(&self.run(c, None)?).unwrap_or(Value::Null);
        Ok(Some(Installed { chart: get("chart"), status: get("status"), values }))
    }

    fn install(&self, release: &Release, timeout: Duration) -> Result<(), String> {
        let mut c = self.command(release);
        c.args(["upgrade", "--install", &release.name, &release.chart_ref(), "--create-namespace"]);
        if let Some(repo) = release.repo_url() {
            c.args(["--repo", repo]);
        }
        if !release.version.is_empty() {
            c.args(["--version", &release.version]);
        }
        c.args(["--values", "-", "--timeout"]).arg(format!("{}s", timeout.as_secs().max(1)));
        self.run(c, Some(&release.values_yaml)).map(|_| ())
    }

    fn manifest(&self, release: &Release) -> Result<Vec<Value>, String> {
        let mut c = self.command(release);
        c.args(["get", "manifest", &release.name]);
        let text = self.run(c, None)?;
        let docs: Vec<Value> = serde_saphyr::from_multiple(&text)
            .map_err(|e| format!("the manifest of release {} is not YAML: {e}", release.name))?;
        Ok(docs.into_iter().filter(Value::is_object).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_helm_is_a_clear_error() {
        let h = HelmCli { helm: "/nonexistent/helm".into(), kubeconfig: None, context: None };
        let r = Release { name: "x".into(), namespace: "x".into(), ..Default::default() };
        let e = h.status(&r).unwrap_err();
        assert!(e.contains("cannot run `/nonexistent/helm`"), "{e}");
        // (`skyform apply` adds the hint: `cmd::apply::error_diag`, pinned in its tests.)
    }
}
