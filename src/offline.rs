//! Offline use as the page shows it: the service worker's messages and what they mean for the
//! user. Plain Rust, tested natively; the browser glue is `src/page/sw.rs`.

/// Where offline use stands, as the footer shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Offline {
    /// No service worker (unsupported, or not yet registered).
    #[default]
    Unavailable,
    /// The first service worker is caching the app.
    Preparing,
    /// A service worker controls the page: it reloads offline.
    Ready,
    /// Registration or caching failed; the page still works online.
    Failed,
}

impl Offline {
    pub fn as_str(self) -> &'static str {
        match self {
            Offline::Unavailable => "unavailable",
            Offline::Preparing => "preparing",
            Offline::Ready => "ready",
            Offline::Failed => "failed",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            Offline::Unavailable => "",
            Offline::Preparing => "Saving earshot for offline use…",
            Offline::Ready => "earshot works offline.",
            Offline::Failed => "Offline use is not available in this browser window.",
        }
    }
}

/// Progress of "make all previews available offline", as the service worker reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PreviewProgress {
    pub done: u32,
    pub failed: u32,
    pub total: u32,
    pub finished: bool,
}

impl PreviewProgress {
    pub fn message(&self) -> String {
        let saved = self.done.saturating_sub(self.failed);
        if !self.finished {
            format!(
                "Saving previews for offline use: {} of {}…",
                self.done, self.total
            )
        } else if self.failed == 0 {
            format!("All {} previews are available offline.", group(self.total))
        } else {
            format!(
                "{} of {} previews are available offline; {} could not be saved (offline or out of storage). Try again to fetch the rest.",
                group(saved),
                group(self.total),
                group(self.failed)
            )
        }
    }
}

/// A message from the service worker, from its `type` field and numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkerNote {
    Previews(PreviewProgress),
}

impl WorkerNote {
    /// `number(name)` reads one numeric field of the message (booleans as 0 or 1).
    pub fn parse(kind: &str, number: impl Fn(&str) -> Option<f64>) -> Option<Self> {
        let count = |name: &str| {
            number(name)
                .filter(|v| v.is_finite() && *v >= 0.0 && *v <= f64::from(u32::MAX))
                .map(|v| v as u32)
        };
        match kind {
            "previews-progress" => Some(WorkerNote::Previews(PreviewProgress {
                done: count("done")?,
                failed: count("failed")?,
                total: count("total")?,
                finished: number("finished").is_some_and(|v| v != 0.0),
            })),
            _ => None,
        }
    }
}

/// 1723 → "1,723".
fn group(n: u32) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(kind: &str, fields: &[(&str, f64)]) -> Option<WorkerNote> {
        WorkerNote::parse(kind, |k| {
            fields.iter().find(|(n, _)| *n == k).map(|(_, v)| *v)
        })
    }

    #[test]
    fn progress_messages_read_like_sentences() {
        let mut p = PreviewProgress {
            done: 50,
            failed: 0,
            total: 1723,
            finished: false,
        };
        assert_eq!(p.message(), "Saving previews for offline use: 50 of 1723…");
        p.done = 1723;
        p.finished = true;
        assert_eq!(p.message(), "All 1,723 previews are available offline.");
        p.failed = 3;
        assert!(p
            .message()
            .starts_with("1,720 of 1,723 previews are available offline; 3 could not"));
    }

    #[test]
    fn worker_messages_parse_or_are_ignored() {
        let note = parse(
            "previews-progress",
            &[
                ("done", 10.0),
                ("failed", 1.0),
                ("total", 20.0),
                ("finished", 1.0),
            ],
        );
        assert_eq!(
            note,
            Some(WorkerNote::Previews(PreviewProgress {
                done: 10,
                failed: 1,
                total: 20,
                finished: true
            }))
        );
        // Missing or nonsensical numbers: not a progress report.
        assert_eq!(parse("previews-progress", &[("done", 1.0)]), None);
        assert_eq!(
            parse(
                "previews-progress",
                &[("done", -1.0), ("failed", 0.0), ("total", 2.0)]
            ),
            None
        );
        assert_eq!(
            parse(
                "previews-progress",
                &[("done", f64::NAN), ("failed", 0.0), ("total", 2.0)]
            ),
            None
        );
        assert_eq!(parse("something-else", &[]), None);
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(group(0), "0");
        assert_eq!(group(999), "999");
        assert_eq!(group(1000), "1,000");
        assert_eq!(group(1234567), "1,234,567");
    }
}
