//! Writes the seed inputs of every target into `fuzz/corpus/<target>/`:
//! the project's Lua scripts as source (`compile`, `run`), their
//! `string.dump` output with and without debug information (`bytecode`),
//! and hand-made inputs in the layouts of `pattern` and `serde`.
//!
//! `cargo run --release --manifest-path fuzz/Cargo.toml --example seed_corpus`,
//! then minimize each corpus with `cargo fuzz cmin` (see the README).

use std::fs;
use std::path::{Path, PathBuf};

use luna::{LuaChunkMode, StdLib};
use luna_fuzz::pattern::SEPARATOR;
use luna_fuzz::sandbox::{self, Chunks};

/// Where the project keeps Lua scripts.
const SCRIPT_DIRS: [&str; 5] = ["tests/lua", "tests/lua/modules", "tests/diff", "benches/lua", "examples/scripts"];

/// Small programs aimed at the limits, beside the project's scripts.
const RUN_SNIPPETS: [&str; 12] = [
    "local function f(n) return f(n + 1) + 1 end return f(1)",
    "local s = 'x' while true do s = s .. s end",
    "local t = {} for i = 1, 1e9 do t[i] = i end",
    "return string.rep('ab', 1 << 40)",
    "setmetatable({}, {__gc = function() error('in gc') end}) collectgarbage()",
    "local co = coroutine.wrap(function(...) while true do coroutine.yield(...) end end) for i = 1, 100 do co(i) end",
    "do local x <close> = setmetatable({}, {__close = function() error('x') end}) end",
    "local t = setmetatable({}, {__index = function(t, k) return t[k + 1] end}) return t[1]",
    "return load(string.rep('(', 300) .. '1' .. string.rep(')', 300))()",
    "return table.concat({1, 2, 3}, ', '), select('#', table.unpack({}, 1, 1e6))",
    "local a <const> = 1 goto l ::l:: return pcall(error, setmetatable({}, {__tostring = function() return 'e' end}))",
    "return string.format('%q %a %5.2s', 1/0, 0.1, 'abc'), ('x'):rep(10):gsub('x', '%0%0')",
];

const SUBJECTS: [&str; 6] = [
    "hello world from Lua",
    "  key = value ; other=1  ",
    "f(a(b)c)d",
    "THE (quick) fox",
    "\0a\0b",
    "aaaaaaaaaaaaaaaaaaaab",
];
const PATTERNS: [&str; 18] = [
    "(%w+)",
    "%b()",
    "%f[%w]%w+",
    "(a*(.)%w(%s*))",
    "^(%d+)%.(%d*)$",
    "[%a-z]+",
    "[^%]]",
    ".-b",
    "(()a)",
    "(.)%1",
    "[a-%%]",
    "%g+",
    "%z",
    "((((a))))",
    "a?b*c+d-",
    "(%w+)%s*=%s*(%w+)",
    "[%",
    "%f[%z]",
];
const REPLACEMENTS: [&str; 4] = ["%1-%1", "%0%0", "<%2>", "%%"];
const FORMATS: [&str; 9] = [
    "%d|%5.2f|%s|%q",
    "%i %c %o %x %X",
    "%e %E %g %G %a %A",
    "%-+ #0d %10.3s",
    "%.99f",
    "%q",
    "%.14g %s",
    "%%%s%%",
    "%99d",
];
const PACK_FORMATS: [&str; 10] =
    ["<i4 z s1 d", "i", "<i8 >I2 =j", "!4 b B h H", "s2 z", "d n f", "Xi4 i2", "i16 J", "c10", "<!8 i3 Xi8 i7"];

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let corpus = root.join("fuzz/corpus");
    let scripts = scripts(&root);
    for (name, src) in &scripts {
        write(&corpus.join("compile"), name, src);
        write(&corpus.join("run"), name, src);
    }
    for (i, src) in RUN_SNIPPETS.iter().enumerate() {
        write(&corpus.join("run"), &format!("snippet-{i}"), src.as_bytes());
    }
    let lua = sandbox::state_with(StdLib::NONE, Chunks::Binary).expect("a state");
    for (name, src) in &scripts {
        // A few module files are meant not to load as they are (a
        // shebang line that only `loadfile` skips, syntax errors).
        let Ok(f) = lua.load(src).set_name(format!("@{name}")).set_mode(LuaChunkMode::Text).into_function() else {
            continue;
        };
        for strip in [false, true] {
            let dump = f.dump(strip).expect("a Lua function dumps");
            write(&corpus.join("bytecode"), &format!("{name}{}", if strip { ".stripped" } else { "" }), &dump);
        }
    }
    for (i, input) in pattern_inputs().iter().enumerate() {
        write(&corpus.join("pattern"), &format!("seed-{i}"), input);
    }
    for (i, input) in serde_inputs().iter().enumerate() {
        write(&corpus.join("serde"), &format!("seed-{i}"), input);
    }
}

/// The project's scripts: (file name with its directory, source).
fn scripts(root: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for dir in SCRIPT_DIRS {
        let Ok(entries) = fs::read_dir(root.join(dir)) else { continue };
        let mut paths: Vec<PathBuf> = entries.map(|e| e.expect("directory entry").path()).collect();
        paths.sort();
        for path in paths {
            if path.extension().is_some_and(|e| e == "lua") {
                let name = format!("{dir}/{}", path.file_name().expect("a file name").to_string_lossy());
                out.push((name.replace('/', "-"), fs::read(&path).expect("a readable script")));
            }
        }
    }
    out
}

/// Inputs in the layout of the `pattern` target.
fn pattern_inputs() -> Vec<Vec<u8>> {
    let args: [&[u8]; 6] =
        [b"\x00\x2a", b"\x063.25", b"\x02text", b"\x05\xff", b"\x07obj", b"\x01\x00\x00\x00\x00\x00\x00\xf0\x7f"];
    (0..PATTERNS.len())
        .map(|i| {
            let mut input = vec![(i * 37) as u8 & 0x7f];
            let parts: [&[u8]; 5] = [
                SUBJECTS[i % SUBJECTS.len()].as_bytes(),
                PATTERNS[i].as_bytes(),
                REPLACEMENTS[i % REPLACEMENTS.len()].as_bytes(),
                FORMATS[i % FORMATS.len()].as_bytes(),
                PACK_FORMATS[i % PACK_FORMATS.len()].as_bytes(),
            ];
            for part in parts.iter().chain(args.iter().cycle().skip(i).take(4)) {
                input.extend_from_slice(part);
                input.push(SEPARATOR);
            }
            input.pop();
            input
        })
        .collect()
}

/// Inputs in the layout of the `serde` target: JSON documents, and
/// programs of the value builder.
fn serde_inputs() -> Vec<Vec<u8>> {
    let json = [
        r#"{"name":"luna","port":80,"tags":["a","b"],"mode":{"Level":3},"pair":[1,true]}"#,
        r#"{"modes":["Off",{"Range":{"lo":1,"hi":2}},{"Pair":[5,"x"]}],"letter":"z","bytes":[1,2,255]}"#,
        r#"{"any":[1,2.5,null,{}],"either":[1,2.5,"s",[3]],"shape":{"kind":"Circle","r":1.5},"extra":{"x":[]}}"#,
        r#"[[],{},[[[1]]],{"1":1,"2":2},-0.0,1e300,18446744073709551615]"#,
        r#"{"name":"n","tags":["t"],"map":{"k":"v"},"nested":{"nested":{"name":"deep"}}}"#,
    ];
    let mut out: Vec<Vec<u8>> =
        json.iter().enumerate().map(|(i, j)| [&[i as u8 * 5][..], j.as_bytes()].concat()).collect();
    // Builder programs: 7 new table, 6 string, 3 small int, 5 small
    // float, 8 set, 9 append, 10 array metatable, 11 null, 12 dup, 13
    // self-reference, 14 function, 15 light userdata, 2/4 words.
    let programs: [&[u8]; 6] = [
        b"\x07\x06\x04name\x06\x04luna\x08\x06\x04port\x03\x50\x08\x06\x04tags\x07\x06\x01a\x09\x0a\x08",
        b"\x07\x03\x01\x09\x03\x02\x09\x05\x06\x09\x0b\x09\x07\x0a\x09",
        b"\x07\x0d\x01\x06\x01x\x07\x0c\x00\x08\x08",
        b"\x07\x06\x01f\x0e\x08\x06\x01u\x0f\x08\x01\x01\x03\x05\x08",
        b"\x07\x02\xff\xff\xff\xff\xff\xff\xff\x7f\x09\x04\x00\x00\x00\x00\x00\x00\xf8\x7f\x09\x06\x03\xff\xfe\x00\x09",
        b"\x07\x06\x04mode\x07\x06\x05Level\x03\x07\x08\x08\x06\x04pair\x07\x03\xfe\x09\x01\x01\x09\x08",
    ];
    for (i, p) in programs.iter().enumerate() {
        out.push([&[(i * 7) as u8][..], p].concat());
    }
    out
}

fn write(dir: &Path, name: &str, data: &[u8]) {
    fs::create_dir_all(dir).expect("a corpus directory");
    fs::write(dir.join(name), data).expect("a corpus file");
}
