//! The facts an output prints (figures, statuses), held packed and deflated until the build
//! report is written: a national run keeps a thousand outputs' facts, and as a map of strings
//! they were ~45 KB an output; packed, ~15 KB; deflated (labels and origins repeat), ~3 KB.

use std::collections::BTreeMap;

use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One printed fact: "Sykefravær 2018" = "7,3 %" from `nokkeltall.csv:3:18`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fact {
    pub label: String,
    pub value: String,
    pub origin: String,
}

/// Facts by key, in key order, each field's length then its bytes, deflated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    deflated: Box<[u8]>,
}

/// [`Facts`] inflated to be read.
pub(crate) struct Packed(Vec<u8>);

/// One fact as stored: its key, label, value and origin.
pub(crate) type FactRef<'a> = (&'a str, &'a str, &'a str, &'a str);

impl Facts {
    pub fn is_empty(&self) -> bool {
        self.deflated.is_empty()
    }

    /// The facts to read.
    pub(crate) fn open(&self) -> Packed {
        use std::io::Read;
        let mut packed = Vec::new();
        if !self.deflated.is_empty() {
            // Deflated here from a Vec: reading it back cannot fail short of a bug, and a
            // report with facts missing is better than no report.
            let _ = flate2::read::DeflateDecoder::new(&self.deflated[..]).read_to_end(&mut packed);
        }
        Packed(packed)
    }
}

impl Packed {
    /// The facts in key order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = FactRef<'_>> {
        let mut rest: &[u8] = &self.0;
        std::iter::from_fn(move || {
            if rest.is_empty() {
                return None;
            }
            let mut field = || {
                let (length, tail) = rest.split_at_checked(4).unwrap_or((&[0; 4], &[]));
                let length = u32::from_le_bytes([length[0], length[1], length[2], length[3]]);
                let (text, tail) = tail
                    .split_at_checked(length as usize)
                    .unwrap_or((tail, &[]));
                rest = tail;
                // Written from `&str` below, so always UTF-8.
                std::str::from_utf8(text).unwrap_or_default()
            };
            Some((field(), field(), field(), field()))
        })
    }

    /// The facts by key, borrowed.
    pub(crate) fn by_key(&self) -> BTreeMap<&str, FactRef<'_>> {
        self.iter().map(|fact| (fact.0, fact)).collect()
    }
}

impl From<BTreeMap<String, Fact>> for Facts {
    fn from(map: BTreeMap<String, Fact>) -> Facts {
        let size: usize = map
            .iter()
            .map(|(k, f)| 16 + k.len() + f.label.len() + f.value.len() + f.origin.len())
            .sum();
        let mut packed = Vec::with_capacity(size);
        for (key, fact) in &map {
            for field in [key, &fact.label, &fact.value, &fact.origin] {
                // A fact's field is a printed figure or a label: far below 4 GB.
                let length = u32::try_from(field.len()).unwrap_or(u32::MAX);
                packed.extend_from_slice(&length.to_le_bytes());
                packed.extend_from_slice(&field.as_bytes()[..length as usize]);
            }
        }
        if packed.is_empty() {
            return Facts::default();
        }
        use std::io::Write;
        let mut encoder =
            flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
        // Writing to a Vec cannot fail.
        let _ = encoder.write_all(&packed);
        Facts {
            deflated: encoder.finish().unwrap_or_default().into_boxed_slice(),
        }
    }
}

/// Written as the map it was made from: `{"key": {"label", "value", "origin"}}`.
impl Serialize for Facts {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Out<'a> {
            label: &'a str,
            value: &'a str,
            origin: &'a str,
        }
        let packed = self.open();
        let mut map = serializer.serialize_map(None)?;
        for (key, label, value, origin) in packed.iter() {
            map.serialize_entry(
                key,
                &Out {
                    label,
                    value,
                    origin,
                },
            )?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Facts {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Facts, D::Error> {
        BTreeMap::<String, Fact>::deserialize(deserializer).map(Facts::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_come_back_as_they_went_in_and_write_as_the_map() {
        let fact = |label: &str, value: &str| Fact {
            label: label.into(),
            value: value.into(),
            origin: "input/data/kpi.csv:3:18".into(),
        };
        let map = BTreeMap::from([
            (
                "sykefravær 2024".to_string(),
                fact("Sykefravær 2024", "7,3 %"),
            ),
            (
                "netto 2024".to_string(),
                fact("Netto driftsresultat", "−1,2 %"),
            ),
            ("tom".to_string(), fact("", "")),
        ]);
        let facts = Facts::from(map.clone());
        let packed = facts.open();
        let keys: Vec<&str> = packed.iter().map(|f| f.0).collect();
        assert_eq!(keys, ["netto 2024", "sykefravær 2024", "tom"]);
        assert_eq!(packed.by_key()["sykefravær 2024"].2, "7,3 %");
        let written = serde_json::to_string(&facts).unwrap();
        assert_eq!(written, serde_json::to_string(&map).unwrap());
        let read: Facts = serde_json::from_str(&written).unwrap();
        assert_eq!(read, facts);
        assert!(Facts::default().is_empty());
    }
}
