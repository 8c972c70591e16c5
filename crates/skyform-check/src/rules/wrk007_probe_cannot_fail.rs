//! **WRK-007 `probe-cannot-fail`**: A liveness, readiness or startup probe runs a command that always succeeds (`true`, `/bin/true`, `exit 0`, `sh -c true`, `echo …`, `… || true`).
//!
//! *Why:* The probe reports healthy whatever the application does: traffic goes to pods that are not ready and hung pods are never restarted.
//!
//! *Fix:* Probe something that fails when the application does (an HTTP health endpoint, a TCP port, `pg_isready`, `redis-cli ping`).
//!
//! *Severity:* error.
//!
//! *Maps to:* nothing in checkov, kube-linter, Polaris or kube-score.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "WRK-007",
    name: "probe-cannot-fail",
    severity: Severity::Error,
    category: Category::Works,
    default_enabled: true,
    summary: "A probe runs a command that always succeeds, so it reports healthy whatever the application does.",
    hint: "Probe something that fails when the application does (an HTTP health endpoint, a TCP port, `pg_isready`, `redis-cli ping`).",
    refs: Refs::NONE,
    check,
};

/// Whether a shell script always exits 0.
fn script_cannot_fail(script: &str) -> bool {
    let s = script.trim().trim_end_matches(';').trim();
    let always = |c: &str| {
        let c = c.trim();
        matches!(c, "true" | "/bin/true" | "/usr/bin/true" | ":" | "exit 0" | "exit" | "")
            || c.starts_with("echo ")
            || c == "echo"
    };
    if always(s) {
        return true;
    }
    // `x || true`, `x; exit 0`, `x; true`
    if let Some((_, last)) = s.rsplit_once("||") {
        return always(last);
    }
    if let Some((_, last)) = s.rsplit_once(';') {
        return matches!(last.trim(), "true" | "exit 0" | ":" | "/bin/true");
    }
    false
}

/// Whether an exec command always succeeds.
pub fn command_cannot_fail(cmd: &[&str]) -> bool {
    match cmd {
        [] => false,
        [one] => script_cannot_fail(one),
        [shell, flag, script, ..]
            if matches!(shell.rsplit('/').next().unwrap_or(shell), "sh" | "bash" | "ash" | "dash" | "zsh")
                && flag.starts_with('-')
                && flag.contains('c') =>
        {
            script_cannot_fail(script)
        }
        [first, ..] => matches!(first.rsplit('/').next().unwrap_or(first), "true" | "echo"),
    }
}

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    each_container(obj, |_, c, _| {
        for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
            let Some(cmd) = c.get(probe).and_then(|p| p.get("exec")).and_then(|e| e.get("command")) else { continue };
            let items = strings(Some(cmd));
            if command_cannot_fail(&items) {
                out.at(cmd.span, format!("{} `{probe}` runs `{}`, which always succeeds", c.label(), items.join(" ")));
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::command_cannot_fail;

    #[test]
    fn recognises_commands_that_always_succeed() {
        for c in [
            vec!["true"],
            vec!["/bin/true"],
            vec!["sh", "-c", "true"],
            vec!["/bin/sh", "-c", "exit 0"],
            vec!["sh", "-c", "curl -f localhost || true"],
            vec!["echo", "ok"],
        ] {
            assert!(command_cannot_fail(&c), "{c:?}");
        }
        for c in
            [vec!["pg_isready", "-U", "app"], vec!["sh", "-c", "redis-cli ping | grep PONG"], vec!["cat", "/tmp/ready"]]
        {
            assert!(!command_cannot_fail(&c), "{c:?}");
        }
    }
}
