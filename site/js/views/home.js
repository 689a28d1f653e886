// Home (admins): today's sales against yesterday, the last 7 or 30 days as a chart, the top products of those days,
// the products low on stock and the latest sales. Sellers start at the point of sale and warehouse staff at the
// stock instead (app.js).

import { attempt, emptyRow, h, loadingRow } from "../dom.js";
import { addDays, dateTime, money, number, percent, storeDay } from "../format.js";
import { t } from "../i18n.js";
import { drawSalesChart } from "../sales_chart.js";
import { statusBadge } from "./sales.js";

const RECENT_SALES = 5;

/** "Yesterday: S/ 120.00 (+15%)": the change is left out when yesterday had nothing to compare with. */
function againstYesterday(today, yesterday, format) {
  const change = yesterday > 0 ? ` (${today >= yesterday ? "+" : ""}${percent((today - yesterday) / yesterday)})` : "";
  return t("home.yesterday", { value: format(yesterday) }) + change;
}

export function homeView(ctx) {
  const section = document.getElementById("view-home");
  const message = section.querySelector(".message");
  const rangeButtons = [...section.querySelectorAll("[data-days]")];
  const topBody = document.getElementById("home-top-body");
  const lowBody = document.getElementById("home-low-body");
  const recentBody = document.getElementById("home-recent-body");
  let days = 7;

  async function load() {
    const today = storeDay();
    const [report, low, recent] = await Promise.all([
      ctx.api.get("/reports/sales", { from: addDays(today, 1 - days), to: today, group_by: "day" }),
      ctx.api.get("/stock", { low: "true", limit: 20 }),
      ctx.api.get("/sales", { limit: RECENT_SALES }),
    ]);
    showToday(report, today);
    drawSalesChart(document.getElementById("home-chart"), report);
    topBody.replaceChildren(...report.top_products.map(topRow));
    if (!report.top_products.length) topBody.append(emptyRow(3, t("reports.noProducts")));
    lowBody.replaceChildren(...low.items.map(lowRow));
    if (!low.items.length) lowBody.append(emptyRow(3, t("products.noneLow")));
    recentBody.replaceChildren(...recent.items.map(recentRow));
    if (!recent.items.length) recentBody.append(emptyRow(4, t("home.noSales")));
  }

  function showToday(report, today) {
    const day = (key) => report.groups.find((g) => g.key === key) ?? { sales: 0, total: "0" };
    const now = day(today);
    const before = day(addDays(today, -1));
    document.getElementById("home-today-total").textContent = money(now.total);
    document.getElementById("home-today-sales").textContent = number(now.sales);
    const compare = document.getElementById("home-today-compare");
    compare.textContent = againstYesterday(Number(now.total), Number(before.total), money);
    document.getElementById("home-sales-compare").textContent = againstYesterday(now.sales, before.sales, number);
  }

  const topRow = (p) =>
    h(
      "tr",
      {},
      h("td", { text: `${p.name} (${p.sku})` }),
      h("td", { class: "num", text: number(p.units) }),
      h("td", { class: "num", text: money(p.total) }),
    );

  const lowRow = (level) =>
    h(
      "tr",
      { "data-testid": `home-low-${level.sku}` },
      h("td", { text: `${level.name} (${level.sku})` }),
      h("td", { class: "num", text: number(level.stock) }),
      h("td", { class: "num", text: number(level.min_stock) }),
    );

  const recentRow = (sale) =>
    h(
      "tr",
      {},
      h("td", { text: sale.number }),
      h("td", { text: dateTime(sale.created_at) }),
      h("td", { class: "num", text: money(sale.total) }),
      h("td", {}, statusBadge(sale.status)),
    );

  for (const button of rangeButtons) {
    button.addEventListener("click", () => {
      days = Number(button.dataset.days);
      for (const other of rangeButtons) other.setAttribute("aria-pressed", String(other === button));
      attempt(message, button, load);
    });
  }

  return {
    show() {
      for (const body of [topBody, lowBody, recentBody]) {
        if (!body.children.length) body.replaceChildren(loadingRow(body.closest("table").rows[0].cells.length));
      }
      return attempt(message, null, load);
    },
    reset() {
      for (const body of [topBody, lowBody, recentBody]) body.replaceChildren();
    },
  };
}
