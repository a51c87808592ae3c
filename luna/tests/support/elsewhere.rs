//! A userdata struct whose `#[luna::methods]` block is in another file
//! (`derive.rs`): the block needs nothing but the struct's derive.

use luna::prelude::*;

#[derive(LuaUserdata)]
pub struct Meters {
    #[lua(get, name = "value")]
    pub amount: f64,
}

impl Meters {
    pub fn new(amount: f64) -> Meters {
        Meters { amount }
    }
}
