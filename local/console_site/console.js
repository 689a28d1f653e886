// The local console: one view per hash route (#/<view>/<system>?<filters>), drawn from the console's JSON endpoints.
// Adding a view: write js/views/<name>.js exporting a function (container, context) and list it in VIEWS.

import { getJson } from "./js/api.js";
import { el, showProblem } from "./js/dom.js";
import { architectureView } from "./js/views/architecture.js";
import { explorerView } from "./js/views/explorer.js";
import { logsView } from "./js/views/logs.js";
import { messagesView } from "./js/views/messages.js";
import { queuesView } from "./js/views/queues.js";
import { schedulesView } from "./js/views/schedules.js";
import { trailView } from "./js/views/trail.js";

// A view's render gets its own container and { system, systems, packages, query } (query: the hash's filters, a
// URLSearchParams); it may return a function that cleans up (stops its refreshing).
const VIEWS = [
  { id: "architecture", title: "Architecture", render: architectureView },
  { id: "explorer", title: "API explorer", render: explorerView },
  { id: "trail", title: "Event trail", render: trailView },
  { id: "queues", title: "Queues", render: queuesView },
  { id: "messages", title: "Messages sent", render: messagesView },
  { id: "schedules", title: "Schedules", render: schedulesView },
  { id: "logs", title: "Logs", render: logsView },
];

const state = { systems: [], packages: {}, cleanup: null };

function route() {
  const hash = location.hash.replace(/^#\/?/, "");
  const mark = hash.indexOf("?");
  const [viewId, systemName] = (mark < 0 ? hash : hash.slice(0, mark)).split("/");
  const view = VIEWS.find((v) => v.id === viewId) ?? VIEWS[0];
  const system = state.systems.find((s) => s.name === systemName) ?? state.systems[0];
  return { view, system, query: new URLSearchParams(mark < 0 ? "" : hash.slice(mark + 1)) };
}

function go(view, system) {
  location.hash = `#/${view.id}/${system.name}`;
}

async function show() {
  const { view, system, query } = route();
  if (!system) {
    showProblem("No system is running.");
    return;
  }
  for (const link of document.querySelectorAll("#nav a")) {
    link.href = `#/${link.dataset.view}/${system.name}`;
    if (link.dataset.view === view.id) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  document.getElementById("system").value = system.name;
  document.title = `${view.title}: ${system.title} · Local console`;
  if (state.cleanup) state.cleanup();
  state.cleanup = null;
  const container = el("section", { class: "view", "data-testid": `view-${view.id}` });
  document.getElementById("view").replaceChildren(container);
  try {
    const context = { system, systems: state.systems, packages: state.packages, query };
    const cleanup = await view.render(container, context);
    if (typeof cleanup === "function") state.cleanup = cleanup;
  } catch (error) {
    container.append(el("p", { class: "notice error", role: "alert" }, `${view.title} failed: ${error.message}`));
  }
}

async function start() {
  const [{ systems }, { packages }] = await Promise.all([getJson("/api/systems"), getJson("/api/console")]);
  Object.assign(state, { systems, packages });
  const links = VIEWS.map((v) =>
    el("a", { href: `#/${v.id}`, "data-view": v.id, "data-testid": `nav-${v.id}` }, v.title),
  );
  document.getElementById("nav").replaceChildren(...links);
  const picker = document.getElementById("system");
  picker.replaceChildren(...systems.map((s) => el("option", { value: s.name }, `${s.title} (${s.name})`)));
  picker.addEventListener("change", () => {
    const chosen = systems.find((s) => s.name === picker.value);
    go(route().view, chosen);
  });
  window.addEventListener("hashchange", show);
  await show();
}

start().catch((error) => showProblem(`The console could not start: ${error.message}`));
