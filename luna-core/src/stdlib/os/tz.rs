//! Calendar arithmetic and time zones for the `os` library, without the C
//! library: the proleptic Gregorian calendar, the local time zone read
//! from `TZ` or `/etc/localtime` (TZif files and POSIX TZ strings), and
//! the conversions PUC gets from `gmtime_r`, `localtime_r` and `mktime`.
//!
//! The zone is chosen as glibc's `tzset` chooses it: `TZ` unset uses
//! `/etc/localtime`; `TZ` empty means UTC; otherwise `TZ` (without a
//! leading `:`) names a TZif file, absolute or under `$TZDIR` (default
//! `/usr/share/zoneinfo`), and when no such file exists it is parsed as
//! a POSIX TZ string, with glibc's fallbacks for malformed strings. Times
//! after the last transition of a file follow the file's POSIX footer.
//! `mktime` follows glibc's probing algorithm, including its treatment
//! of `isdst` hints and of times in gaps and overlaps.
//!
//! A POSIX string naming daylight time without rules takes its
//! transitions from the `posixrules` file, moved as glibc moves them
//! (`__tzfile_default`), or the US rules `M3.2.0,M11.1.0` without that
//! file.

use std::io::Read;

/// Seconds in a day.
const DAY: i64 = 86_400;

/// A broken-down time (C's `struct tm`, with the full year).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tm {
    /// The year (not offset by 1900).
    pub year: i64,
    /// Month, 0-11.
    pub mon: i64,
    /// Day of the month, 1-31.
    pub mday: i64,
    pub hour: i64,
    pub min: i64,
    pub sec: i64,
    /// Day of the week, 0-6 from Sunday.
    pub wday: i64,
    /// Day of the year, 0-365.
    pub yday: i64,
    /// Daylight-saving flag (0 or 1).
    pub isdst: i64,
    /// Offset east of UTC in seconds.
    pub gmtoff: i64,
    /// The zone abbreviation.
    pub zone: Vec<u8>,
}

/// The fields `mktime` reads from a date table, as C ints.
#[derive(Clone, Copy, Debug)]
pub struct TmRequest {
    /// Years since 1900.
    pub year: i32,
    /// Month, 0-based, any value.
    pub mon: i32,
    pub mday: i32,
    pub hour: i32,
    pub min: i32,
    pub sec: i32,
    /// Negative: unknown; 0: standard time; positive: daylight time.
    pub isdst: i32,
}

/// Days from 1970-01-01 to the given date (month 1-12).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date (year, month 1-12, day) of a day count from 1970-01-01.
pub fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Whether `y` is a leap year.
pub fn is_leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

/// Breaks `t` (seconds since the epoch) shifted by `off` into calendar
/// fields; `None` when the year does not fit C's `tm_year` (an int).
pub fn breakdown(t: i64, off: i64) -> Option<Tm> {
    let local = t.checked_add(off)?;
    let days = local.div_euclid(DAY);
    let secs = local.rem_euclid(DAY);
    let (year, month, mday) = civil_from_days(days);
    if year - 1900 > i32::MAX as i64 || year - 1900 < i32::MIN as i64 {
        return None;
    }
    Some(Tm {
        year,
        mon: month - 1,
        mday,
        hour: secs / 3600,
        min: secs / 60 % 60,
        sec: secs % 60,
        wday: (days + 4).rem_euclid(7),
        yday: days - days_from_civil(year, 1, 1),
        isdst: 0,
        gmtoff: off,
        zone: Vec::new(),
    })
}

/// The seconds of a broken-down time counted as if it were UTC.
fn local_seconds(tm: &Tm) -> i64 {
    (days_from_civil(tm.year, tm.mon + 1, tm.mday) * DAY) + tm.hour * 3600 + tm.min * 60 + tm.sec
}

/// One local time type: offset, daylight flag and abbreviation.
#[derive(Clone, Debug)]
struct LocalType {
    off: i64,
    isdst: bool,
    abbr: Vec<u8>,
    /// Whether transitions to this type are given in standard time, and
    /// whether in UTC (the TZif indicators).
    isstd: bool,
    isut: bool,
}

/// How a POSIX TZ rule names its day (glibc's `J0`, `J1`, `M`).
#[derive(Clone, Copy, Debug)]
enum RuleDay {
    /// `n`: zero-based day of the year, counting February 29.
    J0(i64),
    /// `Jn`: one-based day of the year, never counting February 29.
    J1(i64),
    /// `Mm.n.d`: day `d` of week `n` (5: last) of month `m`.
    M(i64, i64, i64),
}

/// One side of a POSIX TZ string: a zone name and offset, and the rule
/// for when that side starts.
#[derive(Clone, Debug)]
struct RuleSide {
    name: Vec<u8>,
    off: i64,
    day: RuleDay,
    secs: i64,
}

impl RuleSide {
    fn zeroed() -> RuleSide {
        RuleSide { name: Vec::new(), off: 0, day: RuleDay::J0(0), secs: 0 }
    }

    /// The moment (UTC) this side's change happens in `year` (glibc's
    /// `compute_change`, including its use of 1970 for earlier years).
    fn change(&self, year: i64) -> i64 {
        let mut t = if year > 1970 { days_from_civil(year, 1, 1) * DAY } else { 0 };
        match self.day {
            RuleDay::J1(d) => {
                t += (d - 1) * DAY;
                if d >= 60 && is_leap(year) {
                    t += DAY;
                }
            }
            RuleDay::J0(d) => t += d * DAY,
            RuleDay::M(m, n, d) => {
                let leap = is_leap(year);
                t += month_start_yday(m, leap) * DAY;
                let m1 = (m + 9) % 12 + 1;
                let yy0 = if m <= 2 { year - 1 } else { year };
                let yy1 = yy0 / 100;
                let yy2 = yy0 % 100;
                let mut dow = ((26 * m1 - 2) / 10 + 1 + yy2 + yy2 / 4 + yy1 / 4 - 2 * yy1) % 7;
                if dow < 0 {
                    dow += 7;
                }
                let mut day = d - dow;
                if day < 0 {
                    day += 7;
                }
                let month_len = month_start_yday(m + 1, leap) - month_start_yday(m, leap);
                for _ in 1..n {
                    if day + 7 >= month_len {
                        break;
                    }
                    day += 7;
                }
                t += day * DAY;
            }
        }
        t - self.off + self.secs
    }
}

/// Days in the year before month `m` (1-13).
fn month_start_yday(m: i64, leap: bool) -> i64 {
    const STARTS: [i64; 13] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365];
    let i = (m - 1).clamp(0, 12) as usize;
    STARTS[i] + if leap && m > 2 { 1 } else { 0 }
}

/// A parsed POSIX TZ string: side 0 is standard time (and its rule says
/// when daylight time starts), side 1 daylight time (its rule says when
/// it ends), as glibc's `tz_rules`.
#[derive(Clone, Debug)]
struct PosixTz {
    sides: [RuleSide; 2],
}

impl PosixTz {
    /// Parses a TZ string as glibc's `__tzset_parse_tz` does, including
    /// its results for malformed strings.
    fn parse(s: &[u8]) -> PosixTz {
        PosixTz::parse_full(s).0
    }

    /// Parses a TZ string, also telling whether it names daylight time
    /// without giving rules (glibc then adapts the `posixrules` file).
    fn parse_full(s: &[u8]) -> (PosixTz, bool) {
        let mut p = TzParser { s, pos: 0 };
        let mut no_rules = false;
        let mut sides = [RuleSide::zeroed(), RuleSide::zeroed()];
        if let Some(name) = p.name() {
            sides[0].name = name;
            if let Some(off) = p.offset(true) {
                sides[0].off = off;
                if p.at_end() {
                    sides[1].name = sides[0].name.clone();
                    sides[1].off = sides[0].off;
                } else {
                    if let Some(name) = p.name() {
                        sides[1].name = name;
                        sides[1].off = p.offset(false).unwrap_or(sides[0].off + 3600);
                        let rest = &s[p.pos.min(s.len())..];
                        no_rules = rest.is_empty() || rest == b",";
                    }
                    if p.rule(&mut sides[0], true) {
                        p.rule(&mut sides[1], false);
                    }
                }
            }
        }
        (PosixTz { sides }, no_rules)
    }

    /// The offset, daylight flag and name in force at `t`; `None` when
    /// the UTC year of `t` does not fit in an int (glibc computes the
    /// rule from the UTC date).
    fn info(&self, t: i64) -> Option<(i64, bool, &[u8])> {
        let year = breakdown(t, 0)?.year;
        let c0 = self.sides[0].change(year);
        let c1 = self.sides[1].change(year);
        let isdst = if c0 > c1 { t < c1 || t >= c0 } else { t >= c0 && t < c1 };
        let side = &self.sides[usize::from(isdst)];
        Some((side.off, isdst, &side.name))
    }
}

/// A cursor over a TZ string.
struct TzParser<'a> {
    s: &'a [u8],
    pos: usize,
}

impl TzParser<'_> {
    fn peek(&self) -> u8 {
        self.s.get(self.pos).copied().unwrap_or(0)
    }

    fn at_end(&self) -> bool {
        self.pos >= self.s.len()
    }

    /// A zone name: three or more letters, or `<...>` (glibc's
    /// `parse_tzname`).
    fn name(&mut self) -> Option<Vec<u8>> {
        let start = self.pos;
        let mut p = start;
        while self.s.get(p).is_some_and(|c| c.is_ascii_alphabetic()) {
            p += 1;
        }
        if p - start >= 3 {
            self.pos = p;
            return Some(self.s[start..p].to_vec());
        }
        if self.s.get(start) != Some(&b'<') {
            return None;
        }
        let qstart = start + 1;
        let mut p = qstart;
        while self.s.get(p).is_some_and(|&c| c.is_ascii_alphanumeric() || c == b'+' || c == b'-') {
            p += 1;
        }
        if self.s.get(p) != Some(&b'>') || p - qstart < 3 {
            return None;
        }
        self.pos = p + 1;
        Some(self.s[qstart..p].to_vec())
    }

    /// An unsigned number as `sscanf("%hu")` reads it.
    fn number(&mut self) -> Option<i64> {
        let start = self.pos;
        let mut v: i64 = 0;
        while self.peek().is_ascii_digit() {
            v = (v * 10 + i64::from(self.peek() - b'0')).min(1 << 20);
            self.pos += 1;
        }
        if self.pos == start {
            None
        } else {
            Some(v & 0xffff)
        }
    }

    /// `hh[:mm[:ss]]`, as glibc's `sscanf("%hu%n:%hu%n:%hu%n")`: stops
    /// after the last complete part.
    fn hms(&mut self) -> Option<(i64, i64, i64)> {
        let hh = self.number()?;
        let mut mm = 0;
        let mut ss = 0;
        let save = self.pos;
        if self.peek() == b':' {
            self.pos += 1;
            match self.number() {
                Some(m) => {
                    mm = m;
                    let save2 = self.pos;
                    if self.peek() == b':' {
                        self.pos += 1;
                        match self.number() {
                            Some(s) => ss = s,
                            None => self.pos = save2,
                        }
                    }
                }
                None => self.pos = save,
            }
        }
        Some((hh, mm, ss))
    }

    /// A UTC offset (`[+-]hh[:mm[:ss]]`, positive west), converted to
    /// seconds east (glibc's `parse_offset`). `None` when no number is
    /// there.
    fn offset(&mut self, first: bool) -> Option<i64> {
        let c = self.peek();
        if first && !(c == b'+' || c == b'-' || c.is_ascii_digit()) {
            return None;
        }
        let sign = if c == b'-' || c == b'+' {
            self.pos += 1;
            if c == b'-' {
                1
            } else {
                -1
            }
        } else {
            -1
        };
        let (hh, mm, ss) = self.hms()?;
        Some(sign * (ss.min(59) + mm.min(59) * 60 + hh.min(24) * 3600))
    }

    /// A rule (`,date[/time]`) into `side` (glibc's `parse_rule`);
    /// an empty rule gives the US defaults.
    fn rule(&mut self, side: &mut RuleSide, first: bool) -> bool {
        if self.peek() == b',' {
            self.pos += 1;
        }
        let c = self.peek();
        if c == b'J' || c.is_ascii_digit() {
            let julian = c == b'J';
            if julian {
                self.pos += 1;
                if !self.peek().is_ascii_digit() {
                    return false;
                }
            }
            let start = self.pos;
            let mut d: i64 = 0;
            while self.peek().is_ascii_digit() {
                d = (d * 10 + i64::from(self.peek() - b'0')).min(1 << 20);
                self.pos += 1;
            }
            if self.pos == start || d > 365 || (julian && d == 0) {
                return false;
            }
            side.day = if julian { RuleDay::J1(d) } else { RuleDay::J0(d) };
        } else if c == b'M' {
            self.pos += 1;
            let m = self.number();
            let n = if self.peek() == b'.' {
                self.pos += 1;
                self.number()
            } else {
                None
            };
            let d = if self.peek() == b'.' {
                self.pos += 1;
                self.number()
            } else {
                None
            };
            match (m, n, d) {
                (Some(m), Some(n), Some(d)) if (1..=12).contains(&m) && (1..=5).contains(&n) && d <= 6 => {
                    side.day = RuleDay::M(m, n, d);
                }
                _ => return false,
            }
        } else if self.at_end() {
            side.day = if first { RuleDay::M(3, 2, 0) } else { RuleDay::M(11, 1, 0) };
        } else {
            return false;
        }
        let c = self.peek();
        if !self.at_end() && c != b'/' && c != b',' {
            return false;
        }
        if c == b'/' {
            self.pos += 1;
            if self.at_end() {
                return false;
            }
            let negative = self.peek() == b'-';
            if negative {
                self.pos += 1;
            }
            let (hh, mm, ss) = self.hms().unwrap_or((2, 0, 0));
            side.secs = (if negative { -1 } else { 1 }) * (hh * 3600 + mm * 60 + ss);
        } else {
            side.secs = 2 * 3600;
        }
        true
    }
}

/// A time zone: the transitions of a TZif file and/or a POSIX rule.
#[derive(Clone, Debug)]
pub struct Zone {
    transitions: Vec<i64>,
    type_idx: Vec<usize>,
    types: Vec<LocalType>,
    rule: Option<PosixTz>,
    /// Leap seconds: when each occurs and the total correction from then.
    leaps: Vec<(i64, i64)>,
    /// Whether the zone comes from `posixrules` adapted to a TZ string.
    default_rules: bool,
}

impl Zone {
    /// UTC, named `name`.
    pub fn utc(name: &[u8]) -> Zone {
        Zone {
            transitions: Vec::new(),
            type_idx: Vec::new(),
            types: vec![LocalType { off: 0, isdst: false, abbr: name.to_vec(), isstd: false, isut: false }],
            rule: None,
            leaps: Vec::new(),
            default_rules: false,
        }
    }

    /// The local zone as glibc's `tzset` finds it from `TZ` (the
    /// variable's value, `None` when unset).
    pub fn from_tz(tz: Option<&[u8]>) -> Zone {
        Zone::load(tz, false)
    }

    /// `from_tz` for a zone being loaded again (see `reloads_on_mktime`).
    pub fn reload(tz: Option<&[u8]>) -> Zone {
        Zone::load(tz, true)
    }

    /// Whether glibc reads this zone again at each `mktime` (a TZ string
    /// naming daylight time without rules), which changes its
    /// transitions after the first load (see `with_default_rules`).
    pub fn reloads_on_mktime(&self) -> bool {
        self.default_rules
    }

    fn load(tz: Option<&[u8]>, reloaded: bool) -> Zone {
        let spec: &[u8] = match tz {
            None => b"/etc/localtime",
            Some([]) => b"Universal",
            Some(s) => s.strip_prefix(b":").unwrap_or(s),
        };
        if let Some(z) = Zone::load_file(spec) {
            return z;
        }
        if tz.is_none() || tz == Some(b"") || spec.is_empty() {
            return Zone::utc(b"UTC");
        }
        let (rule, no_rules) = PosixTz::parse_full(spec);
        if no_rules {
            if let Some(z) = Zone::load_file(b"posixrules").and_then(|f| f.with_default_rules(&rule, reloaded)) {
                return z;
            }
        }
        Zone {
            transitions: Vec::new(),
            type_idx: Vec::new(),
            types: Vec::new(),
            rule: Some(rule),
            leaps: Vec::new(),
            default_rules: false,
        }
    }

    /// The zone of a TZ string naming daylight time without rules: the
    /// transitions of the `posixrules` file moved as glibc's
    /// `__tzfile_default` moves them, with the string's names and
    /// offsets; the file's own rule still applies after its transitions.
    /// A transition in standard wall-clock time moves by the difference
    /// between the string's standard offset and the file's latest one; a
    /// transition in daylight wall-clock time moves by the string's
    /// daylight offset minus a stale value: glibc 2.36 uses 0 the first
    /// time the zone is loaded and the string's daylight offset (left by
    /// that load) when it is loaded again, which `mktime` does each time.
    fn with_default_rules(mut self, user: &PosixTz, reloaded: bool) -> Option<Zone> {
        if self.types.len() < 2 {
            return None;
        }
        let n = self.transitions.len();
        let rule_std = if n == 0 {
            self.types[0].off
        } else {
            (0..n).rev().map(|i| &self.types[self.type_idx[i]]).find(|ty| !ty.isdst).map_or(0, |ty| ty.off)
        };
        let (std_off, dst_off) = (user.sides[0].off, user.sides[1].off);
        let dst_shift = if reloaded { 0 } else { dst_off };
        let mut isdst = false;
        for i in 0..n {
            let ty = &self.types[self.type_idx[i]];
            if ty.isut {
                // Given in UTC: nothing to correct.
            } else if isdst && !ty.isstd {
                self.transitions[i] = self.transitions[i].saturating_add(dst_shift);
            } else {
                self.transitions[i] = self.transitions[i].saturating_add(std_off - rule_std);
            }
            isdst = ty.isdst;
            self.type_idx[i] = usize::from(ty.isdst);
        }
        self.types = vec![
            LocalType { off: std_off, isdst: false, abbr: user.sides[0].name.clone(), isstd: false, isut: false },
            LocalType { off: dst_off, isdst: true, abbr: user.sides[1].name.clone(), isstd: false, isut: false },
        ];
        self.default_rules = true;
        Some(self)
    }

    /// Reads a TZif file named as `TZ` names it.
    fn load_file(spec: &[u8]) -> Option<Zone> {
        if spec.is_empty() {
            return None;
        }
        let path = if spec.first() == Some(&b'/') {
            crate::stdlib::bytes_to_path(spec)
        } else {
            let dir = std::env::var_os("TZDIR").unwrap_or_else(|| "/usr/share/zoneinfo".into());
            let mut p = std::path::PathBuf::from(dir);
            p.push(crate::stdlib::bytes_to_path(spec));
            p
        };
        // TZif files are small; the limit keeps a device or a huge file
        // named by TZ from being read whole.
        let mut data = Vec::new();
        std::fs::File::open(path).ok()?.take(1 << 22).read_to_end(&mut data).ok()?;
        parse_tzif(&data)
    }

    /// The offset, daylight flag and abbreviation in force at `t`
    /// (glibc's `__tzfile_compute`, or the rule of a TZ string); `None`
    /// when a TZ-string zone cannot place `t`.
    fn info(&self, t: i64) -> Option<(i64, bool, &[u8])> {
        let n = self.transitions.len();
        let first_std = || {
            let i = self.types.iter().position(|ty| !ty.isdst).unwrap_or(0);
            self.types.get(i)
        };
        let ty = if n == 0 || t < self.transitions[0] {
            if self.types.is_empty() {
                if let Some(r) = &self.rule {
                    return r.info(t);
                }
            }
            first_std()
        } else if t >= self.transitions[n - 1] {
            if let Some(info) = self.rule.as_ref().and_then(|r| r.info(t)) {
                return Some(info);
            }
            self.type_idx.get(n - 1).and_then(|&i| self.types.get(i))
        } else {
            // The last transition at or before t.
            let i = self.transitions.partition_point(|&x| x <= t) - 1;
            self.type_idx.get(i).and_then(|&i| self.types.get(i))
        };
        match ty {
            Some(ty) => Some((ty.off, ty.isdst, &ty.abbr)),
            None => Some((0, false, b"UTC")),
        }
    }

    /// `localtime_r`: the local fields of `t`, or `None` when the year
    /// does not fit.
    pub fn localtime(&self, t: i64) -> Option<Tm> {
        let (off, isdst, abbr) = self.info(t)?;
        let (correction, hit) = self.leap_correction(t);
        let mut tm = breakdown(t, off - correction)?;
        tm.sec += hit;
        tm.gmtoff = off;
        tm.isdst = i64::from(isdst);
        tm.zone = abbr.to_vec();
        Some(tm)
    }

    /// `gmtime_r`: UTC fields, with the zone name glibc gives ("GMT");
    /// the zone's leap seconds apply, as in glibc.
    pub fn gmtime(&self, t: i64) -> Option<Tm> {
        let (correction, hit) = self.leap_correction(t);
        let mut tm = breakdown(t, -correction)?;
        tm.sec += hit;
        tm.gmtoff = 0;
        tm.zone = b"GMT".to_vec();
        Some(tm)
    }

    /// The leap-second correction at `t`, and how many leap seconds `t`
    /// is inside of (glibc's `__tzfile_compute`).
    fn leap_correction(&self, t: i64) -> (i64, i64) {
        let i = self.leaps.partition_point(|&(at, _)| at <= t);
        if i == 0 {
            return (0, 0);
        }
        let mut i = i - 1;
        let (at, corr) = self.leaps[i];
        let mut hit = 0;
        let prev = if i == 0 { 0 } else { self.leaps[i - 1].1 };
        if t == at && corr > prev {
            hit = 1;
            while i > 0 && self.leaps[i].0 == self.leaps[i - 1].0 + 1 && self.leaps[i].1 == self.leaps[i - 1].1 + 1 {
                hit += 1;
                i -= 1;
            }
        }
        (corr, hit)
    }

    /// `localtime` for mktime's probes (glibc's `ranged_convert`): when
    /// `*t` cannot be converted, moves it to the convertible time closest
    /// to it on the way to 0, found by bisection.
    fn ranged_localtime(&self, t: &mut i64) -> Option<Tm> {
        if let Some(tm) = self.localtime(*t) {
            return Some(tm);
        }
        let mut bad = *t;
        let mut ok: i64 = 0;
        let mut ok_tm = None;
        loop {
            // The average rounded towards minus infinity, without overflow.
            let mid = (ok >> 1) + (bad >> 1) + (ok & bad & 1);
            if mid == ok || mid == bad {
                break;
            }
            match self.localtime(mid) {
                Some(tm) => {
                    ok = mid;
                    ok_tm = Some(tm);
                }
                None => bad = mid,
            }
        }
        let tm = ok_tm?;
        *t = ok;
        Some(tm)
    }

    /// `mktime`: the time of the (possibly out-of-range) local fields in
    /// `req`, and its normalised fields; `None` where mktime returns -1
    /// for an error. `guess` is the UTC offset to try first (glibc keeps
    /// the last one found), updated on success.
    pub fn mktime(&self, req: &TmRequest, guess: &mut i64) -> Option<(i64, Tm)> {
        let isdst = req.isdst;
        let sec_requested = i64::from(req.sec);
        let sec = sec_requested.clamp(0, 59);
        let mon = i64::from(req.mon);
        let year = i64::from(req.year) + 1900 + mon.div_euclid(12);
        let days = days_from_civil(year, mon.rem_euclid(12) + 1, 1) + i64::from(req.mday) - 1;
        let local = days * DAY + i64::from(req.hour) * 3600 + i64::from(req.min) * 60 + sec;
        let t0 = local.checked_sub(*guess)?;
        let (mut t, mut t1, mut t2) = (t0, t0, t0);
        let mut dst2 = false;
        let mut remaining = 6;
        let mut oscillating = false;
        let mut tm;
        loop {
            tm = self.ranged_localtime(&mut t)?;
            let gt = t.checked_add(local - local_seconds(&tm))?;
            if t == gt {
                break;
            }
            let want = if isdst < 0 { !dst2 || tm.isdst != 0 } else { (isdst != 0) != (tm.isdst != 0) };
            if t == t1 && t != t2 && want {
                oscillating = true;
                break;
            }
            remaining -= 1;
            if remaining == 0 {
                return None;
            }
            t1 = t2;
            t2 = t;
            t = gt;
            dst2 = tm.isdst != 0;
        }
        if !oscillating && isdst >= 0 && (isdst != 0) != (tm.isdst != 0) {
            // Look for a neighbouring time with the requested flag and
            // use its offset; failing that, assume a one-hour shift.
            let dst_difference = i64::from(isdst == 0) - i64::from(tm.isdst == 0);
            let stride: i64 = 601_200;
            let duration_max: i64 = 457_243_200;
            let delta_bound = duration_max / 2 + stride;
            let mut found = None;
            let mut delta = stride;
            'search: while delta < delta_bound {
                for direction in [-1i64, 1] {
                    if let Some(mut ot) = t.checked_add(delta * direction) {
                        let otm = self.ranged_localtime(&mut ot)?;
                        if (isdst != 0) == (otm.isdst != 0) {
                            let gt = ot + (local - local_seconds(&otm));
                            if let Some(gtm) = self.localtime(gt) {
                                found = Some((gt, gtm));
                                break 'search;
                            }
                        }
                    }
                }
                delta += stride;
            }
            match found {
                Some((gt, gtm)) => {
                    t = gt;
                    tm = gtm;
                }
                None => {
                    t = t.checked_add(3600 * dst_difference)?;
                    tm = self.localtime(t)?;
                }
            }
        }
        *guess = local - t;
        if sec_requested != tm.sec {
            let adjust = i64::from(sec == 0 && tm.sec == 60) - sec + sec_requested;
            t = t.checked_add(adjust)?;
            tm = self.localtime(t)?;
        }
        Some((t, tm))
    }
}

/// Reads a big-endian integer of `N` bytes at `*pos`, advancing it.
fn read_be<const N: usize>(data: &[u8], pos: &mut usize) -> Option<i64> {
    let bytes = data.get(*pos..*pos + N)?;
    *pos += N;
    let mut v: u64 = 0;
    for &b in bytes {
        v = (v << 8) | u64::from(b);
    }
    // Sign-extend from N bytes.
    let shift = 64 - 8 * N as u32;
    Some(((v << shift) as i64) >> shift)
}

/// Parses a TZif file (RFC 8536), preferring the 64-bit data of version
/// 2 and later, with its POSIX TZ footer.
fn parse_tzif(data: &[u8]) -> Option<Zone> {
    let mut pos = 0;
    let (version, counts) = tzif_header(data, &mut pos)?;
    let [isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt] = counts;
    if version >= b'2' {
        // Skip the 32-bit data block and read the second header.
        pos += timecnt * 5 + typecnt * 6 + charcnt + leapcnt * 8 + isstdcnt + isutcnt;
        let (_, counts) = tzif_header(data, &mut pos)?;
        let mut zone = tzif_block(data, &mut pos, counts, 8)?;
        if data.get(pos) == Some(&b'\n') {
            let rest = data.get(pos + 1..).unwrap_or(&[]);
            let end = rest.iter().position(|&c| c == b'\n').unwrap_or(rest.len());
            let footer = &rest[..end];
            if !footer.is_empty() {
                zone.rule = Some(PosixTz::parse(footer));
            }
        }
        Some(zone)
    } else {
        tzif_block(data, &mut pos, counts, 4)
    }
}

/// Reads a TZif header: the version byte and the six counts.
fn tzif_header(data: &[u8], pos: &mut usize) -> Option<(u8, [usize; 6])> {
    if data.get(*pos..*pos + 4)? != b"TZif" {
        return None;
    }
    let version = *data.get(*pos + 4)?;
    *pos += 20;
    let mut counts = [0usize; 6];
    for c in &mut counts {
        *c = usize::try_from(read_be::<4>(data, pos)?).ok()?;
    }
    if counts[4] == 0 || counts[4] > 256 {
        return None;
    }
    Some((version, counts))
}

/// Reads the transitions, types and abbreviations of one data block with
/// `size`-byte times.
fn tzif_block(data: &[u8], pos: &mut usize, counts: [usize; 6], size: usize) -> Option<Zone> {
    let [isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt] = counts;
    let mut transitions = Vec::with_capacity(timecnt.min(4096));
    for _ in 0..timecnt {
        let t = if size == 8 { read_be::<8>(data, pos)? } else { read_be::<4>(data, pos)? };
        transitions.push(t);
    }
    let mut type_idx = Vec::with_capacity(timecnt.min(4096));
    for _ in 0..timecnt {
        let i = *data.get(*pos)? as usize;
        *pos += 1;
        if i >= typecnt {
            return None;
        }
        type_idx.push(i);
    }
    let mut raw_types = Vec::with_capacity(typecnt);
    for _ in 0..typecnt {
        let off = read_be::<4>(data, pos)?;
        let isdst = *data.get(*pos)? != 0;
        let abbr_idx = *data.get(*pos + 1)? as usize;
        *pos += 2;
        raw_types.push((off, isdst, abbr_idx));
    }
    let chars = data.get(*pos..*pos + charcnt)?;
    *pos += charcnt;
    let types = raw_types
        .into_iter()
        .map(|(off, isdst, i)| {
            let s = chars.get(i..).unwrap_or(&[]);
            let end = s.iter().position(|&c| c == 0).unwrap_or(s.len());
            LocalType { off, isdst, abbr: s[..end].to_vec(), isstd: false, isut: false }
        })
        .collect::<Vec<_>>();
    let mut leaps = Vec::with_capacity(leapcnt.min(4096));
    for _ in 0..leapcnt {
        let at = if size == 8 { read_be::<8>(data, pos)? } else { read_be::<4>(data, pos)? };
        let corr = read_be::<4>(data, pos)?;
        leaps.push((at, corr));
    }
    let mut types = types;
    for i in 0..isstdcnt {
        let flag = *data.get(*pos)? != 0;
        *pos += 1;
        if let Some(ty) = types.get_mut(i) {
            ty.isstd = flag;
        }
    }
    for i in 0..isutcnt {
        let flag = *data.get(*pos)? != 0;
        *pos += 1;
        if let Some(ty) = types.get_mut(i) {
            ty.isut = flag;
        }
    }
    Some(Zone { transitions, type_idx, types, rule: None, leaps, default_rules: false })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_round_trip() {
        for z in [-800_000i64, -719_468, -1, 0, 1, 59, 60, 365, 10_957, 2_932_896] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    }

    /// Runs mktime as a fresh PUC process would (offset guess 0) and
    /// returns the time, the normalised hour and the daylight flag.
    fn mk(tz: &[u8], mon: i32, mday: i32, hour: i32, min: i32, isdst: i32) -> (i64, i64, i64) {
        let z = Zone::from_tz(Some(tz));
        let req = TmRequest { year: 124, mon: mon - 1, mday, hour, min, sec: 0, isdst };
        let mut guess = 0;
        let (t, tm) = z.mktime(&req, &mut guess).expect("mktime");
        (t, tm.hour, tm.isdst)
    }

    #[test]
    fn mktime_matches_glibc() {
        // Values from PUC Lua 5.4.8 on glibc, one fresh process per case.
        let cet = b"CET-1CEST,M3.5.0,M10.5.0/3";
        // In the spring-forward gap.
        assert_eq!(mk(cet, 3, 31, 2, 30, -1), (1_711_848_600, 3, 1));
        assert_eq!(mk(cet, 3, 31, 2, 30, 1), (1_711_845_000, 1, 0));
        assert_eq!(mk(cet, 3, 31, 2, 30, 0), (1_711_848_600, 3, 1));
        // In the fall-back overlap.
        assert_eq!(mk(cet, 10, 27, 2, 30, -1), (1_729_992_600, 2, 0));
        assert_eq!(mk(cet, 10, 27, 2, 30, 1), (1_729_989_000, 2, 1));
        assert_eq!(mk(cet, 10, 27, 2, 30, 0), (1_729_992_600, 2, 0));
        // A daylight flag contradicting the date.
        assert_eq!(mk(cet, 1, 1, 12, 0, 1), (1_704_103_200, 11, 0));
        assert_eq!(mk(cet, 7, 1, 12, 0, 0), (1_719_831_600, 13, 1));
        // A zone without daylight time assumes a one-hour shift.
        assert_eq!(mk(b"UTC0", 1, 1, 12, 0, 1), (1_704_106_800, 11, 0));
        assert_eq!(mk(b"UTC0", 7, 1, 12, 0, 0), (1_719_835_200, 12, 0));
    }

    #[test]
    fn malformed_tz_strings() {
        // glibc keeps a valid name with offset 0, or no name at all.
        let z = Zone::from_tz(Some(b"Nowhere/Land"));
        assert_eq!(z.info(0), Some((0, false, &b"Nowhere"[..])));
        let z = Zone::from_tz(Some(b"AB"));
        assert_eq!(z.info(0), Some((0, false, &b""[..])));
        let z = Zone::from_tz(Some(b"EST25"));
        assert_eq!(z.info(0).map(|i| i.0), Some(-24 * 3600));
        let z = Zone::from_tz(Some(b"<+0330>-3:30"));
        assert_eq!(z.info(0), Some((12_600, false, &b"+0330"[..])));
        // Southern-hemisphere rules wrap around the year.
        let z = Zone::from_tz(Some(b"AAA3BBB,M10.1.0,M3.1.0"));
        assert_eq!(z.info(1_720_000_000), Some((-3 * 3600, false, &b"AAA"[..])));
        assert_eq!(z.info(0), Some((-2 * 3600, true, &b"BBB"[..])));
    }

    /// Exercises a zone at many times, in both directions.
    fn exercise(z: &Zone) {
        let mut guess = 0;
        for &t in &[i64::MIN, -(1 << 59), -1, 0, 1_720_000_000, 1 << 40, i64::MAX] {
            let _ = z.localtime(t);
            let _ = z.gmtime(t);
        }
        for &(year, mon, isdst) in &[(-1900, 0, -1), (124, 2, 1), (i32::MAX, 11, 0), (i32::MIN, -5, 1)] {
            let req = TmRequest { year, mon, mday: 31, hour: 2, min: 30, sec: 61, isdst };
            let _ = z.mktime(&req, &mut guess);
        }
    }

    #[test]
    fn malformed_inputs_never_panic() {
        let mut seed: u64 = 12345;
        let mut next = move || {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 33) as usize
        };
        let specs: [&[u8]; 12] = [
            b"",
            b"<",
            b"<abc",
            b"<ab>1",
            b"ABC+",
            b"ABC-99:99:99DEF+99,J0,J366",
            b"A\xffB",
            b"XYZ3ABC,M13.1.0,M3.6.7",
            b"XYZ3ABC,M3.2.0/-999,M11.1.0/99999",
            b"XYZ3ABC,,",
            b"XYZ3ABC,J60/,",
            b"ABC65535DEF65535:65535:65535",
        ];
        for spec in specs {
            exercise(&Zone::from_tz(Some(spec)));
        }
        let Ok(data) = std::fs::read("/usr/share/zoneinfo/America/New_York") else {
            return;
        };
        for cut in (0..data.len()).step_by(7) {
            if let Some(z) = parse_tzif(&data[..cut]) {
                exercise(&z);
            }
        }
        for _ in 0..300 {
            let mut d = data.clone();
            for _ in 0..4 {
                let i = next() % d.len();
                d[i] = next() as u8;
            }
            if let Some(z) = parse_tzif(&d) {
                exercise(&z);
                if let Some(z) = z.with_default_rules(&PosixTz::parse(b"AAA3BBB"), false) {
                    exercise(&z);
                }
            }
        }
    }

    #[test]
    fn posix_rules() {
        let z = Zone::from_tz(Some(b"CET-1CEST,M3.5.0,M10.5.0/3"));
        // 2024-07-03 09:46:40 UTC is summer time in Paris.
        let (off, isdst, name) = z.info(1_720_000_000).unwrap_or_default();
        assert_eq!((off, isdst, name), (7200, true, &b"CEST"[..]));
        let (off, isdst, _) = z.info(1_709_000_000).unwrap_or_default();
        assert_eq!((off, isdst), (3600, false));
    }
}
