// Sales (sellers, admins): newest first between two days, all or of one status; a seller sees their own, an admin
// everyone's and may void a completed sale (its stock goes back).

import { actionsCell, attempt, confirmAction, emptyRow, h, loadingRow, rowButton, showMessage } from "../dom.js";
import { addDays, dateTime, money, number, storeDay } from "../format.js";
import { t } from "../i18n.js";
import { paymentLabel, receipt } from "../receipt.js";

const DEFAULT_DAYS = 7;

/** A sale's status as a coloured badge, in words. */
export function statusBadge(status) {
  return h("span", { class: `badge ${status.toLowerCase()}`, text: t(`status.${status}`) });
}

export function salesView(ctx) {
  const section = document.getElementById("view-sales");
  const message = section.querySelector(".message");
  const filter = document.getElementById("sales-filter");
  const body = document.getElementById("sales-body");
  const more = document.getElementById("sales-more");
  const receiptDialog = document.getElementById("receipt-dialog");
  let cursor = null;

  function filters() {
    const { from, to, status } = filter.elements;
    return { from: from.value, to: to.value, status: status.value };
  }

  async function load(append = false) {
    const page = await ctx.api.get("/sales", { ...filters(), limit: 50, cursor: append ? cursor : undefined });
    const rows = page.items.map(row);
    if (append) body.append(...rows);
    else body.replaceChildren(...rows);
    if (!body.children.length) body.append(emptyRow(7, t(`sales.none${filters().status}`)));
    cursor = page.next_cursor;
    more.hidden = !cursor;
  }

  function row(sale) {
    const units = sale.items.reduce((sum, item) => sum + item.quantity, 0);
    return h(
      "tr",
      { "data-testid": `sale-row-${sale.number}`, class: sale.status === "VOIDED" ? "inactive" : "" },
      h("td", { text: sale.number }),
      h("td", { text: dateTime(sale.created_at) }),
      h("td", { class: "num", text: number(units) }),
      h("td", { text: paymentLabel(sale.payment_method) }),
      h("td", { class: "num", text: money(sale.total) }),
      h("td", {}, statusBadge(sale.status)),
      actionsCell(
        rowButton(t("receipt.title"), t("sales.receiptOf", { number: sale.number }), "sale-receipt", () =>
          showReceipt(sale),
        ),
        ctx.can.voidSales &&
          sale.status === "COMPLETED" &&
          rowButton(
            t("sales.void"),
            t("sales.voidOf", { number: sale.number }),
            "sale-void",
            () => voidSale(sale),
            "danger small",
          ),
      ),
    );
  }

  function showReceipt(sale) {
    document.getElementById("receipt-dialog-body").replaceChildren(receipt(sale, undefined, ctx.settings));
    receiptDialog.showModal();
  }

  async function voidSale(sale) {
    const question = t("sales.voidQuestion", { number: sale.number, total: money(sale.total) });
    if (!(await confirmAction(question, t("sales.voidConfirm")))) return;
    await attempt(message, null, async () => {
      await ctx.api.post(`/sales/${sale.id}/void`);
      await load();
      showMessage(message, t("sales.voided", { number: sale.number }), "ok");
    });
  }

  filter.addEventListener("submit", (event) => {
    event.preventDefault();
    attempt(message, event.submitter, () => load());
  });
  // another status lists from the first page again
  filter.elements.status.addEventListener("change", () => attempt(message, null, () => load()));
  more.addEventListener("click", () => attempt(message, more, () => load(true)));
  // a closed dialog keeps no receipt, so the page only ever holds the one on screen
  receiptDialog.addEventListener("close", () => document.getElementById("receipt-dialog-body").replaceChildren());

  return {
    show() {
      if (!filter.elements.to.value) {
        const today = storeDay();
        filter.elements.to.value = today;
        filter.elements.from.value = addDays(today, 1 - DEFAULT_DAYS);
      }
      if (!body.children.length) body.replaceChildren(loadingRow(7));
      return attempt(message, null, () => load());
    },
    reset() {
      body.replaceChildren();
      filter.reset();
      more.hidden = true;
    },
  };
}
