// Each subscription's queue and its DLQ with their depths (GET /api/systems/{system}/queues, refreshed every 3 s); a
// DLQ's messages (GET …/queues/{service}/{subscription}/dlq) and their redrive back to the queue they failed from
// (POST …/redrive, one message or all), as SQS's message-move task does in the cloud.

import { getJson, postJson, systemPath } from "../api.js";
import { el, grid, noRows } from "../dom.js";
import { clock, readable, storyLink } from "../format.js";
import { every } from "../poll.js";

const REFRESH_MS = 3000;

function depthText({ visible, in_flight: inFlight }) {
  return `${visible} waiting · ${inFlight} in flight`;
}

function queuePath(system, row, rest) {
  return systemPath(
    system,
    `queues/${encodeURIComponent(row.service)}/${encodeURIComponent(row.subscription)}/${rest}`,
  );
}

function letterArticle(system, message, redriveOne) {
  const button = el("button", { type: "button", "data-testid": "redrive-one" }, "Redrive");
  button.addEventListener("click", () => redriveOne(message, button));
  const attributes = Object.entries(message.attributes);
  return el(
    "article",
    { class: "letter", "data-testid": "dlq-message", "data-message-id": message.message_id },
    el(
      "p",
      { class: "meta" },
      el("code", {}, message.message_id),
      ` · ${message.detail_type ?? "not an event"} · received ${message.receives}× · sent ${clock(message.sent)} · `,
      storyLink(system, message.correlation_id),
      " ",
      button,
    ),
    attributes.length ? el("p", { class: "hint" }, attributes.map(([k, v]) => `${k}: ${v}`).join(" · ")) : "",
    el("pre", { "data-testid": "dlq-body" }, readable(message.body)),
  );
}

export function queuesView(container, { system }) {
  const status = el("p", { class: "hint", role: "status", "data-testid": "queues-status" });
  const [table, body] = grid("queues", ["Consumer", "Events", "Queue", "DLQ", ""]);
  const panel = el("section", { class: "dlq", "data-testid": "dlq", hidden: true });
  container.append(
    el("h2", {}, `${system.title}: queues`),
    el(
      "p",
      { class: "hint" },
      "Each subscription's queue and its dead-letter queue. A message its consumer failed on as many times as the " +
        "subscription allows waits in the DLQ; fix the cause (its story and log lines say what it was), then redrive. " +
        "In AWS: ",
      el("code", {}, "aws sqs start-message-move-task --source-arn <the DLQ's ARN>"),
      " (README: “Redriving a dead-letter queue”).",
    ),
    table,
    status,
    panel,
  );
  const rows = new Map();
  let opened = null; // the row whose DLQ is shown

  const openDlq = async (row) => {
    opened = row;
    const answer = await getJson(queuePath(system, row, "dlq"));
    const heading = el("h3", {}, `DLQ ${answer.dlq.name} → ${answer.queue}`);
    const shown = answer.messages.map((m) =>
      letterArticle(system, m, (message, button) => redrive(row, message, button)),
    );
    const none = el("p", { class: "notice", "data-testid": "dlq-empty" }, "No message waits in this DLQ.");
    panel.replaceChildren(
      heading,
      el("p", { class: "hint" }, `ARN ${answer.dlq.arn}`),
      ...(shown.length ? shown : [none]),
    );
    panel.hidden = false;
  };

  const redrive = async (row, message, button) => {
    if (button) button.disabled = true;
    const what = message ? { message_id: message.message_id } : { all: true };
    try {
      const answer = await postJson(queuePath(system, row, "redrive"), what);
      const count = answer.moved.length;
      status.textContent = `Moved ${count} message${count === 1 ? "" : "s"} back to ${answer.to}; its DLQ: ${depthText(answer.dlq)}.`;
    } catch (error) {
      status.textContent = `Redrive failed: ${error.message}`;
    }
    try {
      await refresh();
      if (opened === row) await openDlq(row);
    } catch (error) {
      status.textContent += ` (could not refresh: ${error.message})`;
    }
  };

  const rowFor = (row) => {
    const key = `${row.service}/${row.subscription}`;
    if (rows.has(key)) return rows.get(key);
    const cells = {
      queue: el("span", { "data-testid": "queue-depth" }),
      dlq: el("span", { "data-testid": "dlq-depth" }),
    };
    const open = el("button", { type: "button", "data-testid": "open-dlq" }, "Open DLQ");
    const all = el("button", { type: "button", "data-testid": "redrive-all" }, "Redrive all");
    open.addEventListener("click", () => openDlq(row).catch((e) => (status.textContent = e.message)));
    all.addEventListener("click", () => redrive(row, null, all));
    const tr = el(
      "tr",
      { "data-testid": "queue-row", "data-queue": key },
      el("td", {}, el("code", {}, key)),
      el("td", {}, row.events.join(", ")),
      el("td", {}, el("div", {}, row.queue.name), cells.queue),
      el("td", {}, el("div", {}, row.dlq.name), cells.dlq),
      el("td", { class: "actions" }, open, all),
    );
    body.append(tr);
    rows.set(key, { tr, cells, all });
    return rows.get(key);
  };

  const refresh = async () => {
    const answer = await getJson(systemPath(system, "queues"));
    if (!answer.queues.length) noRows(body, 5, "This system subscribes to no events: it has no queues.");
    for (const row of answer.queues) {
      const { tr, cells, all } = rowFor(row);
      cells.queue.textContent = depthText(row.queue);
      cells.dlq.textContent = depthText(row.dlq);
      tr.classList.toggle("failed", row.dlq.visible + row.dlq.in_flight > 0);
      all.disabled = row.dlq.visible === 0;
    }
  };
  return every(REFRESH_MS, refresh, (error) => (status.textContent = `Could not refresh: ${error.message}`));
}
