//! Which published counts `/open` withholds so that none can be worked out
//! from the others: complementary suppression, in one place.
//!
//! Every breakdown `/open` publishes (per district, topic, channel, hour,
//! week, responder) splits the same cases, the period's, and the period's
//! total is published beside them. A count under [`MIN_CASES`] is withheld
//! (*primary* suppression), but on its own that protects nothing: with a
//! total of 49, chat 32 and SMS 15 shown, a withheld walk-in count is 2.
//! So in each breakdown, whenever anything is withheld, more is withheld
//! (*secondary* suppression), the smallest shown cells first, until at
//! least two cells are withheld and together they rest on at least
//! [`MIN_CASES`] cases. What can then be worked out by subtraction is only
//! the withheld cells' sum, never one of them, and that sum is itself a
//! figure resting on enough cases.
//!
//! The breakdowns share nothing but the total: each is a one-way split, and
//! none is published crossed with another, so no cell of one can be found
//! from another. The total is withheld only when it rests on too few cases
//! itself, and then every cell of every breakdown is withheld too (each is
//! at most the total), so no breakdown gives the total back.
//!
//! A row is one cell: when its count is withheld every figure of the row
//! is, its other counts (resolved, open, reopened, missed acknowledgements)
//! and its hand-offs per case (a count once multiplied by the cases)
//! included, so those too are known only as a sum over the withheld rows.

/// Figures resting on fewer cases than this are withheld.
pub const MIN_CASES: i64 = 5;

/// What is withheld of a total and its breakdowns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    /// Whether the total itself is withheld.
    pub total: bool,
    /// For each breakdown, in the order given, whether each cell is withheld.
    pub breakdowns: Vec<Vec<bool>>,
}

/// Which of `total` and the cells of each of `breakdowns` (each a split of
/// the same `total` cases, so each adds up to it) are withheld for resting
/// on fewer than `min` cases, primary and complementary: in every breakdown
/// either nothing is withheld, or at least two cells resting on at least
/// `min` cases together, or the total and every cell are.
pub fn suppress(total: i64, breakdowns: &[&[i64]], min: i64) -> Suppression {
    let everything =
        || Suppression { total: true, breakdowns: breakdowns.iter().map(|cells| vec![true; cells.len()]).collect() };
    if total < min {
        return everything();
    }
    let mut withheld = Vec::with_capacity(breakdowns.len());
    for cells in breakdowns {
        match complementary(cells, min) {
            Some(cells) => withheld.push(cells),
            // Only when the cells do not add up to the total: nothing in
            // them can be trusted to hide anything, so publish none of it.
            None => return everything(),
        }
    }
    Suppression { total: false, breakdowns: withheld }
}

/// The cells of one breakdown withheld, or `None` when even all of them
/// together rest on fewer than `min` cases (or are one cell under `min`).
fn complementary(cells: &[i64], min: i64) -> Option<Vec<bool>> {
    let mut withheld: Vec<bool> = cells.iter().map(|&c| c < min).collect();
    loop {
        let (count, sum) = cells
            .iter()
            .zip(&withheld)
            .filter(|(_, w)| **w)
            .fold((0usize, 0i64), |(n, s), (c, _)| (n + 1, s.saturating_add(*c)));
        if count == 0 || (count >= 2 && sum >= min) {
            return Some(withheld);
        }
        // The smallest cell still shown hides the most for the least lost;
        // ties go to the first, so the same figures give the same page.
        let next = (0..cells.len()).filter(|&i| !withheld[i]).min_by_key(|&i| (cells[i], i))?;
        withheld[next] = true;
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// What an attacker can do with one breakdown: if exactly one cell is
    /// withheld and the total is shown, that cell is the total minus the rest.
    fn recoverable(total: i64, total_withheld: bool, cells: &[i64], withheld: &[bool]) -> Option<(usize, i64)> {
        if total_withheld {
            return None;
        }
        let hidden: Vec<usize> = (0..cells.len()).filter(|&i| withheld[i]).collect();
        let shown: i64 = (0..cells.len()).filter(|&i| !withheld[i]).map(|i| cells[i]).sum();
        match hidden.as_slice() {
            [only] => Some((*only, total - shown)),
            _ => None,
        }
    }

    #[test]
    fn the_probes_day_withholds_a_second_channel() {
        // Issue 17: total 49, chat 32, SMS 15, walk-in 2 withheld: 49 - 32 - 15 = 2.
        let channels = [32, 15, 2];
        let s = suppress(49, &[&channels], MIN_CASES);
        assert!(!s.total);
        assert_eq!(s.breakdowns[0], [false, true, true], "SMS, the next smallest, goes with walk-in");
        assert_eq!(recoverable(49, s.total, &channels, &s.breakdowns[0]), None);
    }

    #[test]
    fn secondary_suppression_goes_on_until_the_withheld_rest_on_enough_cases() {
        // 1 and 2 withheld are 3 together, under five: the 7 goes too, not the 9.
        assert_eq!(complementary(&[40, 1, 7, 2, 9], 5), Some(vec![false, true, true, true, false]));
        // Nothing small, nothing withheld.
        assert_eq!(complementary(&[5, 6], 5), Some(vec![false, false]));
        // Two small ones resting on five together: enough.
        assert_eq!(complementary(&[4, 1, 20], 5), Some(vec![true, true, false]));
        // A quiet week (0) beside a busy one: both go, they rest on the busy one's cases.
        assert_eq!(complementary(&[0, 7], 5), Some(vec![true, true]));
        // A small total: everything withheld, in every breakdown.
        let s = suppress(4, &[&[3, 1], &[4]], 5);
        assert!(s.total && s.breakdowns.iter().flatten().all(|w| *w));
    }

    /// Cases with a channel, a district and a week each; the three
    /// breakdowns of them and their total, as `/open` publishes them.
    fn breakdowns(cases: &[(usize, usize, usize)]) -> (i64, Vec<Vec<i64>>) {
        let mut tables = vec![vec![0i64; 4], vec![0i64; 6], vec![0i64; 5]];
        for &(channel, area, week) in cases {
            tables[0][channel] += 1;
            tables[1][area] += 1;
            tables[2][week] += 1;
        }
        // A breakdown lists only the groups with cases, except weeks, which
        // are all listed (a quiet week shows as a zero, withheld).
        for table in &mut tables[..2] {
            table.retain(|&c| c > 0);
        }
        (cases.len() as i64, tables)
    }

    proptest! {
        #[test]
        fn no_withheld_count_can_be_worked_out_from_what_is_shown(
            cases in proptest::collection::vec((0usize..4, 0usize..6, 0usize..5), 0..80),
            min in 1i64..8,
        ) {
            let (total, tables) = breakdowns(&cases);
            let refs: Vec<&[i64]> = tables.iter().map(Vec::as_slice).collect();
            let s = suppress(total, &refs, min);
            prop_assert_eq!(s.total, total < min);
            for (cells, withheld) in tables.iter().zip(&s.breakdowns) {
                prop_assert_eq!(cells.len(), withheld.len());
                // Primary: every cell under `min` is withheld.
                for (c, w) in cells.iter().zip(withheld) {
                    prop_assert!(*c >= min || *w, "{} shown in {:?} {:?}", c, cells, withheld);
                }
                // No cell is the total minus the others shown.
                prop_assert_eq!(recoverable(total, s.total, cells, withheld), None, "{:?} {:?}", cells, withheld);
                // What subtraction gives, the withheld cells' sum, rests on enough cases.
                let hidden: Vec<i64> = cells.iter().zip(withheld).filter(|(_, w)| **w).map(|(c, _)| *c).collect();
                prop_assert!(
                    s.total || hidden.is_empty() || (hidden.len() >= 2 && hidden.iter().sum::<i64>() >= min),
                    "{:?} {:?}", cells, withheld
                );
            }
            // A withheld total cannot be had from any breakdown: nothing of them is shown.
            if s.total {
                prop_assert!(s.breakdowns.iter().flatten().all(|w| *w));
            }
        }

        #[test]
        fn only_as_much_is_withheld_as_needed(cells in proptest::collection::vec(0i64..30, 1..12), min in 1i64..8) {
            let total: i64 = cells.iter().sum();
            let s = suppress(total, &[&cells], min);
            if total >= min && cells.iter().all(|&c| c >= min) {
                prop_assert!(s.breakdowns[0].iter().all(|w| !*w), "nothing small, nothing withheld");
            }
            // A shown cell is never smaller than a secondary-withheld one.
            let secondary = cells.iter().zip(&s.breakdowns[0]).filter(|(c, w)| **w && **c >= min).map(|(c, _)| *c).max();
            let smallest_shown = cells.iter().zip(&s.breakdowns[0]).filter(|(_, w)| !**w).map(|(c, _)| *c).min();
            if let (Some(secondary), Some(shown)) = (secondary, smallest_shown) {
                prop_assert!(shown >= secondary);
            }
        }
    }
}
