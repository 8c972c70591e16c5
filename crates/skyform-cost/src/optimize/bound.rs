//! The lower bound: a weighted-volume bound, the node-count floor, per-service
//! floors and, on small problems, an exact covering bound.

use super::*;

/// A proven lower bound on the optimal cost in cents.
pub(super) fn lower_bound(p: &Problem) -> u64 {
    let mut total = [0u64; 3];
    for it in &p.items {
        for d in 0..3 {
            total[d] += it.req[d];
        }
    }
    let mut best = 0.0f64;
    const STEPS: u32 = 20;
    for a in 0..=STEPS {
        for b in 0..=(STEPS - a) {
            let c = STEPS - a - b;
            let w = [f64::from(a), f64::from(b), f64::from(c)];
            let weight = |r: Res| -> f64 {
                (0..3).filter(|&d| total[d] > 0).map(|d| w[d] * r[d] as f64 / total[d] as f64).sum()
            };
            let rho = |spot_ok: bool| -> f64 {
                p.kinds
                    .iter()
                    .filter(|k| spot_ok || !k.spot)
                    .filter_map(|k| {
                        let e = weight(k.cap);
                        (e > 0.0).then(|| k.price_cents as f64 / e)
                    })
                    .fold(f64::INFINITY, f64::min)
            };
            let (rho_od, rho_any) = (rho(false), rho(true));
            let mut load_od = 0.0;
            let mut load_any = 0.0;
            for it in &p.items {
                if it.on_demand_only {
                    load_od += weight(it.req);
                } else {
                    load_any += weight(it.req);
                }
            }
            let mut v = 0.0;
            if load_od > 0.0 {
                v += rho_od * load_od;
            }
            if load_any > 0.0 {
                v += rho_any * load_any;
            }
            if v.is_finite() && v > best {
                best = v;
            }
        }
    }
    let cheapest =
        |spot_ok: bool| p.kinds.iter().filter(|k| spot_ok || !k.spot).map(|k| k.price_cents).min().unwrap_or(0);
    // (b) node floor: padding or placement nodes, at least the cheapest kind each.
    let floor = u64::from(p.min_nodes) * cheapest(true);
    // (c) spread: a service with r replicas needs r nodes it may use.
    let mut spread = 0u64;
    let mut counts: Vec<(u32, u64, bool)> = Vec::new();
    for it in &p.items {
        match counts.iter_mut().find(|c| c.0 == it.service) {
            Some(c) => c.1 += 1,
            None => counts.push((it.service, 1, it.on_demand_only)),
        }
    }
    for (_, n, od) in counts {
        spread = spread.max(n * cheapest(!od));
    }
    let volume = (best - 1e-6).ceil().max(0.0) as u64;
    let simple = volume.max(floor).max(spread);
    if p.items.len() > COVERING_MAX_ITEMS {
        return simple;
    }
    covering_bound(p, simple, 200_000).map_or(simple, |c| c.max(simple))
}

/// The covering bound is computed up to this many items (beyond, the volume bound
/// is already tight relative to the node granularity).
pub(super) const COVERING_MAX_ITEMS: usize = 400;

/// The covering relaxation: the cheapest multiset of nodes whose summed capacity
/// covers the demand in every dimension (on-demand capacity covering the
/// on-demand-only demand), with at least as many nodes as the node floor and the
/// largest service's replica count (on-demand nodes for on-demand-only services).
/// It ignores how items split between nodes, so it is a lower bound; `None` when
/// the search exceeds `budget` steps.
pub(super) fn covering_bound(p: &Problem, incumbent_hint: u64, budget: u64) -> Option<u64> {
    if p.items.is_empty() {
        return None;
    }
    let kinds = non_dominated_for_cover(&p.kinds);
    let mut need = Demand::of(p);
    need.min_all = need.min_all.max(u64::from(p.min_nodes));
    let mut st = Cover { p, kinds, need, best: u64::MAX, steps: 0, budget, _hint: incumbent_hint };
    st.dfs(0, 0, [0; 3], [0; 3], 0, 0);
    (st.steps <= st.budget && st.best != u64::MAX).then_some(st.best)
}

/// Kinds for the covering bound: on-demand kinds first, each sorted by price.
pub(super) fn non_dominated_for_cover(kinds: &[Kind]) -> Vec<usize> {
    let mut v = non_dominated(kinds);
    v.sort_by(|&a, &b| (kinds[a].spot, kinds[a].price_cents, a).cmp(&(kinds[b].spot, kinds[b].price_cents, b)));
    v
}

pub(super) struct Cover<'a> {
    pub(super) p: &'a Problem,
    pub(super) kinds: Vec<usize>,
    pub(super) need: Demand,
    pub(super) best: u64,
    pub(super) steps: u64,
    pub(super) budget: u64,
    pub(super) _hint: u64,
}

impl Cover<'_> {
    pub(super) fn dfs(&mut self, ki: usize, cost: u64, all: Res, od: Res, n_all: u64, n_od: u64) {
        self.steps += 1;
        if self.steps > self.budget || cost >= self.best {
            return;
        }
        if self.need.covered(all, od, n_all, n_od) {
            self.best = cost;
            return;
        }
        if ki == self.kinds.len() {
            return;
        }
        // Fractional bound on the rest with the remaining kinds.
        let extra = self.need.missing_cost(self.p, &self.kinds[ki..], all, None);
        if cost as f64 + extra > self.best as f64 - 1.0 + 1e-6 {
            return;
        }
        let k = &self.p.kinds[self.kinds[ki]];
        let (cap, price, spot) = (k.cap, k.price_cents, k.spot);
        // Most nodes of this kind that can be useful.
        let mut max_n = self.need.min_all.saturating_sub(n_all);
        for d in 0..3 {
            if cap[d] > 0 {
                max_n = max_n.max(self.need.all[d].saturating_sub(all[d]).div_ceil(cap[d]));
                if !spot {
                    max_n = max_n.max(self.need.od[d].saturating_sub(od[d]).div_ceil(cap[d]));
                }
            }
        }
        if !spot {
            max_n = max_n.max(self.need.min_od.saturating_sub(n_od));
        }
        for n in (0..=max_n).rev() {
            let (a2, o2) = with_nodes(all, od, cap, spot, n);
            let n_od2 = if spot { n_od } else { n_od + n };
            self.dfs(ki + 1, cost + n * price, a2, o2, n_all + n, n_od2);
            if self.steps > self.budget {
                return;
            }
        }
    }
}
