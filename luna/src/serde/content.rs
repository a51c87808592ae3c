//! `Content`: a Rust value as serde's data model sees it, recorded by its
//! `Serialize` impl. It is how a serializable userdata
//! (`Lua::create_ser_userdata`) takes part in both directions: the
//! `Serialize` of a `LuaValue` replays it into the target serializer, and
//! `Lua::from_value` deserializes the target type from it, as mlua does
//! through `serde_value`. Recording takes no state access (the value is
//! Rust data), so the deserializer can do it in the middle of its own
//! access, where `Lua::to_value` could not run.

use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};
use serde::ser::{self, Serialize};

use super::PathError;

type Result<T> = std::result::Result<T, PathError>;

/// One value of serde's data model, with the names the serializer gave
/// (so that replaying it calls the same `Serializer` methods).
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Content {
    Bool(bool),
    I64(i64),
    U64(u64),
    I128(i128),
    U128(u128),
    F32(f32),
    F64(f64),
    Char(char),
    String(String),
    Bytes(Vec<u8>),
    None,
    Some(Box<Content>),
    Unit,
    UnitStruct(&'static str),
    UnitVariant(&'static str, u32, &'static str),
    NewtypeStruct(&'static str, Box<Content>),
    NewtypeVariant(&'static str, u32, &'static str, Box<Content>),
    Seq(Vec<Content>),
    Tuple(Vec<Content>),
    TupleStruct(&'static str, Vec<Content>),
    TupleVariant(&'static str, u32, &'static str, Vec<Content>),
    Map(Vec<(Content, Content)>),
    Struct(&'static str, Vec<(&'static str, Content)>),
    StructVariant(&'static str, u32, &'static str, Vec<(&'static str, Content)>),
}

impl Content {
    /// Records `value`.
    pub(crate) fn of<T: Serialize + ?Sized>(value: &T) -> Result<Content> {
        value.serialize(Recorder)
    }
}

// ---------------------------------------------------------------------------
// Recording.

/// The serializer that records a `Content`.
struct Recorder;

/// A sequence-like value being recorded: its elements and which kind of
/// sequence it is.
struct SeqRecorder {
    items: Vec<Content>,
    kind: SeqKind,
}

enum SeqKind {
    Seq,
    Tuple,
    TupleStruct(&'static str),
    TupleVariant(&'static str, u32, &'static str),
}

/// A map being recorded, with its pending key.
struct MapRecorder {
    entries: Vec<(Content, Content)>,
    key: Option<Content>,
}

/// A struct (or struct variant, with its names) being recorded.
struct StructRecorder {
    fields: Vec<(&'static str, Content)>,
    variant: Option<(u32, &'static str)>,
    name: &'static str,
}

/// Room reserved up front: a length hint is the serializer's word, not a
/// promise, so a huge one does not allocate.
fn capacity(len: usize) -> usize {
    len.min(64)
}

impl ser::Serializer for Recorder {
    type Ok = Content;
    type Error = PathError;
    type SerializeSeq = SeqRecorder;
    type SerializeTuple = SeqRecorder;
    type SerializeTupleStruct = SeqRecorder;
    type SerializeTupleVariant = SeqRecorder;
    type SerializeMap = MapRecorder;
    type SerializeStruct = StructRecorder;
    type SerializeStructVariant = StructRecorder;

    fn serialize_bool(self, v: bool) -> Result<Content> {
        Ok(Content::Bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result<Content> {
        Ok(Content::I64(v.into()))
    }
    fn serialize_i16(self, v: i16) -> Result<Content> {
        Ok(Content::I64(v.into()))
    }
    fn serialize_i32(self, v: i32) -> Result<Content> {
        Ok(Content::I64(v.into()))
    }
    fn serialize_i64(self, v: i64) -> Result<Content> {
        Ok(Content::I64(v))
    }
    fn serialize_i128(self, v: i128) -> Result<Content> {
        Ok(Content::I128(v))
    }
    fn serialize_u8(self, v: u8) -> Result<Content> {
        Ok(Content::U64(v.into()))
    }
    fn serialize_u16(self, v: u16) -> Result<Content> {
        Ok(Content::U64(v.into()))
    }
    fn serialize_u32(self, v: u32) -> Result<Content> {
        Ok(Content::U64(v.into()))
    }
    fn serialize_u64(self, v: u64) -> Result<Content> {
        Ok(Content::U64(v))
    }
    fn serialize_u128(self, v: u128) -> Result<Content> {
        Ok(Content::U128(v))
    }
    fn serialize_f32(self, v: f32) -> Result<Content> {
        Ok(Content::F32(v))
    }
    fn serialize_f64(self, v: f64) -> Result<Content> {
        Ok(Content::F64(v))
    }
    fn serialize_char(self, v: char) -> Result<Content> {
        Ok(Content::Char(v))
    }
    fn serialize_str(self, v: &str) -> Result<Content> {
        Ok(Content::String(v.to_owned()))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Content> {
        Ok(Content::Bytes(v.to_vec()))
    }
    fn serialize_none(self) -> Result<Content> {
        Ok(Content::None)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Content> {
        Ok(Content::Some(Box::new(value.serialize(Recorder)?)))
    }
    fn serialize_unit(self) -> Result<Content> {
        Ok(Content::Unit)
    }
    fn serialize_unit_struct(self, name: &'static str) -> Result<Content> {
        Ok(Content::UnitStruct(name))
    }
    fn serialize_unit_variant(self, name: &'static str, index: u32, variant: &'static str) -> Result<Content> {
        Ok(Content::UnitVariant(name, index, variant))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, name: &'static str, value: &T) -> Result<Content> {
        Ok(Content::NewtypeStruct(name, Box::new(value.serialize(Recorder)?)))
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Content> {
        Ok(Content::NewtypeVariant(name, index, variant, Box::new(value.serialize(Recorder)?)))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<SeqRecorder> {
        Ok(SeqRecorder { items: Vec::with_capacity(capacity(len.unwrap_or(0))), kind: SeqKind::Seq })
    }
    fn serialize_tuple(self, len: usize) -> Result<SeqRecorder> {
        Ok(SeqRecorder { items: Vec::with_capacity(capacity(len)), kind: SeqKind::Tuple })
    }
    fn serialize_tuple_struct(self, name: &'static str, len: usize) -> Result<SeqRecorder> {
        Ok(SeqRecorder { items: Vec::with_capacity(capacity(len)), kind: SeqKind::TupleStruct(name) })
    }
    fn serialize_tuple_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<SeqRecorder> {
        Ok(SeqRecorder { items: Vec::with_capacity(capacity(len)), kind: SeqKind::TupleVariant(name, index, variant) })
    }
    fn serialize_map(self, len: Option<usize>) -> Result<MapRecorder> {
        Ok(MapRecorder { entries: Vec::with_capacity(capacity(len.unwrap_or(0))), key: None })
    }
    fn serialize_struct(self, name: &'static str, len: usize) -> Result<StructRecorder> {
        Ok(StructRecorder { fields: Vec::with_capacity(capacity(len)), variant: None, name })
    }
    fn serialize_struct_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<StructRecorder> {
        Ok(StructRecorder { fields: Vec::with_capacity(capacity(len)), variant: Some((index, variant)), name })
    }
}

impl SeqRecorder {
    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.items.push(value.serialize(Recorder)?);
        Ok(())
    }

    fn finish(self) -> Content {
        match self.kind {
            SeqKind::Seq => Content::Seq(self.items),
            SeqKind::Tuple => Content::Tuple(self.items),
            SeqKind::TupleStruct(name) => Content::TupleStruct(name, self.items),
            SeqKind::TupleVariant(name, index, variant) => Content::TupleVariant(name, index, variant, self.items),
        }
    }
}

/// The sequence-like compound traits of the recorder.
macro_rules! record_seq {
    ($($Trait:ident :: $method:ident),*) => {$(
        impl ser::$Trait for SeqRecorder {
            type Ok = Content;
            type Error = PathError;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
                self.push(value)
            }
            fn end(self) -> Result<Content> {
                Ok(self.finish())
            }
        }
    )*};
}

record_seq!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

impl ser::SerializeMap for MapRecorder {
    type Ok = Content;
    type Error = PathError;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<()> {
        self.key = Some(key.serialize(Recorder)?);
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        let Some(key) = self.key.take() else {
            return Err(PathError::new("serialize_value called before serialize_key"));
        };
        self.entries.push((key, value.serialize(Recorder)?));
        Ok(())
    }

    fn end(self) -> Result<Content> {
        Ok(Content::Map(self.entries))
    }
}

/// The struct-like compound traits of the recorder.
macro_rules! record_struct {
    ($($Trait:ident),*) => {$(
        impl ser::$Trait for StructRecorder {
            type Ok = Content;
            type Error = PathError;
            fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<()> {
                self.fields.push((key, value.serialize(Recorder)?));
                Ok(())
            }
            fn end(self) -> Result<Content> {
                Ok(match self.variant {
                    None => Content::Struct(self.name, self.fields),
                    Some((index, variant)) => Content::StructVariant(self.name, index, variant, self.fields),
                })
            }
        }
    )*};
}

record_struct!(SerializeStruct, SerializeStructVariant);

// ---------------------------------------------------------------------------
// Replaying into another serializer.

impl Serialize for Content {
    fn serialize<S: ser::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use ser::{
            SerializeMap, SerializeSeq, SerializeStruct, SerializeStructVariant, SerializeTuple, SerializeTupleStruct,
            SerializeTupleVariant,
        };
        match self {
            Content::Bool(v) => s.serialize_bool(*v),
            Content::I64(v) => s.serialize_i64(*v),
            Content::U64(v) => s.serialize_u64(*v),
            Content::I128(v) => s.serialize_i128(*v),
            Content::U128(v) => s.serialize_u128(*v),
            Content::F32(v) => s.serialize_f32(*v),
            Content::F64(v) => s.serialize_f64(*v),
            Content::Char(v) => s.serialize_char(*v),
            Content::String(v) => s.serialize_str(v),
            Content::Bytes(v) => s.serialize_bytes(v),
            Content::None => s.serialize_none(),
            Content::Some(v) => s.serialize_some(&**v),
            Content::Unit => s.serialize_unit(),
            Content::UnitStruct(name) => s.serialize_unit_struct(name),
            Content::UnitVariant(name, index, variant) => s.serialize_unit_variant(name, *index, variant),
            Content::NewtypeStruct(name, v) => s.serialize_newtype_struct(name, &**v),
            Content::NewtypeVariant(name, index, variant, v) => {
                s.serialize_newtype_variant(name, *index, variant, &**v)
            }
            Content::Seq(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Content::Tuple(items) => {
                let mut tuple = s.serialize_tuple(items.len())?;
                for item in items {
                    tuple.serialize_element(item)?;
                }
                tuple.end()
            }
            Content::TupleStruct(name, items) => {
                let mut tuple = s.serialize_tuple_struct(name, items.len())?;
                for item in items {
                    tuple.serialize_field(item)?;
                }
                tuple.end()
            }
            Content::TupleVariant(name, index, variant, items) => {
                let mut tuple = s.serialize_tuple_variant(name, *index, variant, items.len())?;
                for item in items {
                    tuple.serialize_field(item)?;
                }
                tuple.end()
            }
            Content::Map(entries) => {
                let mut map = s.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
            Content::Struct(name, fields) => {
                let mut st = s.serialize_struct(name, fields.len())?;
                for (k, v) in fields {
                    st.serialize_field(k, v)?;
                }
                st.end()
            }
            Content::StructVariant(name, index, variant, fields) => {
                let mut st = s.serialize_struct_variant(name, *index, variant, fields.len())?;
                for (k, v) in fields {
                    st.serialize_field(k, v)?;
                }
                st.end()
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Deserializing from it.

impl Content {
    /// The externally tagged form of an enum variant, as a Lua table has
    /// it: the variant name and its value (none for a unit variant).
    fn into_variant(self) -> std::result::Result<(Content, Option<Content>), Content> {
        Ok(match self {
            Content::UnitVariant(_, _, v) => (Content::String(v.into()), None),
            Content::String(_) => (self, None),
            Content::NewtypeVariant(_, _, v, inner) => (Content::String(v.into()), Some(*inner)),
            Content::TupleVariant(_, _, v, items) => (Content::String(v.into()), Some(Content::Seq(items))),
            Content::StructVariant(name, _, v, fields) => {
                (Content::String(v.into()), Some(Content::Struct(name, fields)))
            }
            Content::Map(entries) if entries.len() == 1 => match entries.into_iter().next() {
                Some((k, v)) => (k, Some(v)),
                None => return Err(Content::Map(Vec::new())),
            },
            other => return Err(other),
        })
    }

    fn unexpected(&self) -> de::Unexpected<'_> {
        match self {
            Content::Bool(b) => de::Unexpected::Bool(*b),
            Content::I64(i) => de::Unexpected::Signed(*i),
            Content::U64(u) => de::Unexpected::Unsigned(*u),
            Content::F32(f) => de::Unexpected::Float((*f).into()),
            Content::F64(f) => de::Unexpected::Float(*f),
            Content::Char(c) => de::Unexpected::Char(*c),
            Content::String(s) => de::Unexpected::Str(s),
            Content::Bytes(b) => de::Unexpected::Bytes(b),
            Content::None | Content::Some(_) => de::Unexpected::Option,
            Content::Unit | Content::UnitStruct(_) => de::Unexpected::Unit,
            Content::UnitVariant(..) => de::Unexpected::UnitVariant,
            Content::NewtypeStruct(..) => de::Unexpected::NewtypeStruct,
            Content::NewtypeVariant(..) => de::Unexpected::NewtypeVariant,
            Content::Seq(_) | Content::Tuple(_) | Content::TupleStruct(..) => de::Unexpected::Seq,
            Content::TupleVariant(..) => de::Unexpected::TupleVariant,
            Content::Map(_) | Content::Struct(..) => de::Unexpected::Map,
            Content::StructVariant(..) => de::Unexpected::StructVariant,
            Content::I128(_) | Content::U128(_) => de::Unexpected::Other("128-bit integer"),
        }
    }
}

fn visit_seq<'de, V: Visitor<'de>>(items: Vec<Content>, visitor: V) -> Result<V::Value> {
    let mut seq = de::value::SeqDeserializer::new(items.into_iter());
    let out = visitor.visit_seq(&mut seq)?;
    seq.end()?;
    Ok(out)
}

fn visit_map<'de, V, K>(entries: Vec<(K, Content)>, visitor: V) -> Result<V::Value>
where
    V: Visitor<'de>,
    K: IntoDeserializer<'de, PathError>,
{
    let mut map = de::value::MapDeserializer::new(entries.into_iter());
    let out = visitor.visit_map(&mut map)?;
    map.end()?;
    Ok(out)
}

impl<'de> IntoDeserializer<'de, PathError> for Content {
    type Deserializer = Content;
    fn into_deserializer(self) -> Content {
        self
    }
}

impl<'de> de::Deserializer<'de> for Content {
    type Error = PathError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self {
            Content::Bool(v) => visitor.visit_bool(v),
            Content::I64(v) => visitor.visit_i64(v),
            Content::U64(v) => visitor.visit_u64(v),
            Content::I128(v) => visitor.visit_i128(v),
            Content::U128(v) => visitor.visit_u128(v),
            Content::F32(v) => visitor.visit_f32(v),
            Content::F64(v) => visitor.visit_f64(v),
            Content::Char(v) => visitor.visit_char(v),
            Content::String(v) => visitor.visit_string(v),
            Content::Bytes(v) => visitor.visit_byte_buf(v),
            Content::None => visitor.visit_none(),
            Content::Some(v) => visitor.visit_some(*v),
            Content::Unit | Content::UnitStruct(_) => visitor.visit_unit(),
            // Newtypes are transparent, as in a Lua value.
            Content::NewtypeStruct(_, v) => v.deserialize_any(visitor),
            Content::Seq(items) | Content::Tuple(items) | Content::TupleStruct(_, items) => visit_seq(items, visitor),
            Content::Map(entries) => visit_map(entries, visitor),
            Content::Struct(_, fields) => visit_map(fields, visitor),
            // Variants read as their externally tagged form.
            Content::UnitVariant(_, _, v) => visitor.visit_str(v),
            variant => match variant.into_variant() {
                Ok((name, Some(value))) => visit_map(vec![(name, value)], visitor),
                Ok((name, None)) => name.deserialize_any(visitor),
                Err(other) => Err(de::Error::invalid_type(other.unexpected(), &visitor)),
            },
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self {
            // A unit is the null of a Lua value: `None`.
            Content::None | Content::Unit => visitor.visit_none(),
            Content::Some(v) => visitor.visit_some(*v),
            other => visitor.visit_some(other),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value> {
        match self {
            Content::NewtypeStruct(_, v) => visitor.visit_newtype_struct(*v),
            other => visitor.visit_newtype_struct(other),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        match self.into_variant() {
            Ok((name, value)) => visitor.visit_enum(VariantOf { name, value }),
            Err(other) => Err(de::Error::invalid_type(other.unexpected(), &"an enum variant")),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit unit_struct
        seq tuple tuple_struct map struct identifier
    }
}

/// An enum variant: its name and value.
struct VariantOf {
    name: Content,
    value: Option<Content>,
}

impl<'de> de::EnumAccess<'de> for VariantOf {
    type Error = PathError;
    type Variant = VariantValue;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, VariantValue)> {
        let name = seed.deserialize(self.name)?;
        Ok((name, VariantValue(self.value)))
    }
}

/// The value of an enum variant (none for a unit variant).
struct VariantValue(Option<Content>);

impl<'de> de::VariantAccess<'de> for VariantValue {
    type Error = PathError;

    fn unit_variant(self) -> Result<()> {
        match self.0 {
            None | Some(Content::Unit) => Ok(()),
            Some(other) => Err(de::Error::invalid_type(other.unexpected(), &"a unit variant")),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value> {
        match self.0 {
            Some(v) => seed.deserialize(v),
            None => Err(de::Error::invalid_type(de::Unexpected::UnitVariant, &"a newtype variant")),
        }
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        match self.0 {
            Some(v) => de::Deserializer::deserialize_seq(v, visitor),
            None => Err(de::Error::invalid_type(de::Unexpected::UnitVariant, &"a tuple variant")),
        }
    }

    fn struct_variant<V: Visitor<'de>>(self, _fields: &'static [&'static str], visitor: V) -> Result<V::Value> {
        match self.0 {
            Some(v) => de::Deserializer::deserialize_map(v, visitor),
            None => Err(de::Error::invalid_type(de::Unexpected::UnitVariant, &"a struct variant")),
        }
    }
}
