//! Health checks: a compose healthcheck becomes the same check as liveness and readiness
//! probes (an HTTP GET of the container itself becomes an HTTP probe, anything else the
//! same command); without one, a TCP probe on the known port, or no probe at all. A
//! probe that cannot fail (`true`, `exit 0`) is never written.

use super::ports::local_http_url;
use super::text::{duration_seconds, int_value, shell_split};
use super::{Basic, Converter, OutProbes, OutService, ProbeAction};
use crate::report::Outcome;
use crate::tree::{CNode, CValue};

/// Commands that succeed whatever the state of the service.
fn cannot_fail(words: &[String]) -> bool {
    let program = words.first().map(|w| w.rsplit('/').next().unwrap_or(w)).unwrap_or_default();
    matches!(program, "true" | ":" | "echo" | "printf" | "sleep")
        || (program == "exit" && words.get(1).is_none_or(|c| c == "0"))
        || words.is_empty()
}

impl Converter<'_, '_> {
    /// No usable healthcheck: TCP on the first port, or no probes.
    fn default_probes(&mut self, out: &mut OutService, b: &Basic, why: &str, loc: crate::tree::Loc) {
        let sname = Some(b.compose_name.as_str());
        if b.component.is_some() || b.job {
            return;
        }
        match out.ports.as_ref().and_then(|p| p.iter().find(|x| !x.udp)) {
            Some(p) => {
                out.probes = Some(OutProbes {
                    port: (out.ports.as_ref().and_then(|ps| ps.first()).map(|f| f.port) != Some(p.port))
                        .then(|| p.name.clone()),
                    action: ProbeAction::Tcp,
                    period: None,
                    failure: None,
                    initial_delay: None,
                });
                self.item(
                    Outcome::Approximated,
                    sname,
                    "healthcheck",
                    format!("{why}: TCP liveness and readiness probes on port {} ({})", p.port, p.name),
                    loc,
                );
            }
            None => {
                out.no_probes = true;
                self.item(
                    Outcome::Approximated,
                    sname,
                    "healthcheck",
                    format!("{why} and no port: no probes (none could tell truthfully when it is healthy)"),
                    loc,
                );
            }
        }
    }

    pub(super) fn healthcheck(&mut self, out: &mut OutService, node: &CNode, b: &Basic) {
        let sname = Some(b.compose_name.as_str());
        let Some(hc) = node.entry("healthcheck") else {
            self.default_probes(out, b, "no healthcheck", b.key_loc);
            return;
        };
        if b.job {
            self.item(Outcome::Approximated, sname, "healthcheck", "a one-shot job has no probes", hc.key_loc);
            return;
        }
        if b.component.is_some() {
            self.item(
                Outcome::Approximated,
                sname,
                "healthcheck",
                "replaced by the component's liveness and readiness probes",
                hc.key_loc,
            );
            return;
        }
        let disabled = hc
            .value
            .get("disable")
            .and_then(CNode::scalar_text)
            .and_then(|t| super::text::bool_text(&t))
            .unwrap_or(false);
        let test: Vec<String> = match hc.value.get("test").map(|t| &t.value) {
            Some(CValue::Seq(items)) => items.iter().filter_map(CNode::scalar_text).collect(),
            Some(CValue::String(s)) => vec!["CMD-SHELL".to_string(), s.clone()],
            _ => Vec::new(),
        };
        if disabled || test.first().is_some_and(|t| t == "NONE") || test.is_empty() {
            self.default_probes(out, b, "healthcheck disabled or empty", hc.key_loc);
            return;
        }
        let (argv, shell): (Vec<String>, Option<String>) = match test.first().map(String::as_str) {
            Some("CMD") => (test[1..].to_vec(), None),
            Some("CMD-SHELL") => {
                let s = test[1..].join(" ");
                (vec!["sh".to_string(), "-c".to_string(), s.clone()], Some(s))
            }
            _ => (test.clone(), None),
        };
        let words: Vec<String> = match &shell {
            Some(s) => shell_split(s),
            None => argv.clone(),
        };
        if cannot_fail(&words) {
            self.default_probes(out, b, "the healthcheck cannot fail", hc.key_loc);
            return;
        }
        let timing = |key: &str| {
            hc.value.get(key).and_then(CNode::scalar_text).and_then(|t| duration_seconds(&t)).filter(|s| *s > 0)
        };
        let period = timing("interval");
        let initial_delay = timing("start_period");
        let failure =
            hc.value.get("retries").and_then(int_value).filter(|n| *n >= 1).and_then(|n| u32::try_from(n).ok());
        // An HTTP GET of the container itself (curl/wget) becomes an HTTP probe, unless
        // the command does more than the request (`| grep`, `&&`).
        let program = words.first().map(|w| w.rsplit('/').next().unwrap_or(w).to_string()).unwrap_or_default();
        let compound =
            words.iter().any(|w| matches!(w.as_str(), "|" | "&&" | ";" | "||")) && !words.iter().any(|w| w == "exit");
        // Headers, credentials, methods or bodies make it more than a plain GET.
        let plain_get = !words.iter().any(|w| {
            let flag = w.split('=').next().unwrap_or(w);
            matches!(
                flag,
                "-H" | "--header"
                    | "-u"
                    | "--user"
                    | "-X"
                    | "--request"
                    | "-d"
                    | "--data"
                    | "--post-data"
                    | "--http-user"
                    | "--http-password"
                    | "-E"
                    | "--cert"
                    | "--unix-socket"
            )
        });
        let http = if matches!(program.as_str(), "curl" | "wget") && !compound && plain_get {
            words.iter().find_map(|w| local_http_url(w, &b.aliases))
        } else {
            None
        };
        let ports = out.ports.clone().unwrap_or_default();
        let http =
            http.and_then(|(port, path)| ports.iter().find(|p| p.port == port && !p.udp).map(|p| (p.clone(), path)));
        let (action, port) = match http {
            Some((p, path)) => {
                let port_ref =
                    if ports.first().is_some_and(|f| f.port == p.port) { None } else { Some(p.name.clone()) };
                self.item(
                    Outcome::Mapped,
                    sname,
                    "healthcheck",
                    format!("`{program}` of `{path}` on port {} → HTTP liveness and readiness probes", p.port),
                    hc.key_loc,
                );
                (ProbeAction::Http(path), port_ref)
            }
            None => {
                self.item(
                    Outcome::Mapped,
                    sname,
                    "healthcheck",
                    "the same command → exec liveness and readiness probes",
                    hc.key_loc,
                );
                (ProbeAction::Exec(argv), None)
            }
        };
        if hc.value.get("timeout").is_some() {
            self.item(
                Outcome::Approximated,
                sname,
                "healthcheck.timeout",
                "probe timeouts use skyform's default (3s)",
                hc.key_loc,
            );
        }
        out.probes = Some(OutProbes { port, action, period, failure, initial_delay });
    }
}
