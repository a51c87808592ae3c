//! The dialect of a state: which language features it has, kept in one
//! table and queried by name (`st.dialect().has(Feature::MathCompat)`),
//! so that differences between dialects never become `if version`
//! tests scattered through the runtime.
//!
//! The only dialect so far is Lua 5.4 as PUC-Rio's release build makes
//! it, that is with `LUA_COMPAT_5_3` defined (luaconf.h). That macro
//! turns on three others: `LUA_COMPAT_MATHLIB` ([`Feature::MathCompat`]),
//! `LUA_COMPAT_LT_LE` ([`Feature::LeViaLt`]) and `LUA_COMPAT_APIINTCASTS`,
//! which only adds C macros and so has no counterpart here. A host can
//! turn the compatibility off ([`Dialect::with_compat53`]), which gives
//! the language of PUC's build without `LUA_COMPAT_5_3`.
//!
//! The libraries read the dialect when they are opened (so it is set
//! before `open_libs`); the comparison reads it whenever `<=` finds no
//! `__le` metamethod.

/// A language feature that differs between dialects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Feature {
    /// The deprecated functions of the `math` library: `atan2`, `cosh`,
    /// `sinh`, `tanh`, `pow`, `frexp`, `ldexp` and `log10` (PUC's
    /// `LUA_COMPAT_MATHLIB`).
    MathCompat,
    /// `a <= b` without an `__le` metamethod is computed as
    /// `not (b < a)` with `__lt` (PUC's `LUA_COMPAT_LT_LE`).
    LeViaLt,
}

impl Feature {
    /// Every feature.
    pub const ALL: [Feature; 2] = [Feature::MathCompat, Feature::LeViaLt];

    /// The name of the feature: PUC's configuration macro.
    pub const fn name(self) -> &'static str {
        match self {
            Feature::MathCompat => "LUA_COMPAT_MATHLIB",
            Feature::LeViaLt => "LUA_COMPAT_LT_LE",
        }
    }

    /// The features `LUA_COMPAT_5_3` turns on.
    pub const COMPAT53: [Feature; 2] = [Feature::MathCompat, Feature::LeViaLt];

    const fn bit(self) -> u32 {
        1 << self as u8
    }
}

/// The set of features of a state. The default is Lua 5.4 with the
/// compatibility of PUC's release build.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Dialect {
    features: u32,
}

impl Default for Dialect {
    fn default() -> Dialect {
        Dialect::lua54()
    }
}

impl Dialect {
    /// Lua 5.4 as PUC's release build: with `LUA_COMPAT_5_3`.
    pub const fn lua54() -> Dialect {
        Dialect { features: 0 }.with_compat53(true)
    }

    /// Lua 5.4 without `LUA_COMPAT_5_3`.
    pub const fn lua54_strict() -> Dialect {
        Dialect { features: 0 }
    }

    /// Whether the dialect has `feature`.
    #[inline]
    pub const fn has(self, feature: Feature) -> bool {
        self.features & feature.bit() != 0
    }

    /// The dialect with `feature` turned on or off.
    pub const fn with(self, feature: Feature, on: bool) -> Dialect {
        let features = if on { self.features | feature.bit() } else { self.features & !feature.bit() };
        Dialect { features }
    }

    /// The dialect with every feature of `LUA_COMPAT_5_3` turned on or
    /// off.
    pub const fn with_compat53(self, on: bool) -> Dialect {
        let mut d = self;
        let mut i = 0;
        while i < Feature::COMPAT53.len() {
            d = d.with(Feature::COMPAT53[i], on);
            i += 1;
        }
        d
    }

    /// Whether every feature of `LUA_COMPAT_5_3` is on.
    pub const fn compat53(self) -> bool {
        let mut i = 0;
        while i < Feature::COMPAT53.len() {
            if !self.has(Feature::COMPAT53[i]) {
                return false;
            }
            i += 1;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_puc_release_build() {
        let d = Dialect::default();
        assert_eq!(d, Dialect::lua54());
        assert!(d.compat53());
        for f in Feature::ALL {
            assert!(d.has(f), "{}", f.name());
        }
    }

    #[test]
    fn compat_off_and_single_features() {
        let d = Dialect::lua54().with_compat53(false);
        assert_eq!(d, Dialect::lua54_strict());
        assert!(!d.compat53());
        assert!(Feature::ALL.iter().all(|&f| !d.has(f)));
        let d = d.with(Feature::LeViaLt, true);
        assert!(d.has(Feature::LeViaLt) && !d.has(Feature::MathCompat) && !d.compat53());
        assert!(!d.with(Feature::LeViaLt, false).has(Feature::LeViaLt));
    }
}
