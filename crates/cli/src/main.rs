//! `earshot`: the command line of earshot (CONTRACT §2).
//!
//! Exit status: 0 on success; 2 on bad input or usage, with one line on stderr naming the file or
//! argument and the reason. Never a panic or a backtrace.

mod decode;
mod mfcc;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Cross-modal audio search: audio and words in one space.
#[derive(Debug, Parser)]
#[command(name = "earshot", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// MFCCs of an audio file (WAV, FLAC, Ogg Vorbis, MP3), computed as in the app.
    Mfcc {
        /// The audio file.
        file: PathBuf,
        /// Print {"sample_rate", "n_mfcc", "frames": [[100 floats], ...]} instead of a summary.
        #[arg(long)]
        json: bool,
    },
}

/// A failure to report: one line, `subject: reason`.
#[derive(Debug)]
pub struct Failure {
    pub subject: String,
    pub reason: String,
}

impl Failure {
    pub fn new(subject: impl Into<String>, reason: impl std::fmt::Display) -> Self {
        Self {
            subject: subject.into(),
            reason: reason.to_string(),
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Keep it on one line whatever the reason text holds.
        let reason = self.reason.split_whitespace().collect::<Vec<_>>().join(" ");
        write!(f, "{}: {}", self.subject, reason)
    }
}

fn main() -> ExitCode {
    // A panic would be a bug; still, report it on one line instead of a backtrace.
    std::panic::set_hook(Box::new(|info| {
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown".into());
        eprintln!("earshot: internal error: {}", msg.replace('\n', " "));
    }));

    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(e),
    };
    let result = match cli.command {
        Command::Mfcc { file, json } => mfcc::run(&file, json),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("earshot: {f}");
            ExitCode::from(2)
        }
    }
}

/// clap's help and version go to stdout with status 0; its errors become one line and status 2.
fn usage_error(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        let _ = write!(std::io::stdout(), "{e}");
        return ExitCode::SUCCESS;
    }
    if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
        eprintln!("earshot: missing command (try `earshot --help`)");
        return ExitCode::from(2);
    }
    let text = e.to_string();
    let first = text.lines().next().unwrap_or("invalid arguments");
    let first = first.strip_prefix("error: ").unwrap_or(first);
    eprintln!("earshot: {first} (try `earshot --help`)");
    ExitCode::from(2)
}

/// Write to stdout; a closed pipe (`earshot ... | head`) ends quietly.
pub fn emit(f: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<(), Failure> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match f(&mut out).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::new("stdout", e)),
    }
}
