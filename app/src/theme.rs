//! Dark and light themes: the tokens live in `assets/styles/theme.css`; this only picks one,
//! remembers the choice on the device and sets `data-theme` on the document.

use dioxus::prelude::*;

use crate::device_prefs;

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
        let saved = device_prefs::get(KEY).and_then(|s| Theme::parse(&s));
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
        device_prefs::set(KEY, t.label());
    });
    theme
}

pub fn use_theme() -> Signal<Theme> {
    use_context::<Signal<Theme>>()
}

#[cfg(test)]
mod tests {
    //! WCAG AA for both themes, computed from the one stylesheet that defines the tokens.

    use std::collections::HashMap;

    const CSS: &str = include_str!("../../assets/styles/theme.css");

    /// `--name: #rrggbb` pairs of the block that starts with `selector {`.
    fn tokens(selector: &str) -> HashMap<String, String> {
        let start = CSS.find(selector).expect("theme block") + selector.len();
        let raw = &CSS[start..start + CSS[start..].find('}').expect("block end")];
        let mut body = String::new();
        let mut rest = raw;
        while let Some(open) = rest.find("/*") {
            body.push_str(&rest[..open]);
            rest = rest[open..]
                .find("*/")
                .map_or("", |close| &rest[open + close + 2..]);
        }
        body.push_str(rest);
        body.split(';')
            .filter_map(|decl| {
                let (k, v) = decl.split_once(':')?;
                let (k, v) = (k.trim(), v.trim());
                (k.starts_with("--") && v.starts_with('#')).then(|| {
                    (
                        k.trim_start_matches("--").to_owned(),
                        v.split_whitespace().next().unwrap_or(v).to_owned(),
                    )
                })
            })
            .collect()
    }

    fn luminance(hex: &str) -> f64 {
        let v = u32::from_str_radix(hex.trim_start_matches('#'), 16).expect("hex colour");
        let channel = |shift: u32| {
            let c = f64::from((v >> shift) & 0xff) / 255.0;
            if c <= 0.03928 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(16) + 0.7152 * channel(8) + 0.0722 * channel(0)
    }

    fn contrast(a: &str, b: &str) -> f64 {
        let (la, lb) = (luminance(a), luminance(b));
        (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
    }

    /// Text colour on background colour, as the stylesheet pairs them.
    const PAIRS: [(&str, &str); 16] = [
        ("text", "bg"),
        ("text", "surface"),
        ("text", "surface-2"),
        ("text-muted", "bg"),
        ("text-muted", "surface"),
        ("text-muted", "surface-2"),
        ("accent-text", "green"),
        ("warn-text", "warn-bg"),
        ("green-text", "surface"),
        ("green-text", "bg"),
        ("stage-text", "surface"),
        ("stage-text", "stage-soft"),
        ("link", "bg"),
        ("link", "surface"),
        ("stage-text", "bg"),
        ("text", "warn-bg"),
    ];

    #[test]
    fn every_text_colour_meets_wcag_aa_in_both_themes() {
        let dark = tokens(":root {");
        let mut light = dark.clone();
        light.extend(tokens(":root[data-theme=\"light\"] {"));
        for (name, theme) in [("dark", &dark), ("light", &light)] {
            for (fg, bg) in PAIRS {
                let ratio = contrast(&theme[fg], &theme[bg]);
                assert!(
                    ratio >= 4.5,
                    "{name}: --{fg} on --{bg} is {ratio:.2}:1, under 4.5:1"
                );
            }
            // Orange badges carry dark text.
            assert!(contrast("#1d0e00", &theme["stage"]) >= 4.5);
        }
    }
}
