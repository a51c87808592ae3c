//! Runs the project's self-checking Lua scripts (`tests/lua/*.lua`) on
//! luna-core. Each script uses `assert` and ends normally when every check
//! holds; a script that raises an error fails its test with the message.

use luna_core::load::LoadMode;
use luna_core::stdlib::Libs;
use luna_core::{State, Status, Value};

fn run_script(name: &str) {
    let path = format!("{}/tests/lua/{name}", env!("CARGO_MANIFEST_DIR"));
    let src = std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    // Scripts run in their own thread with a small stack, as an embedder's
    // thread would have: deep recursion must be caught by luna's limits.
    let name = name.to_string();
    let handle = std::thread::Builder::new()
        .stack_size(16 << 20)
        .spawn(move || {
            // SAFETY: the runner keeps the raw layer's contract: it reads results
            // at once, before running Lua code again.
            let mut st = unsafe { State::new() };
            st.open_libs(Libs::ALL).expect("open libs");
            let chunkname = format!("@tests/lua/{name}");
            let f = match st.load(&src, chunkname.as_bytes(), LoadMode::Text, None) {
                Ok(f) => f,
                Err(t) => return Err(format!("load error: {:?}", t.value)),
            };
            let base = st.top();
            st.push(f);
            let status = st.pcall_raw(base, 0, 0);
            if status != Status::Ok {
                let e = st.stack_get(st.top() - 1);
                let msg = match e {
                    Value::Str(s) => s.to_str_lossy().into_owned(),
                    other => format!("{other:?}"),
                };
                return Err(msg);
            }
            // Whatever the script did, the heap is sound after a full
            // collection (the collector also checks it during every cycle,
            // with the `verify-heap` feature the tests enable).
            st.full_gc(false);
            st.verify_heap().map_err(|e| format!("heap check after the script: {e}"))
        })
        .expect("spawn");
    if let Err(msg) = handle.join().expect("script thread panicked") {
        panic!("{msg}");
    }
}

macro_rules! lua_tests {
    ($($test:ident => $file:literal,)*) => {
        $(
            #[test]
            fn $test() {
                run_script($file);
            }
        )*

        #[test]
        fn every_script_is_listed() {
            let listed: Vec<&str> = vec![$($file),*];
            let dir = format!("{}/tests/lua", env!("CARGO_MANIFEST_DIR"));
            for entry in std::fs::read_dir(dir).expect("tests/lua") {
                let name = entry.expect("entry").file_name().into_string().expect("utf-8 name");
                if name.ends_with(".lua") {
                    assert!(listed.contains(&name.as_str()), "tests/lua/{name} is not listed in tests/lua_scripts.rs");
                }
            }
        }
    };
}

lua_tests! {
    basics => "basics.lua",
    debug => "debug.lua",
    io => "io.lua",
    package => "package.lua",
    string => "string.lua",
    string_format => "string_format.lua",
    string_patterns => "string_patterns.lua",
    string_pack => "string_pack.lua",
    table_lib => "table.lua",
    math_lib => "math.lua",
    utf8_lib => "utf8.lua",
    os_lib => "os.lua",
    robustness_stack_edge => "robustness_stack_edge.lua",
    robustness_native_depth => "robustness_native_depth.lua",
    robustness_debug => "robustness_debug.lua",
    robustness_messages => "robustness_messages.lua",
    robustness_gc => "robustness_gc.lua",
    robustness_bytecode => "robustness_bytecode.lua",
    compat53 => "compat53.lua",
    numerals => "numerals.lua",
}

/// Every chunk the compiler produces passes the bytecode verifier: each
/// script of the project (tests and benchmarks), dumped with and without
/// debug information, loads back as a binary chunk.
#[test]
fn every_script_dumps_and_reloads() {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut checked = 0;
    for dir in ["tests/lua", "benches/lua"] {
        for entry in std::fs::read_dir(format!("{root}/{dir}")).expect("script directory") {
            let path = entry.expect("entry").path();
            if path.extension().is_none_or(|e| e != "lua") {
                continue;
            }
            let src = std::fs::read(&path).expect("script");
            // SAFETY: the runner keeps the raw layer's contract: it reads results
            // at once, before running Lua code again.
            let mut st = unsafe { State::new() };
            let name = format!("@{}", path.display());
            let Ok(f) = st.load(&src, name.as_bytes(), LoadMode::Text, None) else {
                panic!("{} does not compile", path.display());
            };
            for strip in [false, true] {
                let bin = st.dump_function(f, strip).expect("a Lua function dumps");
                let reloaded = st.load(&bin, name.as_bytes(), LoadMode::Binary, None);
                assert!(reloaded.is_ok(), "{} (strip = {strip}) fails to reload", path.display());
                checked += 1;
            }
        }
    }
    assert!(checked >= 40, "only {checked} chunks checked");
}
