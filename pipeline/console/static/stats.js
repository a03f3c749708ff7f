// Statistics as street offices publish them: by community, by category, by day.
import { KIND, api, h, state } from "./common.js";

function table(head, rows) {
  return h("table", { class: "stats" },
    h("thead", {}, h("tr", {}, head.map((c) => h("th", {}, c)))),
    h("tbody", {}, rows.map((r) => h("tr", {}, r.map((c, i) => h(i ? "td" : "th", { class: i ? "num" : "" }, String(c)))))));
}
const rate = (r) => (r.total ? `${Math.round((100 * r.false_positive) / r.total)}%` : "—");
const HEAD = ["总数 total", "未结 open", "结案 closed", "误报 false pos.", "误报率 FP rate"];

export async function renderStats(view) {
  const doc = await api("/api/stats");
  const names = state.meta?.communities || {};
  const kinds = Object.keys(KIND);
  view.replaceChildren(h("div", { class: "stats-view" },
    h("section", {}, h("h2", {}, "按社区 By community"),
      table(["社区 community", ...HEAD], doc.by_community.map((r) =>
        [names[r.community] || r.community, r.total, r.open, r.closed, r.false_positive, rate(r)]))),
    h("section", {}, h("h2", {}, "按类别 By category"),
      table(["类别 category", ...HEAD], doc.by_kind.map((r) =>
        [`${KIND[r.kind]?.[0] || r.kind} ${KIND[r.kind]?.[1] || ""}`, r.total, r.open, r.closed, r.false_positive, rate(r)]))),
    h("section", { class: "wide" }, h("h2", {}, "按日 By day (近14天 last 14 days)"),
      table(["日期 day", ...kinds.map((k) => KIND[k][0]), "合计 total"],
        doc.by_day.map((r) => [r.day, ...kinds.map((k) => r[k] || 0), r.total])))));
}
