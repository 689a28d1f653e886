// Each schedule of the system (GET /api/systems/{system}/schedules): its expression, when it runs next, how its last
// run went (from the trail), and "Run now" (POST …/schedules/{service}/{schedule}/run), which answers with the
// function's result. Refreshed every 5 s.

import { getJson, postJson, systemPath } from "../api.js";
import { el, grid, noRows } from "../dom.js";
import { clock, jsonDetails, relative } from "../format.js";
import { every } from "../poll.js";

const REFRESH_MS = 5000;

function lastRun(schedule) {
  const last = schedule.last;
  if (!last) return el("span", { class: "muted" }, "not run yet");
  const outcome = last.error ? `failed: ${last.error}` : `done in ${Math.round(last.ms)} ms`;
  return el(
    "div",
    {},
    el("div", { class: last.error ? "failed-text" : "" }, `${clock(last.at)}: ${outcome}`),
    last.error ? "" : jsonDetails("result", last.result),
  );
}

export function schedulesView(container, { system }) {
  const status = el("p", { class: "hint", role: "status", "data-testid": "schedules-status" });
  const [table, body] = grid("schedules", ["Schedule", "Expression", "Next run", "Last run", "Runs", ""]);
  container.append(
    el("h2", {}, `${system.title}: schedules`),
    el(
      "p",
      { class: "hint" },
      "Each declared schedule on its local timer, with the input EventBridge Scheduler sends; times in your time zone.",
    ),
    table,
    status,
  );
  const rows = new Map();

  const run = async (schedule, button) => {
    const name = `${schedule.service}/${schedule.schedule}`;
    button.disabled = true;
    status.textContent = `Running ${name}…`;
    try {
      const path = `schedules/${encodeURIComponent(schedule.service)}/${encodeURIComponent(schedule.schedule)}/run`;
      const answer = await postJson(systemPath(system, path), {});
      status.textContent = `${name} ran in ${answer.ms} ms: ${JSON.stringify(answer.result)}`;
      await refresh();
    } catch (error) {
      status.textContent = `${name}: ${error.message}`;
    } finally {
      button.disabled = false;
    }
  };

  const rowFor = (schedule) => {
    const key = `${schedule.service}/${schedule.schedule}`;
    if (!rows.has(key)) {
      const cells = { next: el("td"), last: el("td", { "data-testid": "schedule-last" }), runs: el("td") };
      const button = el("button", { type: "button", "data-testid": "run-now" }, "Run now");
      button.addEventListener("click", () => run(schedule, button));
      body.append(
        el(
          "tr",
          { "data-testid": "schedule-row", "data-schedule": key },
          el("td", {}, el("code", {}, key), el("div", { class: "hint" }, schedule.handler)),
          el("td", {}, el("code", {}, schedule.expression), el("div", { class: "hint" }, schedule.timezone)),
          cells.next,
          cells.last,
          cells.runs,
          el("td", { class: "actions" }, button),
        ),
      );
      rows.set(key, cells);
    }
    return rows.get(key);
  };

  const refresh = async () => {
    const answer = await getJson(systemPath(system, "schedules"));
    if (!answer.schedules.length) noRows(body, 6, "This system declares no schedules.");
    for (const schedule of answer.schedules) {
      const cells = rowFor(schedule);
      cells.next.textContent = `${clock(schedule.next_run).slice(0, 8)} (${relative(schedule.next_run, answer.now)})`;
      cells.last.replaceChildren(lastRun(schedule));
      cells.runs.textContent = String(schedule.runs);
    }
  };
  return every(REFRESH_MS, refresh, (error) => (status.textContent = `Could not refresh: ${error.message}`));
}
