//! `TypeMap`: a hash map keyed by `TypeId`, for the per-type tables of the
//! runtime and the facade (userdata metatables, registered userdata types,
//! extension and application data).
//!
//! These maps are read on hot paths (every userdata created from Rust
//! looks its type up), and `TypeId` is already a hash of the type: running
//! it through SipHash, the standard map's default, cost more than the rest
//! of the lookup. The hasher here keeps the bits `TypeId` writes.

use std::any::TypeId;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A map from types to `V`.
pub type TypeMap<V> = HashMap<TypeId, V, BuildHasherDefault<TypeIdHasher>>;

/// The hasher of `TypeMap`: mixes the words `TypeId` writes, nothing more.
/// Only for `TypeId` keys, whose bits are uniformly distributed; do not use
/// it for keys an attacker chooses.
#[derive(Default, Clone, Copy)]
pub struct TypeIdHasher(u64);

impl Hasher for TypeIdHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        // `TypeId` writes whole words (`write_u64`); this covers any other
        // shape its `Hash` may take.
        for chunk in bytes.chunks(8) {
            let mut w = [0u8; 8];
            w[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(w));
        }
    }

    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.0 = self.0.rotate_left(5) ^ n;
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_told_apart() {
        let mut m: TypeMap<&str> = TypeMap::default();
        m.insert(TypeId::of::<u8>(), "u8");
        m.insert(TypeId::of::<String>(), "String");
        m.insert(TypeId::of::<Vec<u8>>(), "Vec<u8>");
        assert_eq!(m.get(&TypeId::of::<u8>()), Some(&"u8"));
        assert_eq!(m.get(&TypeId::of::<String>()), Some(&"String"));
        assert_eq!(m.get(&TypeId::of::<Vec<u8>>()), Some(&"Vec<u8>"));
        assert_eq!(m.get(&TypeId::of::<u16>()), None);
    }
}
