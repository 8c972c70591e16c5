//! The exact search: depth-first branch and bound over items in decreasing size.

use super::*;

pub(super) struct BState {
    pub(super) kind: usize,
    pub(super) used: Res,
    pub(super) items: Vec<usize>,
}

pub(super) struct BranchAndBound<'a> {
    pub(super) p: &'a Problem,
    pub(super) order: Vec<usize>,
    pub(super) open_kinds: Vec<usize>,
    pub(super) rem_all: Vec<Res>,
    pub(super) rem_od: Vec<Res>,
    pub(super) resid_all: Res,
    pub(super) resid_od: Res,
    pub(super) rho_any: [f64; 3],
    pub(super) rho_od: [f64; 3],
    pub(super) cheapest_any: u64,
    pub(super) bins: Vec<BState>,
    pub(super) place: Vec<usize>,
    pub(super) best: u64,
    pub(super) best_bins: Option<Vec<Bin>>,
    pub(super) expansions: u64,
    pub(super) budget: u64,
    pub(super) aborted: bool,
}

/// Kinds not dominated by another (at least the capacity, at most the price, and
/// usable by at least the same items).
pub(super) fn non_dominated(kinds: &[Kind]) -> Vec<usize> {
    let dominates = |i: usize, j: usize| {
        let (a, b) = (&kinds[i], &kinds[j]);
        let ge = (0..3).all(|d| a.cap[d] >= b.cap[d]) && a.price_cents <= b.price_cents && (!a.spot || b.spot);
        let strictly = (0..3).any(|d| a.cap[d] > b.cap[d]) || a.price_cents < b.price_cents || (!a.spot && b.spot);
        ge && (strictly || i < j)
    };
    let mut v: Vec<usize> =
        (0..kinds.len()).filter(|&j| !(0..kinds.len()).any(|i| i != j && dominates(i, j))).collect();
    v.sort_by(|&a, &b| kinds[a].price_cents.cmp(&kinds[b].price_cents).then(a.cmp(&b)));
    v
}

impl<'a> BranchAndBound<'a> {
    pub(super) fn new(p: &'a Problem, incumbent: u64, budget: u64) -> Self {
        let maxcap = |d: usize| p.kinds.iter().map(|k| k.cap[d]).max().unwrap_or(1).max(1);
        let mc = [maxcap(0), maxcap(1), maxcap(2)];
        let mut order: Vec<usize> = (0..p.items.len()).collect();
        order.sort_by(|&x, &y| {
            let (ix, iy) = (&p.items[x], &p.items[y]);
            size_key(iy.req, mc)
                .cmp(&size_key(ix.req, mc))
                .then(iy.req.cmp(&ix.req))
                .then(ix.service.cmp(&iy.service))
                .then(x.cmp(&y))
        });
        let n = order.len();
        let (rem_all, rem_od) = remaining(p, &order);
        let open_kinds = non_dominated(&p.kinds);
        let rho = |spot_ok: bool, d: usize| cheapest_rate(p, &open_kinds, d, spot_ok);
        let cheapest_any = open_kinds.iter().map(|&k| p.kinds[k].price_cents).min().unwrap_or(0);
        Self {
            p,
            order,
            rem_all,
            rem_od,
            resid_all: [0; 3],
            resid_od: [0; 3],
            rho_any: [rho(true, 0), rho(true, 1), rho(true, 2)],
            rho_od: [rho(false, 0), rho(false, 1), rho(false, 2)],
            cheapest_any,
            open_kinds,
            bins: Vec::new(),
            place: vec![usize::MAX; n],
            best: incumbent,
            best_bins: None,
            expansions: 0,
            budget,
            aborted: false,
        }
    }

    pub(super) fn run(&mut self) {
        self.dfs(0, 0);
    }

    pub(super) fn bound(&self, pos: usize, cost: u64) -> f64 {
        let mut extra = 0.0f64;
        for d in 0..3 {
            let need_all = self.rem_all[pos][d].saturating_sub(self.resid_all[d]);
            if need_all > 0 {
                extra = extra.max(need_all as f64 * self.rho_any[d]);
            }
            let need_od = self.rem_od[pos][d].saturating_sub(self.resid_od[d]);
            if need_od > 0 {
                extra = extra.max(need_od as f64 * self.rho_od[d]);
            }
        }
        let missing = u64::from(self.p.min_nodes).saturating_sub(self.bins.len() as u64);
        extra = extra.max((missing * self.cheapest_any) as f64);
        cost as f64 + extra
    }

    pub(super) fn add(&mut self, b: usize, i: usize, sign_add: bool) {
        let req = self.p.items[i].req;
        let od = !self.p.kinds[self.bins[b].kind].spot;
        for (d, &r) in req.iter().enumerate() {
            if sign_add {
                self.bins[b].used[d] += r;
                self.resid_all[d] -= r;
                if od {
                    self.resid_od[d] -= r;
                }
            } else {
                self.bins[b].used[d] -= r;
                self.resid_all[d] += r;
                if od {
                    self.resid_od[d] += r;
                }
            }
        }
        if sign_add {
            self.bins[b].items.push(i);
        } else {
            self.bins[b].items.pop();
        }
    }

    pub(super) fn dfs(&mut self, pos: usize, cost: u64) {
        if self.aborted {
            return;
        }
        self.expansions += 1;
        if self.expansions > self.budget {
            self.aborted = true;
            return;
        }
        let n = self.order.len();
        if pos == n {
            let pad = u64::from(self.p.min_nodes).saturating_sub(self.bins.len() as u64);
            let pad_cost = padding_kind(&self.p.kinds).map_or(0, |k| pad * self.p.kinds[k].price_cents);
            let total = cost + pad_cost;
            if total < self.best {
                self.best = total;
                self.best_bins = Some(self.bins.iter().map(|b| Bin { kind: b.kind, items: b.items.clone() }).collect());
            }
            return;
        }
        // Prune unless a strictly cheaper (by at least one cent) solution may exist.
        if self.bound(pos, cost) > self.best as f64 - 1.0 + 1e-6 {
            return;
        }
        let i = self.order[pos];
        let item = self.p.items[i].clone();
        let first = first_slot(self.p, &self.order, &self.place, pos);
        for b in first..self.bins.len() {
            let bs = &self.bins[b];
            if !admits(self.p, bs.kind, bs.used, &bs.items, &item) {
                continue;
            }
            self.add(b, i, true);
            self.place[pos] = b;
            self.dfs(pos + 1, cost);
            self.add(b, i, false);
            if self.aborted {
                return;
            }
        }
        for ki in 0..self.open_kinds.len() {
            let kind = self.open_kinds[ki];
            let k = &self.p.kinds[kind];
            if !compatible(k, &item) || !fits([0; 3], item.req, k.cap) {
                continue;
            }
            let price = k.price_cents;
            let cap = k.cap;
            let od = !k.spot;
            self.bins.push(BState { kind, used: [0; 3], items: Vec::new() });
            for d in 0..3 {
                self.resid_all[d] += cap[d];
                if od {
                    self.resid_od[d] += cap[d];
                }
            }
            let b = self.bins.len() - 1;
            self.add(b, i, true);
            self.place[pos] = b;
            self.dfs(pos + 1, cost + price);
            self.add(b, i, false);
            for d in 0..3 {
                self.resid_all[d] -= cap[d];
                if od {
                    self.resid_od[d] -= cap[d];
                }
            }
            self.bins.pop();
            if self.aborted {
                return;
            }
        }
    }
}
