//! What a batch job says to the person running it, on stderr (stdout is data): notes, the
//! question before a costly job, and a progress bar with its ETA, the last two only on a
//! terminal. Everything said passes through `sanitize::line`, as it may carry API text.

use std::io::{self, BufRead, IsTerminal, Write};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

#[derive(Clone, Copy, Debug)]
pub struct Talk {
    /// Stderr is a terminal: a progress bar is drawn there.
    pub terminal: bool,
    /// Someone can answer a question: stdin and stderr are both terminals.
    pub can_ask: bool,
}

impl Talk {
    pub fn new() -> Talk {
        let terminal = io::stderr().is_terminal();
        Talk {
            terminal,
            can_ask: terminal && io::stdin().is_terminal(),
        }
    }

    /// One line on stderr, whoever reads it (a terminal, or a cron job's log).
    pub fn say(&self, line: &str) {
        eprintln!("{}", crate::sanitize::line(line));
    }

    /// `question [y/N]`, answered on stdin; anything but yes is no.
    pub fn ask(&self, question: &str) -> bool {
        eprint!("{} [y/N] ", crate::sanitize::line(question));
        let _ = io::stderr().flush();
        let mut answer = String::new();
        if io::stdin().lock().read_line(&mut answer).is_err() {
            return false;
        }
        matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes")
    }

    /// A bar of `len` `unit`s from `done`, with the rate and the time left; hidden when
    /// stderr is not a terminal.
    pub fn bar(&self, len: u64, done: u64, unit: &str) -> ProgressBar {
        if !self.terminal {
            return ProgressBar::hidden();
        }
        let template = format!(
            "{{bar:30.cyan/blue}} {{human_pos}}/{{human_len}} {unit} · {{rate}} · {{left}} {{msg}}"
        );
        let style = ProgressStyle::with_template(&template)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .with_key("rate", |s: &ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = match s.per_sec() {
                    r if r < 10.0 => write!(w, "{r:.1}/s"),
                    r => write!(w, "{r:.0}/s"),
                };
            })
            .with_key("left", |s: &ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = if s.per_sec() > 0.0 {
                    write!(w, "{} left", super::cost::duration_words(s.eta()))
                } else {
                    write!(w, "starting")
                };
            })
            .progress_chars("█▉▊▋▌▍▎▏ ");
        let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::hidden())
            .with_style(style);
        // The estimator sees the resumed start, then forgets it (all before the first frame):
        // the rate is this run's, not one that counts the contacts done before as instant.
        bar.set_position(done);
        bar.reset_eta();
        bar.set_draw_target(ProgressDrawTarget::stderr());
        bar.enable_steady_tick(Duration::from_millis(250));
        bar
    }
}

impl Default for Talk {
    fn default() -> Self {
        Talk::new()
    }
}
