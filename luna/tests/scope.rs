//! `Lua::scope`: functions and userdata that borrow the host's locals,
//! usable until the scope ends and cleanly cut off afterwards (also when
//! the scope closure fails or panics).

use std::cell::{Cell, RefCell};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::rc::Rc;

use luna::prelude::*;

/// The error a callback raised, under the `CallbackError` the host sees.
fn cause(r: LuaResult<impl std::fmt::Debug>) -> LuaError {
    match r {
        Err(LuaError::CallbackError { cause, .. }) => (*cause).clone(),
        other => panic!("expected a CallbackError, got {other:?}"),
    }
}

#[test]
fn scoped_functions_borrow_locals_and_are_cut_off_afterwards() {
    let lua = Lua::new();
    let seen = RefCell::new(Vec::new());
    let total = lua
        .scope(|scope| {
            let record = scope.create_function(|_, s: String| {
                seen.borrow_mut().push(s);
                Ok(seen.borrow().len())
            })?;
            lua.globals().set("record", &record)?;
            lua.load("record('a') record('b')").exec()?;
            record.call::<usize>("c")
        })
        .unwrap();
    assert_eq!(total, 3);
    assert_eq!(*seen.borrow(), ["a", "b", "c"]);
    // From Lua and from Rust, the function is now cut off.
    let err = cause(lua.load("record('d')").exec());
    assert!(matches!(err, LuaError::CallbackDestructed), "{err:?}");
    assert_eq!(err.to_string(), "a destructed callback or destructed userdata method was called");
    let f: LuaFunction = lua.globals().get("record").unwrap();
    assert!(matches!(cause(f.call::<()>("e")), LuaError::CallbackDestructed));
    // A script can catch it like any error.
    let msg: String = lua.load("local ok, e = pcall(record, 'f') return tostring(e)").eval().unwrap();
    assert_eq!(msg, "a destructed callback or destructed userdata method was called");
    assert_eq!(seen.borrow().len(), 3);
}

#[test]
fn the_closures_are_dropped_when_the_scope_ends() {
    let lua = Lua::new();
    let token = Rc::new(());
    lua.scope(|scope| {
        let t = token.clone();
        let f = scope.create_function(move |_, ()| Ok(Rc::strong_count(&t)))?;
        lua.globals().set("f", f)?;
        assert_eq!(Rc::strong_count(&token), 2);
        Ok(())
    })
    .unwrap();
    assert_eq!(Rc::strong_count(&token), 1);
    // Also when the Lua function is still referenced and collected later.
    lua.gc_collect().unwrap();
    assert_eq!(Rc::strong_count(&token), 1);
}

#[test]
fn mutable_closures_change_the_hosts_locals() {
    let lua = Lua::new();
    let mut words = Vec::new();
    let mut count = 0;
    lua.scope(|scope| {
        let push = scope.create_function_mut(|_, w: String| {
            words.push(w);
            count += 1;
            Ok(())
        })?;
        lua.load("local push = ... for w in ('to be or not'):gmatch('%a+') do push(w) end").call::<()>(push)
    })
    .unwrap();
    assert_eq!(words, ["to", "be", "or", "not"]);
    assert_eq!(count, 4);
}

#[test]
fn a_mutable_scoped_closure_called_recursively_is_an_error() {
    let lua = Lua::new();
    let mut depth = 0;
    let err = lua
        .scope(|scope| {
            let f = scope.create_function_mut(|lua, ()| {
                depth += 1;
                lua.load("f()").exec()
            })?;
            lua.globals().set("f", f)?;
            lua.load("f()").exec()
        })
        .unwrap_err();
    assert!(
        err.chain().any(|e| matches!(e.downcast_ref::<LuaError>(), Some(LuaError::RecursiveMutCallback))),
        "{err:?}"
    );
    assert_eq!(depth, 1);
}

#[test]
fn scoped_functions_can_create_more_scoped_functions() {
    let lua = Lua::new();
    let sum = Cell::new(0);
    let sum = &sum;
    lua.scope(|scope| {
        let make = scope.create_function(move |_, step: i64| {
            scope.create_function(move |_, ()| {
                sum.set(sum.get() + step);
                Ok(())
            })
        })?;
        lua.globals().set("make", make)?;
        lua.load("local a, b = make(1), make(10) a() b() b() adder = a").exec()
    })
    .unwrap();
    assert_eq!(sum.get(), 21);
    assert!(matches!(cause(lua.load("adder()").exec()), LuaError::CallbackDestructed));
}

#[test]
fn scopes_nest_and_each_cuts_off_its_own() {
    let lua = Lua::new();
    let log = RefCell::new(Vec::new());
    lua.scope(|outer| {
        let a = outer.create_function(|_, ()| {
            log.borrow_mut().push("outer");
            Ok(())
        })?;
        lua.globals().set("a", a)?;
        lua.scope(|inner| {
            let b = inner.create_function(|_, ()| {
                log.borrow_mut().push("inner");
                Ok(())
            })?;
            lua.globals().set("b", b)?;
            lua.load("a() b()").exec()
        })?;
        assert!(matches!(cause(lua.load("b()").exec()), LuaError::CallbackDestructed));
        lua.load("a()").exec()
    })
    .unwrap();
    assert_eq!(*log.borrow(), ["outer", "inner", "outer"]);
    assert!(matches!(cause(lua.load("a()").exec()), LuaError::CallbackDestructed));
}

#[test]
fn a_scope_inside_a_callback() {
    let lua = Lua::new();
    let outer = lua
        .create_function(|lua, n: i64| {
            let mut acc = 0;
            lua.scope(|scope| {
                let add = scope.create_function_mut(|_, k: i64| {
                    acc += k;
                    Ok(())
                })?;
                lua.load("local add, n = ... for i = 1, n do add(i) end").call::<()>((add, n))
            })?;
            Ok(acc)
        })
        .unwrap();
    lua.globals().set("outer", outer).unwrap();
    assert_eq!(lua.load("return outer(4) + outer(10)").eval::<i64>().unwrap(), 65);
}

#[test]
fn a_failing_scope_is_closed_too() {
    let lua = Lua::new();
    let ran = Cell::new(false);
    let err = lua
        .scope(|scope| {
            let f = scope.create_function(|_, ()| {
                ran.set(true);
                Ok(())
            })?;
            lua.globals().set("f", f)?;
            Err::<(), _>(LuaError::runtime("scope failed"))
        })
        .unwrap_err();
    assert_eq!(err.to_string(), "runtime error: scope failed");
    assert!(matches!(cause(lua.load("f()").exec()), LuaError::CallbackDestructed));
    assert!(!ran.get());
}

#[test]
fn a_panicking_scope_is_closed_before_the_panic_goes_on() {
    let lua = Lua::new();
    let destructor_ran = Cell::new(false);
    let token = Rc::new(());
    let r = catch_unwind(AssertUnwindSafe(|| {
        lua.scope(|scope| {
            let t = token.clone();
            let f = scope.create_function(move |_, ()| Ok(Rc::strong_count(&t)))?;
            lua.globals().set("f", f)?;
            scope.add_destructor(|| destructor_ran.set(true));
            panic!("inside the scope");
            #[allow(unreachable_code)]
            Ok(())
        })
    }));
    assert_eq!(*r.unwrap_err().downcast::<&str>().unwrap(), "inside the scope");
    assert!(destructor_ran.get());
    assert_eq!(Rc::strong_count(&token), 1);
    assert!(matches!(cause(lua.load("f()").exec()), LuaError::CallbackDestructed));
}

#[test]
fn a_panic_in_a_scoped_callback_reaches_the_host_and_closes_the_scope() {
    let lua = Lua::new();
    let r = catch_unwind(AssertUnwindSafe(|| {
        lua.scope(|scope| {
            let f = scope.create_function(|_, ()| -> LuaResult<()> { panic!("scoped panic") })?;
            lua.globals().set("f", f)?;
            lua.load("f()").exec()
        })
    }));
    assert_eq!(*r.unwrap_err().downcast::<&str>().unwrap(), "scoped panic");
    assert!(matches!(cause(lua.load("f()").exec()), LuaError::CallbackDestructed));
}

#[test]
fn destructors_run_in_order_after_everything_is_cut_off() {
    let lua = Lua::new();
    let order = RefCell::new(Vec::new());
    lua.scope(|scope| {
        let f = scope.create_function(|_, ()| Ok(()))?;
        let order = &order;
        scope.add_destructor(move || {
            // The scope's functions are already cut off here.
            let r = f.call::<()>(());
            order.borrow_mut().push(format!("first: {}", matches!(cause(r), LuaError::CallbackDestructed)));
        });
        scope.add_destructor(move || order.borrow_mut().push("second".to_string()));
        Ok(())
    })
    .unwrap();
    assert_eq!(*order.borrow(), ["first: true", "second"]);
}

#[test]
fn a_panicking_destructor_does_not_stop_the_others() {
    let lua = Lua::new();
    let second = Cell::new(false);
    let r = catch_unwind(AssertUnwindSafe(|| {
        lua.scope(|scope| {
            scope.add_destructor(|| panic!("destructor"));
            scope.add_destructor(|| second.set(true));
            Ok(())
        })
    }));
    assert_eq!(*r.unwrap_err().downcast::<&str>().unwrap(), "destructor");
    assert!(second.get());
    assert_eq!(lua.load("return 1").eval::<i64>().unwrap(), 1);
}

struct Counter {
    n: i64,
}

impl LuaUserdata for Counter {
    fn add_fields<F: LuaUserdataFields<Self>>(fields: &mut F) {
        fields.add_field_method_get("n", |_, this| Ok(this.n));
        fields.add_field_method_set("n", |_, this, n: i64| {
            this.n = n;
            Ok(())
        });
    }

    fn add_methods<M: LuaUserdataMethods<Self>>(methods: &mut M) {
        methods.add_method("get", |_, this, ()| Ok(this.n));
        methods.add_method_mut("bump", |_, this, by: Option<i64>| {
            this.n += by.unwrap_or(1);
            Ok(this.n)
        });
        methods.add_meta_method(LuaMetaMethod::ToString, |_, this, ()| Ok(format!("Counter({})", this.n)));
    }
}

#[test]
fn userdata_borrowing_host_data_read_it_in_place() {
    let lua = Lua::new();
    let counter = Counter { n: 5 };
    let (n, shown): (i64, String) = lua
        .scope(|scope| {
            let ud = scope.create_userdata_ref(&counter)?;
            lua.globals().set("c", &ud)?;
            lua.load("return c:get() + c.n, tostring(c)").eval()
        })
        .unwrap();
    assert_eq!((n, shown.as_str()), (10, "Counter(5)"));
    // A shared loan cannot be changed from Lua.
    lua.scope(|scope| {
        lua.globals().set("c", scope.create_userdata_ref(&counter)?)?;
        let err = cause(lua.load("c:bump()").exec());
        assert!(matches!(err, LuaError::UserDataBorrowMutError), "{err:?}");
        let err = lua.load("c.n = 1").exec().unwrap_err();
        assert!(
            err.chain().any(|e| matches!(e.downcast_ref::<LuaError>(), Some(LuaError::UserDataBorrowMutError))),
            "{err:?}"
        );
        // And the handle does not give the data out: a borrow could
        // outlive the scope.
        let ud: LuaAnyUserdata = lua.globals().get("c")?;
        assert!(ud.borrow::<Counter>().is_err());
        Ok(())
    })
    .unwrap();
    assert_eq!(counter.n, 5);
}

#[test]
fn userdata_borrowing_host_data_mutably_change_it() {
    let lua = Lua::new();
    let mut counter = Counter { n: 0 };
    lua.scope(|scope| {
        let ud = scope.create_userdata_ref_mut(&mut counter)?;
        lua.globals().set("c", ud)?;
        lua.load("c:bump() c:bump(10) c.n = c.n * 2").exec()
    })
    .unwrap();
    assert_eq!(counter.n, 22);
    // The host uses its data again; the userdata is cut off.
    counter.n += 1;
    assert_eq!(counter.n, 23);
    let err = cause(lua.load("c:bump()").exec());
    assert!(matches!(err, LuaError::UserDataDestructed), "{err:?}");
    let err = cause(lua.load("return c.n").exec());
    assert!(matches!(err, LuaError::UserDataDestructed), "{err:?}");
    let err = cause(lua.load("return tostring(c)").exec());
    assert!(matches!(err, LuaError::UserDataDestructed), "{err:?}");
    let ud: LuaAnyUserdata = lua.globals().get("c").unwrap();
    assert!(matches!(ud.metatable(), Err(LuaError::UserDataDestructed)));
    assert!(ud.borrow::<Counter>().is_err());
}

#[test]
fn methods_kept_from_a_scoped_userdata_fail_cleanly_later() {
    let lua = Lua::new();
    let mut counter = Counter { n: 1 };
    lua.scope(|scope| {
        let ud = scope.create_userdata_ref_mut(&mut counter)?;
        // The method functions are shared by every Counter: keep them and
        // the receiver.
        lua.load("local c = ... bump, get, kept = c.bump, c.get, c").call::<()>(ud)
    })
    .unwrap();
    let err = cause(lua.load("return bump(kept)").exec());
    assert!(matches!(err, LuaError::UserDataDestructed), "{err:?}");
    let err = cause(lua.load("return get(kept)").exec());
    assert!(matches!(err, LuaError::UserDataDestructed), "{err:?}");
    // The methods still work for an ordinary Counter.
    lua.globals().set("own", Counter { n: 41 }).unwrap();
    assert_eq!(lua.load("return bump(own)").eval::<i64>().unwrap(), 42);
    assert_eq!(counter.n, 1);
}

#[test]
fn two_loans_in_one_call_are_distinct_values() {
    let lua = Lua::new();
    let (mut a, mut b) = (Counter { n: 1 }, Counter { n: 100 });
    lua.scope(|scope| {
        let (ua, ub) = (scope.create_userdata_ref_mut(&mut a)?, scope.create_userdata_ref_mut(&mut b)?);
        lua.load("local a, b = ... a:bump(b:get())").call::<()>((ua, ub))
    })
    .unwrap();
    assert_eq!((a.n, b.n), (101, 100));
}

#[test]
fn any_userdata_borrowing_host_data() {
    let lua = Lua::new();
    let mut log = vec![1, 2, 3];
    lua.scope(|scope| {
        let ud = scope.create_any_userdata_ref_mut(&mut log)?;
        lua.globals().set("log", &ud)?;
        // No metatable is registered for Vec<i32>: Lua can only pass it on.
        assert_eq!(lua.load("return type(log)").eval::<String>()?, "userdata");
        let ud2 = scope.create_any_userdata_ref(&7_u8)?;
        assert_eq!(lua.load("local x = ... return type(x)").call::<String>(ud2)?, "userdata");
        Ok(())
    })
    .unwrap();
    log.push(4);
    assert_eq!(log, [1, 2, 3, 4]);
}

#[test]
fn userdata_created_by_a_scope_are_destroyed_at_its_end() {
    struct Resource(#[allow(dead_code)] Rc<()>);
    impl LuaUserdata for Resource {
        fn add_methods<M: LuaUserdataMethods<Self>>(methods: &mut M) {
            methods.add_method("alive", |_, _, ()| Ok(true));
        }
    }
    let lua = Lua::new();
    let token = Rc::new(());
    lua.scope(|scope| {
        let ud = scope.create_userdata(Resource(token.clone()))?;
        lua.globals().set("r", ud)?;
        assert!(lua.load("return r:alive()").eval::<bool>()?);
        assert_eq!(Rc::strong_count(&token), 2);
        Ok(())
    })
    .unwrap();
    assert_eq!(Rc::strong_count(&token), 1);
    assert!(matches!(cause(lua.load("return r:alive()").exec()), LuaError::UserDataDestructed));
    let ud: LuaAnyUserdata = lua.globals().get("r").unwrap();
    assert!(matches!(ud.borrow::<Resource>(), Err(LuaError::UserDataDestructed)));
}

#[test]
fn a_scope_returns_its_closures_result() {
    let lua = Lua::new();
    let name = String::from("luna");
    let greeting: String = lua
        .scope(|scope| {
            let f = scope.create_function(|_, greeting: String| Ok(format!("{greeting}, {name}")))?;
            f.call("hello")
        })
        .unwrap();
    assert_eq!(greeting, "hello, luna");
}

#[test]
fn userdata_that_borrow_are_created_from_their_registration() {
    struct View<'a> {
        items: &'a mut Vec<String>,
        label: &'a str,
    }
    impl LuaUserdata for View<'_> {
        fn register(reg: &mut luna::LuaUserdataRegistry<Self>) {
            reg.add_field("kind", "view");
            reg.add_field_method_get("label", |_, this| Ok(this.label.to_string()));
            reg.add_field_method_get("len", |_, this| Ok(this.items.len()));
            reg.add_method_mut("push", |_, this, s: String| {
                this.items.push(s);
                Ok(())
            });
            reg.add_meta_method(LuaMetaMethod::Len, |_, this, ()| Ok(this.items.len()));
            reg.add_meta_method(LuaMetaMethod::ToString, |_, this, ()| {
                Ok(format!("{}: {}", this.label, this.items.join(",")))
            });
        }
    }
    let lua = Lua::new();
    let mut items = vec!["a".to_string()];
    let label = String::from("letters");
    let shown: String = lua
        .scope(|scope| {
            let v = scope.create_userdata(View { items: &mut items, label: &label })?;
            lua.globals().set("v", v)?;
            lua.load("assert(v.kind == 'view' and v.label == 'letters') v:push('b') v:push('c') assert(#v == 3 and v.len == 3)")
                .exec()?;
            lua.load("return tostring(v)").eval()
        })
        .unwrap();
    assert_eq!(shown, "letters: a,b,c");
    assert_eq!(items, ["a", "b", "c"]);
    // Afterwards: cut off, whatever is used.
    for code in ["v:push('d')", "return v.len", "return #v", "return tostring(v)", "v.x = 1"] {
        let err = cause(lua.load(code).exec());
        assert!(matches!(err, LuaError::UserDataDestructed), "{code}: {err:?}");
    }
    assert_eq!(items.len(), 3);
}

#[test]
fn a_borrowing_userdatas_methods_accept_only_itself() {
    struct Cell2<'a>(&'a Cell<i64>);
    impl LuaUserdata for Cell2<'_> {
        fn add_methods<M: LuaUserdataMethods<Self>>(methods: &mut M) {
            methods.add_method("get", |_, this, ()| Ok(this.0.get()));
        }
    }
    let lua = Lua::new();
    let (a, b) = (Cell::new(1), Cell::new(2));
    lua.scope(|scope| {
        let ua = scope.create_userdata(Cell2(&a))?;
        let ub = scope.create_userdata(Cell2(&b))?;
        lua.globals().set("a", ua)?;
        lua.globals().set("b", ub)?;
        assert_eq!(lua.load("return a:get() + b:get()").eval::<i64>()?, 3);
        // Each has its own metatable; `a`'s method called on `b` or on a
        // number is a bad argument.
        let msg: String = lua.load("local ok, e = pcall(a.get, b) return tostring(e)").eval()?;
        assert!(msg.contains("bad"), "{msg}");
        let msg: String = lua.load("local ok, e = pcall(a.get, 42) return tostring(e)").eval()?;
        assert!(msg.contains("got number"), "{msg}");
        Ok(())
    })
    .unwrap();
}

#[test]
fn any_userdata_with_a_registration_of_their_own() {
    let lua = Lua::new();
    let mut text = String::from("foo");
    lua.scope(|scope| {
        let ud = scope.create_any_userdata(&mut text, |reg| {
            reg.add_method_mut("push", |_, this, s: String| {
                this.push_str(&s);
                Ok(())
            });
            reg.add_meta_method("__tostring", |_, this, ()| Ok(this.to_string()));
        })?;
        lua.globals().set("t", ud)?;
        lua.load("assert(tostring(t) == 'foo') t:push('bar') assert(tostring(t) == 'foobar')").exec()
    })
    .unwrap();
    assert_eq!(text, "foobar");
    assert!(matches!(cause(lua.load("return tostring(t)").exec()), LuaError::UserDataDestructed));
}

#[test]
fn a_borrowing_userdata_is_dropped_at_the_end_of_the_scope() {
    struct Holder<'a>(&'a Cell<u32>, #[allow(dead_code)] Rc<()>);
    impl Drop for Holder<'_> {
        fn drop(&mut self) {
            self.0.set(self.0.get() + 1);
        }
    }
    impl LuaUserdata for Holder<'_> {}
    let lua = Lua::new();
    let drops = Cell::new(0);
    let token = Rc::new(());
    lua.scope(|scope| {
        let ud = scope.create_userdata(Holder(&drops, token.clone()))?;
        lua.globals().set("h", ud)?;
        assert_eq!(Rc::strong_count(&token), 2);
        Ok(())
    })
    .unwrap();
    assert_eq!(drops.get(), 1);
    assert_eq!(Rc::strong_count(&token), 1);
    // Collecting the userdata later drops nothing more.
    lua.globals().set("h", LuaNil).unwrap();
    lua.gc_collect().unwrap();
    assert_eq!(drops.get(), 1);
}

#[test]
fn borrow_scoped_reaches_lent_and_own_values() {
    let lua = Lua::new();
    let mut counter = Counter { n: 3 };
    let shared = Counter { n: 7 };
    lua.scope(|scope| {
        let lent = scope.create_userdata_ref_mut(&mut counter)?;
        assert_eq!(lent.borrow_scoped::<Counter, _>(|c| c.n)?, 3);
        lent.borrow_mut_scoped::<Counter, _>(|c| c.n += 1)?;
        // The closure may use the state.
        let n = lent.borrow_scoped::<Counter, _>(|c| lua.load("return ... * 2").call::<i64>(c.n))??;
        assert_eq!(n, 8);
        let read_only = scope.create_userdata_ref(&shared)?;
        assert_eq!(read_only.borrow_scoped::<Counter, _>(|c| c.n)?, 7);
        let err = read_only.borrow_mut_scoped::<Counter, _>(|c| c.n += 1).unwrap_err();
        assert!(matches!(err, LuaError::UserDataBorrowMutError), "{err:?}");
        assert!(read_only.borrow_scoped::<String, _>(|_| ()).is_err());
        lua.globals().set("lent", lent)?;
        Ok(())
    })
    .unwrap();
    assert_eq!(counter.n, 4);
    let lent: LuaAnyUserdata = lua.globals().get("lent").unwrap();
    assert!(matches!(lent.borrow_scoped::<Counter, _>(|c| c.n), Err(LuaError::UserDataDestructed)));
    assert!(matches!(lent.borrow_mut_scoped::<Counter, _>(|c| c.n), Err(LuaError::UserDataDestructed)));
    // An ordinary userdata.
    let own = lua.create_userdata(Counter { n: 1 }).unwrap();
    own.borrow_mut_scoped::<Counter, _>(|c| c.n = 5).unwrap();
    assert_eq!(own.borrow_scoped::<Counter, _>(|c| c.n).unwrap(), 5);
}
