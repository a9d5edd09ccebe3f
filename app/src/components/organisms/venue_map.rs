use dioxus::prelude::*;
use theset_shared::ipc::GeoPoint;

/// Country outlines (Natural Earth 1:110m, public domain) in Web Mercator pixels at zoom 0: the
/// map always has this, with no network. See scripts/basemap.py.
const BASEMAP: &str = include_str!("../../../static/basemap.svgpath");

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 320.0;
const TILE: f64 = 256.0;
const MIN_ZOOM: f64 = 1.0;
const MAX_ZOOM: f64 = 18.0;

/// Web Mercator "world pixels" at zoom 0 (0–256 on both axes).
pub fn project(p: GeoPoint) -> (f64, f64) {
    let lat = p.lat.clamp(-85.0511, 85.0511).to_radians();
    let x = (p.lng + 180.0) / 360.0 * TILE;
    let y = (1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0 * TILE;
    (x, y)
}

/// Tiles covering the view around `center` (zoom-0 pixels) at zoom `z`: (x, y, left, top, size)
/// with screen positions in the view's coordinates.
pub fn visible_tiles(center: (f64, f64), zoom: f64) -> Vec<(u32, u32, u32, f64, f64, f64)> {
    let z = zoom.floor().clamp(0.0, MAX_ZOOM);
    let n = 2f64.powf(z);
    // One tile of zoom z covers TILE * 2^zoom / n screen pixels.
    let size = TILE * 2f64.powf(zoom) / n;
    let (cx, cy) = (center.0 / TILE * n, center.1 / TILE * n);
    let (half_w, half_h) = (WIDTH / 2.0 / size, HEIGHT / 2.0 / size);
    let mut out = Vec::new();
    let (x0, x1) = ((cx - half_w).floor() as i64, (cx + half_w).floor() as i64);
    let (y0, y1) = (
        (cy - half_h).floor().max(0.0) as i64,
        (cy + half_h).floor().min(n - 1.0) as i64,
    );
    for ty in y0..=y1 {
        for tx in x0..=x1 {
            let wrapped = tx.rem_euclid(n as i64);
            let left = WIDTH / 2.0 + (tx as f64 - cx) * size;
            let top = HEIGHT / 2.0 + (ty as f64 - cy) * size;
            out.push((z as u32, wrapped as u32, ty as u32, left, top, size));
        }
    }
    out
}

/// `{z}/{x}/{y}` filled in.
pub fn tile_url(template: &str, z: u32, x: u32, y: u32) -> String {
    template
        .replace("{z}", &z.to_string())
        .replace("{x}", &x.to_string())
        .replace("{y}", &y.to_string())
}

/// An interactive map of one place: drag or arrow keys to pan, wheel, +/− keys or buttons to
/// zoom. Tiles come from `tile_url` when one is configured and the network answers; the bundled
/// outlines are always under them.
#[component]
pub fn VenueMap(place: GeoPoint, label: String, tile_url_template: Option<String>) -> Element {
    let start = project(place);
    let mut center = use_signal(|| start);
    let mut zoom = use_signal(|| {
        if tile_url_template.is_some() {
            13.0
        } else {
            5.0
        }
    });
    let mut drag = use_signal(|| None::<(f64, f64)>);
    let scale = 2f64.powf(zoom());
    let (cx, cy) = center();
    let (tx, ty) = (WIDTH / 2.0 - cx * scale, HEIGHT / 2.0 - cy * scale);
    let (mx, my) = (
        WIDTH / 2.0 + (start.0 - cx) * scale,
        HEIGHT / 2.0 + (start.1 - cy) * scale,
    );
    let mut zoom_by = move |d: f64| zoom.set((zoom() + d).clamp(MIN_ZOOM, MAX_ZOOM));
    let mut pan_by = move |dx: f64, dy: f64| {
        let s = 2f64.powf(zoom());
        let (x, y) = center();
        center.set((x + dx / s, (y + dy / s).clamp(0.0, TILE)));
    };
    let tiles = tile_url_template
        .as_ref()
        .map(|t| {
            visible_tiles(center(), zoom())
                .into_iter()
                .map(|(z, x, y, l, top, size)| (tile_url(t, z, x, y), l, top, size))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    rsx! {
        figure { class: "venue-map",
            svg {
                view_box: "0 0 {WIDTH} {HEIGHT}",
                role: "img",
                tabindex: "0",
                "aria-label": "Map of {label}. Arrow keys move the map, plus and minus zoom.",
                "data-zoom": "{zoom():.0}",
                onmousedown: move |e| { let p = e.element_coordinates(); drag.set(Some((p.x, p.y))); },
                onmousemove: move |e| {
                    if let Some((x0, y0)) = drag() {
                        let p = e.element_coordinates();
                        pan_by(x0 - p.x, y0 - p.y);
                        drag.set(Some((p.x, p.y)));
                    }
                },
                onmouseup: move |_| drag.set(None),
                onmouseleave: move |_| drag.set(None),
                onwheel: move |e| {
                    e.prevent_default();
                    let dy = e.delta().strip_units().y;
                    zoom_by(if dy < 0.0 { 0.5 } else { -0.5 });
                },
                onkeydown: move |e| {
                    let step = 48.0;
                    match e.key() {
                        Key::ArrowLeft => pan_by(-step, 0.0),
                        Key::ArrowRight => pan_by(step, 0.0),
                        Key::ArrowUp => pan_by(0.0, -step),
                        Key::ArrowDown => pan_by(0.0, step),
                        Key::Character(c) if c == "+" || c == "=" => zoom_by(1.0),
                        Key::Character(c) if c == "-" => zoom_by(-1.0),
                        _ => return,
                    }
                    e.prevent_default();
                },
                rect { class: "map-sea", width: "{WIDTH}", height: "{HEIGHT}" }
                g { transform: "translate({tx} {ty}) scale({scale})",
                    for (i, d) in BASEMAP.lines().enumerate() {
                        path { key: "{i}", class: "map-land", d: "{d}" }
                    }
                }
                for (i, (src, l, t, s)) in tiles.into_iter().enumerate() {
                    image { key: "{i}", href: "{src}", x: "{l}", y: "{t}", width: "{s}", height: "{s}" }
                }
                circle { class: "map-pin", cx: "{mx}", cy: "{my}", r: "9" }
                circle { class: "map-pin-dot", cx: "{mx}", cy: "{my}", r: "3" }
            }
            figcaption { class: "map-tools",
                button { class: "icon", r#type: "button", aria_label: "Zoom in", onclick: move |_| zoom_by(1.0), "+" }
                button { class: "icon", r#type: "button", aria_label: "Zoom out", onclick: move |_| zoom_by(-1.0), "−" }
                button { class: "button", r#type: "button", onclick: move |_| center.set(start), "Centre on venue" }
                span { class: "muted map-credit",
                    if tile_url_template.is_some() { "Map tiles © their providers · outlines © Natural Earth" } else { "Outlines © Natural Earth" }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn projection_puts_null_island_in_the_middle_and_keeps_north_up() {
        let (x, y) = project(GeoPoint { lat: 0.0, lng: 0.0 });
        assert!((x - 128.0).abs() < 1e-9 && (y - 128.0).abs() < 1e-9);
        let (_, north) = project(GeoPoint {
            lat: 50.0,
            lng: 0.0,
        });
        assert!(north < 128.0);
    }

    #[test]
    fn tiles_cover_the_view_and_wrap_around_the_date_line() {
        let tiles = visible_tiles(
            project(GeoPoint {
                lat: 0.0,
                lng: 179.9,
            }),
            3.0,
        );
        assert!(tiles.iter().all(|t| t.0 == 3 && t.1 < 8 && t.2 < 8));
        assert!(
            tiles.iter().any(|t| t.1 == 0),
            "wraps to the west edge: {tiles:?}"
        );
        let covered_w: f64 = tiles
            .iter()
            .filter(|t| t.2 == tiles[0].2)
            .map(|t| t.5)
            .sum();
        assert!(covered_w >= WIDTH);
        assert_eq!(
            tile_url("https://t/{z}/{x}/{y}.png", 3, 1, 2),
            "https://t/3/1/2.png"
        );
    }
}
