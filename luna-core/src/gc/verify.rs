//! The heap check (`State::verify_heap`), a debugging aid in the spirit of
//! PUC's `ltests.c` (`lua_checkmemory`): it walks every object list and
//! every reference between objects, and reports the first broken
//! invariant. Nothing here changes the heap.
//!
//! What is checked:
//! 1. Every root, and every reference held by a live listed object (table
//!    entries and metatables, closures' prototypes and upvalues, upvalue
//!    values, prototypes' constants and names, userdata metatables and user
//!    values, whole thread stacks and open upvalues), points to an object on
//!    one of the heap's lists: nothing points to a freed object. Interned
//!    strings are on the lists too.
//! 2. While the collector keeps the tri-colour invariant (its marking
//!    phases), no black object points to a white one through a reference
//!    the collector traverses.
//! 3. Right after the atomic phase, every object reachable from the roots
//!    through the references the collector keeps alive (weak ones
//!    excepted) is marked: the sweep that follows frees nothing reachable.
//!
//! The collector runs the check itself at those points in debug builds and
//! with the `verify-heap` feature (which the workspace's tests enable);
//! hosts and tests can call it at any time.

use std::collections::HashSet;

use super::{Gc, GcHeader, GcPtr, ObjKind, BLACK_BIT};
use crate::object::function::{LuaClosure, NativeClosure, Proto, UpVal};
use crate::object::table::Table;
use crate::object::thread::Thread;
use crate::object::userdata::Userdata;
use crate::state::State;
use crate::value::Value;

/// Which references of an object to report.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Edges {
    /// Every reference the object holds (including dead stack slots and
    /// weak entries).
    All,
    /// The references the collector marks through (weak ones left out).
    Strong,
}

/// Where the check is run from, which decides how much it can expect.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum VerifyPoint {
    /// Any time: lists and references (rule 1), and the tri-colour
    /// invariant when the collector is marking (rule 2).
    Anytime,
    /// Right after the atomic phase (rule 3 as well).
    AfterAtomic,
}

fn header<'a>(p: GcPtr) -> &'a GcHeader {
    // SAFETY: only pointers to listed (allocated) boxes are passed here:
    // the walk of the lists, or references checked against the list set
    // first.
    unsafe { p.as_ref() }
}

fn describe(p: GcPtr) -> String {
    format!("{:?} object at {:p}", header(p).kind, p.as_ptr())
}

impl State {
    /// Checks the heap's invariants (see the module docs of `gc::verify`):
    /// no reference to a freed object, the tri-colour invariant while
    /// marking. Returns the first violation found.
    pub fn verify_heap(&self) -> Result<(), String> {
        self.verify_at(VerifyPoint::Anytime)
    }

    /// `verify_heap` at a known point of the collector's cycle.
    pub(crate) fn verify_at(&self, point: VerifyPoint) -> Result<(), String> {
        let listed = self.listed_objects()?;
        let check_ref = |from: &dyn Fn() -> String, to: GcPtr| -> Result<(), String> {
            if listed.contains(&to) {
                Ok(())
            } else {
                Err(format!("{} refers to {:p}, which is not on any object list (freed)", from(), to.as_ptr()))
            }
        };
        // Rule 1: the roots and the interned strings.
        let mut roots = Vec::new();
        self.for_each_root(|p| roots.push(p));
        for &r in &roots {
            check_ref(&|| "a root".to_string(), r)?;
        }
        let mut interned = Vec::new();
        self.strings.for_each(|s| interned.push(s.erase()));
        for &s in &interned {
            check_ref(&|| "the string table".to_string(), s)?;
        }
        // Rule 1 over every reference; rule 2 for black objects. While the
        // collector sweeps, objects found dead and not freed yet may refer
        // to dead objects already freed: they are left out.
        let invariant = self.heap.keep_invariant();
        let dead = if self.heap.is_sweep_phase() { self.heap.other_white() } else { 0 };
        for &p in &listed {
            if header(p).has_bits(dead) {
                continue;
            }
            let mut refs = Vec::new();
            self.object_refs(p, Edges::All, &mut |q| refs.push(q));
            for q in refs {
                check_ref(&|| describe(p), q)?;
            }
            if invariant && header(p).has_bits(BLACK_BIT) {
                let mut strong = Vec::new();
                self.object_refs(p, Edges::Strong, &mut |q| strong.push(q));
                if let Some(q) = strong.into_iter().find(|&q| header(q).is_white()) {
                    return Err(format!("black {} points to white {}", describe(p), describe(q)));
                }
            }
        }
        // Rule 3: everything strongly reachable is marked.
        if point == VerifyPoint::AfterAtomic {
            let mut seen: HashSet<GcPtr> = HashSet::new();
            let mut stack = roots;
            let mut from_finalizer = Vec::new();
            let mut cur = self.heap.tobefnz.get();
            while let Some(p) = cur {
                from_finalizer.push(p);
                cur = header(p).next.get();
            }
            stack.extend(from_finalizer);
            while let Some(p) = stack.pop() {
                if !seen.insert(p) {
                    continue;
                }
                if header(p).is_white() {
                    return Err(format!("{} is reachable but unmarked after the atomic phase", describe(p)));
                }
                self.object_refs(p, Edges::Strong, &mut |q| stack.push(q));
            }
        }
        Ok(())
    }

    /// Every object on the heap's lists, checking that each header's kind
    /// is sound and that no object is on two lists.
    fn listed_objects(&self) -> Result<HashSet<GcPtr>, String> {
        let mut listed = HashSet::new();
        for head in [&self.heap.allgc, &self.heap.finobj, &self.heap.tobefnz, &self.heap.fixed] {
            let mut cur = head.get();
            while let Some(p) = cur {
                if !listed.insert(p) {
                    return Err(format!("{} is on an object list twice", describe(p)));
                }
                cur = header(p).next.get();
            }
        }
        Ok(listed)
    }

    /// Calls `f` with every root (what `mark_roots` marks).
    fn for_each_root(&self, mut f: impl FnMut(GcPtr)) {
        f(self.main_thread.erase());
        f(self.current.erase());
        f(self.registry.erase());
        f(self.globals.erase());
        self.type_mts.iter().flatten().for_each(|mt| f(mt.erase()));
        self.tm_names.iter().for_each(|s| f(s.erase()));
        f(self.mem_err_msg.erase());
        for (v, _, live) in &self.host_roots.slots {
            if let (true, Some(p)) = (*live, v.gc_ptr()) {
                f(p);
            }
        }
        self.held_userdata.iter().filter(|u| u.is_held()).for_each(|u| f(u.erase()));
        self.type_metatables.values().for_each(|mt| f(mt.erase()));
    }

    /// Calls `f` with every object `p` refers to (`edges` says which).
    fn object_refs(&self, p: GcPtr, edges: Edges, f: &mut dyn FnMut(GcPtr)) {
        let value = |v: Value, f: &mut dyn FnMut(GcPtr)| {
            if let Some(q) = v.gc_ptr() {
                f(q);
            }
        };
        // SAFETY (the casts below): `p` is a listed box, and its header's
        // kind names its type.
        match header(p).kind {
            ObjKind::Str => {}
            ObjKind::Table => {
                let t: Gc<Table> = unsafe { Gc::from_erased(p) };
                if let Some(mt) = t.metatable() {
                    f(mt.erase());
                }
                let (weak_keys, weak_values) = match edges {
                    Edges::All => (false, false),
                    Edges::Strong => self.weakness(t),
                };
                // Array entries have integer keys, never collected: only a
                // weak value is weak (strings are values, always kept).
                for j in 0..t.array_len() {
                    let v = t.array_slot(j);
                    if !weak_values || is_string(&v) {
                        value(v, f);
                    }
                }
                for i in 0..t.node_len() {
                    let n = t.node_at(i);
                    if n.val.is_nil() {
                        // A dead key is only an address; an empty node
                        // holds nothing.
                        if !n.dead && edges == Edges::All {
                            value(n.key, f);
                        }
                        continue;
                    }
                    let key_kept = !weak_keys || !is_collectable_key(&n.key) || !is_white_value(&n.key);
                    if !weak_keys || edges == Edges::All || is_string(&n.key) {
                        value(n.key, f);
                    }
                    if (!weak_values || is_string(&n.val)) && key_kept {
                        value(n.val, f);
                    }
                }
            }
            ObjKind::LuaClosure => {
                let cl: Gc<LuaClosure> = unsafe { Gc::from_erased(p) };
                f(cl.proto.erase());
                cl.upvals.iter().for_each(|uv| f(uv.get().erase()));
            }
            ObjKind::NativeClosure => {
                let cl: Gc<NativeClosure> = unsafe { Gc::from_erased(p) };
                (0..cl.num_upvalues()).for_each(|i| value(cl.upvalue(i), f));
            }
            ObjKind::UpVal => {
                let uv: Gc<UpVal> = unsafe { Gc::from_erased(p) };
                value(uv.get(), f);
            }
            ObjKind::Proto => {
                let pr: Gc<Proto> = unsafe { Gc::from_erased(p) };
                if let Some(s) = pr.source {
                    f(s.erase());
                }
                pr.constants.iter().for_each(|k| value(*k, f));
                pr.upvalues.iter().filter_map(|u| u.name).for_each(|n| f(n.erase()));
                pr.protos.iter().for_each(|q| f(q.erase()));
                pr.loc_vars.iter().for_each(|l| f(l.name.erase()));
            }
            ObjKind::Userdata => {
                let u: Gc<Userdata> = unsafe { Gc::from_erased(p) };
                if let Some(mt) = u.metatable() {
                    f(mt.erase());
                }
                u.user_values().iter().for_each(|c| value(c.get(), f));
            }
            ObjKind::Thread => {
                let th: Gc<Thread> = unsafe { Gc::from_erased(p) };
                let d = self.thread_ref(th);
                // The collector marks the live part; the part above the top
                // must still never point to a freed object (it is cleared
                // in every atomic phase).
                let end = if edges == Edges::All { d.stack.len() } else { d.top };
                d.stack[..end].iter().for_each(|v| value(*v, f));
                d.open_upvals.iter().for_each(|uv| f(uv.erase()));
            }
        }
    }

    /// Whether table `t` has weak keys and weak values (its `__mode`).
    fn weakness(&self, t: Gc<Table>) -> (bool, bool) {
        let mode = self.fast_tm(t.metatable(), crate::vm::opcodes::TmKind::Mode);
        match mode {
            Value::Str(s) => (s.as_bytes().contains(&b'k'), s.as_bytes().contains(&b'v')),
            _ => (false, false),
        }
    }
}

fn is_string(v: &Value) -> bool {
    matches!(v, Value::Str(_))
}

/// Whether a weak key can be collected (strings are values, never weak).
fn is_collectable_key(v: &Value) -> bool {
    v.gc_ptr().is_some() && !is_string(v)
}

fn is_white_value(v: &Value) -> bool {
    v.gc_ptr().is_some_and(|p| header(p).is_white())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gc::GcPhase;

    /// A state with a table holding a string and a closure's worth of
    /// objects, collected once so every survivor is on the lists.
    fn state_with_table() -> (Box<State>, Gc<Table>) {
        let mut st = State::new_trusted();
        st.open_libs(crate::stdlib::Libs::ALL).unwrap();
        let t = st.new_table().unwrap();
        st.set_global("kept", Value::Table(t)).unwrap();
        let s = st.str_value("a string that is too long to be interned, so it is its own object").unwrap();
        st.raw_set_int(t, 1, s).unwrap();
        st.full_gc(false);
        (st, t)
    }

    #[test]
    fn a_sound_heap_passes() {
        let (st, _) = state_with_table();
        assert_eq!(st.verify_heap(), Ok(()));
    }

    #[test]
    fn a_reference_to_an_unlisted_object_is_reported() {
        let (st, t) = state_with_table();
        let Value::Str(s) = t.get_int(1) else { panic!("string expected") };
        // Take the string off `allgc`, as freeing it would, and put it back.
        let target = s.erase();
        let mut link = &st.heap.allgc;
        while let Some(p) = link.get() {
            if p == target {
                break;
            }
            link = &header(p).next;
        }
        link.set(header(target).next.get());
        let r = st.verify_heap();
        header(target).next.set(link.get());
        link.set(Some(target));
        let e = r.unwrap_err();
        assert!(e.contains("Table object") && e.contains("not on any object list"), "{e}");
        assert_eq!(st.verify_heap(), Ok(()));
    }

    #[test]
    fn a_black_object_pointing_to_a_white_one_is_reported_while_marking() {
        let (mut st, t) = state_with_table();
        // Mark the table black during propagation, then store a new (white)
        // string into it without the barrier a store must apply.
        st.heap.phase = GcPhase::Propagate;
        t.header().clear_bits(crate::gc::WHITE_BITS);
        t.header().set_bits(BLACK_BIT);
        let fresh = st.str_value("another string that is long enough to be its own object").unwrap();
        assert!(t.replace_int(1, fresh));
        let e = st.verify_heap().unwrap_err();
        assert!(e.starts_with("black Table object") && e.contains("points to white Str object"), "{e}");
        // With the barrier, the invariant holds again.
        st.heap.barrier_back(t, fresh);
        assert_eq!(st.verify_heap(), Ok(()));
        st.heap.phase = GcPhase::Pause;
        t.header().clear_bits(BLACK_BIT);
        t.header().set_bits(st.heap.white());
    }

    #[test]
    fn an_unmarked_reachable_object_is_reported_after_the_atomic_phase() {
        let (st, t) = state_with_table();
        // Pretend the atomic phase ended with the table marked but the
        // string it holds left unmarked.
        let Value::Str(s) = t.get_int(1) else { panic!("string expected") };
        let mut marked = Vec::new();
        for head in [&st.heap.allgc, &st.heap.finobj, &st.heap.fixed] {
            let mut cur = head.get();
            while let Some(p) = cur {
                if p != s.erase() {
                    let h = header(p);
                    marked.push((p, h.marked.get()));
                    h.clear_bits(crate::gc::WHITE_BITS);
                    h.set_bits(BLACK_BIT);
                }
                cur = header(p).next.get();
            }
        }
        let e = st.verify_at(VerifyPoint::AfterAtomic).unwrap_err();
        assert!(e.starts_with("Str object") && e.contains("reachable but unmarked"), "{e}");
        for (p, bits) in marked {
            header(p).marked.set(bits);
        }
        assert_eq!(st.verify_heap(), Ok(()));
    }
}
