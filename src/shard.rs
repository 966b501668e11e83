//! `--shard k/n`: one of n equal shares of a run's mutants, so the n jobs of a CI matrix
//! together test each mutant exactly once. Mutant `i` (in discovery order, which is fixed
//! by the tested files and the options) belongs to share `i mod n`: the shares differ by
//! at most one mutant, and each holds a slice of every file, so slow and fast parts of
//! the code spread evenly. `git chimp merge` joins the shares' reports.

use std::fmt;
use std::str::FromStr;

/// One share: `index` of `count`, both 1-based as the user writes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// Which share, from 1 to `count`.
    pub index: usize,
    /// How many shares.
    pub count: usize,
}

impl Shard {
    /// Whether the mutant at `position` (0-based, in discovery order) is in this share.
    #[must_use]
    pub fn holds(self, position: usize) -> bool {
        position % self.count == self.index - 1
    }
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

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn shares_cover_every_position_once_and_differ_by_at_most_one() {
        let shards: Vec<Shard> = (1..=3).map(|k| format!("{k}/3").parse().unwrap()).collect();
        let sizes: Vec<usize> = shards
            .iter()
            .map(|shard| (0..10).filter(|&i| shard.holds(i)).count())
            .collect();
        assert_eq!(sizes, [4, 3, 3]);
        for i in 0..10 {
            assert_eq!(shards.iter().filter(|shard| shard.holds(i)).count(), 1);
        }
        for bad in ["0/3", "4/3", "1", "a/b", "1/0"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }
}
