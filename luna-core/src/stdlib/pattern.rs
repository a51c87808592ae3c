//! The Lua pattern-matching engine behind `string.find`, `string.match`,
//! `string.gmatch` and `string.gsub`. This module owns the matcher itself
//! (single characters, classes such as `%a` with C-locale semantics, sets,
//! quantifiers, anchors, captures, back references, `%b` and `%f`), the
//! scanning loops of `find` and of `gmatch`/`gsub` (including Lua 5.4's
//! rule that an empty match may not end where the previous match ended),
//! the plain substring search, and the expansion of `%0`-`%9` in `gsub`
//! replacement strings. It works on byte slices and offsets only; the string
//! library converts the results to Lua values. Recursion is bounded by
//! PUC-Rio's limit of 200 nested `match` calls, and an optional step budget
//! bounds the total work of hostile patterns.

use std::fmt;

/// The maximum number of captures in one pattern (PUC-Rio's
/// `LUA_MAXCAPTURES`).
pub const MAX_CAPTURES: usize = 32;

/// The maximum nesting of the recursive matcher (PUC-Rio's `MAXCCALLS`).
pub const MAX_DEPTH: usize = 200;

/// The characters that make a pattern need the matcher rather than a plain
/// substring search (PUC-Rio's `SPECIALS`).
const SPECIALS: &[u8] = b"^$*+?.([%-";

/// An error raised by the matcher. All of them are plain errors in PUC-Rio
/// (`luaL_error`), so the driver raises [`PatternError::message`] as the
/// error message (prefixed with position information as `luaL_error` does).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PatternError {
    /// The pattern ends with a lone '%'.
    EndsWithPercent,
    /// A set `[...]` has no closing ']'.
    MissingBracket,
    /// `%b` is not followed by two characters.
    MissingBalanceArgs,
    /// `%f` is not followed by a set.
    MissingFrontierBracket,
    /// A back reference or replacement names a capture that does not exist
    /// (or is still open); the number is the index as written, 0 to 9.
    InvalidCaptureIndex(usize),
    /// A ')' closes no open capture.
    InvalidPatternCapture,
    /// A capture was still open when its value was requested.
    UnfinishedCapture,
    /// The pattern opens more than [`MAX_CAPTURES`] captures.
    TooManyCaptures,
    /// The matcher nested more than [`MAX_DEPTH`] calls.
    TooComplex,
    /// The optional step budget was exhausted (luna's own limit; PUC-Rio
    /// has no equivalent).
    StepLimit,
    /// A replacement string has '%' followed by something other than a
    /// digit or '%'.
    InvalidReplacement,
    /// A checkpoint stopped the match (the error it raised is reported by
    /// whoever installed it).
    Interrupted,
}

impl PatternError {
    /// Returns the error message exactly as PUC-Rio Lua 5.4.8 words it.
    pub fn message(&self) -> String {
        match self {
            PatternError::EndsWithPercent => "malformed pattern (ends with '%')".into(),
            PatternError::MissingBracket => "malformed pattern (missing ']')".into(),
            PatternError::MissingBalanceArgs => "malformed pattern (missing arguments to '%b')".into(),
            PatternError::MissingFrontierBracket => "missing '[' after '%f' in pattern".into(),
            PatternError::InvalidCaptureIndex(n) => format!("invalid capture index %{n}"),
            PatternError::InvalidPatternCapture => "invalid pattern capture".into(),
            PatternError::UnfinishedCapture => "unfinished capture".into(),
            PatternError::TooManyCaptures => "too many captures".into(),
            PatternError::TooComplex => "pattern too complex".into(),
            PatternError::StepLimit => "pattern too complex (step limit exceeded)".into(),
            PatternError::InvalidReplacement => "invalid use of '%' in replacement string".into(),
            PatternError::Interrupted => "interrupted".into(),
        }
    }
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for PatternError {}

/// The value of one capture, as the string library hands it to Lua.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Capture {
    /// A substring, given as start and end byte offsets into the subject
    /// (end exclusive).
    Range(usize, usize),
    /// A position capture `()`, given as the 1-based position Lua returns.
    Position(usize),
}

/// The length field of a capture slot while matching.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CapLen {
    /// The capture has been opened but not yet closed.
    Unfinished,
    /// The capture is a position capture.
    Position,
    /// The capture is closed and spans this many bytes.
    Len(usize),
}

/// One capture slot: where it starts in the subject and its length state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct RawCapture {
    init: usize,
    len: CapLen,
}

const EMPTY_CAPTURE: RawCapture = RawCapture { init: 0, len: CapLen::Unfinished };

/// The captures recorded by one successful match. Their values are only
/// checked when they are requested, as in PUC-Rio, where a capture left
/// open by the pattern ("unfinished capture") is an error only when its
/// value is pushed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Captures {
    level: usize,
    caps: [RawCapture; MAX_CAPTURES],
}

impl Captures {
    /// Returns the number of captures the pattern opened (finished or not).
    pub fn len(&self) -> usize {
        self.level
    }

    /// Tells whether the pattern had no captures.
    pub fn is_empty(&self) -> bool {
        self.level == 0
    }

    /// Returns capture `i` (0-based), as PUC-Rio's `get_onecapture`: when
    /// the pattern has no captures, index 0 stands for the whole match
    /// `whole` (start and end offsets); any other missing index is
    /// "invalid capture index %(i+1)"; an open capture is "unfinished
    /// capture".
    pub fn get(&self, i: usize, whole: (usize, usize)) -> Result<Capture, PatternError> {
        if i >= self.level {
            if i != 0 {
                return Err(PatternError::InvalidCaptureIndex(i + 1));
            }
            return Ok(Capture::Range(whole.0, whole.1));
        }
        let cap = self.caps[i];
        match cap.len {
            CapLen::Unfinished => Err(PatternError::UnfinishedCapture),
            CapLen::Position => Ok(Capture::Position(cap.init + 1)),
            CapLen::Len(n) => Ok(Capture::Range(cap.init, cap.init + n)),
        }
    }

    /// Returns the values the string library pushes for a match, as
    /// PUC-Rio's `push_captures`: all captures, or the whole match as a
    /// single value when the pattern has none and `whole` is given
    /// (`string.match`, `gmatch`, and function replacements of `gsub`).
    /// `string.find` passes `None`, so that a capture-less pattern adds no
    /// values after the two positions.
    pub fn values(&self, whole: Option<(usize, usize)>) -> Result<Vec<Capture>, PatternError> {
        match whole {
            Some(w) if self.level == 0 => Ok(vec![Capture::Range(w.0, w.1)]),
            _ => (0..self.level).map(|i| self.get(i, (0, 0))).collect(),
        }
    }
}

/// A successful match: the byte offsets of the matched text (end
/// exclusive) and the captures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Match {
    /// The offset where the match starts.
    pub start: usize,
    /// The offset just after the match.
    pub end: usize,
    /// The captures of the match.
    pub captures: Captures,
}

impl Match {
    /// Returns capture `i` with the whole match standing in for index 0
    /// when the pattern has no captures (see [`Captures::get`]).
    pub fn capture(&self, i: usize) -> Result<Capture, PatternError> {
        self.captures.get(i, (self.start, self.end))
    }

    /// Returns the values `string.match`, `gmatch` and function
    /// replacements receive: the captures, or the whole match.
    pub fn values(&self) -> Result<Vec<Capture>, PatternError> {
        self.captures.values(Some((self.start, self.end)))
    }
}

/// Tells whether `c` belongs to the class named by the letter `cl` (as in
/// `%a`), with the C locale's character classification; an upper-case
/// letter names the complement, and any other byte matches itself.
fn match_class(c: u8, cl: u8) -> bool {
    let res = match cl.to_ascii_lowercase() {
        b'a' => c.is_ascii_alphabetic(),
        b'c' => c.is_ascii_control(),
        b'd' => c.is_ascii_digit(),
        b'g' => c.is_ascii_graphic(),
        b'l' => c.is_ascii_lowercase(),
        b'p' => c.is_ascii_punctuation(),
        b's' => c == b' ' || (b'\t'..=b'\r').contains(&c),
        b'u' => c.is_ascii_uppercase(),
        b'w' => c.is_ascii_alphanumeric(),
        b'x' => c.is_ascii_hexdigit(),
        b'z' => c == 0,
        _ => return cl == c,
    };
    if cl.is_ascii_lowercase() {
        res
    } else {
        !res
    }
}

/// The state of the matcher over one subject and one pattern. It can be
/// reused for many match attempts (as `gmatch` and `gsub` do); the step
/// budget, when set, is shared by all attempts.
#[derive(Clone, Debug)]
pub struct Matcher<'a> {
    src: &'a [u8],
    pat: &'a [u8],
    depth: usize,
    level: usize,
    caps: [RawCapture; MAX_CAPTURES],
    max_steps: Option<u64>,
    steps: u64,
    /// Steps between two calls of the checkpoint, and the step count of
    /// the next call (`u64::MAX`: none).
    checkpoint_interval: u64,
    next_checkpoint: u64,
}

/// A callback the matcher runs every `checkpoint_interval` steps during a
/// match (see [`Matcher::set_checkpoint_interval`]); an error stops the
/// match and is returned by it. This is how a host's interrupt gets control
/// during a long match.
pub type Checkpoint<'c> = dyn FnMut() -> Result<(), PatternError> + 'c;

/// The checkpoint of matches run without one.
fn no_checkpoint() -> Result<(), PatternError> {
    Ok(())
}

impl<'a> Matcher<'a> {
    /// Creates a matcher for `pattern` over `subject`. The pattern is used
    /// as is: a leading '^' is an ordinary character here (as in
    /// `gmatch`); see [`Matcher::anchored`] for `find` and `gsub`.
    pub fn new(subject: &'a [u8], pattern: &'a [u8]) -> Matcher<'a> {
        Matcher {
            src: subject,
            pat: pattern,
            depth: MAX_DEPTH,
            level: 0,
            caps: [EMPTY_CAPTURE; MAX_CAPTURES],
            max_steps: None,
            steps: 0,
            checkpoint_interval: u64::MAX,
            next_checkpoint: u64::MAX,
        }
    }

    /// Creates a matcher after removing a leading '^' from `pattern`, and
    /// tells whether there was one (the anchor of `find`, `match` and
    /// `gsub`).
    pub fn anchored(subject: &'a [u8], pattern: &'a [u8]) -> (Matcher<'a>, bool) {
        match pattern.strip_prefix(b"^") {
            Some(rest) => (Matcher::new(subject, rest), true),
            None => (Matcher::new(subject, pattern), false),
        }
    }

    /// Sets the step budget: the total number of elementary matching steps
    /// (pattern items tried and subject bytes scanned) this matcher may
    /// spend over all its attempts before failing with
    /// [`PatternError::StepLimit`]. `None` (the default) means no limit.
    pub fn set_max_steps(&mut self, max_steps: Option<u64>) {
        self.max_steps = max_steps;
    }

    /// Returns the number of steps spent so far.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Sets how many steps pass between two calls of the checkpoint given
    /// to `match_at_with`, `find_with` and `MatchIter::next_match_with`
    /// (`None`: never).
    pub fn set_checkpoint_interval(&mut self, interval: Option<u64>) {
        self.checkpoint_interval = interval.unwrap_or(u64::MAX).max(1);
        self.next_checkpoint = self.steps.saturating_add(self.checkpoint_interval);
    }

    /// Tries to match the whole pattern at byte offset `pos` of the subject
    /// (PUC-Rio's `match` from a fresh state). Returns the match, `None`
    /// when the pattern does not match there (or `pos` is past the end), or
    /// the first error the matcher ran into.
    pub fn match_at(&mut self, pos: usize) -> Result<Option<Match>, PatternError> {
        self.match_at_with(pos, &mut no_checkpoint)
    }

    /// As `match_at`, running `cp` at the checkpoints.
    pub fn match_at_with(&mut self, pos: usize, cp: &mut Checkpoint<'_>) -> Result<Option<Match>, PatternError> {
        if pos > self.src.len() {
            return Ok(None);
        }
        self.level = 0;
        self.depth = MAX_DEPTH;
        let end = self.do_match(pos, 0, cp)?;
        Ok(end.map(|end| Match { start: pos, end, captures: Captures { level: self.level, caps: self.caps } }))
    }

    /// Searches for the first match starting at offset `init` or later, as
    /// PUC-Rio's `str_find_aux` does: one attempt per start position up to
    /// and including the end of the subject, or only at `init` when
    /// `anchor` is set. Returns `None` when `init` is past the end.
    pub fn find(&mut self, init: usize, anchor: bool) -> Result<Option<Match>, PatternError> {
        self.find_with(init, anchor, &mut no_checkpoint)
    }

    /// As `find`, running `cp` at the checkpoints.
    pub fn find_with(
        &mut self,
        init: usize,
        anchor: bool,
        cp: &mut Checkpoint<'_>,
    ) -> Result<Option<Match>, PatternError> {
        let mut s = init;
        while s <= self.src.len() {
            if let Some(m) = self.match_at_with(s, cp)? {
                return Ok(Some(m));
            }
            if anchor {
                break;
            }
            s += 1;
        }
        Ok(None)
    }

    /// Returns the pattern byte at `i`, or 0 past the end (C's terminator).
    fn pat_at(&self, i: usize) -> u8 {
        self.pat.get(i).copied().unwrap_or(0)
    }

    /// Charges `n` steps to the budget, running the checkpoint when due.
    #[inline]
    fn tick(&mut self, n: u64, cp: &mut Checkpoint<'_>) -> Result<(), PatternError> {
        self.steps = self.steps.saturating_add(n);
        if let Some(max) = self.max_steps {
            if self.steps > max {
                return Err(PatternError::StepLimit);
            }
        }
        if self.steps >= self.next_checkpoint {
            self.next_checkpoint = self.steps.saturating_add(self.checkpoint_interval);
            cp()?;
        }
        Ok(())
    }

    /// Returns the index just after the single-character class starting at
    /// `p` (PUC-Rio's `classend`).
    fn class_end(&self, p: usize) -> Result<usize, PatternError> {
        let plen = self.pat.len();
        let c = self.pat_at(p);
        let mut p = p + 1;
        match c {
            b'%' => {
                if p >= plen {
                    return Err(PatternError::EndsWithPercent);
                }
                Ok(p + 1)
            }
            b'[' => {
                if self.pat_at(p) == b'^' {
                    p += 1;
                }
                // The first character after '[' (or "[^") is always part of
                // the set, so that "[]]" is a set holding ']'.
                loop {
                    if p >= plen {
                        return Err(PatternError::MissingBracket);
                    }
                    let c = self.pat_at(p);
                    p += 1;
                    if c == b'%' && p < plen {
                        p += 1;
                    }
                    if self.pat_at(p) == b']' {
                        break;
                    }
                }
                Ok(p + 1)
            }
            _ => Ok(p),
        }
    }

    /// Tells whether `c` belongs to the set whose '[' is at `p` and whose
    /// closing ']' is at `ec` (PUC-Rio's `matchbracketclass`).
    fn match_bracket_class(&self, c: u8, p: usize, ec: usize) -> bool {
        let mut p = p;
        let mut sig = true;
        if self.pat_at(p + 1) == b'^' {
            sig = false;
            p += 1;
        }
        loop {
            p += 1;
            if p >= ec {
                return !sig;
            }
            let pc = self.pat_at(p);
            if pc == b'%' {
                p += 1;
                if match_class(c, self.pat_at(p)) {
                    return sig;
                }
            } else if self.pat_at(p + 1) == b'-' && p + 2 < ec {
                p += 2;
                if pc <= c && c <= self.pat_at(p) {
                    return sig;
                }
            } else if pc == c {
                return sig;
            }
        }
    }

    /// Tells whether the subject byte at `s` matches the single-character
    /// class from `p` to `ep` (PUC-Rio's `singlematch`).
    fn single_match(&self, s: usize, p: usize, ep: usize) -> bool {
        let Some(&c) = self.src.get(s) else {
            return false;
        };
        match self.pat_at(p) {
            b'.' => true,
            b'%' => match_class(c, self.pat_at(p + 1)),
            b'[' => self.match_bracket_class(c, p, ep.saturating_sub(1)),
            pc => pc == c,
        }
    }

    /// Matches `%bxy` whose two characters start at `p`, returning the end
    /// of the balanced text (PUC-Rio's `matchbalance`).
    fn match_balance(&mut self, s: usize, p: usize, cp: &mut Checkpoint<'_>) -> Result<Option<usize>, PatternError> {
        if p + 1 >= self.pat.len() {
            return Err(PatternError::MissingBalanceArgs);
        }
        let open = self.pat_at(p);
        let close = self.pat_at(p + 1);
        if self.src.get(s) != Some(&open) {
            return Ok(None);
        }
        let mut depth: usize = 1;
        for (i, &c) in self.src.iter().enumerate().skip(s + 1) {
            if c == close {
                depth -= 1;
                if depth == 0 {
                    self.tick(u64::try_from(i - s).unwrap_or(u64::MAX), cp)?;
                    return Ok(Some(i + 1));
                }
            } else if c == open {
                depth += 1;
            }
        }
        self.tick(u64::try_from(self.src.len() - s).unwrap_or(u64::MAX), cp)?;
        Ok(None)
    }

    /// Matches the longest run of the class at `p` (ending at `ep`) that
    /// lets the rest of the pattern match (PUC-Rio's `max_expand`).
    fn max_expand(
        &mut self,
        s: usize,
        p: usize,
        ep: usize,
        cp: &mut Checkpoint<'_>,
    ) -> Result<Option<usize>, PatternError> {
        let mut i = 0;
        while self.single_match(s + i, p, ep) {
            i += 1;
        }
        self.tick(u64::try_from(i).unwrap_or(u64::MAX), cp)?;
        loop {
            if let Some(res) = self.do_match(s + i, ep + 1, cp)? {
                return Ok(Some(res));
            }
            if i == 0 {
                return Ok(None);
            }
            i -= 1;
        }
    }

    /// Matches the shortest run of the class at `p` (ending at `ep`) that
    /// lets the rest of the pattern match (PUC-Rio's `min_expand`).
    fn min_expand(
        &mut self,
        s: usize,
        p: usize,
        ep: usize,
        cp: &mut Checkpoint<'_>,
    ) -> Result<Option<usize>, PatternError> {
        let mut s = s;
        loop {
            if let Some(res) = self.do_match(s, ep + 1, cp)? {
                return Ok(Some(res));
            }
            if self.single_match(s, p, ep) {
                s += 1;
            } else {
                return Ok(None);
            }
        }
    }

    /// Opens a capture at `s` and matches the rest of the pattern from `p`
    /// (PUC-Rio's `start_capture`).
    fn start_capture(
        &mut self,
        s: usize,
        p: usize,
        what: CapLen,
        cp: &mut Checkpoint<'_>,
    ) -> Result<Option<usize>, PatternError> {
        let level = self.level;
        if level >= MAX_CAPTURES {
            return Err(PatternError::TooManyCaptures);
        }
        self.caps[level] = RawCapture { init: s, len: what };
        self.level = level + 1;
        let res = self.do_match(s, p, cp)?;
        if res.is_none() {
            self.level -= 1;
        }
        Ok(res)
    }

    /// Closes the innermost open capture at `s` and matches the rest of the
    /// pattern from `p` (PUC-Rio's `end_capture`).
    fn end_capture(&mut self, s: usize, p: usize, cp: &mut Checkpoint<'_>) -> Result<Option<usize>, PatternError> {
        let l = (0..self.level)
            .rev()
            .find(|&l| self.caps[l].len == CapLen::Unfinished)
            .ok_or(PatternError::InvalidPatternCapture)?;
        self.caps[l].len = CapLen::Len(s.saturating_sub(self.caps[l].init));
        let res = self.do_match(s, p, cp)?;
        if res.is_none() {
            self.caps[l].len = CapLen::Unfinished;
        }
        Ok(res)
    }

    /// Matches a back reference `%d` (with `d` the digit byte) at `s`
    /// (PUC-Rio's `match_capture` and `check_capture`).
    fn match_capture(&mut self, s: usize, d: u8, cp: &mut Checkpoint<'_>) -> Result<Option<usize>, PatternError> {
        let index = usize::from(d.wrapping_sub(b'0'));
        let cap = match index.checked_sub(1) {
            Some(l) if l < self.level && self.caps[l].len != CapLen::Unfinished => self.caps[l],
            _ => return Err(PatternError::InvalidCaptureIndex(index)),
        };
        // A position capture has no text, so a reference to it never
        // matches (PUC-Rio compares against a huge length).
        let CapLen::Len(len) = cap.len else {
            return Ok(None);
        };
        self.tick(u64::try_from(len).unwrap_or(u64::MAX), cp)?;
        let captured = self.src.get(cap.init..cap.init + len);
        let here = self.src.get(s..s + len);
        match (captured, here) {
            (Some(a), Some(b)) if a == b => Ok(Some(s + len)),
            _ => Ok(None),
        }
    }

    /// Matches the pattern from index `p` against the subject from offset
    /// `s`, returning the end of the match (PUC-Rio's `match`). Each call
    /// uses one level of the depth limit.
    fn do_match(&mut self, s: usize, p: usize, cp: &mut Checkpoint<'_>) -> Result<Option<usize>, PatternError> {
        if self.depth == 0 {
            return Err(PatternError::TooComplex);
        }
        self.depth -= 1;
        let res = self.match_body(s, p, cp);
        self.depth += 1;
        res
    }

    /// The body of [`Matcher::do_match`]. The cases PUC-Rio implements as
    /// tail calls (`goto init`) continue the loop instead of recursing, so
    /// long subjects matched by simple items use no depth.
    fn match_body(
        &mut self,
        mut s: usize,
        mut p: usize,
        cp: &mut Checkpoint<'_>,
    ) -> Result<Option<usize>, PatternError> {
        let plen = self.pat.len();
        loop {
            self.tick(1, cp)?;
            if p >= plen {
                return Ok(Some(s));
            }
            let pc = self.pat_at(p);
            let next = self.pat_at(p + 1);
            match pc {
                b'(' => {
                    return if next == b')' {
                        self.start_capture(s, p + 2, CapLen::Position, cp)
                    } else {
                        self.start_capture(s, p + 1, CapLen::Unfinished, cp)
                    };
                }
                b')' => return self.end_capture(s, p + 1, cp),
                b'$' if p + 1 == plen => {
                    return Ok((s == self.src.len()).then_some(s));
                }
                b'%' if next == b'b' => match self.match_balance(s, p + 2, cp)? {
                    Some(end) => {
                        s = end;
                        p += 4;
                        continue;
                    }
                    None => return Ok(None),
                },
                b'%' if next == b'f' => {
                    p += 2;
                    if self.pat_at(p) != b'[' {
                        return Err(PatternError::MissingFrontierBracket);
                    }
                    let ep = self.class_end(p)?;
                    let previous = match s.checked_sub(1) {
                        Some(i) => self.src.get(i).copied().unwrap_or(0),
                        None => 0,
                    };
                    let current = self.src.get(s).copied().unwrap_or(0);
                    if !self.match_bracket_class(previous, p, ep - 1) && self.match_bracket_class(current, p, ep - 1) {
                        p = ep;
                        continue;
                    }
                    return Ok(None);
                }
                b'%' if next.is_ascii_digit() => match self.match_capture(s, next, cp)? {
                    Some(end) => {
                        s = end;
                        p += 2;
                        continue;
                    }
                    None => return Ok(None),
                },
                _ => {
                    let ep = self.class_end(p)?;
                    let suffix = self.pat_at(ep);
                    if !self.single_match(s, p, ep) {
                        if matches!(suffix, b'*' | b'?' | b'-') {
                            p = ep + 1;
                            continue;
                        }
                        return Ok(None);
                    }
                    match suffix {
                        b'?' => {
                            if let Some(res) = self.do_match(s + 1, ep + 1, cp)? {
                                return Ok(Some(res));
                            }
                            p = ep + 1;
                        }
                        b'+' => return self.max_expand(s + 1, p, ep, cp),
                        b'*' => return self.max_expand(s, p, ep, cp),
                        b'-' => return self.min_expand(s, p, ep, cp),
                        _ => {
                            s += 1;
                            p = ep;
                        }
                    }
                }
            }
        }
    }
}

/// Finds the first match of `pattern` in `subject` at offset `init` or
/// later, handling a leading '^' anchor, as `string.find` and
/// `string.match` do when the pattern has special characters. `init` is
/// the 0-based offset after the driver's position adjustment; past the end
/// of the subject nothing is found.
pub fn find(subject: &[u8], pattern: &[u8], init: usize) -> Result<Option<Match>, PatternError> {
    let (mut m, anchor) = Matcher::anchored(subject, pattern);
    m.find(init, anchor)
}

/// Matches `pattern` exactly at offset `pos` of `subject`, with no anchor
/// handling (see [`Matcher::match_at`]).
pub fn match_at(subject: &[u8], pattern: &[u8], pos: usize) -> Result<Option<Match>, PatternError> {
    Matcher::new(subject, pattern).match_at(pos)
}

/// Tells whether `pattern` contains a character that is special to the
/// matcher; `string.find` does a plain search when it does not (PUC-Rio's
/// `nospecials`, negated).
pub fn has_specials(pattern: &[u8]) -> bool {
    pattern.iter().any(|c| SPECIALS.contains(c))
}

/// Finds the first occurrence of `needle` in `haystack` at offset `init` or
/// later (PUC-Rio's `lmemfind`), returning its start offset. An empty
/// needle is found at `init` when `init` is at most the length.
pub fn find_plain(haystack: &[u8], needle: &[u8], init: usize) -> Option<usize> {
    let rest = haystack.get(init..)?;
    if needle.is_empty() {
        return Some(init);
    }
    let (&first, tail) = needle.split_first()?;
    let last_start = rest.len().checked_sub(needle.len())?;
    (0..=last_start).find(|&i| rest[i] == first && rest.get(i + 1..i + needle.len()) == Some(tail)).map(|i| init + i)
}

/// The scanning loop shared by `string.gmatch` and `string.gsub`: it yields
/// successive matches from a start offset, advancing one byte after a
/// failed attempt, and skipping an empty match that ends where the previous
/// match ended (Lua 5.4's `lastmatch` rule).
///
/// For `gsub`, the driver copies `subject[copied..m.start]`, then the
/// replacement of each match (or the matched text itself when a function or
/// table gives `nil`/`false`), sets `copied = m.end`, stops asking once the
/// maximum number of replacements is reached, and finally copies
/// `subject[copied..]`; this equals PUC-Rio's byte-by-byte loop.
#[derive(Clone, Debug)]
pub struct MatchIter<'a> {
    matcher: Matcher<'a>,
    src: usize,
    lastmatch: Option<usize>,
    anchor: bool,
    done: bool,
}

impl<'a> MatchIter<'a> {
    /// Starts a `gmatch` iteration from offset `init` (0-based, after the
    /// driver's position adjustment; past the end nothing is found). A
    /// leading '^' in the pattern is an ordinary character, as in PUC-Rio
    /// 5.4.
    pub fn gmatch(subject: &'a [u8], pattern: &'a [u8], init: usize) -> MatchIter<'a> {
        MatchIter {
            matcher: Matcher::new(subject, pattern),
            src: init,
            lastmatch: None,
            anchor: false,
            done: init > subject.len(),
        }
    }

    /// Starts a `gsub` scan over the whole subject; a leading '^' anchors
    /// the pattern, so that at most one match (at offset 0) is produced.
    pub fn gsub(subject: &'a [u8], pattern: &'a [u8]) -> MatchIter<'a> {
        let (matcher, anchor) = Matcher::anchored(subject, pattern);
        MatchIter { matcher, src: 0, lastmatch: None, anchor, done: false }
    }

    /// Sets the step budget of the underlying matcher (see
    /// [`Matcher::set_max_steps`]); it covers the whole iteration.
    pub fn set_max_steps(&mut self, max_steps: Option<u64>) {
        self.matcher.set_max_steps(max_steps);
    }

    /// Returns the number of steps the underlying matcher has spent so far
    /// (see [`Matcher::steps`]).
    pub fn steps(&self) -> u64 {
        self.matcher.steps()
    }

    /// Sets the checkpoint interval of the underlying matcher (see
    /// [`Matcher::set_checkpoint_interval`]).
    pub fn set_checkpoint_interval(&mut self, interval: Option<u64>) {
        self.matcher.set_checkpoint_interval(interval);
    }

    /// Returns the next match, or `None` when the scan is over.
    pub fn next_match(&mut self) -> Result<Option<Match>, PatternError> {
        self.next_match_with(&mut no_checkpoint)
    }

    /// As `next_match`, running `cp` at the checkpoints.
    pub fn next_match_with(&mut self, cp: &mut Checkpoint<'_>) -> Result<Option<Match>, PatternError> {
        let len = self.matcher.src.len();
        while !self.done && self.src <= len {
            let m = self.matcher.match_at_with(self.src, cp)?;
            if self.anchor {
                self.done = true;
            }
            match m {
                Some(m) if Some(m.end) != self.lastmatch => {
                    self.src = m.end;
                    self.lastmatch = Some(m.end);
                    return Ok(Some(m));
                }
                _ => self.src += 1,
            }
        }
        self.done = true;
        Ok(None)
    }
}

/// Appends the expansion of the `gsub` replacement string `repl` for the
/// match `m` of `subject` (PUC-Rio's `add_s`): `%%` is a '%', `%0` the
/// whole match, `%1`-`%9` the captures (`%1` is the whole match when the
/// pattern has no captures; position captures are written in decimal), and
/// anything else after '%' is an error.
pub fn expand_replacement(repl: &[u8], subject: &[u8], m: &Match, out: &mut Vec<u8>) -> Result<(), PatternError> {
    let mut i = 0;
    while let Some(off) = repl.get(i..).and_then(|r| r.iter().position(|&c| c == b'%')) {
        out.extend_from_slice(&repl[i..i + off]);
        let p = i + off + 1;
        let c = repl.get(p).copied().unwrap_or(0);
        if c == b'%' {
            out.push(b'%');
        } else if c == b'0' {
            out.extend_from_slice(subject.get(m.start..m.end).unwrap_or(&[]));
        } else if c.is_ascii_digit() {
            match m.capture(usize::from(c - b'1'))? {
                Capture::Range(a, b) => out.extend_from_slice(subject.get(a..b).unwrap_or(&[])),
                Capture::Position(n) => out.extend_from_slice(n.to_string().as_bytes()),
            }
        } else {
            return Err(PatternError::InvalidReplacement);
        }
        i = p + 1;
    }
    out.extend_from_slice(repl.get(i..).unwrap_or(&[]));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Converts a Lua string position (1-based, negative from the end) to
    /// the 1-based position PUC-Rio's `posrelatI` yields.
    fn posrelat(pos: i64, len: usize) -> usize {
        let len_i = i64::try_from(len).unwrap();
        if pos > 0 {
            usize::try_from(pos).unwrap()
        } else if pos == 0 || pos < -len_i {
            1
        } else {
            usize::try_from(len_i + pos + 1).unwrap()
        }
    }

    /// Serializes one value the way the reference script printed it.
    fn ser(out: &mut Vec<u8>, subject: &[u8], c: Option<&Capture>) {
        match c {
            Some(Capture::Range(a, b)) => {
                out.push(b'\'');
                out.extend_from_slice(&subject[*a..*b]);
                out.push(b'\'');
            }
            Some(Capture::Position(n)) => out.extend_from_slice(n.to_string().as_bytes()),
            None => out.extend_from_slice(b"nil"),
        }
    }

    /// Serializes a list of values separated by commas.
    fn ser_all(out: &mut Vec<u8>, subject: &[u8], values: &[Capture]) {
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            ser(out, subject, Some(v));
        }
    }

    /// Renders an error as the reference script did.
    fn err(e: PatternError) -> Vec<u8> {
        format!("E:{}", e.message()).into_bytes()
    }

    /// Emulates `string.find(s, p, init)` over the engine.
    fn lua_find(s: &[u8], p: &[u8], init: i64) -> Vec<u8> {
        let init = posrelat(init, s.len()) - 1;
        if init > s.len() {
            return b"nil".to_vec();
        }
        if !has_specials(p) {
            return match find_plain(s, p, init) {
                Some(st) => format!("{},{}", st + 1, st + p.len()).into_bytes(),
                None => b"nil".to_vec(),
            };
        }
        let m = match find(s, p, init) {
            Err(e) => return err(e),
            Ok(None) => return b"nil".to_vec(),
            Ok(Some(m)) => m,
        };
        let mut out = format!("{},{}", m.start + 1, m.end).into_bytes();
        match m.captures.values(None) {
            Ok(values) => {
                for v in &values {
                    out.push(b',');
                    ser(&mut out, s, Some(v));
                }
                out
            }
            Err(e) => err(e),
        }
    }

    /// Emulates `string.match(s, p, init)` over the engine.
    fn lua_match(s: &[u8], p: &[u8], init: i64) -> Vec<u8> {
        let init = posrelat(init, s.len()) - 1;
        if init > s.len() {
            return b"nil".to_vec();
        }
        match find(s, p, init) {
            Err(e) => err(e),
            Ok(None) => b"nil".to_vec(),
            Ok(Some(m)) => match m.values() {
                Ok(values) => {
                    let mut out = Vec::new();
                    ser_all(&mut out, s, &values);
                    out
                }
                Err(e) => err(e),
            },
        }
    }

    /// Emulates collecting the first two values of each `gmatch` result.
    fn lua_gmatch(s: &[u8], p: &[u8], init: i64) -> Vec<u8> {
        let init = posrelat(init, s.len()) - 1;
        let mut it = MatchIter::gmatch(s, p, init);
        let mut out = b"'".to_vec();
        loop {
            match it.next_match() {
                Err(e) => return err(e),
                Ok(None) => break,
                Ok(Some(m)) => match m.values() {
                    Ok(values) => {
                        out.push(b'{');
                        ser(&mut out, s, values.first());
                        out.push(b',');
                        ser(&mut out, s, values.get(1));
                        out.push(b'}');
                    }
                    Err(e) => return err(e),
                },
            }
        }
        out.push(b'\'');
        out
    }

    /// Emulates `string.gsub(s, p, repl)` with a string replacement.
    fn lua_gsub(s: &[u8], p: &[u8], repl: &[u8], max: usize) -> Vec<u8> {
        let mut it = MatchIter::gsub(s, p);
        let mut body = Vec::new();
        let mut copied = 0;
        let mut n = 0;
        while n < max {
            match it.next_match() {
                Err(e) => return err(e),
                Ok(None) => break,
                Ok(Some(m)) => {
                    body.extend_from_slice(&s[copied..m.start]);
                    if let Err(e) = expand_replacement(repl, s, &m, &mut body) {
                        return err(e);
                    }
                    copied = m.end;
                    n += 1;
                }
            }
        }
        body.extend_from_slice(&s[copied..]);
        let mut out = b"'".to_vec();
        out.extend_from_slice(&body);
        out.extend_from_slice(format!("',{n}").as_bytes());
        out
    }

    /// Shows bytes readably in assertion messages.
    fn show(b: &[u8]) -> String {
        String::from_utf8_lossy(b).into_owned()
    }

    /// Splits a table into rows of fields: one case per line, fields
    /// separated by '|', and bytes written as `\xNN` escapes where they
    /// would be unreadable or ambiguous.
    fn rows(table: &str) -> Vec<Vec<Vec<u8>>> {
        table.lines().filter(|line| !line.is_empty()).map(|line| line.split('|').map(unescape).collect()).collect()
    }

    /// Decodes the `\xNN` escapes of one table field.
    fn unescape(field: &str) -> Vec<u8> {
        let bytes = field.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'\\' && bytes.get(i + 1) == Some(&b'x') {
                let hex = std::str::from_utf8(&bytes[i + 2..i + 4]).unwrap();
                out.push(u8::from_str_radix(hex, 16).unwrap());
                i += 4;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        out
    }

    /// Parses a decimal field of a table.
    fn num<T: std::str::FromStr>(field: &[u8]) -> T {
        match std::str::from_utf8(field).ok().and_then(|s| s.parse().ok()) {
            Some(n) => n,
            None => panic!("bad number {}", show(field)),
        }
    }

    /// Cases for find, match, gmatch and gsub. Each line holds the subject,
    /// the pattern and the initial position, then what PUC-Rio Lua 5.4.8
    /// printed for `string.find`, `string.match`, the first two values of
    /// each `string.gmatch` iteration, and `string.gsub` with the
    /// replacement "<%0>" (strings quoted with ', errors as "E:message").
    const MATCH_TABLE: &str = r#"
hello world|o|1|5,5|'o'|'{'o',nil}{'o',nil}'|'hell<o> w<o>rld',2
hello world|o|6|8,8|'o'|'{'o',nil}'|'hell<o> w<o>rld',2
hello world|l+|1|3,4|'ll'|'{'ll',nil}{'l',nil}'|'he<ll>o wor<l>d',2
hello world|xyz|1|nil|nil|''|'hello world',0
hello||1|1,0|''|'{'',nil}{'',nil}{'',nil}{'',nil}{'',nil}{'',nil}'|'<>h<>e<>l<>l<>o<>',6
hello||10|nil|nil|''|'<>h<>e<>l<>l<>o<>',6
hello||6|6,5|''|'{'',nil}'|'<>h<>e<>l<>l<>o<>',6
||1|1,0|''|'{'',nil}'|'<>',1
|a*|1|1,0|''|'{'',nil}'|'<>',1
hello|h|-3|nil|nil|''|'<h>ello',1
hello|l|-2|4,4|'l'|'{'l',nil}'|'he<l><l>o',2
hello|^h|1|1,1|'h'|''|'<h>ello',1
hello|^e|1|nil|nil|''|'hello',0
hello|^e|2|2,2|'e'|''|'hello',0
hello|o$|1|5,5|'o'|'{'o',nil}'|'hell<o>',1
hello|l$|1|nil|nil|''|'hello',0
a$b|$b|1|2,3|'$b'|'{'$b',nil}'|'a<$b>',1
a$b|a$|1|nil|nil|''|'a$b',0
^a|^^a|1|1,2|'^a'|''|'<^a>',1
x^a|^a|1|nil|nil|'{'^a',nil}'|'x^a',0
aaab|a*|1|1,3|'aaa'|'{'aaa',nil}{'',nil}'|'<aaa>b<>',2
aaab|a-b|1|1,4|'aaab'|'{'aaab',nil}'|'<aaab>',1
aaab|a-|1|1,0|''|'{'',nil}{'',nil}{'',nil}{'',nil}{'',nil}'|'<>a<>a<>a<>b<>',5
aaab|a+b|1|1,4|'aaab'|'{'aaab',nil}'|'<aaab>',1
aaab|a?a?b|1|2,4|'aab'|'{'aab',nil}'|'a<aab>',1
ab|a?b?c?|1|1,2|'ab'|'{'ab',nil}'|'<ab>',1
  abc  |^%s*(.-)%s*$|1|1,7,'abc'|'abc'|''|'<  abc  >',1
key = value|(%w+)%s*=%s*(%w+)|1|1,11,'key','value'|'key','value'|'{'key','value'}'|'<key = value>',1
2024-01-15|(%d+)-(%d+)-(%d+)|1|1,10,'2024','01','15'|'2024','01','15'|'{'2024','01'}'|'<2024-01-15>',1
THE (quick) fox|%((%a+)%)|1|5,11,'quick'|'quick'|'{'quick',nil}'|'THE <(quick)> fox',1
f(a(b)c)d|%b()|1|2,8|'(a(b)c)'|'{'(a(b)c)',nil}'|'f<(a(b)c)>d',1
f(a(b)c|%b()|1|4,6|'(b)'|'{'(b)',nil}'|'f(a<(b)>c',1
[[x]]|%b[]|1|1,5|'[[x]]'|'{'[[x]]',nil}'|'<[[x]]>',1
THE (quick) fox|%f[%a]%a+|1|1,3|'THE'|'{'THE',nil}{'quick',nil}{'fox',nil}'|'<THE> (<quick>) <fox>',3
THE (quick) fox|%f[%A]|1|4,3|''|'{'',nil}{'',nil}{'',nil}'|'THE<> (quick<>) fox<>',3
hello|%f[%z]|1|6,5|''|'{'',nil}'|'hello<>',1
hello|%f[%W]|1|6,5|''|'{'',nil}'|'hello<>',1
abcabc|(abc)%1|1|1,6,'abc'|'abc'|'{'abc',nil}'|'<abcabc>',1
abab|(a)(b)%2|1|nil|nil|''|'abab',0
xyzzy|(z)%1|1|3,4,'z'|'z'|'{'z',nil}'|'xy<zz>y',1
hello|()ll()|1|3,4,3,5|3,5|'{3,5}'|'he<ll>o',1
hello|()|1|1,0,1|1|'{1,nil}{2,nil}{3,nil}{4,nil}{5,nil}{6,nil}'|'<>h<>e<>l<>l<>o<>',6
hello|(h)(e)(l)(l)(o)|1|1,5,'h','e','l','l','o'|'h','e','l','l','o'|'{'h','e'}'|'<hello>',1
a.b|%.|1|2,2|'.'|'{'.',nil}'|'a<.>b',1
a.b|.|1|1,1|'a'|'{'a',nil}{'.',nil}{'b',nil}'|'<a><.><b>',3
a+b|a+b|1|nil|nil|''|'a+b',0
a+b|a%+b|1|1,3|'a+b'|'{'a+b',nil}'|'<a+b>',1
x]y|[]]|1|2,2|']'|'{']',nil}'|'x<]>y',1
x-y|[a-]|1|2,2|'-'|'{'-',nil}'|'x<->y',1
x-y|[%-]|1|2,2|'-'|'{'-',nil}'|'x<->y',1
abc123|[^%a]+|1|4,6|'123'|'{'123',nil}'|'abc<123>',1
abc123|[a-c]+|1|1,3|'abc'|'{'abc',nil}'|'<abc>123',1
ABCabc|[A-Z]+|1|1,3|'ABC'|'{'ABC',nil}'|'<ABC>abc',1
\x00abc|%z|1|1,1|'\x00'|'{'\x00',nil}'|'<\x00>abc',1
a\x00b|[%z]|1|2,2|'\x00'|'{'\x00',nil}'|'a<\x00>b',1
a\x00b|a%zb|1|1,3|'a\x00b'|'{'a\x00b',nil}'|'<a\x00b>',1
hello\x09world\x0a|%c|1|6,6|'\x09'|'{'\x09',nil}{'\x0a',nil}'|'hello<\x09>world<\x0a>',2
a1 B2_!|%p|1|6,6|'_'|'{'_',nil}{'!',nil}'|'a1 B2<_><!>',2
a1 B2_!|%g+|1|1,2|'a1'|'{'a1',nil}{'B2_!',nil}'|'<a1> <B2_!>',2
a1 B2_!|%u%d|1|4,5|'B2'|'{'B2',nil}'|'a1 <B2>_!',1
a1 B2_!|%l%d|1|1,2|'a1'|'{'a1',nil}'|'<a1> B2_!',1
0x1F|%x+|2|3,4|'1F'|'{'1F',nil}'|'<0>x<1F>',2
aaa|a-$|1|1,3|'aaa'|'{'aaa',nil}'|'<aaa>',1
aaa|.-a|2|2,2|'a'|'{'a',nil}{'a',nil}'|'<a><a><a>',3
one two three|(%a+) (%a+)|1|1,7,'one','two'|'one','two'|'{'one','two'}'|'<one two> three',1
abc|((a)(b))|1|1,2,'ab','a','b'|'ab','a','b'|'{'ab','a'}'|'<ab>c',1
abc|(a(b(c)))|1|1,3,'abc','bc','c'|'abc','bc','c'|'{'abc','bc'}'|'<abc>',1
hello|(l)(l)|-5|3,4,'l','l'|'l','l'|'{'l','l'}'|'he<ll>o',1
a,b,,c|[^,]*|1|1,1|'a'|'{'a',nil}{'b',nil}{'',nil}{'c',nil}'|'<a>,<b>,<>,<c>',4
abc|a*|1|1,1|'a'|'{'a',nil}{'',nil}{'',nil}'|'<a>b<>c<>',3
abc|x*|1|1,0|''|'{'',nil}{'',nil}{'',nil}{'',nil}'|'<>a<>b<>c<>',4
hello world from lua|%a+|1|1,5|'hello'|'{'hello',nil}{'world',nil}{'from',nil}{'lua',nil}'|'<hello> <world> <from> <lua>',4
abc|%|1|E:malformed pattern (ends with '%')|E:malformed pattern (ends with '%')|E:malformed pattern (ends with '%')|E:malformed pattern (ends with '%')
abc|[a|1|E:malformed pattern (missing ']')|E:malformed pattern (missing ']')|E:malformed pattern (missing ']')|E:malformed pattern (missing ']')
abc|[a%|1|E:malformed pattern (missing ']')|E:malformed pattern (missing ']')|E:malformed pattern (missing ']')|E:malformed pattern (missing ']')
abc|%b|1|E:malformed pattern (missing arguments to '%b')|E:malformed pattern (missing arguments to '%b')|E:malformed pattern (missing arguments to '%b')|E:malformed pattern (missing arguments to '%b')
abc|%ba|1|E:malformed pattern (missing arguments to '%b')|E:malformed pattern (missing arguments to '%b')|E:malformed pattern (missing arguments to '%b')|E:malformed pattern (missing arguments to '%b')
abc|%f|1|E:missing '[' after '%f' in pattern|E:missing '[' after '%f' in pattern|E:missing '[' after '%f' in pattern|E:missing '[' after '%f' in pattern
abc|%fa|1|E:missing '[' after '%f' in pattern|E:missing '[' after '%f' in pattern|E:missing '[' after '%f' in pattern|E:missing '[' after '%f' in pattern
abc|(a|1|E:unfinished capture|E:unfinished capture|E:unfinished capture|'<a>bc',1
abc|a)|1|nil|E:invalid pattern capture|E:invalid pattern capture|E:invalid pattern capture
abc|%1|1|E:invalid capture index %1|E:invalid capture index %1|E:invalid capture index %1|E:invalid capture index %1
abc|(a)%2|1|E:invalid capture index %2|E:invalid capture index %2|E:invalid capture index %2|E:invalid capture index %2
abc|(a%1)|1|E:invalid capture index %1|E:invalid capture index %1|E:invalid capture index %1|E:invalid capture index %1
abc|%0|1|E:invalid capture index %0|E:invalid capture index %0|E:invalid capture index %0|E:invalid capture index %0
abc|x%|1|nil|nil|''|'abc',0
|x%|1|nil|nil|''|'',0
abc|[^]|1|E:malformed pattern (missing ']')|E:malformed pattern (missing ']')|E:malformed pattern (missing ']')|E:malformed pattern (missing ']')
a]|[^]]|1|1,1|'a'|'{'a',nil}'|'<a>]',1
abc|()a|1|1,1,1|1|'{1,nil}'|'<a>bc',1
abc|(()a)|2|nil|nil|''|'<a>bc',1
abc|()%1|1|nil|nil|''|'abc',0
aaaa|(a)-%1$|1|nil|nil|''|'aaaa',0
hello.world|%w+%.%w+|1|1,11|'hello.world'|'{'hello.world',nil}'|'<hello.world>',1
x = 1, y = 2|(%w+) = (%w+)|1|1,5,'x','1'|'x','1'|'{'x','1'}{'y','2'}'|'<x = 1>, <y = 2>',2
aXb|%u|1|2,2|'X'|'{'X',nil}'|'a<X>b',1
\xc3\xa9a|%a|1|3,3|'a'|'{'a',nil}'|'\xc3\xa9<a>',1
\xff|[\xc8-\xff]|1|1,1|'\xff'|'{'\xff',nil}'|'<\xff>',1
a-b|[a-]|2|2,2|'-'|'{'-',nil}'|'<a><->b',2
a|[%a-z]|1|1,1|'a'|'{'a',nil}'|'<a>',1
-|[%a-z]|1|1,1|'-'|'{'-',nil}'|'<->',1
hello|l*|3|3,4|'ll'|'{'ll',nil}{'',nil}'|'<>h<>e<ll>o<>',4
hello|l*|4|4,4|'l'|'{'l',nil}{'',nil}'|'<>h<>e<ll>o<>',4
banana|ana|1|2,4|'ana'|'{'ana',nil}'|'b<ana>na',1
banana|(an)+|1|nil|nil|''|'banana',0
ab|[a-|1|E:malformed pattern (missing ']')|E:malformed pattern (missing ']')|E:malformed pattern (missing ']')|E:malformed pattern (missing ']')
abc|b|100|nil|nil|''|'a<b>c',1
abc||4|4,3|''|'{'',nil}'|'<>a<>b<>c<>',4
abc||5|nil|nil|''|'<>a<>b<>c<>',4
abc|$|1|4,3|''|'{'',nil}'|'abc<>',1
abc|^$|1|nil|nil|''|'abc',0
|^$|1|1,0|''|''|'<>',1
abc|.*$|2|2,3|'bc'|'{'bc',nil}'|'<abc>',1
\x0a|%s|1|1,1|'\x0a'|'{'\x0a',nil}'|'<\x0a>',1
\x0b\x0c\x0d|%s+|1|1,3|'\x0b\x0c\x0d'|'{'\x0b\x0c\x0d',nil}'|'<\x0b\x0c\x0d>',1
_|%w|1|nil|nil|''|'_',0
_|%W|1|1,1|'_'|'{'_',nil}'|'<_>',1
abc|[%w_]+|1|1,3|'abc'|'{'abc',nil}'|'<abc>',1
[a]|[[]|1|1,1|'['|'{'[',nil}'|'<[>a]',1
abc|a?|1|1,1|'a'|'{'a',nil}{'',nil}{'',nil}'|'<a>b<>c<>',3
abc|b?c|1|2,3|'bc'|'{'bc',nil}'|'a<bc>',1
aaa|^a-|1|1,0|''|''|'<>aaa',1
x(y)z|%((.-)%)|1|2,4,'y'|'y'|'{'y',nil}'|'x<(y)>z',1
1.5e10|^[+-]?%d+%.?%d*[eE]?[+-]?%d*$|1|1,6|'1.5e10'|''|'<1.5e10>',1
hello|(h)(.)|1|1,2,'h','e'|'h','e'|'{'h','e'}'|'<he>llo',1
ooo|o-()o|1|1,1,1|1|'{1,nil}{2,nil}{3,nil}'|'<o><o><o>',3
hello world|^(%w+)|1|1,5,'hello'|'hello'|''|'<hello> world',1
THE END|%f[%l]|1|nil|nil|''|'THE END',0
a b|%f[%s]|1|2,1|''|'{'',nil}'|'a<> b',1
"#;

    #[test]
    fn table_matches_reference() {
        let table = rows(MATCH_TABLE);
        assert_eq!(table.len(), 129);
        for row in table {
            let [s, p, init, f, m, g, r] = &row[..] else {
                panic!("bad row {row:?}");
            };
            let init: i64 = num(init);
            let ctx = format!("subject {:?} pattern {:?} init {init}", show(s), show(p));
            assert_eq!(show(&lua_find(s, p, init)), show(f), "find {ctx}");
            assert_eq!(show(&lua_match(s, p, init)), show(m), "match {ctx}");
            assert_eq!(show(&lua_gmatch(s, p, init)), show(g), "gmatch {ctx}");
            assert_eq!(show(&lua_gsub(s, p, b"<%0>", usize::MAX)), show(r), "gsub {ctx}");
        }
    }

    /// Cases for `gsub` replacement strings: subject, pattern, replacement,
    /// maximum number of replacements, and PUC-Rio's result.
    const GSUB_TABLE: &str = r#"
hello world|(%w+)|%1 %1|99|'hello hello world world',2
hello world|(%w+) (%w+)|%2 %1|99|'world hello',1
abc|%w|%%%0|99|'%a%b%c',3
abc|%w|%1-|99|'a-b-c-',3
abc|%w|%2|99|E:invalid capture index %2
abc|(%w)|%2|99|E:invalid capture index %2
abc|()%w|%1|99|'123',3
abc|%w|%|99|E:invalid use of '%' in replacement string
abc|%w|%x|99|E:invalid use of '%' in replacement string
abc|%w|x%|99|E:invalid use of '%' in replacement string
abc||-|99|'-a-b-c-',4
abc||-|2|'-a-bc',2
abc|%w|[%0]|0|'abc',0
abc|%w|[%0]|1|'[a]bc',1
abc|^%w|[%0]|99|'[a]bc',1
abc|^x|[%0]|99|'abc',0
hello  world|%s*|_|99|'_h_e_l_l_o_w_o_r_l_d_',11
a,b,,c|[^,]*|<%0>|99|'<a>,<b>,<>,<c>',4
abc|b*|-|99|'-a-c-',3
x|(x)|%0%1%0|99|'xxx',1
abc|(a)(b)(c)|%3%2%1|99|'cba',1
aaa|a|%%|99|'%%%',3
abc|(a)|%9|99|E:invalid capture index %9
"#;

    #[test]
    fn gsub_replacements_match_reference() {
        let table = rows(GSUB_TABLE);
        assert_eq!(table.len(), 23);
        for row in table {
            let [s, p, repl, max, expect] = &row[..] else {
                panic!("bad row {row:?}");
            };
            let got = lua_gsub(s, p, repl, num(max));
            assert_eq!(show(&got), show(expect), "gsub {:?} {:?} {:?}", show(s), show(p), show(repl));
        }
    }

    #[test]
    fn capture_limit_is_32() {
        let subject = [b'x'; 40];
        let p32 = b"(.)".repeat(32);
        let m = find(&subject, &p32, 0).unwrap().unwrap();
        assert_eq!(m.values().unwrap().len(), 32);
        assert_eq!(m.capture(31).unwrap(), Capture::Range(31, 32));
        let p33 = b"(.)".repeat(33);
        assert_eq!(find(&subject, &p33, 0), Err(PatternError::TooManyCaptures));
    }

    #[test]
    fn depth_limit_matches_reference() {
        let s199 = b"a".repeat(199);
        let m = find(&s199, &b"a?".repeat(199), 0).unwrap().unwrap();
        assert_eq!((m.start, m.end), (0, 199));
        let s200 = b"a".repeat(200);
        assert_eq!(find(&s200, &b"a?".repeat(200), 0), Err(PatternError::TooComplex));
        assert_eq!(PatternError::TooComplex.message(), "pattern too complex");
    }

    #[test]
    fn long_subjects_use_no_depth() {
        // Simple items continue the matching loop instead of recursing, so
        // a long literal run and a long lazy scan both succeed.
        let subject = b"a".repeat(100_000);
        let m = find(&subject, &b"a".repeat(50_000), 0).unwrap().unwrap();
        assert_eq!((m.start, m.end), (0, 50_000));
        let m = find(&subject, b"a*$", 0).unwrap().unwrap();
        assert_eq!((m.start, m.end), (0, 100_000));
        assert_eq!(find(&subject[..3000], b".-b", 0), Ok(None));
    }

    #[test]
    fn deep_patterns_fit_a_small_stack() {
        // The worst nesting the depth limit allows must fit well within a
        // 2 MiB thread stack; run it on a 512 KiB one.
        let handle = std::thread::Builder::new()
            .stack_size(512 * 1024)
            .spawn(|| {
                let subject = b"a".repeat(400);
                let nested = b"(".repeat(31).into_iter().chain(b"a?".repeat(300)).collect::<Vec<u8>>();
                let r1 = find(&subject, &nested, 0);
                let r2 = find(&subject, &b"a-".repeat(300), 0);
                let r3 = find(&b"ab".repeat(400), &b"a*b".repeat(300), 0);
                // Items that fail to match once continue the loop, so this
                // one needs no depth (PUC-Rio finds 1..400 too).
                let r4 = find(&subject, &b"a*".repeat(300), 0);
                (r1.is_err(), r2.is_err(), r3.is_err(), r4.is_ok())
            })
            .unwrap();
        assert_eq!(handle.join().unwrap(), (true, true, true, true));
    }

    #[test]
    fn step_limit_bounds_hostile_patterns() {
        // This pattern backtracks exponentially over the subject; a step
        // budget stops it.
        let subject = b"a".repeat(40);
        let pattern = b"a*".repeat(20).into_iter().chain(*b"b").collect::<Vec<u8>>();
        let mut m = Matcher::new(&subject, &pattern);
        m.set_max_steps(Some(100_000));
        assert_eq!(m.find(0, false), Err(PatternError::StepLimit));
        assert!(m.steps() > 100_000);
        let mut it = MatchIter::gsub(&subject, b"a");
        it.set_max_steps(Some(10));
        let mut count = 0;
        let result = loop {
            match it.next_match() {
                Ok(Some(_)) => count += 1,
                other => break other,
            }
        };
        assert_eq!(result, Err(PatternError::StepLimit));
        assert!(count > 0 && count < 40);
    }

    #[test]
    fn plain_search_and_specials() {
        assert_eq!(find_plain(b"hello", b"ll", 0), Some(2));
        assert_eq!(find_plain(b"hello", b"ll", 3), None);
        assert_eq!(find_plain(b"hello", b"", 5), Some(5));
        assert_eq!(find_plain(b"hello", b"", 6), None);
        assert_eq!(find_plain(b"hello", b"hello!", 0), None);
        assert_eq!(find_plain(b"a\0b", b"\0b", 0), Some(1));
        assert!(!has_specials(b"abc\0def"));
        assert!(has_specials(b"abc\0d.f"));
        assert!(!has_specials(b"a)b]"));
    }

    #[test]
    fn positions_and_offsets_are_checked() {
        assert_eq!(match_at(b"abc", b"a", 10), Ok(None));
        assert_eq!(find(b"abc", b"a", 4), Ok(None));
        let mut it = MatchIter::gmatch(b"abc", b".", 4);
        assert_eq!(it.next_match(), Ok(None));
        let m = match_at(b"abc", b"()b()", 1).unwrap().unwrap();
        assert_eq!(m.values().unwrap(), vec![Capture::Position(2), Capture::Position(3)]);
        assert_eq!(m.capture(2), Err(PatternError::InvalidCaptureIndex(3)));
        // A '^' is literal for gmatch.
        let mut it = MatchIter::gmatch(b"a^a", b"^a", 0);
        assert_eq!(it.next_match().unwrap().map(|m| (m.start, m.end)), Some((1, 3)));
    }

    #[test]
    fn arbitrary_patterns_never_panic() {
        // A linear congruential generator produces random subjects and
        // patterns over an alphabet rich in special characters.
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            usize::try_from(state >> 33).unwrap()
        };
        let alphabet = b"ab()%[]^$*+-?.bf019azAZ\0";
        for _ in 0..30_000 {
            let plen = next() % 10;
            let pattern: Vec<u8> = (0..plen).map(|_| alphabet[next() % alphabet.len()]).collect();
            let slen = next() % 8;
            let subject: Vec<u8> = (0..slen).map(|_| alphabet[next() % 8]).collect();
            let init = next() % 10;
            if let Ok(Some(m)) = find(&subject, &pattern, init) {
                assert!(m.start <= m.end && m.end <= subject.len());
                if let Ok(values) = m.values() {
                    for v in values {
                        if let Capture::Range(a, b) = v {
                            assert!(a <= b && b <= subject.len());
                        }
                    }
                }
                let mut out = Vec::new();
                let _ = expand_replacement(&pattern, &subject, &m, &mut out);
            }
            let mut it = MatchIter::gsub(&subject, &pattern);
            it.set_max_steps(Some(1_000_000));
            while let Ok(Some(_)) = it.next_match() {}
        }
    }
}
