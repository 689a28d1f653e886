// A sale's receipt, as the point of sale shows it after paying and the sales list shows it on request.

import { dateTime, h, money, percent } from "./dom.js";

const PAYMENT_METHODS = { cash: "Cash", card: "Card", transfer: "Transfer" };

export function paymentLabel(method) {
  return PAYMENT_METHODS[method] ?? method;
}

export function receipt(sale, clientName) {
  const details = [dateTime(sale.created_at), paymentLabel(sale.payment_method)];
  if (clientName) details.push(`Client: ${clientName}`);
  if (sale.status === "VOIDED") details.push("VOIDED");
  return h(
    "article",
    { class: "receipt", "data-testid": "receipt" },
    h("h3", {}, "Receipt ", h("span", { "data-testid": "receipt-number", text: sale.number })),
    h("p", { class: "muted", text: details.join(" · ") }),
    h(
      "table",
      { class: "grid" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", { text: "Item" }),
          ...["Quantity", "Unit price", "Line total"].map((text) => h("th", { class: "num", text })),
        ),
      ),
      h(
        "tbody",
        {},
        sale.items.map((item) =>
          h(
            "tr",
            { "data-testid": `receipt-item-${item.sku}` },
            h("td", { text: `${item.name} (${item.sku})` }),
            h("td", { class: "num", text: String(item.quantity) }),
            h("td", { class: "num", text: money(item.unit_price) }),
            h("td", { class: "num", text: money(item.line_total) }),
          ),
        ),
      ),
    ),
    h(
      "dl",
      { class: "totals" },
      h("dt", { text: "Subtotal" }),
      h("dd", { "data-testid": "receipt-subtotal", text: money(sale.subtotal) }),
      h("dt", { text: `Tax (${percent(sale.tax_rate)})` }),
      h("dd", { "data-testid": "receipt-tax", text: money(sale.tax) }),
      h("dt", { text: "Total" }),
      h("dd", { class: "total", "data-testid": "receipt-total", text: money(sale.total) }),
    ),
  );
}
