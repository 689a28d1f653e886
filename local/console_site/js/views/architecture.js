// A system's architecture, drawn by mermaid from its declaration (GET /api/systems/{system}/architecture): services,
// routes, events, queues and their DLQs, topics, tables, buckets and schedules.

import { getJson, systemPath } from "../api.js";
import { el, missingPackage } from "../dom.js";
import { mermaid } from "../vendor.js";

// How the summary names each kind of node, in the order it lists them.
const KINDS = {
  service: ["function", "functions"],
  queue: ["queue", "queues"],
  dlq: ["DLQ", "DLQs"],
  schedule: ["schedule", "schedules"],
  topic: ["topic", "topics"],
  table: ["table", "tables"],
  bucket: ["bucket", "buckets"],
};
let renders = 0; // mermaid needs an id of its own for each drawing

function summary(graph) {
  const counts = new Map();
  for (const node of graph.nodes) counts.set(node.kind, (counts.get(node.kind) ?? 0) + 1);
  return Object.entries(KINDS)
    .filter(([kind]) => counts.has(kind))
    .map(([kind, [one, many]]) => `${counts.get(kind)} ${counts.get(kind) === 1 ? one : many}`)
    .join(" · ");
}

export async function architectureView(container, { system, packages }) {
  const figure = el("figure", { class: "diagram", "data-testid": "diagram", "aria-busy": "true" });
  const caption = el("p", { class: "hint", "data-testid": "diagram-summary" });
  const source = el("pre", { "data-testid": "diagram-source" });
  const details = el("details", {}, el("summary", {}, "Mermaid source"), source);
  container.append(el("h2", {}, `${system.title}: architecture`), caption, figure, details);
  const { graph, mermaid: text } = await getJson(systemPath(system, "architecture"));
  caption.textContent = `Drawn from the declaration: ${summary(graph)}. Dotted arrows lead to dead-letter queues.`;
  source.textContent = text;
  if (!packages.mermaid) {
    figure.replaceChildren(missingPackage("mermaid", "npm ci"));
    figure.removeAttribute("aria-busy");
    details.open = true;
    return;
  }
  const api = await mermaid();
  renders += 1;
  const { svg } = await api.render(`architecture-${renders}`, text);
  figure.innerHTML = svg; // mermaid's own drawing, its labels sanitized (securityLevel strict)
  figure.querySelector("svg")?.setAttribute("aria-label", `${system.title} architecture`);
  figure.removeAttribute("aria-busy");
}
