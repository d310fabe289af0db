//! What the network side shows on stderr while it works: a spinner with the look-ups done and
//! planned, and, while a host's rate limit holds palisade back, what it waits for and how long.
//! Hidden when stderr is not a terminal or with `--quiet`, so CI logs and pipes stay clean.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A handle on the one progress line (cheap to clone; all clones draw the same line).
#[derive(Clone, Debug)]
pub struct Progress {
    bar: ProgressBar,
}

impl Default for Progress {
    fn default() -> Self {
        Progress::hidden()
    }
}

impl Progress {
    /// Draws nothing (tests, library callers, `--quiet`).
    pub fn hidden() -> Self {
        Progress {
            bar: ProgressBar::hidden(),
        }
    }

    /// On stderr when `wanted` (not `--quiet`) and stderr is a terminal; hidden otherwise.
    pub fn stderr(wanted: bool) -> Self {
        if !wanted || !std::io::stderr().is_terminal() {
            return Progress::hidden();
        }
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        if let Ok(style) =
            ProgressStyle::with_template("{spinner} online: {pos}/{len} look-ups [{elapsed}] {msg}")
        {
            bar.set_style(style);
        }
        bar.enable_steady_tick(Duration::from_millis(200));
        Progress { bar }
    }

    pub fn is_hidden(&self) -> bool {
        self.bar.is_hidden()
    }

    /// `n` more look-ups are on their way.
    pub fn plan(&self, n: usize) {
        self.bar.inc_length(n as u64);
    }

    /// `n` look-ups finished (answered or failed).
    pub fn done(&self, n: usize) {
        self.bar.inc(n as u64);
    }

    /// Shows why nothing moves (see [`wait_message`]) until [`Progress::resume`].
    pub fn waiting(&self, why: String) {
        self.bar.set_message(why);
    }

    /// What the line says besides the counts (empty unless something holds the work back).
    pub fn message(&self) -> String {
        self.bar.message()
    }

    /// Look-ups (done, planned) so far.
    pub fn counts(&self) -> (u64, u64) {
        (self.bar.position(), self.bar.length().unwrap_or(0))
    }

    pub fn resume(&self) {
        self.bar.set_message("");
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// Why a request to `host` waits, for the progress line.
pub fn wait_message(host: &str, wait: Duration, cause: &WaitCause) -> String {
    let how_long = human(wait);
    match cause {
        WaitCause::ServerAsked => {
            format!(
                "waiting {how_long}: {host} asked palisade to slow down (HTTP 429 / Retry-After)"
            )
        }
        WaitCause::Budget {
            limit,
            window,
            announced,
        } => format!(
            "waiting {how_long} for the rate limit of {host} ({limit} requests per {}{})",
            human(*window),
            if *announced {
                ""
            } else {
                ", assumed: the server announces none"
            }
        ),
    }
}

/// What holds a host back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WaitCause {
    /// A 429 or a `Retry-After` told palisade when to come back.
    ServerAsked,
    /// The request budget of the window is spent.
    Budget {
        limit: u32,
        window: Duration,
        /// The server announced the limit (else it is palisade's default).
        announced: bool,
    },
}

/// `4 min 12 s`, `12 s`, `0.4 s`: waits are read by people, not parsed.
pub fn human(d: Duration) -> String {
    let secs = d.as_secs();
    if secs >= 60 {
        let (m, s) = (secs / 60, secs % 60);
        if s == 0 {
            format!("{m} min")
        } else {
            format!("{m} min {s} s")
        }
    } else if secs >= 1 {
        format!("{secs} s")
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_say_what_for_and_how_long() {
        let m = wait_message(
            "mastodon.social",
            Duration::from_secs(252),
            &WaitCause::Budget {
                limit: 300,
                window: Duration::from_secs(300),
                announced: false,
            },
        );
        assert_eq!(m, "waiting 4 min 12 s for the rate limit of mastodon.social (300 requests per 5 min, assumed: the server announces none)");
        let m = wait_message(
            "haveibeenpwned.com",
            Duration::from_millis(2500),
            &WaitCause::ServerAsked,
        );
        assert!(
            m.starts_with("waiting 2 s: haveibeenpwned.com asked"),
            "{m}"
        );
        assert_eq!(human(Duration::from_millis(400)), "0.4 s");
    }

    #[test]
    fn quiet_hides_it() {
        // Not a terminal is covered end to end in tests/online_network.rs (stderr is a pipe).
        assert!(Progress::stderr(false).is_hidden());
    }
}
