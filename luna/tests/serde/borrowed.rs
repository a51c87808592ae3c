//! Borrowed strings: `Lua::from_value_borrowed` fills `&str`, `&[u8]` and
//! `#[serde(borrow)] Cow` fields from a `StringArena` the caller owns; the
//! strings stay valid whatever the script does afterwards, and owned
//! strings do not go through the arena.

use std::borrow::Cow;

use luna::serde::{Deserializer, StringArena};

use super::*;

#[derive(Deserialize, Debug, PartialEq)]
struct Route<'a> {
    method: &'a str,
    path: &'a str,
    #[serde(borrow)]
    title: Cow<'a, str>,
    body: &'a [u8],
    owner: String,
    #[serde(borrow)]
    aliases: Vec<&'a str>,
    note: Option<&'a str>,
    #[serde(borrow)]
    headers: HashMap<&'a str, &'a str>,
}

/// Every borrowing field type is filled; the `Cow` is `Borrowed`, and the
/// strings point into the arena.
#[test]
fn borrowed_fields() {
    let lua = new_lua();
    let v = eval(
        &lua,
        r#"return {
            method = "GET", path = "/a/" .. ("b"):rep(3), title = "Home",
            body = "\0\1\255", owner = "ops", aliases = {"/", "/index"},
            headers = { accept = "*/*", host = "example.org" },
        }"#,
    );
    let strings = StringArena::new();
    let r: Route = lua.from_value_borrowed(v, &strings).unwrap();
    assert_eq!(r.method, "GET");
    assert_eq!(r.path, "/a/bbb");
    assert!(matches!(r.title, Cow::Borrowed("Home")), "{:?}", r.title);
    assert_eq!(r.body, b"\0\x01\xff");
    assert_eq!(r.owner, "ops");
    assert_eq!(r.aliases, ["/", "/index"]);
    assert_eq!(r.note, None);
    assert_eq!(r.headers.len(), 2);
    assert_eq!(r.headers["host"], "example.org");
    assert!(!strings.is_empty());
}

/// The borrowed strings outlive the Lua value: the script empties the
/// table, the state collects its garbage, and the strings are unchanged.
#[test]
fn strings_outlive_the_lua_value() {
    let lua = new_lua();
    lua.load("config = { name = ('x'):rep(40) .. 'y', tags = { 'a' .. 1, 'b' .. 2 } }").exec().unwrap();
    let v: LuaValue = lua.globals().get("config").unwrap();
    let strings = StringArena::new();
    let (name, tags): (&str, Vec<&str>) = {
        #[derive(Deserialize)]
        struct C<'a> {
            name: &'a str,
            #[serde(borrow)]
            tags: Vec<&'a str>,
        }
        let c: C = lua.from_value_borrowed(v, &strings).unwrap();
        (c.name, c.tags)
    };
    lua.load("config.name = nil; config.tags = nil; config = nil; for i = 1, 1000 do local _ = {i} end")
        .exec()
        .unwrap();
    lua.gc_collect().unwrap();
    assert_eq!(name, format!("{}y", "x".repeat(40)));
    assert_eq!(tags, ["a1", "b2"]);
}

/// `String`, `char` and field names are read in place: a struct of owned
/// strings leaves the arena empty.
#[test]
fn owned_strings_skip_the_arena() {
    #[derive(Deserialize, Debug, PartialEq)]
    struct Owned {
        name: String,
        initial: char,
        tags: Vec<String>,
    }
    let lua = new_lua();
    let v = eval(&lua, "return { name = 'luna', initial = 'l', tags = { 'lua', 'rust' } }");
    let strings = StringArena::new();
    let o: Owned = lua.from_value_borrowed(v, &strings).unwrap();
    assert_eq!(o, Owned { name: "luna".into(), initial: 'l', tags: vec!["lua".into(), "rust".into()] });
    assert!(strings.is_empty());
}

/// Serde's buffered forms (untagged enums, flatten) keep the borrow.
#[test]
fn untagged_and_flatten_borrow() {
    #[derive(Deserialize, Debug, PartialEq)]
    #[serde(untagged)]
    enum Target<'a> {
        Port(u16),
        Name(&'a str),
    }
    #[derive(Deserialize, Debug, PartialEq)]
    struct Inner<'a> {
        user: &'a str,
    }
    #[derive(Deserialize, Debug, PartialEq)]
    struct Outer<'a> {
        #[serde(borrow)]
        target: Target<'a>,
        #[serde(borrow, flatten)]
        inner: Inner<'a>,
    }
    let lua = new_lua();
    let strings = StringArena::new();
    let v = eval(&lua, "return { target = 'db.local', user = 'admin' }");
    let o: Outer = lua.from_value_borrowed(v, &strings).unwrap();
    assert_eq!(o, Outer { target: Target::Name("db.local"), inner: Inner { user: "admin" } });
    let v = eval(&lua, "return { target = 5432, user = 'admin' }");
    let o: Outer = lua.from_value_borrowed(v, &strings).unwrap();
    assert_eq!(o.target, Target::Port(5432));
}

/// Errors keep their paths; a string that is not UTF-8 does not fit a
/// `&str` but fits a `&[u8]`.
#[test]
fn borrowed_errors() {
    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct Named<'a> {
        name: &'a str,
    }
    let lua = new_lua();
    let strings = StringArena::new();
    let v = eval(&lua, "return { items = { { name = 'ok' }, { name = '\\255' } } }");
    let err = lua.from_value_borrowed::<HashMap<&str, Vec<Named>>>(v, &strings).unwrap_err();
    assert_eq!(
        err.to_string(),
        "deserialize error: items[2].name: invalid value: byte array, expected a borrowed string"
    );
    let v = eval(&lua, "return { name = 42 }");
    let err = lua.from_value_borrowed::<Named>(v, &strings).unwrap_err();
    assert_eq!(err.to_string(), "deserialize error: name: invalid type: integer `42`, expected a borrowed string");
}

/// The deserializer driven directly, with options; `clear` empties the
/// arena once nothing borrows from it.
#[test]
fn borrowing_deserializer_and_clear() {
    let lua = new_lua();
    let mut strings = StringArena::new();
    {
        let v = eval(&lua, "return { 'one', print, 'two' }");
        let opts = LuaDeserializeOptions::new().deny_unsupported_types(false);
        let de = Deserializer::borrowing(&lua, v, opts, &strings);
        let map = BTreeMap::<i64, &str>::deserialize(de).unwrap();
        assert_eq!(map.into_iter().collect::<Vec<_>>(), [(1, "one"), (3, "two")]);
    }
    assert!(!strings.is_empty());
    strings.clear();
    let v = eval(&lua, "return 'again'");
    assert_eq!(lua.from_value_borrowed::<&str>(v, &strings).unwrap(), "again");
}
