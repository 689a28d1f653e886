// The event trail (GET /api/systems/{system}/trail): the newest stories first, a story being a request (or a
// schedule's run) and all it caused under one correlation id (its events, each consumer's delivery, the messages sent, the functions' log lines),
// each step at its time from the request. Found by correlation id (or its start, as the terminal shows it) or by an
// entity's id; refreshed every 2 s with only what is new (after=<last seq>).

import { getJson, systemPath } from "../api.js";
import { el } from "../dom.js";
import { clock, offset, storyLink, viewHref } from "../format.js";
import { every } from "../poll.js";

const REFRESH_MS = 2000;
const KEPT = 100; // stories kept on the page; older ones drop off

function filterForm(system, query) {
  const field = (name, label, hint) =>
    el(
      "label",
      { class: "field" },
      el("span", {}, label),
      el("input", { name, value: query.get(name) ?? "", placeholder: hint, "data-testid": `trail-${name}` }),
    );
  const form = el(
    "form",
    { class: "filters", "data-testid": "trail-filters" },
    field("correlation_id", "Correlation id", "a request id, or its start"),
    field("entity", "Entity id", "a move, order or sale id"),
    el("button", { type: "submit" }, "Find"),
    el("a", { href: viewHref("trail", system) }, "All stories"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(form);
    location.hash = viewHref("trail", system, {
      correlation_id: data.get("correlation_id").trim(),
      entity: data.get("entity").trim(),
    });
  });
  return form;
}

function stepItem(system, story, step, open) {
  const failed = step.summary.includes(": failed") || (step.kind === "request" && step.details.status >= 500);
  const summary = el(
    "summary",
    {},
    el("span", { class: "offset" }, offset(step.offset_ms)),
    el("span", { class: `kind kind-${step.kind}` }, step.kind),
    el("span", { class: "text", "data-testid": "step-summary" }, step.summary),
  );
  if (step.kind === "request" && story.correlation_id) summary.append(" ", storyLink(system, story.correlation_id));
  const body = { ...step.details, entities: step.entities, at: clock(step.at), seq: step.seq };
  return el(
    "li",
    {
      class: `step${failed ? " failed" : ""}`,
      "data-testid": "step",
      "data-kind": step.kind,
      "data-seq": step.seq,
      "data-correlation-id": step.correlation_id ?? "",
    },
    el("details", { open }, summary, el("pre", {}, JSON.stringify(body, null, 2))),
  );
}

function storyArticle(system, story, openSeqs) {
  const entities = story.entities.map((id) =>
    el("a", { href: viewHref("trail", system, { entity: id }), class: "chip", title: "Stories that concern it" }, id),
  );
  const links = story.correlation_id
    ? [
        el("a", { href: viewHref("logs", system, { correlation_id: story.correlation_id }) }, "its log lines"),
        el("a", { href: viewHref("messages", system, { correlation_id: story.correlation_id }) }, "its messages"),
      ]
    : [];
  return el(
    "article",
    {
      class: "story",
      "data-testid": "story",
      "data-story": story.id,
      "data-correlation-id": story.correlation_id ?? "",
    },
    el("h3", {}, story.title),
    el(
      "p",
      { class: "meta" },
      `${clock(story.started)} · `,
      story.correlation_id
        ? el("span", {}, "correlation id ", el("code", { "data-testid": "correlation-id" }, story.correlation_id))
        : el("span", {}, `no correlation id (${story.id})`),
      ` · ${story.steps.length} steps`,
      story.problems ? el("span", { class: "badge failed" }, `${story.problems} failed`) : "",
      ...links.flatMap((link) => [" · ", link]),
    ),
    entities.length ? el("p", { class: "entities" }, "Concerns ", ...entities) : "",
    el("ol", { class: "steps" }, ...story.steps.map((s) => stepItem(system, story, s, openSeqs.has(s.seq)))),
  );
}

export function trailView(container, { system, query }) {
  const filters = { correlation_id: query.get("correlation_id"), entity: query.get("entity") };
  const filtered = Boolean(filters.correlation_id || filters.entity);
  const status = el("p", { class: "hint", role: "status", "data-testid": "trail-status" }, "Loading…");
  const list = el("div", { class: "stories", "data-testid": "stories" });
  container.append(
    el("h2", {}, `${system.title}: event trail`),
    el(
      "p",
      { class: "hint" },
      "Each story is one request (or a schedule's run) and everything it caused, under its correlation id. " +
        "Click a step for its details. Runs that caused nothing are in Schedules.",
    ),
    filterForm(system, query),
    status,
    list,
  );
  const stories = new Map();
  const articles = new Map();
  let last = 0;

  const show = (changed) => {
    for (const story of changed) {
      const old = articles.get(story.id);
      const open = new Set(
        [...(old?.querySelectorAll("details[open]") ?? [])].map((d) => Number(d.parentNode.dataset.seq)),
      );
      articles.set(story.id, storyArticle(system, story, open));
    }
    const newest = [...stories.values()].sort((a, b) => b.started - a.started).slice(0, KEPT);
    const kept = new Set(newest.map((s) => s.id));
    for (const id of [...stories.keys()]) {
      if (kept.has(id)) continue;
      stories.delete(id);
      articles.delete(id);
    }
    list.replaceChildren(...newest.map((s) => articles.get(s.id)));
    if (!newest.length) {
      list.append(
        el(
          "p",
          { class: "notice", "data-testid": "no-stories" },
          filtered
            ? "No story matches yet."
            : "No stories yet: call the API (the API explorer does) and they appear here.",
        ),
      );
    }
  };

  const refresh = async () => {
    const params = new URLSearchParams(Object.entries(filters).filter(([, v]) => v));
    if (last) params.set("after", last);
    const answer = await getJson(systemPath(system, `trail?${params}`));
    for (const story of answer.stories) stories.set(story.id, story);
    if (answer.stories.length || !last) show(answer.stories);
    last = answer.last_seq;
    status.textContent = `${stories.size} ${stories.size === 1 ? "story" : "stories"}${
      filtered ? " found" : ""
    }, newest first · refreshed ${clock(Date.now() / 1000).slice(0, 8)}`;
  };
  return every(REFRESH_MS, refresh, (error) => (status.textContent = `Could not refresh: ${error.message}`));
}
