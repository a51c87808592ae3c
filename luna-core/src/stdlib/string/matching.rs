//! The pattern-matching functions of the string library: `string.find`,
//! `string.match`, `string.gmatch` (an iterator closure whose position is
//! kept in a userdata upvalue) and `string.gsub` (string, table and
//! function replacements). The matching itself is done by
//! `stdlib::pattern`; this module converts positions and captures to Lua
//! values, calls replacement functions and raises PUC's errors. When the
//! host has set an instruction budget (fuel), matching steps are charged to
//! it, so that a hostile pattern cannot run unbounded.

use std::cell::Cell;

use crate::object::function::NativeFn;
use crate::state::State;
use crate::stdlib::pattern::{self, Capture, Match, MatchIter, Matcher, PatternError};
use crate::value::Value;
use crate::vm::debug::ValLoc;
use crate::vm::{LResult, Throw};

use super::{append, check_stack_msg, posrelat_start};

/// Matching steps charged per unit of fuel. A unit pays for a loop
/// iteration of Lua code, a few instructions; two steps of the matcher
/// take about as long.
const STEPS_PER_FUEL: u64 = 2;

/// `string.find(s, pattern [, init [, plain]])`.
pub(super) fn str_find(st: &mut State) -> LResult<usize> {
    find_aux(st, true)
}

/// `string.match(s, pattern [, init])`.
pub(super) fn str_match(st: &mut State) -> LResult<usize> {
    find_aux(st, false)
}

/// `string.gmatch(s, pattern [, init])`: returns the iterator closure,
/// whose upvalues are the subject, the pattern and the iteration state.
pub(super) fn gmatch(st: &mut State) -> LResult<usize> {
    let s = st.check_str(1)?;
    let p = st.check_str(2)?;
    let ls = s.len();
    let init = posrelat_start(st.opt_integer(3, 1)?, ls) - 1;
    let state = GmatchState { src: Cell::new(init.min(ls + 1)), lastmatch: Cell::new(None) };
    let ud = st.new_userdata(state, 0)?;
    let f = st.new_native_closure(NativeFn::Ptr(gmatch_aux), &[Value::Str(s), Value::Str(p), Value::Userdata(ud)])?;
    st.push(f);
    Ok(1)
}

/// `string.gsub(s, pattern, repl [, n])`.
pub(super) fn str_gsub(st: &mut State) -> LResult<usize> {
    let src = st.check_str(1)?;
    let p = st.check_str(2)?;
    let srcl = src.len();
    let repl = st.arg(3);
    let max_s = st.opt_integer(4, i64::try_from(srcl).unwrap_or(i64::MAX).saturating_add(1))?;
    let kind = match repl {
        Value::Int(_) | Value::Float(_) | Value::Str(_) => {
            // A number replacement is used as its string form.
            Repl::Str(st.check_str(3)?)
        }
        Value::Table(_) => Repl::Table(repl),
        Value::LuaFn(_) | Value::NativeFn(_) => Repl::Func(repl),
        _ => return Err(st.arg_type_error(3, "string/function/table")),
    };
    let sb = src.as_bytes();
    let mut it = MatchIter::gsub(sb, p.as_bytes());
    let budget = step_budget(st);
    it.set_max_steps(budget.map(|(_, steps)| steps));
    it.set_checkpoint_interval(checkpoint_interval(st));
    let mut raised = None;
    let mut out: Vec<u8> = Vec::new();
    let mut copied = 0;
    let mut n: i64 = 0;
    let mut changed = false;
    let result = (|| -> LResult<()> {
        while n < max_s {
            let r = it.next_match_with(&mut checkpoint(st, &mut raised));
            let m = match r {
                Ok(Some(m)) => m,
                Ok(None) => break,
                Err(e) => return Err(raised.take().unwrap_or_else(|| pattern_error(st, e))),
            };
            n += 1;
            append(st, &mut out, sb.get(copied..m.start).unwrap_or(&[]))?;
            changed |= add_value(st, &mut out, sb, &m, &kind)?;
            copied = m.end;
        }
        Ok(())
    })();
    charge_steps(st, budget, it.steps());
    result?;
    if changed {
        append(st, &mut out, sb.get(copied..).unwrap_or(&[]))?;
        let v = st.str_value(out)?;
        st.push(v);
    } else {
        st.push(Value::Str(src));
    }
    st.push(Value::Int(n));
    Ok(2)
}

// ----------------------------------------------------------------------
// find and match.

/// The body of `find` and `match` (PUC's `str_find_aux`).
fn find_aux(st: &mut State, find: bool) -> LResult<usize> {
    let s = st.check_str(1)?;
    let p = st.check_str(2)?;
    let (sb, pb) = (s.as_bytes(), p.as_bytes());
    let ls = sb.len();
    let init = posrelat_start(st.opt_integer(3, 1)?, ls) - 1;
    if init > ls {
        st.push(Value::Nil);
        return Ok(1);
    }
    if find && (!st.arg(4).is_falsy() || !pattern::has_specials(pb)) {
        if let Some(pos) = pattern::find_plain(sb, pb, init) {
            st.push(Value::Int(pos as i64 + 1));
            st.push(Value::Int((pos + pb.len()) as i64));
            return Ok(2);
        }
    } else {
        let (mut m, anchor) = Matcher::anchored(sb, pb);
        let budget = step_budget(st);
        m.set_max_steps(budget.map(|(_, steps)| steps));
        m.set_checkpoint_interval(checkpoint_interval(st));
        let mut raised = None;
        let r = m.find_with(init, anchor, &mut checkpoint(st, &mut raised));
        charge_steps(st, budget, m.steps());
        match r {
            Err(e) => return Err(raised.take().unwrap_or_else(|| pattern_error(st, e))),
            Ok(Some(found)) => {
                if find {
                    st.push(Value::Int(found.start as i64 + 1));
                    st.push(Value::Int(found.end as i64));
                    let caps = found.captures.values(None).map_err(|e| pattern_error(st, e))?;
                    return Ok(push_captures(st, sb, &caps)? + 2);
                }
                let caps = found.values().map_err(|e| pattern_error(st, e))?;
                return push_captures(st, sb, &caps);
            }
            Ok(None) => {}
        }
    }
    st.push(Value::Nil);
    Ok(1)
}

// ----------------------------------------------------------------------
// gmatch.

/// The state of a `gmatch` iteration: where the next attempt starts and
/// where the previous match ended.
struct GmatchState {
    src: Cell<usize>,
    lastmatch: Cell<Option<usize>>,
}

/// The `gmatch` iterator (PUC's `gmatch_aux`).
fn gmatch_aux(st: &mut State) -> LResult<usize> {
    let (s, p, ud) = match (st.upvalue(1), st.upvalue(2), st.upvalue(3)) {
        (Value::Str(s), Value::Str(p), Value::Userdata(u)) => (s, p, u),
        _ => return Ok(0),
    };
    // The position is read here and written back at the end: the match
    // may run the interrupt callback, so no borrow of the payload is held
    // across it.
    let Some((mut src, lastmatch)) = ud.with_payload(|gm: &GmatchState| (gm.src.get(), gm.lastmatch.get())) else {
        return Ok(0);
    };
    let set_position = |src: usize, lastmatch: Option<usize>| {
        ud.with_payload(|gm: &GmatchState| {
            gm.src.set(src);
            gm.lastmatch.set(lastmatch);
        })
    };
    let sb = s.as_bytes();
    let mut m = Matcher::new(sb, p.as_bytes());
    let budget = step_budget(st);
    m.set_max_steps(budget.map(|(_, steps)| steps));
    m.set_checkpoint_interval(checkpoint_interval(st));
    let mut raised = None;
    let mut found = None;
    while src <= sb.len() {
        let r = m.match_at_with(src, &mut checkpoint(st, &mut raised));
        match r {
            Ok(Some(mt)) if Some(mt.end) != lastmatch => {
                found = Some(mt);
                break;
            }
            Ok(_) => src += 1,
            Err(e) => {
                charge_steps(st, budget, m.steps());
                return Err(raised.take().unwrap_or_else(|| pattern_error(st, e)));
            }
        }
    }
    charge_steps(st, budget, m.steps());
    match found {
        Some(mt) => {
            set_position(mt.end, Some(mt.end));
            let caps = mt.values().map_err(|e| pattern_error(st, e))?;
            push_captures(st, sb, &caps)
        }
        None => {
            // Nothing matches from here on: later calls find nothing too.
            set_position(sb.len() + 1, lastmatch);
            Ok(0)
        }
    }
}

// ----------------------------------------------------------------------
// gsub replacements.

/// The replacement argument of `gsub`.
enum Repl {
    /// A string (or number) with `%` escapes.
    Str(crate::gc::Gc<crate::object::string::LuaStr>),
    /// A table indexed by the first capture.
    Table(Value),
    /// A function called with the captures.
    Func(Value),
}

/// Appends the replacement of match `m` to `out` and tells whether the
/// subject changed (PUC's `add_value`): a function or table result of nil
/// or false keeps the matched text.
fn add_value(st: &mut State, out: &mut Vec<u8>, sb: &[u8], m: &Match, repl: &Repl) -> LResult<bool> {
    let top = st.top();
    match repl {
        Repl::Str(r) => {
            let mut piece = Vec::new();
            pattern::expand_replacement(r.as_bytes(), sb, m, &mut piece).map_err(|e| pattern_error(st, e))?;
            append(st, out, &piece)?;
            return Ok(true);
        }
        Repl::Func(f) => {
            st.push(*f);
            let caps = m.values().map_err(|e| pattern_error(st, e))?;
            push_captures(st, sb, &caps)?;
            st.call_noyield(top, 1)?;
        }
        Repl::Table(t) => {
            let cap = m.capture(0).map_err(|e| pattern_error(st, e))?;
            let key = capture_value(st, sb, cap)?;
            // The key stays on the stack while `__index` may run.
            st.push(key);
            let v = st.index(*t, key, ValLoc::Other)?;
            st.push(v);
        }
    }
    let v = st.stack_get(st.top() - 1);
    let result = match v {
        Value::Nil | Value::Bool(false) => {
            append(st, out, sb.get(m.start..m.end).unwrap_or(&[]))?;
            false
        }
        Value::Str(s) => {
            append(st, out, s.as_bytes())?;
            true
        }
        Value::Int(_) | Value::Float(_) => {
            if let Value::Str(s) = st.tostring_number(v)? {
                append(st, out, s.as_bytes())?;
            }
            true
        }
        other => {
            let msg = format!("invalid replacement value (a {})", other.type_name());
            return Err(st.error_msg(&msg));
        }
    };
    st.set_top(top);
    Ok(result)
}

// ----------------------------------------------------------------------
// Helpers.

/// Converts a capture to its Lua value: a substring or a position.
fn capture_value(st: &mut State, sb: &[u8], cap: Capture) -> LResult<Value> {
    match cap {
        Capture::Range(a, b) => st.str_value(sb.get(a..b).unwrap_or(&[])),
        Capture::Position(n) => Ok(Value::Int(n as i64)),
    }
}

/// Pushes capture values, returning their count (PUC's `push_captures`).
fn push_captures(st: &mut State, sb: &[u8], caps: &[Capture]) -> LResult<usize> {
    check_stack_msg(st, caps.len(), "too many captures")?;
    for &c in caps {
        let v = capture_value(st, sb, c)?;
        st.push(v);
    }
    Ok(caps.len())
}

/// The error for a matcher failure: PUC's message, or the fuel error when
/// the step budget derived from the fuel ran out.
fn pattern_error(st: &mut State, e: PatternError) -> Throw {
    match e {
        PatternError::StepLimit => st.fuel_exhausted(),
        _ => st.error_msg(&e.message()),
    }
}

/// The step budget of a match when the host limits fuel: the fuel at the
/// start and the steps it allows.
fn step_budget(st: &State) -> Option<(i64, u64)> {
    st.fuel().map(|f| (f, u64::try_from(f.max(0)).unwrap_or(0).saturating_mul(STEPS_PER_FUEL)))
}

/// Matching steps between two runs of the host's interrupt (as many as
/// the fuel units of its period allow), when one is installed.
fn checkpoint_interval(st: &State) -> Option<u64> {
    st.interrupt_period().map(|p| u64::try_from(p).unwrap_or(1).saturating_mul(STEPS_PER_FUEL))
}

/// The matcher's checkpoint: runs the host's interrupt; an error it raises
/// stops the match and is kept in `raised`, to be raised in its place.
fn checkpoint<'s>(st: &'s mut State, raised: &'s mut Option<Throw>) -> impl FnMut() -> Result<(), PatternError> + 's {
    move || match st.interrupt_from_native() {
        Ok(()) => Ok(()),
        Err(t) => {
            *raised = Some(t);
            Err(PatternError::Interrupted)
        }
    }
}

/// Charges the steps a match spent to the fuel.
fn charge_steps(st: &mut State, budget: Option<(i64, u64)>, steps: u64) {
    if budget.is_some() {
        if let Some(f) = st.fuel() {
            let cost = i64::try_from(steps / STEPS_PER_FUEL).unwrap_or(i64::MAX);
            st.set_fuel(Some(f.saturating_sub(cost).max(0)));
        }
    }
}
