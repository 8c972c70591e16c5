//! The heuristic: first-fit decreasing for every (on-demand kind, spot kind) pair,
//! then consolidation and right-sizing until nothing improves.

use super::*;

#[derive(Clone)]
pub(super) struct HBin {
    pub(super) kind: usize,
    pub(super) used: Res,
    pub(super) items: Vec<usize>,
    pub(super) od_items: usize,
}

impl HBin {
    pub(super) fn has_service(&self, p: &Problem, s: u32) -> bool {
        self.items.iter().any(|&i| p.items[i].service == s)
    }
}

pub(super) fn heuristic(p: &Problem) -> Vec<Bin> {
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
pub(super) const IMPROVE_CANDIDATES: usize = 4;

pub(super) fn size_key(req: Res, cap: Res) -> u64 {
    (0..3).map(|d| (req[d] * 1_000_000).checked_div(cap[d]).unwrap_or(0)).max().unwrap_or(0)
}

pub(super) fn cheapest_fitting(p: &Problem, used: Res, any_od_only: bool) -> Option<usize> {
    (0..p.kinds.len())
        .filter(|&k| !(any_od_only && p.kinds[k].spot) && fits([0; 3], used, p.kinds[k].cap))
        .min_by(|&a, &b| p.kinds[a].price_cents.cmp(&p.kinds[b].price_cents).then(a.cmp(&b)))
}

pub(super) fn pack(p: &Problem, a: Option<usize>, b: Option<usize>) -> Vec<HBin> {
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

pub(super) fn right_size(p: &Problem, bins: &mut [HBin]) -> bool {
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
pub(super) fn try_empty(p: &Problem, bins: &mut [HBin], victim: usize) -> bool {
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
pub(super) fn merge_pairs(p: &Problem, bins: &mut Vec<HBin>) -> bool {
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

pub(super) fn improve(p: &Problem, bins: &mut Vec<HBin>) {
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
