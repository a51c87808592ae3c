//! Lua strings: immutable byte strings in one heap allocation (header plus
//! bytes), and the intern table that makes short strings unique.
//!
//! Strings of at most `MAX_SHORT_LEN` bytes are interned: two short strings
//! with equal contents are the same object, so they compare and hash by
//! address-free precomputed hash and pointer. Long strings are created
//! fresh each time, compared by contents and hashed lazily (the hash is
//! only needed when one is used as a table key).

use std::alloc::Layout;
use std::cell::Cell;
use std::ptr::NonNull;

use crate::gc::{Gc, GcBox, GcHeader, GcPtr, Heap, MemoryError, ObjKind};

/// Longest string that is interned (PUC's `LUAI_MAXSHORTLEN`).
pub const MAX_SHORT_LEN: usize = 40;

/// The largest string luna creates (leaves room for size arithmetic).
pub const MAX_STRING_LEN: usize = (i64::MAX as usize) / 2;

/// The header of a string; `len` bytes follow it in the same allocation.
#[repr(C)]
pub struct LuaStr {
    hash: Cell<u32>,
    /// Whether `hash` holds the hash (always true for short strings).
    has_hash: Cell<bool>,
    short: bool,
    /// What is known of the bytes as UTF-8 (`TEXT_*`): found out once and
    /// kept (the bytes never change), and known from the start for a
    /// string made from Rust text (`State::new_text`).
    text: Cell<u8>,
    len: usize,
    /// Next string in the same intern bucket (short strings only).
    hnext: Cell<Option<Gc<LuaStr>>>,
}

/// `LuaStr::text`: not checked yet, valid UTF-8, not UTF-8.
const TEXT_UNKNOWN: u8 = 0;
const TEXT_VALID: u8 = 1;
const TEXT_INVALID: u8 = 2;

impl LuaStr {
    /// Number of bytes.
    #[inline(always)]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the string is empty.
    #[inline(always)]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether the string is short (interned).
    #[inline(always)]
    pub fn is_short(&self) -> bool {
        self.short
    }

    /// String equality: pointer equality for short strings, contents for
    /// long ones.
    #[inline]
    pub fn equal(a: Gc<LuaStr>, b: Gc<LuaStr>) -> bool {
        if a.ptr_eq(b) {
            return true;
        }
        if a.short || b.short {
            return false;
        }
        a.len == b.len && a.as_bytes() == b.as_bytes()
    }
}

impl Gc<LuaStr> {
    /// The bytes of the string.
    #[inline(always)]
    pub fn as_bytes(&self) -> &[u8] {
        // SAFETY: the allocation holds `len` initialised bytes right after
        // the box (see `alloc_string`), and the string is alive (gc rules).
        // The pointer is derived from the box pointer, which has provenance
        // over the whole allocation.
        unsafe {
            let base = (self.raw().as_ptr() as *const u8).add(std::mem::size_of::<GcBox<LuaStr>>());
            std::slice::from_raw_parts(base, self.len)
        }
    }

    /// The precomputed hash of a short string.
    #[inline(always)]
    pub(crate) fn short_hash(&self) -> u32 {
        self.hash.get()
    }

    /// The hash of the string, computing and caching it for long strings.
    #[inline]
    pub fn hash(&self) -> u32 {
        if self.has_hash.get() {
            return self.hash.get();
        }
        let h = hash_bytes(self.as_bytes(), self.hash.get());
        self.hash.set(h);
        self.has_hash.set(true);
        h
    }

    /// The contents as text, if they are UTF-8. Checked once per string:
    /// the answer is kept, and a string made from Rust text is known to
    /// be text from the start, so reading it back as a `&str` (a host
    /// reading a string it passed in, a round trip through serde) costs
    /// no validation.
    #[inline]
    pub fn as_str(&self) -> Option<&str> {
        match self.text.get() {
            TEXT_VALID => {
                // SAFETY: the bytes were found to be UTF-8, or came from a
                // `&str` (`mark_text`), and never change.
                Some(unsafe { std::str::from_utf8_unchecked(self.as_bytes()) })
            }
            TEXT_INVALID => None,
            _ => self.check_text(),
        }
    }

    fn check_text(&self) -> Option<&str> {
        match std::str::from_utf8(self.as_bytes()) {
            Ok(t) => {
                self.text.set(TEXT_VALID);
                Some(t)
            }
            Err(_) => {
                self.text.set(TEXT_INVALID);
                None
            }
        }
    }

    /// Records that the bytes are UTF-8 (they were copied from a `&str`).
    #[inline]
    pub(crate) fn mark_text(&self) {
        self.text.set(TEXT_VALID);
    }

    /// The contents as UTF-8 text if valid, lossily otherwise (for messages).
    pub fn to_str_lossy(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(self.as_bytes())
    }
}

/// The string hash (the role of PUC's `luaS_hash`): cheap, seeded per
/// state, and good enough for table keys.
#[inline]
fn hash_bytes(s: &[u8], seed: u32) -> u32 {
    // Eight bytes per step (PUC's hash takes one per step: interning a
    // short string from the host spent more on hashing than on the rest).
    // Every byte counts, the seed varies per state as PUC's, and the final
    // fold brings the high bits, where the products mix, down to the low
    // bits that pick a bucket.
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mix = |h: u64, w: u64| (h.rotate_left(5) ^ w).wrapping_mul(K);
    let mut h = u64::from(seed) ^ (s.len() as u64).wrapping_mul(K);
    let mut chunks = s.chunks_exact(8);
    for c in &mut chunks {
        h = mix(h, u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]));
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut w = 0u64;
        for (i, &b) in rest.iter().enumerate() {
            w |= u64::from(b) << (8 * i);
        }
        h = mix(h, w);
    }
    (h ^ (h >> 29) ^ (h >> 47)) as u32
}

/// Byte equality of short strings, compared in line: a call to `memcmp`
/// cost more than the comparison of the few bytes of an interned string.
#[inline(always)]
fn short_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

fn layout_for(len: usize) -> Option<Layout> {
    let size = std::mem::size_of::<GcBox<LuaStr>>().checked_add(len)?;
    Layout::from_size_align(size, std::mem::align_of::<GcBox<LuaStr>>()).ok()
}

/// Bytes a string of `len` bytes is charged.
pub(crate) fn string_size(len: usize) -> usize {
    std::mem::size_of::<GcBox<LuaStr>>() + len
}

/// Allocates an unlinked string object holding `bytes`.
fn alloc_string(
    pool: &mut crate::gc::pool::Pool,
    bytes: &[u8],
    short: bool,
    hash: u32,
    has_hash: bool,
) -> Result<Gc<LuaStr>, MemoryError> {
    let layout = layout_for(bytes.len()).ok_or(MemoryError)?;
    // SAFETY: the layout has non-zero size (the box header). The header
    // and the string header are written before the pointer is used; the
    // bytes are copied into the tail reserved by the layout.
    unsafe {
        let p: NonNull<GcBox<LuaStr>> = pool.alloc(layout).ok_or(MemoryError)?.cast();
        p.as_ptr().write(GcBox {
            header: GcHeader { next: Cell::new(None), marked: Cell::new(0), kind: ObjKind::Str },
            value: LuaStr {
                hash: Cell::new(hash),
                has_hash: Cell::new(has_hash),
                short,
                text: Cell::new(TEXT_UNKNOWN),
                len: bytes.len(),
                hnext: Cell::new(None),
            },
        });
        let tail = (p.as_ptr() as *mut u8).add(std::mem::size_of::<GcBox<LuaStr>>());
        std::ptr::copy_nonoverlapping(bytes.as_ptr(), tail, bytes.len());
        Ok(Gc::from_raw(p))
    }
}

/// Frees a string object.
///
/// # Safety
/// `p` must be a string box allocated by this module, unreachable and
/// already removed from the intern table.
pub(crate) unsafe fn free_string(pool: &mut crate::gc::pool::Pool, p: GcPtr) -> usize {
    // SAFETY: `p` is a string box (caller's contract), still allocated.
    let s: Gc<LuaStr> = unsafe { Gc::from_erased(p) };
    let len = s.len;
    if let Some(layout) = layout_for(len) {
        // SAFETY: the box was allocated from `pool` with the layout of its
        // length, and is no longer in use (caller's contract).
        unsafe { pool.free(p.cast(), layout) };
    }
    string_size(len)
}

/// The intern table for short strings: a chained hash set.
pub struct StringTable {
    buckets: Vec<Option<Gc<LuaStr>>>,
    count: usize,
    seed: u32,
}

impl StringTable {
    pub(crate) fn new(seed: u32) -> StringTable {
        StringTable { buckets: vec![None; 128], count: 0, seed }
    }

    #[inline]
    fn bucket(&self, h: u32) -> usize {
        (h as usize) & (self.buckets.len() - 1)
    }

    /// The interned string with these bytes, if any.
    pub(crate) fn find(&self, bytes: &[u8]) -> Option<Gc<LuaStr>> {
        if bytes.len() > MAX_SHORT_LEN {
            return None;
        }
        let h = hash_bytes(bytes, self.seed);
        let mut cur = self.buckets[self.bucket(h)];
        while let Some(s) = cur {
            if s.hash.get() == h && short_eq(s.as_bytes(), bytes) {
                return Some(s);
            }
            cur = s.hnext.get();
        }
        None
    }

    /// Removes a (dead) short string from its bucket.
    pub(crate) fn remove(&mut self, s: Gc<LuaStr>) {
        let b = self.bucket(s.hash.get());
        let mut cur = self.buckets[b];
        let mut prev: Option<Gc<LuaStr>> = None;
        while let Some(c) = cur {
            if c.ptr_eq(s) {
                let next = c.hnext.get();
                match prev {
                    None => self.buckets[b] = next,
                    Some(p) => p.hnext.set(next),
                }
                self.count -= 1;
                return;
            }
            prev = cur;
            cur = c.hnext.get();
        }
    }

    /// Rehashes into `new_size` buckets (a power of two).
    pub(crate) fn resize(&mut self, new_size: usize) {
        let mut nb: Vec<Option<Gc<LuaStr>>> = vec![None; new_size];
        for head in std::mem::take(&mut self.buckets) {
            let mut cur = head;
            while let Some(s) = cur {
                cur = s.hnext.get();
                let i = (s.hash.get() as usize) & (new_size - 1);
                s.hnext.set(nb[i]);
                nb[i] = Some(s);
            }
        }
        self.buckets = nb;
    }

    /// Shrinks the table when it is mostly empty (called after a sweep).
    pub(crate) fn shrink_if_sparse(&mut self) {
        let n = self.buckets.len();
        if self.count < n / 4 && n > 128 {
            self.resize(n / 2);
        }
    }

    /// Calls `f` with every interned string.
    pub(crate) fn for_each(&self, mut f: impl FnMut(Gc<LuaStr>)) {
        for head in &self.buckets {
            let mut cur = *head;
            while let Some(s) = cur {
                f(s);
                cur = s.hnext.get();
            }
        }
    }

    /// Bytes used by the bucket array (accounted as part of the heap).
    pub(crate) fn bytes(&self) -> usize {
        self.buckets.len() * std::mem::size_of::<Option<Gc<LuaStr>>>()
    }
}

impl Heap {
    /// Creates (or finds, for short strings) the string with `bytes`.
    #[inline]
    pub(crate) fn new_string(&mut self, strings: &mut StringTable, bytes: &[u8]) -> Result<Gc<LuaStr>, MemoryError> {
        if bytes.len() <= MAX_SHORT_LEN {
            self.intern(strings, bytes)
        } else {
            self.new_long_string(strings, bytes)
        }
    }

    /// A long string: not interned, made anew.
    #[inline(never)]
    fn new_long_string(&mut self, strings: &mut StringTable, bytes: &[u8]) -> Result<Gc<LuaStr>, MemoryError> {
        {
            if bytes.len() > MAX_STRING_LEN {
                return Err(MemoryError);
            }
            self.charge(string_size(bytes.len()))?;
            let s = alloc_string(&mut self.pool, bytes, false, strings.seed, false).inspect_err(|_| {
                self.release(string_size(bytes.len()));
            })?;
            self.link(s.erase());
            Ok(s)
        }
    }

    /// The interned string of `bytes`: looked up (in line, the common
    /// case), or made and entered (out of line).
    #[inline]
    fn intern(&mut self, strings: &mut StringTable, bytes: &[u8]) -> Result<Gc<LuaStr>, MemoryError> {
        let h = hash_bytes(bytes, strings.seed);
        let mut cur = strings.buckets[strings.bucket(h)];
        while let Some(s) = cur {
            if s.hash.get() == h && short_eq(s.as_bytes(), bytes) {
                // A string found dead but not yet swept is revived: it is
                // in use again, so it must survive this cycle's sweep.
                let hd = s.header();
                if hd.has_bits(self.other_white()) && self.is_sweep_phase() {
                    hd.marked.set((hd.marked.get() & !crate::gc::WHITE_BITS) | self.white());
                }
                return Ok(s);
            }
            cur = s.hnext.get();
        }
        self.intern_new(strings, bytes, h)
    }

    /// Makes the string of `bytes` (hash `h`, not in the table yet) and
    /// enters it.
    #[inline(never)]
    fn intern_new(&mut self, strings: &mut StringTable, bytes: &[u8], h: u32) -> Result<Gc<LuaStr>, MemoryError> {
        if strings.count >= strings.buckets.len() {
            let old = strings.bytes();
            let n = strings.buckets.len() * 2;
            self.charge(n * std::mem::size_of::<Option<Gc<LuaStr>>>())?;
            self.release(old);
            strings.resize(n);
        }
        self.charge(string_size(bytes.len()))?;
        let s = alloc_string(&mut self.pool, bytes, true, h, true)
            .inspect_err(|_| self.release(string_size(bytes.len())))?;
        let b = strings.bucket(h);
        s.hnext.set(strings.buckets[b]);
        strings.buckets[b] = Some(s);
        strings.count += 1;
        self.link(s.erase());
        Ok(s)
    }
}
