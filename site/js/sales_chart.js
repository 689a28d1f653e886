// The chart of a sales report's days (GET /reports/sales?group_by=day), as the reports and home screens show it.

import { barChart } from "./chart.js";
import { addDays, dayText, money } from "./format.js";
import { t } from "./i18n.js";

/** Every day from `from` to `to` inclusive, so days without sales show as empty bars. */
function days(from, to) {
  const list = [];
  for (let day = from; day <= to; day = addDays(day, 1)) list.push(day);
  return list;
}

/** Draws `report`'s days into `box`, scrolled to the latest days (a narrow screen shows those first). */
export function drawSalesChart(box, report) {
  const byDay = new Map(report.groups.map((g) => [g.key, g]));
  const points = days(report.from, report.to).map((day) => {
    const group = byDay.get(day);
    const title = group
      ? t("chart.daySales", { day: dayText(day), count: group.sales, total: money(group.total) })
      : t("chart.dayNone", { day: dayText(day) });
    const label = dayText(day, { day: "numeric", month: "short" });
    return { key: day, label, value: group ? Number(group.total) : 0, title, text: group ? money(group.total) : "" };
  });
  const description = t("chart.description", { from: dayText(report.from), to: dayText(report.to) });
  box.replaceChildren(barChart(points, description, t("chart.noSales")));
  box.scrollLeft = box.scrollWidth;
}
