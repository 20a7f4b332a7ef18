//! Evaluation as in the paper: MAP@3 of label rankings obtained by kNN voting (k = 25).
//!
//! Every direction (audio→audio, text→audio, audio→text, text→text) is evaluated the same way: a
//! query is ranked against labelled reference items, the labels of its `k` nearest references
//! vote ([`crate::index::vote`]), and the average precision at 3 of that label ranking is taken
//! against the query's true label. With one true label, AP@3 is 1/rank when the true label is
//! ranked within the first 3, else 0.

use crate::index::{top_k, vote, Hit, Metric};

/// AP@k of a label ranking for a query with one true label.
pub fn average_precision_at_k(ranking: &[&str], truth: &str, k: usize) -> f64 {
    ranking
        .iter()
        .take(k)
        .position(|&l| l == truth)
        .map_or(0.0, |r| 1.0 / (r as f64 + 1.0))
}

/// Label ranking of `query` by kNN voting over row-major `refs` (`dim` each) with `ref_labels`.
pub fn knn_ranking<'a>(
    query: &[f32],
    refs: &[f32],
    ref_labels: &[&'a str],
    dim: usize,
    k: usize,
    metric: Metric,
) -> Vec<&'a str> {
    voted(&top_k(refs, dim, query, k, metric), ref_labels)
}

/// The label ranking the references of `hits` vote for.
fn voted<'a>(hits: &[Hit], ref_labels: &[&'a str]) -> Vec<&'a str> {
    let labels: Vec<&str> = hits.iter().map(|h| ref_labels[h.item]).collect();
    vote(&labels).into_iter().map(|(l, _)| l).collect()
}

/// MAP@`at` over all queries (row-major, `dim` each) with kNN (`k`) voting over the references.
#[allow(clippy::too_many_arguments)]
pub fn map_at(
    queries: &[f32],
    query_labels: &[&str],
    refs: &[f32],
    ref_labels: &[&str],
    dim: usize,
    k: usize,
    at: usize,
    metric: Metric,
) -> f64 {
    mean_ap(queries, query_labels, dim, |q, truth| {
        average_precision_at_k(&knn_ranking(q, refs, ref_labels, dim, k, metric), truth, at)
    })
}

/// The most [`map_at`] can give with these references, whatever the embedding: each query's
/// references of its own label are moved ahead of all others (which keep the metric's order)
/// before the `k` nearest vote. Below 1 when a label has fewer references than the votes its
/// neighbours collect: with k = 25 and three test clips of a class, the 22 other voters decide.
#[allow(clippy::too_many_arguments)]
pub fn ceiling_map_at(
    queries: &[f32],
    query_labels: &[&str],
    refs: &[f32],
    ref_labels: &[&str],
    dim: usize,
    k: usize,
    at: usize,
    metric: Metric,
) -> f64 {
    mean_ap(queries, query_labels, dim, |q, truth| {
        let mut hits = top_k(refs, dim, q, ref_labels.len(), metric);
        // Stable: within each group the metric's order is kept.
        hits.sort_by_key(|h| ref_labels[h.item] != truth);
        hits.truncate(k);
        average_precision_at_k(&voted(&hits, ref_labels), truth, at)
    })
}

/// The mean of `ap(query, truth)` over the queries (row-major, `dim` each).
fn mean_ap(
    queries: &[f32],
    query_labels: &[&str],
    dim: usize,
    ap: impl Fn(&[f32], &str) -> f64,
) -> f64 {
    if query_labels.is_empty() || dim == 0 {
        return 0.0;
    }
    let total: f64 = queries
        .chunks_exact(dim)
        .zip(query_labels)
        .map(|(q, truth)| ap(q, truth))
        .sum();
    total / query_labels.len() as f64
}

/// Precision at `k`: the share of the first `k` ranked labels that are `truth` (a ranking shorter
/// than `k` counts its missing places as misses).
pub fn precision_at_k(ranking: &[&str], truth: &str, k: usize) -> f64 {
    if k == 0 {
        return 0.0;
    }
    ranking.iter().take(k).filter(|&&l| l == truth).count() as f64 / k as f64
}

/// Average precision of a full ranking (best first) with `relevant[i]` for the item at rank i:
/// the mean, over the relevant items, of the precision at each one's rank (0 with none).
pub fn average_precision(relevant: &[bool]) -> f64 {
    let (mut hits, mut sum) = (0usize, 0.0f64);
    for (rank, &r) in relevant.iter().enumerate() {
        if r {
            hits += 1;
            sum += hits as f64 / (rank + 1) as f64;
        }
    }
    if hits == 0 {
        0.0
    } else {
        sum / hits as f64
    }
}

/// The mean of `values` weighted by `weights` (0 when the weights sum to 0).
pub fn weighted_mean(values: &[f64], weights: &[usize]) -> f64 {
    let total: usize = weights.iter().sum();
    if total == 0 {
        return 0.0;
    }
    values
        .iter()
        .zip(weights)
        .map(|(v, &w)| v * w as f64)
        .sum::<f64>()
        / total as f64
}

/// The chance level the paper reports: 1 / number of classes (2.4 % for 41 classes).
pub fn chance(n_classes: usize) -> f64 {
    if n_classes == 0 {
        return 0.0;
    }
    1.0 / n_classes as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precision_at_k_counts_matches_in_the_first_k() {
        let r = ["Bark", "Meow", "Bark", "Bark"];
        assert_eq!(precision_at_k(&r, "Bark", 2), 0.5);
        assert_eq!(precision_at_k(&r, "Bark", 4), 0.75);
        // Missing places are misses.
        assert_eq!(precision_at_k(&r, "Bark", 10), 0.3);
        assert_eq!(precision_at_k(&r, "Gong", 3), 0.0);
        assert_eq!(precision_at_k(&r, "Bark", 0), 0.0);
    }

    #[test]
    fn average_precision_of_full_rankings() {
        assert_eq!(average_precision(&[true, true, false]), 1.0);
        // Relevant at ranks 2 and 4: (1/2 + 2/4) / 2.
        assert_eq!(average_precision(&[false, true, false, true]), 0.5);
        assert!((average_precision(&[false, false, true]) - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(average_precision(&[false, false]), 0.0);
        assert_eq!(average_precision(&[]), 0.0);
    }

    #[test]
    fn weighted_mean_weighs_by_counts() {
        assert_eq!(weighted_mean(&[1.0, 0.0], &[3, 1]), 0.75);
        assert_eq!(weighted_mean(&[1.0], &[0]), 0.0);
    }

    #[test]
    fn ap_at_3_is_reciprocal_rank_within_3() {
        let r = ["Bark", "Meow", "Gong", "Cough"];
        assert_eq!(average_precision_at_k(&r, "Bark", 3), 1.0);
        assert_eq!(average_precision_at_k(&r, "Meow", 3), 0.5);
        assert!((average_precision_at_k(&r, "Gong", 3) - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(average_precision_at_k(&r, "Cough", 3), 0.0);
        assert_eq!(average_precision_at_k(&r, "Rain", 3), 0.0);
    }

    #[test]
    fn map_of_separable_clusters_is_one_and_of_swapped_labels_is_zero() {
        // Two clusters far apart; references and queries drawn near each.
        let refs = [0.0, 0.0, 0.1, 0.0, 10.0, 10.0, 10.1, 10.0];
        let ref_labels = ["Bark", "Bark", "Gong", "Gong"];
        let queries = [0.05, 0.05, 9.9, 10.0];
        let m = map_at(
            &queries,
            &["Bark", "Gong"],
            &refs,
            &ref_labels,
            2,
            2,
            3,
            Metric::ExpL2,
        );
        assert_eq!(m, 1.0);
        // With k = 4 both labels get votes: the true one still ranks first.
        let m = map_at(
            &queries,
            &["Bark", "Gong"],
            &refs,
            &ref_labels,
            2,
            4,
            3,
            Metric::ExpL2,
        );
        assert_eq!(m, 1.0);
        // Wrong truths: the true label is second -> 0.5 each.
        let m = map_at(
            &queries,
            &["Gong", "Bark"],
            &refs,
            &ref_labels,
            2,
            4,
            3,
            Metric::ExpL2,
        );
        assert_eq!(m, 0.5);
        // With k = 2 the wrong label never appears.
        let m = map_at(
            &queries,
            &["Gong", "Bark"],
            &refs,
            &ref_labels,
            2,
            2,
            3,
            Metric::ExpL2,
        );
        assert_eq!(m, 0.0);
    }

    #[test]
    fn ceiling_is_reached_by_a_perfect_ranking_and_capped_by_small_classes() {
        // One Bark reference far away, three Gongs near the query whose truth is Bark.
        let refs = [5.0, 5.0, 0.0, 0.0, 0.1, 0.0, 0.0, 0.1];
        let ref_labels = ["Bark", "Gong", "Gong", "Gong"];
        let q = [0.0, 0.0];
        let args = |k| (&q[..], &["Bark"][..], &refs[..], &ref_labels[..], 2, k, 3);
        let (qs, ql, r, rl, d, k, at) = args(3);
        assert_eq!(map_at(qs, ql, r, rl, d, k, at, Metric::ExpL2), 0.0);
        // Moved first, Bark still loses the vote 1 : 2 and ranks second.
        assert_eq!(ceiling_map_at(qs, ql, r, rl, d, k, at, Metric::ExpL2), 0.5);
        // With one voter the ceiling is 1; with all four Gong outvotes Bark 3 : 1.
        let (qs, ql, r, rl, d, k, at) = args(1);
        assert_eq!(ceiling_map_at(qs, ql, r, rl, d, k, at, Metric::ExpL2), 1.0);
        let (qs, ql, r, rl, d, k, at) = args(4);
        assert_eq!(ceiling_map_at(qs, ql, r, rl, d, k, at, Metric::ExpL2), 0.5);
        // Gong queries are already perfect: the ceiling equals the score.
        let gong = ["Gong"];
        assert_eq!(
            ceiling_map_at(&q, &gong, &refs, &ref_labels, 2, 3, 3, Metric::ExpL2),
            1.0
        );
        assert_eq!(
            map_at(&q, &gong, &refs, &ref_labels, 2, 3, 3, Metric::ExpL2),
            1.0
        );
    }

    #[test]
    fn chance_levels_for_41_classes() {
        assert!((chance(41) - 0.024).abs() < 1e-3);
        assert_eq!(chance(0), 0.0);
    }
}
