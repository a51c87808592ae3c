//! `StringArena`: the strings a borrowing deserialization lends out.
//!
//! Lua strings cannot be lent to the result themselves (the state access
//! ends when deserialization returns, and a script may drop a string at
//! its next step), so each borrowed string is copied once into an arena
//! the caller owns, and the result borrows from the arena.
//!
//! The arena is append-only behind `&self` and written without `unsafe`
//! (the facade has none): slots are `OnceCell`s, which hand out references
//! that live as long as the cell, in chunks that never move once made
//! (chunk `k` has `16 << k` slots, so the chunk of slot `i` is found in
//! O(1) and there are at most 64 of them).

use std::cell::{Cell, OnceCell};

/// The strings a borrowing deserialization lends out
/// (`Lua::from_value_borrowed`): an append-only arena the result borrows
/// from. Dropping it, or `clear` once nothing borrows from it, frees them.
#[derive(Default)]
pub struct StringArena {
    text: Slots<Box<str>>,
    bytes: Slots<Box<[u8]>>,
}

impl StringArena {
    /// An empty arena.
    pub fn new() -> Self {
        Self::default()
    }

    /// Frees every string.
    pub fn clear(&mut self) {
        *self = Self::default();
    }

    /// How many strings (text or bytes) the arena holds.
    pub fn len(&self) -> usize {
        self.text.len.get() + self.bytes.len.get()
    }

    /// Whether the arena holds no string.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes of the strings the arena holds.
    pub fn string_bytes(&self) -> usize {
        self.text.bytes.get() + self.bytes.bytes.get()
    }

    pub(crate) fn alloc_str(&self, s: &str) -> &str {
        self.text.push(s.into(), s.len())
    }

    pub(crate) fn alloc_bytes(&self, b: &[u8]) -> &[u8] {
        self.bytes.push(b.into(), b.len())
    }
}

impl std::fmt::Debug for StringArena {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StringArena").field("len", &self.len()).field("string_bytes", &self.string_bytes()).finish()
    }
}

/// Slots in chunks of growing size.
struct Slots<T> {
    chunks: [OnceCell<Box<[OnceCell<T>]>>; 64],
    len: Cell<usize>,
    bytes: Cell<usize>,
}

impl<T> Default for Slots<T> {
    fn default() -> Self {
        Slots { chunks: std::array::from_fn(|_| OnceCell::new()), len: Cell::new(0), bytes: Cell::new(0) }
    }
}

/// The first slot of chunk `k`: chunks before it hold `16 * (2^k - 1)`.
const fn chunk_start(k: u32) -> usize {
    16 * ((1 << k) - 1)
}

impl<T> Slots<T> {
    fn push(&self, value: T, size: usize) -> &T {
        let i = self.len.get();
        self.len.set(i + 1);
        self.bytes.set(self.bytes.get() + size);
        let k = (i / 16 + 1).ilog2();
        let chunk = self.chunks[k as usize].get_or_init(|| (0..16usize << k).map(|_| OnceCell::new()).collect());
        let slot = &chunk[i - chunk_start(k)];
        // Slot `i` is fresh: `len` only grows, and `clear` replaces the whole arena.
        slot.get_or_init(|| value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_across_chunks() {
        let arena = StringArena::new();
        let texts: Vec<String> = (0..5000).map(|i| format!("s{i}")).collect();
        let lent: Vec<&str> = texts.iter().map(|t| arena.alloc_str(t)).collect();
        assert!(lent.iter().zip(&texts).all(|(a, b)| a == b));
        assert_eq!(arena.len(), 5000);
        assert_eq!(arena.string_bytes(), texts.iter().map(String::len).sum::<usize>());
        assert_eq!(chunk_start(1), 16);
        assert_eq!(chunk_start(2), 48);
    }
}
