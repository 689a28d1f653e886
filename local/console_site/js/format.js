// How the views show times, JSON and the links between them (a story is found by its correlation id).

import { el } from "./dom.js";

const pad = (n, width = 2) => String(n).padStart(width, "0");

// 10:42:07.123 in the browser's time zone, from seconds since the epoch.
export function clock(seconds) {
  if (!seconds) return "–";
  const t = new Date(seconds * 1000);
  return `${pad(t.getHours())}:${pad(t.getMinutes())}:${pad(t.getSeconds())}.${pad(t.getMilliseconds(), 3)}`;
}

// "+23 ms", "+1.52 s": a step's time from the start of its story.
export function offset(ms) {
  return ms < 1000 ? `+${Math.round(ms)} ms` : `+${(ms / 1000).toFixed(2)} s`;
}

// "in 42 s", "3 min ago"
export function relative(seconds, now = Date.now() / 1000) {
  const delta = Math.round(seconds - now);
  const size = Math.abs(delta);
  const amount =
    size < 120 ? `${size} s` : size < 7200 ? `${Math.round(size / 60)} min` : `${Math.round(size / 3600)} h`;
  return delta >= 0 ? `in ${amount}` : `${amount} ago`;
}

export function pretty(value) {
  return JSON.stringify(value, null, 2);
}

// A text as it reads best: pretty-printed when it is a JSON object or list, as it is otherwise.
export function readable(text) {
  try {
    const value = JSON.parse(text);
    if (value !== null && typeof value === "object") return pretty(value);
  } catch {
    // not JSON: the text itself
  }
  return text;
}

export function viewHref(view, system, params = {}) {
  const query = new URLSearchParams(Object.entries(params).filter(([, v]) => v)).toString();
  return `#/${view}/${system.name}${query ? `?${query}` : ""}`;
}

// The story a correlation id names, in the Event trail; its start is enough to tell stories apart.
export function storyLink(system, correlationId, text = null) {
  if (!correlationId) return el("span", { class: "muted" }, "no correlation id");
  return el(
    "a",
    {
      href: viewHref("trail", system, { correlation_id: correlationId }),
      class: "story-link",
      "data-testid": "story-link",
      title: `The story of ${correlationId}`,
    },
    text ?? `story ${correlationId.slice(0, 8)}…`,
  );
}

// A collapsed block of JSON.
export function jsonDetails(label, value) {
  return el("details", { class: "json" }, el("summary", {}, label), el("pre", {}, pretty(value)));
}
