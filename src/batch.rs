//! Bookkeeping of a batch of files being added to the library: counts, failures and the
//! estimated time left. Plain Rust (the page owns one while indexing).

/// Embedded sounds are stored in groups of this many (one IndexedDB transaction each).
pub const STORE_EVERY: usize = 25;

/// Files each indexing worker is given at once: it starts the next as soon as it answers one,
/// instead of idling until the page has read its answer and sent more (measured in headless
/// Chromium on 2 cores, student model, 200 two-second files: 41 → 48 files/s with one worker).
pub const IN_FLIGHT: usize = 2;

/// Indexing workers for a browser reporting `cores` logical cores: one per core, 1 to 4. Not one
/// fewer for the page: while files are indexed its thread only stores and redraws progress, and
/// a second worker on 2 cores took the same batch from 48 to 61–69 files/s.
pub fn workers_for(cores: f64) -> usize {
    if cores.is_finite() && cores >= 1.0 {
        (cores as usize).min(4)
    } else {
        1
    }
}

/// File name extensions of sounds earshot can read (its own decoder, or the browser's).
const SOUND_EXTENSIONS: [&str; 14] = [
    "wav", "wave", "flac", "ogg", "oga", "opus", "mp3", "m4a", "aac", "aif", "aiff", "aifc",
    "webm", "caf",
];

/// Whether a file found inside a folder is worth trying as a sound: not hidden, and an audio MIME
/// type or a sound file extension. (Files chosen or dropped one by one are always tried.)
pub fn is_sound_file(name: &str, mime: &str) -> bool {
    if name.starts_with('.') {
        return false;
    }
    if mime.starts_with("audio/") {
        return true;
    }
    name.rsplit_once('.')
        .is_some_and(|(_, ext)| SOUND_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str()))
}

/// "Skipped 2 files that are not sounds: cover.jpg, notes.txt." (at most `shown` names).
pub fn skipped_text(names: &[String], shown: usize) -> String {
    match names.len() {
        0 => String::new(),
        n => {
            let mut list = names
                .iter()
                .take(shown)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ");
            if n > shown {
                list.push_str(&format!(" and {} more", n - shown));
            }
            let files = if n == 1 {
                "file that is not a sound"
            } else {
                "files that are not sounds"
            };
            format!("Skipped {n} {files}: {list}.")
        }
    }
}

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
    fn one_indexing_worker_per_core_up_to_four() {
        assert_eq!(workers_for(2.0), 2);
        assert_eq!(workers_for(1.0), 1);
        assert_eq!(workers_for(16.0), 4);
        assert_eq!(workers_for(0.0), 1, "a browser that reports no cores");
        assert_eq!(workers_for(f64::NAN), 1);
    }

    #[test]
    fn long_batches_count_minutes() {
        let mut b = Batch::new(1000, 0.0);
        b.succeeded();
        assert_eq!(b.text(1000.0), "1 of 1000 sounds · about 17 min left");
    }

    #[test]
    fn folder_contents_are_filtered_to_sounds() {
        assert!(is_sound_file("rain.WAV", ""));
        assert!(is_sound_file("take 3.flac", "audio/flac"));
        assert!(
            is_sound_file("voice", "audio/webm"),
            "an audio MIME type without extension"
        );
        assert!(is_sound_file("memo.m4a", ""));
        assert!(!is_sound_file("cover.jpg", "image/jpeg"));
        assert!(!is_sound_file("notes.txt", "text/plain"));
        assert!(!is_sound_file(".DS_Store", ""));
        assert!(
            !is_sound_file("._rain.wav", "audio/wav"),
            "macOS resource forks are hidden files"
        );
        assert!(!is_sound_file("README", ""));
        assert!(!is_sound_file("wav", ""), "a bare word is not an extension");
    }

    #[test]
    fn skipped_files_are_summarised() {
        assert_eq!(skipped_text(&[], 3), "");
        assert_eq!(
            skipped_text(&["cover.jpg".into()], 3),
            "Skipped 1 file that is not a sound: cover.jpg."
        );
        let names: Vec<String> = (1..=5).map(|i| format!("f{i}.txt")).collect();
        assert_eq!(
            skipped_text(&names, 3),
            "Skipped 5 files that are not sounds: f1.txt, f2.txt, f3.txt and 2 more."
        );
    }
}
