//! Percentiles exactly as PostgreSQL's `percentile_cont` gives them, so the
//! figures stay what the known-answer tests and the documentation say:
//! position `p × (n − 1)` in the sorted values, counting from 0, and the
//! linear interpolation between the two values around it.

/// The `p`-th percentile (0–1) of `values`, reordering them; `None` when
/// there are none. Linear in `values.len()`: a selection, not a sort.
pub fn percentile_cont(values: &mut [f64], p: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let position = p * (values.len() - 1) as f64;
    let first = position.floor();
    let second = position.ceil();
    // Both are within 0..len because 0 <= p <= 1.
    let first_index = first as usize;
    let (_, low, above) = values.select_nth_unstable_by(first_index, f64::total_cmp);
    let low = *low;
    if second == first {
        return Some(low);
    }
    // The next value in order is the smallest of those above.
    let high = above.iter().copied().min_by(f64::total_cmp).unwrap_or(low);
    // PostgreSQL's float8_lerp, operation for operation.
    Some(low + (position - first) * (high - low))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn sorted_reference(values: &[f64], p: f64) -> Option<f64> {
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        if n == 0 {
            return None;
        }
        let position = p * (n - 1) as f64;
        let (first, second) = (position.floor(), position.ceil());
        let (low, high) = (sorted[first as usize], sorted[second as usize]);
        if first == second { Some(low) } else { Some(low + (position - first) * (high - low)) }
    }

    #[test]
    fn known_answers() {
        assert_eq!(percentile_cont(&mut [], 0.5), None);
        assert_eq!(percentile_cont(&mut [7.0], 0.9), Some(7.0));
        // Even count: the mean of the middle two.
        assert_eq!(percentile_cont(&mut [4.0, 1.0, 3.0, 2.0], 0.5), Some(2.5));
        // p90 of 1..=10: position 8.1, between 9 and 10.
        let mut ten: Vec<f64> = (1..=10).rev().map(f64::from).collect();
        assert!((percentile_cont(&mut ten, 0.9).unwrap_or_default() - 9.1).abs() < 1e-12);
        // Ties.
        assert_eq!(percentile_cont(&mut [600.0, 600.0, 300.0], 0.5), Some(600.0));
    }

    proptest! {
        #[test]
        fn selection_agrees_with_sorting(values in proptest::collection::vec(-1.0e7f64..1.0e7, 0..200), p in 0.0f64..=1.0) {
            let expected = sorted_reference(&values, p);
            let mut shuffled = values.clone();
            prop_assert_eq!(percentile_cont(&mut shuffled, p), expected);
        }
    }
}
