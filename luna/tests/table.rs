//! Integration tests of `LuaTable`: reading and writing with and without
//! metamethods (`get`/`set` honour `__index`/`__newindex`, `len` honours
//! `__len`, the `raw_*` methods ignore them), the sequence helpers (`push`,
//! `pop`, `raw_insert`, `raw_remove`), `clear`, `is_empty`, metatables
//! (including `__metatable`-protected ones), iteration (`pairs`,
//! `sequence_values`, `for_each`) with conversion errors surfacing as
//! `Err` items, handle equality (`==` is identity, `equals` honours
//! `__eq`), and the error paths: invalid keys and
//! errors raised inside metamethods come back as `Err`, never as panics.

use luna::prelude::*;

fn eval<R: FromLuaMulti>(lua: &Lua, code: &str) -> R {
    match lua.load(code).eval::<R>() {
        Ok(v) => v,
        Err(e) => panic!("evaluating {code:?} failed: {e}"),
    }
}

// ---------------------------------------------------------------------------
// Plain reads and writes.

#[test]
fn get_and_set_with_various_key_types() {
    let lua = Lua::new();
    let t = lua.create_table().unwrap();
    let key_table = lua.create_table().unwrap();
    t.set("name", "luna").unwrap();
    t.set(1, 10).unwrap();
    t.set(true, "yes").unwrap();
    t.set(2.5, "float key").unwrap();
    t.set(&key_table, "table key").unwrap();
    assert_eq!(t.get::<String>("name").unwrap(), "luna");
    assert_eq!(t.get::<i64>(1).unwrap(), 10);
    assert_eq!(t.get::<String>(true).unwrap(), "yes");
    assert_eq!(t.get::<String>(2.5).unwrap(), "float key");
    assert_eq!(t.get::<String>(&key_table).unwrap(), "table key");
    // Float keys with an integer value are the same key as the integer.
    t.set(3.0, "three").unwrap();
    assert_eq!(t.get::<String>(3).unwrap(), "three");
    // Numbers convert to strings, as Lua does.
    assert_eq!(t.get::<String>(1.0).unwrap(), "10");
    assert_eq!(t.get::<i64>(1.0).unwrap(), 10);
    // Missing keys read as nil.
    assert!(t.get::<LuaValue>("missing").unwrap().is_nil());
    assert_eq!(t.get::<Option<i64>>("missing").unwrap(), None);
    // Setting nil removes the entry.
    t.set("name", LuaNil).unwrap();
    assert!(t.get::<LuaValue>("name").unwrap().is_nil());
    // Lua sees the same table.
    lua.globals().set("t", &t).unwrap();
    assert_eq!(eval::<String>(&lua, "return t[true] .. ' ' .. t[3]"), "yes three");
    lua.load("t.from_lua = 99").exec().unwrap();
    assert_eq!(t.get::<i64>("from_lua").unwrap(), 99);
}

#[test]
fn get_reports_conversion_errors() {
    let lua = Lua::new();
    let t = lua.create_table().unwrap();
    t.set("word", "hello").unwrap();
    t.set("num", "42").unwrap();
    t.set("frac", 1.5).unwrap();
    let err = t.get::<i64>("word").unwrap_err();
    assert!(matches!(err, LuaError::FromLuaConversionError { .. }), "{err:?}");
    // Numeric strings convert, as luaL_checkinteger accepts them.
    assert_eq!(t.get::<i64>("num").unwrap(), 42);
    assert_eq!(t.get::<i64>("frac").unwrap(), 1, "floats truncate, as in mlua");
    let err = t.get::<LuaTable>("word").unwrap_err();
    assert_eq!(err.to_string(), "error converting Lua string to table");
    // Missing values convert to nil: an error for a non-optional type.
    assert!(t.get::<String>("missing").is_err());
}

#[test]
fn raw_get_and_raw_set_ignore_metamethods() {
    let lua = Lua::new();
    let t: LuaTable = eval(
        &lua,
        r#"
        log = {}
        return setmetatable({}, {
            __index = function(_, k) return 'default ' .. tostring(k) end,
            __newindex = function(t, k, v) log[#log + 1] = k rawset(t, k, v) end,
        })
        "#,
    );
    assert!(t.raw_get::<LuaValue>("x").unwrap().is_nil());
    assert_eq!(t.get::<String>("x").unwrap(), "default x");
    t.raw_set("x", 1).unwrap();
    assert_eq!(eval::<i64>(&lua, "return #log"), 0, "raw_set does not call __newindex");
    assert_eq!(t.get::<i64>("x").unwrap(), 1);
    t.set("y", 2).unwrap();
    assert_eq!(eval::<String>(&lua, "return log[1]"), "y", "set calls __newindex");
    assert_eq!(t.raw_get::<i64>("y").unwrap(), 2);
    // Raw reads of nil and NaN keys are plain misses.
    assert!(t.raw_get::<LuaValue>(LuaNil).unwrap().is_nil());
    assert!(t.raw_get::<LuaValue>(f64::NAN).unwrap().is_nil());
}

#[test]
fn nil_and_nan_keys_are_errors() {
    let lua = Lua::new();
    let plain = lua.create_table().unwrap();
    let with_mt: LuaTable = eval(&lua, "return setmetatable({}, {__index = function() end})");
    for t in [&plain, &with_mt] {
        let err = t.set(LuaNil, 1).unwrap_err();
        assert!(err.to_string().contains("index is nil"), "{err}");
        let err = t.set(f64::NAN, 1).unwrap_err();
        assert!(err.to_string().contains("index is NaN"), "{err}");
        let err = t.raw_set(LuaNil, 1).unwrap_err();
        assert!(err.to_string().contains("index is nil"), "{err}");
        let err = t.raw_set(f64::NAN, 1).unwrap_err();
        assert!(err.to_string().contains("index is NaN"), "{err}");
        // Reading them is not an error.
        assert!(t.get::<LuaValue>(LuaNil).unwrap().is_nil());
        assert!(t.get::<LuaValue>(f64::NAN).unwrap().is_nil());
        assert!(!t.contains_key(LuaNil).unwrap());
        // Nothing was stored and the table still works.
        assert!(t.is_empty());
        t.set("ok", 1).unwrap();
        assert_eq!(t.get::<i64>("ok").unwrap(), 1);
    }
    // Assigning nil to a nil key is an error too (as in Lua).
    assert!(plain.set(LuaNil, LuaNil).is_err());
}

#[test]
fn contains_key_honours_index() {
    let lua = Lua::new();
    let t: LuaTable = eval(&lua, "return setmetatable({a = 1, f = false}, {__index = {b = 2}})");
    assert!(t.contains_key("a").unwrap());
    assert!(t.contains_key("b").unwrap(), "found through __index");
    assert!(t.contains_key("f").unwrap(), "false is a value");
    assert!(!t.contains_key("c").unwrap());
}

// ---------------------------------------------------------------------------
// Lengths and sequences.

#[test]
fn len_and_raw_len() {
    let lua = Lua::new();
    let t = lua.create_sequence_from([1, 2, 3]).unwrap();
    assert_eq!(t.len().unwrap(), 3);
    assert_eq!(t.raw_len(), 3);
    let with_len: LuaTable = eval(&lua, "return setmetatable({1, 2}, {__len = function(t) return 42 end})");
    assert_eq!(with_len.len().unwrap(), 42);
    assert_eq!(with_len.raw_len(), 2);
    let float_len: LuaTable = eval(&lua, "return setmetatable({}, {__len = function() return 7.0 end})");
    assert_eq!(float_len.len().unwrap(), 7);
    let bad_len: LuaTable = eval(&lua, "return setmetatable({}, {__len = function() return 'x' end})");
    let err = bad_len.len().unwrap_err();
    assert!(err.to_string().contains("object length is not an integer"), "{err}");
    let frac_len: LuaTable = eval(&lua, "return setmetatable({}, {__len = function() return 1.5 end})");
    assert!(frac_len.len().unwrap_err().to_string().contains("object length is not an integer"));
    let failing: LuaTable = eval(&lua, "return setmetatable({}, {__len = function() error('no length') end})");
    let err = failing.len().unwrap_err();
    assert!(matches!(err, LuaError::RuntimeError(_)), "{err:?}");
    assert!(err.to_string().contains("no length"), "{err}");
    // A Rust __len.
    let mt = lua.create_table().unwrap();
    mt.set("__len", lua.create_function(|_, _: LuaTable| Ok(5)).unwrap()).unwrap();
    let t = lua.create_table().unwrap();
    t.set_metatable(Some(mt)).unwrap();
    assert_eq!(t.len().unwrap(), 5);
    assert_eq!(t.raw_len(), 0);
}

#[test]
fn push_and_pop() {
    let lua = Lua::new();
    let t = lua.create_table().unwrap();
    for i in 1..=5 {
        t.push(i * 10).unwrap();
    }
    assert_eq!(t.raw_len(), 5);
    assert_eq!(t.pop::<i64>().unwrap(), 50);
    assert_eq!(t.pop::<i64>().unwrap(), 40);
    assert_eq!(t.raw_len(), 3);
    t.push("s").unwrap();
    assert_eq!(t.get::<String>(4).unwrap(), "s");
    while t.raw_len() > 0 {
        t.pop::<LuaValue>().unwrap();
    }
    assert!(t.is_empty());
    // Popping an empty table gives nil.
    assert!(t.pop::<LuaValue>().unwrap().is_nil());
    assert_eq!(t.pop::<Option<i64>>().unwrap(), None);
}

#[test]
fn push_and_pop_honour_metamethods() {
    let lua = Lua::new();
    let t: LuaTable = eval(
        &lua,
        r#"
        store = {}
        return setmetatable({}, {
            __len = function() return #store end,
            __index = store,
            __newindex = store,
        })
        "#,
    );
    t.push("a").unwrap();
    t.push("b").unwrap();
    assert_eq!(t.raw_len(), 0, "the values went through __newindex");
    assert_eq!(eval::<String>(&lua, "return store[1] .. store[2]"), "ab");
    assert_eq!(t.len().unwrap(), 2);
    assert_eq!(t.pop::<String>().unwrap(), "b");
    assert_eq!(eval::<i64>(&lua, "return #store"), 1);
}

#[test]
fn raw_insert_shifts_up() {
    let lua = Lua::new();
    let t = lua.create_sequence_from([1, 2, 3]).unwrap();
    t.raw_insert(1, 0).unwrap();
    t.raw_insert(3, 15).unwrap();
    t.raw_insert(6, 4).unwrap();
    let v: Vec<i64> = t.sequence_values().collect::<LuaResult<_>>().unwrap();
    assert_eq!(v, [0, 1, 15, 2, 3, 4]);
    for bad in [0, -1, 8, i64::MAX, i64::MIN] {
        let err = t.raw_insert(bad, 9).unwrap_err();
        assert!(err.to_string().contains("index out of bounds"), "index {bad}: {err}");
    }
    assert_eq!(t.raw_len(), 6);
    // Inserting into an empty table at 1 works.
    let e = lua.create_table().unwrap();
    e.raw_insert(1, "x").unwrap();
    assert_eq!(e.get::<String>(1).unwrap(), "x");
    // raw_insert ignores __newindex.
    let guarded: LuaTable = eval(&lua, "return setmetatable({}, {__newindex = function() error('no writes') end})");
    guarded.raw_insert(1, "ok").unwrap();
    assert_eq!(guarded.raw_get::<String>(1).unwrap(), "ok");
}

#[test]
fn raw_remove_shifts_down() {
    let lua = Lua::new();
    let t = lua.create_sequence_from([1, 2, 3, 4, 5]).unwrap();
    t.raw_remove(1).unwrap();
    t.raw_remove(2).unwrap();
    t.raw_remove(3).unwrap();
    let v: Vec<i64> = t.sequence_values().collect::<LuaResult<_>>().unwrap();
    assert_eq!(v, [2, 4]);
    assert_eq!(t.raw_len(), 2);
    for bad in [0, -1, 3, i64::MAX] {
        let err = t.raw_remove(bad).unwrap_err();
        assert!(err.to_string().contains("index out of bounds"), "index {bad}: {err}");
    }
    assert_eq!(t.raw_len(), 2);
}

#[test]
fn raw_remove_on_an_empty_table_is_out_of_bounds() {
    // As mlua: any index of an empty sequence is out of bounds.
    let lua = Lua::new();
    let t = lua.create_table().unwrap();
    for idx in [1, 0, -1] {
        let err = t.raw_remove(idx).unwrap_err();
        assert!(err.to_string().contains("index out of bounds"), "index {idx}: {err}");
    }
    assert!(t.is_empty());
}

#[test]
fn raw_remove_of_other_keys_sets_them_to_nil() {
    let lua = Lua::new();
    let t: LuaTable = eval(
        &lua,
        "return setmetatable({10, 20, 30, name = 'x', [2.5] = 'f', [true] = 't'}, \
         {__newindex = function() error('no writes') end})",
    );
    // A non-integer key is removed (raw: __newindex is not called), and the
    // sequence is left alone.
    t.raw_remove("name").unwrap();
    t.raw_remove(2.5).unwrap();
    t.raw_remove(true).unwrap();
    assert!(t.raw_get::<LuaValue>("name").unwrap().is_nil());
    assert!(t.raw_get::<LuaValue>(2.5).unwrap().is_nil());
    assert!(t.raw_get::<LuaValue>(true).unwrap().is_nil());
    let v: Vec<i64> = t.sequence_values().collect::<LuaResult<_>>().unwrap();
    assert_eq!(v, [10, 20, 30]);
    // Removing an absent key is not an error.
    t.raw_remove("absent").unwrap();
    // An integer key shifts down.
    t.raw_remove(1).unwrap();
    let v: Vec<i64> = t.sequence_values().collect::<LuaResult<_>>().unwrap();
    assert_eq!(v, [20, 30]);
    // A nil key is an error (as a raw store of a nil key).
    let err = t.raw_remove(LuaNil).unwrap_err();
    assert!(err.to_string().contains("index is nil"), "{err}");
}

#[test]
fn clear_and_is_empty() {
    let lua = Lua::new();
    let t: LuaTable = eval(&lua, "return setmetatable({1, 2, 3, x = 1, [true] = 2}, {__index = {y = 1}})");
    assert!(!t.is_empty());
    let mt = t.metatable().unwrap();
    t.clear().unwrap();
    assert!(t.is_empty());
    assert_eq!(t.raw_len(), 0);
    assert_eq!(t.pairs::<LuaValue, LuaValue>().count(), 0);
    assert_eq!(t.metatable().unwrap(), mt, "clear keeps the metatable");
    assert_eq!(t.get::<i64>("y").unwrap(), 1);
    // is_empty ignores __index.
    assert!(t.is_empty());
    // A table with only a hash part is not empty.
    let h = lua.create_table().unwrap();
    h.set("k", 1).unwrap();
    assert!(!h.is_empty());
    // Clearing a big table.
    let big = lua.create_sequence_from(0..10_000).unwrap();
    for i in 0..1000 {
        big.set(format!("k{i}"), i).unwrap();
    }
    big.clear().unwrap();
    assert!(big.is_empty());
    big.push(1).unwrap();
    assert_eq!(big.raw_len(), 1);
}

// ---------------------------------------------------------------------------
// Metatables.

#[test]
fn metatable_and_set_metatable() {
    let lua = Lua::new();
    let t = lua.create_table().unwrap();
    assert!(t.metatable().is_none());
    let mt = lua.create_table().unwrap();
    mt.set("__index", lua.create_function(|_, (_t, k): (LuaTable, String)| Ok(k.to_uppercase())).unwrap()).unwrap();
    t.set_metatable(Some(mt.clone())).unwrap();
    assert_eq!(t.metatable().unwrap(), mt);
    assert_eq!(t.get::<String>("abc").unwrap(), "ABC");
    lua.globals().set("t", &t).unwrap();
    assert!(eval::<bool>(&lua, "return getmetatable(t) ~= nil"));
    assert_eq!(eval::<String>(&lua, "return t.xyz"), "XYZ");
    t.set_metatable(None).unwrap();
    assert!(t.metatable().is_none());
    assert!(t.get::<LuaValue>("abc").unwrap().is_nil());
    assert!(eval::<bool>(&lua, "return getmetatable(t) == nil"));
    // Setting None when there is none is fine.
    t.set_metatable(None).unwrap();
    // A table may be its own metatable.
    t.set_metatable(Some(t.clone())).unwrap();
    assert_eq!(t.metatable().unwrap(), t);
}

#[test]
fn protected_metatables() {
    let lua = Lua::new();
    let t: LuaTable = eval(&lua, "prot = setmetatable({}, {__metatable = 'locked', __index = {k = 1}}) return prot");
    // Lua code sees the protection.
    assert_eq!(eval::<String>(&lua, "return getmetatable(prot)"), "locked");
    let msg: String = eval(&lua, "local ok, e = pcall(setmetatable, prot, {}) return e");
    assert_eq!(msg, "cannot change a protected metatable");
    // The host sees the real metatable (as the C API does) and can replace it.
    let mt = t.metatable().expect("the real metatable");
    assert_eq!(mt.get::<String>("__metatable").unwrap(), "locked");
    assert_eq!(t.get::<i64>("k").unwrap(), 1);
    let open = lua.create_table().unwrap();
    t.set_metatable(Some(open.clone())).unwrap();
    assert_eq!(t.metatable().unwrap(), open);
    assert!(eval::<bool>(&lua, "return getmetatable(prot) ~= 'locked'"));
    assert!(t.get::<LuaValue>("k").unwrap().is_nil());
}

// ---------------------------------------------------------------------------
// __index and __newindex.

#[test]
fn index_and_newindex_tables() {
    let lua = Lua::new();
    let t: LuaTable = eval(
        &lua,
        r#"
        base = {greeting = 'hi'}
        mid = setmetatable({middle = 'm'}, {__index = base})
        sink = {}
        return setmetatable({}, {__index = mid, __newindex = sink})
        "#,
    );
    assert_eq!(t.get::<String>("greeting").unwrap(), "hi", "two levels of __index tables");
    assert_eq!(t.get::<String>("middle").unwrap(), "m");
    t.set("new", 1).unwrap();
    assert!(t.raw_get::<LuaValue>("new").unwrap().is_nil());
    assert_eq!(eval::<i64>(&lua, "return sink.new"), 1);
    // An existing key is assigned directly, without __newindex.
    t.raw_set("own", 1).unwrap();
    t.set("own", 2).unwrap();
    assert_eq!(t.raw_get::<i64>("own").unwrap(), 2);
    assert!(eval::<bool>(&lua, "return sink.own == nil"));
}

#[test]
fn index_and_newindex_functions() {
    let lua = Lua::new();
    let t: LuaTable = eval(
        &lua,
        r#"
        writes = {}
        return setmetatable({}, {
            __index = function(t, k) return k * 2 end,
            __newindex = function(t, k, v) writes[k] = v end,
        })
        "#,
    );
    assert_eq!(t.get::<i64>(21).unwrap(), 42);
    t.set("a", "b").unwrap();
    assert_eq!(eval::<String>(&lua, "return writes.a"), "b");
    assert!(t.is_empty());
}

#[test]
fn rust_index_and_newindex() {
    let lua = Lua::new();
    let t = lua.create_table().unwrap();
    let mt = lua.create_table().unwrap();
    let log = lua.create_table().unwrap();
    let log2 = log.clone();
    mt.set("__index", lua.create_function(|_, (_, k): (LuaTable, i64)| Ok(k + 1)).unwrap()).unwrap();
    mt.set(
        "__newindex",
        lua.create_function(move |_, (_, k, v): (LuaTable, String, LuaValue)| log2.set(k, v)).unwrap(),
    )
    .unwrap();
    t.set_metatable(Some(mt)).unwrap();
    assert_eq!(t.get::<i64>(41).unwrap(), 42);
    t.set("x", 5).unwrap();
    assert_eq!(log.get::<i64>("x").unwrap(), 5);
    assert!(t.is_empty());
    // A conversion error inside the Rust metamethod comes back as an error.
    let err = t.get::<LuaValue>("not a number").unwrap_err();
    assert!(err.to_string().contains("bad argument #2"), "{err}");
}

#[test]
fn errors_inside_metamethods_come_back_as_errors() {
    let lua = Lua::new();
    let t: LuaTable = eval(
        &lua,
        r#"
        return setmetatable({}, {
            __index = function(t, k) error('no field ' .. k) end,
            __newindex = function(t, k, v) error({code = 7}) end,
        })
        "#,
    );
    let err = t.get::<LuaValue>("x").unwrap_err();
    assert!(matches!(err, LuaError::RuntimeError(_)), "{err:?}");
    assert!(err.to_string().contains("no field x"), "{err}");
    let err = t.set("x", 1).unwrap_err();
    assert!(matches!(err, LuaError::RuntimeError(_)), "{err:?}");
    assert!(err.to_string().starts_with("runtime error: table: "), "{err}");
    let err = t.contains_key("y").unwrap_err();
    assert!(err.to_string().contains("no field y"), "{err}");
    let err = t.push(1).unwrap_err();
    assert!(matches!(err, LuaError::RuntimeError(_)), "{err:?}");
    // A Rust metamethod failing.
    let r = lua.create_table().unwrap();
    let mt = lua.create_table().unwrap();
    mt.set(
        "__index",
        lua.create_function(|_, (_, _): (LuaTable, LuaValue)| -> LuaResult<()> {
            Err(LuaError::runtime("rust says no"))
        })
        .unwrap(),
    )
    .unwrap();
    r.set_metatable(Some(mt)).unwrap();
    let err = r.get::<LuaValue>("k").unwrap_err();
    assert!(err.to_string().contains("rust says no"), "{err}");
    // Indexing a non-table through __index is an error too.
    let odd: LuaTable = eval(&lua, "return setmetatable({}, {__index = 5})");
    let err = odd.get::<LuaValue>("k").unwrap_err();
    assert!(err.to_string().contains("attempt to index a number value"), "{err}");
    // The state is still usable.
    assert_eq!(eval::<i64>(&lua, "return 1 + 1"), 2);
    assert_eq!(lua.create_sequence_from([1]).unwrap().get::<i64>(1).unwrap(), 1);
}

#[test]
fn index_loops_are_errors() {
    let lua = Lua::new();
    // A table that is its own __index: the chain never ends.
    let t: LuaTable = eval(&lua, "local t = {} setmetatable(t, {__index = t}) return t");
    let err = t.get::<LuaValue>("x").unwrap_err();
    assert!(err.to_string().contains("'__index' chain too long; possible loop"), "{err}");
    // A metatable that is its own __index ends at the metatable.
    let t: LuaTable = eval(&lua, "local mt = {} mt.__index = mt return setmetatable({}, mt)");
    assert!(t.get::<LuaValue>("x").unwrap().is_nil());
    let looping: LuaTable =
        eval(&lua, "local a, b = {}, {} setmetatable(a, {__index = b}) setmetatable(b, {__index = a}) return a");
    let err = looping.get::<LuaValue>("x").unwrap_err();
    assert!(err.to_string().contains("'__index' chain too long; possible loop"), "{err}");
    let looping: LuaTable =
        eval(&lua, "local a, b = {}, {} setmetatable(a, {__newindex = b}) setmetatable(b, {__newindex = a}) return a");
    let err = looping.set("x", 1).unwrap_err();
    assert!(err.to_string().contains("'__newindex' chain too long; possible loop"), "{err}");
}

// ---------------------------------------------------------------------------
// Iteration.

#[test]
fn pairs_yields_every_pair() {
    let lua = Lua::new();
    let t: LuaTable = eval(&lua, "return {10, 20, 30, a = 'x', b = 'y', [2.5] = 'f', [true] = 't'}");
    let mut pairs: Vec<(String, String)> = t
        .pairs::<LuaValue, LuaValue>()
        .map(|p| {
            let (k, v) = p.unwrap();
            (format!("{k:?}"), v.to_string_lossy().unwrap_or_else(|| format!("{v:?}")))
        })
        .collect();
    pairs.sort();
    assert_eq!(pairs.len(), 7);
    let ints: Vec<(i64, i64)> = t
        .pairs::<LuaValue, LuaValue>()
        .filter_map(|p| {
            let (k, v) = p.unwrap();
            Some((k.as_integer()?, v.as_integer()?))
        })
        .collect();
    let mut ints = ints;
    ints.sort();
    assert_eq!(ints, [(1, 10), (2, 20), (3, 30)]);
    let empty = lua.create_table().unwrap();
    assert_eq!(empty.pairs::<LuaValue, LuaValue>().count(), 0);
    // Typed iteration over a homogeneous table.
    let m: LuaTable = eval(&lua, "return {a = 1, b = 2, c = 3}");
    let mut typed: Vec<(String, i64)> = m.pairs::<String, i64>().collect::<LuaResult<_>>().unwrap();
    typed.sort();
    assert_eq!(typed, [("a".to_string(), 1), ("b".to_string(), 2), ("c".to_string(), 3)]);
    // A big table yields each pair once.
    let big = lua.create_sequence_from(0..5000).unwrap();
    let mut seen = vec![false; 5000];
    for p in big.pairs::<i64, i64>() {
        let (k, v) = p.unwrap();
        assert_eq!(k - 1, v);
        assert!(!seen[v as usize]);
        seen[v as usize] = true;
    }
    assert!(seen.iter().all(|s| *s));
}

#[test]
fn pairs_conversion_errors_are_err_items() {
    let lua = Lua::new();
    let t: LuaTable = eval(&lua, "return {1, 2, 'three', 4, x = 5}");
    let items: Vec<LuaResult<(i64, i64)>> = t.pairs::<i64, i64>().collect();
    assert_eq!(items.len(), 5, "iteration continues after a conversion error");
    let errors: Vec<&LuaError> = items.iter().filter_map(|r| r.as_ref().err()).collect();
    assert_eq!(errors.len(), 2, "'three' as a value and 'x' as a key");
    for e in errors {
        assert!(matches!(e, LuaError::FromLuaConversionError { .. }), "{e:?}");
    }
    let mut ok: Vec<(i64, i64)> = items.into_iter().filter_map(Result::ok).collect();
    ok.sort();
    assert_eq!(ok, [(1, 1), (2, 2), (4, 4)]);
}

#[test]
fn pairs_ignores_metamethods() {
    let lua = Lua::new();
    let t: LuaTable =
        eval(&lua, "return setmetatable({a = 1}, {__index = {b = 2}, __pairs = function() error('no __pairs') end})");
    let keys: Vec<String> = t.pairs::<String, i64>().map(|p| p.unwrap().0).collect();
    assert_eq!(keys, ["a"]);
}

#[test]
fn pairs_sees_values_changed_during_iteration() {
    let lua = Lua::new();
    let t = lua.create_table_from([("a", 1), ("b", 2), ("c", 3)]).unwrap();
    // Assigning existing fields while iterating is allowed (as with next).
    let mut n = 0;
    for p in t.pairs::<String, i64>() {
        let (k, v) = p.unwrap();
        t.set(k, v * 10).unwrap();
        n += 1;
    }
    assert_eq!(n, 3);
    let sum: i64 = t.pairs::<String, i64>().map(|p| p.unwrap().1).sum();
    assert_eq!(sum, 60);
    // Clearing fields during iteration is allowed too.
    for p in t.pairs::<String, i64>() {
        let (k, _) = p.unwrap();
        t.set(k, LuaNil).unwrap();
    }
    assert!(t.is_empty());
}

#[test]
fn sequence_values_stop_at_the_first_nil() {
    let lua = Lua::new();
    let t: LuaTable = eval(&lua, "return {1, 2, nil, 4, x = 'field'}");
    let v: Vec<i64> = t.sequence_values().collect::<LuaResult<_>>().unwrap();
    assert_eq!(v, [1, 2]);
    let t: LuaTable = eval(&lua, "return {'a', 'b', 'c'}");
    let v: Vec<String> = t.sequence_values().collect::<LuaResult<_>>().unwrap();
    assert_eq!(v, ["a", "b", "c"]);
    let empty: LuaTable = eval(&lua, "return {x = 1}");
    assert_eq!(empty.sequence_values::<LuaValue>().count(), 0);
    // Raw: __index does not extend the sequence.
    let t: LuaTable = eval(&lua, "return setmetatable({1}, {__index = function(_, i) return i end})");
    assert_eq!(t.sequence_values::<i64>().count(), 1);
    // Conversion errors are Err items.
    let t: LuaTable = eval(&lua, "return {1, 'two', 3}");
    let items: Vec<LuaResult<i64>> = t.sequence_values().collect();
    assert!(matches!(items[0], Ok(1)));
    assert!(matches!(items[1], Err(LuaError::FromLuaConversionError { .. })), "{:?}", items[1]);
    // Collecting into a Result stops at the error.
    let all: LuaResult<Vec<i64>> = t.sequence_values().collect();
    assert!(all.is_err());
}

#[test]
fn for_each_visits_every_pair_and_stops_at_errors() {
    let lua = Lua::new();
    let t = lua.create_table_from([("a", 1), ("b", 2), ("c", 3)]).unwrap();
    let mut sum = 0;
    let mut count = 0;
    t.for_each(|_: String, v: i64| {
        sum += v;
        count += 1;
        Ok(())
    })
    .unwrap();
    assert_eq!((sum, count), (6, 3));
    // The closure's error stops the iteration and is returned.
    let mut visited = 0;
    let err = t
        .for_each(|_: String, _: i64| {
            visited += 1;
            Err::<(), _>(LuaError::runtime("stop here"))
        })
        .unwrap_err();
    assert_eq!(visited, 1);
    assert_eq!(err.to_string(), "runtime error: stop here");
    // A conversion error is returned too.
    let mixed: LuaTable = eval(&lua, "return {x = 'not a number'}");
    let err = mixed.for_each(|_: String, _: i64| Ok(())).unwrap_err();
    assert!(matches!(err, LuaError::FromLuaConversionError { .. }), "{err:?}");
}

// ---------------------------------------------------------------------------
// Equality.

#[test]
fn handle_equality_is_table_identity() {
    let lua = Lua::new();
    let t = lua.create_table().unwrap();
    lua.globals().set("t", &t).unwrap();
    let same: LuaTable = lua.globals().get("t").unwrap();
    let from_lua: LuaTable = eval(&lua, "return t");
    assert_eq!(t, t.clone());
    assert_eq!(t, same);
    assert_eq!(t, from_lua);
    assert!(t.equals(&same).unwrap());
    let other = lua.create_table().unwrap();
    assert_ne!(t, other);
    assert!(!t.equals(&other).unwrap());
    // Equal contents do not make equal tables.
    let a: LuaTable = eval(&lua, "return {1, 2}");
    let b: LuaTable = eval(&lua, "return {1, 2}");
    assert_ne!(a, b);
    // LuaValue equality agrees.
    assert_eq!(LuaValue::Table(t.clone()), LuaValue::Table(same));
    assert_ne!(LuaValue::Table(t), LuaValue::Table(other));
}

#[test]
fn handle_equality_ignores_eq_metamethods() {
    let lua = Lua::new();
    let (a, b): (LuaTable, LuaTable) =
        eval(&lua, "local mt = {__eq = function() return true end} return setmetatable({}, mt), setmetatable({}, mt)");
    lua.globals().set("a", &a).unwrap();
    lua.globals().set("b", &b).unwrap();
    assert!(eval::<bool>(&lua, "return a == b"), "Lua's == uses __eq");
    assert_ne!(a, b, "handle == is raw identity");
    // `equals` is Lua's ==: it honours __eq.
    assert!(a.equals(&b).unwrap(), "equals uses __eq");
    assert!(b.equals(&a).unwrap());
    let plain = lua.create_table().unwrap();
    // As in Lua 5.4, one operand with __eq is enough.
    assert!(a.equals(&plain).unwrap(), "the first operand's __eq");
    assert!(plain.equals(&a).unwrap(), "the second operand's __eq");
    assert!(eval::<bool>(&lua, "return a == {}"));
    let other = lua.create_table().unwrap();
    assert!(!plain.equals(&other).unwrap(), "no __eq: identity");
}

#[test]
fn equals_reports_eq_results_and_errors() {
    let lua = Lua::new();
    let (a, b): (LuaTable, LuaTable) = eval(
        &lua,
        "local mt = {__eq = function(x, y) return x.id == y.id end} \
         return setmetatable({id = 1}, mt), setmetatable({id = 2}, mt)",
    );
    assert!(!a.equals(&b).unwrap(), "__eq said false");
    b.raw_set("id", 1).unwrap();
    assert!(a.equals(&b).unwrap(), "__eq said true");
    // The identical table is equal without calling __eq.
    let (c, d): (LuaTable, LuaTable) = eval(
        &lua,
        "local mt = {__eq = function() error('eq failed') end} return setmetatable({}, mt), setmetatable({}, mt)",
    );
    assert!(c.equals(&c).unwrap());
    // An error inside __eq comes back as an error.
    let err = c.equals(&d).unwrap_err();
    assert!(matches!(err, LuaError::RuntimeError(_)), "{err:?}");
    assert!(err.to_string().contains("eq failed"), "{err}");
    // A Rust __eq.
    let mt = lua.create_table().unwrap();
    mt.set("__eq", lua.create_function(|_, (_, _): (LuaTable, LuaTable)| Ok(true)).unwrap()).unwrap();
    let x = lua.create_table().unwrap();
    let y = lua.create_table().unwrap();
    x.set_metatable(Some(mt.clone())).unwrap();
    y.set_metatable(Some(mt)).unwrap();
    assert!(x.equals(&y).unwrap());
    assert_ne!(x, y);
}
