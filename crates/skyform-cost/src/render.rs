//! Pure renderers of a [`PlanSet`]: a plain-text side-by-side summary and an SVG bar
//! chart of monthly cost per provider, stacked by component. Both are deterministic
//! (same plans → same bytes); the CLI writes them.

use std::fmt::Write as _;

use crate::plan::{Plan, PlanSet, Role, Scenario};

/// Which sizing point to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Point {
    Base,
    Peak,
}

impl Point {
    fn of(self, p: &Plan) -> &Scenario {
        match self {
            Self::Base => &p.base,
            Self::Peak => &p.peak,
        }
    }
}

/// Short description of a scenario's worker pools: `3× t3.medium, 2× t3.medium (spot)`.
pub fn pools_summary(s: &Scenario) -> String {
    let parts: Vec<String> = s
        .pools
        .iter()
        .map(|p| {
            let mut t = format!("{}× {}", p.count, p.instance);
            if p.capacity == crate::plan::Capacity::Spot {
                t.push_str(" (spot)");
            }
            if p.role == Role::ControlPlane {
                t.push_str(" (control plane)");
            }
            t
        })
        .collect();
    parts.join(", ")
}

fn money(x: f64) -> String {
    format!("${x:.2}")
}

/// The rows of the side-by-side table, cheapest first: a header row, then one row
/// per provider. Cells are plain strings so any table renderer can lay them out.
pub fn table_rows(set: &PlanSet) -> Vec<Vec<String>> {
    let mut rows = vec![
        [
            "provider",
            "base nodes",
            "binding",
            "nodes",
            "control plane",
            "LBs",
            "block",
            "object",
            "DBs",
            "NAT",
            "base total",
            "peak total",
            "solver",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect::<Vec<_>>(),
    ];
    for p in &set.plans {
        let b = &p.base;
        let u = &b.utilisation;
        let util = match b.binding {
            crate::plan::Resource::Cpu => u.cpu_percent,
            crate::plan::Resource::Memory => u.memory_percent,
            crate::plan::Resource::Pods => u.pods_percent,
        };
        let solver = |s: &Scenario| match s.solver.method {
            crate::plan::Method::Exact => "optimal".to_owned(),
            crate::plan::Method::Heuristic if s.solver.gap_percent < 0.05 => "gap <0.1%".to_owned(),
            crate::plan::Method::Heuristic => format!("gap ≤{:.1}%", s.solver.gap_percent),
        };
        let mark = if p.unverified().next().is_some() { " *" } else { "" };
        rows.push(vec![
            format!("{}{mark}", p.provider),
            pools_summary(b),
            format!("{} {util:.0}%", b.binding.as_str()),
            money(b.cost.nodes_usd),
            money(b.cost.control_plane_usd),
            money(b.cost.load_balancers_usd),
            money(b.cost.block_storage_usd),
            money(b.cost.object_storage_usd),
            money(b.cost.managed_databases_usd),
            money(b.cost.nat_gateways_usd),
            money(b.cost.total_usd),
            money(p.peak.cost.total_usd),
            format!("{} / {}", solver(b), solver(&p.peak)),
        ]);
    }
    rows
}

/// A plain-text rendering: aligned table, failures and footnotes.
pub fn render_text(set: &PlanSet) -> String {
    let rows = table_rows(set);
    let ncols = rows.first().map_or(0, Vec::len);
    let widths: Vec<usize> = (0..ncols).map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    let _ = writeln!(out, "environment: {}", set.environment);
    for (ri, r) in rows.iter().enumerate() {
        let line: Vec<String> = r.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect();
        let _ = writeln!(out, "{}", line.join("  ").trim_end());
        if ri == 0 {
            let _ = writeln!(out, "{}", "-".repeat(widths.iter().sum::<usize>() + 2 * ncols.saturating_sub(1)));
        }
    }
    for f in &set.failures {
        let _ = writeln!(out, "{}: cannot plan: {}", f.provider, f.reason);
    }
    if let Some(t) = &set.right_sizing {
        for l in t.lines() {
            let _ = writeln!(out, "{l}");
        }
    }
    out.push_str(&footnotes_text(set));
    out
}

/// The footnotes of all plans, UNVERIFIED ones marked.
pub fn footnotes_text(set: &PlanSet) -> String {
    let mut out = String::new();
    let any_unverified = set.plans.iter().any(|p| p.unverified().next().is_some());
    if any_unverified {
        let _ =
            writeln!(out, "\n* UNVERIFIED figures (third-party, stale or unsourced; refresh before relying on them):");
        for p in &set.plans {
            for f in p.unverified() {
                let _ = writeln!(out, "  {}: {}: {}", p.provider, f.subject, f.text);
            }
        }
    }
    out
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Component colours, in the stacking order of [`crate::plan::CostBreakdown::components`].
const COLOURS: [&str; 7] = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1"];

/// An SVG bar chart: one bar per provider (cheapest first), stacked by cost component.
pub fn render_svg(set: &PlanSet, point: Point) -> String {
    let n = set.plans.len().max(1);
    let (left, right, top, bottom) = (70.0, 190.0, 50.0, 70.0);
    let bar_w = 48.0;
    let gap = 24.0;
    let plot_w = n as f64 * (bar_w + gap) + gap;
    let plot_h = 300.0;
    let width = left + plot_w + right;
    let height = top + plot_h + bottom;
    let max_total = set.plans.iter().map(|p| point.of(p).cost.total_usd).fold(0.0f64, f64::max);
    let step = nice_step(max_total / 5.0);
    let axis_max = if max_total <= 0.0 { step * 5.0 } else { (max_total / step).ceil() * step };
    let y = |v: f64| top + plot_h - v / axis_max * plot_h;

    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" font-family="sans-serif" font-size="12">"#
    );
    let label = match point {
        Point::Base => "base",
        Point::Peak => "peak",
    };
    let _ = writeln!(
        s,
        r#"<text x="{left}" y="24" font-size="16" font-weight="bold">Monthly cost per provider — {} ({label})</text>"#,
        esc(&set.environment)
    );
    // Grid and axis labels.
    let mut v = 0.0;
    while v <= axis_max + 1e-9 {
        let yy = y(v);
        let _ = writeln!(
            s,
            r##"<line x1="{left}" y1="{yy:.1}" x2="{:.1}" y2="{yy:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" text-anchor="end">${v:.0}</text>"##,
            left + plot_w,
            left - 6.0,
            yy + 4.0
        );
        v += step;
    }
    for (i, p) in set.plans.iter().enumerate() {
        let sc = point.of(p);
        let x = left + gap + i as f64 * (bar_w + gap);
        let mut acc = 0.0;
        for (ci, (name, value)) in sc.cost.components().iter().enumerate() {
            if *value <= 0.0 {
                continue;
            }
            let (y1, y0) = (y(acc + value), y(acc));
            let _ = writeln!(
                s,
                r#"<rect x="{x:.1}" y="{y1:.1}" width="{bar_w}" height="{:.1}" fill="{}"><title>{}: {name} ${value:.2}</title></rect>"#,
                (y0 - y1).max(0.0),
                COLOURS[ci],
                esc(&p.provider)
            );
            acc += value;
        }
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">${:.0}</text>"#,
            x + bar_w / 2.0,
            y(acc) - 5.0,
            sc.cost.total_usd
        );
        let mark = if p.unverified().next().is_some() { "*" } else { "" };
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end" transform="rotate(-35 {:.1} {:.1})">{}{mark}</text>"#,
            x + bar_w / 2.0,
            top + plot_h + 16.0,
            x + bar_w / 2.0,
            top + plot_h + 16.0,
            esc(&p.provider)
        );
    }
    // Legend.
    let lx = left + plot_w + 20.0;
    for (ci, name) in
        ["nodes", "control plane", "load balancers", "block storage", "object storage", "managed databases"]
            .iter()
            .enumerate()
    {
        let ly = top + 10.0 + ci as f64 * 20.0;
        let _ = writeln!(
            s,
            r#"<rect x="{lx:.1}" y="{ly:.1}" width="12" height="12" fill="{}"/><text x="{:.1}" y="{:.1}">{name}</text>"#,
            COLOURS[ci],
            lx + 18.0,
            ly + 10.0
        );
    }
    if set.plans.iter().any(|p| p.unverified().next().is_some()) {
        let _ = writeln!(
            s,
            r#"<text x="{lx:.1}" y="{:.1}" font-size="11">* includes UNVERIFIED prices</text>"#,
            top + 140.0
        );
    }
    s.push_str("</svg>\n");
    s
}

/// 1, 2 or 5 × 10^k, at least `raw`.
fn nice_step(raw: f64) -> f64 {
    if !raw.is_finite() || raw <= 0.0 {
        return 10.0;
    }
    let mag = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * mag).find(|s| *s >= raw).unwrap_or(10.0 * mag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_steps() {
        assert_eq!(nice_step(43.0), 50.0);
        assert_eq!(nice_step(0.0), 10.0);
        assert_eq!(nice_step(101.0), 200.0);
        assert_eq!(nice_step(f64::NAN), 10.0);
    }

    #[test]
    fn empty_set_renders() {
        let set = PlanSet { environment: "<dev>".into(), plans: vec![], failures: vec![], right_sizing: None };
        let svg = render_svg(&set, Point::Base);
        assert!(svg.contains("&lt;dev&gt;"));
        assert!(render_text(&set).starts_with("environment: <dev>"));
    }
}
