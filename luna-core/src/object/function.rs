//! Functions: prototypes (`Proto`), Lua closures with their upvalues, and
//! native closures.
//!
//! An upvalue is *open* while the variable it captures is still a live
//! register of a running function: it then points into that thread's stack.
//! When the register goes out of scope the upvalue is *closed*: the value
//! is copied into the upvalue itself and the pointer redirected to it. The
//! pointer of an open upvalue is corrected whenever its thread's stack is
//! reallocated (`Thread::grow_stack`), so reading an upvalue is always one
//! dereference.

use std::cell::{Cell, UnsafeCell};

use crate::gc::{Collectable, Gc, GcBox, ObjKind};
use crate::object::string::LuaStr;
use crate::state::State;
use crate::value::Value;
use crate::vm::opcodes::Instruction;
use crate::vm::Throw;

/// Upvalue description of a prototype.
#[derive(Clone)]
pub struct UpvalInfo {
    pub name: Option<Gc<LuaStr>>,
    pub in_stack: bool,
    pub index: u8,
    pub kind: crate::compiler::proto::VarKind,
}

/// Debug information of a local variable.
#[derive(Clone)]
pub struct LocVar {
    pub name: Gc<LuaStr>,
    pub start_pc: u32,
    pub end_pc: u32,
}

/// A function prototype: code, constants and debug information.
pub struct Proto {
    pub code: Box<[Instruction]>,
    pub constants: Box<[Value]>,
    pub protos: Box<[Gc<Proto>]>,
    pub upvalues: Box<[UpvalInfo]>,
    /// The source line of each instruction (empty when stripped).
    pub line_info: Box<[u32]>,
    /// The instructions whose line a binary chunk records as an absolute
    /// entry (ascending): where PUC's code generator put them, or where
    /// the loaded chunk had them, so that dumps are PUC's byte for byte.
    pub abs_line_pcs: Box<[u32]>,
    pub loc_vars: Box<[LocVar]>,
    /// The chunk name (`None` when stripped).
    pub source: Option<Gc<LuaStr>>,
    pub line_defined: u32,
    pub last_line_defined: u32,
    pub num_params: u8,
    pub is_vararg: bool,
    pub max_stack_size: u8,
}

impl Collectable for Proto {
    const KIND: ObjKind = ObjKind::Proto;
    fn extra_bytes(&self) -> usize {
        self.code.len() * 4
            + self.constants.len() * std::mem::size_of::<Value>()
            + self.protos.len() * 8
            + self.upvalues.len() * std::mem::size_of::<UpvalInfo>()
            + self.line_info.len() * 4
            + self.loc_vars.len() * std::mem::size_of::<LocVar>()
    }
}

impl Proto {
    /// The source line of instruction `pc`, or `None` without line info.
    pub fn line_at(&self, pc: usize) -> Option<u32> {
        self.line_info.get(pc).copied()
    }

    /// The name of the `n`-th (1-based) local variable active at `pc`
    /// (PUC's `luaF_getlocalname`).
    pub fn local_name(&self, mut n: usize, pc: usize) -> Option<Gc<LuaStr>> {
        if n == 0 {
            return None;
        }
        for v in self.loc_vars.iter() {
            if v.start_pc as usize > pc {
                break;
            }
            if pc < v.end_pc as usize {
                n -= 1;
                if n == 0 {
                    return Some(v.name);
                }
            }
        }
        None
    }
}

/// An upvalue: a captured variable.
pub struct UpVal {
    /// Where the value is: a stack slot while open, `closed` once closed.
    v: Cell<*mut Value>,
    /// Storage of the value once closed.
    closed: UnsafeCell<Value>,
    /// The stack index of the captured register while open.
    pub(crate) level: Cell<usize>,
    open: Cell<bool>,
    /// The thread whose stack an open upvalue points into.
    thread: Cell<Option<Gc<crate::object::thread::Thread>>>,
}

impl Collectable for UpVal {
    const KIND: ObjKind = ObjKind::UpVal;
    fn extra_bytes(&self) -> usize {
        0
    }
}

impl UpVal {
    /// An open upvalue for stack slot `level`, currently at `slot`.
    pub(crate) fn new_open(slot: *mut Value, level: usize, thread: Gc<crate::object::thread::Thread>) -> UpVal {
        UpVal {
            v: Cell::new(slot),
            closed: UnsafeCell::new(Value::Nil),
            level: Cell::new(level),
            open: Cell::new(true),
            thread: Cell::new(Some(thread)),
        }
    }

    /// A closed upvalue holding `v` (for closures built by the loader).
    pub(crate) fn new_closed(v: Value) -> UpVal {
        UpVal {
            v: Cell::new(std::ptr::null_mut()),
            closed: UnsafeCell::new(v),
            level: Cell::new(0),
            open: Cell::new(false),
            thread: Cell::new(None),
        }
    }

    /// Whether the upvalue still points into a stack.
    #[inline(always)]
    pub fn is_open(&self) -> bool {
        self.open.get()
    }

    /// The thread of an open upvalue.
    pub(crate) fn thread(&self) -> Option<Gc<crate::object::thread::Thread>> {
        self.thread.get()
    }
}

impl Gc<UpVal> {
    /// Address of the `closed` field inside the box.
    #[inline(always)]
    fn closed_slot(self) -> *mut Value {
        // SAFETY: `closed` lives inside the box, which never moves; the
        // pointer is derived from the box pointer.
        unsafe { std::ptr::addr_of_mut!((*self.raw().as_ptr()).value.closed).cast() }
    }

    /// The current value.
    #[inline(always)]
    pub fn get(self) -> Value {
        // SAFETY: an open upvalue points at a live slot of its thread's
        // stack (kept up to date by `set_slot` on every reallocation and
        // closed before the slot is popped); a closed one at its own field.
        unsafe { *self.v.get() }
    }

    /// Stores a value (the caller does the write barrier).
    #[inline(always)]
    pub(crate) fn set(self, v: Value) {
        // SAFETY: as for `get`.
        unsafe { *self.v.get() = v }
    }

    /// Points a freshly allocated closed upvalue at its own storage.
    pub(crate) fn init_closed(self) {
        self.v.set(self.closed_slot());
    }

    /// Re-points an open upvalue after its stack moved.
    #[inline]
    pub(crate) fn set_slot(self, slot: *mut Value) {
        self.v.set(slot);
    }

    /// Closes the upvalue: copies the value into it.
    pub(crate) fn close(self) {
        let v = self.get();
        let slot = self.closed_slot();
        // SAFETY: `slot` is this upvalue's own field; no reference to it is
        // alive (it is only accessed through raw pointers).
        unsafe { *slot = v };
        self.open.set(false);
        self.thread.set(None);
        self.v.set(slot);
    }
}

/// A Lua function: a prototype with its upvalues.
pub struct LuaClosure {
    pub proto: Gc<Proto>,
    pub upvals: Box<[Cell<Gc<UpVal>>]>,
}

impl Collectable for LuaClosure {
    const KIND: ObjKind = ObjKind::LuaClosure;
    fn extra_bytes(&self) -> usize {
        self.upvals.len() * std::mem::size_of::<Gc<UpVal>>()
    }
}

/// The signature of native functions: arguments are read from the state
/// (`State::arg`), results pushed (`State::push`), and the number of
/// results returned.
pub type NativeFnPtr = fn(&mut State) -> Result<usize, Throw>;

/// A boxed native function owning Rust state.
pub type BoxedNativeFn = Box<dyn Fn(&mut State) -> Result<usize, Throw>>;

/// The code of a native closure.
pub enum NativeFn {
    Ptr(NativeFnPtr),
    Boxed(BoxedNativeFn),
}

/// A native (Rust) function with optional upvalues.
pub struct NativeClosure {
    pub(crate) f: NativeFn,
    upvalues: Box<[Cell<Value>]>,
    /// An `__index` dispatcher whose first step is a raw lookup in the
    /// table of its first upvalue (see `State::new_index_dispatcher`).
    pub(crate) lookup_first: bool,
}

impl Collectable for NativeClosure {
    const KIND: ObjKind = ObjKind::NativeClosure;
    fn extra_bytes(&self) -> usize {
        self.upvalues.len() * std::mem::size_of::<Value>()
    }
}

impl NativeClosure {
    pub(crate) fn new(f: NativeFn, upvalues: &[Value]) -> NativeClosure {
        NativeClosure { f, upvalues: upvalues.iter().map(|v| Cell::new(*v)).collect(), lookup_first: false }
    }

    /// Number of upvalues.
    pub fn num_upvalues(&self) -> usize {
        self.upvalues.len()
    }

    /// Upvalue `i` (0-based).
    pub fn upvalue(&self, i: usize) -> Value {
        self.upvalues.get(i).map_or(Value::Nil, Cell::get)
    }

    /// Sets upvalue `i` (the caller does the write barrier).
    pub(crate) fn set_upvalue(&self, i: usize, v: Value) {
        if let Some(c) = self.upvalues.get(i) {
            c.set(v);
        }
    }

    /// Whether this is the plain function `f` (comparing code addresses).
    pub fn is_ptr(&self, f: NativeFnPtr) -> bool {
        matches!(self.f, NativeFn::Ptr(p) if p as usize == f as usize)
    }
}

/// Size in bytes of a closure box, for tests of the accounting.
pub const LUA_CLOSURE_BOX: usize = std::mem::size_of::<GcBox<LuaClosure>>();
