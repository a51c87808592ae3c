//! The `package` library and `require` (PUC's loadlib.c): `package.path`
//! and `package.cpath` (from `LUA_PATH_5_4`/`LUA_PATH` and
//! `LUA_CPATH_5_4`/`LUA_CPATH`, with ";;" standing for the default path,
//! unless the registry field "LUA_NOENV" is set), `package.config`,
//! `package.loaded`, `package.preload`, `package.searchers` (preload, Lua
//! files, C libraries, C root libraries), `package.searchpath` and
//! `package.loadlib`.
//!
//! luna loads no native code: it behaves as PUC built without dynamic
//! library support. `package.loadlib` returns `nil, message, "absent"`, and
//! the C searchers find library files but report that they cannot load
//! them.

use crate::gc::Gc;
use crate::load::LoadMode;
use crate::object::function::NativeFn;
use crate::object::table::Table;
use crate::state::State;
use crate::stdlib::c_str;
use crate::value::Value;
use crate::vm::debug::ValLoc;
use crate::vm::{LResult, Throw};

/// The default `package.path` (PUC's `LUA_PATH_DEFAULT` for /usr/local).
pub const PATH_DEFAULT: &str = "/usr/local/share/lua/5.4/?.lua;/usr/local/share/lua/5.4/?/init.lua;\
/usr/local/lib/lua/5.4/?.lua;/usr/local/lib/lua/5.4/?/init.lua;./?.lua;./?/init.lua";
/// The default `package.cpath` (PUC's `LUA_CPATH_DEFAULT`).
pub const CPATH_DEFAULT: &str = "/usr/local/lib/lua/5.4/?.so;/usr/local/lib/lua/5.4/loadall.so;./?.so";
/// The message of a failed library load (PUC's `DLMSG`).
const DLMSG: &str = "dynamic libraries not enabled; check your Lua installation";
/// Registry key of the preload table (PUC's `LUA_PRELOAD_TABLE`).
const PRELOAD_TABLE: &str = "_PRELOAD";
/// Registry key of the loaded C libraries (PUC's `CLIBS`).
const CLIBS: &str = "_CLIBS";
/// Directory separator, replacing dots in module names.
const DIRSEP: &[u8] = b"/";

/// Creates the `package` table and the global `require`.
pub fn open(st: &mut State) -> LResult<Gc<Table>> {
    let reg = st.registry();
    get_subtable(st, reg, CLIBS)?;
    let pkg = st.new_lib(&[("loadlib", loadlib), ("searchpath", searchpath_fn)])?;
    let searchers: [fn(&mut State) -> LResult<usize>; 4] = [searcher_preload, searcher_lua, searcher_c, searcher_croot];
    let list = st.new_table_with(searchers.len(), 0)?;
    for (i, f) in searchers.iter().enumerate() {
        let c = st.new_native_closure(NativeFn::Ptr(*f), &[Value::Table(pkg)])?;
        st.raw_set_int(list, i as i64 + 1, c)?;
    }
    st.raw_set_field(pkg, "searchers", Value::Table(list))?;
    let path = compute_path(st, "LUA_PATH", PATH_DEFAULT)?;
    let path = st.str_value(path)?;
    st.raw_set_field(pkg, "path", path)?;
    let cpath = compute_path(st, "LUA_CPATH", CPATH_DEFAULT)?;
    let cpath = st.str_value(cpath)?;
    st.raw_set_field(pkg, "cpath", cpath)?;
    let config = st.str_value("/\n;\n?\n!\n-\n")?;
    st.raw_set_field(pkg, "config", config)?;
    let loaded = st.loaded_table()?;
    st.raw_set_field(pkg, "loaded", Value::Table(loaded))?;
    let preload = get_subtable(st, reg, PRELOAD_TABLE)?;
    st.raw_set_field(pkg, "preload", Value::Table(preload))?;
    let req = st.new_native_closure(NativeFn::Ptr(require), &[Value::Table(pkg)])?;
    st.set_global("require", req)?;
    Ok(pkg)
}

/// The table at `t[name]`, created if absent (PUC's `luaL_getsubtable`).
impl State {
    /// The `package.preload` table (registry `_PRELOAD`), created on demand.
    pub fn preload_table(&mut self) -> LResult<Gc<Table>> {
        let reg = self.registry();
        get_subtable(self, reg, PRELOAD_TABLE)
    }
}

/// The table `t[name]`, created when absent (PUC's `luaL_getsubtable`).
pub(super) fn get_subtable(st: &mut State, t: Gc<Table>, name: &str) -> LResult<Gc<Table>> {
    match st.raw_get_field(t, name)? {
        Value::Table(s) => Ok(s),
        _ => {
            let s = st.new_table()?;
            st.raw_set_field(t, name, Value::Table(s))?;
            Ok(s)
        }
    }
}

/// A path from the environment variable `var` (versioned name first), with
/// ";;" replaced by the default; the default when the variable is absent
/// or the registry's "LUA_NOENV" is set (PUC's `setpath`).
fn compute_path(st: &mut State, var: &str, default: &str) -> LResult<Vec<u8>> {
    let reg = st.registry();
    let noenv = !st.raw_get_field(reg, "LUA_NOENV")?.is_falsy();
    let value = std::env::var_os(format!("{var}_5_4")).or_else(|| std::env::var_os(var));
    Ok(expand_path(value.filter(|_| !noenv).map(os_bytes), default.as_bytes()))
}

/// The path for an environment variable's value: the default when there
/// is none, else the value with its first ";;" replaced by ";default;"
/// (no ';' added at an end of the value).
fn expand_path(value: Option<Vec<u8>>, default: &[u8]) -> Vec<u8> {
    let path = match value {
        Some(v) => v,
        None => return default.to_vec(),
    };
    let mark = match find(&path, b";;") {
        Some(m) => m,
        None => return path,
    };
    let mut out = Vec::new();
    if mark > 0 {
        out.extend_from_slice(path.get(..mark).unwrap_or(&[]));
        out.push(b';');
    }
    out.extend_from_slice(default);
    if mark + 2 < path.len() {
        out.push(b';');
        out.extend_from_slice(path.get(mark + 2..).unwrap_or(&[]));
    }
    out
}

#[cfg(unix)]
fn os_bytes(s: std::ffi::OsString) -> Vec<u8> {
    use std::os::unix::ffi::OsStringExt;
    s.into_vec()
}

#[cfg(not(unix))]
fn os_bytes(s: std::ffi::OsString) -> Vec<u8> {
    s.to_string_lossy().into_owned().into_bytes()
}

// ----------------------------------------------------------------------
// String helpers (C-string semantics, as PUC's use).

/// The first position of `pat` in `s` (`strstr`; an empty pattern is
/// found at 0).
fn find(s: &[u8], pat: &[u8]) -> Option<usize> {
    if pat.is_empty() {
        return Some(0);
    }
    s.windows(pat.len()).position(|w| w == pat)
}

/// Replaces every occurrence of `pat` in `s` by `rep` (PUC's
/// `luaL_gsub`). `None` when the result would not fit in `room` bytes or
/// cannot be allocated: a hostile `package.path` times a long module
/// name can ask for gigabytes.
fn gsub(s: &[u8], pat: &[u8], rep: &[u8], room: usize) -> Option<Vec<u8>> {
    if pat.is_empty() {
        // `strstr` finds an empty pattern at once: PUC would loop forever;
        // callers never pass one.
        return Some(s.to_vec());
    }
    let mut count = 0usize;
    let mut rest = s;
    while let Some(i) = find(rest, pat) {
        count += 1;
        rest = rest.get(i + pat.len()..).unwrap_or(&[]);
    }
    let len = count.checked_mul(rep.len())?.checked_add(s.len() - count * pat.len())?;
    if len > room {
        return None;
    }
    let mut out = Vec::new();
    out.try_reserve_exact(len).ok()?;
    let mut rest = s;
    while let Some(i) = find(rest, pat) {
        out.extend_from_slice(rest.get(..i).unwrap_or(&[]));
        out.extend_from_slice(rep);
        rest = rest.get(i + pat.len()..).unwrap_or(&[]);
    }
    out.extend_from_slice(rest);
    Some(out)
}

// ----------------------------------------------------------------------
// Searching paths.

/// Whether a file can be opened for reading (PUC's `readable`).
fn readable(name: &[u8]) -> bool {
    std::fs::File::open(super::bytes_to_path(name)).is_ok()
}

/// What looking for a module in a path found.
enum Search {
    /// The first readable file.
    Found(Vec<u8>),
    /// None: the "no file" list.
    Missing(Vec<u8>),
    /// The names or the list would take more memory than there is room
    /// for ("not enough memory").
    TooLarge,
}

/// Looks for `name` in the templates of `path` (PUC's `searchpath`),
/// building names and messages within `room` bytes.
fn search_path(name: &[u8], path: &[u8], sep: &[u8], dirsep: &[u8], room: usize) -> Search {
    let name = match sep.first() {
        Some(c) if name.contains(c) => match gsub(name, sep, dirsep, room) {
            Some(n) => n,
            None => return Search::TooLarge,
        },
        _ => name.to_vec(),
    };
    let Some(full) = gsub(path, b"?", &name, room) else { return Search::TooLarge };
    for file in full.split(|&c| c == b';') {
        if !file.is_empty() && readable(file) {
            return Search::Found(file.to_vec());
        }
    }
    let Some(list) = gsub(&full, b";", b"'\n\tno file '", room.saturating_sub(full.len())) else {
        return Search::TooLarge;
    };
    let mut msg = b"no file '".to_vec();
    if msg.try_reserve_exact(list.len() + 1).is_err() {
        return Search::TooLarge;
    }
    msg.extend_from_slice(&list);
    msg.push(b'\'');
    Search::Missing(msg)
}

fn searchpath_fn(st: &mut State) -> LResult<usize> {
    let name = c_str(st.check_str(1)?.as_bytes()).to_vec();
    let path = c_str(st.check_str(2)?.as_bytes()).to_vec();
    let sep = match st.opt_str(3)? {
        Some(s) => c_str(s.as_bytes()).to_vec(),
        None => b".".to_vec(),
    };
    let dirsep = match st.opt_str(4)? {
        Some(s) => c_str(s.as_bytes()).to_vec(),
        None => DIRSEP.to_vec(),
    };
    match search_path(&name, &path, &sep, &dirsep, st.heap.room()) {
        Search::TooLarge => Err(st.mem_throw()),
        Search::Found(f) => {
            let v = st.str_value(f)?;
            st.push(v);
            Ok(1)
        }
        Search::Missing(msg) => {
            st.push(Value::Nil);
            let v = st.str_value(msg)?;
            st.push(v);
            Ok(2)
        }
    }
}

/// Looks for `name` in `package[pname]` (PUC's `findfile`).
fn find_file(st: &mut State, name: &[u8], pname: &str) -> LResult<Result<Vec<u8>, Vec<u8>>> {
    let pkg = st.upvalue(1);
    let key = st.str_value(pname)?;
    let path = st.index(pkg, key, ValLoc::Other)?;
    let path = match path {
        Value::Str(s) => c_str(s.as_bytes()).to_vec(),
        Value::Int(_) | Value::Float(_) => match st.tostring_number(path)? {
            Value::Str(s) => c_str(s.as_bytes()).to_vec(),
            _ => Vec::new(),
        },
        _ => return Err(st.error_msg(&format!("'package.{pname}' must be a string"))),
    };
    match search_path(name, &path, b".", DIRSEP, st.heap.room()) {
        Search::Found(f) => Ok(Ok(f)),
        Search::Missing(m) => Ok(Err(m)),
        Search::TooLarge => Err(st.mem_throw()),
    }
}

// ----------------------------------------------------------------------
// Searchers.

fn searcher_preload(st: &mut State) -> LResult<usize> {
    let name = c_str(st.check_str(1)?.as_bytes()).to_vec();
    let reg = st.registry();
    let preload = st.raw_get_field(reg, PRELOAD_TABLE)?;
    st.push(preload);
    let key = st.str_value(&name)?;
    let loader = st.index(preload, key, ValLoc::Other)?;
    if loader.is_nil() {
        let mut msg = b"no field package.preload['".to_vec();
        msg.extend_from_slice(&name);
        msg.extend_from_slice(b"']");
        let m = st.str_value(msg)?;
        st.push(m);
        Ok(1)
    } else {
        st.push(loader);
        let data = st.str_value(":preload:")?;
        st.push(data);
        Ok(2)
    }
}

/// Returns the loader and the file name, or raises "error loading
/// module" (PUC's `checkload`).
fn check_load(st: &mut State, loaded: Result<Value, Vec<u8>>, filename: &[u8]) -> LResult<usize> {
    match loaded {
        Ok(f) => {
            st.push(f);
            let v = st.str_value(filename)?;
            st.push(v);
            Ok(2)
        }
        Err(msg) => {
            let name = match st.arg(1) {
                Value::Str(s) => c_str(s.as_bytes()).to_vec(),
                _ => Vec::new(),
            };
            let mut m = b"error loading module '".to_vec();
            m.extend_from_slice(&name);
            m.extend_from_slice(b"' from file '");
            m.extend_from_slice(filename);
            m.extend_from_slice(b"':\n\t");
            m.extend_from_slice(c_str(&msg));
            Err(error_bytes(st, m))
        }
    }
}

fn searcher_lua(st: &mut State) -> LResult<usize> {
    let name = c_str(st.check_str(1)?.as_bytes()).to_vec();
    let filename = match find_file(st, &name, "path")? {
        Ok(f) => f,
        Err(msg) => return push_message(st, msg),
    };
    let loaded = match super::base::read_file_chunk(st, Some(&filename)) {
        Ok((chunk, chunkname)) => match st.load(&chunk, &chunkname, LoadMode::Both, None) {
            Ok(f) => Ok(f),
            Err(t) if t.is_yield() => return Err(t),
            Err(t) => Err(match t.value {
                Value::Str(s) => s.as_bytes().to_vec(),
                _ => Vec::new(),
            }),
        },
        Err(msg) => Err(msg.into_bytes()),
    };
    check_load(st, loaded, &filename)
}

fn searcher_c(st: &mut State) -> LResult<usize> {
    let name = c_str(st.check_str(1)?.as_bytes()).to_vec();
    match find_file(st, &name, "cpath")? {
        Ok(filename) => check_load(st, Err(DLMSG.as_bytes().to_vec()), &filename),
        Err(msg) => push_message(st, msg),
    }
}

fn searcher_croot(st: &mut State) -> LResult<usize> {
    let name = c_str(st.check_str(1)?.as_bytes()).to_vec();
    let root = match name.iter().position(|&c| c == b'.') {
        Some(i) => name.get(..i).unwrap_or(&[]).to_vec(),
        None => return Ok(0),
    };
    match find_file(st, &root, "cpath")? {
        // Loading fails before looking for the open function.
        Ok(filename) => check_load(st, Err(DLMSG.as_bytes().to_vec()), &filename),
        Err(msg) => push_message(st, msg),
    }
}

/// Raises `msg` with the position of the calling Lua code (PUC's
/// `luaL_error`), keeping its bytes as they are.
fn error_bytes(st: &mut State, msg: Vec<u8>) -> Throw {
    let mut m = st.where_(1);
    m.extend_from_slice(&msg);
    match st.str_value(m) {
        Ok(v) => st.throw_value(v),
        Err(t) => t,
    }
}

fn push_message(st: &mut State, msg: Vec<u8>) -> LResult<usize> {
    let v = st.str_value(msg)?;
    st.push(v);
    Ok(1)
}

// ----------------------------------------------------------------------
// require and loadlib.

/// Finds a loader for `name`, leaving the loader and its data on the
/// stack (PUC's `findloader`).
fn find_loader(st: &mut State, name: &[u8]) -> LResult<()> {
    let pkg = st.upvalue(1);
    let key = st.str_value("searchers")?;
    let searchers = match st.index(pkg, key, ValLoc::Other)? {
        Value::Table(t) => t,
        _ => return Err(st.error_msg("'package.searchers' must be a table")),
    };
    st.push(Value::Table(searchers));
    let mut msg: Vec<u8> = Vec::new();
    let mut i = 1;
    loop {
        let searcher = searchers.get_int(i);
        if searcher.is_nil() {
            let mut m = b"module '".to_vec();
            m.extend_from_slice(name);
            m.extend_from_slice(b"' not found:");
            m.extend_from_slice(&msg);
            return Err(error_bytes(st, m));
        }
        let func = st.top();
        st.push(searcher);
        let nv = st.str_value(name)?;
        st.push(nv);
        st.call_noyield(func, 2)?;
        let loader = st.stack_get(func);
        if matches!(loader, Value::LuaFn(_) | Value::NativeFn(_)) {
            return Ok(());
        }
        match loader {
            Value::Str(s) => {
                msg.extend_from_slice(b"\n\t");
                msg.extend_from_slice(s.as_bytes());
            }
            Value::Int(_) | Value::Float(_) => {
                if let Value::Str(s) = st.tostring_number(loader)? {
                    msg.extend_from_slice(b"\n\t");
                    msg.extend_from_slice(s.as_bytes());
                }
            }
            _ => {}
        }
        st.set_top(func);
        i += 1;
    }
}

fn require(st: &mut State) -> LResult<usize> {
    let name = c_str(st.check_str(1)?.as_bytes()).to_vec();
    let base = st.frame_base();
    st.set_top(base + 2);
    let loaded = Value::Table(st.loaded_table()?);
    st.push(loaded);
    let key = st.str_value(&name)?;
    let v = st.index(loaded, key, ValLoc::Other)?;
    if !v.is_falsy() {
        st.push(v);
        return Ok(1);
    }
    find_loader(st, &name)?;
    // Stack: name, loaded, searchers, loader, data.
    let top = st.top();
    let loader = st.stack_get(top - 2);
    let data = st.stack_get(top - 1);
    let func = st.top();
    st.push(loader);
    let key = st.str_value(&name)?;
    st.push(key);
    st.push(data);
    st.call_noyield(func, 1)?;
    let result = st.stack_get(func);
    let key = st.str_value(&name)?;
    if !result.is_nil() {
        st.set_index(loaded, key, result, ValLoc::Other)?;
    }
    let key = st.str_value(&name)?;
    let mut module = st.index(loaded, key, ValLoc::Other)?;
    if module.is_nil() {
        module = Value::Bool(true);
        let key = st.str_value(&name)?;
        st.set_index(loaded, key, module, ValLoc::Other)?;
    }
    st.push(module);
    st.push(data);
    Ok(2)
}

fn loadlib(st: &mut State) -> LResult<usize> {
    st.check_str(1)?;
    st.check_str(2)?;
    st.push(Value::Nil);
    let m = st.str_value(DLMSG)?;
    st.push(m);
    let w = st.str_value("absent")?;
    st.push(w);
    Ok(3)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exp(v: Option<&str>) -> String {
        String::from_utf8(expand_path(v.map(|s| s.as_bytes().to_vec()), b"D")).unwrap_or_default()
    }

    #[test]
    fn path_expansion() {
        assert_eq!(exp(None), "D");
        assert_eq!(exp(Some("a;b")), "a;b");
        assert_eq!(exp(Some(";;")), "D");
        assert_eq!(exp(Some("a;;")), "a;D");
        assert_eq!(exp(Some(";;b")), "D;b");
        assert_eq!(exp(Some("a;;b;;c")), "a;D;b;;c");
        assert_eq!(exp(Some("")), "");
    }

    #[test]
    fn search_path_messages() {
        let missing = |r: Search| match r {
            Search::Missing(m) => m,
            _ => panic!("expected a missing module"),
        };
        assert_eq!(missing(search_path(b"x", b"", b".", b"/", usize::MAX)), b"no file ''".to_vec());
        assert_eq!(
            missing(search_path(b"a.b", b"/nonexistent/?.lua;?x", b".", b"/", usize::MAX)),
            b"no file '/nonexistent/a/b.lua'\n\tno file 'a/bx'".to_vec()
        );
        assert_eq!(gsub(b"--x-", b"-", b"X", usize::MAX), Some(b"XXxX".to_vec()));
        assert_eq!(gsub(b"---xX", b"---", b"XX", usize::MAX), Some(b"XXxX".to_vec()));
        // Results past the room are refused before anything is built.
        assert_eq!(gsub(b"?;?;?", b"?", &[b'm'; 100], 299), None);
        assert!(matches!(search_path(b"m", &b"?;".repeat(1000), b".", b"/", 1000), Search::TooLarge));
    }

    #[test]
    fn noenv_uses_default_paths() {
        let mut st = State::new_trusted();
        let reg = st.registry();
        st.raw_set_field(reg, "LUA_NOENV", Value::Bool(true)).ok();
        st.open_libs(crate::stdlib::Libs::ALL).ok();
        let pkg = match st.get_global("package") {
            Ok(Value::Table(t)) => t,
            _ => panic!("no package table"),
        };
        match st.raw_get_field(pkg, "path") {
            Ok(Value::Str(s)) => assert_eq!(s.as_bytes(), PATH_DEFAULT.as_bytes()),
            _ => panic!("no path"),
        }
        match st.raw_get_field(pkg, "cpath") {
            Ok(Value::Str(s)) => assert_eq!(s.as_bytes(), CPATH_DEFAULT.as_bytes()),
            _ => panic!("no cpath"),
        }
    }
}
