// What the system's topics sent (GET /api/systems/{system}/messages): customer notifications, low-stock alerts, report
// notices, newest first, each with its subject, text and attributes and a link to the story that caused it. New ones
// are added every 3 s (after=<last seq>).

import { getJson, systemPath } from "../api.js";
import { el } from "../dom.js";
import { clock, readable, storyLink, viewHref } from "../format.js";
import { every } from "../poll.js";

const REFRESH_MS = 3000;
const KEPT = 300;

function messageArticle(system, message) {
  const attributes = Object.entries(message.attributes ?? {});
  return el(
    "article",
    { class: "message", "data-testid": "message", "data-topic": message.topic },
    el(
      "p",
      { class: "meta" },
      `${clock(Date.parse(message.sent) / 1000 || message.at)} · `,
      el("span", { class: "chip" }, message.topic),
      " · ",
      storyLink(system, message.correlation_id),
    ),
    el("h3", { "data-testid": "message-subject" }, message.subject || "(no subject)"),
    el("pre", { class: "text", "data-testid": "message-text" }, readable(message.message ?? "")),
    attributes.length
      ? el(
          "dl",
          { class: "attributes", "data-testid": "message-attributes" },
          ...attributes.flatMap(([name, value]) => [el("dt", {}, name), el("dd", {}, String(value))]),
        )
      : "",
  );
}

export function messagesView(container, { system, query }) {
  const correlationId = query.get("correlation_id");
  const topic = el("select", { id: "message-topic", "data-testid": "message-topic" });
  const status = el("p", { class: "hint", role: "status", "data-testid": "messages-status" }, "Loading…");
  const list = el("div", { class: "messages", "data-testid": "messages" });
  container.append(
    el("h2", {}, `${system.title}: messages sent`),
    el("p", { class: "hint" }, "What the system's topics sent, newest first, as subscribers (email, SMS) get it."),
    el(
      "div",
      { class: "toolbar" },
      el("label", { for: "message-topic" }, "Topic"),
      topic,
      correlationId ? el("span", {}, "Only those of story ", storyLink(system, correlationId), " · ") : "",
      correlationId ? el("a", { href: viewHref("messages", system) }, "all messages") : "",
    ),
    status,
    list,
  );
  let last = 0;
  let generation = 0; // a filter changed: an answer to the earlier filters is dropped
  topic.addEventListener("change", () => {
    last = 0;
    generation += 1;
    list.replaceChildren();
  });

  const refresh = async () => {
    const params = new URLSearchParams(
      Object.entries({ topic: topic.value, correlation_id: correlationId }).filter(([, v]) => v),
    );
    if (last) params.set("after", last);
    const asked = generation;
    const answer = await getJson(systemPath(system, `messages?${params}`));
    if (asked !== generation) return;
    if (!topic.options.length) {
      topic.append(
        el("option", { value: "" }, "All topics"),
        ...answer.topics.map((t) => el("option", { value: t }, t)),
      );
    }
    list.prepend(...answer.messages.map((m) => messageArticle(system, m)));
    while (list.childElementCount > KEPT) list.lastElementChild.remove();
    const count = list.childElementCount;
    last = answer.last_seq;
    status.textContent = count ? `${count} message${count === 1 ? "" : "s"}, newest first` : "Nothing sent yet.";
  };
  return every(REFRESH_MS, refresh, (error) => (status.textContent = `Could not refresh: ${error.message}`));
}
