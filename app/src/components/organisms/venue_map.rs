use dioxus::prelude::*;
use theset_shared::geo::{bearing_deg, compass, distance_km};
use theset_shared::ipc::GeoPoint;

/// Country outlines (Natural Earth 1:110m, public domain) in Web Mercator pixels at zoom 0: the
/// map always has this, with no network. See scripts/basemap.py.
const BASEMAP: &str = include_str!("../../../static/basemap.svgpath");

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 320.0;
const TILE: f64 = 256.0;
const MIN_ZOOM: f64 = 1.0;
const MAX_ZOOM: f64 = 18.0;
/// The deepest zoom the bundled outlines are drawn at. At 1:110m a coast is placed within
/// 10–20 km: fine for a view of a region (zoom 7 shows about 7° of longitude), wrong for a city,
/// where a stadium 5 km inland would sit in a painted sea. Deeper, without tiles, the map is
/// neutral ground with a grid and the places the device knows.
const OUTLINE_MAX_ZOOM: f64 = 7.0;
/// Grid spacing of the neutral ground, in screen pixels.
const GRID: f64 = 64.0;

/// Whether the bundled outlines say something true at `zoom`.
pub fn outlines_trusted(zoom: f64) -> bool {
    zoom <= OUTLINE_MAX_ZOOM
}

/// Another place to show for context (a venue nearby).
#[derive(Debug, Clone, PartialEq)]
pub struct MapPlace {
    pub at: GeoPoint,
    pub name: String,
}

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

/// Closer than this (screen pixels) to the pin or to a place already drawn, a place is left out:
/// overlapping labels say nothing.
const LABEL_GAP: f64 = 16.0;

/// The places worth drawing, in the order given (nearest first): none on top of the pin or of
/// one another, and one of each name.
fn declutter(places: Vec<(f64, f64, String)>, pin: (f64, f64)) -> Vec<(f64, f64, String)> {
    let mut kept: Vec<(f64, f64, String)> = Vec::new();
    for (x, y, name) in places {
        let clear = |(ox, oy): (f64, f64)| (x - ox).hypot(y - oy) >= LABEL_GAP;
        if clear(pin)
            && kept
                .iter()
                .all(|(kx, ky, kn)| *kn != name && clear((*kx, *ky)))
        {
            kept.push((x, y, name));
        }
    }
    kept
}

/// `{z}/{x}/{y}` filled in.
pub fn tile_url(template: &str, z: u32, x: u32, y: u32) -> String {
    template
        .replace("{z}", &z.to_string())
        .replace("{x}", &x.to_string())
        .replace("{y}", &y.to_string())
}

/// An interactive map of one place: drag or arrow keys to pan, wheel, +/− keys or buttons to
/// zoom. Tiles come from `tile_url` when one is configured and the network answers; under them,
/// the bundled outlines down to a region's zoom and neutral ground deeper. `places` (other
/// venues the device knows) and `me` (the fan, when the position is known) give context.
#[component]
pub fn VenueMap(
    place: GeoPoint,
    label: String,
    tile_url_template: Option<String>,
    #[props(default)] places: Vec<MapPlace>,
    #[props(default)] me: Option<GeoPoint>,
    /// The venue's town, named under the pin where the outlines say nothing (a city's zoom).
    #[props(default)]
    city: Option<String>,
) -> Element {
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
    let on_screen = |p: GeoPoint| {
        let (x, y) = project(p);
        (
            WIDTH / 2.0 + (x - cx) * scale,
            HEIGHT / 2.0 + (y - cy) * scale,
        )
    };
    let (mx, my) = on_screen(place);
    let outlines = outlines_trusted(zoom());
    let in_view = |(x, y): (f64, f64)| (0.0..=WIDTH).contains(&x) && (0.0..=HEIGHT).contains(&y);
    let shown = declutter(
        places
            .iter()
            .map(|p| (on_screen(p.at), p.name.clone()))
            .filter(|(xy, _)| in_view(*xy))
            .map(|((x, y), n)| (x, y, n))
            .collect(),
        (mx, my),
    );
    let me_xy = me.map(on_screen).filter(|xy| in_view(*xy));
    let from_me = me.map(|m| {
        let d = distance_km(m, place);
        format!(
            "{label} is {d:.1} km {} of you.",
            compass(bearing_deg(m, place))
        )
    });
    let mut nearest: Vec<(f64, String)> = places
        .iter()
        .map(|p| (distance_km(place, p.at), p.name.clone()))
        .collect();
    nearest.sort_by(|a, b| a.0.total_cmp(&b.0));
    // The same venue listed twice (two records of one building) is named once.
    nearest.dedup_by(|a, b| a.1 == b.1);
    let also_near = nearest
        .iter()
        .take(5)
        .map(|(d, n)| format!("{n} ({d:.1} km)"))
        .collect::<Vec<_>>()
        .join(", ");
    // The grid moves with the map, so dragging neutral ground still shows movement.
    let (gx, gy) = (tx.rem_euclid(GRID), ty.rem_euclid(GRID));
    let grid_x: Vec<f64> = (0..=(WIDTH / GRID) as usize)
        .map(|i| gx + i as f64 * GRID)
        .collect();
    let grid_y: Vec<f64> = (0..=(HEIGHT / GRID) as usize)
        .map(|i| gy + i as f64 * GRID)
        .collect();
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
                "data-outlines": "{outlines}",
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
                if outlines {
                    rect { class: "map-sea", width: "{WIDTH}", height: "{HEIGHT}" }
                    g { transform: "translate({tx} {ty}) scale({scale})",
                        for (i, d) in BASEMAP.lines().enumerate() {
                            path { key: "{i}", class: "map-land", d: "{d}" }
                        }
                    }
                } else {
                    rect { class: "map-ground", width: "{WIDTH}", height: "{HEIGHT}" }
                    for x in grid_x {
                        line { key: "x{x}", class: "map-grid", x1: "{x}", y1: "0", x2: "{x}", y2: "{HEIGHT}" }
                    }
                    for y in grid_y {
                        line { key: "y{y}", class: "map-grid", x1: "0", y1: "{y}", x2: "{WIDTH}", y2: "{y}" }
                    }
                }
                for (i, (src, l, t, s)) in tiles.into_iter().enumerate() {
                    image { key: "{i}", href: "{src}", x: "{l}", y: "{t}", width: "{s}", height: "{s}" }
                }
                for (x, y, name) in shown {
                    g { key: "{name}{x}", class: "map-place", "data-name": "{name}",
                        circle { cx: "{x}", cy: "{y}", r: "4" }
                        text { x: "{x + 7.0}", y: "{y + 4.0}", "{name}" }
                    }
                }
                if let Some((x, y)) = me_xy {
                    circle { class: "map-me", cx: "{x}", cy: "{y}", r: "6" }
                }
                circle { class: "map-pin", cx: "{mx}", cy: "{my}", r: "9" }
                circle { class: "map-pin-dot", cx: "{mx}", cy: "{my}", r: "3" }
                if !outlines && tile_url_template.is_none() {
                    if let Some(c) = &city {
                        text { class: "map-city", x: "{mx}", y: "{my + 26.0}", text_anchor: "middle", "{c}" }
                    }
                }
            }
            figcaption { class: "map-tools",
                button { class: "icon", r#type: "button", aria_label: "Zoom in", onclick: move |_| zoom_by(1.0), "+" }
                button { class: "icon", r#type: "button", aria_label: "Zoom out", onclick: move |_| zoom_by(-1.0), "−" }
                button { class: "button", r#type: "button", onclick: move |_| center.set(start), "Centre on venue" }
                if let Some(t) = from_me { span { class: "map-from-me", "{t}" } }
                if !also_near.is_empty() { span { class: "muted map-nearby", "Also near: {also_near}" } }
                if !outlines && tile_url_template.is_none() {
                    span { class: "muted", "Zoom out for coasts and borders." }
                }
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
    fn places_never_cover_the_pin_or_each_other() {
        let kept = declutter(
            vec![
                (102.0, 100.0, "On the pin".into()),
                (150.0, 100.0, "Arena".into()),
                (150.0, 108.0, "Arena".into()),
                (155.0, 105.0, "Next door".into()),
                (200.0, 160.0, "Far".into()),
            ],
            (100.0, 100.0),
        );
        let names: Vec<&str> = kept.iter().map(|k| k.2.as_str()).collect();
        assert_eq!(names, ["Arena", "Far"]);
    }

    #[test]
    fn outlines_are_drawn_only_where_they_are_true() {
        assert!(outlines_trusted(5.0));
        assert!(outlines_trusted(OUTLINE_MAX_ZOOM));
        // A stadium's zoom: the 1:110m coast would put SoFi Stadium in the Pacific.
        assert!(!outlines_trusted(13.0));
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
