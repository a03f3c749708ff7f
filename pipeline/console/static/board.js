// The case board: one column per status, each card with its SLA countdown and escalation level.
import { LEVEL, STATUS, SEVERITY, api, bi, deadline, h, kindLabel, serverNow, span, where } from "./common.js";

const COLUMNS = ["open", "dispatched", "in_progress", "resolved", "verified", "done"];
let cases = new Map();

export async function loadBoard() {
  const doc = await api("/api/cases?limit=1000");
  cases = new Map(doc.cases.map((c) => [c.case_id, c]));
}

export function upsert(card) {
  const old = cases.get(card.case_id);
  if (!old || old.last_seen <= card.last_seen || old.status !== card.status) cases.set(card.case_id, card);
}

function column(status) { return status === "closed" || status === "rejected_false_positive" ? "done" : status; }

function countdown(c) {
  const [label, by] = deadline(c);
  if (!by) return null;
  const left = Date.parse(by) - serverNow();
  const cls = left < 0 ? "sla over" : left < 30 * 60 * 1000 ? "sla soon" : "sla";
  return h("span", { class: cls, "data-by": by, "data-label": label }, slaText(label, left));
}
function slaText(label, left) { return left < 0 ? `${label}超时 +${span(left)}` : `${label} ${span(left)}`; }

export function tickCountdowns(root) {
  for (const el of root.querySelectorAll(".sla[data-by]")) {
    const left = Date.parse(el.dataset.by) - serverNow();
    el.textContent = slaText(el.dataset.label, left);
    el.className = left < 0 ? "sla over" : left < 30 * 60 * 1000 ? "sla soon" : "sla";
  }
}

function card(c) {
  const level = c.escalation_level ? bi(LEVEL[c.escalation_level], `esc esc-${c.escalation_level}`) : null;
  return h(
    "a",
    { class: `card sev-${c.severity}`, href: `#/case/${encodeURIComponent(c.case_id)}`, "data-case": c.case_id },
    h("div", { class: "card-top" }, bi(kindLabel(c.kind), "kind"), h("span", { class: `sev` }, SEVERITY[c.severity])),
    h("div", { class: "loc" }, where(c)),
    h("div", { class: "card-bottom" },
      h("span", { class: "n", title: "告警数 alerts" }, `${c.alert_count} 次`),
      countdown(c), level),
  );
}

export function renderBoard(view) {
  const by = Object.fromEntries(COLUMNS.map((k) => [k, []]));
  for (const c of cases.values()) by[column(c.status)].push(c);
  const urgency = (c) => Date.parse(deadline(c)[1] || "9999-12-31T00:00:00Z");
  const board = h("div", { class: "board" });
  for (const key of COLUMNS) {
    const list = by[key];
    if (key === "done") list.sort((a, b) => (a.last_seen < b.last_seen ? 1 : -1));
    else list.sort((a, b) => urgency(a) - urgency(b));
    const title = key === "done" ? ["结案 / 误报", "closed / false positive"] : STATUS[key];
    board.append(
      h("section", { class: `col col-${key}`, "data-status": key },
        h("h3", {}, bi(title), h("span", { class: "count" }, String(list.length))),
        h("div", { class: "cards" }, list.slice(0, key === "done" ? 30 : 200).map(card))),
    );
  }
  view.replaceChildren(board);
}
