//! The large-neighbourhood search: the replicas of every pair (and on small placements
//! every triple) of nodes repacked exactly.

use super::*;

/// Neighbourhoods hold at most this many replicas (their repacking is exact).
pub(super) const LNS_MAX_ITEMS: usize = 18;
/// Triples of nodes are tried when the placement has at most this many nodes.
pub(super) const LNS_TRIPLES_MAX_BINS: usize = 24;
/// Branch-and-bound expansions per neighbourhood.
pub(super) const LNS_BUDGET: u64 = 4_000;

/// Large-neighbourhood search: for every pair (and, on small placements, every triple)
/// of placement nodes, the replicas they hold are repacked *exactly* onto new nodes
/// (branch and bound on the sub-problem; replicas of one service stay on distinct
/// nodes, which the other nodes cannot violate), and a strictly cheaper total
/// (padding included) replaces the placement. Repeats until no neighbourhood improves
/// or `budget` expansions are spent. Returns the expansions used.
pub(super) fn lns(p: &Problem, bins: &mut Vec<Bin>, budget: u64) -> u64 {
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
