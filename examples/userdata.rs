//! A Rust type driven from Lua: `#[derive(LuaUserdata)]` exposes the
//! fields of an inventory item, `#[luna::methods]` its constructor,
//! methods and metamethods, and a Lua script creates, reads, changes and
//! combines items. Run with `cargo run --release --example userdata`.

use luna::prelude::*;

/// A stock line: what, how many, at what unit price (in cents).
#[derive(LuaUserdata, Clone, Debug)]
#[lua(name = "Item")]
struct Item {
    #[lua(get)]
    name: String,
    #[lua(get, set)]
    quantity: u32,
    #[lua(get, set, name = "price")]
    unit_price: u64,
    #[lua(skip)]
    #[allow(dead_code)]
    audit_log: Vec<String>,
}

#[luna::methods]
impl Item {
    /// `Item.new(name, quantity, price)`: a constructor (no receiver).
    pub fn new(name: &str, quantity: u32, unit_price: u64) -> Item {
        Item { name: name.to_string(), quantity, unit_price, audit_log: Vec::new() }
    }

    /// `item:total()`: a method reading the value.
    pub fn total(&self) -> u64 {
        self.quantity as u64 * self.unit_price
    }

    /// `item:take(n)`: a method changing it; a Rust error becomes a Lua
    /// error the script can catch.
    pub fn take(&mut self, n: u32) -> LuaResult<u32> {
        if n > self.quantity {
            return Err(LuaError::runtime(format!("only {} {} left", self.quantity, self.name)));
        }
        self.quantity -= n;
        self.audit_log.push(format!("took {n}"));
        Ok(self.quantity)
    }

    /// `a + b`: merges two lines of the same product.
    #[lua(meta = "add")]
    pub fn merge(&self, other: &Item) -> LuaResult<Item> {
        if other.name != self.name {
            return Err(LuaError::runtime(format!("cannot merge {} with {}", self.name, other.name)));
        }
        Ok(Item::new(&self.name, self.quantity + other.quantity, self.unit_price.max(other.unit_price)))
    }

    /// `tostring(item)`.
    #[lua(meta = "tostring")]
    pub fn describe(&self) -> String {
        format!("{} x{} @ {}.{:02}", self.name, self.quantity, self.unit_price / 100, self.unit_price % 100)
    }

    /// `#item`: the quantity.
    #[lua(meta = "len")]
    pub fn count(&self) -> u32 {
        self.quantity
    }
}

const SCRIPT: &str = r#"
local apples = Item.new("apple", 10, 45)
local more = Item.new("apple", 5, 50)
print(tostring(apples), "total", apples:total())

apples.price = 40                  -- a setter
apples:take(3)                     -- a mutable method
local all = apples + more          -- a metamethod
print(tostring(all), "count", #all)

local ok, err = pcall(apples.take, apples, 100)
print("taking 100:", ok, err)

local ok2, err2 = pcall(function() apples.quantity = "many" end)
print("bad assignment:", ok2, err2)

stock = { apples, all, Item.new("pear", 2, 120) }
"#;

fn main() -> LuaResult<()> {
    let lua = Lua::new();
    lua.register_userdata::<Item>("Item")?;
    lua.load(SCRIPT).set_name("=inventory.lua").exec()?;

    // Back in Rust: borrow the values the script left in `stock`.
    let stock: LuaTable = lua.globals().get("stock")?;
    let mut value = 0;
    for item in stock.sequence_values::<LuaAnyUserdata>() {
        let item = item?;
        let line = item.borrow::<Item>()?;
        println!("{:<6} {:>3} units, {:>5} cents", line.name, line.quantity, line.total());
        value += line.total();
    }
    println!("stock value: {value} cents");
    Ok(())
}
