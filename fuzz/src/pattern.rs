//! The `pattern` target: the string library's little languages, patterns
//! (`string.find`, `match`, `gmatch`, `gsub`), `string.format` and
//! `string.pack`/`unpack`/`packsize`, on patterns, formats, subjects and
//! arguments taken from the input.
//!
//! Input layout: the first byte holds the flags (the `init` argument,
//! -4..=11, in the low four bits; bit 4 gives `gsub` a maximum count, the
//! top three bits); the rest is split at `0xFF` bytes into the subject,
//! the pattern, the replacement, the format of `string.format`, the format
//! of `string.pack`, then up to sixteen arguments. An argument's first
//! byte chooses its kind (`arg`); an empty part is `nil`.
//!
//! Besides "no panic", two properties of PUC's `lstrlib.c` are checked:
//! what `string.pack` wrote, `string.unpack` reads with the same format,
//! and a fixed-size format packs to `string.packsize` bytes.

use luna::{Lua, LuaMultiValue, LuaValue, StdLib};

use super::sandbox::{self, Chunks};

/// The byte that separates the parts of an input.
pub const SEPARATOR: u8 = 0xFF;

/// Arguments passed to `string.format` and `string.pack`, at most.
const MAX_ARGS: usize = 16;

/// The driver: runs every operation in a protected call and returns a
/// message when a checked property fails.
const DRIVER: &str = r#"
local s, p, r, fmt, pfmt, init, n = ...
local args = table.pack(select(8, ...))
local unpack, pcall, select, type = table.unpack, pcall, select, type
local string, limit = string, string.find
local function spent(msg)
  return type(msg) ~= "string" or limit(msg, "not enough memory", 1, true)
    or limit(msg, "instruction limit reached", 1, true)
end
pcall(string.find, s, p, init)
pcall(string.find, s, p, init, true)
pcall(string.match, s, p, init)
pcall(function() for _ in string.gmatch(s, p, init) do end end)
pcall(string.gsub, s, p, r, n)
pcall(string.gsub, s, p, {[s] = r, [p] = false, [r] = 1}, n)
pcall(string.gsub, s, p, function(...)
  if select('#', ...) % 2 == 0 then return (...) end
end, n)
pcall(string.format, fmt, unpack(args, 1, args.n))
pcall(string.format, p, s, init, n, r)
pcall(string.unpack, pfmt, s, init)
pcall(string.unpack, p, s)
pcall(string.packsize, pfmt)
local ok, packed = pcall(string.pack, pfmt, unpack(args, 1, args.n))
if ok then
  local fixed, size = pcall(string.packsize, pfmt)
  if fixed and size ~= #packed then
    return "string.packsize gives " .. size .. " for a format that packed " .. #packed .. " bytes"
  end
  local read, msg = pcall(string.unpack, pfmt, packed)
  if not read and not spent(msg) then
    return "string.unpack fails on what string.pack wrote: " .. msg
  end
end
"#;

/// Runs one input.
pub fn fuzz(data: &[u8]) {
    let Some((&flags, rest)) = data.split_first() else { return };
    let Some(lua) = sandbox::state_with(StdLib::STRING | StdLib::TABLE, Chunks::Text) else { return };
    let mut parts = rest.split(|&b| b == SEPARATOR);
    let mut text = || parts.next().unwrap_or(b"");
    let (s, p, r, fmt, pfmt) = (text(), text(), text(), text(), text());
    let mut args = LuaMultiValue::new();
    for v in [s, p, r, fmt, pfmt] {
        args.push_back(string(&lua, v));
    }
    args.push_back(LuaValue::Integer(i64::from(flags & 0x0f) - 4));
    args.push_back(if flags & 0x10 != 0 { LuaValue::Integer(i64::from(flags >> 5)) } else { LuaValue::Nil });
    for part in parts.take(MAX_ARGS) {
        args.push_back(arg(&lua, part));
    }
    let verdict = lua.load(DRIVER).set_name("=pattern").call::<Option<String>>(args);
    if let Ok(Some(failure)) = verdict {
        panic!("{failure}");
    }
}

/// An argument from its part of the input: the first byte chooses the
/// kind, the rest gives the value.
fn arg(lua: &Lua, part: &[u8]) -> LuaValue {
    let Some((&kind, rest)) = part.split_first() else { return LuaValue::Nil };
    match kind % 8 {
        0 => LuaValue::Integer(i64::from_le_bytes(word(rest))),
        1 => LuaValue::Number(f64::from_bits(u64::from_le_bytes(word(rest)))),
        2 => string(lua, rest),
        3 => LuaValue::Nil,
        4 => LuaValue::Boolean(!rest.is_empty()),
        5 => LuaValue::Integer(rest.first().map_or(0, |&b| i64::from(b as i8))),
        6 => LuaValue::Number(String::from_utf8_lossy(rest).trim().parse().unwrap_or(0.5)),
        _ => tostring_table(lua, rest),
    }
}

/// The first eight bytes of `b`, zero-padded.
fn word(b: &[u8]) -> [u8; 8] {
    let mut w = [0; 8];
    let n = b.len().min(8);
    w[..n].copy_from_slice(&b[..n]);
    w
}

fn string(lua: &Lua, b: &[u8]) -> LuaValue {
    lua.create_string(b).map_or(LuaValue::Nil, LuaValue::String)
}

/// A table whose `__tostring` returns `text` (what `%s` prints).
fn tostring_table(lua: &Lua, text: &[u8]) -> LuaValue {
    let made = (|| -> luna::LuaResult<LuaValue> {
        let t = lua.create_table()?;
        let mt = lua.create_table()?;
        let s = lua.create_string(text)?;
        mt.raw_set("__tostring", lua.create_function(move |_, ()| Ok(s.clone()))?)?;
        t.set_metatable(Some(mt))?;
        Ok(LuaValue::Table(t))
    })();
    made.unwrap_or(LuaValue::Nil)
}
