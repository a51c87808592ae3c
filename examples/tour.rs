//! A guided tour of luna's embedding API, from creating a state to running
//! untrusted scripts under limits. Run it with
//!
//! ```sh
//! cargo run --release --example tour
//! ```
//!
//! Each section prints what it shows; read the source alongside the output.

use std::cell::Cell;
use std::collections::HashMap;
use std::rc::Rc;

use luna::prelude::*;

fn main() -> LuaResult<()> {
    states_and_chunks()?;
    rust_functions()?;
    tables()?;
    conversions()?;
    errors()?;
    coroutines()?;
    registry_and_app_data()?;
    limits()?;
    println!("\nEnd of the tour.");
    Ok(())
}

fn section(title: &str) {
    println!("\n== {title}");
}

/// A state, its globals, and chunks of Lua code.
fn states_and_chunks() -> LuaResult<()> {
    section("States and chunks");
    // `Lua::new()` opens the safe standard libraries: no `io`, no `debug`,
    // no `os.execute`, no binary chunks.
    let lua = Lua::new();
    lua.globals().set("greeting", "hello")?;

    // `exec` runs statements; `eval` evaluates an expression (or runs
    // statements and returns what they return), converting the results.
    lua.load("counter = 0; for i = 1, 10 do counter = counter + i end").exec()?;
    let counter: i64 = lua.globals().get("counter")?;
    println!("counter after the loop: {counter}");
    let (s, n): (String, f64) = lua.load("greeting .. ', world', math.pi").eval()?;
    println!("eval of an expression list: {s:?}, {n:.5}");

    // A chunk name appears in error messages; an environment table
    // replaces the globals the chunk sees.
    let env = lua.create_table()?;
    env.set("x", 21)?;
    let doubled: i64 = lua.load("return x * 2").set_name("=doubler").set_environment(env).eval()?;
    println!("chunk with its own environment: {doubled}");

    // `call` passes arguments as the chunk's `...`; `into_function` keeps
    // the compiled chunk to call it many times.
    let sum: i64 = lua.load("local a, b = ... return a + b").call((40, 2))?;
    println!("chunk called with arguments: {sum}");
    let square = lua.load("local x = ... return x * x").into_function()?;
    let squares: Vec<i64> = (1..=5).map(|i| square.call(i)).collect::<LuaResult<_>>()?;
    println!("squares from one compiled chunk: {squares:?}");
    Ok(())
}

/// Rust closures callable from Lua.
fn rust_functions() -> LuaResult<()> {
    section("Rust functions");
    let lua = Lua::new();

    // Arguments and results are converted with `FromLuaMulti` and
    // `IntoLuaMulti`: a tuple takes one value per element.
    let greet = lua.create_function(|_, (name, times): (String, Option<usize>)| {
        Ok(format!("hello {name}").repeat(times.unwrap_or(1)))
    })?;
    lua.globals().set("greet", greet)?;
    println!("greet: {}", lua.load("greet('luna', 2)").eval::<String>()?);

    // Natural-arity closures, without the `&Lua` argument.
    lua.globals().set("hypot", LuaFunction::wrap(|a: f64, b: f64| Ok::<_, LuaError>(a.hypot(b))))?;
    println!("hypot(3, 4) = {}", lua.load("hypot(3, 4)").eval::<f64>()?);

    // A closure owning mutable state.
    let mut calls = 0;
    let count = lua.create_function_mut(move |_, ()| {
        calls += 1;
        Ok(calls)
    })?;
    lua.globals().set("count", count)?;
    lua.load("count(); count()").exec()?;
    println!("count() after two calls: {}", lua.load("count()").eval::<i64>()?);

    // Any number of arguments: `LuaVariadic` takes the rest.
    let sum = lua.create_function(|_, values: LuaVariadic<f64>| Ok(values.iter().sum::<f64>()))?;
    lua.globals().set("sum", sum)?;
    println!("sum(1, 2, 3.5) = {}", lua.load("sum(1, 2, 3.5)").eval::<f64>()?);

    // Callbacks receive the state and may call back into Lua.
    let apply = lua.create_function(|_, (f, x): (LuaFunction, i64)| f.call::<i64>(x))?;
    lua.globals().set("apply", apply)?;
    println!(
        "apply(function(x) return x + 1 end, 41) = {}",
        lua.load("apply(function(x) return x + 1 end, 41)").eval::<i64>()?
    );

    // A wrong argument gets Lua's own message, with the name used to call.
    let err = lua.load("greet(nil)").exec().unwrap_err();
    println!("bad argument: {}", first_line(&err));
    Ok(())
}

/// Tables from Rust: access, iteration, metatables.
fn tables() -> LuaResult<()> {
    section("Tables");
    let lua = Lua::new();
    let t = lua.create_table()?;
    t.set("name", "luna")?;
    t.set(1, "first")?;
    t.push("second")?;
    println!("#t = {}, t.name = {}", t.len()?, t.get::<String>("name")?);

    let seq = lua.create_sequence_from(["a", "b", "c"])?;
    let items: Vec<String> = seq.sequence_values().collect::<LuaResult<_>>()?;
    println!("sequence values: {items:?}");

    let mut pairs: Vec<(String, i64)> =
        lua.create_table_from([("x", 1), ("y", 2)])?.pairs().collect::<LuaResult<_>>()?;
    pairs.sort();
    println!("pairs: {pairs:?}");

    // `get` and `set` honour metamethods; `raw_get` and `raw_set` do not.
    let defaults: LuaTable = lua.load("setmetatable({}, { __index = function(_, k) return k .. '?' end })").eval()?;
    println!("get through __index: {}", defaults.get::<String>("colour")?);
    println!("raw_get ignores it: {:?}", defaults.raw_get::<Option<String>>("colour")?);
    Ok(())
}

/// Rust values and Lua values.
fn conversions() -> LuaResult<()> {
    section("Conversions");
    let lua = Lua::new();
    // Vectors and maps become tables, and back.
    let scores = HashMap::from([("ada".to_string(), 36), ("alan".to_string(), 41)]);
    lua.globals().set("scores", scores)?;
    let total: i64 = lua.load("local s = 0 for _, v in pairs(scores) do s = s + v end return s").eval()?;
    println!("total of a HashMap converted to a table: {total}");
    let v: Vec<i64> = lua.load("{10, 20, 30}").eval()?;
    println!("a Lua sequence as a Vec: {v:?}");

    // Out-of-range integers are errors, not silent wraps.
    let err = lua.load("300").eval::<u8>().unwrap_err();
    println!("300 as u8: {err}");

    // `LuaValue` holds any Lua value.
    let values: LuaVariadic<LuaValue> = lua.load("nil, true, 7, 2.5, 'text', {}").eval()?;
    let types: Vec<&str> = values.iter().map(LuaValue::type_name).collect();
    println!("types of a value list: {types:?}");
    Ok(())
}

/// Errors across the boundary.
fn errors() -> LuaResult<()> {
    section("Errors");
    let lua = Lua::new();

    // A Lua error comes back with its message and traceback.
    let err = lua.load("local t = nil\nreturn t.field").set_name("=script").exec().unwrap_err();
    println!("runtime error: {}", first_line(&err));

    // Syntax errors say whether the input is merely incomplete.
    match lua.load("if x then").exec() {
        Err(LuaError::SyntaxError { message, incomplete_input }) => {
            println!("syntax error: {message} (incomplete: {incomplete_input})")
        }
        other => println!("unexpected: {other:?}"),
    }

    // A Rust error raised by a callback can be caught by `pcall` in Lua
    // and, uncaught, comes back to the host as the same error.
    let parse = lua.create_function(|_, s: String| s.trim().parse::<i64>().map_err(LuaError::external))?;
    lua.globals().set("parse", parse)?;
    let caught: String = lua.load("tostring(select(2, pcall(parse, 'x1')))").eval()?;
    println!("pcall caught: {caught}");
    if let Err(LuaError::CallbackError { cause, .. }) = lua.load("parse('oops')").exec() {
        println!("back in Rust: {cause}");
    }

    // A panic in a callback is carried through Lua as an error value that
    // `pcall` may catch (`LuaOptions::catch_rust_panics`, on by default);
    // uncaught, it is resumed as the same panic in the host. The state
    // stays usable either way. (The default panic hook would still print
    // the panic to stderr; the tour silences it for this demonstration.)
    let boom = lua.create_function(|_, ()| -> LuaResult<()> { panic!("boom") })?;
    lua.globals().set("boom", boom)?;
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let ok: bool = lua.load("pcall(boom)").eval()?;
    std::panic::set_hook(hook);
    println!("pcall(boom) succeeded: {ok}; the state still works: {}", lua.load("1 + 1").eval::<i64>()?);
    Ok(())
}

/// Coroutines driven from Rust.
fn coroutines() -> LuaResult<()> {
    section("Coroutines");
    let lua = Lua::new();
    let producer: LuaFunction =
        lua.load("function(n) for i = 1, n do coroutine.yield(i * i) end return 'done' end").eval()?;
    let thread = lua.create_thread(producer)?;
    let mut out = Vec::new();
    let mut arg = Some(3);
    while thread.status() == LuaThreadStatus::Resumable {
        let v: LuaValue = thread.resume(arg.take())?;
        out.push(v.to_string_lossy().unwrap_or_default());
    }
    println!("values from a coroutine: {out:?}");
    Ok(())
}

/// Values kept for the host, and typed host data.
fn registry_and_app_data() -> LuaResult<()> {
    section("Registry and application data");
    let lua = Lua::new();
    let key = lua.create_registry_value(lua.create_sequence_from([1, 2, 3])?)?;
    let t: LuaTable = lua.registry_value(&key)?;
    println!("a table kept in the registry has {} items", t.raw_len());

    // Typed application data, visible from callbacks through `&Lua`.
    lua.set_app_data(Vec::<String>::new());
    let log = lua.create_function(|lua, msg: String| {
        if let Some(mut log) = lua.app_data_mut::<Vec<String>>() {
            log.push(msg);
        }
        Ok(())
    })?;
    lua.globals().set("log", log)?;
    lua.load("log('one'); log('two')").exec()?;
    println!("log collected by a callback: {:?}", *lua.app_data_ref::<Vec<String>>().expect("set above"));
    Ok(())
}

/// Running untrusted code: memory and instruction limits, interrupts.
fn limits() -> LuaResult<()> {
    section("Limits");
    // The sandbox preset: safe libraries, a memory limit, an instruction
    // budget, no binary chunks.
    let lua = Lua::sandboxed()?;
    match lua.load("while true do end").exec() {
        Err(LuaError::InstructionLimit) => println!("an endless loop ran out of instructions"),
        other => println!("unexpected: {other:?}"),
    }

    let lua = Lua::new();
    lua.set_memory_limit(4 << 20)?;
    match lua.load("local t = {} for i = 1, 1e8 do t[i] = i end").exec() {
        Err(LuaError::MemoryError(_)) => println!("a memory hog hit the 4 MiB limit"),
        other => println!("unexpected: {other:?}"),
    }
    lua.set_memory_limit(0)?;
    println!("the state is still usable: {}", lua.load("#'after'").eval::<i64>()?);

    // An interrupt callback runs periodically and may stop the script.
    let ticks = Rc::new(Cell::new(0));
    let t = ticks.clone();
    lua.set_interrupt(move |_| {
        t.set(t.get() + 1);
        if t.get() >= 10 {
            Err(LuaError::runtime("cancelled by the host"))
        } else {
            Ok(LuaVmState::Continue)
        }
    })?;
    let err = lua.load("while true do end").exec().unwrap_err();
    println!("interrupted after {} checks: {}", ticks.get(), first_line(&err));
    lua.remove_interrupt()?;
    Ok(())
}

/// The first line of an error's display (the rest is the traceback).
fn first_line(e: &LuaError) -> String {
    e.to_string().lines().next().unwrap_or_default().to_string()
}
