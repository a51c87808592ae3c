//! Configuration through serde: a Lua config file (comments, computed
//! values, a helper function) is evaluated, deserialized into typed Rust
//! structs, changed, and serialized back, printed as Lua and as JSON.
//! Run with `cargo run --release --example config`.

use std::collections::BTreeMap;

use luna::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
struct Config {
    name: String,
    debug: bool,
    servers: Vec<Server>,
    /// Absent from the file: the default applies.
    #[serde(default)]
    retries: u32,
    limits: BTreeMap<String, u64>,
    mode: Mode,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
struct Server {
    host: String,
    port: u16,
    tags: Vec<String>,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
enum Mode {
    Fast,
    Safe { level: u8 },
}

const CONFIG: &str = r#"
-- A configuration is a Lua chunk that returns a table.
local function server(n, ...)
  return { host = "node" .. n .. ".example.org", port = 8000 + n, tags = { ... } }
end

local MB = 1024 * 1024

return {
  name = "cluster-" .. string.upper("eu"),
  debug = false,
  servers = { server(1, "primary"), server(2), server(3, "backup", "slow") },
  limits = { memory = 512 * MB, connections = 2 ^ 10 },  -- 2^10 is a float: 1024.0
  mode = { Safe = { level = 2 } },
}
"#;

/// Writes a Lua value as Lua source (sorted keys, sequences as lists).
const TO_LUA: &str = r#"
local function dump(v, indent)
  indent = indent or ""
  if type(v) == "string" then return string.format("%q", v) end
  if v == NULL then return "null" end
  if type(v) ~= "table" then return tostring(v) end
  local inner, out = indent .. "  ", {}
  if #v > 0 or getmetatable(v) == ARRAY then
    for _, x in ipairs(v) do out[#out + 1] = inner .. dump(x, inner) end
  else
    local keys = {}
    for k in pairs(v) do keys[#keys + 1] = k end
    table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
    for _, k in ipairs(keys) do out[#out + 1] = inner .. k .. " = " .. dump(v[k], inner) end
  end
  if #out == 0 then return "{}" end
  return "{\n" .. table.concat(out, ",\n") .. "\n" .. indent .. "}"
end
return dump
"#;

fn main() -> LuaResult<()> {
    let lua = Lua::new();

    // Lua -> Rust.
    let value: LuaValue = lua.load(CONFIG).set_name("=config.lua").eval()?;
    let mut config: Config = lua.from_value(value)?;
    println!("read: {} with {} servers, mode {:?}", config.name, config.servers.len(), config.mode);

    // A change on the Rust side.
    config.debug = true;
    config.servers.retain(|s| !s.tags.contains(&"slow".to_string()));
    config.limits.insert("requests".into(), 10_000);
    config.mode = Mode::Fast;

    // Rust -> Lua, printed as Lua source by a Lua function.
    lua.globals().set("NULL", lua.null())?;
    lua.globals().set("ARRAY", lua.array_metatable())?;
    let dump: LuaFunction = lua.load(TO_LUA).eval()?;
    let back = lua.to_value(&config)?;
    println!("as Lua:\n{}", dump.call::<String>(back.clone())?);

    // The Lua value written as JSON (keys sorted for a stable output).
    let json = serde_json::to_string_pretty(&back.to_serializable_with(LuaDeserializeOptions::new().sort_keys(true)))
        .map_err(LuaError::external)?;
    println!("as JSON:\n{json}");

    // And the round trip is the identity.
    let again: Config = lua.from_value(back)?;
    assert_eq!(again, config);

    // A mistake in the file is reported with the path to it.
    let bad: LuaValue = lua.load("return { name = 'x', debug = false, servers = { { host = 'h', port = '80', tags = {} } }, limits = {}, mode = 'Fast' }").eval()?;
    if let Err(e) = lua.from_value::<Config>(bad) {
        println!("error: {e}");
    }
    Ok(())
}
