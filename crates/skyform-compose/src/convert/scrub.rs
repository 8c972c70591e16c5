//! Secret values are never copied. After mapping, every value of a secret variable
//! (a secret-looking name in the interpolation environment — usually the project's
//! `.env` — or a service variable mapped to a secret reference) is looked for in
//! everything written for the service: plain variables holding one become secret
//! references; commands and arguments refer to it as `$(VAR)` (Kubernetes expands it
//! from the secret); shell probes as `${VAR}`; configuration files holding one are not
//! inlined. The report is redacted as a last line of defence.

use super::{Basic, Converter, OutProbes, OutService, Plan, ProbeAction};
use crate::classify;
use crate::report::Outcome;

/// Values too common to be treated as a secret's value wherever they appear.
fn distinctive(value: &str) -> bool {
    let v = value.trim();
    v.chars().count() >= 4
        && !matches!(v.to_ascii_lowercase().as_str(), "true" | "false" | "none" | "null" | "disabled" | "enabled")
        && !(v.len() < 6 && v.chars().all(|c| c.is_ascii_digit()))
        && v.chars().any(char::is_alphanumeric)
}

/// A value that looks generated rather than a word: at least 8 characters of at least
/// two kinds (letters, digits, symbols).
fn strong(value: &str) -> bool {
    let v = value.trim();
    let kinds = [
        v.chars().any(|c| c.is_alphabetic()),
        v.chars().any(|c| c.is_ascii_digit()),
        v.chars().any(|c| !c.is_alphanumeric()),
    ];
    v.chars().count() >= 8 && kinds.iter().filter(|k| **k).count() >= 2
}

/// Replaces every secret value in `text` by `reference(var)`; returns the variables used.
fn replace(text: &str, secrets: &[(String, String)], reference: &dyn Fn(&str) -> String) -> (String, Vec<String>) {
    let mut out = String::with_capacity(text.len());
    let mut used: Vec<String> = Vec::new();
    let mut i = 0;
    'outer: while i < text.len() {
        for (value, var) in secrets {
            if text[i..].starts_with(value.as_str()) && bounded(text, i, i + value.len(), value) {
                out.push_str(&reference(var));
                if !used.contains(var) {
                    used.push(var.clone());
                }
                i += value.len();
                continue 'outer;
            }
        }
        let c = text[i..].chars().next().unwrap_or(' ');
        out.push(c);
        i += c.len_utf8();
    }
    (out, used)
}

/// Whether an occurrence of a secret at `start..end` stands on its own: a strong value
/// anywhere, a weak one (a word such as `postgres`) only between separators, so that a
/// host `postgres-db` or a word `postgresql` is left alone.
fn bounded(text: &str, start: usize, end: usize, value: &str) -> bool {
    if strong(value) {
        return true;
    }
    let word = |c: char| c.is_alphanumeric() || matches!(c, '_' | '-' | '.');
    let before = text[..start].chars().next_back().is_none_or(|c| !word(c));
    let after = text[end..].chars().next().is_none_or(|c| !word(c));
    before && after
}

/// Replaces every secret value in a shell script by `${VAR}`, closing and reopening a
/// single-quoted string around it (`'Bearer '"${TOKEN}"''`) so that the shell expands it.
fn replace_in_shell(script: &str, secrets: &[(String, String)]) -> (String, Vec<String>) {
    let mut out = String::with_capacity(script.len());
    let mut used = Vec::new();
    let mut in_single = false;
    let mut i = 0;
    'outer: while i < script.len() {
        for (value, var) in secrets {
            if script[i..].starts_with(value.as_str()) {
                if in_single {
                    out.push_str(&format!("'\"${{{var}}}\"'"));
                } else {
                    out.push_str(&format!("${{{var}}}"));
                }
                if !used.contains(var) {
                    used.push(var.clone());
                }
                i += value.len();
                continue 'outer;
            }
        }
        let c = script[i..].chars().next().unwrap_or(' ');
        if c == '\'' {
            in_single = !in_single;
        }
        out.push(c);
        i += c.len_utf8();
    }
    (out, used)
}

/// Single-quotes a word for `sh -c`.
fn sh_quote(word: &str) -> String {
    if !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:@%+,".contains(c)) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

impl Converter<'_, '_> {
    pub(super) fn scrub_secrets(&mut self, plan: &mut Plan, basics: &[Basic]) {
        let global: Vec<(String, String)> = self.secret_values.iter().map(|(v, k)| (v.clone(), k.clone())).collect();
        let mut all_values: Vec<(String, String)> = global.clone();
        for (name, s) in &mut plan.services {
            let Some(b) = basics.iter().find(|b| &b.name == name) else { continue };
            // The service's own secret variables count where their values look like
            // secrets (a short word such as a default password `app` is also a user name).
            let mut secrets: Vec<(String, String)> = b
                .vars
                .iter()
                .filter(|v| s.secrets.contains_key(&v.key) || classify::is_secret_name(&v.key))
                .filter_map(|v| Some((v.value.clone()?, v.key.clone())))
                .filter(|(v, _)| strong(v))
                .chain(global.iter().cloned())
                .filter(|(v, _)| distinctive(v))
                .collect();
            // Longest first, so that a value containing another is replaced whole.
            secrets.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.1.cmp(&b.1)));
            secrets.dedup_by(|a, b| a.0 == b.0);
            all_values.extend(secrets.iter().cloned());
            self.scrub_service(s, b, &secrets);
        }
        all_values.sort_by_key(|b| std::cmp::Reverse(b.0.len()));
        all_values.retain(|(v, _)| distinctive(v));
        for item in &mut self.report.items {
            for (value, var) in &all_values {
                if item.message.contains(value.as_str()) {
                    item.message = item.message.replace(value.as_str(), &format!("<secret {var}>"));
                }
            }
        }
    }

    fn scrub_service(&mut self, s: &mut OutService, b: &Basic, secrets: &[(String, String)]) {
        if secrets.is_empty() {
            return;
        }
        let sname = Some(b.compose_name.as_str());
        let loc = b.key_loc;
        // Plain variables holding a secret value become secret references.
        for (key, value) in s.env.clone() {
            // A weak value (a word) makes a variable secret only when it is all of it.
            let (_, used) = replace(&value, secrets, &|v| v.to_string());
            let used: Vec<String> = used
                .into_iter()
                .filter(|var| secrets.iter().any(|(v, k)| k == var && (strong(v) || value.trim() == v.as_str())))
                .collect();
            if !used.is_empty() {
                s.env.remove(&key);
                s.secrets.insert(key.clone(), None);
                let at = b.vars.iter().find(|v| v.key == key).map_or(loc, |v| v.loc);
                self.item(
                    Outcome::Approximated,
                    sname,
                    &format!("environment.{key}"),
                    format!(
                        "its value contains the value of secret {}: it became a secret reference (store the whole value in the secrets backend)",
                        used.iter().map(|u| format!("`{u}`")).collect::<Vec<_>>().join(", ")
                    ),
                    at,
                );
            }
        }
        // Commands and arguments: `$(VAR)`, expanded by Kubernetes from the secret.
        let mut needed: Vec<String> = Vec::new();
        let has_command = s.command.is_some();
        for (field, words) in [("entrypoint", &mut s.command), ("command", &mut s.args)] {
            let Some(list) = words.as_mut() else { continue };
            let mut changed = Vec::new();
            // The program itself is never a secret.
            let skip = usize::from(field == "entrypoint" || !has_command);
            for w in list.iter_mut().skip(skip) {
                let (new, used) = replace(w, secrets, &|v| format!("$({v})"));
                if !used.is_empty() {
                    *w = new;
                    changed.extend(used);
                }
            }
            if !changed.is_empty() {
                changed.sort();
                changed.dedup();
                self.item(
                    Outcome::Approximated,
                    sname,
                    field,
                    format!(
                        "the value of secret {} is referenced as `$(…)` (Kubernetes expands it from the secret), not copied",
                        changed.iter().map(|u| format!("`{u}`")).collect::<Vec<_>>().join(", ")
                    ),
                    loc,
                );
                needed.extend(changed);
            }
        }
        // Probes: shell expansion of the container's environment.
        if let Some(p) = s.probes.as_mut() {
            match &mut p.action {
                ProbeAction::Exec(cmd) => {
                    let shell = cmd.len() == 3 && cmd[0] == "sh" && cmd[1] == "-c";
                    let joined = if shell {
                        cmd[2].clone()
                    } else {
                        cmd.iter().map(|w| sh_quote(w)).collect::<Vec<_>>().join(" ")
                    };
                    let (new, used) = replace_in_shell(&joined, secrets);
                    if !used.is_empty() {
                        *cmd = vec!["sh".into(), "-c".into(), new];
                        self.item(
                            Outcome::Approximated,
                            sname,
                            "healthcheck",
                            format!(
                                "the value of secret {} is read from the environment (`${{…}}`) in the probe command, not copied",
                                used.iter().map(|u| format!("`{u}`")).collect::<Vec<_>>().join(", ")
                            ),
                            loc,
                        );
                        needed.extend(used);
                    }
                }
                ProbeAction::Http(path) => {
                    let (_, used) = replace(path, secrets, &|v| v.to_string());
                    if !used.is_empty() {
                        *p = OutProbes { action: ProbeAction::Tcp, ..p.clone() };
                        self.item(
                            Outcome::Approximated,
                            sname,
                            "healthcheck",
                            "the probe URL holds a secret value; a TCP probe on the same port is used instead",
                            loc,
                        );
                    }
                }
                ProbeAction::Tcp => {}
            }
        }
        for var in needed {
            if !s.secrets.contains_key(&var) && !s.env.contains_key(&var) {
                s.secrets.insert(var, None);
            }
        }
        // Configuration files holding a secret value are not inlined.
        for (path, content) in s.files.clone() {
            let (_, used) = replace(&content, secrets, &|v| v.to_string());
            if !used.is_empty() {
                s.files.remove(&path);
                self.item(
                    Outcome::Dropped,
                    sname,
                    "volumes",
                    format!(
                        "configuration file at `{path}` contains the value of secret {}: not copied; mount it from a Secret instead",
                        used.iter().map(|u| format!("`{u}`")).collect::<Vec<_>>().join(", ")
                    ),
                    loc,
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::replace_in_shell;

    #[test]
    fn shell_references_survive_quoting() {
        let secrets = vec![("s3cr3t-value".to_string(), "TOKEN".to_string())];
        let (out, used) = replace_in_shell("curl -H 'Bearer s3cr3t-value' x && echo s3cr3t-value", &secrets);
        assert_eq!(out, "curl -H 'Bearer '\"${TOKEN}\"'' x && echo ${TOKEN}");
        assert_eq!(used, vec!["TOKEN".to_string()]);
    }
}
