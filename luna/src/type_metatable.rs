//! Metatables of Lua's basic types (`Lua::type_metatable`,
//! `Lua::set_type_metatable`): the one metatable every boolean, number,
//! string, function, thread or light userdata shares, as `debug.setmetatable`
//! sets it from Lua. The `LuaType` trait names the types that have one.

use luna_core::object::function::NativeFn;
use luna_core::{State, Value};

use crate::error::LuaError;
use crate::function::LuaFunction;
use crate::lua::Lua;
use crate::string::LuaString;
use crate::table::LuaTable;
use crate::thread::LuaThread;
use crate::value::LuaLightUserdata;

mod sealed {
    pub trait Sealed {}
}

/// A Rust type standing for a basic Lua type with a shared metatable:
/// `bool`, `LuaNumber` (`f64`) and `LuaInteger` (`i64`, the same Lua type:
/// number), `LuaString`, `LuaFunction`, `LuaThread`, `LuaLightUserdata`.
pub trait LuaType: sealed::Sealed {
    /// A value of the type, made in `st`, whose metatable is the type's.
    #[doc(hidden)]
    fn sample(st: &mut State) -> Option<Value>;
}

macro_rules! lua_type {
    ($($t:ty => |$st:ident| $sample:expr;)*) => {$(
        impl sealed::Sealed for $t {}
        impl LuaType for $t {
            fn sample($st: &mut State) -> Option<Value> {
                $sample
            }
        }
    )*};
}

fn no_op(_: &mut State) -> luna_core::LResult<usize> {
    Ok(0)
}

lua_type! {
    bool => |_st| Some(Value::Bool(false));
    f64 => |_st| Some(Value::Float(0.0));
    i64 => |_st| Some(Value::Int(0));
    LuaLightUserdata => |_st| Some(Value::LightUserdata(std::ptr::null_mut()));
    LuaString => |st| st.str_value(b"").ok();
    LuaFunction => |st| st.new_native_closure(NativeFn::Ptr(no_op), &[]).ok();
    LuaThread => |st| Some(Value::Thread(st.main_thread()));
}

impl Lua {
    /// The metatable every value of the basic type `T` shares, if set.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// let mt = lua.type_metatable::<LuaString>().expect("the string library sets one");
    /// assert!(mt.contains_key("__index")?);
    /// assert_eq!(lua.type_metatable::<bool>(), None);
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn type_metatable<T: LuaType>(&self) -> Option<LuaTable> {
        self.with(|st| {
            let v = T::sample(st)?;
            let mt = st.metatable_of(v)?;
            Some(LuaTable(self.pin(st, Value::Table(mt))))
        })
        .ok()
        .flatten()
    }

    /// Sets (or with `None` removes) the metatable every value of the
    /// basic type `T` shares. A table of another `Lua` is ignored.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// let mt = lua.create_table()?;
    /// mt.set("__index", lua.create_function(|_, (b, k): (bool, String)| Ok(format!("{b}.{k}")))?)?;
    /// lua.set_type_metatable::<bool>(Some(mt));
    /// assert_eq!(lua.load("return (true).x").eval::<String>()?, "true.x");
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn set_type_metatable<T: LuaType>(&self, metatable: Option<LuaTable>) {
        let _ = self.with(|st| {
            let mt = match &metatable {
                Some(t) => match self.value_of(st, &t.0) {
                    Ok(Value::Table(mt)) => Some(mt),
                    _ => return Err(LuaError::MismatchedState),
                },
                None => None,
            };
            if let Some(v) = T::sample(st) {
                st.set_metatable(v, mt);
            }
            Ok(())
        });
    }
}
