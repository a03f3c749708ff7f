// One case: evidence, the throwing trajectory, alerts, history and the operator's actions.
import {
  ACTION, EVENT, LEVEL, SEVERITY, STATUS, api, bi, dateTime, deadline, h, kindLabel, s, state, where,
} from "./common.js";

function trajectory(points) {
  // [[t, x, y], ...] in image pixels: drawn in the box they span, y down as in the image.
  const xs = points.map((p) => p[1]), ys = points.map((p) => p[2]);
  const minX = Math.min(...xs), maxX = Math.max(...xs), minY = Math.min(...ys), maxY = Math.max(...ys);
  const w = Math.max(maxX - minX, 1), hgt = Math.max(maxY - minY, 1);
  const scale = Math.min(300 / w, 220 / hgt);
  const px = (p) => `${(20 + (p[1] - minX) * scale).toFixed(1)},${(20 + (p[2] - minY) * scale).toFixed(1)}`;
  const svg = s("svg", { viewBox: "0 0 340 260", class: "trajectory", role: "img" });
  svg.append(s("rect", { x: 10, y: 10, width: 320, height: 240, class: "traj-box" }));
  svg.append(s("polyline", { points: points.map(px).join(" "), class: "traj-line" }));
  const [x0, y0] = px(points[0]).split(","), [x1, y1] = px(points[points.length - 1]).split(",");
  svg.append(s("circle", { cx: x0, cy: y0, r: 5, class: "traj-start" }));
  svg.append(s("circle", { cx: x1, cy: y1, r: 5, class: "traj-end" }));
  const dur = (points[points.length - 1][0] - points[0][0]).toFixed(2);
  return h("figure", {}, svg, h("figcaption", {}, `抛物轨迹 trajectory · ${points.length} 点 · ${dur} s`));
}

function actions(doc, rerender) {
  if (!doc.actions.length) return h("p", { class: "muted" }, "无可用操作 · no actions");
  const note = h("textarea", { id: "note", rows: 2, maxlength: 2000, placeholder: "备注 note…" });
  const msg = h("p", { class: "msg", role: "status" });
  const send = async (action) => {
    msg.textContent = "";
    try {
      await api(`/api/cases/${encodeURIComponent(doc.case.case_id)}/actions`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ action, note: note.value.trim() || null }),
      });
      await rerender();
    } catch (e) { msg.textContent = `未执行 not done: ${e.message}`; }
  };
  const buttons = doc.actions.map((a) =>
    h("button", { class: `act act-${a}`, "data-action": a, onclick: () => send(a) }, bi(ACTION[a])));
  return h("div", { class: "actions" }, note, h("div", { class: "buttons" }, buttons), msg);
}

export async function renderCase(view, caseId) {
  const rerender = () => renderCase(view, caseId);
  const doc = await api(`/api/cases/${encodeURIComponent(caseId)}`);
  const c = doc.case;
  const grid = state.meta?.grids[c.location.grid];
  const [dlabel, by] = deadline(c);
  const facts = [
    ["状态 status", bi(STATUS[c.status], `status st-${c.status}`)],
    ["严重度 severity", h("span", { class: `sev-text sev-${c.severity}` }, `${SEVERITY[c.severity]} ${c.severity}`)],
    ["位置 where", where(c)],
    ["网格 grid", grid ? `${grid.name} · 网格员 ${grid.worker}` : c.location.grid],
    ["立案 opened", dateTime(c.opened_at)],
    ["最近 last seen", dateTime(c.last_seen)],
    ["告警数 alerts", String(c.alert_count)],
    ["时限 deadline", by ? h("span", { class: "sla", "data-by": by, "data-label": dlabel }, "") : "—"],
    ["升级 escalation", c.escalation_level ? bi(LEVEL[c.escalation_level], `esc esc-${c.escalation_level}`) : "—"],
    ["复发 recurrence", c.recurrence_of || "—"],
    ["关联 correlated", c.correlated.join(", ") || "—"],
    ["案件号 case id", h("code", {}, c.case_id)],
  ];
  const evidence = doc.evidence.length
    ? h("div", { class: "evidence" }, doc.evidence.map((a) =>
        h("a", { href: `/api/evidence/${encodeURIComponent(a)}`, target: "_blank" },
          h("img", { src: `/api/evidence/${encodeURIComponent(a)}`, alt: a }), h("span", {}, a))))
    : h("p", { class: "muted" }, "无截图 · no snapshot kept");
  const traj = c.attributes?.trajectory?.length >= 2 ? trajectory(c.attributes.trajectory) : null;
  const alertRows = doc.events.filter((e) => e.alert_id).map((e) =>
    h("tr", {}, h("td", {}, dateTime(e.ts)), h("td", {}, h("code", {}, e.alert_id)), h("td", {}, EVENT[e.type] || e.type)));
  const history = c.history.map((x) =>
    h("li", {}, h("time", {}, dateTime(x.at)), bi(STATUS[x.status], `status st-${x.status}`),
      h("span", { class: "by" }, x.by), x.note ? h("q", {}, x.note) : null));
  const events = doc.events.map((e) =>
    h("li", {}, h("time", {}, dateTime(e.ts)), h("span", {}, EVENT[e.type] || e.type),
      h("span", { class: "muted" }, STATUS[e.status]?.[0] || e.status)));
  view.replaceChildren(
    h("div", { class: "case-page", "data-case": c.case_id, "data-status": c.status },
      h("div", { class: "case-head" },
        h("a", { href: "#/board", class: "back" }, "← 看板 Board"),
        h("h2", {}, bi(kindLabel(c.kind)), " ", bi(STATUS[c.status], `status st-${c.status}`))),
      h("div", { class: "case-grid" },
        h("div", { class: "panel" }, h("h3", {}, "证据 Evidence"), evidence, traj),
        h("div", { class: "panel" }, h("h3", {}, "案件 Case"),
          h("dl", { class: "facts" }, facts.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]))),
        h("div", { class: "panel" }, h("h3", {}, "操作 Actions"), actions(doc, rerender),
          h("h3", {}, "处置记录 History"), h("ol", { class: "history" }, history)),
        h("div", { class: "panel" }, h("h3", {}, `告警 Alerts (${c.alert_count})`),
          h("table", { class: "alerts" }, h("tbody", {}, alertRows)),
          h("h3", {}, "事件 Events"), h("ol", { class: "events" }, events)))),
  );
}
