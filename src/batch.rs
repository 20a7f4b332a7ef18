//! Bookkeeping of a batch of files being added to the library: counts, failures and the
//! estimated time left. Plain Rust (the page owns one while indexing).

/// Embedded sounds are stored in groups of this many (one IndexedDB transaction each).
pub const STORE_EVERY: usize = 25;

#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    pub total: usize,
    pub done: usize,
    /// (file name, reason) of every file that could not be added.
    pub failed: Vec<(String, String)>,
    started_ms: f64,
}

impl Batch {
    pub fn new(total: usize, now_ms: f64) -> Self {
        Self {
            total,
            done: 0,
            failed: Vec::new(),
            started_ms: now_ms,
        }
    }

    /// More files joined the running batch.
    pub fn grow(&mut self, n: usize) {
        self.total += n;
    }

    pub fn succeeded(&mut self) {
        self.done = (self.done + 1).min(self.total);
    }

    pub fn failed(&mut self, name: &str, reason: &str) {
        self.failed.push((name.to_owned(), reason.to_owned()));
        self.succeeded();
    }

    /// Files not yet processed are dropped; `in_flight` ones still finish.
    pub fn cancel(&mut self, in_flight: usize) {
        self.total = self.done + in_flight;
    }

    pub fn finished(&self) -> bool {
        self.done >= self.total
    }

    /// Seconds left at the rate so far (None before the first file is done).
    pub fn eta_seconds(&self, now_ms: f64) -> Option<f64> {
        if self.done == 0 || self.finished() {
            return None;
        }
        let per_file = (now_ms - self.started_ms).max(0.0) / 1000.0 / self.done as f64;
        Some(per_file * (self.total - self.done) as f64)
    }

    /// "12 of 20 sounds · about 3 s left"
    pub fn text(&self, now_ms: f64) -> String {
        let eta = match self.eta_seconds(now_ms) {
            Some(s) if s < 1.0 => " · less than a second left".to_owned(),
            Some(s) if s < 90.0 => format!(" · about {:.0} s left", s.ceil()),
            Some(s) => format!(" · about {:.0} min left", (s / 60.0).ceil()),
            None => String::new(),
        };
        format!("{} of {} sounds{eta}", self.done, self.total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_failures_and_estimates_time_left() {
        let mut b = Batch::new(10, 0.0);
        assert_eq!(b.eta_seconds(500.0), None);
        assert_eq!(b.text(0.0), "0 of 10 sounds");
        b.succeeded();
        b.failed("bad.wav", "not audio");
        // 2 files in 4 s: 8 left take 16 s.
        assert_eq!(b.eta_seconds(4000.0), Some(16.0));
        assert_eq!(b.text(4000.0), "2 of 10 sounds · about 16 s left");
        assert_eq!(
            b.failed,
            vec![("bad.wav".to_string(), "not audio".to_string())]
        );
        b.grow(5);
        assert_eq!(b.total, 15);
        b.cancel(1);
        assert_eq!(b.total, 3);
        assert!(!b.finished());
        b.succeeded();
        assert!(b.finished());
        assert_eq!(b.eta_seconds(9000.0), None);
        b.succeeded();
        assert_eq!(b.done, 3, "never more than the total");
    }

    #[test]
    fn long_batches_count_minutes() {
        let mut b = Batch::new(1000, 0.0);
        b.succeeded();
        assert_eq!(b.text(1000.0), "1 of 1000 sounds · about 17 min left");
    }
}
