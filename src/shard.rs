//! `--shard k/n`: one of n shares of a run's mutants, so the n jobs of a CI matrix
//! together test each mutant exactly once. Without known durations, mutant `i` (in
//! discovery order, which is fixed by the tested files and the options) belongs to share
//! `i mod n`: the shares differ by at most one mutant, and each holds a slice of every
//! file. When the cache knows how long mutants took before ([`Split::by_cost`]), the
//! shares are balanced by that time instead, so the n jobs finish together. Either way
//! the split depends only on its inputs, and its name goes into each share's report, so
//! `git chimp merge` refuses shares of different splits.

use std::fmt;
use std::str::FromStr;

use sha2::{Digest, Sha256};

/// One share: `index` of `count`, both 1-based as the user writes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// Which share, from 1 to `count`.
    pub index: usize,
    /// How many shares.
    pub count: usize,
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || format!("{text:?}: expected K/N with 1 <= K <= N, such as 2/4");
        let (index, count) = text.split_once('/').ok_or_else(bad)?;
        let index: usize = index.trim().parse().map_err(|_| bad())?;
        let count: usize = count.trim().parse().map_err(|_| bad())?;
        if index == 0 || index > count {
            return Err(bad());
        }
        Ok(Self { index, count })
    }
}

/// Which share each mutant of a run belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Split {
    /// The 0-based share of each mutant, in discovery order.
    shares: Vec<usize>,
    /// `position`, or `cost:` and a hash of the shares.
    pub(crate) name: String,
}

impl Split {
    /// `i mod count`.
    #[must_use]
    pub(crate) fn by_position(mutants: usize, count: usize) -> Self {
        Self {
            shares: (0..mutants).map(|position| position % count).collect(),
            name: "position".to_owned(),
        }
    }

    /// Shares of about equal expected time: `costs` holds each mutant's earlier duration
    /// (milliseconds) where known; an unknown one counts as the median of the known
    /// ones. The longest go first, each to the share with the least time so far (the
    /// lowest-numbered on a tie), so the result depends on the costs alone. Without any
    /// known cost, [`Split::by_position`].
    #[must_use]
    pub(crate) fn by_cost(costs: &[Option<u64>], count: usize) -> Self {
        let mut known: Vec<u64> = costs.iter().flatten().copied().collect();
        if known.is_empty() || count == 0 {
            return Self::by_position(costs.len(), count.max(1));
        }
        known.sort_unstable();
        let median = known[known.len() / 2];
        // At least 1 ms each, so a share is never filled with free mutants only.
        let cost = |position: usize| costs[position].unwrap_or(median).max(1);
        let mut order: Vec<usize> = (0..costs.len()).collect();
        order.sort_by_key(|&position| (std::cmp::Reverse(cost(position)), position));
        let mut loads = vec![0_u64; count];
        let mut shares = vec![0; costs.len()];
        for position in order {
            let share = (0..count)
                .min_by_key(|&share| (loads[share], share))
                .unwrap_or(0);
            loads[share] += cost(position);
            shares[position] = share;
        }
        let mut hasher = Sha256::new();
        for share in &shares {
            hasher.update((*share as u64).to_le_bytes());
        }
        Self {
            shares,
            name: format!("cost:{}", hex::encode(&hasher.finalize()[..6])),
        }
    }

    /// Whether the mutant at `position` (0-based, in discovery order) is in `shard`.
    #[must_use]
    pub(crate) fn holds(&self, shard: Shard, position: usize) -> bool {
        self.shares.get(position) == Some(&(shard.index - 1))
    }
}

#[cfg(test)]
mod test {
    use super::*;

    fn shards(count: usize) -> Vec<Shard> {
        (1..=count)
            .map(|k| format!("{k}/{count}").parse().unwrap())
            .collect()
    }

    #[test]
    fn shares_cover_every_position_once_and_differ_by_at_most_one() {
        let split = Split::by_position(10, 3);
        let sizes: Vec<usize> = shards(3)
            .iter()
            .map(|&shard| (0..10).filter(|&i| split.holds(shard, i)).count())
            .collect();
        assert_eq!(sizes, [4, 3, 3]);
        for i in 0..10 {
            assert_eq!(
                shards(3)
                    .iter()
                    .filter(|&&shard| split.holds(shard, i))
                    .count(),
                1
            );
        }
        // Without a known cost, the same as by position.
        assert_eq!(Split::by_cost(&[None; 10], 3), split);
        for bad in ["0/3", "4/3", "1", "a/b", "1/0"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }

    #[test]
    fn shares_by_cost_take_about_equal_time_and_depend_on_the_costs_only() {
        // Two slow mutants first in discovery order: by position, share 1 gets both.
        let mut costs = vec![Some(10_000), None, Some(10_000), None];
        costs.extend(std::iter::repeat_n(Some(100), 40));
        let time = |split: &Split, shard: Shard| -> u64 {
            (0..costs.len())
                .filter(|&i| split.holds(shard, i))
                .map(|i| costs[i].unwrap_or(100))
                .sum()
        };
        let by_position = Split::by_position(costs.len(), 2);
        let [one, two] = [shards(2)[0], shards(2)[1]];
        assert_eq!(
            (time(&by_position, one), time(&by_position, two)),
            (22_000, 2_200)
        );
        let split = Split::by_cost(&costs, 2);
        assert_eq!((time(&split, one), time(&split, two)), (12_100, 12_100));
        for i in 0..costs.len() {
            assert!(split.holds(one, i) != split.holds(two, i), "{i}");
        }
        // The same costs give the same split and name; other costs another name.
        assert_eq!(Split::by_cost(&costs, 2), split);
        assert!(split.name.starts_with("cost:"));
        costs[5] = Some(5_000);
        assert_ne!(Split::by_cost(&costs, 2).name, split.name);
    }
}
