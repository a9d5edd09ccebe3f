#!/usr/bin/env python3
"""Builds app/static/basemap.svgpath: the bundled low-detail basemap of the venue map.

Source: Natural Earth 1:50m country boundaries (public domain) as TopoJSON in the npm package
world-atlas@2 (ISC). Run once: `npm pack world-atlas@2 && tar xzf world-atlas-*.tgz`, then
`python3 scripts/basemap.py package/countries-50m.json app/static/basemap.svgpath`.
Output: one SVG path per line, in Web Mercator "world pixels" at zoom 0 (0–256), so the app
only scales and translates it.
"""
import json, math, sys

src, out = sys.argv[1], sys.argv[2]
topo = json.load(open(src))
sx, sy = topo["transform"]["scale"]
tx, ty = topo["transform"]["translate"]
arcs = []
for arc in topo["arcs"]:
    x = y = 0
    pts = []
    for dx, dy in arc:
        x += dx; y += dy
        pts.append((x * sx + tx, y * sy + ty))
    arcs.append(pts)

def ring(indices):
    pts = []
    for i in indices:
        a = arcs[i] if i >= 0 else arcs[~i][::-1]
        pts.extend(a if not pts else a[1:])
    return pts

def merc(lng, lat):
    lat = max(min(lat, 85.0511), -85.0511)
    x = (lng + 180) / 360 * 256
    s = math.sin(math.radians(lat))
    y = (0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)) * 256
    return x, y

lines = []
for g in topo["objects"]["countries"]["geometries"]:
    polys = g["arcs"] if g["type"] == "MultiPolygon" else [g["arcs"]] if g["type"] == "Polygon" else []
    d = []
    for poly in polys:
        for r in poly:
            pts = [merc(*p) for p in ring(r)]
            q, last = [], None
            for x, y in pts:
                p = (round(x, 2), round(y, 2))
                if p != last:
                    q.append(p); last = p
            if len(q) < 3:
                continue
            d.append("M" + "L".join(f"{x:g} {y:g}" for x, y in q) + "Z")
    if d:
        lines.append("".join(d))
open(out, "w").write("\n".join(lines) + "\n")
print(f"{len(lines)} countries, {sum(map(len, lines))} bytes")
