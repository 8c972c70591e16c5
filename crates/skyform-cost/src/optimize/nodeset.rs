//! The node-set search: the multisets of node kinds priced between the bound and the
//! incumbent, checked cheapest first for a placement.

use super::*;

/// Node sets (count vectors over the kinds) enumerated at most.
pub(super) const NODESET_MAX_CANDIDATES: usize = 50_000;
/// Search steps spent on one node set's feasibility at most.
pub(super) const NODESET_CHECK_BUDGET: u64 = 100_000;

pub(super) struct NodeSetOutcome {
    /// A cheaper placement than the incumbent, when one was found.
    pub(super) bins: Option<Vec<Bin>>,
    /// Every node set cheaper than this was proven unable to hold the items.
    pub(super) proven_below: u64,
    /// The search is a proof: the result (or the incumbent) is optimal.
    pub(super) complete: bool,
    pub(super) steps: u64,
}

/// Exact search by node set, cheapest first: enumerate the multisets of (non-dominated)
/// node kinds whose price (with the padding rule) lies in `[lb, incumbent)` and whose
/// summed capacity covers the demand in every dimension (on-demand capacity covering the
/// on-demand-only demand, enough nodes for the most-replicated service); check each, in
/// order of price, for a placement (depth-first, largest replicas first, identical
/// nodes interchangeable, pruned by the free capacity left). The first node set that
/// holds the items is optimal when every cheaper one was refuted within its budget.
/// This closes gaps that neighbourhood moves cannot, because the gap between the lower
/// bound and the incumbent usually holds only a few price levels.
pub(super) fn node_set_search(p: &Problem, lb: u64, incumbent: u64, budget: u64) -> NodeSetOutcome {
    let mut out = NodeSetOutcome { bins: None, proven_below: lb, complete: false, steps: 0 };
    if p.items.is_empty() || incumbent <= lb {
        out.complete = incumbent <= lb;
        return out;
    }
    let kinds = non_dominated_for_cover(&p.kinds);
    let need = Demand::of(p);
    let pad_price = padding_kind(&p.kinds).map_or(0, |k| p.kinds[k].price_cents);
    let mut en = Enum {
        p,
        kinds: &kinds,
        need,
        pad_price,
        incumbent,
        lb,
        counts: vec![0; kinds.len()],
        found: Vec::new(),
        steps: 0,
        budget,
        overflow: false,
    };
    en.dfs(0, 0, [0; 3], [0; 3], 0, 0);
    out.steps = en.steps;
    if en.overflow || en.steps > budget {
        return out;
    }
    let mut found = std::mem::take(&mut en.found);
    found.sort();
    found.dedup();
    let mut refuted_all = true;
    for (level, counts) in found {
        if out.steps > budget {
            refuted_all = false;
            break;
        }
        if refuted_all {
            out.proven_below = out.proven_below.max(level);
        }
        let mut fit = Fit::new(p, &kinds, &counts, NODESET_CHECK_BUDGET.min(budget - out.steps.min(budget)));
        let ok = fit.dfs(0);
        out.steps += fit.steps;
        if ok {
            let bins: Vec<Bin> = fit
                .bins
                .iter()
                .filter(|b| !b.items.is_empty())
                .map(|b| Bin { kind: b.kind, items: b.items.clone() })
                .collect();
            if cost_with_padding(p, &bins) < incumbent {
                out.complete = refuted_all;
                out.bins = Some(bins);
                return out;
            }
        } else if fit.aborted {
            refuted_all = false;
        }
    }
    // Nothing cheaper than the incumbent holds the items.
    out.complete = refuted_all;
    if refuted_all {
        out.proven_below = incumbent;
    }
    out
}

pub(super) struct Enum<'a> {
    pub(super) p: &'a Problem,
    pub(super) kinds: &'a [usize],
    pub(super) need: Demand,
    pub(super) pad_price: u64,
    pub(super) incumbent: u64,
    pub(super) lb: u64,
    pub(super) counts: Vec<u32>,
    pub(super) found: Vec<(u64, Vec<u32>)>,
    pub(super) steps: u64,
    pub(super) budget: u64,
    pub(super) overflow: bool,
}

impl Enum<'_> {
    pub(super) fn total(&self, cost: u64, n: u64) -> u64 {
        cost + u64::from(self.p.min_nodes).saturating_sub(n) * self.pad_price
    }

    pub(super) fn dfs(&mut self, ki: usize, cost: u64, all: Res, od: Res, n: u64, n_od: u64) {
        self.steps += 1;
        if self.overflow || self.steps > self.budget {
            self.overflow = true;
            return;
        }
        if self.need.covered(all, od, n, n_od) {
            let total = self.total(cost, n);
            if total >= self.lb && total < self.incumbent {
                if self.found.len() >= NODESET_MAX_CANDIDATES {
                    self.overflow = true;
                    return;
                }
                self.found.push((total, self.counts.clone()));
            }
            // Adding nodes to a covering set only costs more, unless it replaces
            // padding (below the node floor).
            if n >= u64::from(self.p.min_nodes) {
                return;
            }
        }
        if ki == self.kinds.len() {
            return;
        }
        // Fractional bound on the capacity still missing, with the remaining kinds.
        let extra = self.need.missing_cost(self.p, &self.kinds[ki..], all, Some(od));
        if cost as f64 + extra >= self.incumbent as f64 - 1e-6 {
            return;
        }
        let k = &self.p.kinds[self.kinds[ki]];
        let (cap, price, spot) = (k.cap, k.price_cents.max(1), k.spot);
        let max_n = (self.incumbent.saturating_sub(cost)).div_ceil(price);
        for c in (0..=max_n).rev() {
            let (a2, o2) = with_nodes(all, od, cap, spot, c);
            self.counts[ki] = c as u32;
            self.dfs(ki + 1, cost + c * k.price_cents, a2, o2, n + c, if spot { n_od } else { n_od + c });
            self.counts[ki] = 0;
            if self.overflow {
                return;
            }
        }
    }
}

pub(super) struct FitBin {
    pub(super) kind: usize,
    pub(super) used: Res,
    pub(super) items: Vec<usize>,
}

/// Depth-first placement of every item on a fixed set of nodes.
pub(super) struct Fit<'a> {
    pub(super) p: &'a Problem,
    pub(super) order: Vec<usize>,
    pub(super) bins: Vec<FitBin>,
    pub(super) place: Vec<usize>,
    pub(super) rem_all: Vec<Res>,
    pub(super) rem_od: Vec<Res>,
    /// Component-wise minimum request of the items from a position on.
    pub(super) rem_min: Vec<Res>,
    pub(super) free_all: Res,
    pub(super) free_od: Res,
    pub(super) steps: u64,
    pub(super) budget: u64,
    pub(super) aborted: bool,
}

impl<'a> Fit<'a> {
    pub(super) fn new(p: &'a Problem, kinds: &[usize], counts: &[u32], budget: u64) -> Self {
        let mut bins = Vec::new();
        let (mut free_all, mut free_od) = ([0u64; 3], [0u64; 3]);
        for (i, &c) in counts.iter().enumerate() {
            let k = &p.kinds[kinds[i]];
            for _ in 0..c {
                bins.push(FitBin { kind: kinds[i], used: [0; 3], items: Vec::new() });
                for d in 0..3 {
                    free_all[d] += k.cap[d];
                    if !k.spot {
                        free_od[d] += k.cap[d];
                    }
                }
            }
        }
        // On-demand nodes first: on-demand-only replicas can only go there.
        bins.sort_by_key(|b| (p.kinds[b.kind].spot, b.kind));
        let maxcap = |d: usize| p.kinds.iter().map(|k| k.cap[d]).max().unwrap_or(1).max(1);
        let mc = [maxcap(0), maxcap(1), maxcap(2)];
        // Most constrained first: services with the most replicas (each needs its own
        // node), then on-demand-only ones, then the largest.
        let replicas = |s: u32| p.items.iter().filter(|it| it.service == s).count();
        let mut order: Vec<usize> = (0..p.items.len()).collect();
        order.sort_by(|&x, &y| {
            let (ix, iy) = (&p.items[x], &p.items[y]);
            replicas(iy.service)
                .cmp(&replicas(ix.service))
                .then(iy.on_demand_only.cmp(&ix.on_demand_only))
                .then(size_key(iy.req, mc).cmp(&size_key(ix.req, mc)))
                .then(iy.req.cmp(&ix.req))
                .then(ix.service.cmp(&iy.service))
                .then(x.cmp(&y))
        });
        let n = order.len();
        let (rem_all, rem_od) = remaining(p, &order);
        let mut rem_min = vec![[u64::MAX; 3]; n + 1];
        for pos in (0..n).rev() {
            let it = &p.items[order[pos]];
            for d in 0..3 {
                rem_min[pos][d] = rem_min[pos + 1][d].min(it.req[d]);
            }
        }
        Self {
            p,
            order,
            bins,
            place: vec![0; n],
            rem_all,
            rem_od,
            rem_min,
            free_all,
            free_od,
            steps: 0,
            budget,
            aborted: false,
        }
    }

    /// Whether the room left can still hold the remaining items: room on a node that
    /// cannot take even the smallest remaining request (in some dimension) is wasted.
    pub(super) fn room_suffices(&self, pos: usize) -> bool {
        let min = self.rem_min[pos];
        let (mut all, mut od) = (self.free_all, self.free_od);
        for b in &self.bins {
            let k = &self.p.kinds[b.kind];
            let left = [k.cap[0] - b.used[0], k.cap[1] - b.used[1], k.cap[2] - b.used[2]];
            if (0..3).any(|d| left[d] < min[d]) {
                for d in 0..3 {
                    all[d] -= left[d];
                    if !k.spot {
                        od[d] -= left[d];
                    }
                }
            }
        }
        (0..3).all(|d| self.rem_all[pos][d] <= all[d] && self.rem_od[pos][d] <= od[d])
    }

    pub(super) fn dfs(&mut self, pos: usize) -> bool {
        self.steps += 1;
        if self.steps > self.budget {
            self.aborted = true;
            return false;
        }
        // Every node of the set holds a replica (an empty one would be paid for but be
        // no part of the placement; the set without it is enumerated on its own).
        let empty = self.bins.iter().filter(|b| b.items.is_empty()).count();
        if empty > self.order.len() - pos {
            return false;
        }
        if pos == self.order.len() {
            return true;
        }
        if !self.room_suffices(pos) {
            return false;
        }
        let i = self.order[pos];
        let item = self.p.items[i].clone();
        let first = first_slot(self.p, &self.order, &self.place, pos);
        for b in first..self.bins.len() {
            let bn = &self.bins[b];
            if !admits(self.p, bn.kind, bn.used, &bn.items, &item) {
                continue;
            }
            // Interchangeable nodes: same kind and the same load as an earlier candidate.
            let twin = (first..b).any(|e| {
                let o = &self.bins[e];
                o.kind == bn.kind
                    && o.used == bn.used
                    && o.items.is_empty() == bn.items.is_empty()
                    && admits(self.p, o.kind, o.used, &o.items, &item)
            });
            if twin {
                continue;
            }
            let od = !self.p.kinds[bn.kind].spot;
            for d in 0..3 {
                self.bins[b].used[d] += item.req[d];
                self.free_all[d] -= item.req[d];
                if od {
                    self.free_od[d] -= item.req[d];
                }
            }
            self.bins[b].items.push(i);
            self.place[pos] = b;
            if self.dfs(pos + 1) {
                return true;
            }
            self.bins[b].items.pop();
            for d in 0..3 {
                self.bins[b].used[d] -= item.req[d];
                self.free_all[d] += item.req[d];
                if od {
                    self.free_od[d] += item.req[d];
                }
            }
            if self.aborted {
                return false;
            }
        }
        false
    }
}
