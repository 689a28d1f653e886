// Reports (sellers, admins): totals, sales per day as a chart, and the top products of a range of the store's days.
// Admins also get the automatic reports: each daily, weekly or monthly period, newest first, with its files to
// download, when the schedule writes it if it has not yet, and a button to generate a period that is over now.

import { addDays, dateTime, dayText, money, number, storeDay } from "../format.js";
import { attempt, emptyRow, h, loadingRow, rowButton, showMessage } from "../dom.js";
import { t } from "../i18n.js";
import { drawSalesChart } from "../sales_chart.js";

const DEFAULT_DAYS = 7;
const PERIODS_PER_PAGE = 7;

export function reportsView(ctx) {
  const section = document.getElementById("view-reports");
  const message = section.querySelector(".message");
  const filter = document.getElementById("reports-filter");
  const result = document.getElementById("reports-result");
  const files = reportFiles(ctx);

  async function load() {
    const report = await ctx.api.get("/reports/sales", {
      from: filter.elements.from.value,
      to: filter.elements.to.value,
      group_by: "day",
    });
    const totals = report.totals;
    document.getElementById("report-sales").textContent = number(totals.sales);
    document.getElementById("report-units").textContent = number(totals.units);
    document.getElementById("report-subtotal").textContent = money(totals.subtotal);
    document.getElementById("report-tax").textContent = money(totals.tax);
    document.getElementById("report-total").textContent = money(totals.total);
    drawSalesChart(document.getElementById("report-chart"), report);
    const top = document.getElementById("top-products-body");
    top.replaceChildren(
      ...report.top_products.map((p) =>
        h(
          "tr",
          { "data-testid": `top-product-${p.sku}` },
          h("td", { text: p.sku }),
          h("td", { text: p.name }),
          h("td", { class: "num", text: number(p.units) }),
          h("td", { class: "num", text: money(p.total) }),
        ),
      ),
    );
    if (!report.top_products.length) top.append(emptyRow(4, t("reports.noProducts")));
    result.hidden = false;
  }

  filter.addEventListener("submit", (event) => {
    event.preventDefault();
    attempt(message, event.submitter, load);
  });

  return {
    show() {
      if (!filter.elements.to.value) {
        const today = storeDay(); // reports count the store's days
        filter.elements.to.value = today;
        filter.elements.from.value = addDays(today, 1 - DEFAULT_DAYS);
      }
      if (ctx.can.reportFiles) files.show();
      return attempt(message, null, load);
    },
    reset() {
      filter.reset();
      result.hidden = true;
      files.reset();
    },
  };
}

/** The automatic reports' panel (admins): GET /reports per kind, GET or PUT /reports/{kind}/{period}. */
function reportFiles(ctx) {
  const kind = document.getElementById("files-kind");
  const body = document.getElementById("files-body");
  const more = document.getElementById("files-more");
  const message = body.closest(".panel").querySelector(".message");
  let cursor = null;

  async function load(append = false) {
    const page = await ctx.api.get("/reports", {
      kind: kind.value,
      limit: PERIODS_PER_PAGE,
      cursor: append ? cursor : undefined,
    });
    const rows = page.items.map(row);
    if (append) body.append(...rows);
    else body.replaceChildren(...rows);
    if (!body.children.length) body.append(emptyRow(3, t("files.none")));
    cursor = page.next_cursor;
    more.hidden = !cursor;
  }

  /** "Week 48 (23–29 Nov 2026)": a period in words, with its days. */
  function periodText(period) {
    const days = period.first === period.last ? "" : ` (${dayText(period.first)} – ${dayText(period.last)})`;
    const name = period.kind === "daily" ? dayText(period.first, { dateStyle: "full" }) : period.period;
    return `${name}${days}`;
  }

  function stateText(period) {
    if (period.generated) return t("files.ready");
    if (period.runs_at) return t("files.runsAt", { runs_at: dateTime(period.runs_at) });
    return t("files.notGenerated");
  }

  function row(period) {
    const cells = h("div", { class: "row-actions" });
    const over = period.last < storeDay();
    const tr = h(
      "tr",
      { "data-testid": `report-period-${period.period}` },
      h("th", { scope: "row", text: periodText(period) }),
      h("td", { "data-testid": "report-state", text: stateText(period) }),
      h("td", {}, cells),
    );
    const showLinks = (links) => cells.replaceChildren(...downloadLinks(links), generateButton());
    const fetchLinks = () => attempt(message, null, async () => showLinks(await ctx.api.get(path(period))));
    const generate = () =>
      attempt(message, null, async () => {
        const links = await ctx.api.put(path(period));
        period.generated = true; // its button now generates it again
        showLinks(links);
        tr.querySelector("[data-testid=report-state]").textContent = t("files.ready");
        showMessage(message, t("files.generated", { period: periodText(period) }), "ok");
      });
    const generateButton = () =>
      over &&
      rowButton(
        period.generated ? t("files.regenerate") : t("files.generate"),
        period.generated
          ? t("files.regenerateOf", { period: period.period })
          : t("files.generateOf", { period: period.period }),
        "report-generate",
        generate,
        period.generated ? "secondary small" : "small",
      );
    cells.append(
      ...[
        period.generated &&
          rowButton(t("files.download"), t("files.downloadOf", { period: period.period }), "report-links", fetchLinks),
        generateButton(),
      ].filter(Boolean),
    );
    return tr;
  }

  function path(period) {
    return `/reports/${encodeURIComponent(period.kind)}/${encodeURIComponent(period.period)}`;
  }

  /** The CSV and JSON links, each named for its period (several rows may show theirs). */
  function downloadLinks(links) {
    const title = t("files.linksExpire", { count: Math.round(links.expires_in / 60) });
    return [
      ["CSV", links.csv_url],
      ["JSON", links.json_url],
    ].map(([format, href]) =>
      h("a", {
        href,
        class: "button small",
        "data-testid": `report-${format.toLowerCase()}`,
        "aria-label": t("files.fileOf", { format, period: links.period }),
        title,
        text: format,
      }),
    );
  }

  kind.addEventListener("change", () => attempt(message, kind, () => load()));
  more.addEventListener("click", () => attempt(message, more, () => load(true)));

  return {
    show() {
      if (!body.children.length) body.replaceChildren(loadingRow(3));
      return attempt(message, null, () => load());
    },
    reset() {
      body.replaceChildren();
      kind.value = "daily";
      more.hidden = true;
    },
  };
}
