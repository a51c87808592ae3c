//! The debug library (PUC's ldblib.c): introspection of frames, locals and
//! upvalues, hooks, tracebacks, and raw access to metatables, user values
//! and the registry.

use std::rc::Rc;

use crate::gc::Gc;
use crate::object::table::Table;
use crate::object::thread::{Thread, CIST_TAIL, CIST_TRAN};
use crate::state::State;
use crate::stdlib::c_str;
use crate::value::{Type, Value};
use crate::vm::hooks::{HookEvent, MASK_CALL, MASK_COUNT, MASK_LINE, MASK_RET};
use crate::vm::LResult;

/// Creates the library table.
pub fn open(st: &mut State) -> LResult<Gc<Table>> {
    st.new_lib(&[
        ("debug", debug),
        ("getuservalue", getuservalue),
        ("gethook", gethook),
        ("getinfo", getinfo),
        ("getlocal", getlocal),
        ("getregistry", getregistry),
        ("getmetatable", getmetatable),
        ("getupvalue", getupvalue),
        ("upvaluejoin", upvaluejoin),
        ("upvalueid", upvalueid),
        ("setuservalue", setuservalue),
        ("sethook", sethook),
        ("setlocal", setlocal),
        ("setmetatable", setmetatable),
        ("setupvalue", setupvalue),
        ("traceback", traceback),
        ("setcstacklimit", setcstacklimit),
    ])
}

/// An integer argument as PUC's library reads it, `(int)luaL_checkinteger`:
/// truncated to 32 bits, so that out-of-range values behave alike.
fn check_int(st: &mut State, n: usize) -> LResult<i64> {
    Ok(i64::from(st.check_integer(n)? as i32))
}

/// An optional integer argument, truncated as `check_int`.
fn opt_int(st: &mut State, n: usize, default: i64) -> LResult<i64> {
    Ok(i64::from(st.opt_integer(n, default)? as i32))
}

/// The thread argument, if the first argument is a thread: returns the
/// thread and the offset of the remaining arguments (PUC's `getthread`).
fn get_thread(st: &State) -> (Gc<Thread>, usize) {
    match st.arg(1) {
        Value::Thread(t) => (t, 1),
        _ => (st.current_thread(), 0),
    }
}

impl State {
    /// Runs `f` with `th` as the running thread (for inspecting another
    /// coroutine's frames; no Lua code runs meanwhile).
    fn with_thread<R>(&mut self, th: Gc<Thread>, f: impl FnOnce(&mut State) -> R) -> R {
        let prev = self.current;
        self.current = th;
        let r = f(self);
        self.current = prev;
        r
    }
}

/// Information about a function or frame, as `lua_getinfo` fills it.
#[derive(Clone, Debug, Default)]
pub struct DebugInfo {
    pub source: Vec<u8>,
    pub short_src: Vec<u8>,
    pub line_defined: i64,
    pub last_line_defined: i64,
    pub what: &'static str,
    pub current_line: i64,
    pub nups: usize,
    pub nparams: usize,
    pub is_vararg: bool,
    pub name: Option<String>,
    pub namewhat: &'static str,
    pub istailcall: bool,
    pub ftransfer: usize,
    pub ntransfer: usize,
}

impl State {
    /// Fills the "S" and "u" parts for function `f`.
    pub fn function_info(&self, f: Value) -> DebugInfo {
        let mut d = DebugInfo { current_line: -1, ..Default::default() };
        match f {
            Value::LuaFn(cl) => {
                let p = cl.proto;
                d.source = match p.source {
                    Some(s) => s.as_bytes().to_vec(),
                    None => b"=?".to_vec(),
                };
                d.short_src = crate::compiler::chunk_id(&d.source);
                d.line_defined = p.line_defined as i64;
                d.last_line_defined = p.last_line_defined as i64;
                d.what = if p.line_defined == 0 { "main" } else { "Lua" };
                d.nups = cl.upvals.len();
                d.nparams = p.num_params as usize;
                d.is_vararg = p.is_vararg;
            }
            _ => {
                d.source = b"=[C]".to_vec();
                d.short_src = b"[C]".to_vec();
                d.line_defined = -1;
                d.last_line_defined = -1;
                d.what = "C";
                d.nups = match f {
                    Value::NativeFn(n) => n.num_upvalues(),
                    _ => 0,
                };
                d.is_vararg = true;
            }
        }
        d
    }

    /// Information about the frame `ci_idx` of the running thread, as
    /// `debug.getinfo` gives it (the default for a frame that does not
    /// exist).
    pub fn frame_info(&self, ci_idx: usize) -> DebugInfo {
        let th = self.th_ref();
        let Some(&ci) = th.ci.get(ci_idx) else { return DebugInfo::default() };
        let f = th.stack[ci.func];
        let mut d = self.function_info(f);
        d.current_line = if ci.is_lua() { self.current_line(ci_idx) } else { -1 };
        d.istailcall = ci.status & CIST_TAIL != 0;
        if ci.status & CIST_TRAN != 0 {
            d.ftransfer = ci.ftransfer as usize;
            d.ntransfer = ci.ntransfer as usize;
        }
        if let Some((kind, name)) = self.func_name_for_frame(ci_idx) {
            d.namewhat = kind;
            d.name = Some(name);
        }
        d
    }

    /// The lines with code of a Lua function (PUC's `collectvalidlines`).
    fn active_lines(&mut self, f: Value) -> LResult<Value> {
        let Value::LuaFn(cl) = f else { return Ok(Value::Nil) };
        let p = cl.proto;
        let t = self.new_table()?;
        let start = if p.is_vararg { 1 } else { 0 };
        for pc in start..p.line_info.len() {
            let line = p.line_info[pc] as i64;
            self.raw_set_int(t, line, Value::Bool(true))?;
        }
        Ok(Value::Table(t))
    }
}

fn set_field(st: &mut State, t: Gc<Table>, k: &str, v: Value) -> LResult<()> {
    st.raw_set_field(t, k, v)
}

fn getinfo(st: &mut State) -> LResult<usize> {
    let (th, arg) = get_thread(st);
    let options = match st.opt_str(arg + 2)? {
        Some(s) => c_str(s.as_bytes()).to_vec(),
        None => b"flnSrtu".to_vec(),
    };
    if options.first() == Some(&b'>') {
        return Err(st.arg_error(arg + 2, "invalid option '>'"));
    }
    let fv = st.arg(arg + 1);
    let (info, func) = if fv.is_function() {
        let mut d = st.function_info(fv);
        d.name = None;
        (d, fv)
    } else {
        let level = check_int(st, arg + 1)?;
        let r = st.with_thread(th, |s| {
            if level < 0 {
                return None;
            }
            let ci_idx = s.frame_at_level(level as usize)?;
            let th = s.th_ref();
            let f = th.stack[th.ci[ci_idx].func];
            Some((s.frame_info(ci_idx), f))
        });
        match r {
            Some(x) => x,
            None => {
                st.push(Value::Nil);
                return Ok(1);
            }
        }
    };
    // As PUC, options are validated only once the level is known to exist.
    if options.iter().any(|c| !b"SlnurtLf".contains(c)) {
        return Err(st.arg_error(arg + 2, "invalid option"));
    }
    let t = st.new_table()?;
    st.push(Value::Table(t));
    let has = |c: u8| options.contains(&c);
    if has(b'S') {
        let v = st.str_value(&info.source)?;
        set_field(st, t, "source", v)?;
        let v = st.str_value(&info.short_src)?;
        set_field(st, t, "short_src", v)?;
        set_field(st, t, "linedefined", Value::Int(info.line_defined))?;
        set_field(st, t, "lastlinedefined", Value::Int(info.last_line_defined))?;
        let v = st.str_value(info.what)?;
        set_field(st, t, "what", v)?;
    }
    if has(b'l') {
        set_field(st, t, "currentline", Value::Int(info.current_line))?;
    }
    if has(b'u') {
        set_field(st, t, "nups", Value::Int(info.nups as i64))?;
        set_field(st, t, "nparams", Value::Int(info.nparams as i64))?;
        set_field(st, t, "isvararg", Value::Bool(info.is_vararg))?;
    }
    if has(b'n') {
        let name = match &info.name {
            Some(n) => st.str_value(n)?,
            None => Value::Nil,
        };
        set_field(st, t, "name", name)?;
        let v = st.str_value(info.namewhat)?;
        set_field(st, t, "namewhat", v)?;
    }
    if has(b'r') {
        set_field(st, t, "ftransfer", Value::Int(info.ftransfer as i64))?;
        set_field(st, t, "ntransfer", Value::Int(info.ntransfer as i64))?;
    }
    if has(b't') {
        set_field(st, t, "istailcall", Value::Bool(info.istailcall))?;
    }
    if has(b'L') {
        let v = st.active_lines(func)?;
        set_field(st, t, "activelines", v)?;
    }
    if has(b'f') {
        set_field(st, t, "func", func)?;
    }
    Ok(1)
}

/// Finds local `n` of frame `ci_idx` of the running thread: its name and
/// stack slot (PUC's `luaG_findlocal`).
fn find_local(st: &State, ci_idx: usize, n: i64) -> Option<(String, usize)> {
    let th = st.th_ref();
    let ci = th.ci[ci_idx];
    let base = ci.func + 1;
    if ci.is_lua() {
        if n < 0 {
            // Varargs of a vararg function.
            let p = st.ci_proto(ci_idx)?;
            if p.is_vararg {
                let nextra = ci.nextraargs as i64;
                if n >= -nextra {
                    let pos = (ci.func as i64 - nextra - (n + 1)) as usize;
                    return Some(("(vararg)".to_string(), pos));
                }
            }
            return None;
        }
        if let Some(name) = st.find_local_name(ci_idx, n as usize) {
            return Some((name, base + n as usize - 1));
        }
    }
    if n <= 0 {
        return None;
    }
    let limit = if ci_idx == th.ci.len() - 1 { th.top } else { th.ci[ci_idx + 1].func };
    if limit >= base && (limit - base) as i64 >= n {
        let name = if ci.is_lua() { "(temporary)" } else { "(C temporary)" };
        Some((name.to_string(), base + n as usize - 1))
    } else {
        None
    }
}

fn getlocal(st: &mut State) -> LResult<usize> {
    let (th, arg) = get_thread(st);
    let n = check_int(st, arg + 2)?;
    let fv = st.arg(arg + 1);
    if fv.is_function() {
        // Only parameters of a non-active function have names.
        let name = match fv {
            Value::LuaFn(cl) if n > 0 => cl.proto.local_name(n as usize, 0),
            _ => None,
        };
        match name {
            Some(s) => st.push(Value::Str(s)),
            None => st.push(Value::Nil),
        }
        return Ok(1);
    }
    let level = check_int(st, arg + 1)?;
    let r = st.with_thread(th, |s| {
        let ci_idx = if level >= 0 { s.frame_at_level(level as usize) } else { None };
        ci_idx.map(|c| find_local(s, c, n).map(|(name, pos)| (name, s.th().stack[pos])))
    });
    match r {
        None => Err(st.arg_error(arg + 1, "level out of range")),
        Some(None) => {
            st.push(Value::Nil);
            Ok(1)
        }
        Some(Some((name, v))) => {
            let s = st.str_value(name)?;
            st.push(s);
            st.push(v);
            Ok(2)
        }
    }
}

fn setlocal(st: &mut State) -> LResult<usize> {
    let (th, arg) = get_thread(st);
    let level = check_int(st, arg + 1)?;
    let n = check_int(st, arg + 2)?;
    let ok = st.with_thread(th, |s| level >= 0 && s.frame_at_level(level as usize).is_some());
    if !ok {
        return Err(st.arg_error(arg + 1, "level out of range"));
    }
    let v = st.check_any(arg + 3)?;
    let r = st.with_thread(th, |s| {
        let ci_idx = s.frame_at_level(level as usize)?;
        let (name, pos) = find_local(s, ci_idx, n)?;
        s.th().stack[pos] = v;
        Some(name)
    });
    match r {
        Some(name) => {
            let s = st.str_value(name)?;
            st.push(s);
        }
        None => st.push(Value::Nil),
    }
    Ok(1)
}

/// Name and value of upvalue `n` (1-based) of a function (PUC's
/// `aux_upvalue`).
fn upvalue_slot(f: Value, n: i64) -> Option<(Vec<u8>, Value)> {
    if n < 1 {
        return None;
    }
    let i = (n - 1) as usize;
    match f {
        Value::LuaFn(cl) => {
            let uv = cl.upvals.get(i)?.get();
            let name = match cl.proto.upvalues.get(i).and_then(|u| u.name) {
                Some(s) => s.as_bytes().to_vec(),
                None => b"(no name)".to_vec(),
            };
            Some((name, uv.get()))
        }
        Value::NativeFn(nf) => {
            if i < nf.num_upvalues() {
                Some((Vec::new(), nf.upvalue(i)))
            } else {
                None
            }
        }
        _ => None,
    }
}

fn getupvalue(st: &mut State) -> LResult<usize> {
    let n = check_int(st, 2)?;
    let f = st.check_type(1, Type::Function)?;
    match upvalue_slot(f, n) {
        Some((name, v)) => {
            let s = st.str_value(name)?;
            st.push(s);
            st.push(v);
            Ok(2)
        }
        None => Ok(0),
    }
}

fn setupvalue(st: &mut State) -> LResult<usize> {
    let v = st.check_any(3)?;
    let n = check_int(st, 2)?;
    let f = st.check_type(1, Type::Function)?;
    let Some((name, _)) = upvalue_slot(f, n) else { return Ok(0) };
    let i = (n - 1) as usize;
    match f {
        Value::LuaFn(cl) => {
            let uv = cl.upvals[i].get();
            uv.set(v);
            st.heap.barrier_upval(uv, v);
        }
        Value::NativeFn(nf) => {
            nf.set_upvalue(i, v);
            st.heap.barrier(nf.erase(), v);
        }
        _ => {}
    }
    let s = st.str_value(name)?;
    st.push(s);
    Ok(1)
}

/// The identity of upvalue `n` of function argument `argf`, checking the
/// index (PUC's `checkupval`).
fn upvalue_id(st: &mut State, argf: usize, argn: usize) -> LResult<Option<usize>> {
    let n = check_int(st, argn)?;
    let f = st.check_type(argf, Type::Function)?;
    if n < 1 {
        return Ok(None);
    }
    let i = (n - 1) as usize;
    Ok(match f {
        Value::LuaFn(cl) => cl.upvals.get(i).map(|c| c.get().addr()),
        Value::NativeFn(nf) if i < nf.num_upvalues() => Some(nf.addr() + 16 * (i + 1)),
        _ => None,
    })
}

fn upvalueid(st: &mut State) -> LResult<usize> {
    match upvalue_id(st, 1, 2)? {
        Some(id) => st.push(Value::LightUserdata(id as *mut std::ffi::c_void)),
        None => st.push(Value::Nil),
    }
    Ok(1)
}

fn upvaluejoin(st: &mut State) -> LResult<usize> {
    if upvalue_id(st, 1, 2)?.is_none() {
        return Err(st.arg_error(2, "invalid upvalue index"));
    }
    if upvalue_id(st, 3, 4)?.is_none() {
        return Err(st.arg_error(4, "invalid upvalue index"));
    }
    let (Value::LuaFn(f1), Value::LuaFn(f2)) = (st.arg(1), st.arg(3)) else {
        let bad = if !matches!(st.arg(1), Value::LuaFn(_)) { 1 } else { 3 };
        return Err(st.arg_error(bad, "Lua function expected"));
    };
    let n1 = check_int(st, 2)? as usize - 1;
    let n2 = check_int(st, 4)? as usize - 1;
    let uv = f2.upvals[n2].get();
    f1.upvals[n1].set(uv);
    st.heap.barrier(f1.erase(), Value::Nil);
    if f1.header().is_black() && uv.header().is_white() {
        st.heap.mark_object(uv.erase());
    }
    Ok(0)
}

fn getmetatable(st: &mut State) -> LResult<usize> {
    let v = st.check_any(1)?;
    match st.metatable_of(v) {
        Some(mt) => st.push(Value::Table(mt)),
        None => st.push(Value::Nil),
    }
    Ok(1)
}

fn setmetatable(st: &mut State) -> LResult<usize> {
    let mt = match st.arg(2) {
        // A missing metatable is an error, unlike an explicit nil.
        Value::Nil if st.nargs() < 2 => return Err(st.arg_type_error(2, "nil or table")),
        Value::Nil => None,
        Value::Table(t) => Some(t),
        _ => return Err(st.arg_type_error(2, "nil or table")),
    };
    let v = st.arg(1);
    st.set_metatable(v, mt);
    st.push(v);
    Ok(1)
}

fn getregistry(st: &mut State) -> LResult<usize> {
    let r = st.registry();
    st.push(Value::Table(r));
    Ok(1)
}

fn getuservalue(st: &mut State) -> LResult<usize> {
    let n = opt_int(st, 2, 1)?;
    match st.arg(1) {
        Value::Userdata(u) => match if n >= 1 { u.user_value(n as usize) } else { None } {
            Some(v) => {
                st.push(v);
                st.push(Value::Bool(true));
                Ok(2)
            }
            None => {
                st.push(Value::Nil);
                Ok(1)
            }
        },
        _ => {
            st.push(Value::Nil);
            Ok(1)
        }
    }
}

fn setuservalue(st: &mut State) -> LResult<usize> {
    let n = opt_int(st, 3, 1)?;
    let u = match st.arg(1) {
        Value::Userdata(u) => u,
        _ => return Err(st.arg_type_error(1, "userdata")),
    };
    let v = st.check_any(2)?;
    if n >= 1 && st.set_user_value(u, n as usize, v) {
        st.push(Value::Userdata(u));
    } else {
        st.push(Value::Nil);
    }
    Ok(1)
}

fn traceback(st: &mut State) -> LResult<usize> {
    let (th, arg) = get_thread(st);
    let msgv = st.arg(arg + 1);
    let msg = match msgv {
        Value::Str(s) => Some(c_str(s.as_bytes()).to_vec()),
        Value::Int(_) | Value::Float(_) => match st.tostring_number(msgv)? {
            Value::Str(s) => Some(s.as_bytes().to_vec()),
            _ => None,
        },
        Value::Nil => None,
        other => {
            st.push(other);
            return Ok(1);
        }
    };
    let default_level = if th.ptr_eq(st.current_thread()) { 1 } else { 0 };
    let level = opt_int(st, arg + 2, default_level)?;
    let tb = if level < 0 {
        // No frame has a negative level: only the header (PUC's
        // `luaL_traceback` stops at once).
        let mut out = Vec::new();
        if let Some(m) = &msg {
            out.extend_from_slice(m);
            out.push(b'\n');
        }
        out.extend_from_slice(b"stack traceback:");
        out
    } else {
        st.with_thread(th, |s| s.traceback(msg.as_deref(), level as usize))
    };
    let v = st.str_value(tb)?;
    st.push(v);
    Ok(1)
}

/// The registry table keeping hook functions by thread.
fn hook_table(st: &mut State) -> LResult<Gc<Table>> {
    let reg = st.registry();
    match st.raw_get_field(reg, "_HOOKKEY")? {
        Value::Table(t) => Ok(t),
        _ => {
            let t = st.new_table()?;
            let k = st.str_value("k")?;
            st.raw_set_field(t, "__mode", k)?;
            st.set_metatable(Value::Table(t), Some(t));
            st.raw_set_field(reg, "_HOOKKEY", Value::Table(t))?;
            Ok(t)
        }
    }
}

/// The hook installed by `debug.sethook`: calls the Lua hook function of
/// the running thread with the event name and line (PUC's `hookf`).
fn lua_hook(st: &mut State, event: HookEvent, line: i64) -> LResult<()> {
    let t = hook_table(st)?;
    let cur = st.current_thread();
    let f = t.get(Value::Thread(cur));
    if !f.is_function() {
        return Ok(());
    }
    let func = st.top();
    st.push(f);
    let e = st.str_value(event.name())?;
    st.push(e);
    st.push(if line >= 0 { Value::Int(line) } else { Value::Nil });
    st.call_noyield(func, 0)
}

fn sethook(st: &mut State) -> LResult<usize> {
    let (th, arg) = get_thread(st);
    let f = st.arg(arg + 1);
    let (mask, count, hook): (u8, u32, Option<crate::vm::hooks::HookFn>) = if f.is_nil() {
        (0, 0, None)
    } else {
        let smask = c_str(st.check_str(arg + 2)?.as_bytes()).to_vec();
        st.check_type(arg + 1, Type::Function)?;
        // PUC keeps the count as a C `int`: it is truncated to 32 bits, and
        // a count that is not positive adds no count event but is still
        // what `gethook` reports (kept here as the same 32 bits).
        let count = opt_int(st, arg + 3, 0)?;
        let mut mask = 0;
        if smask.contains(&b'c') {
            mask |= MASK_CALL;
        }
        if smask.contains(&b'r') {
            mask |= MASK_RET;
        }
        if smask.contains(&b'l') {
            mask |= MASK_LINE;
        }
        if count > 0 {
            mask |= MASK_COUNT;
        }
        (mask, count as u32, Some(LUA_HOOK.with(Rc::clone)))
    };
    let t = hook_table(st)?;
    st.raw_set(t, Value::Thread(th), f)?;
    st.set_hook(th, hook, mask, count);
    Ok(0)
}

thread_local! {
    /// The one hook `debug.sethook` installs (PUC's `hookf`): shared, so that
    /// `gethook` tells it from a hook the host installed.
    static LUA_HOOK: crate::vm::hooks::HookFn = Rc::new(lua_hook);
}

fn gethook(st: &mut State) -> LResult<usize> {
    let (th, _) = get_thread(st);
    let h = st.thread_ref(th).hook.clone();
    if h.hook.is_none() {
        st.push(Value::Nil);
        return Ok(1);
    }
    let is_lua_hook = h.hook.as_ref().is_some_and(|f| LUA_HOOK.with(|l| Rc::ptr_eq(f, l)));
    if is_lua_hook {
        // The function of this thread (none for a thread that inherited the
        // mask from the thread that created it, as in PUC).
        let t = hook_table(st)?;
        st.push(t.get(Value::Thread(th)));
    } else {
        // A hook the host installed (PUC: a hook other than `hookf`).
        let s = st.str_value("external hook")?;
        st.push(s);
    }
    let mut m = String::new();
    if h.mask & MASK_CALL != 0 {
        m.push('c');
    }
    if h.mask & MASK_RET != 0 {
        m.push('r');
    }
    if h.mask & MASK_LINE != 0 {
        m.push('l');
    }
    let s = st.str_value(m)?;
    st.push(s);
    st.push(Value::Int(i64::from(h.base_count as i32)));
    Ok(3)
}

fn setcstacklimit(st: &mut State) -> LResult<usize> {
    // Deprecated in 5.4: the argument is checked but ignored, and the
    // result is the fixed limit (PUC 5.4.8's `lua_setcstacklimit`).
    st.check_integer(1)?;
    st.push(Value::Int(i64::from(crate::vm::MAX_CCALLS)));
    Ok(1)
}

/// `debug.debug()`: reads lines from stdin and runs them until "cont".
fn debug(st: &mut State) -> LResult<usize> {
    use std::io::{BufRead, Write};
    loop {
        {
            let mut err = std::io::stderr().lock();
            let _ = err.write_all(b"lua_debug> ");
            let _ = err.flush();
        }
        let mut line = String::new();
        match std::io::stdin().lock().read_line(&mut line) {
            Ok(0) | Err(_) => return Ok(0),
            Ok(_) => {}
        }
        if line.trim_end_matches(['\n', '\r']) == "cont" {
            return Ok(0);
        }
        let r = st.load(line.as_bytes(), b"=(debug command)", crate::load::LoadMode::Text, None);
        let status = match r {
            Ok(f) => {
                let base = st.top();
                st.push(f);
                let s = st.pcall_raw(base, 0, 0);
                if s == crate::vm::Status::Ok {
                    None
                } else {
                    let e = st.stack_get(st.top() - 1);
                    st.set_top(base);
                    Some(e)
                }
            }
            Err(t) => Some(t.value),
        };
        if let Some(e) = status {
            let s = st.to_display_string(e)?;
            let mut err = std::io::stderr().lock();
            let _ = err.write_all(s.as_bytes());
            let _ = err.write_all(b"\n");
        }
    }
}
