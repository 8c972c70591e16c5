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

mod bound;
mod exact;
mod heuristic;
mod lns;
mod nodeset;

use bound::*;
use exact::*;
use heuristic::*;
use lns::*;
use nodeset::*;

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

/// What a set of nodes must cover: the summed requests of all items and of the
/// on-demand-only ones, and the most replicas of one service (of any, of on-demand-only
/// services), each on its own node.
struct Demand {
    all: Res,
    od: Res,
    min_all: u64,
    min_od: u64,
}

impl Demand {
    fn of(p: &Problem) -> Self {
        let mut need = Demand { all: [0; 3], od: [0; 3], min_all: 0, min_od: 0 };
        let mut per_service: Vec<(u32, u64, bool)> = Vec::new();
        for it in &p.items {
            for d in 0..3 {
                need.all[d] += it.req[d];
                if it.on_demand_only {
                    need.od[d] += it.req[d];
                }
            }
            match per_service.iter_mut().find(|c| c.0 == it.service) {
                Some(c) => c.1 += 1,
                None => per_service.push((it.service, 1, it.on_demand_only)),
            }
        }
        need.min_all = per_service.iter().map(|c| c.1).max().unwrap_or(0);
        need.min_od = per_service.iter().filter(|c| c.2).map(|c| c.1).max().unwrap_or(0);
        need
    }

    /// Whether nodes of capacity `all` (`od` of it on-demand), `n` of them (`n_od`
    /// on-demand), cover the demand.
    fn covered(&self, all: Res, od: Res, n: u64, n_od: u64) -> bool {
        (0..3).all(|d| all[d] >= self.all[d] && od[d] >= self.od[d]) && n >= self.min_all && n_od >= self.min_od
    }

    /// A fractional lower bound on the price of the capacity still missing from `all`
    /// with nodes of `kinds`: per dimension, the deficit at the cheapest rate, and, given
    /// the on-demand capacity `od`, the on-demand deficit at the cheapest on-demand rate.
    fn missing_cost(&self, p: &Problem, kinds: &[usize], all: Res, od: Option<Res>) -> f64 {
        let mut extra = 0.0f64;
        for d in 0..3 {
            let deficit = self.all[d].saturating_sub(all[d]);
            if deficit > 0 {
                extra = extra.max(deficit as f64 * cheapest_rate(p, kinds, d, true));
            }
            let deficit_od = od.map_or(0, |od| self.od[d].saturating_sub(od[d]));
            if deficit_od > 0 {
                extra = extra.max(deficit_od as f64 * cheapest_rate(p, kinds, d, false));
            }
        }
        extra
    }
}

/// The lowest price per unit of dimension `d` among `kinds` (spot kinds only if
/// `spot_ok`); infinite when none has capacity in `d`.
fn cheapest_rate(p: &Problem, kinds: &[usize], d: usize, spot_ok: bool) -> f64 {
    kinds
        .iter()
        .map(|&k| &p.kinds[k])
        .filter(|k| (spot_ok || !k.spot) && k.cap[d] > 0)
        .map(|k| k.price_cents as f64 / k.cap[d] as f64)
        .fold(f64::INFINITY, f64::min)
}

/// Capacity `all` (`od` of it on-demand) plus `n` nodes of capacity `cap`.
fn with_nodes(all: Res, od: Res, cap: Res, spot: bool, n: u64) -> (Res, Res) {
    let (mut all, mut od) = (all, od);
    for d in 0..3 {
        all[d] += n * cap[d];
        if !spot {
            od[d] += n * cap[d];
        }
    }
    (all, od)
}

/// The summed requests of the items at `order[pos..]` for every `pos` (all items, and
/// on-demand-only ones), for the exact searches' bounds.
fn remaining(p: &Problem, order: &[usize]) -> (Vec<Res>, Vec<Res>) {
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
    (rem_all, rem_od)
}

/// The first node the item at `order[pos]` may go to: after the node of the previous
/// replica of its service (replicas take increasing nodes, which breaks symmetry).
fn first_slot(p: &Problem, order: &[usize], place: &[usize], pos: usize) -> usize {
    if pos > 0 && p.items[order[pos - 1]].service == p.items[order[pos]].service { place[pos - 1] + 1 } else { 0 }
}

/// Whether a node of `kind` that holds `items` (using `used`) can take `item`.
fn admits(p: &Problem, kind: usize, used: Res, items: &[usize], item: &Item) -> bool {
    let k = &p.kinds[kind];
    compatible(k, item) && fits(used, item.req, k.cap) && !items.iter().any(|&x| p.items[x].service == item.service)
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
