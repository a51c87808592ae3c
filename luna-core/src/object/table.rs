//! Lua tables: an array part for the keys `1..n` and a hash part.
//!
//! The layout follows PUC's ltable.c. The array part holds the values of
//! the integer keys `1..array.len()` (absent ones are `nil`). The hash part
//! is a power-of-two array of nodes forming a chained scatter table with
//! Brent's variation: every key lives either in its *main position* (the
//! node its hash selects) or in a free node chained from the main position
//! of a colliding key, and a key found out of its main position is moved
//! when the rightful owner arrives. Free nodes are taken from the top of
//! the node array downwards (`lastfree`); when none is left the table is
//! *rehashed*: all keys are counted and both parts resized so that the
//! array part is the largest power of two more than half full.
//!
//! Removing a key only sets its value to `nil`; the key stays in the node
//! (so `next` keeps working while a traversal assigns `nil` to fields). A
//! collectable key whose value is `nil` may be collected; the collector
//! then marks the node *dead*: its key is replaced by an address-only
//! marker that never matches a lookup but still identifies the node for
//! `next`.
//!
//! All methods take `&self` and never return references into the storage
//! (gc module rule 4); mutation goes through an `UnsafeCell`.

use std::cell::{Cell, UnsafeCell};

use crate::gc::{Collectable, Gc, Heap, MemoryError, ObjKind};
use crate::object::string::LuaStr;
use crate::value::Value;

/// Largest array part: 2^MAX_ABITS slots.
const MAX_ABITS: u32 = 31;
/// Largest hash part: 2^MAX_HBITS nodes.
const MAX_HBITS: u32 = 30;

/// A node of the hash part.
#[derive(Clone, Copy)]
pub(crate) struct Node {
    pub(crate) val: Value,
    /// The key; `Nil` for a never-used node.
    pub(crate) key: Value,
    /// Offset to the next node in the collision chain (0: end of chain).
    pub(crate) next: i32,
    /// The key was collected; `key` holds only its address (as a light
    /// userdata) for `next`.
    pub(crate) dead: bool,
}

impl Node {
    const EMPTY: Node = Node { val: Value::Nil, key: Value::Nil, next: 0, dead: false };
}

pub(crate) struct TableData {
    pub(crate) array: Vec<Value>,
    pub(crate) node: Vec<Node>,
    /// Every node above this index is in use (free-node search pointer).
    lastfree: usize,
    pub(crate) metatable: Option<Gc<Table>>,
}

/// Errors of raw table stores.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableError {
    /// `table index is nil`
    NilKey,
    /// `table index is NaN`
    NanKey,
    /// The memory limit was reached.
    Memory,
    /// The hash part would exceed its maximum size (`table overflow`).
    Overflow,
}

impl From<MemoryError> for TableError {
    fn from(_: MemoryError) -> Self {
        TableError::Memory
    }
}

/// A Lua table.
pub struct Table {
    data: UnsafeCell<TableData>,
    /// Metamethod-absence cache (PUC's `flags`): bit `e` set means the
    /// table, used as a metatable, has no field for event `e` (only the
    /// first events, up to `__eq`, are cached).
    pub(crate) flags: Cell<u8>,
    /// A border of the array part found by the last length query; a hint
    /// that makes `t[#t + 1] = v` loops O(1).
    len_hint: Cell<usize>,
}

impl Collectable for Table {
    const KIND: ObjKind = ObjKind::Table;
    fn extra_bytes(&self) -> usize {
        let d = self.d();
        d.array.len() * std::mem::size_of::<Value>() + d.node.len() * std::mem::size_of::<Node>()
    }
}

#[inline]
fn mix64(x: u64) -> usize {
    // Fibonacci hashing: multiply and keep the high bits, which depend on
    // every bit of the input.
    (x.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32) as usize
}

/// Converts a float key with an exact integer value to that integer.
#[inline]
fn normalize_key(k: Value) -> Value {
    if let Value::Float(f) = k {
        if let Some(i) = crate::vm::arith::float_to_int_exact(f) {
            return Value::Int(i);
        }
    }
    k
}

impl Table {
    pub(crate) fn new(narray: usize, nhash: usize) -> Table {
        let nsize = if nhash == 0 { 0 } else { nhash.next_power_of_two() };
        Table {
            data: UnsafeCell::new(TableData {
                array: vec![Value::Nil; narray],
                node: vec![Node::EMPTY; nsize],
                lastfree: nsize,
                metatable: None,
            }),
            flags: Cell::new(0),
            len_hint: Cell::new(0),
        }
    }

    /// Shared access to the storage, for the duration of one method.
    ///
    /// The storage is reached only through `d` and `update`, both private
    /// to this module, and no method keeps a reference from either beyond
    /// its own body or calls out of the module while holding one, so a
    /// reference from `d` never overlaps the one `update` lends.
    #[inline(always)]
    fn d(&self) -> &TableData {
        // SAFETY: see above; tables are not shared across threads.
        unsafe { &*self.data.get() }
    }

    /// Exclusive access to the storage for the closure `f`, which works
    /// on the data it is given and never on `self` (so the reference is
    /// the only one; see `d`).
    #[inline(always)]
    fn update<R>(&self, f: impl FnOnce(&mut TableData) -> R) -> R {
        // SAFETY: see `d`: no other reference to the storage is alive
        // while `f` runs, and the reference does not outlive the call.
        f(unsafe { &mut *self.data.get() })
    }

    /// The metatable.
    #[inline(always)]
    pub fn metatable(&self) -> Option<Gc<Table>> {
        self.d().metatable
    }

    /// Size of the array part.
    #[inline(always)]
    pub fn array_len(&self) -> usize {
        self.d().array.len()
    }

    /// Size of the hash part (number of nodes).
    #[inline(always)]
    pub fn node_len(&self) -> usize {
        self.d().node.len()
    }

    /// Raw get with an integer key.
    #[inline(always)]
    pub fn get_int(&self, k: i64) -> Value {
        let d = self.d();
        let idx = (k as u64).wrapping_sub(1);
        if idx < d.array.len() as u64 {
            return d.array[idx as usize];
        }
        find_int_node(d, k, |_, n| n.val, Value::Nil)
    }

    /// Raw get with a string key.
    #[inline(always)]
    pub fn get_str(&self, s: Gc<LuaStr>) -> Value {
        let d = self.d();
        find_str_node(d, s, |_, n| n.val, Value::Nil)
    }

    /// Raw get (`rawget`).
    #[inline]
    pub fn get(&self, key: Value) -> Value {
        match key {
            Value::Int(i) => self.get_int(i),
            Value::Str(s) => self.get_str(s),
            Value::Nil => Value::Nil,
            Value::Float(f) => match crate::vm::arith::float_to_int_exact(f) {
                Some(i) => self.get_int(i),
                None if f.is_nan() => Value::Nil,
                None => self.get_other(&key),
            },
            _ => self.get_other(&key),
        }
    }

    /// Raw get of a key that is neither an integer nor a string.
    fn get_other(&self, key: &Value) -> Value {
        let d = self.d();
        find_node(d, key, |_, n| n.val, Value::Nil)
    }

    /// Overwrites the value of an integer key that is present (non-nil).
    /// Returns false, changing nothing, when the key is absent. The caller
    /// applies the write barrier (`Heap::barrier_back`).
    #[inline(always)]
    pub(crate) fn replace_int(&self, k: i64, v: Value) -> bool {
        self.update(|d| {
            let idx = (k as u64).wrapping_sub(1);
            if idx < d.array.len() as u64 {
                let slot = &mut d.array[idx as usize];
                if slot.is_nil() {
                    return false;
                }
                *slot = v;
                return true;
            }
            replace_node_value(d, find_int_node(d, k, live_node, None), v)
        })
    }

    /// Overwrites the value of a string key that is present (non-nil); the
    /// caller applies the write barrier.
    #[inline(always)]
    pub(crate) fn replace_str(&self, s: Gc<LuaStr>, v: Value) -> bool {
        self.update(|d| replace_node_value(d, find_str_node(d, s, live_node, None), v))
    }

    /// Inserts a string key known to be absent when its main position is
    /// free, which is the common case of filling a new table's fields.
    /// Returns false when the general insertion path is needed. The caller
    /// applies the write barrier.
    #[inline]
    pub(crate) fn try_insert_str_fast(&self, s: Gc<LuaStr>, v: Value) -> bool {
        if !s.is_short() {
            return false;
        }
        self.update(|d| {
            let len = d.node.len();
            if len == 0 {
                return false;
            }
            let n = &mut d.node[(s.short_hash() as usize) & (len - 1)];
            if !n.key.is_nil() {
                return false;
            }
            n.key = Value::Str(s);
            n.val = v;
            n.dead = false;
            true
        })
    }

    /// Overwrites the value of a key that is present (non-nil); the caller
    /// applies the write barrier.
    #[inline]
    pub(crate) fn replace(&self, key: Value, v: Value) -> bool {
        match key {
            Value::Int(i) => self.replace_int(i, v),
            Value::Str(s) => self.replace_str(s, v),
            Value::Nil => false,
            _ => match normalize_key(key) {
                Value::Int(i) => self.replace_int(i, v),
                key => self.update(|d| replace_node_value(d, find_node(d, &key, live_node, None), v)),
            },
        }
    }

    /// Stores into slot `i` (0-based) of the array part, which must exist
    /// (`SETLIST` after sizing the table); the caller applies the write
    /// barrier.
    #[inline]
    pub(crate) fn set_array_slot(&self, i: usize, v: Value) {
        self.update(|d| d.array[i] = v)
    }

    /// The length (a border), as the `#` operator without `__len`.
    pub fn length(&self) -> u64 {
        let d = self.d();
        let n = d.array.len();
        if n > 0 && d.array[n - 1].is_nil() {
            // There is a border in the array part. Try the hint (and the
            // slot after it) before a binary search.
            let h = self.len_hint.get();
            if h < n && (h == 0 || !d.array[h - 1].is_nil()) {
                if d.array[h].is_nil() {
                    return h as u64;
                }
                if h + 1 < n && d.array[h + 1].is_nil() {
                    self.len_hint.set(h + 1);
                    return (h + 1) as u64;
                }
            }
            // Binary search with t[lo] present (or lo == 0) and t[hi] absent.
            let (mut lo, mut hi) = (0usize, n);
            while hi - lo > 1 {
                let m = (lo + hi) / 2;
                if d.array[m - 1].is_nil() {
                    hi = m;
                } else {
                    lo = m;
                }
            }
            self.len_hint.set(lo);
            return lo as u64;
        }
        if d.node.is_empty() || self.get_int((n as i64).wrapping_add(1)).is_nil() {
            return n as u64;
        }
        self.hash_search(n as u64)
    }

    fn hash_search(&self, mut j: u64) -> u64 {
        let mut i;
        if j == 0 {
            j = 1;
        }
        loop {
            i = j;
            if j <= (i64::MAX as u64) / 2 {
                j *= 2;
            } else {
                j = i64::MAX as u64;
                if self.get_int(j as i64).is_nil() {
                    break;
                }
                return j;
            }
            if self.get_int(j as i64).is_nil() {
                break;
            }
        }
        while j - i > 1 {
            let m = (i + j) / 2;
            if self.get_int(m as i64).is_nil() {
                j = m;
            } else {
                i = m;
            }
        }
        i
    }

    /// The traversal step of `next`: the entry after `key` (`nil` starts),
    /// or `None` at the end. `Err` when `key` is not in the table.
    #[allow(clippy::result_unit_err)]
    pub fn next(&self, key: Value) -> Result<Option<(Value, Value)>, ()> {
        let d = self.d();
        let alen = d.array.len();
        // Index to start scanning at: array slots are 0..alen, nodes follow.
        let mut i = match normalize_key(key) {
            Value::Nil => 0,
            Value::Int(k) if k >= 1 && (k as u64) <= alen as u64 => k as usize,
            k => match find_node_for_next(d, &k) {
                Some(n) => alen + n + 1,
                None => return Err(()),
            },
        };
        while i < alen {
            let v = d.array[i];
            if !v.is_nil() {
                return Ok(Some((Value::Int(i as i64 + 1), v)));
            }
            i += 1;
        }
        let mut n = i - alen;
        while n < d.node.len() {
            let node = &d.node[n];
            if !node.val.is_nil() {
                return Ok(Some((node.key, node.val)));
            }
            n += 1;
        }
        Ok(None)
    }

    /// The traversal from a position: the first entry at or after
    /// position `pos` (0 starts), with the position after it, in the order
    /// of `next`. A host walking a whole table this way skips the lookup
    /// of the previous key that `next` makes at every step. Positions stay
    /// valid while the table is not changed.
    pub fn entry_from(&self, pos: usize) -> Option<(usize, Value, Value)> {
        let d = self.d();
        let alen = d.array.len();
        let mut i = pos;
        while i < alen {
            let v = d.array[i];
            if !v.is_nil() {
                return Some((i + 1, Value::Int(i as i64 + 1), v));
            }
            i += 1;
        }
        let mut n = i - alen;
        while n < d.node.len() {
            let node = &d.node[n];
            if !node.val.is_nil() {
                return Some((alen + n + 1, node.key, node.val));
            }
            n += 1;
        }
        None
    }

    /// Sets the metatable (the caller does the write barrier and the
    /// finalizer check).
    pub(crate) fn set_metatable_raw(&self, mt: Option<Gc<Table>>) {
        self.update(|d| d.metatable = mt);
    }

    /// Invalidates the metamethod-absence cache (after a store into a table
    /// that may be a metatable).
    #[inline(always)]
    pub(crate) fn invalidate_tm_cache(&self) {
        self.flags.set(0);
    }

    // ------------------------------------------------------------------
    // For the collector: entries read by position, and the weak-table
    // clearing steps.

    /// Slot `j` (0-based) of the array part (`nil` beyond it).
    #[inline(always)]
    pub(crate) fn array_slot(&self, j: usize) -> Value {
        self.d().array.get(j).copied().unwrap_or(Value::Nil)
    }

    /// A copy of node `i` of the hash part (an empty node beyond it).
    #[inline(always)]
    pub(crate) fn node_at(&self, i: usize) -> Node {
        self.d().node.get(i).copied().unwrap_or(Node::EMPTY)
    }

    /// Clears slot `j` of the array part (a collected weak value).
    pub(crate) fn clear_array_slot(&self, j: usize) {
        self.update(|d| {
            if let Some(v) = d.array.get_mut(j) {
                *v = Value::Nil;
            }
        })
    }

    /// Clears the value of node `i` (a collected weak key or value).
    pub(crate) fn clear_node_value(&self, i: usize) {
        self.update(|d| {
            if let Some(n) = d.node.get_mut(i) {
                n.val = Value::Nil;
            }
        })
    }

    /// Marks node `i` as holding a collected key (PUC's `clearkey`).
    pub(crate) fn kill_node_key(&self, i: usize) {
        self.update(|d| {
            let Some(n) = d.node.get_mut(i) else { return };
            if let Some(addr) = n.key.gc_address() {
                if n.key.gc_ptr().is_some() {
                    n.key = Value::LightUserdata(addr as *mut std::ffi::c_void);
                    n.dead = true;
                }
            }
        })
    }

    // ------------------------------------------------------------------
    // Insertion and resizing.

    /// Chooses the new sizes for inserting `extra` and resizes.
    fn rehash(&self, heap: &mut Heap, extra: &Value) -> Result<(), TableError> {
        let mut nums = [0u32; MAX_ABITS as usize + 1];
        let d = self.d();
        let mut na = count_array(d, &mut nums);
        let mut total = na;
        for n in &d.node {
            if !n.val.is_nil() {
                if let Value::Int(k) = n.key {
                    na += count_int(k, &mut nums);
                }
                total += 1;
            }
        }
        if let Value::Int(k) = *extra {
            na += count_int(k, &mut nums);
        }
        total += 1;
        let asize = compute_sizes(&nums, &mut na);
        self.resize(heap, asize as usize, (total - na) as usize)
    }

    /// Resizes both parts, re-inserting every entry. On error nothing
    /// changes.
    pub(crate) fn resize(&self, heap: &mut Heap, new_asize: usize, nhsize: usize) -> Result<(), TableError> {
        let new_nsize = if nhsize == 0 {
            0
        } else {
            let bits = ceil_log2(nhsize as u64);
            if bits > MAX_HBITS {
                return Err(TableError::Overflow);
            }
            1usize << bits
        };
        if new_asize > (1usize << MAX_ABITS) {
            return Err(TableError::Overflow);
        }
        self.update(|d| resize_data(d, heap, new_asize, new_nsize))?;
        self.len_hint.set(0);
        Ok(())
    }
}

/// Resizes the parts of `d` to `new_asize` array slots and `new_nsize`
/// nodes (a power of two or 0), charging the difference to `heap`.
fn resize_data(d: &mut TableData, heap: &mut Heap, new_asize: usize, new_nsize: usize) -> Result<(), TableError> {
    let old_bytes = d.array.len() * std::mem::size_of::<Value>() + d.node.len() * std::mem::size_of::<Node>();
    let new_bytes = new_asize * std::mem::size_of::<Value>() + new_nsize * std::mem::size_of::<Node>();
    if new_bytes > old_bytes {
        heap.charge(new_bytes - old_bytes)?;
    }
    let mut new_array: Vec<Value> = Vec::new();
    let mut new_node: Vec<Node> = Vec::new();
    if new_array.try_reserve_exact(new_asize).is_err() || new_node.try_reserve_exact(new_nsize).is_err() {
        if new_bytes > old_bytes {
            heap.release(new_bytes - old_bytes);
        }
        return Err(TableError::Memory);
    }
    let old_alen = d.array.len();
    new_array.extend_from_slice(&d.array[..old_alen.min(new_asize)]);
    new_array.resize(new_asize, Value::Nil);
    new_node.resize(new_nsize, Node::EMPTY);
    let old_array = std::mem::replace(&mut d.array, new_array);
    let old_node = std::mem::replace(&mut d.node, new_node);
    d.lastfree = new_nsize;
    // Entries of the old array beyond the new size move to the hash.
    for (i, v) in old_array.iter().enumerate().skip(new_asize) {
        if !v.is_nil() {
            insert_after_resize(d, Value::Int(i as i64 + 1), *v);
        }
    }
    for n in &old_node {
        if !n.val.is_nil() {
            insert_after_resize(d, n.key, n.val);
        }
    }
    if old_bytes > new_bytes {
        heap.release(old_bytes - new_bytes);
    }
    Ok(())
}

/// Re-inserts an entry while resizing (room is guaranteed).
fn insert_after_resize(d: &mut TableData, key: Value, val: Value) {
    if let Value::Int(k) = key {
        let idx = (k as u64).wrapping_sub(1);
        if idx < d.array.len() as u64 {
            d.array[idx as usize] = val;
            return;
        }
    }
    let inserted = insert_new_key(d, key, val);
    debug_assert!(inserted, "resize computed too small a hash part");
}

/// Inserts a key known to be absent from the hash part. Returns false
/// when there is no free node (a rehash is needed).
fn insert_new_key(d: &mut TableData, key: Value, val: Value) -> bool {
    if d.node.is_empty() {
        return false;
    }
    let len = d.node.len();
    let mut mp = main_position(len, &key);
    if !d.node[mp].val.is_nil() {
        // The main position is taken: find a free node.
        let f = loop {
            if d.lastfree == 0 {
                return false;
            }
            d.lastfree -= 1;
            if d.node[d.lastfree].key.is_nil() {
                break d.lastfree;
            }
        };
        let other = main_position(len, &d.node[mp].key);
        if other != mp {
            // The colliding node is out of its main position: move it
            // to the free node and take its place.
            let mut prev = other;
            while (prev as isize + d.node[prev].next as isize) as usize != mp {
                prev = (prev as isize + d.node[prev].next as isize) as usize;
            }
            d.node[prev].next = (f as isize - prev as isize) as i32;
            d.node[f] = d.node[mp];
            if d.node[mp].next != 0 {
                d.node[f].next += (mp as isize - f as isize) as i32;
                d.node[mp].next = 0;
            }
            d.node[mp].val = Value::Nil;
        } else {
            // The colliding node is in its main position: the new key
            // goes to the free node, chained after it.
            if d.node[mp].next != 0 {
                d.node[f].next = (mp as isize + d.node[mp].next as isize - f as isize) as i32;
            }
            d.node[mp].next = (f as isize - mp as isize) as i32;
            mp = f;
        }
    }
    let n = &mut d.node[mp];
    n.key = key;
    n.dead = false;
    n.val = val;
    true
}

// ----------------------------------------------------------------------
// Lookups in the hash part (on the data, so that both reads and stores
// share them).

#[inline]
fn main_position(node_len: usize, key: &Value) -> usize {
    let mask = node_len - 1;
    let h = match *key {
        Value::Int(i) => mix64(i as u64),
        Value::Str(s) => s.hash() as usize,
        Value::Float(f) => mix64(f.to_bits()),
        Value::Bool(b) => b as usize,
        Value::Nil => 0,
        other => mix64(other.gc_address().unwrap_or(0) as u64),
    };
    h & mask
}

// Each lookup passes the node holding the key, and its index, to `found`
// and returns what it returns, or `missing` when the key is absent: a read
// takes the value from the node the search stopped at, with no second,
// checked indexing and no `Option` in between.

/// Finds the node holding `key` (already normalised, not nil/NaN).
#[inline]
fn find_node<R>(d: &TableData, key: &Value, found: impl FnOnce(usize, &Node) -> R, missing: R) -> R {
    if d.node.is_empty() {
        return missing;
    }
    let mut i = main_position(d.node.len(), key);
    loop {
        let n = &d.node[i];
        if n.key.raw_eq(key) && !n.dead {
            return found(i, n);
        }
        if n.next == 0 {
            return missing;
        }
        i = (i as isize + n.next as isize) as usize;
    }
}

#[inline(always)]
fn find_int_node<R>(d: &TableData, k: i64, found: impl FnOnce(usize, &Node) -> R, missing: R) -> R {
    let node = &d.node;
    let len = node.len();
    if len == 0 {
        return missing;
    }
    let mut i = mix64(k as u64) & (len - 1);
    loop {
        let Some(n) = node.get(i) else { return missing };
        if let Value::Int(x) = n.key {
            if x == k {
                return found(i, n);
            }
        }
        if n.next == 0 {
            return missing;
        }
        i = i.wrapping_add(n.next as isize as usize);
    }
}

/// The node of a string key of either kind (short strings are interned,
/// so compared by address).
#[inline(always)]
fn find_str_node<R>(d: &TableData, s: Gc<LuaStr>, found: impl FnOnce(usize, &Node) -> R, missing: R) -> R {
    if !s.is_short() {
        return match find_long_str_node(d, s) {
            Some(i) => found(i, &d.node[i]),
            None => missing,
        };
    }
    let node = &d.node;
    let len = node.len();
    if len == 0 {
        return missing;
    }
    let mut i = (s.short_hash() as usize) & (len - 1);
    loop {
        let Some(n) = node.get(i) else { return missing };
        if let Value::Str(x) = n.key {
            if x.ptr_eq(s) {
                return found(i, n);
            }
        }
        if n.next == 0 {
            return missing;
        }
        i = i.wrapping_add(n.next as isize as usize);
    }
}

#[inline(never)]
fn find_long_str_node(d: &TableData, s: Gc<LuaStr>) -> Option<usize> {
    find_node(d, &Value::Str(s), |i, _| Some(i), None)
}

/// Finds the node of `key` for `next`, accepting dead keys by address.
fn find_node_for_next(d: &TableData, key: &Value) -> Option<usize> {
    if let Some(i) = find_node(d, key, |i, _| Some(i), None) {
        return Some(i);
    }
    let addr = key.gc_address()?;
    d.node.iter().position(|n| n.dead && n.key.gc_address() == Some(addr))
}

/// Overwrites the value of node `i` when it holds a live entry.
#[inline(always)]
fn replace_node_value(d: &mut TableData, found: Option<usize>, v: Value) -> bool {
    match found {
        Some(i) => {
            d.node[i].val = v;
            true
        }
        None => false,
    }
}

/// A lookup's `found` for stores that overwrite: the index of a node
/// whose value is not nil.
#[inline(always)]
fn live_node(i: usize, n: &Node) -> Option<usize> {
    (!n.val.is_nil()).then_some(i)
}

/// Counts the integer keys of the array part by power-of-two slices
/// (`nums[i]` = keys in `(2^(i-1), 2^i]`), returning the total.
fn count_array(d: &TableData, nums: &mut [u32; MAX_ABITS as usize + 1]) -> u32 {
    let mut total = 0;
    let mut i = 1usize; // 1-based key
    let mut lim = 1usize;
    for slot in nums.iter_mut() {
        let mut c = 0;
        let hi = lim.min(d.array.len());
        while i <= hi {
            if !d.array[i - 1].is_nil() {
                c += 1;
            }
            i += 1;
        }
        *slot += c;
        total += c;
        if hi == d.array.len() {
            break;
        }
        lim *= 2;
    }
    total
}

fn count_int(k: i64, nums: &mut [u32; MAX_ABITS as usize + 1]) -> u32 {
    if k >= 1 && (k as u64) <= (1u64 << MAX_ABITS) {
        nums[ceil_log2(k as u64) as usize] += 1;
        1
    } else {
        0
    }
}

impl Gc<Table> {
    /// Raw set (`rawset`): stores `v` under `key`, inserting the key if
    /// needed, with the write barrier. Storing `nil` under an absent key
    /// does nothing.
    #[inline]
    pub(crate) fn raw_set(self, heap: &mut Heap, key: Value, v: Value) -> Result<(), TableError> {
        if let Value::Int(k) = key {
            self.invalidate_tm_cache();
            return self.raw_set_int(heap, k, v);
        }
        self.raw_set_other(heap, key, v)
    }

    /// `raw_set` with a key that is not an integer.
    fn raw_set_other(self, heap: &mut Heap, key: Value, v: Value) -> Result<(), TableError> {
        let key = match key {
            Value::Nil => return Err(TableError::NilKey),
            Value::Float(f) if f.is_nan() => return Err(TableError::NanKey),
            k => normalize_key(k),
        };
        self.invalidate_tm_cache();
        if let Value::Int(k) = key {
            return self.raw_set_int(heap, k, v);
        }
        heap.barrier_back(self, v);
        let present = self.update(|d| match find_node(d, &key, |i, _| Some(i), None) {
            Some(i) => {
                d.node[i].val = v;
                true
            }
            None => false,
        });
        if present || v.is_nil() {
            return Ok(());
        }
        heap.barrier_back(self, key);
        self.new_key(heap, key, v)
    }

    /// Raw set with an integer key, with the write barrier.
    #[inline]
    pub(crate) fn raw_set_int(self, heap: &mut Heap, k: i64, v: Value) -> Result<(), TableError> {
        heap.barrier_back(self, v);
        let stored = self.update(|d| {
            let idx = (k as u64).wrapping_sub(1);
            if idx < d.array.len() as u64 {
                d.array[idx as usize] = v;
                return true;
            }
            match find_int_node(d, k, |i, _| Some(i), None) {
                Some(i) => {
                    d.node[i].val = v;
                    true
                }
                None => false,
            }
        });
        if stored || v.is_nil() {
            return Ok(());
        }
        self.new_key(heap, Value::Int(k), v)
    }

    fn new_key(self, heap: &mut Heap, key: Value, v: Value) -> Result<(), TableError> {
        if self.update(|d| insert_new_key(d, key, v)) {
            return Ok(());
        }
        self.rehash(heap, &key)?;
        // After a rehash the key may belong to the array part.
        let ok = self.update(|d| {
            if let Value::Int(k) = key {
                let idx = (k as u64).wrapping_sub(1);
                if idx < d.array.len() as u64 {
                    d.array[idx as usize] = v;
                    return true;
                }
            }
            insert_new_key(d, key, v)
        });
        debug_assert!(ok);
        if ok {
            Ok(())
        } else {
            Err(TableError::Overflow)
        }
    }
}

/// The smallest `b` with `2^b >= x` (0 for x <= 1).
fn ceil_log2(x: u64) -> u32 {
    if x <= 1 {
        0
    } else {
        64 - (x - 1).leading_zeros()
    }
}

/// PUC's `computesizes`: the largest power of two `n` such that more than
/// half of `1..n` are used; `na` becomes the number of keys going there.
fn compute_sizes(nums: &[u32; MAX_ABITS as usize + 1], na: &mut u32) -> u32 {
    let mut a = 0u32;
    let mut nna = 0u32;
    let mut optimal = 0u32;
    let mut twotoi = 1u64;
    let mut i = 0;
    while i <= MAX_ABITS as usize && (*na as u64) > twotoi / 2 {
        a += nums[i];
        if a as u64 > twotoi / 2 {
            optimal = twotoi as u32;
            nna = a;
        }
        i += 1;
        twotoi *= 2;
    }
    *na = nna;
    optimal
}
