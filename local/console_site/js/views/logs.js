// The functions' log lines (GET /api/systems/{system}/logs), newest first: by correlation id, function and level (that
// level and above). New lines are added every 2 s (after=<last seq>); changing a filter starts again.

import { getJson, systemPath } from "../api.js";
import { el } from "../dom.js";
import { clock, storyLink } from "../format.js";
import { every } from "../poll.js";

const REFRESH_MS = 2000;
const KEPT = 500;

function lineItem(system, line) {
  return el(
    "li",
    { class: `log-line level-${line.level.toLowerCase()}`, "data-testid": "log-line", "data-level": line.level },
    el("span", { class: "time" }, clock(line.at)),
    el("span", { class: "level" }, line.level),
    el("span", { class: "function", "data-testid": "log-function" }, line.function),
    storyLink(system, line.correlation_id),
    el("pre", { class: "text", "data-testid": "log-message" }, line.message),
  );
}

function select(id, label, options) {
  const element = el(
    "select",
    { id, name: id, "data-testid": id },
    ...options.map(([v, t]) => el("option", { value: v }, t)),
  );
  return [el("label", { for: id }, label), element];
}

export function logsView(container, { system, query }) {
  const correlation = el("input", {
    id: "logs-correlation",
    value: query.get("correlation_id") ?? "",
    placeholder: "a request id, or its start",
    "data-testid": "logs-correlation",
  });
  const [functionLabel, fn] = select("logs-function", "Function", [["", "All functions"]]);
  const levels = [
    ["", "Any level"],
    ["INFO", "INFO and above"],
    ["WARNING", "WARNING and above"],
    ["ERROR", "ERROR and above"],
  ];
  const [levelLabel, level] = select("logs-level", "Level", levels);
  const status = el("p", { class: "hint", role: "status", "data-testid": "logs-status" }, "Loading…");
  const list = el("ol", { class: "log-lines", "data-testid": "log-lines" });
  container.append(
    el("h2", {}, `${system.title}: logs`),
    el(
      "p",
      { class: "hint" },
      "What the functions logged, newest first; warnings and errors are printed in the terminal too.",
    ),
    el(
      "div",
      { class: "toolbar filters" },
      el("label", { for: "logs-correlation" }, "Correlation id"),
      correlation,
      functionLabel,
      fn,
      levelLabel,
      level,
    ),
    status,
    list,
  );
  let last = 0;
  let generation = 0; // a filter changed: an answer to the earlier filters is dropped
  const restart = () => {
    last = 0;
    generation += 1;
    list.replaceChildren();
  };
  for (const control of [fn, level]) control.addEventListener("change", restart);
  correlation.addEventListener("change", restart);

  const refresh = async () => {
    const filters = { correlation_id: correlation.value.trim(), function: fn.value, level: level.value };
    const params = new URLSearchParams(Object.entries(filters).filter(([, v]) => v));
    if (last) params.set("after", last);
    const asked = generation;
    const answer = await getJson(systemPath(system, `logs?${params}`));
    if (asked !== generation) return;
    const known = new Set([...fn.options].map((o) => o.value));
    fn.append(...answer.functions.filter((f) => !known.has(f)).map((f) => el("option", { value: f }, f)));
    list.prepend(...answer.lines.map((line) => lineItem(system, line)));
    while (list.childElementCount > KEPT) list.lastElementChild.remove();
    last = answer.last_seq;
    const count = list.childElementCount;
    status.textContent = count ? `${count} line${count === 1 ? "" : "s"}, newest first` : "No lines match yet.";
  };
  return every(REFRESH_MS, refresh, (error) => (status.textContent = `Could not refresh: ${error.message}`));
}
