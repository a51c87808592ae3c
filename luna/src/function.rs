//! `LuaFunction`: a handle to a Lua or Rust function.

use luna_core::object::function::NativeFn;
use luna_core::{LResult, State, Value};

use crate::error::{LuaError, LuaResult};
use crate::failure::Fallible;
use crate::lua::{HandleRef, Lua};
use crate::multi::{FromLuaMulti, GatheredMulti, IntoLuaMulti, PreparedMulti};
use crate::table::LuaTable;

/// A function (Lua or Rust).
#[derive(Clone)]
pub struct LuaFunction(pub(crate) HandleRef);

/// As mlua's: the function's identity, `Function(Ref(0x...))`.
impl std::fmt::Debug for LuaFunction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Function(Ref({:p}))", self.to_pointer())
    }
}

impl PartialEq for LuaFunction {
    fn eq(&self, other: &LuaFunction) -> bool {
        crate::lua::same_value(&self.0, &other.0)
    }
}

/// Information about a function (`debug.getinfo`'s "S" and "u" parts).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LuaFunctionInfo {
    /// A name for the function, when the function is a global or a field
    /// of a loaded module.
    pub name: Option<String>,
    /// `"Lua"`, `"main"` or `"C"` (Rust functions).
    pub what: &'static str,
    /// The chunk name the function was loaded with (`=[C]` for Rust
    /// functions).
    pub source: Option<String>,
    /// The short source used in messages.
    pub short_src: String,
    /// Line where the definition starts (`None` for Rust functions).
    pub line_defined: Option<u32>,
    /// Line where the definition ends.
    pub last_line_defined: Option<u32>,
    /// Number of fixed parameters.
    pub num_params: usize,
    /// Whether the function takes varargs.
    pub is_vararg: bool,
    /// Number of upvalues.
    pub num_upvalues: usize,
}

impl LuaFunction {
    fn lua(&self) -> LuaResult<Lua> {
        Lua::of_handle(&self.0)
    }

    /// Calls the function with `args`, converting its results to `R`.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// let f: LuaFunction = lua.load("return function(a, b) return a + b, tostring(b) end").eval()?;
    /// let (x, s): (i64, String) = f.call((1, 2))?;
    /// assert_eq!((x, s.as_str()), (3, "2"));
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn call<R: FromLuaMulti>(&self, args: impl IntoLuaMulti) -> LuaResult<R> {
        let lua = self.lua()?;
        let args = PreparedMulti::new(args, &lua)?;
        // The function and the arguments go on the stack, the call runs in
        // place and the results are read from where it leaves them.
        let out = lua.with(|st| -> Fallible<GatheredMulti<R>> {
            let f = lua.value_of(st, &self.0)?;
            let base = st.top();
            if st.push_checked(f).is_err() {
                return Err(LuaError::runtime("stack overflow").into());
            }
            if let Err(e) = args.push(&lua, st) {
                st.set_top(base);
                return Err(e.into());
            }
            match st.host_pcall(base, luna_core::vm::MULTRET) {
                Ok(()) => {
                    let n = st.top() - base;
                    let out = GatheredMulti::new(&lua, st, base, n, None);
                    st.set_top(base);
                    out
                }
                Err(e) => Err(lua.host_error(st, e).into()),
            }
        })?;
        GatheredMulti::results(out, &lua)
    }

    /// A function that calls this one with `args` prepended to its own
    /// arguments. More than 254 bound values is `LuaError::BindError`.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// let sub: LuaFunction = lua.load("function(a, b) return a - b end").eval()?;
    /// assert_eq!(sub.bind(10)?.call::<i64>(3)?, 7);
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn bind(&self, args: impl IntoLuaMulti) -> LuaResult<LuaFunction> {
        let lua = self.lua()?;
        let args = args.into_lua_multi(&lua)?;
        // A closure has at most 255 upvalues (as PUC's C closures), the
        // function being one of them.
        if args.len() + 1 > 255 {
            return Err(LuaError::BindError);
        }
        lua.with(|st| -> LuaResult<LuaFunction> {
            let mut ups = Vec::with_capacity(args.len() + 1);
            ups.push(lua.value_of(st, &self.0)?);
            for a in args.iter() {
                ups.push(lua.lower(st, a)?);
            }
            let f = st.new_native_closure(NativeFn::Ptr(bound_call), &ups).map_err(|_| LuaError::memory())?;
            Ok(LuaFunction(lua.pin(st, f)))
        })?
    }

    /// Information about the function (`debug.getinfo(f, "Su")`, plus a
    /// name when the function is a global or a field of a loaded module).
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// let f: LuaFunction = lua.load("function(a, b, ...)\nend").set_name("=demo").eval()?;
    /// let info = f.info();
    /// assert_eq!((info.what, info.line_defined, info.num_params, info.is_vararg), ("Lua", Some(1), 2, true));
    /// assert_eq!(info.short_src, "demo");
    /// # Ok::<(), LuaError>(())
    /// ```
    ///
    /// A function whose state is gone gives the default (empty) info.
    pub fn info(&self) -> LuaFunctionInfo {
        self.try_info().unwrap_or_default()
    }

    fn try_info(&self) -> LuaResult<LuaFunctionInfo> {
        let lua = self.lua()?;
        lua.with(|st| {
            let f = lua.value_of(st, &self.0)?;
            let d = st.function_info(f);
            let src = String::from_utf8_lossy(&d.source).into_owned();
            Ok(LuaFunctionInfo {
                name: st.global_func_name(f),
                what: d.what,
                source: Some(src),
                short_src: String::from_utf8_lossy(&d.short_src).into_owned(),
                line_defined: u32::try_from(d.line_defined).ok(),
                last_line_defined: u32::try_from(d.last_line_defined).ok(),
                num_params: d.nparams,
                is_vararg: d.is_vararg,
                num_upvalues: d.nups,
            })
        })?
    }

    /// The binary chunk of a Lua function (`string.dump`), with debug
    /// information removed when `strip`. Rust functions have none (an
    /// empty chunk, as for a function whose state is gone; `try_dump`
    /// tells the cases apart).
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = unsafe { Lua::unsafe_new() }; // binary chunks allowed
    /// let f: LuaFunction = lua.load("function(a) return a * 2 end").eval()?;
    /// let g = lua.load(f.dump(true)).into_function()?;
    /// assert_eq!(g.call::<i64>(21)?, 42);
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn dump(&self, strip: bool) -> Vec<u8> {
        self.try_dump(strip).unwrap_or_default()
    }

    /// As `dump`, with the error for a Rust function ("unable to dump
    /// given function", as `string.dump`) or a function whose state is
    /// gone.
    pub fn try_dump(&self, strip: bool) -> LuaResult<Vec<u8>> {
        let lua = self.lua()?;
        lua.with(|st| {
            let f = lua.value_of(st, &self.0)?;
            st.dump_function(f, strip).ok_or_else(|| LuaError::runtime("unable to dump given function"))
        })?
    }

    /// The environment (`_ENV`) of a Lua function; `None` for Rust
    /// functions, for functions that use no global, and when the state is
    /// gone.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// let f: LuaFunction = lua.load("function() return x end").eval()?;
    /// assert_eq!(f.environment(), Some(lua.globals()));
    /// f.set_environment(lua.create_table_from([("x", 1)])?)?;
    /// assert_eq!(f.call::<i64>(())?, 1);
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn environment(&self) -> Option<LuaTable> {
        let lua = self.lua().ok()?;
        lua.with(|st| {
            let f = lua.value_of(st, &self.0).ok()?;
            match st.function_env(f)? {
                v @ Value::Table(_) => Some(LuaTable(lua.pin(st, v))),
                _ => None,
            }
        })
        .ok()
        .flatten()
    }

    /// Gives a Lua function a new environment (`_ENV`): its globals are
    /// looked up in `env` from now on. Other functions that shared the
    /// old environment keep it. Returns false for Rust functions and
    /// functions that use no global.
    pub fn set_environment(&self, env: LuaTable) -> LuaResult<bool> {
        let lua = self.lua()?;
        lua.with(|st| -> LuaResult<bool> {
            let f = lua.value_of(st, &self.0)?;
            let e = lua.value_of(st, &env.0)?;
            st.set_function_env(f, e).map_err(|_| LuaError::memory())
        })?
    }

    /// The address of the function, for hashing and debug output.
    pub fn to_pointer(&self) -> *const std::ffi::c_void {
        crate::value::handle_pointer(&self.0)
    }
}

/// The body of bound functions: upvalue 1 is the function, the others are
/// the bound arguments.
fn bound_call(st: &mut State) -> LResult<usize> {
    let f = st.upvalue(1);
    let nbound = match st.stack_get(st.frame_base()) {
        Value::NativeFn(c) => c.num_upvalues() - 1,
        _ => 0,
    };
    let nargs = st.nargs();
    st.check_stack(nbound + nargs + 1)?;
    let func = st.top();
    st.push(f);
    for i in 0..nbound {
        let v = st.upvalue(i + 2);
        st.push(v);
    }
    for i in 1..=nargs {
        let v = st.arg(i);
        st.push(v);
    }
    st.call_noyield(func, luna_core::vm::MULTRET)?;
    Ok(st.top() - func)
}
