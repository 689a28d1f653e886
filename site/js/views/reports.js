// Reports (sellers, admins): totals, sales per day as a chart, and the top products of a period; admins also get
// the links to download a day's report file.

import { addDays, attempt, emptyRow, h, money, onSubmit, storeDay } from "../dom.js";
import { barChart } from "../chart.js";

const DEFAULT_DAYS = 7;

/** Every UTC day from `from` to `to` inclusive, so days without sales show as empty bars. */
function days(from, to) {
  const list = [];
  for (let day = from; day <= to; day = addDays(day, 1)) list.push(day);
  return list;
}

export function reportsView(ctx) {
  const section = document.getElementById("view-reports");
  const message = section.querySelector(".message");
  const filter = document.getElementById("reports-filter");
  const result = document.getElementById("reports-result");
  const dailyForm = document.getElementById("daily-form");
  const dailyMessage = dailyForm.parentElement.querySelector(".message");
  const dailyLinks = document.getElementById("daily-links");

  async function load() {
    const report = await ctx.api.get("/reports/sales", {
      from: filter.elements.from.value,
      to: filter.elements.to.value,
      group_by: "day",
    });
    const totals = report.totals;
    document.getElementById("report-sales").textContent = String(totals.sales);
    document.getElementById("report-units").textContent = String(totals.units);
    document.getElementById("report-subtotal").textContent = money(totals.subtotal);
    document.getElementById("report-tax").textContent = money(totals.tax);
    document.getElementById("report-total").textContent = money(totals.total);
    const byDay = new Map(report.groups.map((g) => [g.key, g]));
    const points = days(report.from, report.to).map((day) => {
      const group = byDay.get(day);
      const total = group ? Number(group.total) : 0;
      const title = `${day}: ${group ? `${group.sales} sale(s), ${money(group.total)}` : "no sales"}`;
      return { label: day.slice(5), value: total, title, text: group ? money(group.total) : "" };
    });
    const description = `Sales total per day from ${report.from} to ${report.to}`;
    const chart = document.getElementById("report-chart");
    chart.replaceChildren(barChart(points, description));
    chart.scrollLeft = chart.scrollWidth; // on a narrow screen the latest days show first
    const top = document.getElementById("top-products-body");
    top.replaceChildren(
      ...report.top_products.map((p) =>
        h(
          "tr",
          { "data-testid": `top-product-${p.sku}` },
          h("td", { text: p.sku }),
          h("td", { text: p.name }),
          h("td", { class: "num", text: String(p.units) }),
          h("td", { class: "num", text: money(p.total) }),
        ),
      ),
    );
    if (!report.top_products.length) top.append(emptyRow(4, "No products sold in these days."));
    result.hidden = false;
  }

  filter.addEventListener("submit", (event) => {
    event.preventDefault();
    attempt(message, event.submitter, load);
  });

  onSubmit(dailyForm, dailyMessage, async (values) => {
    dailyLinks.hidden = true;
    const links = await ctx.api.get(`/reports/daily/${encodeURIComponent(values.date)}`);
    const minutes = Math.round(links.expires_in / 60);
    dailyLinks.replaceChildren(
      h("a", { href: links.csv_url, "data-testid": "daily-csv", text: `Download ${links.period} (CSV)` }),
      " ",
      h("a", { href: links.json_url, "data-testid": "daily-json", text: `Download ${links.period} (JSON)` }),
      h("span", { class: "muted", text: ` The links work for ${minutes} minutes.` }),
    );
    dailyLinks.hidden = false;
  });

  return {
    show() {
      if (!filter.elements.to.value) {
        const today = storeDay(ctx.settings.time_zone); // reports count the store's days
        filter.elements.to.value = today;
        filter.elements.from.value = addDays(today, 1 - DEFAULT_DAYS);
        dailyForm.elements.date.value = today;
      }
      return attempt(message, null, load);
    },
    reset() {
      filter.reset();
      dailyForm.reset();
      result.hidden = true;
      dailyLinks.hidden = true;
    },
  };
}
