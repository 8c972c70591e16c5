//! Backups: schedules, their worst-case interval (the RPO) and what they cover.

use super::*;

impl Cx<'_> {
    pub(super) fn backup(&mut self, raw: Option<&raw::BackupSpec>, tiers: &[String], envs: &[Environment]) -> Backup {
        let base = spec_path().key("backup");
        let mut schedules = Vec::new();
        let mut replication = Vec::new();
        let Some(raw) = raw else { return Backup { schedules, replication, bucket_size_gib: 0 } };
        let service_names: Vec<&str> =
            envs.first().map(|e| e.services.iter().map(|s| s.name.as_str()).collect()).unwrap_or_default();
        for (i, s) in raw.schedules.iter().enumerate() {
            let path = base.key("schedules").index(i);
            if !is_dns1123_label(&s.name) {
                self.error(
                    Code::InvalidName,
                    &path.key("name"),
                    format!("schedule name `{}` is not a valid DNS-1123 label", s.name),
                    None,
                );
            }
            for (j, t) in s.tiers.iter().enumerate() {
                if !tiers.contains(t) {
                    self.error(
                        Code::UnknownTier,
                        &path.key("tiers").index(j),
                        format!("backup schedule `{}` names unknown tier `{t}`", s.name),
                        did_you_mean(t, tiers.iter().map(String::as_str)).map(|x| format!("did you mean `{x}`?")),
                    );
                }
            }
            for (j, svc) in s.services.iter().enumerate() {
                if !service_names.contains(&svc.as_str()) {
                    self.unknown_service(
                        svc,
                        &path.key("services").index(j),
                        format!("backup schedule `{}` names unknown service `{svc}`", s.name),
                        did_you_mean(svc, service_names.iter().copied()).map(|x| format!("did you mean `{x}`?")),
                    );
                }
            }
            let interval = crate::cron::interval_minutes(&s.cron);
            if interval.is_none() {
                self.error(
                    Code::InvalidValue,
                    &path.key("cron"),
                    format!("invalid cron expression `{}`", s.cron),
                    Some("use five fields: minute hour day-of-month month day-of-week, e.g. `0 2 * * *`".into()),
                );
            }
            let ttl = duration_minutes(&s.ttl);
            if ttl.is_none() {
                self.error(
                    Code::InvalidValue,
                    &path.key("ttl"),
                    format!("invalid duration `{}`", s.ttl),
                    Some("write hours, e.g. `720h` for 30 days".into()),
                );
            }
            schedules.push(BackupSchedule {
                name: s.name.clone(),
                tiers: s.tiers.clone(),
                cron: s.cron.clone(),
                ttl: s.ttl.clone(),
                ttl_hours: ttl.unwrap_or(0) / 60,
                interval_minutes: interval.unwrap_or(0),
                method: s.method.unwrap_or(BackupMethod::Snapshot),
                services: s.services.clone(),
            });
        }
        for (i, r) in raw.replication.iter().enumerate() {
            let path = base.key("replication").index(i);
            if !service_names.contains(&r.service.as_str()) {
                self.unknown_service(
                    &r.service,
                    &path.key("service"),
                    format!("replication source `{}` is not a service", r.service),
                    did_you_mean(&r.service, service_names.iter().copied()).map(|x| format!("did you mean `{x}`?")),
                );
            }
            let interval = r.interval.as_deref().unwrap_or("0s");
            let minutes = duration_minutes(interval);
            if minutes.is_none() {
                self.error(Code::InvalidValue, &path.key("interval"), format!("invalid duration `{interval}`"), None);
            }
            replication.push(Replication {
                service: r.service.clone(),
                bucket: r.bucket.clone(),
                target: r.target.clone(),
                interval_minutes: minutes.unwrap_or(0),
            });
        }
        let bucket_size_gib = match raw.bucket_size.as_deref() {
            None => 0,
            Some(s) => match quantity::parse_bytes(s) {
                Ok(b) => b.gib(),
                Err(e) => {
                    self.error(Code::BadQuantity, &spec_path().key("backup").key("bucketSize"), e.message, e.hint);
                    0
                }
            },
        };
        Backup { schedules, replication, bucket_size_gib }
    }
}
