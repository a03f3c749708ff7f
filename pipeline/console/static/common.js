// Labels, server time, fetch and tiny DOM helpers shared by the console's views.

export const KIND = {
  corridor_clutter: ["楼道堆物", "corridor clutter"],
  ebike_indoor: ["电动车入户", "e-bike indoors"],
  high_altitude_throw: ["高空抛物", "high-altitude throw"],
  smoke: ["烟感", "smoke"],
  ebike_charging: ["电动车充电", "e-bike charging"],
  fire_door_open: ["消防门", "fire door open"],
  water_level: ["水位", "water level"],
};
export const STATUS = {
  open: ["待处置", "open"],
  dispatched: ["已派遣", "dispatched"],
  in_progress: ["处置中", "in progress"],
  resolved: ["已办结", "resolved"],
  verified: ["已核查", "verified"],
  closed: ["已结案", "closed"],
  rejected_false_positive: ["误报", "false positive"],
};
export const SEVERITY = { low: "低", medium: "中", high: "高", critical: "紧急" };
export const LEVEL = { grid: ["网格", "grid"], community: ["社区", "community"], street: ["街道", "street"] };
export const EVENT = {
  opened: "新案件 opened",
  alert_attached: "追加告警 alert",
  severity_changed: "升级严重度 severity",
  status_changed: "状态变更 status",
  escalated: "超时升级 escalated",
  closed: "关闭 closed",
};
export const ACTION = {
  confirm: ["确认派遣", "confirm"],
  false_positive: ["误报", "false positive"],
  note: ["添加备注", "add note"],
  verify: ["核查通过", "verify"],
  close: ["结案", "close"],
};

export const state = { meta: null, me: null, offset: 0 };

export function serverNow() { return Date.now() + state.offset; }
export function syncClock(iso) { if (iso) state.offset = Date.parse(iso) - Date.now(); }

export async function api(path, options = {}) {
  const resp = await fetch(path, { credentials: "same-origin", ...options });
  if (resp.status === 401) { location.href = "/login"; throw new Error("unauthenticated"); }
  const doc = resp.headers.get("Content-Type")?.includes("json") ? await resp.json() : null;
  if (!resp.ok) { const e = new Error(doc?.detail || doc?.error || resp.statusText); e.status = resp.status; throw e; }
  if (doc?.now) syncClock(doc.now);
  return doc;
}

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") el.className = v;
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

export const SVG = "http://www.w3.org/2000/svg";
export function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  for (const c of children) el.append(c);
  return el;
}

export function bi(pair, cls = "") {
  return h("span", { class: `bi ${cls}` }, pair[0], " ", h("span", { class: "en" }, pair[1]));
}
export function kindLabel(kind) { return KIND[kind] || [kind, ""]; }

const pad = (n) => String(n).padStart(2, "0");
export function hhmm(iso) {
  const d = new Date(iso);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
export function dateTime(iso) {
  const d = new Date(iso);
  return `${d.getMonth() + 1}-${pad(d.getDate())} ${hhmm(iso)}`;
}
export function span(ms) {
  const t = Math.floor(Math.abs(ms) / 1000);
  const d = Math.floor(t / 86400), hh = Math.floor((t % 86400) / 3600), mm = Math.floor((t % 3600) / 60);
  return (d ? `${d}天 ` : "") + `${pad(hh)}:${pad(mm)}:${pad(t % 60)}`;
}

// Which deadline runs for a status (pipeline/core/sla.py): respond_by until dispatched, then resolve_by.
export function deadline(c) {
  if (c.status === "open") return ["响应", c.respond_by];
  if (c.status === "dispatched" || c.status === "in_progress") return ["办结", c.resolve_by];
  return [null, null];
}

export function where(c) {
  const m = state.meta;
  const loc = c.location;
  const community = m?.communities[loc.community] || loc.community;
  const building = loc.building ? m?.buildings[loc.building] || loc.building : "";
  const floor = c.floor ? `${c.floor}层` : "";
  return [community, building, floor].filter(Boolean).join(" · ");
}
