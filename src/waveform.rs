//! The query's waveform as drawn: the min and max of the signal per column. The worker reduces
//! the mono signal the model heard to at most [`COLUMNS`] columns ([`envelope`]) and sends only
//! those; the page reduces them to its canvas's pixel columns ([`columns`]), again on every
//! resize. On a canvas [`COLUMNS`] device pixels wide, or for a signal of at most [`COLUMNS`]
//! samples, that is exactly [`column_extents`] of the signal (what the page drew from the
//! samples before); otherwise each pixel column's slice of the signal moves by less than one
//! envelope column (10 s at 44.1 kHz: 108 samples, 2.4 ms).

/// The lowest and the highest value of a column.
pub type Extent = (f32, f32);

/// How many columns the worker sends at most: wider than the widest canvas likely (a 1 365 CSS
/// pixel wide plot at 3 device pixels per CSS pixel), 32 KiB as f32 pairs.
pub const COLUMNS: usize = 4096;

/// Min and max of `y` for each of `columns` equal slices (no samples at all give (0, 0)).
pub fn column_extents(y: &[f32], columns: usize) -> Vec<Extent> {
    reduce(y, columns, |v| (v, v))
}

/// What the worker sends for signal `y`: its extents over [`COLUMNS`] columns, or one per sample
/// when it is shorter (empty for no samples).
pub fn envelope(y: &[f32]) -> Vec<Extent> {
    column_extents(y, y.len().min(COLUMNS))
}

/// The `envelope` reduced to `columns` equal slices, sliced as [`column_extents`] slices a signal:
/// the min of their mins and the max of their maxes.
pub fn columns(envelope: &[Extent], columns: usize) -> Vec<Extent> {
    reduce(envelope, columns, |e| e)
}

/// Extents as one flat array (lo, hi, lo, hi, …), how they travel between threads.
pub fn flatten(extents: &[Extent]) -> Vec<f32> {
    extents.iter().flat_map(|&(lo, hi)| [lo, hi]).collect()
}

/// [`flatten`]'s array as extents again (a trailing odd value is dropped).
pub fn pairs(flat: &[f32]) -> Vec<Extent> {
    flat.chunks_exact(2).map(|p| (p[0], p[1])).collect()
}

/// For each of `columns` equal slices of `v`, the min and max of its items' extents (`extent`).
fn reduce<T: Copy>(v: &[T], columns: usize, extent: impl Fn(T) -> Extent) -> Vec<Extent> {
    let n = v.len();
    if n == 0 {
        return vec![(0.0, 0.0); columns];
    }
    let per = columns.max(1);
    (0..columns)
        .map(|c| {
            // With fewer items than columns, a slice is the one item it falls on.
            let a = c * n / per;
            let b = ((c + 1) * n / per).max(a + 1).min(n);
            v[a..b]
                .iter()
                .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &x| {
                    let (l, h) = extent(x);
                    (lo.min(l), hi.max(h))
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A signal with every kind of column: rises, falls, spikes.
    fn signal(n: usize) -> Vec<f32> {
        (0..n)
            .map(|i| {
                let t = i as f32;
                (t * 0.013).sin() * 0.6 + if i % 997 == 0 { 0.35 } else { 0.0 }
            })
            .collect()
    }

    #[test]
    fn extents_cover_all_samples() {
        let y = [0.0, 1.0, -1.0, 0.5];
        assert_eq!(column_extents(&y, 2), vec![(0.0, 1.0), (-1.0, 0.5)]);
        assert_eq!(column_extents(&[0.25], 3), vec![(0.25, 0.25); 3]);
        assert_eq!(column_extents(&[], 2), vec![(0.0, 0.0); 2]);
    }

    #[test]
    fn the_envelope_has_at_most_its_columns_and_keeps_short_signals_whole() {
        assert_eq!(envelope(&[]), vec![]);
        assert_eq!(envelope(&[0.5, -0.25]), vec![(0.5, 0.5), (-0.25, -0.25)]);
        let long = signal(441_000);
        let e = envelope(&long);
        assert_eq!(e.len(), COLUMNS);
        assert_eq!(e, column_extents(&long, COLUMNS));
    }

    #[test]
    fn drawn_from_the_envelope_is_drawn_from_the_samples_when_it_can_be_exact() {
        // Shorter than the envelope: every width, exactly.
        for n in [1, 2, 3, 551, 4095, COLUMNS] {
            let y = signal(n);
            for w in [1, 2, 7, 300, 1280, COLUMNS, 5000] {
                assert_eq!(
                    columns(&envelope(&y), w),
                    column_extents(&y, w),
                    "{n} samples, {w} columns"
                );
            }
        }
        // Longer: exactly on a canvas as wide as the envelope.
        let y = signal(441_000);
        assert_eq!(columns(&envelope(&y), COLUMNS), column_extents(&y, COLUMNS));
    }

    #[test]
    fn otherwise_a_column_moves_by_less_than_one_envelope_column() {
        // A ramp: a column's extent is the first and last sample of its slice, so the difference
        // is how far the slice's ends moved.
        let n = 441_000;
        let y: Vec<f32> = (0..n).map(|i| i as f32).collect();
        let step = (n / COLUMNS + 1) as f32;
        for w in [300, 1280, 2000, 5000] {
            let drawn = columns(&envelope(&y), w);
            let exact = column_extents(&y, w);
            assert_eq!(drawn.len(), w);
            for (c, (d, e)) in drawn.iter().zip(&exact).enumerate() {
                assert!(
                    (d.0 - e.0).abs() <= step && (d.1 - e.1).abs() <= step,
                    "{w} columns, column {c}: {d:?} against {e:?}"
                );
            }
        }
    }

    #[test]
    fn extents_travel_flat() {
        let e = vec![(-0.5, 0.25), (0.0, 1.0)];
        assert_eq!(flatten(&e), vec![-0.5, 0.25, 0.0, 1.0]);
        assert_eq!(pairs(&flatten(&e)), e);
        assert_eq!(pairs(&[1.0, 2.0, 3.0]), vec![(1.0, 2.0)]);
    }
}
