//! Values written in Lua read into Rust types: configuration tables,
//! number conversions, enums, and the errors with their paths.

use super::*;

#[derive(Deserialize, Debug, PartialEq)]
struct Server {
    host: String,
    port: u16,
    #[serde(default)]
    tls: bool,
}

#[derive(Deserialize, Debug, PartialEq)]
enum Mode {
    Fast,
    Safe { level: u8 },
}

#[derive(Deserialize, Debug, PartialEq)]
struct Config {
    name: String,
    workers: u32,
    timeout: f64,
    mode: Mode,
    servers: Vec<Server>,
    tags: Vec<String>,
    env: HashMap<String, String>,
    retries: Option<u8>,
    #[serde(default)]
    debug: bool,
}

/// A configuration written as Lua (comments, computed values, a helper
/// function, a loop) reads into a typed struct; `2 ^ 3` is the float 8.0
/// and fills an integer field; absent optional and defaulted fields are
/// `None` and default.
#[test]
fn config_written_in_lua() {
    let lua = new_lua();
    let v = eval(
        &lua,
        r#"
        -- Service configuration, written as Lua.
        local base_port = 8000

        --- A server entry; TLS on the standard port only.
        local function server(host, offset)
          local port = offset and base_port + offset or 443
          return { host = host, port = port, tls = port == 443 }
        end

        local tags = {}
        for i = 1, 3 do tags[#tags + 1] = "t" .. i end

        return {
          name = ("edge-%s"):format(string.upper("eu")),
          workers = 2 ^ 3,        -- a float with an integer value
          timeout = 1.5 * 2,
          mode = { Safe = { level = 2 } },
          servers = { server("a.example"), server("b.example", 80) },
          tags = tags,
          env = { HOME = "/srv", ["LANG"] = "C" },
          unused = "ignored",     --[[ unknown keys are ignored ]]
        }
        "#,
    );
    let config: Config = lua.from_value(v).unwrap();
    assert_eq!(
        config,
        Config {
            name: "edge-EU".into(),
            workers: 8,
            timeout: 3.0,
            mode: Mode::Safe { level: 2 },
            servers: vec![
                Server { host: "a.example".into(), port: 443, tls: true },
                Server { host: "b.example".into(), port: 8080, tls: false },
            ],
            tags: vec!["t1".into(), "t2".into(), "t3".into()],
            env: HashMap::from([("HOME".into(), "/srv".into()), ("LANG".into(), "C".into())]),
            retries: None,
            debug: false,
        }
    );
}

/// Numbers: floats with an exact integer value fill integer fields,
/// integers fill float fields.
#[test]
fn numbers_from_lua() {
    let lua = new_lua();
    assert_eq!(from_expr::<i32>(&lua, "3.0").unwrap(), 3);
    assert_eq!(from_expr::<i8>(&lua, "-4.0").unwrap(), -4);
    assert_eq!(from_expr::<u64>(&lua, "2^53").unwrap(), 1u64 << 53);
    assert_eq!(from_expr::<u8>(&lua, "10 / 2").unwrap(), 5);
    assert_eq!(from_expr::<f64>(&lua, "3").unwrap(), 3.0);
    assert_eq!(from_expr::<f32>(&lua, "-7").unwrap(), -7.0);
    assert_eq!(from_expr::<f32>(&lua, "0.1").unwrap(), 0.1f32);
    assert_eq!(from_expr::<i64>(&lua, "math.mininteger").unwrap(), i64::MIN);
    assert_eq!(from_expr::<u64>(&lua, "math.maxinteger").unwrap(), i64::MAX as u64);
    assert_eq!(from_expr::<Vec<u32>>(&lua, "{1.0, 2, 3.0}").unwrap(), vec![1, 2, 3]);
}

/// Out-of-range integers, fractional floats and strings into number types
/// are errors with serde's wording (no coercion).
#[test]
fn number_errors_from_lua() {
    let lua = new_lua();
    assert_eq!(de_error::<u8>(&lua, "300"), "deserialize error: invalid value: integer `300`, expected u8");
    assert_eq!(de_error::<u32>(&lua, "-1"), "deserialize error: invalid value: integer `-1`, expected u32");
    assert_eq!(
        de_error::<i32>(&lua, "math.maxinteger"),
        "deserialize error: invalid value: integer `9223372036854775807`, expected i32"
    );
    assert_eq!(de_error::<i32>(&lua, "3.5"), "deserialize error: invalid type: floating point `3.5`, expected i32");
    assert_eq!(de_error::<u16>(&lua, "'80'"), "deserialize error: invalid type: string \"80\", expected u16");
    assert!(de_error::<f64>(&lua, "'1.5'").contains("invalid type: string \"1.5\""));
}

#[derive(Deserialize, Debug, PartialEq)]
struct Port {
    port: u16,
}

#[derive(Deserialize, Debug, PartialEq)]
struct Ports {
    servers: Vec<Port>,
}

/// The error names the path of the failing value: fields as `.name`,
/// sequence positions as 1-based `[i]`.
#[test]
fn error_path_through_fields_and_sequences() {
    let lua = new_lua();
    assert_eq!(
        de_error::<Ports>(&lua, r#"{servers = {{port = 80}, {port = "80"}}}"#),
        r#"deserialize error: servers[2].port: invalid type: string "80", expected u16"#
    );
    assert_eq!(
        de_error::<Port>(&lua, "{port = 70000}"),
        "deserialize error: port: invalid value: integer `70000`, expected u16"
    );
    assert_eq!(de_error::<Ports>(&lua, "{servers = {{}}}"), "deserialize error: servers[1]: missing field `port`");
    assert_eq!(
        de_error::<Vec<Vec<u8>>>(&lua, "{{1}, {2, 300}}"),
        "deserialize error: [2][2]: invalid value: integer `300`, expected u8"
    );
    assert_eq!(
        de_error::<Vec<Port>>(&lua, "{{port = 1}, {port = 2}, {port = 3.5}}"),
        "deserialize error: [3].port: invalid type: floating point `3.5`, expected u16"
    );
    assert_eq!(
        de_error::<Config>(
            &lua,
            "{name = 'n', workers = 1, timeout = 1, mode = {Safe = {level = -1}}, servers = {}, tags = {}, env = {}}"
        ),
        "deserialize error: mode.Safe.level: invalid value: integer `-1`, expected u8"
    );
}

/// Map keys in the path: identifier strings as `.name` (no leading dot at
/// the root), other strings as `["a b"]`, other keys as `[5]`/`[true]`.
#[test]
fn error_path_through_map_keys() {
    let lua = new_lua();
    assert_eq!(
        de_error::<HashMap<String, u8>>(&lua, "{speed = 300}"),
        "deserialize error: speed: invalid value: integer `300`, expected u8"
    );
    assert_eq!(
        de_error::<HashMap<String, u8>>(&lua, r#"{["a b"] = 300}"#),
        r#"deserialize error: ["a b"]: invalid value: integer `300`, expected u8"#
    );
    assert_eq!(
        de_error::<HashMap<String, HashMap<String, u8>>>(&lua, r#"{outer = {["in ner"] = 300}}"#),
        r#"deserialize error: outer["in ner"]: invalid value: integer `300`, expected u8"#
    );
    assert_eq!(
        de_error::<HashMap<String, HashMap<String, u8>>>(&lua, "{outer = {inner = 300}}"),
        "deserialize error: outer.inner: invalid value: integer `300`, expected u8"
    );
    assert_eq!(
        de_error::<HashMap<i64, u8>>(&lua, "{[5] = 300}"),
        "deserialize error: [5]: invalid value: integer `300`, expected u8"
    );
    assert_eq!(
        de_error::<HashMap<bool, u8>>(&lua, "{[true] = 300}"),
        "deserialize error: [true]: invalid value: integer `300`, expected u8"
    );
}

#[derive(Debug, PartialEq)]
struct Level(u8);

impl<'de> Deserialize<'de> for Level {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let n = u8::deserialize(d)?;
        if n > 5 {
            return Err(<D::Error as serde::de::Error>::custom(format!("level {n} is above 5")));
        }
        Ok(Level(n))
    }
}

#[derive(Deserialize, Debug, PartialEq)]
struct Logging {
    level: Level,
}

/// A custom error raised by a `Deserialize` impl gets the path too.
#[test]
fn custom_deserialize_errors_get_the_path() {
    let lua = new_lua();
    assert_eq!(from_expr::<Logging>(&lua, "{level = 3}").unwrap(), Logging { level: Level(3) });
    assert_eq!(de_error::<Logging>(&lua, "{level = 7}"), "deserialize error: level: level 7 is above 5");
    assert_eq!(de_error::<Level>(&lua, "9"), "deserialize error: level 9 is above 5");
}

#[derive(Deserialize, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
struct Strict {
    a: i32,
}

/// Strings, chars, options, tuples and maps from Lua source; unknown keys
/// are ignored unless `deny_unknown_fields`.
#[test]
fn other_types_from_lua() {
    let lua = new_lua();
    assert_eq!(from_expr::<String>(&lua, "'a' .. 'b'").unwrap(), "ab");
    assert_eq!(from_expr::<char>(&lua, "'é'").unwrap(), 'é');
    assert!(from_expr::<char>(&lua, "'ab'").is_err());
    assert_eq!(from_expr::<Bytes>(&lua, "'\\0\\255a'").unwrap(), Bytes(vec![0, 255, b'a']));
    assert_eq!(from_expr::<Option<i32>>(&lua, "nil").unwrap(), None);
    assert_eq!(from_expr::<Option<i32>>(&lua, "NULL").unwrap(), None);
    assert_eq!(from_expr::<Option<i32>>(&lua, "5").unwrap(), Some(5));
    from_expr::<()>(&lua, "nil").unwrap();
    from_expr::<()>(&lua, "NULL").unwrap();
    assert_eq!(from_expr::<Marker>(&lua, "NULL").unwrap(), Marker);
    assert_eq!(from_expr::<(i32, String, bool)>(&lua, "{1, 'a', true}").unwrap(), (1, "a".to_string(), true));
    assert_eq!(from_expr::<Point3>(&lua, "{1, 2, 3}").unwrap(), Point3(1, 2, 3));
    assert_eq!(
        from_expr::<HashMap<i64, String>>(&lua, "{'a', 'b', [10] = 'c'}").unwrap(),
        HashMap::from([(1, "a".into()), (2, "b".into()), (10, "c".into())])
    );
    assert_eq!(
        from_expr::<BTreeMap<String, Vec<i32>>>(&lua, "{x = {1, 2}, y = {}}").unwrap(),
        BTreeMap::from([("x".into(), vec![1, 2]), ("y".into(), vec![])])
    );
    assert_eq!(from_expr::<Strict>(&lua, "{a = 1}").unwrap(), Strict { a: 1 });
    assert_eq!(from_expr::<Port>(&lua, "{port = 1, extra = true}").unwrap(), Port { port: 1 });
    assert!(de_error::<Strict>(&lua, "{a = 1, extra = true}").contains("unknown field `extra`"));
}

/// Enums from Lua: a string for a unit variant, a one-key table for the
/// others; unknown variants and tables with several keys are errors.
#[test]
fn enums_from_lua() {
    let lua = new_lua();
    assert_eq!(from_expr::<Shape>(&lua, "'Empty'").unwrap(), Shape::Empty);
    assert_eq!(from_expr::<Shape>(&lua, "{Circle = 2}").unwrap(), Shape::Circle(2.0));
    assert_eq!(from_expr::<Shape>(&lua, "{Rect = {3, 4}}").unwrap(), Shape::Rect(3, 4));
    assert_eq!(
        from_expr::<Shape>(&lua, "{Poly = {sides = 6, name = 'hex'}}").unwrap(),
        Shape::Poly { sides: 6, name: "hex".into() }
    );
    assert!(de_error::<Shape>(&lua, "'Hexagon'").contains("unknown variant `Hexagon`"));
    assert!(de_error::<Shape>(&lua, "{Octagon = 1}").contains("unknown variant `Octagon`"));
    de_error::<Shape>(&lua, "{Circle = 1, Rect = {1, 2}}");
    de_error::<Shape>(&lua, "42");
}

/// `deserialize_any` (here into `serde_json::Value`) on tables written in
/// Lua: keys exactly 1..n make an array, anything else an object; the null
/// sentinel is `null`; a table shared by two fields is not recursive.
#[test]
fn json_values_from_lua() {
    let lua = new_lua();
    let v: serde_json::Value = from_expr(
        &lua,
        "{name = 'x', list = {1, 2.5, 's', true, NULL}, nested = {a = {b = {}}}, none = NULL, [''] = 0}",
    )
    .unwrap();
    assert_eq!(
        v,
        json!({"name": "x", "list": [1, 2.5, "s", true, null], "nested": {"a": {"b": {}}}, "none": null, "": 0})
    );
    let shared = to_json(&lua, eval(&lua, "local s = {1, 2} return {a = s, b = {s, s}}"));
    assert_eq!(shared, json!({"a": [1, 2], "b": [[1, 2], [1, 2]]}));
}

/// The rule of `deserialize_any` for tables (mlua's): the array metatable
/// or a length (`#t > 0`) make a sequence of `t[1..#t]`; empty tables
/// without the metatable make a map. With `detect_mixed_tables`, only
/// positive integer keys that are not too sparse make a sequence.
#[test]
fn sequence_or_map_detection() {
    let lua = new_lua();
    let cases = [
        ("{1, 2, 3}", AnyShape::Seq(3)),
        ("{[1] = 'a', [2] = 'b'}", AnyShape::Seq(2)),
        // `#t` is 1 here (a border), so the sequence is `t[1]`.
        ("{[1] = 1, [3] = 3}", AnyShape::Seq(1)),
        ("{[0] = 0, 1}", AnyShape::Seq(1)),
        ("{1, 2, x = 3}", AnyShape::Seq(2)),
        ("{a = 1}", AnyShape::Map(1)),
        ("{[2] = 2}", AnyShape::Map(1)),
        ("{}", AnyShape::Map(0)),
        ("setmetatable({}, ARRAY_MT)", AnyShape::Seq(0)),
        ("setmetatable({5, 6}, ARRAY_MT)", AnyShape::Seq(2)),
        ("setmetatable({5, 6, x = 1}, ARRAY_MT)", AnyShape::Seq(2)),
    ];
    for (code, want) in cases {
        assert_eq!(from_expr::<AnyShape>(&lua, code).unwrap(), want, "{code}");
    }
    let detect = || LuaDeserializeOptions::new().detect_mixed_tables(true);
    let cases = [
        ("{1, 2, 3}", AnyShape::Seq(3)),
        // Holes are read as nil, up to the largest key.
        ("{[1] = 1, [3] = 3}", AnyShape::Seq(3)),
        ("{[2] = 2}", AnyShape::Seq(2)),
        ("{[0] = 0, 1}", AnyShape::Map(2)),
        ("{1, 2, x = 3}", AnyShape::Map(3)),
        ("{[1.5] = 1}", AnyShape::Map(1)),
        // Too sparse: more than 10 holes and less than half filled.
        ("{[1] = 1, [13] = 13}", AnyShape::Map(2)),
        ("{[1] = 1, [12] = 12}", AnyShape::Seq(12)),
        ("{[1] = 1, [2] = 2, [4] = 4}", AnyShape::Seq(4)),
        ("{}", AnyShape::Map(0)),
        ("setmetatable({5, 6, x = 1}, ARRAY_MT)", AnyShape::Seq(2)),
    ];
    for (code, want) in cases {
        let v = expr(&lua, code);
        assert_eq!(lua.from_value_with::<AnyShape>(v, detect()).unwrap(), want, "{code} (detect_mixed_tables)");
    }
    // Serialized sequences carry the metatable, so an empty one stays a sequence.
    let empty = lua.to_value(&Vec::<i32>::new()).unwrap();
    assert_eq!(lua.from_value::<AnyShape>(empty).unwrap(), AnyShape::Seq(0));
    let empty = lua.to_value(&Vec::<i32>::new()).unwrap();
    assert_eq!(to_json(&lua, empty), json!([]));
}
