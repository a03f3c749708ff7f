// The console shell: routing between views, the live feed (SSE), the clock.
import { EVENT, api, bi, h, hhmm, kindLabel, serverNow, state, syncClock, where } from "./common.js";
import { loadBoard, renderBoard, tickCountdowns, upsert } from "./board.js";
import { renderCase } from "./casepage.js";
import { renderMap } from "./mapview.js";
import { renderStats } from "./stats.js";

const view = document.getElementById("view");
const feed = document.getElementById("feed");
const MAX_FEED = 80;
let route = { name: "board" };
let pending = false;

function parseRoute() {
  const [, name = "board", arg] = location.hash.split("/");
  return { name, arg: arg ? decodeURIComponent(arg) : null };
}

async function render() {
  route = parseRoute();
  for (const a of document.querySelectorAll("#tabs a")) a.classList.toggle("on", a.dataset.view === route.name);
  try {
    if (route.name === "case" && route.arg) await renderCase(view, route.arg);
    else if (route.name === "map") await renderMap(view);
    else if (route.name === "stats") await renderStats(view);
    else renderBoard(view);
    tickCountdowns(view);
  } catch (e) {
    view.replaceChildren(h("p", { class: "error" }, `加载失败 failed to load: ${e.message}`));
  }
}

function refreshSoon(caseId) {
  if (route.name === "case" && route.arg !== caseId) return;
  if (route.name === "case" && document.activeElement?.id === "note") return; // do not eat a note being typed
  if (pending) return;
  pending = true;
  setTimeout(() => { pending = false; render(); }, 250);
}

function feedItem(ev) {
  const c = ev.case;
  const alert = ev.alert_id && (ev.type === "opened" || ev.type === "alert_attached");
  const thumb = alert
    ? h("img", { src: `/api/evidence/${encodeURIComponent(ev.alert_id)}`, alt: "", loading: "lazy", class: "thumb" })
    : h("div", { class: "thumb none" }, "—");
  if (alert) thumb.addEventListener("error", () => thumb.replaceWith(h("div", { class: "thumb none" }, "无图")));
  return h("li", { class: `item ev-${ev.type} sev-${c.severity}`, "data-case": ev.case_id, "data-alert": ev.alert_id || "" },
    h("a", { href: `#/case/${encodeURIComponent(ev.case_id)}` },
      thumb,
      h("div", { class: "what" },
        h("div", { class: "line1" }, bi(kindLabel(c.kind), "kind"), h("time", {}, hhmm(ev.ts))),
        h("div", { class: "line2" }, where(c)),
        h("div", { class: "line3" }, EVENT[ev.type] || ev.type, c.alert_count > 1 ? ` · ${c.alert_count} 次` : ""))));
}

function onCaseEvent(ev) {
  upsert(ev.case);
  feed.prepend(feedItem(ev));
  while (feed.children.length > MAX_FEED) feed.lastChild.remove();
  document.getElementById("feed-count").textContent = String(Number(document.getElementById("feed-count").textContent) + 1);
  if (route.name === "board" || route.name === "map" || route.name === "case") refreshSoon(ev.case_id);
}

function connect() {
  const live = document.getElementById("live");
  const source = new EventSource("/events");
  const setLive = (on) => {
    live.className = on ? "live on" : "live off";
    live.lastChild.textContent = on ? "实时 live" : "离线 offline";
  };
  source.addEventListener("hello", async (m) => {
    syncClock(JSON.parse(m.data).now);
    setLive(true);
    await loadBoard();
    if (route.name === "board") render();
  });
  source.addEventListener("tick", (m) => syncClock(JSON.parse(m.data).now));
  source.addEventListener("case", (m) => onCaseEvent(JSON.parse(m.data)));
  source.addEventListener("expired", () => { source.close(); location.href = "/login"; });
  source.onerror = () => setLive(false);
}

function clock() {
  const now = new Date(serverNow());
  document.getElementById("clock").textContent = `${now.toLocaleDateString("zh-CN")} ${hhmm(now.toISOString())}`;
  tickCountdowns(view);
}

async function start() {
  [state.me, state.meta] = await Promise.all([api("/api/me"), api("/api/meta")]);
  document.getElementById("street").textContent = state.meta.street.name;
  document.getElementById("user").textContent =
    `${state.me.name} · ${state.me.role === "supervisor" ? "值班长 supervisor" : "值班员 operator"}`;
  document.getElementById("logout").addEventListener("click", async () => {
    await fetch("/api/logout", { method: "POST" });
    location.href = "/login";
  });
  await loadBoard();
  window.addEventListener("hashchange", render);
  await render();
  connect();
  clock();
  setInterval(clock, 1000);
}

start();
