//! The serde scenario: a nested configuration (strings, numbers, a `Vec`
//! of 100 structs, a `HashMap`) converted to a Lua value and back. It has
//! one copy per runtime only because mlua's conversions come from the
//! `LuaSerdeExt` trait, which has to be imported.

#[derive(serde::Serialize, serde::Deserialize, Clone, PartialEq, Debug)]
struct AppConfig {
    name: String,
    version: u32,
    ratio: f64,
    debug: bool,
    servers: Vec<Server>,
    limits: std::collections::HashMap<String, i64>,
}

#[derive(serde::Serialize, serde::Deserialize, Clone, PartialEq, Debug)]
struct Server {
    host: String,
    port: u16,
    weight: f64,
    tags: Vec<String>,
}

fn sample_config() -> AppConfig {
    AppConfig {
        name: "cluster".into(),
        version: 3,
        ratio: 0.75,
        debug: false,
        servers: (0..100)
            .map(|i| Server {
                host: format!("host{i}.example.org"),
                port: 8000 + i as u16,
                weight: i as f64 / 10.0,
                tags: vec!["a".into(), "b".into()],
            })
            .collect(),
        limits: (0..10).map(|i| (format!("limit{i}"), i * 100)).collect(),
    }
}

macro_rules! serde_scenario {
    ($Lua:ty, $($ext:path)?) => {
        pub fn serde_round_trip(n: u64) -> crate::Run {
            $(use $ext;)?
            let lua = <$Lua>::new();
            let cfg = super::sample_config();
            let t0 = std::time::Instant::now();
            for _ in 0..n {
                let v = lua.to_value(&cfg).expect("to_value");
                let back: super::AppConfig = lua.from_value(v).expect("from_value");
                std::hint::black_box(back);
            }
            (t0.elapsed(), n)
        }
    };
}

pub mod luna_serde {
    serde_scenario!(luna::Lua,);
}

pub mod mlua_serde {
    serde_scenario!(mlua::Lua, mlua::LuaSerdeExt);
}
