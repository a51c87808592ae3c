//! `#[derive(LuaUserdata)]` and `#[luna::methods]`: fields, renames,
//! skips, methods by receiver, constructors, the `&Lua` parameter,
//! borrowed userdata and string parameters, `Result` returns,
//! metamethods, getter/setter functions, and the ways a type can derive:
//! fields only, methods only, without fields, through `cfg_attr`, a
//! renamed import or a `macro_rules!`, and in another file than its block.

use luna::prelude::*;

#[derive(LuaUserdata, Clone, Debug, PartialEq)]
#[lua(name = "Vector")]
struct Vec3 {
    #[lua(get, set)]
    x: f64,
    #[lua(get, set)]
    y: f64,
    #[lua(get, set, name = "zed")]
    z: f64,
    #[lua(get)]
    label: String,
    #[lua(skip)]
    #[allow(dead_code)]
    secret: u32,
    // Without keys: readable and writable, as mlua's derive exposes it.
    plain: u8,
}

#[derive(Debug)]
struct ParseError(String);

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot parse '{}'", self.0)
    }
}

impl std::error::Error for ParseError {}

#[luna::methods]
impl Vec3 {
    pub fn new(x: f64, y: f64, z: f64) -> Self {
        Vec3 { x, y, z, label: "v".into(), secret: 7, plain: 0 }
    }

    pub fn dot(&self, o: &Vec3) -> f64 {
        self.x * o.x + self.y * o.y + self.z * o.z
    }

    pub fn scale(&mut self, k: f64) {
        self.x *= k;
        self.y *= k;
        self.z *= k;
    }

    pub fn add_into(&self, target: &mut Vec3) {
        target.x += self.x;
        target.y += self.y;
        target.z += self.z;
    }

    #[lua(meta = "add")]
    pub fn plus(&self, o: &Vec3) -> Vec3 {
        Vec3::new(self.x + o.x, self.y + o.y, self.z + o.z)
    }

    #[lua(meta = "tostring")]
    pub fn show(&self) -> String {
        format!("Vector({}, {}, {})", self.x, self.y, self.z)
    }

    #[lua(meta = "__eq")]
    pub fn same(&self, o: &Vec3) -> bool {
        self.x == o.x && self.y == o.y && self.z == o.z
    }

    #[lua(name = "relabel")]
    pub fn set_label_text(&mut self, text: &str) -> usize {
        self.label = text.to_uppercase();
        text.len()
    }

    pub fn byte_sum(bytes: &[u8]) -> u32 {
        bytes.iter().map(|&b| b as u32).sum()
    }

    pub fn parse(text: String) -> Result<Vec3, ParseError> {
        let parts: Vec<f64> = text.split(',').filter_map(|p| p.trim().parse().ok()).collect();
        match parts[..] {
            [x, y, z] => Ok(Vec3::new(x, y, z)),
            _ => Err(ParseError(text)),
        }
    }

    pub fn checked(&self) -> LuaResult<f64> {
        if self.x < 0.0 {
            Err(LuaError::runtime("negative x"))
        } else {
            Ok(self.x)
        }
    }

    pub fn globals_count(lua: &Lua, prefix: String) -> LuaResult<i64> {
        let mut n = 0;
        for pair in lua.globals().pairs::<LuaValue, LuaValue>() {
            let (k, _) = pair?;
            if let LuaValue::String(s) = k {
                if s.to_string_lossy().starts_with(&prefix) {
                    n += 1;
                }
            }
        }
        Ok(n)
    }

    pub fn with_state(&self, lua: &Lua, k: f64) -> LuaResult<f64> {
        lua.load("return ...").call::<f64>(self.x * k)
    }

    #[lua(get)]
    pub fn length(&self) -> f64 {
        self.dot(self).sqrt()
    }

    #[lua(set)]
    pub fn set_length(&mut self, len: f64) {
        let k = len / self.length();
        self.scale(k);
    }

    #[lua(skip)]
    #[allow(dead_code)]
    pub fn not_exposed(&self) -> u8 {
        self.plain
    }

    fn private_helper(&self) -> u8 {
        7
    }

    #[lua(skip)]
    #[allow(dead_code)]
    fn skipped_helper(&self) {}
}

fn lua() -> Lua {
    let lua = Lua::new();
    lua.register_userdata::<Vec3>("Vec3").unwrap();
    lua
}

/// The message a script sees of the error `code` raises (`tostring` of
/// what `pcall` caught), worded as PUC Lua words it.
fn error_of(lua: &Lua, code: &str) -> String {
    let caught = format!("local ok, e = pcall(function() {code}\nend) assert(not ok) return tostring(e)");
    lua.load(caught).eval::<String>().unwrap()
}

#[test]
fn fields_get_set_rename_and_skip() {
    let lua = lua();
    let script = r#"
        local v = Vec3.new(1, 2, 3)
        assert(v.x == 1 and v.y == 2 and v.zed == 3 and v.label == "v")
        assert(v.z == nil and v.secret == nil and v.plain == 0)
        v.x = 10; v.zed = 30; v.plain = 5
        assert(v.x == 10 and v.zed == 30 and v.plain == 5)
        assert(not pcall(function() v.secret = 1 end))
        assert(not pcall(function() v.label = "no setter" end))
        return v
    "#;
    let v: LuaAnyUserdata = lua.load(script).eval().unwrap();
    let v = v.borrow::<Vec3>().unwrap();
    assert_eq!((v.x, v.z), (10.0, 30.0));
    // The name given on the type.
    drop(v);
    assert_eq!(lua.load("return tostring(getmetatable(Vec3.new(0,0,0)).__name)").eval::<String>().unwrap(), "Vector");
}

#[test]
fn setter_type_errors_name_the_field() {
    let lua = lua();
    let msg = error_of(&lua, "local v = Vec3.new(1, 2, 3); v.x = 'far'");
    assert!(msg.contains("bad value for field 'x' of 'Vector' (number expected, got string)"), "{msg}");
}

#[test]
fn methods_by_receiver() {
    let lua = lua();
    let script = r#"
        local a, b = Vec3.new(1, 2, 3), Vec3.new(4, 5, 6)
        assert(a:dot(b) == 32)
        a:scale(2)
        assert(a.x == 2 and a.zed == 6)
        a:add_into(b)
        assert(b.x == 6 and b.y == 9)
        return true
    "#;
    assert!(lua.load(script).eval::<bool>().unwrap());
}

#[test]
fn metamethods_from_attributes() {
    let lua = lua();
    let script = r#"
        local a, b = Vec3.new(1, 2, 3), Vec3.new(1, 1, 1)
        local c = a + b
        assert(c.x == 2 and c.zed == 4)
        assert(tostring(c) == "Vector(2, 3, 4)")
        assert(a == Vec3.new(1, 2, 3) and a ~= b)
        return true
    "#;
    assert!(lua.load(script).eval::<bool>().unwrap());
}

#[test]
fn borrowed_string_and_byte_parameters() {
    let lua = lua();
    let (n, label): (usize, String) =
        lua.load("local v = Vec3.new(0, 0, 0); local n = v:relabel('abc'); return n, v.label").eval().unwrap();
    assert_eq!((n, label.as_str()), (3, "ABC"));
    assert_eq!(lua.load("return Vec3.byte_sum('\\1\\2\\250')").eval::<u32>().unwrap(), 253);
    // Numbers convert to strings, as in Lua.
    assert_eq!(lua.load("local v = Vec3.new(0, 0, 0); return v:relabel(12)").eval::<usize>().unwrap(), 2);
    let msg = error_of(&lua, "Vec3.new(0, 0, 0):relabel({})");
    assert!(msg.contains("bad argument #1 to 'relabel' (string expected, got table)"), "{msg}");
    let msg = error_of(&lua, "Vec3.new(0, 0, 0):relabel('\\255')");
    assert!(msg.contains("invalid UTF-8"), "{msg}");
}

#[test]
fn userdata_parameters_are_checked() {
    let lua = lua();
    let msg = error_of(&lua, "local a = Vec3.new(1, 2, 3); a:dot({})");
    assert!(msg.contains("bad argument #1 to 'dot' (Vector expected, got table)"), "{msg}");
    // `add_into` takes &self and &mut Vec3: the same value twice conflicts.
    let msg = error_of(&lua, "local a = Vec3.new(1, 2, 3); a:add_into(a)");
    assert!(msg.contains("borrowing userdata"), "{msg}");
    // `scale` takes &mut self: called with a number as self.
    let msg = error_of(&lua, "local a = Vec3.new(1, 2, 3); a.scale(1, 2)");
    assert!(msg.contains("bad argument #1 to 'scale' (Vector expected, got number)"), "{msg}");
}

#[test]
fn result_returns_raise_errors() {
    let lua = lua();
    let v: LuaAnyUserdata = lua.load("return Vec3.parse('1, 2, 3')").eval().unwrap();
    assert_eq!(v.borrow::<Vec3>().unwrap().y, 2.0);
    let msg = error_of(&lua, "Vec3.parse('nope')");
    assert!(msg.contains("cannot parse 'nope'"), "{msg}");
    let (ok, msg): (bool, String) = lua
        .load("local ok, e = pcall(function() return Vec3.new(-1, 0, 0):checked() end); return ok, tostring(e)")
        .eval()
        .unwrap();
    assert!(!ok && msg.contains("negative x"), "{msg}");
    assert_eq!(lua.load("return Vec3.new(5, 0, 0):checked()").eval::<f64>().unwrap(), 5.0);
}

#[test]
fn the_state_parameter() {
    let lua = lua();
    lua.globals().set("probe_a", 1).unwrap();
    lua.globals().set("probe_b", 2).unwrap();
    assert_eq!(lua.load("return Vec3.globals_count('probe_')").eval::<i64>().unwrap(), 2);
    assert_eq!(lua.load("return Vec3.new(2, 0, 0):with_state(21)").eval::<f64>().unwrap(), 42.0);
}

#[test]
fn getter_and_setter_functions() {
    let lua = lua();
    let len: f64 =
        lua.load("local v = Vec3.new(3, 0, 4); assert(v.length == 5); v.length = 10; return v.x").eval().unwrap();
    assert_eq!(len, 6.0);
}

#[test]
fn skipped_functions_are_not_exposed_and_private_ones_are() {
    // As mlua's `userdata_impl`: every function of the block, `pub` or
    // not, unless `#[lua(skip)]`; a renamed one only under its new name.
    let lua = lua();
    let (a, b, c): (bool, bool, bool) = lua
        .load("local v = Vec3.new(0, 0, 0); return v.not_exposed == nil, v.skipped_helper == nil, Vec3.set_label_text == nil")
        .eval()
        .unwrap();
    assert!(a && b && c);
    assert_eq!(lua.load("return Vec3.new(0, 0, 0):private_helper()").eval::<u8>().unwrap(), 7);
}

/// Only the derive: fields, no methods.
#[derive(LuaUserdata)]
struct Point {
    #[lua(get, set)]
    x: i32,
    #[lua(get)]
    tags: Vec<String>,
}

#[test]
fn derive_alone() {
    let lua = Lua::new();
    lua.globals().set("p", Point { x: 1, tags: vec!["a".into(), "b".into()] }).unwrap();
    let (x, n): (i32, i64) = lua.load("p.x = p.x + 1; return p.x, #p.tags").eval().unwrap();
    assert_eq!((x, n), (2, 2));
    // Out of range for i32: a conversion error, not a wrap.
    let msg = error_of(&lua, "p.x = 2^40");
    assert!(msg.contains("bad value for field 'x' of 'Point'"), "{msg}");
}

/// Methods only: the derive has no field keys (its field is exposed as it
/// is), the block does the rest.
#[derive(LuaUserdata, Default)]
struct Counter {
    n: i64,
}

#[luna::methods]
impl Counter {
    pub fn new() -> Counter {
        Counter::default()
    }

    pub fn incr(&mut self) -> i64 {
        self.n += 1;
        self.n
    }

    #[lua(get)]
    pub fn count(&self) -> i64 {
        self.n
    }
}

#[test]
fn methods_only() {
    let lua = Lua::new();
    lua.register_userdata::<Counter>("Counter").unwrap();
    let (n, count): (i64, i64) =
        lua.load("local c = Counter.new(); c:incr(); return c:incr(), c.count").eval().unwrap();
    assert_eq!((n, count), (2, 2));
    // The type name is the Rust one, and the field without keys is
    // exposed, as mlua's derive exposes it.
    let msg = error_of(&lua, "Counter.incr(1)");
    assert!(msg.contains("bad argument #1 to 'incr' (Counter expected, got number)"), "{msg}");
    assert_eq!(lua.load("local c = Counter.new(); c.n = 41; return c:incr()").eval::<i64>().unwrap(), 42);
}

/// Fields without `get`/`set` keys, as mlua's derive exposes them: a
/// named field as it is, a bare `#[lua]` alike, `name` alone renaming it,
/// and a tuple field once it has a name; all readable and writable.
#[derive(LuaUserdata)]
struct Book {
    pages: i64,
    #[lua]
    author: String,
    #[lua(name = "heading")]
    title: String,
}

#[derive(LuaUserdata)]
struct Span(#[lua(name = "from")] i64, i64);

#[test]
fn fields_without_keys_are_readable_and_writable() {
    let lua = Lua::new();
    let book = Book { pages: 100, author: "Ada".into(), title: "Notes".into() };
    lua.globals().set("b", book).unwrap();
    lua.globals().set("s", Span(1, 2)).unwrap();
    let script = r#"
        assert(b.pages == 100 and b.author == "Ada" and b.heading == "Notes" and b.title == nil)
        b.pages = b.pages + 1; b.author = "Grace"; b.heading = "Notes II"
        s.from = s.from + 10
        return b.pages, b.author, b.heading, s.from
    "#;
    let got: (i64, String, String, i64) = lua.load(script).eval().unwrap();
    assert_eq!(got, (101, "Grace".into(), "Notes II".into(), 11));
    let b: LuaAnyUserdata = lua.globals().get("b").unwrap();
    assert_eq!(b.borrow::<Book>().unwrap().title, "Notes II");
    let s: LuaAnyUserdata = lua.globals().get("s").unwrap();
    assert_eq!((s.borrow::<Span>().unwrap().0, s.borrow::<Span>().unwrap().1), (11, 2));
    let msg = error_of(&lua, "b.pages = 'many'");
    assert!(msg.contains("bad value for field 'pages' of 'Book'"), "{msg}");
}

/// Associated constants of a block: fields of the class table and of every
/// userdata, `pub` or not (as mlua's), renamed, skipped, or meta fields.
#[derive(LuaUserdata)]
struct Limits;

#[luna::methods]
impl Limits {
    const MAX: i64 = 10;
    pub const MIN: i64 = 0;
    #[lua(name = "DEFAULT")]
    const START: i64 = 5;
    #[lua(skip)]
    #[allow(dead_code)]
    const SECRET: i64 = 42;
    #[lua(meta, name = "__kind")]
    const KIND: &'static str = "limits";

    pub fn new() -> Limits {
        Limits
    }
}

#[test]
fn associated_constants_are_fields() {
    let lua = Lua::new();
    lua.register_userdata::<Limits>("Limits").unwrap();
    let script = r#"
        local l = Limits.new()
        return Limits.MAX, Limits.MIN, Limits.DEFAULT, Limits.SECRET, l.MAX, l.START
    "#;
    let got: (i64, i64, i64, Option<i64>, i64, Option<i64>) = lua.load(script).eval().unwrap();
    assert_eq!(got, (10, 0, 5, None, 10, None));
    let l = lua.create_userdata(Limits).unwrap();
    assert_eq!(l.metatable().unwrap().get::<String>("__kind").unwrap(), "limits");
}

/// Types without fields: a unit struct, an empty struct, an enum.
#[derive(LuaUserdata)]
struct Unit;

#[luna::methods]
impl Unit {
    pub fn get() -> Unit {
        Unit
    }

    #[lua(meta = "tostring")]
    pub fn show(&self) -> &'static str {
        "the unit"
    }
}

#[derive(LuaUserdata)]
#[lua(name = "Nothing")]
struct Empty {}

#[derive(LuaUserdata, Clone, Copy, PartialEq, Debug)]
enum Light {
    Red,
    Green,
}

#[luna::methods]
impl Light {
    pub fn red() -> Light {
        Light::Red
    }

    pub fn next(&mut self) {
        *self = match self {
            Light::Red => Light::Green,
            Light::Green => Light::Red,
        };
    }

    // The long form of `&self` is accepted too.
    #[allow(clippy::needless_arbitrary_self_type)]
    #[lua(get)]
    pub fn go(self: &Self) -> bool {
        *self == Light::Green
    }
}

#[test]
fn types_without_fields() {
    let lua = Lua::new();
    lua.register_userdata::<Unit>("Unit").unwrap();
    lua.register_userdata::<Light>("Light").unwrap();
    lua.globals().set("empty", Empty {}).unwrap();
    let (unit, empty): (String, String) =
        lua.load("return tostring(Unit.get()), getmetatable(empty).__name").eval().unwrap();
    assert_eq!((unit.as_str(), empty.as_str()), ("the unit", "Nothing"));
    let (before, after): (bool, bool) =
        lua.load("local l = Light.red(); local b = l.go; l:next(); return b, l.go").eval().unwrap();
    assert_eq!((before, after), (false, true));
}

/// A tuple struct's fields are exposed under the names they are given.
#[derive(LuaUserdata)]
struct Pair(#[lua(get, set, name = "first")] i64, #[lua(get, name = "second")] String);

#[test]
fn tuple_struct_fields() {
    let lua = Lua::new();
    lua.globals().set("p", Pair(1, "two".into())).unwrap();
    let (a, b): (i64, String) = lua.load("p.first = p.first + 10; return p.first, p.second").eval().unwrap();
    assert_eq!((a, b.as_str()), (11, "two"));
}

/// Scopes: two structs of the same name in different scopes, each with its
/// own methods block.
mod with_fields {
    use luna::prelude::*;

    #[derive(LuaUserdata)]
    pub struct Cell {
        #[lua(get)]
        pub v: i64,
    }

    #[luna::methods]
    impl Cell {
        pub fn make(v: i64) -> Cell {
            Cell { v }
        }
    }
}

#[test]
fn same_name_in_other_scopes() {
    #[derive(LuaUserdata)]
    struct Cell {
        v: i64,
    }

    #[luna::methods]
    impl Cell {
        pub fn make(v: i64) -> Cell {
            Cell { v }
        }

        pub fn double(&self) -> i64 {
            self.v * 2
        }
    }

    let lua = Lua::new();
    lua.register_userdata::<Cell>("Local").unwrap();
    lua.register_userdata::<with_fields::Cell>("Module").unwrap();
    let (d, v): (i64, i64) = lua.load("return Local.make(4):double(), Module.make(5).v").eval().unwrap();
    assert_eq!((d, v), (8, 5));
}

/// The struct derives in another file than its block.
#[path = "support/elsewhere.rs"]
mod elsewhere;

#[luna::methods]
impl elsewhere::Meters {
    pub fn feet(&self) -> f64 {
        self.amount * 3.28084
    }
}

#[test]
fn derive_in_another_file() {
    let lua = Lua::new();
    lua.globals().set("m", elsewhere::Meters::new(2.0)).unwrap();
    let (v, feet): (f64, f64) = lua.load("return m.value, m:feet()").eval().unwrap();
    assert_eq!(v, 2.0);
    assert!((feet - 6.56168).abs() < 1e-9);
}

/// The derive applied through `cfg_attr`.
#[cfg_attr(all(), derive(LuaUserdata))]
struct Gauge {
    #[cfg_attr(all(), lua(get))]
    level: u8,
}

#[luna::methods]
impl Gauge {
    pub fn full() -> Gauge {
        Gauge { level: 100 }
    }
}

/// The derive under another name.
mod renamed {
    use luna::LuaUserdata as Ud;

    #[derive(Ud)]
    pub struct Tag {
        #[lua(get)]
        pub label: String,
    }

    #[luna::methods]
    impl Tag {
        pub fn shout(&self) -> String {
            self.label.to_uppercase()
        }
    }
}

/// A struct and its block written by a `macro_rules!`, the method taking
/// the state and a borrowed string from the macro's caller.
macro_rules! userdata_type {
    ($name:ident, $field:ident, $method:ident) => {
        #[derive(LuaUserdata)]
        struct $name {
            #[lua(get, set)]
            $field: i64,
        }

        #[luna::methods]
        impl $name {
            pub fn new($field: i64) -> $name {
                $name { $field }
            }

            pub fn $method(&self, lua: &Lua, suffix: &str) -> LuaResult<String> {
                let n: i64 = lua.load("return ...").call(self.$field)?;
                Ok(format!("{n}{suffix}"))
            }
        }
    };
}

userdata_type!(Made, amount, describe);

#[test]
fn derive_through_cfg_attr_renames_and_macros() {
    let lua = Lua::new();
    lua.register_userdata::<Gauge>("Gauge").unwrap();
    lua.register_userdata::<Made>("Made").unwrap();
    lua.globals().set("tag", renamed::Tag { label: "hi".into() }).unwrap();
    let (level, tag, shout): (u8, String, String) =
        lua.load("return Gauge.full().level, tag.label, tag:shout()").eval().unwrap();
    assert_eq!((level, tag.as_str(), shout.as_str()), (100, "hi", "HI"));
    let s: String = lua.load("local m = Made.new(4); m.amount = m.amount + 1; return m:describe('!')").eval().unwrap();
    assert_eq!(s, "5!");
}

/// `meta = "pairs"`: the `__pairs` event, which `LuaMetaMethod` has no
/// variant for.
#[derive(LuaUserdata)]
struct Range {
    len: i64,
}

#[luna::methods]
impl Range {
    #[lua(meta = "__pairs")]
    pub fn iterate(lua: &Lua, this: &Range) -> LuaResult<(LuaFunction, i64, i64)> {
        let next = lua.load("return function(n, i) if i < n then return i + 1, (i + 1) * 10 end end").eval()?;
        Ok((next, this.len, 0))
    }
}

#[test]
fn the_pairs_metamethod() {
    let lua = Lua::new();
    lua.globals().set("r", Range { len: 3 }).unwrap();
    let sum: i64 = lua.load("local s = 0; for i, v in pairs(r) do s = s + i + v end; return s").eval().unwrap();
    assert_eq!(sum, 66);
}
