//! Test helpers: a seeded RNG, a brute-force solver and an independent checker for
//! [`crate::optimize`]. Compiled for tests only.

// Resources are indexed by dimension across several parallel arrays.
#![allow(clippy::needless_range_loop)]

use crate::optimize::{Item, Kind, Problem, Solution};

/// SplitMix64: small, seeded, good enough for test data.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next_u64() % (hi - lo + 1)
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.range(1, 100) <= percent
    }
}

/// Checks a solution against the problem without trusting the solver: every item
/// placed exactly once, capacities hold, replicas of a service are on distinct
/// nodes, on-demand-only items are on on-demand nodes, the node floor holds, and
/// the reported cost is the sum of node prices. Returns the first violation.
pub fn check(p: &Problem, s: &Solution) -> Result<(), String> {
    let mut seen = vec![0u32; p.items.len()];
    for (bi, b) in s.bins.iter().enumerate() {
        let k = p.kinds.get(b.kind).ok_or(format!("node {bi}: unknown kind"))?;
        let mut used = [0u64; 3];
        let mut services = Vec::new();
        for &i in &b.items {
            let it = p.items.get(i).ok_or(format!("node {bi}: unknown item {i}"))?;
            seen[i] += 1;
            for d in 0..3 {
                used[d] += it.req[d];
            }
            if services.contains(&it.service) {
                return Err(format!("node {bi}: two replicas of service {}", it.service));
            }
            services.push(it.service);
            if it.on_demand_only && k.spot {
                return Err(format!("node {bi}: on-demand-only item {i} on a spot node"));
            }
        }
        for d in 0..3 {
            if used[d] > k.cap[d] {
                return Err(format!("node {bi}: dimension {d} over capacity ({} > {})", used[d], k.cap[d]));
            }
        }
    }
    if let Some(i) = seen.iter().position(|&n| n != 1) {
        return Err(format!("item {i} placed {} times", seen[i]));
    }
    if (s.bins.len() as u64) < u64::from(p.min_nodes) {
        return Err(format!("{} nodes, floor is {}", s.bins.len(), p.min_nodes));
    }
    let cost: u64 = s.bins.iter().map(|b| p.kinds[b.kind].price_cents).sum();
    if cost != s.cost_cents {
        return Err(format!("reported cost {} but nodes sum to {cost}", s.cost_cents));
    }
    if s.lower_bound_cents > s.cost_cents {
        return Err("lower bound above cost".into());
    }
    Ok(())
}

/// The optimum by exhaustive search: enumerate node multisets by increasing cost
/// (with the padding rule) and return the first one into which every item can be
/// assigned with every node used. `None` when nothing is feasible.
pub fn brute_force(p: &Problem) -> Option<u64> {
    let n = p.items.len();
    let k = p.kinds.len();
    if k == 0 {
        return None;
    }
    let pad_price = crate::optimize::padding_kind(&p.kinds).map(|i| p.kinds[i].price_cents)?;
    let mut vectors: Vec<Vec<usize>> = Vec::new();
    let mut cur = vec![0usize; k];
    fn rec(i: usize, left: usize, cur: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
        if i == cur.len() {
            out.push(cur.clone());
            return;
        }
        for c in 0..=left {
            cur[i] = c;
            rec(i + 1, left - c, cur, out);
        }
        cur[i] = 0;
    }
    rec(0, n, &mut cur, &mut vectors);
    let cost = |v: &[usize]| -> u64 {
        let count: usize = v.iter().sum();
        let nodes: u64 = v.iter().zip(&p.kinds).map(|(c, kd)| *c as u64 * kd.price_cents).sum();
        nodes + (p.min_nodes as usize).saturating_sub(count) as u64 * pad_price
    };
    let mut costed: Vec<(u64, Vec<usize>)> = vectors.into_iter().map(|v| (cost(&v), v)).collect();
    costed.sort();
    for (c, v) in costed {
        let count: usize = v.iter().sum();
        if count > n || (n > 0 && count == 0) {
            continue;
        }
        let bins: Vec<&Kind> = v.iter().enumerate().flat_map(|(ki, &c)| std::iter::repeat_n(&p.kinds[ki], c)).collect();
        let mut used = vec![[0u64; 3]; bins.len()];
        let mut members: Vec<Vec<u32>> = vec![Vec::new(); bins.len()];
        if assign(&p.items, 0, &bins, &mut used, &mut members) {
            return Some(c);
        }
    }
    None
}

fn assign(items: &[Item], i: usize, bins: &[&Kind], used: &mut [[u64; 3]], members: &mut [Vec<u32>]) -> bool {
    if i == items.len() {
        return members.iter().all(|m| !m.is_empty());
    }
    let it = &items[i];
    for b in 0..bins.len() {
        let k = bins[b];
        if it.on_demand_only && k.spot {
            continue;
        }
        if (0..3).any(|d| used[b][d] + it.req[d] > k.cap[d]) || members[b].contains(&it.service) {
            continue;
        }
        for d in 0..3 {
            used[b][d] += it.req[d];
        }
        members[b].push(it.service);
        let ok = assign(items, i + 1, bins, used, members);
        members[b].pop();
        for d in 0..3 {
            used[b][d] -= it.req[d];
        }
        if ok {
            return true;
        }
    }
    false
}

/// A random small problem (≤ `max_items` items, ≤ 4 kinds).
pub fn random_problem(rng: &mut Rng, max_items: u64) -> Problem {
    let nkinds = rng.range(1, 4);
    let kinds = (0..nkinds)
        .map(|i| {
            let spot = rng.chance(35);
            Kind {
                name: format!("k{i}"),
                spot,
                price_cents: if spot { rng.range(50, 500) } else { rng.range(200, 1200) },
                cap: [rng.range(1000, 4000), rng.range(1000, 8000), rng.range(2, 8)],
            }
        })
        .collect();
    let mut items = Vec::new();
    let target = rng.range(0, max_items);
    let mut service = 0u32;
    while (items.len() as u64) < target {
        let replicas = rng.range(1, 3).min(target - items.len() as u64);
        let req = [rng.range(50, 2000), rng.range(64, 4000), 1];
        let od = rng.chance(50);
        for _ in 0..replicas {
            items.push(Item { service, req, on_demand_only: od });
        }
        service += 1;
    }
    Problem { kinds, items, min_nodes: rng.range(0, 3) as u32 }
}
