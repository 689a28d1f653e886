// A sale's receipt, as the point of sale shows it after paying and the sales list shows it on request: the store's
// name, RUC and address on top, and a Print button (style.css prints the receipt alone, ticket-wide).

import { h } from "./dom.js";
import { dateTime, money, number, percent } from "./format.js";
import { has, t } from "./i18n.js";

export function paymentLabel(method) {
  return has(`payment.${method}`) ? t(`payment.${method}`) : method;
}

/** The store as the receipt's heading: its name, then its RUC and address when set. */
function storeHeader(store) {
  return h(
    "header",
    { class: "receipt-store", "data-testid": "receipt-store" },
    h("strong", { "data-testid": "receipt-store-name", text: store.store_name }),
    store.ruc && h("span", { "data-testid": "receipt-ruc", text: t("receipt.ruc", { ruc: store.ruc }) }),
    store.address && h("span", { "data-testid": "receipt-address", text: store.address }),
  );
}

function printButton() {
  return h("button", {
    type: "button",
    class: "secondary small no-print",
    "data-testid": "receipt-print",
    onclick: () => window.print(),
    text: t("receipt.print"),
  });
}

/** `store`: the settings in force ({store_name, ruc, address}). */
export function receipt(sale, clientName, store) {
  const details = [dateTime(sale.created_at), paymentLabel(sale.payment_method)];
  if (clientName) details.push(t("receipt.client", { name: clientName }));
  if (sale.status === "VOIDED") details.push(t("receipt.voided"));
  return h(
    "article",
    { class: "receipt", "data-testid": "receipt" },
    storeHeader(store),
    h(
      "div",
      { class: "receipt-head" },
      h("h3", {}, `${t("receipt.title")} `, h("span", { "data-testid": "receipt-number", text: sale.number })),
      printButton(),
    ),
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
          h("th", { text: t("col.product") }),
          ...["col.quantity", "col.unit", "col.line"].map((key) => h("th", { class: "num", text: t(key) })),
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
            h("td", { class: "num", text: number(item.quantity) }),
            h("td", { class: "num", text: money(item.unit_price) }),
            h("td", { class: "num", text: money(item.line_total) }),
          ),
        ),
      ),
    ),
    h(
      "dl",
      { class: "totals" },
      h("dt", { text: t("totals.subtotal") }),
      h("dd", { "data-testid": "receipt-subtotal", text: money(sale.subtotal) }),
      h("dt", { text: t("totals.taxAt", { rate: percent(sale.tax_rate) }) }),
      h("dd", { "data-testid": "receipt-tax", text: money(sale.tax) }),
      h("dt", { text: t("totals.total") }),
      h("dd", { class: "total", "data-testid": "receipt-total", text: money(sale.total) }),
    ),
  );
}
