//! The Lua value: a 16-byte `Copy` enum of a tag and an 8-byte payload.
//!
//! Numbers, booleans, nil and light userdata are stored inline; every other
//! kind is a `Gc` pointer into the collected heap. A `Value` held by Rust
//! code is only as alive as the GC rules in `gc` make it: values on a thread
//! stack, in the registry or pinned as host roots are alive; a `Value` kept
//! only in a Rust local is not a root (see the module docs of `gc`).

use crate::gc::Gc;
use crate::object::function::{LuaClosure, NativeClosure};
use crate::object::string::LuaStr;
use crate::object::table::Table;
use crate::object::thread::Thread;
use crate::object::userdata::Userdata;

/// A Lua value.
#[derive(Clone, Copy, Default)]
#[repr(C, u8)]
pub enum Value {
    #[default]
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// A light userdata: a bare pointer-sized value the host gave.
    LightUserdata(*mut std::ffi::c_void),
    Str(Gc<LuaStr>),
    Table(Gc<Table>),
    /// A Lua function (closure over a prototype).
    LuaFn(Gc<LuaClosure>),
    /// A native (Rust) function.
    NativeFn(Gc<NativeClosure>),
    Userdata(Gc<Userdata>),
    Thread(Gc<Thread>),
}

const _: () = assert!(std::mem::size_of::<Value>() == 16);

/// Offset of the payload in a `Value` (after the tag byte and padding).
const PAYLOAD: usize = 8;

impl Value {
    /// Copies the value at `src` to `dst` as PUC's `setobj` does: the tag
    /// byte and the payload word separately.
    ///
    /// A plain `*dst = *src` copies the 16 bytes with one vector load. When
    /// `src` was just written (by the separate tag and payload stores that
    /// building a `Value` takes), the processor cannot forward those stores
    /// to that wider load and stalls until they reach the cache, some ten
    /// cycles; interpreter register moves hit this constantly. Loads of the
    /// same widths as the stores are forwarded.
    ///
    /// # Safety
    /// `src` must point to a valid `Value` and `dst` to memory valid for
    /// writing a `Value` (an initialized one: only the tag and payload are
    /// written, the padding keeps its bytes, which no one reads).
    /// Reads the value at `src` as `copy_raw` copies it: the tag byte and
    /// the payload word with two loads (see there), for values read just
    /// after they were written (results on the stack).
    #[inline(always)]
    pub(crate) fn load(src: &Value) -> Value {
        let mut out = Value::Nil;
        // SAFETY: `src` is a valid value and `out` an initialized one.
        unsafe { Value::copy_raw(&mut out, src) };
        out
    }

    #[inline(always)]
    pub(crate) unsafe fn copy_raw(dst: *mut Value, src: *const Value) {
        let s = src as *const u8;
        let d = dst as *mut u8;
        // SAFETY: by the caller's contract both point to 16-byte values
        // with the tag at offset 0 and the payload at `PAYLOAD` (repr(C,
        // u8) with 8-byte-aligned payloads, checked by the layout test);
        // the payload is copied as possibly uninitialized bytes (a `Bool`
        // uses one of them).
        unsafe {
            *d = *s;
            let sp = s.add(PAYLOAD) as *const std::mem::MaybeUninit<u64>;
            let dp = d.add(PAYLOAD) as *mut std::mem::MaybeUninit<u64>;
            dp.write(sp.read());
        }
    }
}

/// The basic type of a value, in PUC's numbering (`LUA_TNIL` ...).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Type {
    Nil = 0,
    Boolean = 1,
    LightUserdata = 2,
    Number = 3,
    String = 4,
    Table = 5,
    Function = 6,
    Userdata = 7,
    Thread = 8,
}

/// Number of basic types (the size of the per-type metatable array).
pub const NUM_TYPES: usize = 9;

impl Type {
    /// The name `type()` returns.
    pub const fn name(self) -> &'static str {
        match self {
            Type::Nil => "nil",
            Type::Boolean => "boolean",
            Type::LightUserdata | Type::Userdata => "userdata",
            Type::Number => "number",
            Type::String => "string",
            Type::Table => "table",
            Type::Function => "function",
            Type::Thread => "thread",
        }
    }
}

impl Value {
    /// The basic type of the value.
    #[inline]
    pub fn type_of(&self) -> Type {
        match self {
            Value::Nil => Type::Nil,
            Value::Bool(_) => Type::Boolean,
            Value::Int(_) | Value::Float(_) => Type::Number,
            Value::LightUserdata(_) => Type::LightUserdata,
            Value::Str(_) => Type::String,
            Value::Table(_) => Type::Table,
            Value::LuaFn(_) | Value::NativeFn(_) => Type::Function,
            Value::Userdata(_) => Type::Userdata,
            Value::Thread(_) => Type::Thread,
        }
    }

    /// The name `type()` returns for the value.
    #[inline]
    pub fn type_name(&self) -> &'static str {
        self.type_of().name()
    }

    /// Whether the value is `nil`.
    #[inline(always)]
    pub fn is_nil(&self) -> bool {
        matches!(self, Value::Nil)
    }

    /// Whether the value counts as false (`nil` or `false`).
    #[inline(always)]
    pub fn is_falsy(&self) -> bool {
        matches!(self, Value::Nil | Value::Bool(false))
    }

    /// Whether the value is a function of either kind.
    #[inline]
    pub fn is_function(&self) -> bool {
        matches!(self, Value::LuaFn(_) | Value::NativeFn(_))
    }

    /// Whether the value is a number (integer or float).
    #[inline]
    pub fn is_number(&self) -> bool {
        matches!(self, Value::Int(_) | Value::Float(_))
    }

    /// The string object, if the value is a string.
    #[inline]
    pub fn as_str(&self) -> Option<Gc<LuaStr>> {
        match *self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The table object, if the value is a table.
    #[inline]
    pub fn as_table(&self) -> Option<Gc<Table>> {
        match *self {
            Value::Table(t) => Some(t),
            _ => None,
        }
    }

    /// The numeric value as a float, if the value is a number.
    #[inline]
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            Value::Int(i) => Some(i as f64),
            Value::Float(f) => Some(f),
            _ => None,
        }
    }

    /// Primitive equality (`rawequal`): no metamethods. Integers and floats
    /// compare by mathematical value; strings by contents.
    #[inline]
    pub fn raw_eq(&self, other: &Value) -> bool {
        match (*self, *other) {
            (Value::Nil, Value::Nil) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => a == b,
            (Value::Int(a), Value::Float(b)) | (Value::Float(b), Value::Int(a)) => crate::vm::arith::int_eq_float(a, b),
            (Value::LightUserdata(a), Value::LightUserdata(b)) => a == b,
            (Value::Str(a), Value::Str(b)) => LuaStr::equal(a, b),
            (Value::Table(a), Value::Table(b)) => a.ptr_eq(b),
            (Value::LuaFn(a), Value::LuaFn(b)) => a.ptr_eq(b),
            (Value::NativeFn(a), Value::NativeFn(b)) => a.ptr_eq(b),
            (Value::Userdata(a), Value::Userdata(b)) => a.ptr_eq(b),
            (Value::Thread(a), Value::Thread(b)) => a.ptr_eq(b),
            _ => false,
        }
    }

    /// Whether the value is an object of the heap (the collector may free
    /// it when nothing refers to it).
    #[inline]
    pub fn is_collectable(&self) -> bool {
        self.gc_ptr().is_some()
    }

    /// The address of a collectable value (for `%p`, `tostring` and
    /// hashing), or `None` for values with no identity.
    pub fn gc_address(&self) -> Option<usize> {
        match *self {
            Value::Str(s) => Some(s.addr()),
            Value::Table(t) => Some(t.addr()),
            Value::LuaFn(f) => Some(f.addr()),
            Value::NativeFn(f) => Some(f.addr()),
            Value::Userdata(u) => Some(u.addr()),
            Value::Thread(t) => Some(t.addr()),
            Value::LightUserdata(p) => Some(p as usize),
            _ => None,
        }
    }

    /// The type-erased heap object of a collectable value.
    #[inline]
    pub(crate) fn gc_ptr(&self) -> Option<crate::gc::GcPtr> {
        match *self {
            Value::Str(s) => Some(s.erase()),
            Value::Table(t) => Some(t.erase()),
            Value::LuaFn(f) => Some(f.erase()),
            Value::NativeFn(f) => Some(f.erase()),
            Value::Userdata(u) => Some(u.erase()),
            Value::Thread(t) => Some(t.erase()),
            _ => None,
        }
    }
}

impl std::fmt::Debug for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            Value::Nil => write!(f, "nil"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => write!(f, "{x:?}"),
            Value::Str(s) => write!(f, "{:?}", String::from_utf8_lossy(s.as_bytes())),
            other => write!(f, "{}: {:#x}", other.type_name(), other.gc_address().unwrap_or(0)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `copy_raw` relies on the tag at offset 0 and the payload at
    /// `PAYLOAD`; copying every kind of inline value must reproduce it.
    #[test]
    fn copy_raw_copies_every_inline_kind() {
        let values = [
            Value::Nil,
            Value::Bool(true),
            Value::Bool(false),
            Value::Int(i64::MIN),
            Value::Int(-1),
            Value::Float(-0.5),
            Value::Float(f64::INFINITY),
            Value::LightUserdata(0x1234 as *mut std::ffi::c_void),
        ];
        for v in values {
            let mut dst = Value::Int(7);
            // SAFETY: both are valid, initialized values.
            unsafe { Value::copy_raw(&mut dst, &v) };
            assert!(dst.raw_eq(&v), "{v:?} copied as {dst:?}");
            assert_eq!(dst.type_name(), v.type_name());
        }
        // The layout the copy relies on.
        let v = Value::Int(0x0102_0304_0506_0708);
        let base = &v as *const Value as usize;
        if let Value::Int(ref i) = v {
            assert_eq!(i as *const i64 as usize - base, PAYLOAD);
        }
    }
}
