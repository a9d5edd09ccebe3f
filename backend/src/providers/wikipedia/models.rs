//! Wikidata's `wbgetentities` and search answers, and Wikipedia's REST page summary.

use std::collections::HashMap;

use serde::Deserialize;

/// `action=query&list=search`: the entities whose statements match.
#[derive(Debug, Clone, Deserialize)]
pub struct SearchAnswer {
    #[serde(default)]
    pub query: Option<SearchQuery>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    pub search: Vec<SearchHit>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SearchHit {
    /// The entity id, e.g. `Q44190`.
    pub title: String,
}

/// `action=wbgetentities`: entities by id (an unknown id answers `missing`).
#[derive(Debug, Clone, Deserialize)]
pub struct Entities {
    #[serde(default)]
    pub entities: HashMap<String, Entity>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Entity {
    #[serde(default)]
    pub claims: HashMap<String, Vec<Claim>>,
    #[serde(default)]
    pub sitelinks: HashMap<String, Sitelink>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Claim {
    pub mainsnak: Snak,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Snak {
    pub datavalue: Option<DataValue>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DataValue {
    pub value: serde_json::Value,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Sitelink {
    pub title: String,
}

impl Entity {
    /// Whether the entity states `value` for `property` (P434 a MusicBrainz artist id, P1902 a
    /// Spotify artist id).
    pub fn states(&self, property: &str, value: &str) -> bool {
        self.claims.get(property).is_some_and(|cs| {
            cs.iter().any(|c| {
                c.mainsnak
                    .datavalue
                    .as_ref()
                    .and_then(|d| d.value.as_str())
                    .is_some_and(|v| v.eq_ignore_ascii_case(value))
            })
        })
    }
}

/// `GET /api/rest_v1/page/summary/{title}`.
#[derive(Debug, Clone, Deserialize)]
pub struct Summary {
    /// `standard`, or `disambiguation`, `no-extract`… which are not a biography.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    #[serde(default)]
    pub extract: String,
    pub content_urls: Option<ContentUrls>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ContentUrls {
    pub desktop: Option<PageUrl>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PageUrl {
    pub page: String,
}
