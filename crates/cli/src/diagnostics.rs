//! Messages about bad input and skipped files on stderr, capped so a broken file cannot flood
//! the terminal; the run summary always carries the full counts.

/// How many bad-record messages are printed before the rest are only counted.
const MAX_BAD_LINES: u64 = 100;
/// How many skip notices are printed before the rest are only counted.
const MAX_NOTICES: u64 = 20;

/// Writes diagnostics to stderr.
#[derive(Debug, Default)]
pub struct Diagnostics {
    bad_lines: u64,
    notices: u64,
    quiet: bool,
}

impl Diagnostics {
    /// Diagnostics that print (unless `quiet`, which keeps only the counts).
    pub fn new(quiet: bool) -> Self {
        Diagnostics {
            quiet,
            ..Default::default()
        }
    }

    /// Reports a bad record or input.
    pub fn bad_line(&mut self, message: &str) {
        self.bad_lines += 1;
        if self.quiet {
            return;
        }
        if self.bad_lines <= MAX_BAD_LINES {
            eprintln!("r53guard: bad input: {message}");
        } else if self.bad_lines == MAX_BAD_LINES + 1 {
            eprintln!(
                "r53guard: more bad input not shown; the summary counts it all (use --strict to stop at the first)"
            );
        }
    }

    /// Reports something passed over on purpose.
    pub fn notice(&mut self, message: &str) {
        self.notices += 1;
        if self.quiet {
            return;
        }
        if self.notices <= MAX_NOTICES {
            eprintln!("r53guard: {message}");
        } else if self.notices == MAX_NOTICES + 1 {
            eprintln!("r53guard: more skipped files not shown; the summary counts them");
        }
    }
}
