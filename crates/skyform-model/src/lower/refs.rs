//! References between services: `dependsOn` targets, their ports and cycles.

use super::*;

impl Cx<'_> {
    /// Checks every `dependsOn` edge and resolves port lists; removes broken edges.
    pub(super) fn check_dependencies(&mut self, services: &mut [Service]) {
        let ports: BTreeMap<String, Vec<Port>> = services.iter().map(|s| (s.name.clone(), s.ports.clone())).collect();
        let names: Vec<String> = services.iter().map(|s| s.name.clone()).collect();
        let spec = &self.loaded.raw.spec;
        for s in services.iter_mut() {
            let raw_deps = spec.services.get(&s.name).and_then(|x| x.depends_on.clone()).unwrap_or_default();
            let mut resolved = Vec::new();
            for (i, dep) in std::mem::take(&mut s.depends_on).into_iter().enumerate() {
                // Locate the edge in the base spec (environments rarely change edges).
                let idx = raw_deps.iter().position(|d| d.split(':').next() == Some(dep.service.as_str())).unwrap_or(i);
                let path = spec_path().key("services").key(&s.name).key("dependsOn").index(idx);
                if dep.service == s.name {
                    self.error(Code::DependencyCycle, &path, format!("service `{}` depends on itself", s.name), None);
                    continue;
                }
                let Some(target_ports) = ports.get(&dep.service) else {
                    self.unknown_service(
                        &dep.service,
                        &path,
                        format!("service `{}` depends on `{}`, which does not exist", s.name, dep.service),
                        did_you_mean(&dep.service, names.iter().map(String::as_str))
                            .map(|x| format!("did you mean `{x}`?")),
                    );
                    continue;
                };
                let raw_text = raw_deps.get(idx).cloned().unwrap_or_default();
                let port_ref = raw_text.split_once(':').map(|(_, p)| p.to_string());
                let ports_for_edge: Vec<u16> = match port_ref {
                    Some(p) => match target_ports.iter().find(|x| x.name == p || x.port.to_string() == p) {
                        Some(x) => vec![x.port],
                        None => {
                            self.error(
                                Code::UnknownPort,
                                &path,
                                format!("service `{}` has no port `{p}`", dep.service),
                                Some(port_list(target_ports)),
                            );
                            continue;
                        }
                    },
                    None if !dep.ports.is_empty() && dep.ports != [0] => dep.ports.clone(),
                    None => target_ports.iter().map(|p| p.port).collect(),
                };
                if ports_for_edge.is_empty() {
                    self.error(
                        Code::UnknownPort,
                        &path,
                        format!("service `{}` depends on `{}`, which declares no ports", s.name, dep.service),
                        None,
                    );
                    continue;
                }
                if let Some(existing) = resolved.iter_mut().find(|d: &&mut Dependency| d.service == dep.service) {
                    existing.ports.extend(ports_for_edge);
                    existing.ports.sort_unstable();
                    existing.ports.dedup();
                } else {
                    resolved.push(Dependency { service: dep.service, ports: ports_for_edge });
                }
            }
            resolved.sort();
            s.depends_on = resolved;
        }
        // Queue autoscalers must point at a service.
        for s in services.iter() {
            if let Some(q) = s.autoscale.as_ref().and_then(|a| a.queue.as_ref())
                && !names.contains(&q.service)
            {
                let path = spec_path().key("services").key(&s.name).key("autoscale").key("queue").key("service");
                self.unknown_service(
                    &q.service,
                    &path,
                    format!("queue autoscaler of `{}` names unknown service `{}`", s.name, q.service),
                    did_you_mean(&q.service, names.iter().map(String::as_str)).map(|x| format!("did you mean `{x}`?")),
                );
            }
        }
    }
}
