//! The node-pool optimizer: a variable-sized, multi-dimensional bin packing with
//! conflicts, solved exactly when small and by a strong heuristic otherwise.
//!
//! **Problem.** Node *kinds* are (instance type, on-demand or spot) with a monthly
//! price in cents and a capacity in (CPU millis, memory MiB, pod slots) after the
//! allocatable model and daemonsets. *Items* are pod replicas with requests. Find a
//! multiset of nodes and an assignment of every item to a node such that
//! 1. requests fit in every dimension,
//! 2. replicas of one service are on distinct nodes,
//! 3. on-demand-only items (stateful or not spot-tolerant) are on on-demand nodes,
//! 4. there are at least `min_nodes` nodes — when the placement needs fewer, empty
//!    nodes of the cheapest on-demand kind are added (headroom that survives spot
//!    reclamation),
//!
//! and the total price is minimal. Only nodes that hold at least one item are counted
//! as placement nodes; padding nodes come on top (this is the definition the exact
//! solver and the brute-force cross-check in the tests share).
//!
//! **Exact method.** Depth-first branch and bound over items in decreasing size:
//! each item goes into an open node or opens one node of a non-dominated kind.
//! Symmetry is broken for replicas of one service (their node indices increase), and
//! a node is pruned when its cost plus a fractional lower bound on the remaining
//! items cannot beat the incumbent, which starts at the heuristic's solution. It
//! runs when there are few items, within an expansion budget; a finished search is
//! a proof of optimality.
//!
//! **Node-set search** (exact, any size). The gap between the lower bound and a good
//! placement usually spans few price levels, so the multisets of node kinds priced
//! in `[bound, incumbent)` whose summed capacity covers the demand are enumerated and
//! checked cheapest first for a placement (depth-first, most-replicated services
//! first, interchangeable nodes skipped, pruned by the room that can still be used).
//! The first that holds the replicas is optimal when every cheaper one was refuted
//! within its budget; otherwise the refuted levels raise the reported lower bound.
//! This is what reaches the optimum on peaks with dozens of replicas (the
//! health-platform example on DigitalOcean: $168, where first-fit and consolidation
//! stop at $180).
//!
//! **Large-neighbourhood search.** Before that, every pair (and on small placements
//! every triple) of nodes has its replicas repacked exactly; a cheaper total replaces
//! the placement.
//!
//! **Heuristic.** For every pair (on-demand kind, spot kind or none): first-fit
//! decreasing, on-demand-only items first, spot-tolerant items first into left-over
//! on-demand room; then Karpenter-style consolidation (empty a node into the others)
//! and right-sizing (each node to the cheapest kind that holds it), until nothing
//! improves. The cheapest result wins.
//!
//! **Lower bound.** The maximum of (a) a weighted-volume bound: for weights `w` on the
//! normalised resources, every node of kind k costs at least `price_k / e_k` per unit
//! of weighted load it carries, so cost ≥ ρ_od·load(on-demand-only) + ρ_any·load(rest),
//! maximised over a grid of weights; (b) the node-count floor; (c) for every service,
//! its replica count times its cheapest compatible node.

// Resources are indexed by dimension across several parallel arrays.
#![allow(clippy::needless_range_loop)]

use rayon::prelude::*;

/// Resources in (CPU millis, memory MiB, pod slots).
pub type Res = [u64; 3];

/// A node kind: an instance type bought on-demand or as spot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kind {
    pub name: String,
    pub spot: bool,
    pub price_cents: u64,
    pub cap: Res,
}

/// A pod replica.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// Index of its service; replicas of one service must be on distinct nodes.
    pub service: u32,
    pub req: Res,
    pub on_demand_only: bool,
}

/// An instance of the placement problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub kinds: Vec<Kind>,
    pub items: Vec<Item>,
    pub min_nodes: u32,
}

/// A node of a solution with the items it holds (empty for padding nodes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bin {
    pub kind: usize,
    pub items: Vec<usize>,
}

/// The optimizer's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Solution {
    /// Nodes, sorted by (kind, first item); padding nodes last.
    pub bins: Vec<Bin>,
    pub cost_cents: u64,
    /// A proven lower bound on the optimum (equal to the cost when `exact`).
    pub lower_bound_cents: u64,
    /// Whether the cost is proven optimal.
    pub exact: bool,
    /// Branch-and-bound nodes explored (0 when it did not run).
    pub explored: u64,
}

/// Why a problem has no solution.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SolveError {
    #[error("no usable node type")]
    NoNodeTypes,
    #[error("item {item} fits on no compatible node type")]
    DoesNotFit { item: usize },
}

/// Tuning of the solver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SolveOptions {
    /// Run branch and bound when there are at most this many items.
    pub exact_max_items: usize,
    /// Branch-and-bound expansion budget; when exhausted the heuristic result stands.
    pub node_budget: u64,
}

impl Default for SolveOptions {
    fn default() -> Self {
        Self { exact_max_items: 40, node_budget: 250_000 }
    }
}

fn compatible(kind: &Kind, item: &Item) -> bool {
    !(kind.spot && item.on_demand_only)
}

fn fits(used: Res, req: Res, cap: Res) -> bool {
    (0..3).all(|d| used[d].saturating_add(req[d]) <= cap[d])
}

/// The kind used for padding nodes: the cheapest on-demand kind, else the cheapest.
pub fn padding_kind(kinds: &[Kind]) -> Option<usize> {
    let cheapest = |spot_ok: bool| {
        kinds
            .iter()
            .enumerate()
            .filter(|(_, k)| spot_ok || !k.spot)
            .min_by(|(ia, a), (ib, b)| a.price_cents.cmp(&b.price_cents).then(ia.cmp(ib)))
            .map(|(i, _)| i)
    };
    cheapest(false).or_else(|| cheapest(true))
}

/// Cost of a set of placement bins plus the padding the node floor needs.
pub fn cost_with_padding(p: &Problem, bins: &[Bin]) -> u64 {
    let used = bins.iter().filter(|b| !b.items.is_empty());
    let mut cost: u64 = 0;
    let mut n: u64 = 0;
    for b in used {
        cost += p.kinds[b.kind].price_cents;
        n += 1;
    }
    let pad = u64::from(p.min_nodes).saturating_sub(n);
    if pad > 0
        && let Some(k) = padding_kind(&p.kinds)
    {
        cost += pad * p.kinds[k].price_cents;
    }
    cost
}

/// Solves a placement problem.
///
/// # Errors
/// When there are no kinds, or an item fits on no compatible kind.
pub fn solve(p: &Problem, opts: SolveOptions) -> Result<Solution, SolveError> {
    if p.kinds.is_empty() {
        return Err(SolveError::NoNodeTypes);
    }
    for (i, it) in p.items.iter().enumerate() {
        if !p.kinds.iter().any(|k| compatible(k, it) && fits([0; 3], it.req, k.cap)) {
            return Err(SolveError::DoesNotFit { item: i });
        }
    }
    let mut lb = lower_bound(p);
    let mut bins = heuristic(p);
    let mut cost = cost_with_padding(p, &bins);
    let mut exact = cost <= lb;
    let mut explored = 0;
    if !exact && opts.node_budget > 0 {
        explored += lns(p, &mut bins, opts.node_budget);
        cost = cost_with_padding(p, &bins);
        exact = cost <= lb;
    }
    if !exact && opts.node_budget > 0 {
        let r = node_set_search(p, lb, cost, opts.node_budget.saturating_mul(4));
        explored += r.steps;
        if let Some(better) = r.bins {
            bins = better;
            cost = cost_with_padding(p, &bins);
        }
        lb = lb.max(r.proven_below.min(cost));
        exact = r.complete || cost <= lb;
    }
    if !exact && p.items.len() <= opts.exact_max_items {
        let mut bb = BranchAndBound::new(p, cost, opts.node_budget);
        bb.run();
        explored += bb.expansions;
        if let Some(better) = bb.best_bins.take() {
            bins = better;
            cost = bb.best;
        }
        exact = !bb.aborted || cost <= lb;
    }
    Ok(finish(p, bins, cost, if exact { cost } else { lb.min(cost) }, exact, explored))
}

fn finish(p: &Problem, mut bins: Vec<Bin>, cost: u64, lb: u64, exact: bool, explored: u64) -> Solution {
    bins.retain(|b| !b.items.is_empty());
    for b in &mut bins {
        b.items.sort_unstable();
    }
    bins.sort_by(|a, b| (a.kind, &a.items).cmp(&(b.kind, &b.items)));
    let pad = (p.min_nodes as usize).saturating_sub(bins.len());
    if let Some(k) = padding_kind(&p.kinds) {
        bins.extend((0..pad).map(|_| Bin { kind: k, items: Vec::new() }));
    }
    debug_assert_eq!(cost_with_padding(p, &bins), cost);
    Solution { bins, cost_cents: cost, lower_bound_cents: lb, exact, explored }
}

// ---------------------------------------------------------------------------------
// Lower bound

/// A proven lower bound on the optimal cost in cents.
pub fn lower_bound(p: &Problem) -> u64 {
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
const COVERING_MAX_ITEMS: usize = 400;

/// The covering relaxation: the cheapest multiset of nodes whose summed capacity
/// covers the demand in every dimension (on-demand capacity covering the
/// on-demand-only demand), with at least as many nodes as the node floor and the
/// largest service's replica count (on-demand nodes for on-demand-only services).
/// It ignores how items split between nodes, so it is a lower bound; `None` when
/// the search exceeds `budget` steps.
fn covering_bound(p: &Problem, incumbent_hint: u64, budget: u64) -> Option<u64> {
    if p.items.is_empty() {
        return None;
    }
    let kinds = non_dominated_for_cover(&p.kinds);
    let mut need_all = [0u64; 3];
    let mut need_od = [0u64; 3];
    let mut per_service: Vec<(u32, u64, bool)> = Vec::new();
    for it in &p.items {
        for d in 0..3 {
            need_all[d] += it.req[d];
            if it.on_demand_only {
                need_od[d] += it.req[d];
            }
        }
        match per_service.iter_mut().find(|c| c.0 == it.service) {
            Some(c) => c.1 += 1,
            None => per_service.push((it.service, 1, it.on_demand_only)),
        }
    }
    let min_all = per_service.iter().map(|c| c.1).max().unwrap_or(0).max(u64::from(p.min_nodes));
    let min_od = per_service.iter().filter(|c| c.2).map(|c| c.1).max().unwrap_or(0);
    let mut st =
        Cover { p, kinds, need_all, need_od, min_all, min_od, best: u64::MAX, steps: 0, budget, _hint: incumbent_hint };
    st.dfs(0, 0, [0; 3], [0; 3], 0, 0);
    (st.steps <= st.budget && st.best != u64::MAX).then_some(st.best)
}

/// Kinds for the covering bound: on-demand kinds first, each sorted by price.
fn non_dominated_for_cover(kinds: &[Kind]) -> Vec<usize> {
    let mut v = non_dominated(kinds);
    v.sort_by(|&a, &b| (kinds[a].spot, kinds[a].price_cents, a).cmp(&(kinds[b].spot, kinds[b].price_cents, b)));
    v
}

struct Cover<'a> {
    p: &'a Problem,
    kinds: Vec<usize>,
    need_all: Res,
    need_od: Res,
    min_all: u64,
    min_od: u64,
    best: u64,
    steps: u64,
    budget: u64,
    _hint: u64,
}

impl Cover<'_> {
    fn satisfied(&self, all: Res, od: Res, n_all: u64, n_od: u64) -> bool {
        (0..3).all(|d| all[d] >= self.need_all[d] && od[d] >= self.need_od[d])
            && n_all >= self.min_all
            && n_od >= self.min_od
    }

    fn dfs(&mut self, ki: usize, cost: u64, all: Res, od: Res, n_all: u64, n_od: u64) {
        self.steps += 1;
        if self.steps > self.budget || cost >= self.best {
            return;
        }
        if self.satisfied(all, od, n_all, n_od) {
            self.best = cost;
            return;
        }
        if ki == self.kinds.len() {
            return;
        }
        // Fractional bound on the rest with the remaining kinds.
        let rest = &self.kinds[ki..];
        let mut extra = 0.0f64;
        for d in 0..3 {
            let deficit = self.need_all[d].saturating_sub(all[d]);
            if deficit > 0 {
                let rho = rest
                    .iter()
                    .map(|&k| &self.p.kinds[k])
                    .filter(|k| k.cap[d] > 0)
                    .map(|k| k.price_cents as f64 / k.cap[d] as f64)
                    .fold(f64::INFINITY, f64::min);
                extra = extra.max(deficit as f64 * rho);
            }
        }
        if cost as f64 + extra > self.best as f64 - 1.0 + 1e-6 {
            return;
        }
        let k = &self.p.kinds[self.kinds[ki]];
        let (cap, price, spot) = (k.cap, k.price_cents, k.spot);
        // Most nodes of this kind that can be useful.
        let mut max_n = self.min_all.saturating_sub(n_all);
        for d in 0..3 {
            if cap[d] > 0 {
                max_n = max_n.max(self.need_all[d].saturating_sub(all[d]).div_ceil(cap[d]));
                if !spot {
                    max_n = max_n.max(self.need_od[d].saturating_sub(od[d]).div_ceil(cap[d]));
                }
            }
        }
        if !spot {
            max_n = max_n.max(self.min_od.saturating_sub(n_od));
        }
        for n in (0..=max_n).rev() {
            let mut a2 = all;
            let mut o2 = od;
            for d in 0..3 {
                a2[d] += n * cap[d];
                if !spot {
                    o2[d] += n * cap[d];
                }
            }
            let n_od2 = if spot { n_od } else { n_od + n };
            self.dfs(ki + 1, cost + n * price, a2, o2, n_all + n, n_od2);
            if self.steps > self.budget {
                return;
            }
        }
    }
}

// ---------------------------------------------------------------------------------
// Heuristic

#[derive(Clone)]
struct HBin {
    kind: usize,
    used: Res,
    items: Vec<usize>,
    od_items: usize,
}

impl HBin {
    fn has_service(&self, p: &Problem, s: u32) -> bool {
        self.items.iter().any(|&i| p.items[i].service == s)
    }
}

fn heuristic(p: &Problem) -> Vec<Bin> {
    if p.items.is_empty() {
        return Vec::new();
    }
    let od: Vec<Option<usize>> = {
        let v: Vec<Option<usize>> = (0..p.kinds.len()).filter(|&k| !p.kinds[k].spot).map(Some).collect();
        if v.is_empty() { vec![None] } else { v }
    };
    let mut spot: Vec<Option<usize>> = (0..p.kinds.len()).filter(|&k| p.kinds[k].spot).map(Some).collect();
    spot.push(None);
    let mut pairs = Vec::new();
    for &a in &od {
        for &b in &spot {
            pairs.push((a, b));
        }
    }
    let hcost = |bins: &[HBin]| -> (u64, usize) {
        let out: Vec<Bin> = bins.iter().map(|h| Bin { kind: h.kind, items: h.items.clone() }).collect();
        (cost_with_padding(p, &out), out.len())
    };
    // First-fit decreasing for every pair, then improve the most promising few.
    let mut packed: Vec<(u64, usize, usize, Vec<HBin>)> = pairs
        .par_iter()
        .enumerate()
        .map(|(i, &(a, b))| {
            let bins = pack(p, a, b);
            let (c, n) = hcost(&bins);
            (c, n, i, bins)
        })
        .collect();
    packed.sort_by_key(|x| (x.0, x.1, x.2));
    packed.truncate(IMPROVE_CANDIDATES);
    let results: Vec<(u64, usize, Vec<Bin>)> = packed
        .into_par_iter()
        .map(|(_, _, _, mut bins)| {
            improve(p, &mut bins);
            let out: Vec<Bin> = bins.into_iter().map(|h| Bin { kind: h.kind, items: h.items }).collect();
            (cost_with_padding(p, &out), out.len(), out)
        })
        .collect();
    // Deterministic choice: cheapest, then fewest nodes, then the first pair.
    results
        .into_iter()
        .enumerate()
        .min_by(|(ia, a), (ib, b)| (a.0, a.1).cmp(&(b.0, b.1)).then(ia.cmp(ib)))
        .map(|(_, r)| r.2)
        .unwrap_or_default()
}

/// How many first-fit-decreasing packings (the cheapest) go on to improvement.
const IMPROVE_CANDIDATES: usize = 4;

fn size_key(req: Res, cap: Res) -> u64 {
    (0..3).map(|d| (req[d] * 1_000_000).checked_div(cap[d]).unwrap_or(0)).max().unwrap_or(0)
}

fn cheapest_fitting(p: &Problem, used: Res, any_od_only: bool) -> Option<usize> {
    (0..p.kinds.len())
        .filter(|&k| !(any_od_only && p.kinds[k].spot) && fits([0; 3], used, p.kinds[k].cap))
        .min_by(|&a, &b| p.kinds[a].price_cents.cmp(&p.kinds[b].price_cents).then(a.cmp(&b)))
}

fn pack(p: &Problem, a: Option<usize>, b: Option<usize>) -> Vec<HBin> {
    let reference = a.or(b).map_or([1, 1, 1], |k| p.kinds[k].cap);
    let mut order: Vec<usize> = (0..p.items.len()).collect();
    order.sort_by(|&x, &y| {
        let (ix, iy) = (&p.items[x], &p.items[y]);
        iy.on_demand_only
            .cmp(&ix.on_demand_only)
            .then(size_key(iy.req, reference).cmp(&size_key(ix.req, reference)))
            .then(ix.service.cmp(&iy.service))
            .then(x.cmp(&y))
    });
    let mut bins: Vec<HBin> = Vec::new();
    let mut cur_service = u32::MAX;
    let mut cur_bins: Vec<usize> = Vec::new();
    for &i in &order {
        let it = &p.items[i];
        if it.service != cur_service {
            cur_service = it.service;
            cur_bins.clear();
        }
        // Replicas of a service are consecutive in `order`, so `cur_bins` holds the
        // nodes this service already uses.
        let slot = bins.iter().enumerate().position(|(bi, bn)| {
            let k = &p.kinds[bn.kind];
            compatible(k, it) && fits(bn.used, it.req, k.cap) && !cur_bins.contains(&bi)
        });
        let bi = match slot {
            Some(bi) => bi,
            None => {
                let preferred = if it.on_demand_only { a } else { b.or(a) };
                let kind = preferred
                    .filter(|&k| compatible(&p.kinds[k], it) && fits([0; 3], it.req, p.kinds[k].cap))
                    .or_else(|| cheapest_fitting(p, it.req, it.on_demand_only));
                let Some(kind) = kind else { continue }; // unreachable: checked in solve()
                bins.push(HBin { kind, used: [0; 3], items: Vec::new(), od_items: 0 });
                bins.len() - 1
            }
        };
        let bn = &mut bins[bi];
        for d in 0..3 {
            bn.used[d] += it.req[d];
        }
        bn.items.push(i);
        bn.od_items += usize::from(it.on_demand_only);
        cur_bins.push(bi);
    }
    bins
}

fn right_size(p: &Problem, bins: &mut [HBin]) -> bool {
    let mut changed = false;
    for bn in bins.iter_mut() {
        if let Some(k) = cheapest_fitting(p, bn.used, bn.od_items > 0)
            && p.kinds[k].price_cents < p.kinds[bn.kind].price_cents
        {
            bn.kind = k;
            changed = true;
        }
    }
    changed
}

/// Tries to empty one bin into the others; returns whether it succeeded.
fn try_empty(p: &Problem, bins: &mut [HBin], victim: usize) -> bool {
    let items = bins[victim].items.clone();
    let mut moves: Vec<(usize, usize)> = Vec::with_capacity(items.len());
    let mut ok = true;
    for &i in &items {
        let it = &p.items[i];
        // Best fit: the target with the least remaining room after the move.
        let target = (0..bins.len())
            .filter(|&t| t != victim)
            .filter(|&t| {
                let bn = &bins[t];
                let k = &p.kinds[bn.kind];
                compatible(k, it) && fits(bn.used, it.req, k.cap) && !bn.has_service(p, it.service)
            })
            .min_by_key(|&t| {
                let bn = &bins[t];
                let cap = p.kinds[bn.kind].cap;
                let slack: u64 = (0..3).map(|d| (cap[d] - bn.used[d] - it.req[d]) * 1000 / cap[d].max(1)).sum();
                (slack, t)
            });
        match target {
            Some(t) => {
                let bn = &mut bins[t];
                for d in 0..3 {
                    bn.used[d] += it.req[d];
                }
                bn.items.push(i);
                bn.od_items += usize::from(it.on_demand_only);
                moves.push((i, t));
            }
            None => {
                ok = false;
                break;
            }
        }
    }
    if ok {
        bins[victim].items.clear();
        bins[victim].used = [0; 3];
        bins[victim].od_items = 0;
        return true;
    }
    for (i, t) in moves {
        let it = &p.items[i];
        let bn = &mut bins[t];
        for d in 0..3 {
            bn.used[d] -= it.req[d];
        }
        if let Some(pos) = bn.items.iter().rposition(|&x| x == i) {
            bn.items.remove(pos);
        }
        bn.od_items -= usize::from(it.on_demand_only);
    }
    false
}

/// Multi-node consolidation: replace two nodes by one cheaper node that holds both
/// (Karpenter's "replace k nodes by 1" for k = 2), best saving first. Only for
/// clusters of up to [`MERGE_MAX_BINS`] nodes (quadratic).
fn merge_pairs(p: &Problem, bins: &mut Vec<HBin>) -> bool {
    const MERGE_MAX_BINS: usize = 64;
    let pad_price = padding_kind(&p.kinds).map_or(0, |k| p.kinds[k].price_cents);
    let mut changed = false;
    while bins.len() <= MERGE_MAX_BINS {
        let n = bins.len();
        // Merging lowers the node count; below the floor a padding node comes back.
        let pad_penalty = if n <= p.min_nodes as usize { pad_price } else { 0 };
        let mut best: Option<(u64, usize, usize, usize)> = None;
        for i in 0..n {
            for j in (i + 1)..n {
                let (a, b) = (&bins[i], &bins[j]);
                if a.items.iter().any(|&x| b.has_service(p, p.items[x].service)) {
                    continue;
                }
                let used = [a.used[0] + b.used[0], a.used[1] + b.used[1], a.used[2] + b.used[2]];
                let Some(k) = cheapest_fitting(p, used, a.od_items + b.od_items > 0) else { continue };
                let before = p.kinds[a.kind].price_cents + p.kinds[b.kind].price_cents;
                let after = p.kinds[k].price_cents + pad_penalty;
                if after < before && best.is_none_or(|(s, ..)| before - after > s) {
                    best = Some((before - after, i, j, k));
                }
            }
        }
        let Some((_, i, j, k)) = best else { break };
        let b = bins.remove(j);
        let a = &mut bins[i];
        for d in 0..3 {
            a.used[d] += b.used[d];
        }
        a.items.extend(b.items);
        a.od_items += b.od_items;
        a.kind = k;
        changed = true;
    }
    changed
}

fn improve(p: &Problem, bins: &mut Vec<HBin>) {
    for _round in 0..4 {
        let mut changed = right_size(p, bins);
        // Consolidation: least-utilised, most expensive nodes first.
        let mut order: Vec<usize> = (0..bins.len()).collect();
        order.sort_by_key(|&i| {
            let bn = &bins[i];
            let cap = p.kinds[bn.kind].cap;
            let util: u64 = (0..3).map(|d| bn.used[d] * 1000 / cap[d].max(1)).max().unwrap_or(0);
            (util, std::cmp::Reverse(p.kinds[bn.kind].price_cents), i)
        });
        let mut removed = false;
        for v in order {
            if !bins[v].items.is_empty() && try_empty(p, bins, v) {
                removed = true;
            }
        }
        if removed {
            bins.retain(|b| !b.items.is_empty());
            changed = true;
        }
        changed |= right_size(p, bins);
        changed |= merge_pairs(p, bins);
        if !changed {
            break;
        }
    }
}

// ---------------------------------------------------------------------------------
// Node-set search

/// Node sets (count vectors over the kinds) enumerated at most.
const NODESET_MAX_CANDIDATES: usize = 50_000;
/// Search steps spent on one node set's feasibility at most.
const NODESET_CHECK_BUDGET: u64 = 100_000;

struct NodeSetOutcome {
    /// A cheaper placement than the incumbent, when one was found.
    bins: Option<Vec<Bin>>,
    /// Every node set cheaper than this was proven unable to hold the items.
    proven_below: u64,
    /// The search is a proof: the result (or the incumbent) is optimal.
    complete: bool,
    steps: u64,
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
fn node_set_search(p: &Problem, lb: u64, incumbent: u64, budget: u64) -> NodeSetOutcome {
    let mut out = NodeSetOutcome { bins: None, proven_below: lb, complete: false, steps: 0 };
    if p.items.is_empty() || incumbent <= lb {
        out.complete = incumbent <= lb;
        return out;
    }
    let kinds = non_dominated_for_cover(&p.kinds);
    let mut need_all = [0u64; 3];
    let mut need_od = [0u64; 3];
    let mut per_service: Vec<(u32, u64, bool)> = Vec::new();
    for it in &p.items {
        for d in 0..3 {
            need_all[d] += it.req[d];
            if it.on_demand_only {
                need_od[d] += it.req[d];
            }
        }
        match per_service.iter_mut().find(|c| c.0 == it.service) {
            Some(c) => c.1 += 1,
            None => per_service.push((it.service, 1, it.on_demand_only)),
        }
    }
    let min_all = per_service.iter().map(|c| c.1).max().unwrap_or(0);
    let min_od = per_service.iter().filter(|c| c.2).map(|c| c.1).max().unwrap_or(0);
    let pad_price = padding_kind(&p.kinds).map_or(0, |k| p.kinds[k].price_cents);
    let mut en = Enum {
        p,
        kinds: &kinds,
        need_all,
        need_od,
        min_all,
        min_od,
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

struct Enum<'a> {
    p: &'a Problem,
    kinds: &'a [usize],
    need_all: Res,
    need_od: Res,
    min_all: u64,
    min_od: u64,
    pad_price: u64,
    incumbent: u64,
    lb: u64,
    counts: Vec<u32>,
    found: Vec<(u64, Vec<u32>)>,
    steps: u64,
    budget: u64,
    overflow: bool,
}

impl Enum<'_> {
    fn total(&self, cost: u64, n: u64) -> u64 {
        cost + u64::from(self.p.min_nodes).saturating_sub(n) * self.pad_price
    }

    fn dfs(&mut self, ki: usize, cost: u64, all: Res, od: Res, n: u64, n_od: u64) {
        self.steps += 1;
        if self.overflow || self.steps > self.budget {
            self.overflow = true;
            return;
        }
        let covered = (0..3).all(|d| all[d] >= self.need_all[d] && od[d] >= self.need_od[d])
            && n >= self.min_all
            && n_od >= self.min_od;
        if covered {
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
        let rest = &self.kinds[ki..];
        let mut extra = 0.0f64;
        for d in 0..3 {
            let deficit = self.need_all[d].saturating_sub(all[d]);
            if deficit > 0 {
                let rho = rest
                    .iter()
                    .map(|&k| &self.p.kinds[k])
                    .filter(|k| k.cap[d] > 0)
                    .map(|k| k.price_cents as f64 / k.cap[d] as f64)
                    .fold(f64::INFINITY, f64::min);
                extra = extra.max(deficit as f64 * rho);
            }
            let deficit_od = self.need_od[d].saturating_sub(od[d]);
            if deficit_od > 0 {
                let rho = rest
                    .iter()
                    .map(|&k| &self.p.kinds[k])
                    .filter(|k| !k.spot && k.cap[d] > 0)
                    .map(|k| k.price_cents as f64 / k.cap[d] as f64)
                    .fold(f64::INFINITY, f64::min);
                extra = extra.max(deficit_od as f64 * rho);
            }
        }
        if cost as f64 + extra >= self.incumbent as f64 - 1e-6 {
            return;
        }
        let k = &self.p.kinds[self.kinds[ki]];
        let (cap, price, spot) = (k.cap, k.price_cents.max(1), k.spot);
        let max_n = (self.incumbent.saturating_sub(cost)).div_ceil(price);
        for c in (0..=max_n).rev() {
            let mut a2 = all;
            let mut o2 = od;
            for d in 0..3 {
                a2[d] += c * cap[d];
                if !spot {
                    o2[d] += c * cap[d];
                }
            }
            self.counts[ki] = c as u32;
            self.dfs(ki + 1, cost + c * k.price_cents, a2, o2, n + c, if spot { n_od } else { n_od + c });
            self.counts[ki] = 0;
            if self.overflow {
                return;
            }
        }
    }
}

struct FitBin {
    kind: usize,
    used: Res,
    items: Vec<usize>,
}

/// Depth-first placement of every item on a fixed set of nodes.
struct Fit<'a> {
    p: &'a Problem,
    order: Vec<usize>,
    bins: Vec<FitBin>,
    place: Vec<usize>,
    rem_all: Vec<Res>,
    rem_od: Vec<Res>,
    /// Component-wise minimum request of the items from a position on.
    rem_min: Vec<Res>,
    free_all: Res,
    free_od: Res,
    steps: u64,
    budget: u64,
    aborted: bool,
}

impl<'a> Fit<'a> {
    fn new(p: &'a Problem, kinds: &[usize], counts: &[u32], budget: u64) -> Self {
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
        let mut rem_all = vec![[0u64; 3]; n + 1];
        let mut rem_od = vec![[0u64; 3]; n + 1];
        let mut rem_min = vec![[u64::MAX; 3]; n + 1];
        for pos in (0..n).rev() {
            let it = &p.items[order[pos]];
            for d in 0..3 {
                rem_all[pos][d] = rem_all[pos + 1][d] + it.req[d];
                rem_od[pos][d] = rem_od[pos + 1][d] + if it.on_demand_only { it.req[d] } else { 0 };
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
    fn room_suffices(&self, pos: usize) -> bool {
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

    fn dfs(&mut self, pos: usize) -> bool {
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
        let first = if pos > 0 && self.p.items[self.order[pos - 1]].service == item.service {
            self.place[pos - 1] + 1
        } else {
            0
        };
        for b in first..self.bins.len() {
            let bn = &self.bins[b];
            let k = &self.p.kinds[bn.kind];
            if !compatible(k, &item)
                || !fits(bn.used, item.req, k.cap)
                || bn.items.iter().any(|&x| self.p.items[x].service == item.service)
            {
                continue;
            }
            // Interchangeable nodes: same kind and the same load as an earlier candidate.
            let twin = (first..b).any(|e| {
                let o = &self.bins[e];
                o.kind == bn.kind && o.used == bn.used && o.items.is_empty() == bn.items.is_empty() && {
                    let ko = &self.p.kinds[o.kind];
                    compatible(ko, &item)
                        && fits(o.used, item.req, ko.cap)
                        && !o.items.iter().any(|&x| self.p.items[x].service == item.service)
                }
            });
            if twin {
                continue;
            }
            let od = !k.spot;
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

// ---------------------------------------------------------------------------------
// Large-neighbourhood search

/// Neighbourhoods hold at most this many replicas (their repacking is exact).
const LNS_MAX_ITEMS: usize = 18;
/// Triples of nodes are tried when the placement has at most this many nodes.
const LNS_TRIPLES_MAX_BINS: usize = 24;
/// Branch-and-bound expansions per neighbourhood.
const LNS_BUDGET: u64 = 4_000;

/// Large-neighbourhood search: for every pair (and, on small placements, every triple)
/// of placement nodes, the replicas they hold are repacked *exactly* onto new nodes
/// (branch and bound on the sub-problem; replicas of one service stay on distinct
/// nodes, which the other nodes cannot violate), and a strictly cheaper total
/// (padding included) replaces the placement. Repeats until no neighbourhood improves
/// or `budget` expansions are spent. Returns the expansions used.
fn lns(p: &Problem, bins: &mut Vec<Bin>, budget: u64) -> u64 {
    bins.retain(|b| !b.items.is_empty());
    let mut spent: u64 = 0;
    'outer: loop {
        let n = bins.len();
        let current = cost_with_padding(p, bins);
        let mut groups: Vec<Vec<usize>> = Vec::new();
        for i in 0..n {
            for j in (i + 1)..n {
                groups.push(vec![i, j]);
            }
        }
        if n <= LNS_TRIPLES_MAX_BINS {
            for i in 0..n {
                for j in (i + 1)..n {
                    for k in (j + 1)..n {
                        groups.push(vec![i, j, k]);
                    }
                }
            }
        }
        // Most expensive neighbourhoods first: they have the most to gain.
        groups.sort_by_key(|g| std::cmp::Reverse(g.iter().map(|&b| p.kinds[bins[b].kind].price_cents).sum::<u64>()));
        for g in groups {
            if spent >= budget {
                break 'outer;
            }
            let items: Vec<usize> = g.iter().flat_map(|&b| bins[b].items.iter().copied()).collect();
            if items.len() > LNS_MAX_ITEMS {
                continue;
            }
            let old: u64 = g.iter().map(|&b| p.kinds[bins[b].kind].price_cents).sum();
            let sub = Problem {
                kinds: p.kinds.clone(),
                items: items.iter().map(|&i| p.items[i].clone()).collect(),
                min_nodes: 0,
            };
            let mut bb = BranchAndBound::new(&sub, old, LNS_BUDGET.min(budget - spent));
            bb.run();
            spent += bb.expansions;
            let Some(repacked) = bb.best_bins.take() else { continue };
            let mut next: Vec<Bin> =
                bins.iter().enumerate().filter(|(i, _)| !g.contains(i)).map(|(_, b)| b.clone()).collect();
            next.extend(
                repacked.into_iter().map(|b| Bin { kind: b.kind, items: b.items.iter().map(|&j| items[j]).collect() }),
            );
            if cost_with_padding(p, &next) < current {
                *bins = next;
                continue 'outer;
            }
        }
        break;
    }
    spent
}

// ---------------------------------------------------------------------------------
// Branch and bound

struct BState {
    kind: usize,
    used: Res,
    items: Vec<usize>,
}

struct BranchAndBound<'a> {
    p: &'a Problem,
    order: Vec<usize>,
    open_kinds: Vec<usize>,
    rem_all: Vec<Res>,
    rem_od: Vec<Res>,
    resid_all: Res,
    resid_od: Res,
    rho_any: [f64; 3],
    rho_od: [f64; 3],
    cheapest_any: u64,
    bins: Vec<BState>,
    place: Vec<usize>,
    best: u64,
    best_bins: Option<Vec<Bin>>,
    expansions: u64,
    budget: u64,
    aborted: bool,
}

/// Kinds not dominated by another (at least the capacity, at most the price, and
/// usable by at least the same items).
fn non_dominated(kinds: &[Kind]) -> Vec<usize> {
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
    fn new(p: &'a Problem, incumbent: u64, budget: u64) -> Self {
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
        let mut rem_all = vec![[0u64; 3]; n + 1];
        let mut rem_od = vec![[0u64; 3]; n + 1];
        for pos in (0..n).rev() {
            let it = &p.items[order[pos]];
            for d in 0..3 {
                rem_all[pos][d] = rem_all[pos + 1][d] + it.req[d];
                rem_od[pos][d] = rem_od[pos + 1][d] + if it.on_demand_only { it.req[d] } else { 0 };
            }
        }
        let open_kinds = non_dominated(&p.kinds);
        let rho = |spot_ok: bool, d: usize| {
            open_kinds
                .iter()
                .map(|&k| &p.kinds[k])
                .filter(|k| (spot_ok || !k.spot) && k.cap[d] > 0)
                .map(|k| k.price_cents as f64 / k.cap[d] as f64)
                .fold(f64::INFINITY, f64::min)
        };
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

    fn run(&mut self) {
        self.dfs(0, 0);
    }

    fn bound(&self, pos: usize, cost: u64) -> f64 {
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

    fn add(&mut self, b: usize, i: usize, sign_add: bool) {
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

    fn dfs(&mut self, pos: usize, cost: u64) {
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
        let first = if pos > 0 && self.p.items[self.order[pos - 1]].service == item.service {
            self.place[pos - 1] + 1
        } else {
            0
        };
        for b in first..self.bins.len() {
            let bs = &self.bins[b];
            let k = &self.p.kinds[bs.kind];
            if !compatible(k, &item)
                || !fits(bs.used, item.req, k.cap)
                || bs.items.iter().any(|&x| self.p.items[x].service == item.service)
            {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(name: &str, spot: bool, price: u64, cpu: u64, mem: u64) -> Kind {
        Kind { name: name.into(), spot, price_cents: price, cap: [cpu, mem, 110] }
    }
    fn item(service: u32, cpu: u64, mem: u64, od: bool) -> Item {
        Item { service, req: [cpu, mem, 1], on_demand_only: od }
    }

    #[test]
    fn replicas_spread_and_floor() {
        let p = Problem {
            kinds: vec![kind("big", false, 1000, 8000, 16000)],
            items: vec![item(0, 100, 100, true), item(0, 100, 100, true), item(0, 100, 100, true)],
            min_nodes: 2,
        };
        let s = solve(&p, SolveOptions::default()).expect("solvable");
        assert_eq!(s.bins.len(), 3);
        assert_eq!(s.cost_cents, 3000);
        assert!(s.exact);
    }

    #[test]
    fn padding_is_added_for_production() {
        let p = Problem {
            kinds: vec![kind("a", false, 500, 2000, 4000), kind("s", true, 100, 2000, 4000)],
            items: vec![item(0, 100, 100, false)],
            min_nodes: 2,
        };
        let s = solve(&p, SolveOptions::default()).expect("solvable");
        // One spot node for the item and one on-demand padding node.
        assert_eq!(s.cost_cents, 600);
        assert_eq!(s.bins.iter().filter(|b| b.items.is_empty()).count(), 1);
    }

    #[test]
    fn spot_only_items_cannot_go_on_spot_when_stateful() {
        let p = Problem {
            kinds: vec![kind("od", false, 500, 2000, 4000), kind("spot", true, 100, 2000, 4000)],
            items: vec![item(0, 1500, 100, true), item(1, 1500, 100, false)],
            min_nodes: 1,
        };
        let s = solve(&p, SolveOptions::default()).expect("solvable");
        assert_eq!(s.cost_cents, 600);
    }

    #[test]
    fn errors_instead_of_panics() {
        let p = Problem { kinds: vec![], items: vec![item(0, 1, 1, false)], min_nodes: 1 };
        assert_eq!(solve(&p, SolveOptions::default()), Err(SolveError::NoNodeTypes));
        let p =
            Problem { kinds: vec![kind("spot", true, 1, 4000, 4000)], items: vec![item(0, 1, 1, true)], min_nodes: 0 };
        assert_eq!(solve(&p, SolveOptions::default()), Err(SolveError::DoesNotFit { item: 0 }));
    }

    #[test]
    fn empty_demand_costs_the_floor() {
        let p = Problem { kinds: vec![kind("a", false, 700, 1000, 1000)], items: vec![], min_nodes: 2 };
        let s = solve(&p, SolveOptions::default()).expect("ok");
        assert_eq!(s.cost_cents, 1400);
        assert_eq!(s.lower_bound_cents, 1400);
    }

    #[test]
    fn dominated_kinds_are_dropped() {
        let kinds = vec![
            kind("small-dear", false, 900, 1000, 1000),
            kind("big-cheap", false, 500, 2000, 2000),
            kind("spot", true, 100, 2000, 2000),
            kind("spot-dear", true, 600, 2000, 2000),
        ];
        assert_eq!(non_dominated(&kinds), vec![2, 1]);
    }

    #[test]
    fn exact_matches_brute_force_on_random_small_instances() {
        use crate::testkit::{Rng, brute_force, check, random_problem};
        let mut rng = Rng::new(0x5eed_c057);
        let (mut solved, mut infeasible, mut heuristic_optimal) = (0, 0, 0);
        for case in 0..300 {
            let p = random_problem(&mut rng, 7);
            let brute = brute_force(&p);
            match solve(&p, SolveOptions::default()) {
                Ok(s) => {
                    check(&p, &s).unwrap_or_else(|e| panic!("case {case}: {e}\n{p:?}\n{s:?}"));
                    assert!(s.exact, "case {case}: small instance not proven");
                    assert_eq!(Some(s.cost_cents), brute, "case {case}: {p:?}\n{s:?}");
                    // The heuristic alone is feasible, never below the optimum, and
                    // the lower bound never above it.
                    let h = solve(&p, SolveOptions { exact_max_items: 0, node_budget: 0 }).expect("feasible");
                    check(&p, &h).unwrap_or_else(|e| panic!("case {case} heuristic: {e}"));
                    assert!(h.cost_cents >= s.cost_cents, "case {case}");
                    assert!(
                        lower_bound(&p) <= s.cost_cents,
                        "case {case}: bound {} > {}",
                        lower_bound(&p),
                        s.cost_cents
                    );
                    heuristic_optimal += usize::from(h.cost_cents == s.cost_cents);
                    solved += 1;
                }
                Err(_) => {
                    assert_eq!(brute, None, "case {case}: solver says infeasible");
                    infeasible += 1;
                }
            }
        }
        eprintln!("solved {solved}, infeasible {infeasible}, heuristic optimal {heuristic_optimal}");
        assert!(solved >= 200, "only {solved} solvable cases ({infeasible} infeasible)");
        assert!(heuristic_optimal * 10 >= solved * 7, "heuristic optimal in {heuristic_optimal}/{solved}");
    }

    #[test]
    fn budget_exhaustion_falls_back_to_heuristic_with_gap() {
        use crate::testkit::{Rng, check};
        let mut rng = Rng::new(7);
        let kinds = vec![
            kind("a", false, 2400, 1930, 2900),
            kind("b", false, 4800, 3920, 6000),
            kind("s", true, 900, 1930, 2900),
        ];
        let items: Vec<Item> =
            (0..36).map(|i| item(i / 2, rng.range(100, 900), rng.range(100, 1500), i % 3 == 0)).collect();
        let p = Problem { kinds, items, min_nodes: 2 };
        let s = solve(&p, SolveOptions { exact_max_items: 40, node_budget: 1000 }).expect("ok");
        check(&p, &s).expect("feasible");
        assert!(!s.exact);
        assert!(s.lower_bound_cents <= s.cost_cents);
        assert!(s.lower_bound_cents > 0);
    }
}
