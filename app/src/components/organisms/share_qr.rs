//! A show's QR code: its page in the web app on this server, for fans in the same venue to open
//! on their phones; printable (the print stylesheet keeps only this block).

use dioxus::prelude::*;
use qrcode::QrCode;
use qrcode::render::svg;
use theset_shared::ipc::req;
use uuid::Uuid;

use crate::ipc;

/// The QR code of `link` as SVG markup (made here, from the link alone).
pub fn qr_svg(link: &str) -> Option<String> {
    let code = QrCode::new(link.as_bytes()).ok()?;
    Some(
        code.render::<svg::Color>()
            .min_dimensions(200, 200)
            .dark_color(svg::Color("#000000"))
            .light_color(svg::Color("#ffffff"))
            .build(),
    )
}

#[component]
pub fn ShareQr(show: Uuid) -> Element {
    let link = use_resource(move || async move { ipc::call(req::ShowLink { show }).await });
    let Some(Ok(url)) = link.read().clone() else {
        return rsx! {};
    };
    let Some(svg) = qr_svg(&url) else {
        return rsx! {};
    };
    rsx! {
        section { class: "card share-qr", id: "share-qr", aria_labelledby: "share-title", "data-link": "{url}",
            h2 { id: "share-title", class: "section-title", "Open this show on a phone" }
            div { class: "qr", role: "img", aria_label: "QR code of {url}", dangerous_inner_html: "{svg}" }
            p { class: "muted qr-link", "{url}" }
            button {
                class: "button",
                r#type: "button",
                onclick: move |_| {
                    if let Some(w) = web_sys::window() {
                        let _ = w.print();
                    }
                },
                "Print"
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::qr_svg;

    #[test]
    fn a_link_becomes_an_svg_code() {
        let svg = qr_svg("https://theset.example/app/shows/00000000-0000-0000-0000-000000000000")
            .expect("svg");
        assert!(svg.starts_with("<?xml") || svg.starts_with("<svg"), "{svg}");
        assert!(svg.contains("<path") || svg.contains("<rect"));
    }
}
