//! Rust panics in callbacks, treated as mlua treats them: a panic is a
//! bug in the host, so it must reach the host, never abort and never turn
//! into an ordinary Lua error a script can swallow.
//!
//! The path of a panic:
//!
//! 1. *Caught at the callback boundary.* `callback::run_user_code` runs
//!    every piece of user code called from Lua under `catch_unwind`; the
//!    payload is kept in the state's panic slot (`LuaInner::panic`) and
//!    the callback fails.
//! 2. *Carried through Lua.* `callback::raise` sees the slot full and
//!    raises, instead of the callback's error, a *panic value*: a userdata
//!    holding the payload (`WrappedPanic`). Lua frames unwind as for any
//!    error, closing to-be-closed variables. Whether `pcall`/`xpcall` see
//!    it is `LuaOptions::catch_rust_panics`: when false the runtime is
//!    told (`State::set_uncatchable_userdata`) that panic values are not
//!    catchable, and they go on up to the host call; when true (the
//!    default, as mlua's) a script can catch one, and `tostring` of it
//!    gives the panic message.
//! 3. *Resumed in the host.* When a panic value reaches Rust, as the
//!    error of a host call (`Lua::host_error`) or as a value converted for
//!    Rust (`Lua::lift`: a script returned it, or passed it to a
//!    callback), its payload moves back into the slot, and the state
//!    access that found it resumes the panic with
//!    `std::panic::resume_unwind` once it has finished its work on the
//!    state (`Lua::with`), so the stack is left as after any failed call.
//!    Found in the arguments of a callback, the payload makes that
//!    callback fail at once (step 1 again, without running its code).
//!
//! A panic value whose payload was already resumed is the error
//! `LuaError::PreviouslyResumedPanic` when it reaches the host again, and
//! converts to `nil`; its `tostring` fails with the same error. This is
//! mlua's behaviour.

use std::any::{Any, TypeId};
use std::cell::{Cell, RefCell};

use luna_core::object::userdata::Userdata;
use luna_core::{LResult, State, Value};

use crate::error::LuaError;
use crate::lua::LuaInner;

/// A panic payload.
pub(crate) type Payload = Box<dyn Any + Send + 'static>;

/// The payload of a panic value: the panic until it is resumed.
pub(crate) struct WrappedPanic(RefCell<Option<Payload>>);

/// The panic slot of a state: a payload caught or found on its way back to
/// the host, waiting for the point where it is raised in Lua or resumed.
#[derive(Default)]
pub(crate) struct PanicSlot {
    payload: RefCell<Option<Payload>>,
    /// Whether `payload` is full (tested on every state access).
    full: Cell<bool>,
}

impl PanicSlot {
    /// Keeps `p`. A payload already there stays (it is the older panic;
    /// the newer one is dropped, as a panic while panicking would be).
    pub(crate) fn put(&self, p: Payload) {
        let mut slot = self.payload.borrow_mut();
        if slot.is_none() {
            *slot = Some(p);
            self.full.set(true);
        }
    }

    /// Whether a payload is waiting.
    #[inline]
    pub(crate) fn is_full(&self) -> bool {
        self.full.get()
    }

    /// Takes the waiting payload.
    pub(crate) fn take(&self) -> Option<Payload> {
        self.full.set(false);
        self.payload.borrow_mut().take()
    }
}

impl LuaInner {
    /// Resumes the waiting panic (the slot is full): at the end of a state
    /// access (`Lua::with`).
    #[cold]
    #[inline(never)]
    pub(crate) fn resume_panic_now(&self) -> ! {
        let p = self.panic.take().unwrap_or_else(|| Box::new("a Rust panic in a callback"));
        std::panic::resume_unwind(p)
    }
}

/// What a runtime value is, as a panic value.
pub(crate) enum PanicValue {
    /// Not a panic value.
    No,
    /// A panic value, with its payload (taken out of it) unless it was
    /// already resumed.
    Yes(Option<Payload>),
}

/// Takes the payload out of `v` if it is a panic value.
#[inline]
pub(crate) fn take_panic(v: Value) -> PanicValue {
    match v {
        Value::Userdata(u) if Userdata::type_id(&u) == TypeId::of::<WrappedPanic>() => {
            PanicValue::Yes(u.with_payload(|w: &WrappedPanic| w.0.borrow_mut().take()).flatten())
        }
        _ => PanicValue::No,
    }
}

/// A new panic value holding `p`; on a memory error `p` is given back.
pub(crate) fn panic_value(st: &mut State, p: Payload) -> Result<Value, Payload> {
    let Ok(mt) = crate::lua::carrier_metatable(st, TypeId::of::<WrappedPanic>(), panic_tostring, "panic") else {
        return Err(p);
    };
    let w = WrappedPanic(RefCell::new(None));
    let u = match st.new_userdata(w, 0) {
        Ok(u) => u,
        Err(_) => return Err(p),
    };
    if let Some(cell) = u.with_payload(|w: &WrappedPanic| w.0.replace(Some(p))) {
        debug_assert!(cell.is_none());
    }
    st.set_metatable(Value::Userdata(u), Some(mt));
    Ok(Value::Userdata(u))
}

/// The message of a panic payload (mlua's: the text of `panic!`, else
/// `<panic>`).
pub(crate) fn panic_message(p: &(dyn Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "<panic>".to_string()
    }
}

/// Whether scripts may catch panic values (their metatable, whose
/// `__tostring` gives the message, is made with the first one:
/// `lua::carrier_metatable`).
pub(crate) fn set_panics_catchable(st: &mut State, catchable: bool) {
    if !catchable {
        st.set_uncatchable_userdata(Some(TypeId::of::<WrappedPanic>()));
    }
}

/// `__tostring` of a panic value: its message, or the error
/// `PreviouslyResumedPanic` once the panic was resumed.
fn panic_tostring(st: &mut State) -> LResult<usize> {
    let msg = match st.arg(1) {
        Value::Userdata(u) => {
            u.with_payload(|w: &WrappedPanic| w.0.borrow().as_ref().map(|p| panic_message(&**p))).flatten()
        }
        _ => None,
    };
    match msg {
        Some(m) => {
            let s = st.str_value(m)?;
            st.push(s);
            Ok(1)
        }
        None => match crate::lua::error_value(st, LuaError::PreviouslyResumedPanic) {
            Ok(v) => Err(st.throw_value(v)),
            Err(_) => Err(st.memory_error()),
        },
    }
}
