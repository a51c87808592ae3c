//! Full userdata: a Rust value (`Box<dyn Any>`) with its own metatable and
//! user values.
//!
//! The payload can be taken out (`take_payload`) or dropped early; the
//! userdata then stays a valid Lua value whose payload is gone, and the
//! embedding layer reports "userdata has been destructed"-style errors.
//! Collecting the userdata drops the payload.

use std::any::{Any, TypeId};
use std::cell::{Cell, UnsafeCell};

use crate::gc::{Collectable, Gc, ObjKind};
use crate::object::table::Table;
use crate::value::Value;

/// A full userdata.
pub struct Userdata {
    payload: UnsafeCell<Option<Box<dyn Any>>>,
    /// The `TypeId` of the payload, kept after the payload is taken.
    type_id: TypeId,
    /// Size of the payload when created (for the accounting).
    payload_size: usize,
    pub(crate) metatable: Cell<Option<Gc<Table>>>,
    user_values: Box<[Cell<Value>]>,
}

impl Collectable for Userdata {
    const KIND: ObjKind = ObjKind::Userdata;
    fn extra_bytes(&self) -> usize {
        self.payload_size + self.user_values.len() * std::mem::size_of::<Value>()
    }
}

impl Userdata {
    pub(crate) fn new<T: Any>(value: T, n_user_values: usize) -> Userdata {
        Userdata {
            payload_size: std::mem::size_of::<T>(),
            type_id: TypeId::of::<T>(),
            payload: UnsafeCell::new(Some(Box::new(value))),
            metatable: Cell::new(None),
            user_values: (0..n_user_values).map(|_| Cell::new(Value::Nil)).collect(),
        }
    }

    /// Creates a userdata from an already boxed payload.
    pub(crate) fn from_box(value: Box<dyn Any>, size: usize, n_user_values: usize) -> Userdata {
        Userdata {
            payload_size: size,
            type_id: (*value).type_id(),
            payload: UnsafeCell::new(Some(value)),
            metatable: Cell::new(None),
            user_values: (0..n_user_values).map(|_| Cell::new(Value::Nil)).collect(),
        }
    }

    /// The `TypeId` the payload had at creation.
    pub fn type_id(&self) -> TypeId {
        self.type_id
    }

    /// The metatable.
    pub fn metatable(&self) -> Option<Gc<Table>> {
        self.metatable.get()
    }

    /// Whether the payload is still there.
    pub fn has_payload(&self) -> bool {
        // SAFETY: a shared read of the option's discriminant; no mutable
        // reference to the payload slot outlives `take_payload`.
        unsafe { (*self.payload.get()).is_some() }
    }

    /// A reference to the payload if it is a `T`.
    ///
    /// The reference must not be held across anything that could take the
    /// payload (`take_payload`) or collect the userdata; the embedding API
    /// guards payloads with its own borrow flags for that reason.
    pub fn payload<T: Any>(&self) -> Option<&T> {
        // SAFETY: the payload is only replaced by `take_payload`, which the
        // callers never run while a reference from here is alive.
        unsafe { (*self.payload.get()).as_ref()?.downcast_ref::<T>() }
    }

    /// The payload as `&dyn Any`, if present.
    pub fn payload_any(&self) -> Option<&dyn Any> {
        // SAFETY: as for `payload`.
        unsafe { (*self.payload.get()).as_deref() }
    }

    /// Takes the payload out, leaving the userdata without one.
    pub fn take_payload(&self) -> Option<Box<dyn Any>> {
        // SAFETY: no reference from `payload` is alive (caller contract).
        unsafe { (*self.payload.get()).take() }
    }

    /// Number of user values.
    pub fn num_user_values(&self) -> usize {
        self.user_values.len()
    }

    /// User value `n` (1-based), or `None` when out of range.
    pub fn user_value(&self, n: usize) -> Option<Value> {
        n.checked_sub(1).and_then(|i| self.user_values.get(i)).map(Cell::get)
    }

    /// Sets user value `n` (1-based); false when out of range. The caller
    /// does the write barrier.
    pub(crate) fn set_user_value(&self, n: usize, v: Value) -> bool {
        match n.checked_sub(1).and_then(|i| self.user_values.get(i)) {
            Some(c) => {
                c.set(v);
                true
            }
            None => false,
        }
    }

    pub(crate) fn user_values(&self) -> &[Cell<Value>] {
        &self.user_values
    }
}
