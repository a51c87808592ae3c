//! A size-class allocator for heap objects.
//!
//! Lua programs allocate and free small objects (tables, closures, short
//! strings, upvalues) at a high rate; serving them from per-size free lists
//! carved out of larger chunks is several times cheaper than the system
//! allocator. Blocks are multiples of 16 bytes up to `MAX_SMALL`; larger
//! objects go to the global allocator. Chunks are kept until the pool is
//! dropped (with its state), so memory freed by the collector is reused by
//! later objects of the same size class rather than returned to the system.
//!
//! The pool hands out raw memory; `gc` writes the objects into it and
//! drops them before giving blocks back.

use std::alloc::{alloc, dealloc, Layout};
use std::ptr::NonNull;

/// Granularity of the size classes.
const GRAIN: usize = 16;
/// Largest block served from the pool.
pub(crate) const MAX_SMALL: usize = 512;
const NCLASSES: usize = MAX_SMALL / GRAIN;
/// Size of the chunks blocks are carved from.
const CHUNK: usize = 64 * 1024;

/// A free block: its first word links to the next free block.
struct FreeBlock {
    next: Option<NonNull<FreeBlock>>,
}

struct Class {
    free: Option<NonNull<FreeBlock>>,
    /// Unused tail of the last chunk given to this class.
    bump: *mut u8,
    bump_end: *mut u8,
}

/// The pool of one state.
pub(crate) struct Pool {
    classes: [Class; NCLASSES],
    chunks: Vec<NonNull<u8>>,
}

fn class_of(size: usize) -> usize {
    size.max(1).div_ceil(GRAIN) - 1
}

impl Pool {
    pub(crate) fn new() -> Pool {
        Pool {
            classes: std::array::from_fn(|_| Class {
                free: None,
                bump: std::ptr::null_mut(),
                bump_end: std::ptr::null_mut(),
            }),
            chunks: Vec::new(),
        }
    }

    fn chunk_layout() -> Layout {
        // CHUNK and GRAIN are valid size/alignment constants.
        Layout::from_size_align(CHUNK, GRAIN).unwrap_or(Layout::new::<[u128; 1]>())
    }

    /// Allocates `layout` (alignment at most 16). Returns `None` when the
    /// system is out of memory.
    #[inline]
    pub(crate) fn alloc(&mut self, layout: Layout) -> Option<NonNull<u8>> {
        debug_assert!(layout.align() <= GRAIN);
        let size = layout.size();
        if size > MAX_SMALL {
            // SAFETY: `size` is non-zero (it exceeds MAX_SMALL).
            return NonNull::new(unsafe { alloc(layout) });
        }
        let c = &mut self.classes[class_of(size)];
        if let Some(b) = c.free {
            // SAFETY: blocks on a free list are unused blocks of this class
            // whose first word holds the link.
            c.free = unsafe { b.as_ref().next };
            return Some(b.cast());
        }
        let bsize = (class_of(size) + 1) * GRAIN;
        if (c.bump_end as usize) - (c.bump as usize) < bsize {
            // SAFETY: the chunk layout has a non-zero size.
            let chunk = NonNull::new(unsafe { alloc(Self::chunk_layout()) })?;
            self.chunks.push(chunk);
            let c = &mut self.classes[class_of(size)];
            c.bump = chunk.as_ptr();
            // SAFETY: one past the end of the chunk allocation.
            c.bump_end = unsafe { chunk.as_ptr().add(CHUNK) };
        }
        let c = &mut self.classes[class_of(size)];
        let p = c.bump;
        // SAFETY: at least `bsize` bytes remain in the chunk.
        c.bump = unsafe { p.add(bsize) };
        NonNull::new(p)
    }

    /// Returns a block obtained from `alloc` with the same layout.
    ///
    /// # Safety
    /// `p` must come from `alloc(layout)` of this pool and not be in use.
    #[inline]
    pub(crate) unsafe fn free(&mut self, p: NonNull<u8>, layout: Layout) {
        let size = layout.size();
        if size > MAX_SMALL {
            // SAFETY: large blocks come from the global allocator with this
            // layout (`alloc`), and the caller no longer uses it.
            unsafe { dealloc(p.as_ptr(), layout) };
            return;
        }
        let c = &mut self.classes[class_of(size)];
        let b = p.cast::<FreeBlock>();
        // SAFETY: the block belongs to this size class, which is at least
        // as large and aligned as a `FreeBlock`, and is no longer in use.
        unsafe { b.as_ptr().write(FreeBlock { next: c.free }) };
        c.free = Some(b);
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        for c in self.chunks.drain(..) {
            // SAFETY: every chunk was allocated with `chunk_layout`; the
            // objects in it have been dropped by the collector first.
            unsafe { dealloc(c.as_ptr(), Self::chunk_layout()) };
        }
    }
}
