//! The `os` library (PUC's loslib.c): `clock`, `date`, `difftime`,
//! `execute`, `exit`, `getenv`, `remove`, `rename`, `setlocale`, `time`
//! and `tmpname`, written on the Rust standard library alone (no C
//! library calls).
//!
//! Choices where the C library is not available:
//! - `os.clock` is the CPU time of the calling thread, read from
//!   `/proc/thread-self/schedstat` (nanoseconds, shown with C's `clock()`
//!   resolution of a microsecond). The luna interpreter runs Lua on one
//!   thread, so this is the process's CPU time as PUC reports it; an
//!   embedder running a state on its own thread gets that thread's time.
//!   Without that file it falls back to `/proc/self/stat` (user + system
//!   time in ticks of 1/100 s), and elsewhere to the wall-clock time since
//!   the first call.
//! - Local time comes from the `tz` module (TZif files and POSIX TZ
//!   strings, chosen as glibc chooses them); `os.date` formats in the C
//!   locale, with every conversion C99 defines.
//! - `os.setlocale` knows only the "C" locale: querying returns "C",
//!   setting "", "C" or "POSIX" returns "C", any other name fails.
//! - `os.exit` flushes the standard output and ends the process. With
//!   `close` true PUC first closes the state (running pending finalizers
//!   and closing to-be-closed variables); a native function cannot close
//!   the state it runs in, so here `close` only flushes, as without it.
//! - `os.execute` runs the command with `/bin/sh -c`, flushing the
//!   standard output first so the command's output comes after what Lua
//!   printed.

mod tz;

use std::io::Write;
use std::rc::Rc;

use crate::gc::Gc;
use crate::object::table::Table;
use crate::state::State;
use crate::stdlib::c_str;
use crate::value::{Type, Value};
use crate::vm::arith::{self, F2I};
use crate::vm::debug::ValLoc;
use crate::vm::LResult;

pub use tz::{Tm, TmRequest, Zone};

/// Creates the library table.
pub fn open(st: &mut State) -> LResult<Gc<Table>> {
    st.new_lib(&[
        ("clock", clock),
        ("date", date),
        ("difftime", difftime),
        ("execute", execute),
        ("exit", exit),
        ("getenv", getenv),
        ("remove", remove),
        ("rename", rename),
        ("setlocale", setlocale),
        ("time", time),
        ("tmpname", tmpname),
    ])
}

/// The library's state: the local zone (with the `TZ` value it was
/// loaded for, and whether it was loaded again), and `mktime`'s offset
/// guess.
#[derive(Default)]
struct OsState {
    zone: Option<(Option<Vec<u8>>, bool, Rc<Zone>)>,
    mktime_guess: i64,
}

/// The local time zone, loaded when first needed and when `TZ` changes.
/// `for_mktime` says the zone is for `mktime`, which loads some zones
/// again (see `Zone::reloads_on_mktime`).
fn local_zone(st: &mut State, for_mktime: bool) -> Rc<Zone> {
    let tz = std::env::var_os("TZ").map(os_bytes);
    if st.ext::<OsState>().is_none() {
        st.set_ext(OsState::default());
    }
    let Some(os) = st.ext_mut::<OsState>() else {
        return Rc::new(Zone::from_tz(tz.as_deref()));
    };
    match &os.zone {
        Some((key, reloaded, z)) if *key == tz => {
            if !for_mktime || *reloaded || !z.reloads_on_mktime() {
                return Rc::clone(z);
            }
            let z = Rc::new(Zone::reload(tz.as_deref()));
            os.zone = Some((tz, true, Rc::clone(&z)));
            z
        }
        _ => {
            let z = Rc::new(Zone::from_tz(tz.as_deref()));
            os.zone = Some((tz, false, Rc::clone(&z)));
            z
        }
    }
}

/// The bytes of an OS string.
fn os_bytes(s: std::ffi::OsString) -> Vec<u8> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt;
        s.into_vec()
    }
    #[cfg(not(unix))]
    {
        s.to_string_lossy().into_owned().into_bytes()
    }
}

/// The current time in seconds since the epoch (C's `time(NULL)`).
fn now() -> i64 {
    match std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs() as i64),
    }
}

// ----------------------------------------------------------------------
// clock

/// `os.clock()`: CPU time in seconds.
fn clock(st: &mut State) -> LResult<usize> {
    let micros = cpu_micros();
    st.push(Value::Float(micros as f64 / 1e6));
    Ok(1)
}

/// CPU time in microseconds, from the sources described in the module
/// documentation.
fn cpu_micros() -> u64 {
    if let Ok(s) = std::fs::read_to_string("/proc/thread-self/schedstat") {
        if let Some(ns) = s.split_whitespace().next().and_then(|f| f.parse::<u64>().ok()) {
            return ns / 1000;
        }
    }
    if let Ok(s) = std::fs::read_to_string("/proc/self/stat") {
        // Fields 14 and 15 (utime, stime) follow the parenthesised name.
        if let Some(rest) = s.rfind(')').map(|i| &s[i + 1..]) {
            let f: Vec<&str> = rest.split_whitespace().collect();
            if let (Some(u), Some(s)) = (f.get(11), f.get(12)) {
                if let (Ok(u), Ok(s)) = (u.parse::<u64>(), s.parse::<u64>()) {
                    return (u + s) * 10_000;
                }
            }
        }
    }
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    START.get_or_init(std::time::Instant::now).elapsed().as_micros() as u64
}

// ----------------------------------------------------------------------
// date and time

/// The conversions `os.date` accepts (PUC's C99 `LUA_STRFTIMEOPTIONS`):
/// one-character ones, then two-character ones.
const OPTIONS_1: &[u8] = b"aAbBcCdDeFgGhHIjmMnprRStTuUVwWxXyYzZ%";
const OPTIONS_2: &[&[u8]] = &[
    b"Ec", b"EC", b"Ex", b"EX", b"Ey", b"EY", b"Od", b"Oe", b"OH", b"OI", b"Om", b"OM", b"OS", b"Ou", b"OU", b"OV",
    b"Ow", b"OW", b"Oy",
];

/// `os.date([format [, time]])`.
fn date(st: &mut State) -> LResult<usize> {
    let fmt: Vec<u8> = match st.opt_str(1)? {
        Some(s) => s.as_bytes().to_vec(),
        None => b"%c".to_vec(),
    };
    let t = if st.arg(2).is_nil() { now() } else { st.check_integer(2)? };
    let (utc, spec) = match fmt.strip_prefix(b"!") {
        Some(rest) => (true, rest),
        None => (false, &fmt[..]),
    };
    let zone = local_zone(st, false);
    let tm = if utc { zone.gmtime(t) } else { zone.localtime(t) };
    let tm = match tm {
        Some(tm) => tm,
        None => return Err(st.error_msg("date result cannot be represented in this installation")),
    };
    if c_str(spec) == b"*t" {
        let tab = st.new_table_with(0, 9)?;
        st.push(Value::Table(tab));
        set_all_fields(st, Value::Table(tab), &tm)?;
        return Ok(1);
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < spec.len() {
        if spec[i] != b'%' {
            out.push(spec[i]);
            i += 1;
            continue;
        }
        i += 1;
        let conv = &spec[i..];
        let len = if conv.first().is_some_and(|c| OPTIONS_1.contains(c)) {
            1
        } else if conv.len() >= 2 && OPTIONS_2.contains(&&conv[..2]) {
            2
        } else {
            let shown = String::from_utf8_lossy(c_str(conv)).into_owned();
            return Err(st.arg_error(1, &format!("invalid conversion specifier '%{shown}'")));
        };
        format_conv(&mut out, conv[len - 1], &tm);
        i += len;
    }
    let s = st.str_value(out)?;
    st.push(s);
    Ok(1)
}

/// Sets the fields of a date table from `tm` (PUC's `setallfields`),
/// through metamethods.
fn set_all_fields(st: &mut State, t: Value, tm: &Tm) -> LResult<()> {
    let fields = [
        ("year", tm.year),
        ("month", tm.mon + 1),
        ("day", tm.mday),
        ("hour", tm.hour),
        ("min", tm.min),
        ("sec", tm.sec),
        ("yday", tm.yday + 1),
        ("wday", tm.wday + 1),
    ];
    for (k, v) in fields {
        let key = st.new_str(k.as_bytes())?;
        st.set_index(t, Value::Str(key), Value::Int(v), ValLoc::Other)?;
    }
    let key = st.new_str(b"isdst")?;
    st.set_index(t, Value::Str(key), Value::Bool(tm.isdst != 0), ValLoc::Other)
}

/// Abbreviated and full day and month names of the C locale.
const WDAY_ABBR: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const WDAY_FULL: [&str; 7] = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MON_ABBR: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const MON_FULL: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Appends one `strftime` conversion (`c`, the last character of the
/// specifier: the `E` and `O` modifiers change nothing in the C locale),
/// with glibc's output for out-of-range years.
fn format_conv(out: &mut Vec<u8>, c: u8, tm: &Tm) {
    let name = |names: &[&'static str], i: i64| -> &'static str { names.get(i as usize).copied().unwrap_or("?") };
    let text = match c {
        b'a' => name(&WDAY_ABBR, tm.wday).to_string(),
        b'A' => name(&WDAY_FULL, tm.wday).to_string(),
        b'b' | b'h' => name(&MON_ABBR, tm.mon).to_string(),
        b'B' => name(&MON_FULL, tm.mon).to_string(),
        b'c' => return format_seq(out, tm, b"%a %b %e %H:%M:%S %Y"),
        b'C' => tm.year.div_euclid(100).to_string(),
        b'd' => format!("{:02}", tm.mday),
        b'D' | b'x' => return format_seq(out, tm, b"%m/%d/%y"),
        b'e' => format!("{:2}", tm.mday),
        b'F' => return format_seq(out, tm, b"%Y-%m-%d"),
        b'g' => format!("{:02}", iso_week(tm).0.rem_euclid(100)),
        b'G' => iso_week(tm).0.to_string(),
        b'H' => format!("{:02}", tm.hour),
        b'I' => format!("{:02}", if tm.hour % 12 == 0 { 12 } else { tm.hour % 12 }),
        b'j' => format!("{:03}", tm.yday + 1),
        b'm' => format!("{:02}", tm.mon + 1),
        b'M' => format!("{:02}", tm.min),
        b'n' => "\n".to_string(),
        b'p' => (if tm.hour > 11 { "PM" } else { "AM" }).to_string(),
        b'r' => return format_seq(out, tm, b"%I:%M:%S %p"),
        b'R' => return format_seq(out, tm, b"%H:%M"),
        b'S' => format!("{:02}", tm.sec),
        b't' => "\t".to_string(),
        b'T' | b'X' => return format_seq(out, tm, b"%H:%M:%S"),
        b'u' => ((tm.wday + 6) % 7 + 1).to_string(),
        b'U' => format!("{:02}", (tm.yday + 7 - tm.wday) / 7),
        b'V' => format!("{:02}", iso_week(tm).1),
        b'w' => tm.wday.to_string(),
        b'W' => format!("{:02}", (tm.yday + 7 - (tm.wday + 6) % 7) / 7),
        b'y' => format!("{:02}", tm.year.rem_euclid(100)),
        b'Y' => tm.year.to_string(),
        b'z' => {
            let sign = if tm.gmtoff < 0 { '-' } else { '+' };
            let d = tm.gmtoff.abs();
            format!("{sign}{:02}{:02}", d / 3600, d / 60 % 60)
        }
        b'Z' => {
            out.extend_from_slice(&tm.zone);
            return;
        }
        _ => "%".to_string(),
    };
    out.extend_from_slice(text.as_bytes());
}

/// Formats a composite conversion given as a format string.
fn format_seq(out: &mut Vec<u8>, tm: &Tm, fmt: &[u8]) {
    let mut i = 0;
    while i < fmt.len() {
        if fmt[i] == b'%' && i + 1 < fmt.len() {
            format_conv(out, fmt[i + 1], tm);
            i += 2;
        } else {
            out.push(fmt[i]);
            i += 1;
        }
    }
}

/// The ISO 8601 week-based year and week number of `tm` (glibc's
/// `iso_week_days` computation).
fn iso_week(tm: &Tm) -> (i64, i64) {
    fn week_days(yday: i64, wday: i64) -> i64 {
        let big = (366 / 7 + 2) * 7;
        yday - (yday - wday + 4 + big) % 7 + 3
    }
    let leap = |y: i64| i64::from(tz::is_leap(y));
    let mut year = tm.year;
    let mut days = week_days(tm.yday, tm.wday);
    if days < 0 {
        year -= 1;
        days = week_days(tm.yday + 365 + leap(tm.year - 1), tm.wday);
    } else {
        let d = week_days(tm.yday - (365 + leap(tm.year)), tm.wday);
        if d >= 0 {
            year += 1;
            days = d;
        }
    }
    (year, days / 7 + 1)
}

/// Reads an integer field of a date table (PUC's `getfield`); `d` is the
/// default (negative: required), `delta` is subtracted from the value.
fn get_field(st: &mut State, t: Value, key: &str, d: i32, delta: i64) -> LResult<i32> {
    let k = st.new_str(key.as_bytes())?;
    let v = st.index(t, Value::Str(k), ValLoc::Other)?;
    match arith::to_integer(&v, F2I::Exact) {
        Some(res) => {
            let ok = if res >= 0 { res - delta <= i32::MAX as i64 } else { i32::MIN as i64 + delta <= res };
            if !ok {
                return Err(st.error_msg(&format!("field '{key}' is out-of-bound")));
            }
            Ok((res - delta) as i32)
        }
        None if !v.is_nil() => Err(st.error_msg(&format!("field '{key}' is not an integer"))),
        None if d < 0 => Err(st.error_msg(&format!("field '{key}' missing in date table"))),
        None => Ok(d),
    }
}

/// `os.time([table])`.
fn time(st: &mut State) -> LResult<usize> {
    if st.arg(1).is_nil() {
        st.push(Value::Int(now()));
        return Ok(1);
    }
    st.check_type(1, Type::Table)?;
    let base = st.frame_base();
    st.set_top(base + 2);
    let t = st.arg(1);
    let year = get_field(st, t, "year", -1, 1900)?;
    let mon = get_field(st, t, "month", -1, 1)?;
    let mday = get_field(st, t, "day", -1, 0)?;
    let hour = get_field(st, t, "hour", 12, 0)?;
    let min = get_field(st, t, "min", 0, 0)?;
    let sec = get_field(st, t, "sec", 0, 0)?;
    let k = st.new_str(b"isdst")?;
    let v = st.index(t, Value::Str(k), ValLoc::Other)?;
    let isdst = if v.is_nil() { -1 } else { i32::from(!v.is_falsy()) };
    let req = TmRequest { year, mon, mday, hour, min, sec, isdst };
    let zone = local_zone(st, true);
    let mut guess = st.ext::<OsState>().map_or(0, |o| o.mktime_guess);
    let result = zone.mktime(&req, &mut guess);
    if let Some(o) = st.ext_mut::<OsState>() {
        o.mktime_guess = guess;
    }
    match result {
        Some((secs, tm)) => {
            set_all_fields(st, t, &tm)?;
            if secs == -1 {
                return Err(st.error_msg("time result cannot be represented in this installation"));
            }
            st.push(Value::Int(secs));
            Ok(1)
        }
        None => {
            // mktime leaves the structure as it was: PUC stores the
            // requested fields back (the day of the week and of the year
            // are undefined and left alone here).
            let fields = [
                ("year", i64::from(year) + 1900),
                ("month", i64::from(mon) + 1),
                ("day", i64::from(mday)),
                ("hour", i64::from(hour)),
                ("min", i64::from(min)),
                ("sec", i64::from(sec)),
            ];
            for (k, v) in fields {
                let key = st.new_str(k.as_bytes())?;
                st.set_index(t, Value::Str(key), Value::Int(v), ValLoc::Other)?;
            }
            if isdst >= 0 {
                let key = st.new_str(b"isdst")?;
                st.set_index(t, Value::Str(key), Value::Bool(isdst != 0), ValLoc::Other)?;
            }
            Err(st.error_msg("time result cannot be represented in this installation"))
        }
    }
}

/// `os.difftime(t2, t1)`: `t2 - t1` in seconds, as a float.
fn difftime(st: &mut State) -> LResult<usize> {
    let t1 = st.check_integer(1)?;
    let t2 = st.check_integer(2)?;
    st.push(Value::Float((i128::from(t1) - i128::from(t2)) as f64));
    Ok(1)
}

// ----------------------------------------------------------------------
// System and files

/// Pushes the failure triple of PUC's `luaL_fileresult`: nil, the message
/// (prefixed with `fname`), and the error number.
fn file_error(st: &mut State, e: &std::io::Error, fname: Option<&[u8]>) -> LResult<usize> {
    let errno = e.raw_os_error().unwrap_or(0);
    let text = if errno != 0 { crate::stdlib::os_error_text(e) } else { "(no extra info)".to_string() };
    let mut msg = Vec::new();
    if let Some(f) = fname {
        msg.extend_from_slice(f);
        msg.extend_from_slice(b": ");
    }
    msg.extend_from_slice(text.as_bytes());
    st.push(Value::Nil);
    let m = st.str_value(msg)?;
    st.push(m);
    st.push(Value::Int(i64::from(errno)));
    Ok(3)
}

/// `os.execute([command])`.
fn execute(st: &mut State) -> LResult<usize> {
    let cmd = match st.opt_str(1)? {
        Some(c) => c_str(c.as_bytes()).to_vec(),
        None => {
            let has_shell = std::path::Path::new("/bin/sh").exists();
            st.push(Value::Bool(has_shell));
            return Ok(1);
        }
    };
    crate::stdlib::io::flush_all(st);
    let status = crate::stdlib::shell_command(&cmd).status();
    let status = match status {
        Ok(s) => s,
        Err(e) => return file_error(st, &e, None),
    };
    let (what, code) = match status.code() {
        Some(c) => ("exit", c),
        None => ("signal", exit_signal(&status)),
    };
    st.push(if what == "exit" && code == 0 { Value::Bool(true) } else { Value::Nil });
    let w = st.str_value(what)?;
    st.push(w);
    st.push(Value::Int(i64::from(code)));
    Ok(3)
}

/// The signal that ended a process.
fn exit_signal(status: &std::process::ExitStatus) -> i32 {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        status.signal().unwrap_or(0)
    }
    #[cfg(not(unix))]
    {
        let _ = status;
        0
    }
}

/// `os.exit([code [, close]])`.
fn exit(st: &mut State) -> LResult<usize> {
    let status = match st.arg(1) {
        Value::Bool(b) => i32::from(!b),
        _ => st.opt_integer(1, 0)? as i32,
    };
    let close = !st.arg(2).is_falsy();
    crate::stdlib::io::flush_all(st);
    if close {
        // As `lua_close` inside PUC's `os.exit`: close pending variables,
        // run every finalizer, free the state. Nothing returns into the
        // frames below, since the process ends right after.
        st.close_state();
        crate::stdlib::io::flush_stdout();
    }
    let _ = std::io::stderr().flush();
    std::process::exit(status)
}

/// `os.getenv(name)`.
fn getenv(st: &mut State) -> LResult<usize> {
    let name = st.check_str(1)?;
    let key = c_str(name.as_bytes()).to_vec();
    let v = if key.is_empty() { None } else { std::env::var_os(crate::stdlib::bytes_to_path(&key).as_os_str()) };
    match v {
        Some(v) => {
            let s = st.str_value(os_bytes(v))?;
            st.push(s);
        }
        None => st.push(Value::Nil),
    }
    Ok(1)
}

/// `os.remove(name)`: removes a file or an empty directory.
fn remove(st: &mut State) -> LResult<usize> {
    let name = st.check_str(1)?;
    let name = c_str(name.as_bytes()).to_vec();
    let path = crate::stdlib::bytes_to_path(&name);
    let r = match std::fs::remove_file(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::IsADirectory => std::fs::remove_dir(&path),
        other => other,
    };
    match r {
        Ok(()) => {
            st.push(Value::Bool(true));
            Ok(1)
        }
        Err(e) => file_error(st, &e, Some(&name)),
    }
}

/// `os.rename(old, new)`.
fn rename(st: &mut State) -> LResult<usize> {
    let from = st.check_str(1)?;
    let to = st.check_str(2)?;
    let from = crate::stdlib::bytes_to_path(c_str(from.as_bytes()));
    let to = crate::stdlib::bytes_to_path(c_str(to.as_bytes()));
    match std::fs::rename(from, to) {
        Ok(()) => {
            st.push(Value::Bool(true));
            Ok(1)
        }
        Err(e) => file_error(st, &e, None),
    }
}

/// `os.setlocale([locale [, category]])`: only the "C" locale exists.
fn setlocale(st: &mut State) -> LResult<usize> {
    const CATEGORIES: &[&str] = &["all", "collate", "ctype", "monetary", "numeric", "time"];
    let l = st.opt_str(1)?.map(|s| s.as_bytes().to_vec());
    st.check_option(2, Some("all"), CATEGORIES)?;
    match l.as_deref().map(c_str) {
        None | Some(b"" | b"C" | b"POSIX") => {
            let s = st.str_value("C")?;
            st.push(s);
        }
        Some(_) => st.push(Value::Nil),
    }
    Ok(1)
}

/// `os.tmpname()`: creates an empty file with a unique name under /tmp
/// (as `mkstemp` with PUC's template `/tmp/lua_XXXXXX`) and returns the
/// name.
fn tmpname(st: &mut State) -> LResult<usize> {
    use std::hash::{BuildHasher, Hasher};
    const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let seed = std::collections::hash_map::RandomState::new();
    for attempt in 0u64..100 {
        let mut h = seed.build_hasher();
        h.write_u64(attempt);
        h.write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos());
        let mut bits = h.finish();
        let mut name = b"/tmp/lua_".to_vec();
        for _ in 0..6 {
            name.push(CHARS[(bits % CHARS.len() as u64) as usize]);
            bits /= CHARS.len() as u64;
        }
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        match opts.open(crate::stdlib::bytes_to_path(&name)) {
            Ok(_) => {
                let s = st.str_value(name)?;
                st.push(s);
                return Ok(1);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(_) => break,
        }
    }
    Err(st.error_msg("unable to generate a unique filename"))
}
