//! The collector's controls: full collections and steps, stopping and
//! restarting, and its mode and parameters (`Lua::gc_set_mode`, as
//! `collectgarbage("incremental"/"generational", ...)`).

use luna_core::gc::GcMode;

use crate::error::LuaResult;
use crate::lua::Lua;

/// Parameters of the incremental mode (mlua's `GcIncParams`). `None`
/// keeps the current value.
///
/// ```
/// # use luna::prelude::*;
/// let p = LuaGcIncParams::default().pause(150).step_multiplier(300);
/// assert_eq!((p.pause, p.step_multiplier, p.step_size), (Some(150), Some(300), None));
/// ```
#[non_exhaustive]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LuaGcIncParams {
    /// How long the collector waits before a new cycle: a new cycle starts
    /// when memory reaches this percentage of what the last one left
    /// (Lua's default 200: twice).
    pub pause: Option<i32>,
    /// The speed of the collector relative to allocation, in percent
    /// (default 100).
    pub step_multiplier: Option<i32>,
    /// The size of a step, as a power of two of bytes (default 13: 8 KiB).
    pub step_size: Option<i32>,
}

impl LuaGcIncParams {
    /// Sets `pause`.
    #[must_use]
    pub fn pause(mut self, v: i32) -> LuaGcIncParams {
        self.pause = Some(v);
        self
    }

    /// Sets `step_multiplier`.
    #[must_use]
    pub fn step_multiplier(mut self, v: i32) -> LuaGcIncParams {
        self.step_multiplier = Some(v);
        self
    }

    /// Sets `step_size`.
    #[must_use]
    pub fn step_size(mut self, v: i32) -> LuaGcIncParams {
        self.step_size = Some(v);
        self
    }
}

/// Parameters of the generational mode (mlua's `GcGenParams`). `None`
/// keeps the current value.
///
/// ```
/// # use luna::prelude::*;
/// let p = LuaGcGenParams::default().minor_multiplier(25);
/// assert_eq!((p.minor_multiplier, p.minor_to_major), (Some(25), None));
/// ```
#[non_exhaustive]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LuaGcGenParams {
    /// The memory growth, in percent of what the last major collection
    /// left, that triggers a minor collection (default 20).
    pub minor_multiplier: Option<i32>,
    /// The growth, in percent, that triggers a major collection (default
    /// 100).
    pub minor_to_major: Option<i32>,
}

impl LuaGcGenParams {
    /// Sets `minor_multiplier`.
    #[must_use]
    pub fn minor_multiplier(mut self, v: i32) -> LuaGcGenParams {
        self.minor_multiplier = Some(v);
        self
    }

    /// Sets `minor_to_major`.
    #[must_use]
    pub fn minor_to_major(mut self, v: i32) -> LuaGcGenParams {
        self.minor_to_major = Some(v);
        self
    }
}

/// The collector's mode, with its parameters (mlua's `GcMode`).
///
/// ```
/// # use luna::prelude::*;
/// let lua = Lua::new();
/// lua.gc_set_mode(LuaGcMode::Generational(LuaGcGenParams::default().minor_multiplier(25)));
/// assert_eq!(lua.load("return collectgarbage('incremental')").eval::<String>()?, "generational");
/// # Ok::<(), LuaError>(())
/// ```
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LuaGcMode {
    /// Incremental mark and sweep.
    Incremental(LuaGcIncParams),
    /// Generational.
    Generational(LuaGcGenParams),
}

/// A parameter as the runtime takes it (0 keeps the value, as in
/// `collectgarbage`).
fn param(v: Option<i32>) -> Option<i64> {
    v.filter(|&v| v != 0).map(i64::from)
}

impl Lua {
    /// Runs a full collection: everything unreachable is freed and its
    /// finalizers run.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// lua.load("garbage = {} for i = 1, 1000 do garbage[i] = {} end garbage = nil").exec()?;
    /// let before = lua.used_memory();
    /// lua.gc_collect()?;
    /// assert!(lua.used_memory() < before);
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn gc_collect(&self) -> LuaResult<()> {
        self.with(|st| st.full_gc(false))
    }

    /// Runs a basic step of the collector; returns whether it finished a
    /// cycle.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// let mut steps = 1;
    /// while !lua.gc_step()? {
    ///     steps += 1;
    /// }
    /// assert!(steps >= 1);
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn gc_step(&self) -> LuaResult<bool> {
        self.gc_step_kbytes(0)
    }

    /// Runs a step of the collector as if `kbytes` KiB had been allocated
    /// (`collectgarbage("step", kbytes)`); returns whether it finished a
    /// cycle.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// while !lua.gc_step_kbytes(64)? {}
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn gc_step_kbytes(&self, kbytes: usize) -> LuaResult<bool> {
        self.with(|st| st.gc_step_kb(i64::try_from(kbytes).unwrap_or(i64::MAX)))
    }

    /// Stops the automatic collector (`collectgarbage("stop")`): memory
    /// grows until it restarts or a collection is asked for.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// lua.gc_stop();
    /// assert!(!lua.gc_is_running());
    /// lua.gc_restart();
    /// assert!(lua.gc_is_running());
    /// ```
    pub fn gc_stop(&self) {
        let _ = self.with(|st| st.set_gc_running(false));
    }

    /// Restarts the automatic collector.
    pub fn gc_restart(&self) {
        let _ = self.with(|st| st.set_gc_running(true));
    }

    /// Whether the automatic collector runs.
    pub fn gc_is_running(&self) -> bool {
        self.with(|st| st.gc_running()).unwrap_or(false)
    }

    /// Switches the collector to `mode` with its parameters, returning the
    /// previous mode (with its parameters `None`: they are not read back,
    /// as in mlua).
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// let old = lua.gc_set_mode(LuaGcMode::Generational(LuaGcGenParams::default()));
    /// assert_eq!(old, LuaGcMode::Incremental(LuaGcIncParams::default()));
    /// let params = LuaGcIncParams::default().pause(100);
    /// assert!(matches!(lua.gc_set_mode(LuaGcMode::Incremental(params)), LuaGcMode::Generational(_)));
    /// ```
    pub fn gc_set_mode(&self, mode: LuaGcMode) -> LuaGcMode {
        let old = self.with(|st| match mode {
            LuaGcMode::Incremental(p) => {
                st.set_gc_inc_params(param(p.pause), param(p.step_multiplier), param(p.step_size));
                st.set_gc_mode(GcMode::Incremental)
            }
            LuaGcMode::Generational(p) => {
                st.set_gc_gen_params(param(p.minor_multiplier), param(p.minor_to_major));
                st.set_gc_mode(GcMode::Generational)
            }
        });
        match old {
            Ok(GcMode::Generational) => LuaGcMode::Generational(LuaGcGenParams::default()),
            _ => LuaGcMode::Incremental(LuaGcIncParams::default()),
        }
    }
}
