//! The base library (PUC's lbaselib.c): `print`, `type`, `tostring`,
//! `tonumber`, `pairs`, `ipairs`, `next`, `select`, the raw accessors,
//! metatables, errors and protected calls, `load`/`loadfile`/`dofile`,
//! `collectgarbage` and `warn`.

use std::io::Write;

use crate::gc::{Gc, GcMode, GcPhase};
use crate::load::LoadMode;
use crate::object::function::NativeFn;
use crate::object::table::Table;
use crate::state::State;
use crate::value::{Type, Value};
use crate::vm::{LResult, Status, Throw, MULTRET};

/// Opens the base library into table `g` (the globals).
pub fn open(st: &mut State, g: Gc<Table>) -> LResult<()> {
    st.set_funcs(
        g,
        &[
            ("assert", assert),
            ("collectgarbage", collectgarbage),
            ("dofile", dofile),
            ("error", error),
            ("getmetatable", getmetatable),
            ("loadfile", loadfile),
            ("load", load),
            ("next", next),
            ("pcall", pcall),
            ("print", print),
            ("warn", warn),
            ("rawequal", rawequal),
            ("rawlen", rawlen),
            ("rawget", rawget),
            ("rawset", rawset),
            ("select", select),
            ("setmetatable", setmetatable),
            ("tonumber", tonumber),
            ("tostring", tostring),
            ("type", type_),
            ("xpcall", xpcall),
        ],
    )?;
    // `pairs` and `ipairs` return the same iterator function each time (in
    // PUC they are light C functions, equal whenever pushed).
    let next_fn = st.raw_get_field(g, "next")?;
    let pairs_fn = st.new_native_closure(NativeFn::Ptr(pairs), &[next_fn])?;
    st.raw_set_field(g, "pairs", pairs_fn)?;
    let aux = st.new_native(ipairs_aux)?;
    let ipairs_fn = st.new_native_closure(NativeFn::Ptr(ipairs), &[aux])?;
    st.raw_set_field(g, "ipairs", ipairs_fn)?;
    st.raw_set_field(g, "_G", Value::Table(g))?;
    let v = st.str_value("Lua 5.4")?;
    st.raw_set_field(g, "_VERSION", v)?;
    Ok(())
}

fn print(st: &mut State) -> LResult<usize> {
    let n = st.nargs();
    let mut out: Vec<u8> = Vec::new();
    for i in 1..=n {
        let s = st.to_display_string(st.arg(i))?;
        if i > 1 {
            out.push(b'\t');
        }
        out.extend_from_slice(s.as_bytes());
    }
    out.push(b'\n');
    crate::stdlib::io::write_stdout(st, &out);
    Ok(0)
}

fn type_(st: &mut State) -> LResult<usize> {
    let v = st.check_any(1)?;
    let s = st.str_value(v.type_name())?;
    st.push(s);
    Ok(1)
}

fn tostring(st: &mut State) -> LResult<usize> {
    let v = st.check_any(1)?;
    let s = st.to_display_string(v)?;
    st.push(Value::Str(s));
    Ok(1)
}

fn tonumber(st: &mut State) -> LResult<usize> {
    if st.arg(2).is_nil() {
        let v = st.arg(1);
        if v.is_number() {
            st.push(v);
            return Ok(1);
        }
        if let Value::Str(s) = v {
            if let Some(n) = crate::vm::arith::str_to_num(s.as_bytes()) {
                st.push(n);
                return Ok(1);
            }
        }
        st.check_any(1)?;
    } else {
        let base = st.check_integer(2)?;
        let s = match st.arg(1) {
            Value::Str(s) => s,
            _ => return Err(st.arg_type_error(1, "string")),
        };
        if !(2..=36).contains(&base) {
            return Err(st.arg_error(2, "base out of range"));
        }
        if let Some(n) = crate::number::parse_int_base(s.as_bytes(), base as u32) {
            st.push(Value::Int(n));
            return Ok(1);
        }
    }
    st.push(Value::Nil);
    Ok(1)
}

fn next(st: &mut State) -> LResult<usize> {
    let t = st.check_table(1)?;
    let k = st.arg(2);
    match t.next(k) {
        Ok(Some((k, v))) => {
            st.push(k);
            st.push(v);
            Ok(2)
        }
        Ok(None) => {
            st.push(Value::Nil);
            Ok(1)
        }
        // Raised by the table code in PUC (`luaH_next`), so without the
        // caller's position.
        Err(()) => Err(st.rt_error("invalid key to 'next'")),
    }
}

fn pairs(st: &mut State) -> LResult<usize> {
    let v = st.check_any(1)?;
    let tm = st.meta_field(v, "__pairs")?;
    if tm.is_nil() {
        let f = st.upvalue(1);
        st.push(f);
        st.push(v);
        st.push(Value::Nil);
        Ok(3)
    } else {
        let func = st.top();
        st.push(tm);
        st.push(v);
        st.call_k(func, 3, 0, pairs_cont)?;
        pairs_cont(st, Status::Ok, 0)
    }
}

fn pairs_cont(_st: &mut State, _status: Status, _ctx: isize) -> LResult<usize> {
    Ok(3)
}

fn ipairs_aux(st: &mut State) -> LResult<usize> {
    let i = st.check_integer(2)?.wrapping_add(1);
    st.push(Value::Int(i));
    let t = st.arg(1);
    let v = match t {
        Value::Table(h) if h.metatable().is_none() => h.get_int(i),
        _ => st.index(t, Value::Int(i), crate::vm::debug::ValLoc::Other)?,
    };
    st.push(v);
    Ok(if v.is_nil() { 1 } else { 2 })
}

fn ipairs(st: &mut State) -> LResult<usize> {
    let v = st.check_any(1)?;
    let f = st.upvalue(1);
    st.push(f);
    st.push(v);
    st.push(Value::Int(0));
    Ok(3)
}

fn select(st: &mut State) -> LResult<usize> {
    let n = st.nargs() as i64;
    if let Value::Str(s) = st.arg(1) {
        if s.as_bytes().first() == Some(&b'#') {
            st.push(Value::Int(n - 1));
            return Ok(1);
        }
    }
    let mut i = st.check_integer(1)?;
    if i < 0 {
        i += n;
    } else if i > n {
        i = n;
    }
    if i < 1 {
        return Err(st.arg_error(1, "index out of range"));
    }
    Ok((n - i) as usize)
}

fn rawequal(st: &mut State) -> LResult<usize> {
    let a = st.check_any(1)?;
    let b = st.check_any(2)?;
    st.push(Value::Bool(a.raw_eq(&b)));
    Ok(1)
}

fn rawlen(st: &mut State) -> LResult<usize> {
    let n = match st.arg(1) {
        Value::Table(t) => t.length() as i64,
        Value::Str(s) => s.len() as i64,
        _ => return Err(st.arg_type_error(1, "table or string")),
    };
    st.push(Value::Int(n));
    Ok(1)
}

fn rawget(st: &mut State) -> LResult<usize> {
    let t = st.check_table(1)?;
    let k = st.check_any(2)?;
    st.push(t.get(k));
    Ok(1)
}

fn rawset(st: &mut State) -> LResult<usize> {
    let t = st.check_table(1)?;
    let k = st.check_any(2)?;
    let v = st.check_any(3)?;
    st.raw_set(t, k, v)?;
    st.push(Value::Table(t));
    Ok(1)
}

fn getmetatable(st: &mut State) -> LResult<usize> {
    let v = st.check_any(1)?;
    match st.metatable_of(v) {
        None => st.push(Value::Nil),
        Some(mt) => {
            let k = st.new_str(b"__metatable")?;
            let protected = mt.get_str(k);
            st.push(if protected.is_nil() { Value::Table(mt) } else { protected });
        }
    }
    Ok(1)
}

fn setmetatable(st: &mut State) -> LResult<usize> {
    let mt = match st.arg(2) {
        Value::Nil => None,
        Value::Table(t) => Some(t),
        _ => {
            st.check_table(1)?;
            return Err(st.arg_type_error(2, "nil or table"));
        }
    };
    let t = st.check_table(1)?;
    if !st.meta_field(Value::Table(t), "__metatable")?.is_nil() {
        return Err(st.error_msg("cannot change a protected metatable"));
    }
    st.set_metatable(Value::Table(t), mt);
    st.push(Value::Table(t));
    Ok(1)
}

fn assert(st: &mut State) -> LResult<usize> {
    if !st.arg(1).is_falsy() {
        return Ok(st.nargs());
    }
    st.check_any(1)?;
    // As PUC's `luaB_assert`, the message goes through `error` at level 1:
    // a string message (the default one too) gets the caller's position,
    // any other value is raised as it is.
    if st.nargs() >= 2 {
        let msg = st.arg(2);
        if let Value::Str(s) = msg {
            let mut m = st.where_(1);
            m.extend_from_slice(s.as_bytes());
            let v = st.str_value(m)?;
            return Err(st.throw_value(v));
        }
        return Err(st.throw_value(msg));
    }
    Err(st.error_msg("assertion failed!"))
}

fn error(st: &mut State) -> LResult<usize> {
    let level = st.opt_integer(2, 1)?;
    let mut v = st.arg(1);
    if let Value::Str(s) = v {
        if level > 0 {
            let mut m = st.where_(level as usize);
            m.extend_from_slice(s.as_bytes());
            v = st.str_value(m)?;
        }
    }
    Err(st.throw_value(v))
}

fn finish_pcall(st: &mut State, status: Status, extra: isize) -> LResult<usize> {
    if status != Status::Ok && status != Status::Yield {
        let e = st.stack_get(st.top() - 1);
        // An error the host made uncatchable goes on up, as if there were
        // no protected call (`State::set_uncatchable_userdata`).
        if st.is_uncatchable(e) {
            return Err(Throw { status, value: e });
        }
        st.push(Value::Bool(false));
        st.push(e);
        Ok(2)
    } else {
        Ok(st.nargs() - extra as usize)
    }
}

fn pcall(st: &mut State) -> LResult<usize> {
    st.check_any(1)?;
    let base = st.frame_base();
    st.insert_at(base + 1, Value::Bool(true));
    let status = st.pcallk(base + 2, MULTRET, 0, 0, Some(finish_pcall))?;
    finish_pcall(st, status, 0)
}

fn xpcall(st: &mut State) -> LResult<usize> {
    let n = st.nargs();
    st.check_type(2, Type::Function)?;
    let base = st.frame_base();
    let f = st.arg(1);
    // [f, msgh, args...] -> [f, msgh, true, f, args...]
    st.insert_at(base + 3, f);
    st.insert_at(base + 3, Value::Bool(true));
    let _ = n;
    let status = st.pcallk(base + 4, MULTRET, base + 2, 2, Some(finish_pcall))?;
    finish_pcall(st, status, 2)
}

/// Loads a chunk given its text, returning `(function)` or `(nil, msg)`.
fn load_aux(st: &mut State, r: LResult<Value>, env: Option<Value>) -> LResult<usize> {
    match r {
        Ok(f) => {
            if let (Some(e), Value::LuaFn(cl)) = (env, f) {
                if let Some(uv) = cl.upvals.first() {
                    uv.get().set(e);
                    st.heap.barrier_upval(uv.get(), e);
                }
            }
            st.push(f);
            Ok(1)
        }
        Err(t) if t.is_yield() => Err(t),
        Err(t) => {
            st.push(Value::Nil);
            st.push(t.value);
            Ok(2)
        }
    }
}

fn load(st: &mut State) -> LResult<usize> {
    let mode = match st.opt_str(3)? {
        Some(m) => LoadMode::parse(m.as_bytes()),
        None => LoadMode::Both,
    };
    let env = if st.nargs() >= 4 { Some(st.arg(4)) } else { None };
    let name = st.opt_str(2)?;
    let r = match st.arg(1) {
        Value::Str(_) | Value::Int(_) | Value::Float(_) => {
            // The chunk is read in place: the string is argument 1, on the
            // stack, for the whole load. A missing name is the chunk itself.
            let chunk = st.check_str(1)?;
            st.load(chunk.as_bytes(), name.unwrap_or(chunk).as_bytes(), mode, None)
        }
        _ => {
            st.check_type(1, Type::Function)?;
            let reader = st.arg(1);
            match name {
                Some(n) => st.load_from_reader(reader, n.as_bytes(), mode, None),
                None => st.load_from_reader(reader, b"=(load)", mode, None),
            }
        }
    };
    load_aux(st, r, env)
}

/// Removes what `luaL_loadfile` skips at the start of a file: a UTF-8 BOM,
/// then a first line starting with `#` (keeping its newline so line
/// numbers stay right, except before a binary chunk).
pub fn skip_prefix(data: &mut Vec<u8>) {
    let mut start = 0;
    if data.starts_with(b"\xEF\xBB\xBF") {
        start = 3;
    }
    if data.get(start) == Some(&b'#') {
        let end = data[start..].iter().position(|&c| c == b'\n').map_or(data.len(), |p| start + p);
        let binary_follows = data.get(end + 1) == Some(&0x1b);
        let cut = if binary_follows { end + 1 } else { end };
        data.drain(..cut);
    } else {
        data.drain(..start);
    }
}

/// Reads a file for `loadfile`/`dofile`: skips what `skip_prefix` skips;
/// `None` reads stdin. Returns the chunk and its name.
pub fn read_file_chunk(st: &mut State, fname: Option<&[u8]>) -> Result<(Vec<u8>, Vec<u8>), String> {
    use std::io::Read;
    let (mut data, chunkname) = match fname {
        None => {
            let mut d = Vec::new();
            std::io::stdin().read_to_end(&mut d).map_err(|e| format!("cannot read stdin: {e}"))?;
            (d, b"=stdin".to_vec())
        }
        Some(name) => {
            let path = crate::stdlib::bytes_to_path(name);
            let d = std::fs::read(&path).map_err(|e| {
                let what =
                    if e.kind() == std::io::ErrorKind::NotFound || e.kind() == std::io::ErrorKind::PermissionDenied {
                        "open"
                    } else {
                        "read"
                    };
                format!("cannot {what} {}: {}", String::from_utf8_lossy(name), crate::stdlib::os_error_text(&e))
            })?;
            let mut cn = b"@".to_vec();
            cn.extend_from_slice(name);
            (d, cn)
        }
    };
    let _ = st;
    skip_prefix(&mut data);
    Ok((data, chunkname))
}

fn loadfile(st: &mut State) -> LResult<usize> {
    let fname = st.opt_str(1)?.map(|s| s.as_bytes().to_vec());
    let mode = match st.opt_str(2)? {
        Some(m) => LoadMode::parse(m.as_bytes()),
        None => LoadMode::Both,
    };
    let env = if st.nargs() >= 3 { Some(st.arg(3)) } else { None };
    match read_file_chunk(st, fname.as_deref()) {
        Ok((chunk, name)) => {
            let r = st.load(&chunk, &name, mode, None);
            load_aux(st, r, env)
        }
        Err(msg) => {
            st.push(Value::Nil);
            let m = st.str_value(msg)?;
            st.push(m);
            Ok(2)
        }
    }
}

fn dofile_cont(st: &mut State, _status: Status, _ctx: isize) -> LResult<usize> {
    Ok(st.nargs() - 1)
}

fn dofile(st: &mut State) -> LResult<usize> {
    let fname = st.opt_str(1)?.map(|s| s.as_bytes().to_vec());
    let base = st.frame_base();
    st.set_top(base + 2);
    let f = match read_file_chunk(st, fname.as_deref()) {
        Ok((chunk, name)) => match st.load(&chunk, &name, LoadMode::Both, None) {
            Ok(f) => f,
            Err(t) if t.is_yield() => return Err(t),
            Err(t) => return Err(st.throw_value(t.value)),
        },
        Err(msg) => {
            let m = st.str_value(msg)?;
            return Err(st.throw_value(m));
        }
    };
    st.push(f);
    let func = st.top() - 1;
    st.call_k(func, MULTRET, 0, dofile_cont)?;
    dofile_cont(st, Status::Ok, 0)
}

fn collectgarbage(st: &mut State) -> LResult<usize> {
    const OPTS: &[&str] = &[
        "stop",
        "restart",
        "collect",
        "count",
        "step",
        "setpause",
        "setstepmul",
        "isrunning",
        "generational",
        "incremental",
    ];
    let o = st.check_option(1, Some("collect"), OPTS)?;
    if st.heap.in_finalizer {
        st.push(Value::Nil);
        return Ok(1);
    }
    match OPTS[o] {
        "stop" => {
            st.heap.running = false;
            st.push(Value::Int(0));
        }
        "restart" => {
            st.heap.running = true;
            st.heap.debt = 0;
            st.push(Value::Int(0));
        }
        "collect" => {
            st.full_gc(false);
            st.push(Value::Int(0));
        }
        "count" => {
            let b = st.used_memory();
            st.push(Value::Float(b as f64 / 1024.0));
        }
        "step" => {
            let n = st.opt_integer(2, 0)?;
            let done = st.gc_step_kb(n);
            st.push(Value::Bool(done));
        }
        "setpause" => {
            let p = st.opt_integer(2, 0)?;
            let old = std::mem::replace(&mut st.heap.pause, p.clamp(0, 1023) as u32);
            st.push(Value::Int(old as i64));
        }
        "setstepmul" => {
            let p = st.opt_integer(2, 0)?;
            let old = std::mem::replace(&mut st.heap.stepmul, p.clamp(0, 1023) as u32);
            st.push(Value::Int(old as i64));
        }
        "isrunning" => {
            st.push(Value::Bool(st.heap.running));
        }
        "generational" => {
            let minor = st.opt_integer(2, 0)?;
            let major = st.opt_integer(3, 0)?;
            st.set_gc_gen_params(nonzero(minor), nonzero(major));
            let old = st.set_gc_mode(GcMode::Generational);
            let name = mode_name(old);
            let v = st.str_value(name)?;
            st.push(v);
        }
        _ => {
            let pause = st.opt_integer(2, 0)?;
            let stepmul = st.opt_integer(3, 0)?;
            let stepsize = st.opt_integer(4, 0)?;
            st.set_gc_inc_params(nonzero(pause), nonzero(stepmul), nonzero(stepsize));
            let old = st.set_gc_mode(GcMode::Incremental);
            let v = st.str_value(mode_name(old))?;
            st.push(v);
        }
    }
    Ok(1)
}

/// A parameter of `collectgarbage`: 0 keeps the current value.
fn nonzero(n: i64) -> Option<i64> {
    (n != 0).then_some(n)
}

fn mode_name(m: GcMode) -> &'static str {
    match m {
        GcMode::Incremental => "incremental",
        GcMode::Generational => "generational",
    }
}

impl State {
    /// Tunes the incremental collector, as `collectgarbage("incremental",
    /// pause, stepmul, stepsize)`: the pause between cycles and the speed
    /// of the collector relative to allocation, in percent (0 to 1023),
    /// and the size of a step as a power of two of bytes (up to 62). A
    /// `None` keeps the current value.
    pub fn set_gc_inc_params(&mut self, pause: Option<i64>, stepmul: Option<i64>, stepsize: Option<i64>) {
        if let Some(p) = pause {
            self.heap.pause = p.clamp(0, 1023) as u32;
        }
        if let Some(m) = stepmul {
            self.heap.stepmul = m.clamp(0, 1023) as u32;
        }
        if let Some(s) = stepsize {
            self.heap.stepsize_log2 = s.clamp(0, 62) as u32;
        }
    }

    /// Tunes generational mode, as `collectgarbage("generational", minor,
    /// major)`: the growth, in percent (0 to 1023), that triggers a minor
    /// and a major collection. A `None` keeps the current value.
    pub fn set_gc_gen_params(&mut self, minor: Option<i64>, major: Option<i64>) {
        if let Some(m) = minor {
            self.heap.gen_minor_mul = m.clamp(0, 1023) as u32;
        }
        if let Some(m) = major {
            self.heap.gen_major_mul = m.clamp(0, 1023) as u32;
        }
    }

    /// Switches the collector mode, returning the previous one. Both modes
    /// run the incremental collector; generational mode collects with
    /// shorter pauses (a full cycle whenever memory grows by the minor
    /// multiplier), which is what its parameters tune.
    pub fn set_gc_mode(&mut self, mode: GcMode) -> GcMode {
        let old = self.heap.mode;
        if old != mode {
            // Finish the current cycle so the new mode starts clean.
            if self.heap.phase != GcPhase::Pause {
                self.full_gc(false);
            }
            self.heap.mode = mode;
        }
        old
    }
}

fn warn(st: &mut State) -> LResult<usize> {
    let n = st.nargs();
    st.check_str(1)?;
    for i in 2..=n {
        st.check_str(i)?;
    }
    let mut pieces = Vec::with_capacity(n);
    for i in 1..=n {
        if let Value::Str(s) = st.arg(i) {
            pieces.push(s.as_bytes().to_vec());
        }
    }
    for (i, p) in pieces.iter().enumerate() {
        st.try_warning(p, i + 1 < n)?;
    }
    Ok(0)
}

impl State {
    /// Emits a piece of a warning; `tocont` says more pieces follow (PUC's
    /// `lua_warning` with the default `warnf` of lauxlib: control messages
    /// `@on`/`@off`, output to stderr prefixed by "Lua warning: ").
    /// Errors of the host's warning sink are dropped (see `try_warning`).
    pub fn warning(&mut self, msg: &[u8], tocont: bool) {
        let _ = self.try_warning(msg, tocont);
    }

    /// As `warning`, returning the error of the host's warning sink, if
    /// one is installed and fails. Without a sink, PUC's default: control
    /// messages `@on`/`@off`, output to stderr.
    pub fn try_warning(&mut self, msg: &[u8], tocont: bool) -> LResult<()> {
        if let Some(sink) = self.warn.sink.clone() {
            return sink(self, msg, tocont);
        }
        if !self.warn.continuing && !tocont && msg.first() == Some(&b'@') {
            match msg {
                b"@on" => self.warn.on = true,
                b"@off" => self.warn.on = false,
                _ => {}
            }
            return Ok(());
        }
        if self.warn.on {
            let mut err = std::io::stderr().lock();
            if !self.warn.continuing {
                let _ = err.write_all(b"Lua warning: ");
            }
            let _ = err.write_all(msg);
            if !tocont {
                let _ = err.write_all(b"\n");
            }
            let _ = err.flush();
        }
        self.warn.continuing = tocont;
        Ok(())
    }

    /// Emits "error in WHERE (MSG)" as a warning (PUC's
    /// `luaE_warnerror`).
    pub(crate) fn warn_error(&mut self, where_: &str, msg: &[u8]) {
        self.warning(b"error in ", true);
        self.warning(where_.as_bytes(), true);
        self.warning(b" (", true);
        self.warning(msg, true);
        self.warning(b")", false);
    }

    /// Installs a warning sink (the host receives warning pieces instead
    /// of stderr).
    pub fn set_warn_sink(&mut self, sink: Option<crate::state::WarnSink>) {
        self.warn.sink = sink;
    }

    /// Turns warnings on or off (as `@on`/`@off`).
    pub fn set_warnings_on(&mut self, on: bool) {
        self.warn.on = on;
    }
}
