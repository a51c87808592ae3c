//! The standard library, one module per library (as PUC's `l*lib.c`), and
//! the argument-checking helpers every native function uses (PUC's
//! lauxlib: `luaL_check*`, `luaL_argerror`, `luaL_tolstring`).

pub mod base;
pub mod coroutine;
pub mod debug;
pub mod io;
pub mod math;
pub mod os;
pub mod pack;
pub mod package;
pub mod pattern;
pub mod string;
pub mod table;
pub mod utf8;

use crate::gc::Gc;
use crate::object::function::NativeFnPtr;
use crate::object::string::LuaStr;
use crate::object::table::Table;
use crate::state::State;
use crate::value::{Type, Value};
use crate::vm::arith::{self, F2I};
use crate::vm::opcodes::TmKind;
use crate::vm::{LResult, Throw};

/// Which libraries to open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Libs(pub u32);

impl Libs {
    pub const BASE: Libs = Libs(1 << 0);
    pub const COROUTINE: Libs = Libs(1 << 1);
    pub const TABLE: Libs = Libs(1 << 2);
    pub const STRING: Libs = Libs(1 << 3);
    pub const MATH: Libs = Libs(1 << 4);
    pub const UTF8: Libs = Libs(1 << 5);
    pub const OS: Libs = Libs(1 << 6);
    pub const IO: Libs = Libs(1 << 7);
    pub const PACKAGE: Libs = Libs(1 << 8);
    pub const DEBUG: Libs = Libs(1 << 9);
    /// Every library.
    pub const ALL: Libs = Libs((1 << 10) - 1);

    /// Whether `other`'s libraries are all in `self`.
    pub fn contains(self, other: Libs) -> bool {
        self.0 & other.0 == other.0
    }
}

impl std::ops::BitOr for Libs {
    type Output = Libs;
    fn bitor(self, rhs: Libs) -> Libs {
        Libs(self.0 | rhs.0)
    }
}

impl State {
    /// Opens the selected standard libraries into the globals (and
    /// `package.loaded`).
    pub fn open_libs(&mut self, libs: Libs) -> LResult<()> {
        let loaded = self.loaded_table()?;
        if libs.contains(Libs::BASE) {
            let g = self.globals;
            base::open(self, g)?;
            self.raw_set_field(loaded, "_G", Value::Table(g))?;
        }
        if libs.contains(Libs::PACKAGE) {
            let t = package::open(self)?;
            self.register_lib(loaded, "package", t)?;
        }
        type Opener = fn(&mut State) -> LResult<Gc<Table>>;
        let libs_in_order: [(Libs, &str, Opener); 8] = [
            (Libs::COROUTINE, "coroutine", coroutine::open),
            (Libs::TABLE, "table", table::open),
            (Libs::IO, "io", io::open),
            (Libs::OS, "os", os::open),
            (Libs::STRING, "string", string::open),
            (Libs::MATH, "math", math::open),
            (Libs::UTF8, "utf8", utf8::open),
            (Libs::DEBUG, "debug", debug::open),
        ];
        for (flag, name, open) in libs_in_order {
            if libs.contains(flag) {
                let t = open(self)?;
                self.register_lib(loaded, name, t)?;
            }
        }
        Ok(())
    }

    /// Sets a library table as a global and in `package.loaded`.
    pub fn register_lib(&mut self, loaded: Gc<Table>, name: &str, t: Gc<Table>) -> LResult<()> {
        self.raw_set_field(loaded, name, Value::Table(t))?;
        self.set_global(name, Value::Table(t))
    }

    /// The `package.loaded` table (registry `_LOADED`), created on demand.
    pub fn loaded_table(&mut self) -> LResult<Gc<Table>> {
        let reg = self.registry;
        package::get_subtable(self, reg, "_LOADED")
    }

    /// Creates a table of native functions.
    pub fn new_lib(&mut self, funcs: &[(&str, NativeFnPtr)]) -> LResult<Gc<Table>> {
        let t = self.new_table_with(0, funcs.len())?;
        self.set_funcs(t, funcs)?;
        Ok(t)
    }

    /// Adds native functions to a table.
    pub fn set_funcs(&mut self, t: Gc<Table>, funcs: &[(&str, NativeFnPtr)]) -> LResult<()> {
        for (name, f) in funcs {
            let fv = self.new_native(*f)?;
            self.raw_set_field(t, name, fv)?;
        }
        Ok(())
    }

    // ------------------------------------------------------------------
    // Argument errors.

    /// "bad argument #n to 'f' (msg)" (PUC's `luaL_argerror`).
    pub fn arg_error(&mut self, mut n: usize, msg: &str) -> Throw {
        let ci_idx = self.th().ci.len() - 1;
        let name = self.func_name_for_frame(ci_idx);
        if let Some(("method", ref m)) = name {
            n -= 1;
            if n == 0 {
                let m = m.clone();
                return self.error_msg(&format!("calling '{m}' on bad self ({msg})"));
            }
        }
        let fname = match name {
            Some((_, nm)) => nm,
            None => {
                let f = self.stack_get(self.frame_base());
                self.global_func_name(f).unwrap_or_else(|| "?".to_string())
            }
        };
        self.error_msg(&format!("bad argument #{n} to '{fname}' ({msg})"))
    }

    /// "T expected, got U" for argument `n` (PUC's `luaL_typeerror`).
    pub fn arg_type_error(&mut self, n: usize, expected: &str) -> Throw {
        let v = self.arg(n);
        let got = self.type_name_for_arg(n, v);
        self.arg_error(n, &format!("{expected} expected, got {got}"))
    }

    fn type_name_for_arg(&mut self, n: usize, v: Value) -> String {
        if let Some(mt) = self.metatable_of(v) {
            if let Some(k) = self.find_interned(b"__name") {
                if let Value::Str(s) = mt.get_str(k) {
                    return s.to_str_lossy().into_owned();
                }
            }
        }
        if matches!(v, Value::LightUserdata(_)) {
            return "light userdata".to_string();
        }
        if n > self.nargs() {
            return "no value".to_string();
        }
        v.type_name().to_string()
    }

    // ------------------------------------------------------------------
    // Argument checks.

    /// The argument, which must exist (any value, nil included).
    pub fn check_any(&mut self, n: usize) -> LResult<Value> {
        if n > self.nargs() {
            return Err(self.arg_error(n, "value expected"));
        }
        Ok(self.arg(n))
    }

    /// An integer argument (floats with an exact value and numeric strings
    /// accepted).
    pub fn check_integer(&mut self, n: usize) -> LResult<i64> {
        let v = self.arg(n);
        if let Value::Int(i) = v {
            return Ok(i);
        }
        match arith::to_integer(&v, F2I::Exact) {
            Some(i) => Ok(i),
            None => {
                if arith::to_number(&v).is_some() {
                    Err(self.arg_error(n, "number has no integer representation"))
                } else {
                    Err(self.arg_type_error(n, "number"))
                }
            }
        }
    }

    /// An optional integer argument.
    pub fn opt_integer(&mut self, n: usize, default: i64) -> LResult<i64> {
        if self.arg(n).is_nil() {
            Ok(default)
        } else {
            self.check_integer(n)
        }
    }

    /// A number argument (numeric strings accepted), as a float.
    pub fn check_number(&mut self, n: usize) -> LResult<f64> {
        match arith::to_number(&self.arg(n)) {
            Some(f) => Ok(f),
            None => Err(self.arg_type_error(n, "number")),
        }
    }

    /// A number argument kept as integer or float.
    pub fn check_numeric(&mut self, n: usize) -> LResult<Value> {
        match arith::to_numeric(&self.arg(n)) {
            Some(v) => Ok(v),
            None => Err(self.arg_type_error(n, "number")),
        }
    }

    /// An optional number argument.
    pub fn opt_number(&mut self, n: usize, default: f64) -> LResult<f64> {
        if self.arg(n).is_nil() {
            Ok(default)
        } else {
            self.check_number(n)
        }
    }

    /// A string argument; numbers are converted (in place, as PUC's
    /// `lua_tolstring` does).
    pub fn check_str(&mut self, n: usize) -> LResult<Gc<LuaStr>> {
        match self.arg(n) {
            Value::Str(s) => Ok(s),
            v @ (Value::Int(_) | Value::Float(_)) => {
                let s = self.tostring_number(v)?;
                self.set_arg(n, s);
                match s {
                    Value::Str(s) => Ok(s),
                    _ => Err(self.arg_type_error(n, "string")),
                }
            }
            _ => Err(self.arg_type_error(n, "string")),
        }
    }

    /// An optional string argument.
    pub fn opt_str(&mut self, n: usize) -> LResult<Option<Gc<LuaStr>>> {
        if self.arg(n).is_nil() {
            Ok(None)
        } else {
            self.check_str(n).map(Some)
        }
    }

    /// A table argument.
    pub fn check_table(&mut self, n: usize) -> LResult<Gc<Table>> {
        match self.arg(n) {
            Value::Table(t) => Ok(t),
            _ => Err(self.arg_type_error(n, "table")),
        }
    }

    /// An argument of a given basic type.
    pub fn check_type(&mut self, n: usize, t: Type) -> LResult<Value> {
        let v = self.arg(n);
        if v.type_of() == t && !(t == Type::Userdata && matches!(v, Value::LightUserdata(_))) {
            Ok(v)
        } else {
            Err(self.arg_type_error(n, t.name()))
        }
    }

    /// Checks an option name against a list (PUC's `luaL_checkoption`).
    pub fn check_option(&mut self, n: usize, default: Option<&str>, options: &[&str]) -> LResult<usize> {
        let name = match (self.arg(n), default) {
            (Value::Nil, Some(d)) => d.as_bytes().to_vec(),
            _ => self.check_str(n)?.as_bytes().to_vec(),
        };
        for (i, o) in options.iter().enumerate() {
            if o.as_bytes() == name.as_slice() {
                return Ok(i);
            }
        }
        let s = String::from_utf8_lossy(&name).into_owned();
        Err(self.arg_error(n, &format!("invalid option '{s}'")))
    }

    // ------------------------------------------------------------------
    // Conversions.

    /// A metafield of a value's metatable (raw), or nil.
    #[inline]
    pub fn meta_field(&mut self, v: Value, name: &str) -> LResult<Value> {
        match self.metatable_of(v) {
            Some(mt) => {
                let k = self.new_str(name.as_bytes())?;
                Ok(mt.get_str(k))
            }
            None => Ok(Value::Nil),
        }
    }

    /// Converts any value to a string as `tostring` does, honouring
    /// `__tostring` and `__name` (PUC's `luaL_tolstring`).
    pub fn to_display_string(&mut self, v: Value) -> LResult<Gc<LuaStr>> {
        let tm = self.meta_field(v, "__tostring")?;
        if !tm.is_nil() {
            let r = self.call_tm_res_noyield(tm, v)?;
            return match r {
                Value::Str(s) => Ok(s),
                Value::Int(_) | Value::Float(_) => match self.tostring_number(r)? {
                    Value::Str(s) => Ok(s),
                    _ => Err(self.error_msg("'__tostring' must return a string")),
                },
                _ => Err(self.error_msg("'__tostring' must return a string")),
            };
        }
        let text: Vec<u8> = match v {
            Value::Str(s) => return Ok(s),
            Value::Int(_) | Value::Float(_) => {
                return match self.tostring_number(v)? {
                    Value::Str(s) => Ok(s),
                    _ => unreachable_str(),
                }
            }
            Value::Nil => b"nil".to_vec(),
            Value::Bool(true) => b"true".to_vec(),
            Value::Bool(false) => b"false".to_vec(),
            _ => {
                let kind = match self.meta_field(v, "__name")? {
                    Value::Str(s) => s.as_bytes().to_vec(),
                    _ => v.type_name().as_bytes().to_vec(),
                };
                let mut out = kind;
                out.extend_from_slice(format!(": {:#x}", v.gc_address().unwrap_or(0)).as_bytes());
                out
            }
        };
        self.new_str(&text)
    }

    /// Calls a one-argument metamethod outside Lua code, returning its
    /// first result.
    pub(crate) fn call_tm_res_noyield(&mut self, f: Value, arg: Value) -> LResult<Value> {
        self.ensure_stack(2)?;
        let th = self.th();
        let func = th.top;
        th.push(f);
        th.push(arg);
        self.call_noyield(func, 1)?;
        let th = self.th();
        th.top -= 1;
        Ok(th.stack[th.top])
    }

    /// Whether `v` has the metamethod `tm`.
    pub fn has_tm(&self, v: Value, tm: TmKind) -> bool {
        !self.get_tm_by_obj(v, tm).is_nil()
    }
}

/// A path from Lua bytes (Unix: any bytes).
pub fn bytes_to_path(b: &[u8]) -> std::path::PathBuf {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        std::path::PathBuf::from(std::ffi::OsStr::from_bytes(b))
    }
    #[cfg(not(unix))]
    {
        std::path::PathBuf::from(String::from_utf8_lossy(b).into_owned())
    }
}

/// The command `sh -c cmd`, as C's `system` and `popen` run it
/// (`os.execute`, `io.popen`): `/bin/sh` started under the name `sh`, so
/// that the shell's own messages read as PUC's ("sh: 1: x: not found").
pub(crate) fn shell_command(cmd: &[u8]) -> std::process::Command {
    let mut c = std::process::Command::new("/bin/sh");
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        c.arg0("sh");
    }
    c.arg("-c").arg(bytes_to_path(cmd));
    c
}

/// Bytes of a Lua string as C functions see them: up to the first NUL
/// (file names, modes, option strings that PUC passes as C strings).
pub(crate) fn c_str(b: &[u8]) -> &[u8] {
    b.iter().position(|&c| c == 0).map_or(b, |i| &b[..i])
}

/// The C library's text for an I/O error (`strerror`), without Rust's
/// " (os error N)" suffix.
pub fn os_error_text(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

#[cold]
fn unreachable_str() -> ! {
    // `tostring_number` of a number always returns a string.
    unreachable!("number converted to a non-string")
}

/// Makes room for `extra` more bytes in a result buffer that becomes a
/// string of the heap (the string library's results, `table.concat`):
/// "not enough memory" when the result could not be stored under the
/// memory limit or the allocation fails. Within the capacity nothing is
/// checked, as the capacity was checked when it grew; growth doubles but
/// never past the room the limit leaves.
#[inline]
pub(crate) fn reserve(st: &State, buf: &mut Vec<u8>, extra: usize) -> LResult<()> {
    match buf.len().checked_add(extra) {
        Some(need) if need <= buf.capacity() => Ok(()),
        need => grow_buffer(st, buf, need),
    }
}

/// `reserve` when the buffer must grow to `need` bytes.
#[cold]
fn grow_buffer(st: &State, buf: &mut Vec<u8>, need: Option<usize>) -> LResult<()> {
    use crate::object::string::MAX_STRING_LEN;
    let need = match need {
        Some(n) if n <= MAX_STRING_LEN && st.heap.fits(n) => n,
        _ => return Err(st.mem_throw()),
    };
    let grown = need.max(buf.capacity().saturating_mul(2)).min(need.max(st.heap.room())).min(MAX_STRING_LEN);
    buf.try_reserve_exact(grown - buf.len()).map_err(|_| st.mem_throw())
}

/// Appends `bytes` to a result buffer (see [`reserve`]).
#[inline]
pub(crate) fn append(st: &State, buf: &mut Vec<u8>, bytes: &[u8]) -> LResult<()> {
    reserve(st, buf, bytes.len())?;
    buf.extend_from_slice(bytes);
    Ok(())
}
