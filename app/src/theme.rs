//! Dark and light themes: the tokens live in `assets/styles/theme.css`; this only picks one,
//! remembers the choice on the device and sets `data-theme` on the document.

use dioxus::prelude::*;

use crate::drafts;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    Dark,
    Light,
}

impl Theme {
    pub fn label(self) -> &'static str {
        match self {
            Self::Dark => "dark",
            Self::Light => "light",
        }
    }

    pub fn other(self) -> Self {
        match self {
            Self::Dark => Self::Light,
            Self::Light => Self::Dark,
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "dark" => Some(Self::Dark),
            "light" => Some(Self::Light),
            _ => None,
        }
    }
}

const KEY: &str = "theme";

fn apply(theme: Theme) {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("data-theme", theme.label());
    }
}

/// The theme signal, provided at the root: the saved choice, else the OS preference.
pub fn provide_theme() -> Signal<Theme> {
    let theme = use_context_provider(|| {
        let saved = drafts::get(KEY).and_then(|s| Theme::parse(&s));
        let os_light = web_sys::window()
            .and_then(|w| {
                w.match_media("(prefers-color-scheme: light)")
                    .ok()
                    .flatten()
            })
            .is_some_and(|m| m.matches());
        Signal::new(saved.unwrap_or(if os_light { Theme::Light } else { Theme::Dark }))
    });
    use_effect(move || {
        let t = theme();
        apply(t);
        drafts::set(KEY, t.label());
    });
    theme
}

pub fn use_theme() -> Signal<Theme> {
    use_context::<Signal<Theme>>()
}
