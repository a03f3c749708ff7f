// The district map: grid polygons from /api/map, coloured by open cases, drawn as plain SVG.
import { api, h, s } from "./common.js";

function colour(n) {
  if (n === 0) return "#1d2b36";
  if (n === 1) return "#8a6d1a";
  if (n <= 3) return "#b35418";
  return "#b3261e";
}

export async function renderMap(view) {
  const geo = await api("/api/map");
  const rings = geo.features.flatMap((f) =>
    f.geometry.type === "Polygon" ? [f.geometry.coordinates[0]] : f.geometry.coordinates.map((p) => p[0]));
  const pts = rings.flat();
  const lons = pts.map((p) => p[0]), lats = pts.map((p) => p[1]);
  const minLon = Math.min(...lons), maxLon = Math.max(...lons), minLat = Math.min(...lats), maxLat = Math.max(...lats);
  const k = Math.cos(((minLat + maxLat) / 2) * Math.PI / 180); // metres per degree of longitude shrink
  const W = 1000, H = Math.round(W * (maxLat - minLat) / ((maxLon - minLon) * k));
  const x = (lon) => ((lon - minLon) / (maxLon - minLon)) * W;
  const y = (lat) => H - ((lat - minLat) / (maxLat - minLat)) * H;
  const svg = s("svg", { viewBox: `-10 -10 ${W + 20} ${H + 20}`, class: "map", role: "img" });
  for (const f of geo.features) {
    const p = f.properties;
    const polys = f.geometry.type === "Polygon" ? [f.geometry.coordinates] : f.geometry.coordinates;
    const g = s("g", { class: "grid", "data-grid": p.grid_id, "data-open": p.open });
    for (const poly of polys) {
      const d = poly.map((ring) => "M" + ring.map(([lo, la]) => `${x(lo).toFixed(1)},${y(la).toFixed(1)}`).join("L") + "Z").join("");
      g.append(s("path", { d, fill: colour(p.open) }));
    }
    const t = s("title"); t.textContent = `${p.name} · ${p.community_name} · 网格员 ${p.worker} · 未结 ${p.open}`;
    g.append(t);
    const label = s("text", { x: x(p.label[0]).toFixed(1), y: y(p.label[1]).toFixed(1), class: p.open ? "hot" : "" });
    label.textContent = p.open ? `${p.grid_id.slice(3)} · ${p.open}` : p.grid_id.slice(3);
    g.append(label);
    svg.append(g);
  }
  const legend = h("div", { class: "legend" }, "未结案件 open cases:",
    [[0, "0"], [1, "1"], [2, "2–3"], [4, "4+"]].map(([n, t]) => {
      const sw = h("i", {}); sw.style.background = colour(n); return h("span", {}, sw, t);
    }));
  const total = geo.features.reduce((a, f) => a + f.properties.open, 0);
  view.replaceChildren(h("div", { class: "map-view" },
    h("h2", {}, `网格地图 District map · ${geo.features.length} 网格 · 未结 ${total}`), legend, svg));
}
