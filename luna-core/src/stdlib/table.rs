//! The `table` library (PUC's ltablib.c): `concat`, `insert`, `move`,
//! `pack`, `remove`, `sort` and `unpack`.
//!
//! Every element access goes through the metamethods (`__index`,
//! `__newindex`, `__len`), as in Lua 5.4, and a non-table argument is
//! accepted when its metatable has the metamethods the function needs.
//! Elements are read onto the Lua stack and stored from it (PUC's
//! `lua_geti`/`lua_seti` discipline), so every value handled here stays
//! reachable while a metamethod or a sort comparator runs.

use crate::gc::Gc;
use crate::object::table::Table;
use crate::object::thread::{EXTRA_STACK, MAX_STACK};
use crate::state::State;
use crate::value::{Type, Value};
use crate::vm::arith::{self, F2I};
use crate::vm::debug::ValLoc;
use crate::vm::LResult;

/// Creates the library table.
pub fn open(st: &mut State) -> LResult<Gc<Table>> {
    st.new_lib(&[
        ("concat", concat),
        ("insert", insert),
        ("pack", pack),
        ("unpack", unpack),
        ("remove", remove),
        ("move", move_),
        ("sort", sort),
    ])
}

/// The length of a value as `#` computes it, which must be an integer
/// (PUC's `luaL_len`).
pub fn len_integer(st: &mut State, v: Value) -> LResult<i64> {
    let n = st.len_of(v, ValLoc::Other)?;
    match arith::to_integer(&n, F2I::Exact) {
        Some(i) => Ok(i),
        None => Err(st.error_msg("object length is not an integer")),
    }
}

/// Whether the stack can grow by `n` slots within the stack limit (the
/// test of PUC's `lua_checkstack`).
pub(crate) fn stack_has_room(st: &State, n: usize) -> bool {
    n <= MAX_STACK && st.top() + EXTRA_STACK <= MAX_STACK - n
}

/// The operations a table-like argument must support.
const TAB_R: u8 = 1;
const TAB_W: u8 = 2;
const TAB_L: u8 = 4;
const TAB_RW: u8 = TAB_R | TAB_W;

/// Checks that argument `arg` is a table or has a metatable with the
/// metamethods `what` needs (PUC's `checktab`).
fn check_tab(st: &mut State, arg: usize, what: u8) -> LResult<()> {
    let v = st.arg(arg);
    if matches!(v, Value::Table(_)) {
        return Ok(());
    }
    if let Some(mt) = st.metatable_of(v) {
        let mut ok = true;
        for (flag, name) in [(TAB_R, "__index"), (TAB_W, "__newindex"), (TAB_L, "__len")] {
            if ok && what & flag != 0 {
                ok = !st.raw_get_field(mt, name)?.is_nil();
            }
        }
        if ok {
            return Ok(());
        }
    }
    st.check_type(arg, Type::Table).map(|_| ())
}

/// The length of argument 1 after checking it (PUC's `aux_getn`).
fn aux_getn(st: &mut State, what: u8) -> LResult<i64> {
    check_tab(st, 1, what | TAB_L)?;
    let t = st.arg(1);
    len_integer(st, t)
}

/// Pushes `t[i]` (PUC's `lua_geti`).
fn geti(st: &mut State, t: Value, i: i64) -> LResult<()> {
    let v = st.index(t, Value::Int(i), ValLoc::Other)?;
    st.push(v);
    Ok(())
}

/// Pops the top value into `t[i]` (PUC's `lua_seti`). The value stays on
/// the stack while a `__newindex` metamethod runs.
fn seti(st: &mut State, t: Value, i: i64) -> LResult<()> {
    let v = st.stack_get(st.top() - 1);
    st.set_index(t, Value::Int(i), v, ValLoc::Other)?;
    st.pop(1);
    Ok(())
}

/// `table.insert(t, [pos,] v)`.
fn insert(st: &mut State) -> LResult<usize> {
    let e = aux_getn(st, TAB_RW)?.wrapping_add(1);
    let t = st.arg(1);
    let pos = match st.nargs() {
        2 => e,
        3 => {
            let pos = st.check_integer(2)?;
            if (pos as u64).wrapping_sub(1) >= e as u64 {
                return Err(st.arg_error(2, "position out of bounds"));
            }
            st.charge_fuel(e.wrapping_sub(pos).max(0))?;
            let mut i = e;
            while i > pos {
                geti(st, t, i - 1)?;
                seti(st, t, i)?;
                i -= 1;
            }
            pos
        }
        _ => return Err(st.error_msg("wrong number of arguments to 'insert'")),
    };
    seti(st, t, pos)?;
    Ok(0)
}

/// `table.remove(t [, pos])`.
fn remove(st: &mut State) -> LResult<usize> {
    let size = aux_getn(st, TAB_RW)?;
    let t = st.arg(1);
    let mut pos = st.opt_integer(2, size)?;
    if pos != size && (pos as u64).wrapping_sub(1) > size as u64 {
        return Err(st.arg_error(2, "position out of bounds"));
    }
    geti(st, t, pos)?;
    st.charge_fuel(size.wrapping_sub(pos).max(0))?;
    while pos < size {
        geti(st, t, pos + 1)?;
        seti(st, t, pos)?;
        pos += 1;
    }
    st.push(Value::Nil);
    seti(st, t, pos)?;
    Ok(1)
}

/// `table.move(a1, f, e, t [, a2])`.
fn move_(st: &mut State) -> LResult<usize> {
    let f = st.check_integer(2)?;
    let e = st.check_integer(3)?;
    let t = st.check_integer(4)?;
    let tt = if st.arg(5).is_nil() { 1 } else { 5 };
    check_tab(st, 1, TAB_R)?;
    check_tab(st, tt, TAB_W)?;
    let src = st.arg(1);
    let dst = st.arg(tt);
    if e >= f {
        if !(f > 0 || e < i64::MAX + f) {
            return Err(st.arg_error(3, "too many elements to move"));
        }
        let n = e - f + 1;
        if t > i64::MAX - n + 1 {
            return Err(st.arg_error(4, "destination wrap around"));
        }
        let forward = t > e || t <= f || (tt != 1 && !st.equal_obj(src, dst)?);
        st.charge_fuel(n)?;
        if forward {
            for i in 0..n {
                geti(st, src, f + i)?;
                seti(st, dst, t + i)?;
            }
        } else {
            for i in (0..n).rev() {
                geti(st, src, f + i)?;
                seti(st, dst, t + i)?;
            }
        }
    }
    st.push(dst);
    Ok(1)
}

/// Appends the string form of `t[i]` to `buf`, which must be a string or
/// a number (PUC's `addfield`).
fn add_field(st: &mut State, t: Value, i: i64, buf: &mut Vec<u8>) -> LResult<()> {
    let v = st.index(t, Value::Int(i), ValLoc::Other)?;
    match v {
        Value::Str(s) => super::append(st, buf, s.as_bytes()),
        Value::Int(_) | Value::Float(_) => {
            let mut tmp = Vec::with_capacity(24);
            match v {
                Value::Int(n) => crate::fmt::fmt_int(n, &mut tmp),
                Value::Float(x) => crate::fmt::fmt_float(x, &mut tmp),
                _ => {}
            }
            super::append(st, buf, &tmp)
        }
        other => {
            let msg = format!("invalid value ({}) at index {} in table for 'concat'", other.type_name(), i);
            Err(st.error_msg(&msg))
        }
    }
}

/// `table.concat(t [, sep [, i [, j]]])`.
fn concat(st: &mut State) -> LResult<usize> {
    let last = aux_getn(st, TAB_R)?;
    let sep: Vec<u8> = match st.opt_str(2)? {
        Some(s) => s.as_bytes().to_vec(),
        None => Vec::new(),
    };
    let mut i = st.opt_integer(3, 1)?;
    let last = st.opt_integer(4, last)?;
    let t = st.arg(1);
    let mut buf = Vec::new();
    if i <= last {
        st.charge_fuel(last.wrapping_sub(i).max(0).saturating_add(1))?;
    }
    while i < last {
        add_field(st, t, i, &mut buf)?;
        super::append(st, &mut buf, &sep)?;
        i += 1;
    }
    if i == last {
        add_field(st, t, i, &mut buf)?;
    }
    let s = st.str_value(buf)?;
    st.push(s);
    Ok(1)
}

/// `table.pack(...)`: the arguments in a new table with field `n`.
fn pack(st: &mut State) -> LResult<usize> {
    let n = st.nargs();
    let t = st.new_table_with(n, 1)?;
    st.push(Value::Table(t));
    for i in 1..=n {
        let v = st.arg(i);
        st.raw_set_int(t, i as i64, v)?;
    }
    st.raw_set_field(t, "n", Value::Int(n as i64))?;
    Ok(1)
}

/// `table.unpack(t [, i [, j]])`.
fn unpack(st: &mut State) -> LResult<usize> {
    let mut i = st.opt_integer(2, 1)?;
    let e = if st.arg(3).is_nil() {
        let t = st.arg(1);
        len_integer(st, t)?
    } else {
        st.check_integer(3)?
    };
    if i > e {
        return Ok(0);
    }
    let n = (e as u64).wrapping_sub(i as u64);
    if n >= i32::MAX as u64 || !stack_has_room(st, n as usize + 1) {
        return Err(st.error_msg("too many results to unpack"));
    }
    let n = n as usize + 1;
    st.check_stack(n)?;
    let t = st.arg(1);
    while i < e {
        geti(st, t, i)?;
        i += 1;
    }
    geti(st, t, e)?;
    Ok(n)
}

// ----------------------------------------------------------------------
// Sorting: PUC's quicksort (from Sedgewick's "Algorithms in Modula-3"),
// with the same comparisons and swaps in the same order, so comparators
// observe the same calls and invalid order functions are detected alike.

/// Array indices during the sort (PUC's `IdxT`, an unsigned int).
type Idx = u32;

/// Intervals larger than this may use a randomized pivot.
const RANLIMIT: Idx = 100;

/// `table.sort(t [, comp])`.
fn sort(st: &mut State) -> LResult<usize> {
    let n = aux_getn(st, TAB_RW)?;
    if n > 1 {
        if n >= i32::MAX as i64 {
            return Err(st.arg_error(1, "array too big"));
        }
        if !st.arg(2).is_nil() {
            st.check_type(2, Type::Function)?;
        }
        let base = st.frame_base();
        st.set_top(base + 3);
        let mut s = Sorter { t: st.arg(1), comp: st.arg(2) };
        s.auxsort(st, 1, n as Idx, 0)?;
    }
    Ok(0)
}

/// The table being sorted and its order function (nil: `<`).
struct Sorter {
    t: Value,
    comp: Value,
}

impl Sorter {
    /// Pushes `t[i]`.
    fn get(&self, st: &mut State, i: Idx) -> LResult<()> {
        geti(st, self.t, i as i64)
    }

    /// Pops the top two values into `t[i]` and `t[j]` (PUC's `set2`).
    fn set2(&self, st: &mut State, i: Idx, j: Idx) -> LResult<()> {
        seti(st, self.t, i as i64)?;
        seti(st, self.t, j as i64)
    }

    /// Whether the value `a` slots below the top sorts before the one `b`
    /// slots below it (1 is the top). Both stay on the stack during the
    /// comparison.
    fn less(&self, st: &mut State, a: usize, b: usize) -> LResult<bool> {
        let top = st.top();
        let va = st.stack_get(top - a);
        let vb = st.stack_get(top - b);
        if self.comp.is_nil() {
            return st.less_than(va, vb);
        }
        let func = st.top();
        st.push(self.comp);
        st.push(va);
        st.push(vb);
        st.call_noyield(func, 1)?;
        let res = !st.stack_get(func).is_falsy();
        st.set_top(func);
        Ok(res)
    }

    /// Partitions `[lo, up]` around the pivot on the stack top
    /// (precondition: `a[lo] <= P == a[up-1] <= a[up]`); returns the
    /// pivot's final index.
    fn partition(&self, st: &mut State, lo: Idx, up: Idx) -> LResult<Idx> {
        let mut i = lo;
        let mut j = up - 1;
        loop {
            // Repeat ++i while a[i] < P.
            loop {
                i = i.wrapping_add(1);
                self.get(st, i)?;
                if !self.less(st, 1, 2)? {
                    break;
                }
                if i == up - 1 {
                    return Err(st.error_msg("invalid order function for sorting"));
                }
                st.pop(1);
            }
            // Repeat --j while P < a[j].
            loop {
                j = j.wrapping_sub(1);
                self.get(st, j)?;
                if !self.less(st, 3, 1)? {
                    break;
                }
                if j < i {
                    return Err(st.error_msg("invalid order function for sorting"));
                }
                st.pop(1);
            }
            if j < i {
                st.pop(1);
                self.set2(st, up - 1, i)?;
                return Ok(i);
            }
            self.set2(st, i, j)?;
        }
    }

    /// Sorts `[lo, up]`, recursing into the smaller part and looping on
    /// the larger one.
    fn auxsort(&mut self, st: &mut State, mut lo: Idx, mut up: Idx, mut rnd: u32) -> LResult<()> {
        while lo < up {
            // Sort a[lo], a[p] and a[up].
            self.get(st, lo)?;
            self.get(st, up)?;
            if self.less(st, 1, 2)? {
                self.set2(st, lo, up)?;
            } else {
                st.pop(2);
            }
            if up - lo == 1 {
                return Ok(());
            }
            let mut p =
                if up - lo < RANLIMIT || rnd == 0 { lo.wrapping_add(up) / 2 } else { choose_pivot(lo, up, rnd) };
            self.get(st, p)?;
            self.get(st, lo)?;
            if self.less(st, 2, 1)? {
                self.set2(st, p, lo)?;
            } else {
                st.pop(1);
                self.get(st, up)?;
                if self.less(st, 1, 2)? {
                    self.set2(st, p, up)?;
                } else {
                    st.pop(2);
                }
            }
            if up - lo == 2 {
                return Ok(());
            }
            // Move the pivot to a[up - 1], keeping a copy on the stack.
            self.get(st, p)?;
            let pivot = st.stack_get(st.top() - 1);
            st.push(pivot);
            self.get(st, up - 1)?;
            self.set2(st, p, up - 1)?;
            p = self.partition(st, lo, up)?;
            let n;
            if p - lo < up - p {
                self.auxsort(st, lo, p.wrapping_sub(1), rnd)?;
                n = p - lo;
                lo = p + 1;
            } else {
                self.auxsort(st, p + 1, up, rnd)?;
                n = up - p;
                up = p.wrapping_sub(1);
            }
            if up.wrapping_sub(lo) / 128 > n {
                rnd = randomize_pivot();
            }
        }
        Ok(())
    }
}

/// A pivot in the middle half of `[lo, up]`, chosen by `rnd`.
fn choose_pivot(lo: Idx, up: Idx, rnd: u32) -> Idx {
    let r4 = (up - lo) / 4;
    rnd % (r4 * 2) + (lo + r4)
}

/// Some "randomness" for pivot choice after an unbalanced partition (PUC
/// uses `clock()` and `time()`; this uses the wall clock).
fn randomize_pivot() -> u32 {
    let d = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs();
    (secs as u32).wrapping_add((secs >> 32) as u32).wrapping_add(d.subsec_nanos())
}
