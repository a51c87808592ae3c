//! Metamethods: lookup (with the absence cache), and the slow paths of
//! the operations that may call them: indexing (`__index`,
//! `__newindex` chains), arithmetic and bitwise operators, comparisons,
//! equality, length and concatenation (PUC's ltm.c and the `luaV_finish*`
//! parts of lvm.c).
//!
//! A metamethod is called with its arguments pushed at the stack top; the
//! interpreter sets the top to the frame's limit before calling these, so
//! the call never overwrites a live register. If the metamethod yields,
//! the result is found at the top when the coroutine resumes
//! (`coroutine::finish_op`).

use crate::dialect::Feature;
use crate::gc::Gc;
use crate::object::string::LuaStr;
use crate::object::table::Table;
use crate::state::State;
use crate::value::Value;
use crate::vm::arith::{self, ArithError, ArithOp, F2I};
use crate::vm::debug::ValLoc;
use crate::vm::opcodes::TmKind;
use crate::vm::LResult;

/// Limit of `__index`/`__newindex` chains (PUC's `MAXTAGLOOP`).
const MAX_TAG_LOOP: usize = 2000;

/// Call status bit of a frame whose `<=` is running `__lt` in place of a
/// missing `__le` (PUC's `CIST_LEQ`, a bit the other `CIST_*` bits of
/// `object::thread` leave free): the result read after a yield is negated
/// (`coroutine::finish_op`).
pub(crate) const CIST_LEQ: u16 = 1 << 13;

impl State {
    /// The metamethod `tm` of metatable `mt`, caching its absence (PUC's
    /// `fasttm`; only the events up to `__eq` are cached).
    #[inline]
    pub(crate) fn fast_tm(&self, mt: Option<Gc<Table>>, tm: TmKind) -> Value {
        let mt = match mt {
            Some(mt) => mt,
            None => return Value::Nil,
        };
        let bit = 1u8 << (tm as u8);
        if mt.flags.get() & bit != 0 {
            return Value::Nil;
        }
        let v = mt.get_str(self.tm_names[tm as usize]);
        if v.is_nil() && (tm as u8) <= (TmKind::Eq as u8) {
            mt.flags.set(mt.flags.get() | bit);
        }
        v
    }

    /// The metamethod `tm` of a value (PUC's `luaT_gettmbyobj`).
    #[inline]
    pub fn get_tm_by_obj(&self, v: Value, tm: TmKind) -> Value {
        match self.metatable_of(v) {
            Some(mt) => mt.get_str(self.tm_names[tm as usize]),
            None => Value::Nil,
        }
    }

    /// Whether the running frame is Lua code (metamethods called from it
    /// may yield).
    #[inline]
    fn in_lua_code(&self) -> bool {
        let ci = self.th_ref().ci();
        ci.is_lua() && ci.status & crate::object::thread::CIST_HOOKED == 0
    }

    /// Calls metamethod `f` with two arguments and returns its first result
    /// (PUC's `luaT_callTMres`).
    pub(crate) fn call_tm_res(&mut self, f: Value, p1: Value, p2: Value) -> LResult<Value> {
        let th = self.th();
        let func = th.top;
        th.push(f);
        th.push(p1);
        th.push(p2);
        if self.in_lua_code() {
            self.call(func, 1)?;
        } else {
            self.call_noyield(func, 1)?;
        }
        let th = self.th();
        th.top -= 1;
        Ok(th.stack[th.top])
    }

    /// Calls metamethod `f` with three arguments, no results (PUC's
    /// `luaT_callTM`).
    pub(crate) fn call_tm(&mut self, f: Value, p1: Value, p2: Value, p3: Value) -> LResult<()> {
        let th = self.th();
        let func = th.top;
        th.push(f);
        th.push(p1);
        th.push(p2);
        th.push(p3);
        if self.in_lua_code() {
            self.call(func, 0)
        } else {
            self.call_noyield(func, 0)
        }
    }

    // ------------------------------------------------------------------
    // Indexing.

    /// `t[key]` with metamethods (PUC's `luaV_finishget` preceded by the
    /// fast path). `loc` says where `t` came from, for error messages.
    pub fn index(&mut self, t: Value, key: Value, loc: ValLoc) -> LResult<Value> {
        if let Value::Table(h) = t {
            let v = h.get(key);
            if !v.is_nil() {
                return Ok(v);
            }
        }
        self.finish_get(t, key, loc)
    }

    /// The slow path of `t[key]`: `t` is not a table, or the key is absent.
    #[inline(never)]
    pub(crate) fn finish_get(&mut self, mut t: Value, key: Value, mut loc: ValLoc) -> LResult<Value> {
        for _ in 0..MAX_TAG_LOOP {
            let tm = match t {
                Value::Table(h) => {
                    let tm = self.fast_tm(h.metatable(), TmKind::Index);
                    if tm.is_nil() {
                        return Ok(Value::Nil);
                    }
                    tm
                }
                _ => {
                    let tm = self.get_tm_by_obj(t, TmKind::Index);
                    if tm.is_nil() {
                        return Err(self.type_error(t, loc, "index"));
                    }
                    tm
                }
            };
            if tm.is_function() {
                if let Value::NativeFn(f) = tm {
                    if f.lookup_first {
                        // The dispatcher's first step, done without a call.
                        if let Value::Table(first) = f.upvalue(0) {
                            let v = first.get(key);
                            if !v.is_nil() {
                                return Ok(v);
                            }
                        }
                    }
                }
                return self.call_tm_res(tm, t, key);
            }
            t = tm;
            loc = ValLoc::Other;
            if let Value::Table(h) = t {
                let v = h.get(key);
                if !v.is_nil() {
                    return Ok(v);
                }
            }
        }
        Err(self.rt_error("'__index' chain too long; possible loop"))
    }

    /// `t[key] = val` with metamethods (PUC's `luaV_finishset` preceded by
    /// the fast path).
    pub fn set_index(&mut self, t: Value, key: Value, val: Value, loc: ValLoc) -> LResult<()> {
        if let Value::Table(h) = t {
            if h.replace(key, val) {
                self.heap.barrier_back(h, val);
                return Ok(());
            }
        }
        self.finish_set(t, key, val, loc)
    }

    /// The slow path of `t[key] = val`: `t` is not a table, or the key is
    /// absent from it.
    #[inline(never)]
    pub(crate) fn finish_set(&mut self, mut t: Value, key: Value, val: Value, mut loc: ValLoc) -> LResult<()> {
        for _ in 0..MAX_TAG_LOOP {
            let tm = match t {
                Value::Table(h) => {
                    let tm = self.fast_tm(h.metatable(), TmKind::NewIndex);
                    if tm.is_nil() {
                        // A key absent from a table whose main position is
                        // free: store it directly (it is absent, as the
                        // caller's fast path just found out).
                        if let (Value::Str(s), false) = (key, val.is_nil()) {
                            if h.get_str(s).is_nil() && h.try_insert_str_fast(s, val) {
                                h.invalidate_tm_cache();
                                self.heap.barrier_back(h, key);
                                self.heap.barrier_back(h, val);
                                return Ok(());
                            }
                        }
                        return self.raw_set(h, key, val);
                    }
                    tm
                }
                _ => {
                    let tm = self.get_tm_by_obj(t, TmKind::NewIndex);
                    if tm.is_nil() {
                        return Err(self.type_error(t, loc, "index"));
                    }
                    tm
                }
            };
            if tm.is_function() {
                return self.call_tm(tm, t, key, val);
            }
            t = tm;
            loc = ValLoc::Other;
            if let Value::Table(h) = t {
                if h.replace(key, val) {
                    self.heap.barrier_back(h, val);
                    return Ok(());
                }
            }
        }
        Err(self.rt_error("'__newindex' chain too long; possible loop"))
    }

    /// `t.name` for a field name given as text (library helper).
    pub fn index_str(&mut self, t: Value, name: &str) -> LResult<Value> {
        let k = self.new_str(name.as_bytes())?;
        self.index(t, Value::Str(k), ValLoc::Other)
    }

    // ------------------------------------------------------------------
    // Arithmetic.

    /// Arithmetic with metamethods when the raw operation does not apply
    /// (PUC's `luaT_trybinTM`). `l1`/`l2` locate the operands for messages.
    #[inline(never)]
    pub(crate) fn arith_tm(&mut self, p1: Value, l1: ValLoc, p2: Value, l2: ValLoc, event: TmKind) -> LResult<Value> {
        let mut tm = self.get_tm_by_obj(p1, event);
        if tm.is_nil() {
            tm = self.get_tm_by_obj(p2, event);
        }
        if !tm.is_nil() {
            return self.call_tm_res(tm, p1, p2);
        }
        Err(self.arith_error(p1, l1, p2, l2, event))
    }

    /// The error for an arithmetic or bitwise operation with no
    /// metamethod.
    fn arith_error(&mut self, p1: Value, l1: ValLoc, p2: Value, l2: ValLoc, event: TmKind) -> crate::vm::Throw {
        let bitwise =
            matches!(event, TmKind::BAnd | TmKind::BOr | TmKind::BXor | TmKind::Shl | TmKind::Shr | TmKind::BNot);
        if bitwise {
            if p1.is_number() && p2.is_number() {
                // Which one lacks an integer representation?
                let loc = if arith::to_integer_ns(&p1, F2I::Exact).is_none() { l1 } else { l2 };
                let info = self.varinfo(loc);
                return self.rt_error(&format!("number{info} has no integer representation"));
            }
            let (bad, loc) = if !p1.is_number() { (p1, l1) } else { (p2, l2) };
            return self.type_error(bad, loc, "perform bitwise operation on");
        }
        let (bad, loc) = if !p1.is_number() { (p1, l1) } else { (p2, l2) };
        self.type_error(bad, loc, "perform arithmetic on")
    }

    /// Full arithmetic on two values: raw when both are numbers, string
    /// coercion and metamethods otherwise (PUC's `luaO_arith` + `trybinTM`,
    /// used by the host API; the interpreter has its own fast paths).
    pub fn arith(&mut self, op: ArithOp, a: Value, b: Value) -> LResult<Value> {
        match arith::arith_raw(op, &a, &b) {
            Ok(v) => Ok(v),
            Err(ArithError::DivByZero) => Err(self.rt_error("attempt to divide by zero")),
            Err(ArithError::ModByZero) => Err(self.rt_error("attempt to perform 'n%0'")),
            Err(_) => {
                let event = TmKind::ALL[TmKind::Add as usize + op as usize];
                self.arith_tm(a, ValLoc::Other, b, ValLoc::Other, event)
            }
        }
    }

    // ------------------------------------------------------------------
    // Comparisons.

    /// `a == b` with `__eq` (PUC's `luaV_equalobj`).
    #[inline(never)]
    pub fn equal_obj(&mut self, a: Value, b: Value) -> LResult<bool> {
        let tm = match (a, b) {
            (Value::Table(x), Value::Table(y)) => {
                if x.ptr_eq(y) {
                    return Ok(true);
                }
                let tm = self.fast_tm(x.metatable(), TmKind::Eq);
                if tm.is_nil() {
                    self.fast_tm(y.metatable(), TmKind::Eq)
                } else {
                    tm
                }
            }
            (Value::Userdata(x), Value::Userdata(y)) => {
                if x.ptr_eq(y) {
                    return Ok(true);
                }
                let tm = self.fast_tm(x.metatable(), TmKind::Eq);
                if tm.is_nil() {
                    self.fast_tm(y.metatable(), TmKind::Eq)
                } else {
                    tm
                }
            }
            _ => return Ok(a.raw_eq(&b)),
        };
        if tm.is_nil() {
            return Ok(false);
        }
        let r = self.call_tm_res(tm, a, b)?;
        Ok(!r.is_falsy())
    }

    /// `a < b` when not both numbers (PUC's `lessthanothers`).
    #[inline(never)]
    pub(crate) fn less_than_others(&mut self, a: Value, b: Value) -> LResult<bool> {
        if let (Value::Str(x), Value::Str(y)) = (a, b) {
            return Ok(x.as_bytes() < y.as_bytes());
        }
        self.call_order_tm(a, b, TmKind::Lt)
    }

    /// `a <= b` when not both numbers (PUC's `lessequalothers`).
    #[inline(never)]
    pub(crate) fn less_equal_others(&mut self, a: Value, b: Value) -> LResult<bool> {
        if let (Value::Str(x), Value::Str(y)) = (a, b) {
            return Ok(x.as_bytes() <= y.as_bytes());
        }
        self.call_order_tm(a, b, TmKind::Le)
    }

    /// `a < b` for any values.
    pub fn less_than(&mut self, a: Value, b: Value) -> LResult<bool> {
        if a.is_number() && b.is_number() {
            return Ok(arith::num_lt(&a, &b));
        }
        self.less_than_others(a, b)
    }

    /// `a <= b` for any values.
    pub fn less_equal(&mut self, a: Value, b: Value) -> LResult<bool> {
        if a.is_number() && b.is_number() {
            return Ok(arith::num_le(&a, &b));
        }
        self.less_equal_others(a, b)
    }

    /// Calls the order metamethod or raises the comparison error (PUC's
    /// `luaT_callorderTM`).
    ///
    /// With the dialect's `LeViaLt` (PUC's `LUA_COMPAT_LT_LE`), `a <= b`
    /// without an `__le` is computed as `not (b < a)` with `__lt`. If that
    /// metamethod yields, the comparison is completed by `finish_op` after
    /// the resume, which must negate the result: the frame carries
    /// `CIST_LEQ` while `__lt` runs for `__le`. (An error removes the
    /// frame, so the mark is cleared only on a normal return.)
    pub(crate) fn call_order_tm(&mut self, a: Value, b: Value, event: TmKind) -> LResult<bool> {
        let tm = self.binary_tm(a, b, event);
        if !tm.is_nil() {
            let r = self.call_tm_res(tm, a, b)?;
            return Ok(!r.is_falsy());
        }
        if event == TmKind::Le && self.dialect.has(Feature::LeViaLt) {
            let tm = self.binary_tm(b, a, TmKind::Lt);
            if !tm.is_nil() {
                self.th().ci_mut().status |= CIST_LEQ;
                let r = self.call_tm_res(tm, b, a)?;
                self.th().ci_mut().status &= !CIST_LEQ;
                return Ok(r.is_falsy());
            }
        }
        Err(self.order_error(a, b))
    }

    /// The metamethod `event` of the first operand, or else of the second
    /// (the lookup of PUC's `callbinTM`).
    fn binary_tm(&self, p1: Value, p2: Value, event: TmKind) -> Value {
        let tm = self.get_tm_by_obj(p1, event);
        if tm.is_nil() {
            self.get_tm_by_obj(p2, event)
        } else {
            tm
        }
    }

    /// Order comparison with an immediate operand (PUC's
    /// `luaT_callorderiTM`).
    #[inline(never)]
    pub(crate) fn call_order_i_tm(
        &mut self,
        a: Value,
        imm: i32,
        flip: bool,
        is_float: bool,
        event: TmKind,
    ) -> LResult<bool> {
        let aux = if is_float { Value::Float(imm as f64) } else { Value::Int(imm as i64) };
        if flip {
            self.call_order_tm(aux, a, event)
        } else {
            self.call_order_tm(a, aux, event)
        }
    }

    fn order_error(&mut self, a: Value, b: Value) -> crate::vm::Throw {
        let t1 = self.obj_type_name(a);
        let t2 = self.obj_type_name(b);
        if t1 == t2 {
            self.rt_error(&format!("attempt to compare two {t1} values"))
        } else {
            self.rt_error(&format!("attempt to compare {t1} with {t2}"))
        }
    }

    /// The type name of a value for messages: its `__name` if the
    /// metatable has a string one (PUC's `luaT_objtypename`).
    pub fn obj_type_name(&self, v: Value) -> String {
        if matches!(v, Value::Table(_) | Value::Userdata(_)) {
            if let Some(mt) = self.metatable_of(v) {
                let name = self.strings_lookup_name(mt);
                if let Some(n) = name {
                    return n;
                }
            }
        }
        v.type_name().to_string()
    }

    fn strings_lookup_name(&self, mt: Gc<Table>) -> Option<String> {
        // `__name` is looked up without allocating: find the interned key.
        let key = self.find_interned(b"__name")?;
        match mt.get_str(key) {
            Value::Str(s) => Some(s.to_str_lossy().into_owned()),
            _ => None,
        }
    }

    /// The interned short string with these bytes, if it exists.
    pub(crate) fn find_interned(&self, bytes: &[u8]) -> Option<Gc<LuaStr>> {
        self.strings.find(bytes)
    }

    // ------------------------------------------------------------------
    // Length and concatenation.

    /// `#v` with `__len` (PUC's `luaV_objlen`).
    #[inline(never)]
    pub fn len_of(&mut self, v: Value, loc: ValLoc) -> LResult<Value> {
        let tm = match v {
            Value::Table(h) => {
                let tm = self.fast_tm(h.metatable(), TmKind::Len);
                if tm.is_nil() {
                    return Ok(Value::Int(h.length() as i64));
                }
                tm
            }
            Value::Str(s) => return Ok(Value::Int(s.len() as i64)),
            _ => {
                let tm = self.get_tm_by_obj(v, TmKind::Len);
                if tm.is_nil() {
                    return Err(self.type_error(v, loc, "get length of"));
                }
                tm
            }
        };
        self.call_tm_res(tm, v, v)
    }

    /// Concatenates the `total` values at the top of the stack, leaving the
    /// result in place of the first (PUC's `luaV_concat`). Numbers are
    /// converted in place; `__concat` is called for other operands.
    #[inline(never)]
    pub(crate) fn concat(&mut self, mut total: usize) -> LResult<()> {
        while total > 1 {
            let th = self.th();
            let top = th.top;
            let a = th.stack[top - 2];
            let b = th.stack[top - 1];
            let mut n = 2;
            let a_ok = matches!(a, Value::Str(_) | Value::Int(_) | Value::Float(_));
            let b_ok = matches!(b, Value::Str(_) | Value::Int(_) | Value::Float(_));
            if !a_ok || !b_ok {
                self.try_concat_tm()?;
            } else if matches!(b, Value::Str(s) if s.is_empty()) {
                let s = self.tostring_number(a)?;
                self.th().stack[top - 2] = s;
            } else if matches!(a, Value::Str(s) if s.is_empty()) {
                let s = self.tostring_number(b)?;
                self.th().stack[top - 2] = s;
            } else {
                // Collect as many string-convertible values as possible.
                let mut len = 0usize;
                n = 0;
                while n < total {
                    let v = self.th().stack[top - n - 1];
                    if !matches!(v, Value::Str(_) | Value::Int(_) | Value::Float(_)) {
                        break;
                    }
                    let s = self.tostring_number(v)?;
                    self.th().stack[top - n - 1] = s;
                    let l = match s {
                        Value::Str(s) => s.len(),
                        _ => 0,
                    };
                    len = match len.checked_add(l) {
                        Some(x) if x < crate::object::string::MAX_STRING_LEN => x,
                        _ => {
                            self.th().top = top - total;
                            return Err(self.rt_error("string length overflow"));
                        }
                    };
                    n += 1;
                }
                let th = self.th();
                let mut buf: Vec<u8> = Vec::new();
                if buf.try_reserve_exact(len).is_err() {
                    return Err(self.mem_throw());
                }
                for idx in (top - n)..top {
                    if let Value::Str(s) = th.stack[idx] {
                        buf.extend_from_slice(s.as_bytes());
                    }
                }
                let s = self.new_str(&buf)?;
                self.th().stack[top - n] = Value::Str(s);
            }
            total -= n - 1;
            self.th().top -= n - 1;
        }
        Ok(())
    }

    /// Calls `__concat` for the two values on the top, leaving the result
    /// in place of the first (PUC's `luaT_tryconcatTM`).
    fn try_concat_tm(&mut self) -> LResult<()> {
        let th = self.th();
        let top = th.top;
        let (a, b) = (th.stack[top - 2], th.stack[top - 1]);
        let mut tm = self.get_tm_by_obj(a, TmKind::Concat);
        if tm.is_nil() {
            tm = self.get_tm_by_obj(b, TmKind::Concat);
        }
        if tm.is_nil() {
            let ci_func = self.th().ci().func;
            let (bad, reg) =
                if matches!(a, Value::Str(_) | Value::Int(_) | Value::Float(_)) { (b, top - 1) } else { (a, top - 2) };
            let loc =
                if self.th().ci().is_lua() { ValLoc::Register((reg - ci_func - 1) as u32) } else { ValLoc::Other };
            return Err(self.type_error(bad, loc, "concatenate"));
        }
        let r = self.call_tm_res(tm, a, b)?;
        self.th().stack[top - 2] = r;
        Ok(())
    }

    /// Converts a number to its string form (strings pass through).
    pub fn tostring_number(&mut self, v: Value) -> LResult<Value> {
        match v {
            Value::Int(i) => {
                let mut buf = Vec::with_capacity(24);
                crate::fmt::fmt_int(i, &mut buf);
                self.str_value(buf)
            }
            Value::Float(f) => {
                let mut buf = Vec::with_capacity(24);
                crate::fmt::fmt_float(f, &mut buf);
                self.str_value(buf)
            }
            other => Ok(other),
        }
    }
}
