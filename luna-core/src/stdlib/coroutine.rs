//! The coroutine library (PUC's lcorolib.c): `create`, `resume`,
//! `yield`, `status`, `wrap`, `isyieldable`, `running`, `close`.

use crate::gc::Gc;
use crate::object::function::NativeFn;
use crate::object::table::Table;
use crate::object::thread::{Thread, ThreadStatus};
use crate::state::State;
use crate::value::{Type, Value};
use crate::vm::{LResult, Status};

pub fn open(st: &mut State) -> LResult<Gc<Table>> {
    st.new_lib(&[
        ("create", create),
        ("resume", resume),
        ("running", running),
        ("status", status),
        ("wrap", wrap),
        ("yield", yield_),
        ("isyieldable", isyieldable),
        ("close", close),
    ])
}

fn get_co(st: &mut State) -> LResult<Gc<Thread>> {
    match st.arg(1) {
        Value::Thread(t) => Ok(t),
        _ => Err(st.arg_type_error(1, "thread")),
    }
}

impl State {
    /// Moves the top `n` values of the running thread to `to`'s stack.
    pub fn xmove_to(&mut self, to: Gc<Thread>, n: usize) {
        if to.ptr_eq(self.current) {
            return;
        }
        let start = self.th_ref().top - n;
        for i in start..start + n {
            let v = self.th_ref().stack[i];
            self.thread_mut(to).push(v);
        }
        self.th().top = start;
    }

    /// Pushes a value on another thread's stack (for example the function
    /// of a coroutine before its first `resume`, or resume arguments).
    pub fn push_to_thread(&mut self, th: Gc<Thread>, v: Value) {
        self.thread_mut(th).push(v);
    }

    /// Moves the top `n` values of `from`'s stack to the running thread.
    pub fn xmove_from(&mut self, from: Gc<Thread>, n: usize) {
        if from.ptr_eq(self.current) {
            return;
        }
        let start = self.thread_ref(from).top - n;
        for i in start..start + n {
            let v = self.thread_ref(from).stack[i];
            self.th().push(v);
        }
        self.thread_mut(from).top = start;
    }
}

/// Resumes `co` with the top `narg` values; on success leaves the results
/// on the stack and returns their count, on error leaves the error value
/// and returns `None` (PUC's `auxresume`).
fn aux_resume(st: &mut State, co: Gc<Thread>, narg: usize) -> LResult<Option<usize>> {
    let cd = st.thread_ref(co);
    if cd.top + narg > cd.stack_size() && narg > crate::object::thread::MAX_STACK {
        let m = st.str_value("too many arguments to resume")?;
        st.push(m);
        return Ok(None);
    }
    {
        // Make room on the coroutine's stack for the arguments.
        let prev = st.current;
        st.current = co;
        let r = st.ensure_stack(narg);
        st.current = prev;
        if r.is_err() {
            st.pop(narg);
            let m = st.str_value("too many arguments to resume")?;
            st.push(m);
            return Ok(None);
        }
    }
    st.xmove_to(co, narg);
    let (status, nres) = st.resume(co, narg);
    if status == Status::Ok || status == Status::Yield {
        if st.check_stack(nres + 1).is_err() {
            st.thread_mut(co).top -= nres;
            let m = st.str_value("too many results to resume")?;
            st.push(m);
            return Ok(None);
        }
        st.xmove_from(co, nres);
        Ok(Some(nres))
    } else {
        st.xmove_from(co, 1);
        Ok(None)
    }
}

fn create(st: &mut State) -> LResult<usize> {
    let f = st.check_type(1, Type::Function)?;
    let co = st.new_thread()?;
    st.thread_mut(co).push(f);
    st.push(Value::Thread(co));
    Ok(1)
}

fn resume(st: &mut State) -> LResult<usize> {
    let co = get_co(st)?;
    let narg = st.nargs() - 1;
    match aux_resume(st, co, narg)? {
        Some(n) => {
            let top = st.top();
            st.insert_at(top - n, Value::Bool(true));
            Ok(n + 1)
        }
        None => {
            let top = st.top();
            st.insert_at(top - 1, Value::Bool(false));
            Ok(2)
        }
    }
}

fn aux_wrap(st: &mut State) -> LResult<usize> {
    let co = match st.upvalue(1) {
        Value::Thread(t) => t,
        _ => return Err(st.error_msg("invalid wrapped coroutine")),
    };
    let narg = st.nargs();
    match aux_resume(st, co, narg)? {
        Some(n) => Ok(n),
        None => {
            let mut stat = match st.thread_ref(co).status {
                ThreadStatus::Error(s) => s,
                ThreadStatus::Yield => Status::Yield,
                ThreadStatus::Ok => Status::Ok,
            };
            let mut err = st.stack_get(st.top() - 1);
            if stat != Status::Ok && stat != Status::Yield {
                st.pop(1);
                stat = st.close_thread(co);
                st.xmove_from(co, 1);
                err = st.stack_get(st.top() - 1);
            }
            if stat != Status::ErrMem {
                if let Value::Str(s) = err {
                    let mut m = st.where_(1);
                    m.extend_from_slice(s.as_bytes());
                    err = st.str_value(m)?;
                }
            }
            Err(st.throw_value(err))
        }
    }
}

fn wrap(st: &mut State) -> LResult<usize> {
    create(st)?;
    let co = st.stack_get(st.top() - 1);
    let f = st.new_native_closure(NativeFn::Ptr(aux_wrap), &[co])?;
    st.push(f);
    Ok(1)
}

fn yield_(st: &mut State) -> LResult<usize> {
    let n = st.nargs();
    st.yield_k(n, 0, None)
}

/// The status name of `co` seen from the running thread.
pub fn status_of(st: &State, co: Gc<Thread>) -> &'static str {
    if co.ptr_eq(st.current) {
        return "running";
    }
    let d = st.thread_ref(co);
    match d.status {
        ThreadStatus::Yield => "suspended",
        ThreadStatus::Ok => {
            if d.ci.len() > 1 {
                "normal"
            } else if d.top == 1 {
                "dead"
            } else {
                "suspended"
            }
        }
        ThreadStatus::Error(_) => "dead",
    }
}

fn status(st: &mut State) -> LResult<usize> {
    let co = get_co(st)?;
    let s = st.str_value(status_of(st, co))?;
    st.push(s);
    Ok(1)
}

fn running(st: &mut State) -> LResult<usize> {
    let cur = st.current;
    st.push(Value::Thread(cur));
    st.push(Value::Bool(cur.ptr_eq(st.main_thread)));
    Ok(2)
}

fn isyieldable(st: &mut State) -> LResult<usize> {
    let co = match st.arg(1) {
        Value::Nil if st.nargs() == 0 => st.current,
        _ => get_co(st)?,
    };
    let yieldable = st.thread_ref(co).yieldable();
    st.push(Value::Bool(yieldable));
    Ok(1)
}

fn close(st: &mut State) -> LResult<usize> {
    let co = get_co(st)?;
    match status_of(st, co) {
        "dead" | "suspended" => {
            let s = st.close_thread(co);
            if s == Status::Ok {
                st.push(Value::Bool(true));
                Ok(1)
            } else {
                st.push(Value::Bool(false));
                st.xmove_from(co, 1);
                Ok(2)
            }
        }
        other => Err(st.error_msg(&format!("cannot close a {other} coroutine"))),
    }
}
