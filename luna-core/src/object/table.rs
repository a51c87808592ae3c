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

    #[inline(always)]
    pub(crate) fn d(&self) -> &TableData {
        // SAFETY: no `&mut TableData` outlives the method that made it
        // (gc rule 4), and tables are not shared across threads.
        unsafe { &*self.data.get() }
    }

    #[inline(always)]
    #[allow(clippy::mut_from_ref)]
    pub(crate) fn dm(&self) -> &mut TableData {
        // SAFETY: as for `d`: every caller uses the reference only within
        // the current method, without calling code that could reach this
        // table again.
        unsafe { &mut *self.data.get() }
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

    /// Finds the node holding `key` (already normalised, not nil/NaN).
    #[inline]
    fn find_node(&self, key: &Value) -> Option<usize> {
        let d = self.d();
        if d.node.is_empty() {
            return None;
        }
        let mut i = Self::main_position(d.node.len(), key);
        loop {
            let n = &d.node[i];
            if n.key.raw_eq(key) && !n.dead {
                return Some(i);
            }
            if n.next == 0 {
                return None;
            }
            i = (i as isize + n.next as isize) as usize;
        }
    }

    #[inline(always)]
    fn find_int_node(&self, k: i64) -> Option<usize> {
        let node = &self.d().node;
        let len = node.len();
        if len == 0 {
            return None;
        }
        let mut i = mix64(k as u64) & (len - 1);
        loop {
            let n = node.get(i)?;
            if let Value::Int(x) = n.key {
                if x == k {
                    return Some(i);
                }
            }
            if n.next == 0 {
                return None;
            }
            i = i.wrapping_add(n.next as isize as usize);
        }
    }

    /// The node of a short (interned) string key: compared by address.
    #[inline(always)]
    #[allow(clippy::mut_from_ref)]
    fn short_str_node(&self, s: Gc<LuaStr>) -> Option<&mut Node> {
        let node = &mut self.dm().node;
        let len = node.len();
        if len == 0 {
            return None;
        }
        let mut i = (s.short_hash() as usize) & (len - 1);
        loop {
            let n = node.get(i)?;
            if let Value::Str(x) = n.key {
                if x.ptr_eq(s) {
                    break;
                }
            }
            if n.next == 0 {
                return None;
            }
            i = i.wrapping_add(n.next as isize as usize);
        }
        node.get_mut(i)
    }

    /// The node of a string key of either kind.
    #[inline(always)]
    #[allow(clippy::mut_from_ref)]
    fn str_node(&self, s: Gc<LuaStr>) -> Option<&mut Node> {
        if s.is_short() {
            self.short_str_node(s)
        } else {
            let i = self.find_long_str_node(s)?;
            self.dm().node.get_mut(i)
        }
    }

    #[inline(never)]
    fn find_long_str_node(&self, s: Gc<LuaStr>) -> Option<usize> {
        self.find_node(&Value::Str(s))
    }

    /// Raw get with an integer key.
    #[inline(always)]
    pub fn get_int(&self, k: i64) -> Value {
        let d = self.d();
        let idx = (k as u64).wrapping_sub(1);
        if let Some(v) = d.array.get(idx as usize) {
            if idx < d.array.len() as u64 {
                return *v;
            }
        }
        match self.find_int_node(k) {
            Some(i) => d.node.get(i).map_or(Value::Nil, |n| n.val),
            None => Value::Nil,
        }
    }

    /// Raw get with a string key.
    #[inline(always)]
    pub fn get_str(&self, s: Gc<LuaStr>) -> Value {
        match self.str_node(s) {
            Some(n) => n.val,
            None => Value::Nil,
        }
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
                None => match self.find_node(&key) {
                    Some(i) => self.d().node[i].val,
                    None => Value::Nil,
                },
            },
            _ => match self.find_node(&key) {
                Some(i) => self.d().node[i].val,
                None => Value::Nil,
            },
        }
    }

    /// Overwrites the value of an integer key that is present (non-nil).
    /// Returns false, changing nothing, when the key is absent.
    #[inline(always)]
    pub fn replace_int(&self, k: i64, v: Value) -> bool {
        let d = self.dm();
        let idx = (k as u64).wrapping_sub(1);
        if idx < d.array.len() as u64 {
            if let Some(slot) = d.array.get_mut(idx as usize) {
                if slot.is_nil() {
                    return false;
                }
                *slot = v;
                return true;
            }
        }
        match self.find_int_node(k).and_then(|i| d.node.get_mut(i)) {
            Some(n) if !n.val.is_nil() => {
                n.val = v;
                true
            }
            _ => false,
        }
    }

    /// Overwrites the value of a string key that is present (non-nil).
    #[inline(always)]
    pub fn replace_str(&self, s: Gc<LuaStr>, v: Value) -> bool {
        match self.str_node(s) {
            Some(n) if !n.val.is_nil() => {
                n.val = v;
                true
            }
            _ => false,
        }
    }

    /// Inserts a string key known to be absent when its main position is
    /// free, which is the common case of filling a new table's fields.
    /// Returns false when the general insertion path is needed.
    #[inline]
    pub(crate) fn try_insert_str_fast(&self, s: Gc<LuaStr>, v: Value) -> bool {
        let d = self.dm();
        let len = d.node.len();
        if len == 0 || !s.is_short() {
            return false;
        }
        let mp = (s.short_hash() as usize) & (len - 1);
        match d.node.get_mut(mp) {
            Some(n) if n.key.is_nil() => {
                n.key = Value::Str(s);
                n.val = v;
                n.dead = false;
                true
            }
            _ => false,
        }
    }

    /// Overwrites the value of a key that is present (non-nil).
    #[inline]
    pub fn replace(&self, key: Value, v: Value) -> bool {
        match key {
            Value::Int(i) => self.replace_int(i, v),
            Value::Str(s) => self.replace_str(s, v),
            Value::Nil => false,
            _ => {
                let key = normalize_key(key);
                if let Value::Int(i) = key {
                    return self.replace_int(i, v);
                }
                let d = self.dm();
                match self.find_node(&key) {
                    Some(i) if !d.node[i].val.is_nil() => {
                        d.node[i].val = v;
                        true
                    }
                    _ => false,
                }
            }
        }
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
            k => match self.find_node_for_next(&k) {
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

    /// Finds the node of `key` for `next`, accepting dead keys by address.
    fn find_node_for_next(&self, key: &Value) -> Option<usize> {
        if let Some(i) = self.find_node(key) {
            return Some(i);
        }
        let addr = key.gc_address()?;
        let d = self.d();
        d.node.iter().position(|n| n.dead && n.key.gc_address() == Some(addr))
    }

    /// Sets the metatable (the caller does the write barrier and the
    /// finalizer check).
    pub(crate) fn set_metatable_raw(&self, mt: Option<Gc<Table>>) {
        self.dm().metatable = mt;
    }

    /// Invalidates the metamethod-absence cache (after a store into a table
    /// that may be a metatable).
    #[inline(always)]
    pub(crate) fn invalidate_tm_cache(&self) {
        self.flags.set(0);
    }

    /// Counts the integer keys of the array part by power-of-two slices
    /// (`nums[i]` = keys in `(2^(i-1), 2^i]`), returning the total.
    fn count_array(&self, nums: &mut [u32; MAX_ABITS as usize + 1]) -> u32 {
        let d = self.d();
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

    /// Chooses the new sizes for inserting `extra` and resizes.
    fn rehash(&self, heap: &mut Heap, extra: &Value) -> Result<(), TableError> {
        let mut nums = [0u32; MAX_ABITS as usize + 1];
        let mut na = self.count_array(&mut nums);
        let mut total = na;
        for n in &self.d().node {
            if !n.val.is_nil() {
                if let Value::Int(k) = n.key {
                    na += Self::count_int(k, &mut nums);
                }
                total += 1;
            }
        }
        if let Value::Int(k) = *extra {
            na += Self::count_int(k, &mut nums);
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
        let d = self.dm();
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
                self.insert_after_resize(Value::Int(i as i64 + 1), *v);
            }
        }
        for n in &old_node {
            if !n.val.is_nil() {
                self.insert_after_resize(n.key, n.val);
            }
        }
        if old_bytes > new_bytes {
            heap.release(old_bytes - new_bytes);
        }
        self.len_hint.set(0);
        Ok(())
    }

    /// Re-inserts an entry while resizing (room is guaranteed).
    fn insert_after_resize(&self, key: Value, val: Value) {
        if let Value::Int(k) = key {
            let d = self.dm();
            let idx = (k as u64).wrapping_sub(1);
            if idx < d.array.len() as u64 {
                d.array[idx as usize] = val;
                return;
            }
        }
        let inserted = self.insert_new_key(key, val);
        debug_assert!(inserted, "resize computed too small a hash part");
    }

    /// Inserts a key known to be absent from the hash part. Returns false
    /// when there is no free node (a rehash is needed).
    fn insert_new_key(&self, key: Value, val: Value) -> bool {
        let d = self.dm();
        if d.node.is_empty() {
            return false;
        }
        let len = d.node.len();
        let mut mp = Self::main_position(len, &key);
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
            let other = Self::main_position(len, &d.node[mp].key);
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

    /// Marks node `i` as holding a collected key (collector use).
    pub(crate) fn kill_node_key(&self, i: usize) {
        let n = &mut self.dm().node[i];
        if let Some(addr) = n.key.gc_address() {
            if n.key.gc_ptr().is_some() {
                n.key = Value::LightUserdata(addr as *mut std::ffi::c_void);
                n.dead = true;
            }
        }
    }
}

impl Gc<Table> {
    /// Raw set (`rawset`): stores `v` under `key`, inserting the key if
    /// needed, with the write barrier. Storing `nil` under an absent key
    /// does nothing.
    pub fn raw_set(self, heap: &mut Heap, key: Value, v: Value) -> Result<(), TableError> {
        let key = match key {
            Value::Nil => return Err(TableError::NilKey),
            Value::Float(f) if f.is_nan() => return Err(TableError::NanKey),
            k => normalize_key(k),
        };
        self.invalidate_tm_cache();
        heap.barrier_back(self, v);
        if let Value::Int(k) = key {
            return self.raw_set_int(heap, k, v);
        }
        if let Some(i) = self.find_node(&key) {
            self.dm().node[i].val = v;
            return Ok(());
        }
        if v.is_nil() {
            return Ok(());
        }
        heap.barrier_back(self, key);
        self.new_key(heap, key, v)
    }

    /// Raw set with an integer key.
    pub fn raw_set_int(self, heap: &mut Heap, k: i64, v: Value) -> Result<(), TableError> {
        heap.barrier_back(self, v);
        let d = self.dm();
        let idx = (k as u64).wrapping_sub(1);
        if idx < d.array.len() as u64 {
            d.array[idx as usize] = v;
            return Ok(());
        }
        if let Some(i) = self.find_int_node(k) {
            self.dm().node[i].val = v;
            return Ok(());
        }
        if v.is_nil() {
            return Ok(());
        }
        self.new_key(heap, Value::Int(k), v)
    }

    /// Raw set with a string key.
    pub fn raw_set_str(self, heap: &mut Heap, s: Gc<LuaStr>, v: Value) -> Result<(), TableError> {
        self.raw_set(heap, Value::Str(s), v)
    }

    fn new_key(self, heap: &mut Heap, key: Value, v: Value) -> Result<(), TableError> {
        if self.insert_new_key(key, v) {
            return Ok(());
        }
        self.rehash(heap, &key)?;
        // After a rehash the key may belong to the array part.
        if let Value::Int(k) = key {
            let d = self.dm();
            let idx = (k as u64).wrapping_sub(1);
            if idx < d.array.len() as u64 {
                d.array[idx as usize] = v;
                return Ok(());
            }
        }
        let ok = self.insert_new_key(key, v);
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
