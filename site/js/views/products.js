// Products & stock: the catalog with each product's stock and a "low" badge, searchable by SKU or name and narrowed
// to the low ones on request; admins create, edit and deactivate products; warehouse staff and admins record stock
// adjustments; everyone can read a product's movements.

import {
  actionsCell,
  attempt,
  confirmAction,
  emptyRow,
  h,
  integer,
  loadingRow,
  onSubmit,
  openDialog,
  rowButton,
  showMessage,
} from "../dom.js";
import { dateTime, decimalText, money, number } from "../format.js";
import { has, t } from "../i18n.js";
import { newestOnly, onSearch, searchText } from "../search.js";

/** Low stock first (the warehouse's first task), then by SKU. */
function lowFirst(stock) {
  const isLow = (p) => stock.has(p.id) && stock.get(p.id) < p.min_stock;
  return (a, b) => Number(isLow(b)) - Number(isLow(a)) || a.sku.localeCompare(b.sku);
}

export function productsView(ctx) {
  const section = document.getElementById("view-products");
  const message = section.querySelector(".message");
  const body = document.getElementById("products-body");
  const showInactive = document.getElementById("products-inactive");
  const search = document.getElementById("products-search");
  const lowOnly = document.getElementById("products-low");
  const shown = newestOnly(); // a slow answer to an older search never replaces a newer one
  const productDialog = document.getElementById("product-dialog");
  const productForm = document.getElementById("product-form");
  const adjustDialog = document.getElementById("adjust-dialog");
  const adjustForm = document.getElementById("adjust-form");
  const historyDialog = document.getElementById("history-dialog");
  let editing = null; // the product the form edits; null for a new one
  let adjusting = null;

  async function load() {
    const q = searchText(search);
    const low = lowOnly.checked;
    const inactive = ctx.can.editProducts && showInactive.checked && !low; // a low product is an active one
    const fetching = Promise.all([
      ctx.api.all("/products", { q, include_inactive: inactive ? "true" : "" }),
      ctx.api.all("/stock", { q, low: low ? "true" : "" }), // stock of the active products
    ]);
    await shown(fetching, ([catalog, levels]) => {
      const stock = new Map(levels.map((level) => [level.product_id, level.stock]));
      const products = (low ? catalog.filter((p) => stock.has(p.id)) : catalog).sort(lowFirst(stock));
      body.replaceChildren(...products.map((p) => row(p, stock.get(p.id))));
      if (!products.length) body.append(emptyRow(8, emptyText(q, low)));
    });
  }

  function emptyText(q, low) {
    if (q) return low ? t("products.noLowMatch", { q }) : t("products.noMatch", { q });
    return low ? t("products.noneLow") : t("products.none");
  }

  function row(product, stock) {
    const low = stock !== undefined && stock < product.min_stock;
    return h(
      "tr",
      { "data-testid": `product-row-${product.sku}`, class: product.active ? "" : "inactive" },
      h("td", { text: product.sku }),
      h("td", { text: product.name }),
      h("td", { text: product.category }),
      h("td", { class: "num", text: money(product.price) }),
      h("td", { class: "num", "data-testid": "stock", text: stock === undefined ? "—" : number(stock) }),
      h("td", { class: "num", "data-testid": "min-stock", text: number(product.min_stock) }),
      h(
        "td",
        {},
        low && h("span", { class: "badge low", "data-testid": "low-badge", text: t("products.low") }),
        !product.active && h("span", { class: "badge muted", text: t("products.inactive") }),
      ),
      actionsCell(...actions(product, stock)),
    );
  }

  function actions(product, stock) {
    const sku = product.sku;
    const history = () => showHistory(product);
    const list = [rowButton(t("products.movements"), t("products.movementsOf", { sku }), "product-history", history)];
    if (ctx.can.adjustStock && product.active) {
      const adjust = () => openAdjust(product, stock);
      list.push(rowButton(t("adjust.title"), t("adjust.of", { sku }), "product-adjust", adjust));
    }
    if (ctx.can.editProducts) {
      list.push(
        rowButton(t("action.edit"), t("action.editOf", { what: sku }), "product-edit", () => openProduct(product)),
      );
      if (product.active) {
        const remove = () => deactivate(product);
        const label = t("products.deactivateOf", { sku });
        list.push(rowButton(t("products.deactivate"), label, "product-delete", remove, "danger small"));
      }
    }
    return list;
  }

  // --- create and edit (admins) -------------------------------------------------------------------------------------

  function openProduct(product) {
    editing = product;
    productForm.reset();
    productDialog.querySelector("h2").textContent = product
      ? t("action.editOf", { what: product.sku })
      : t("products.new");
    const fields = productForm.elements;
    fields.sku.value = product?.sku ?? "";
    fields.name.value = product?.name ?? "";
    fields.category.value = product?.category ?? "";
    fields.price.value = product?.price ?? "";
    // left empty, the API applies the store's low-stock threshold (new) or keeps the current minimum (edit)
    fields.min_stock.value = product ? String(product.min_stock) : "";
    fields.min_stock.placeholder = t("products.minStockDefault", { count: ctx.settings.low_stock_threshold });
    fields.active.checked = product?.active ?? true;
    document.getElementById("product-active-label").hidden = !product; // a new product is always active
    openDialog(productDialog);
  }

  onSubmit(productForm, productDialog.querySelector(".message"), async (values) => {
    const product = {
      sku: values.sku,
      name: values.name,
      category: values.category,
      price: decimalText(values.price), // "9,90" as typed in Peru is 9.90
      min_stock: values.min_stock.trim() === "" ? undefined : integer(values.min_stock),
    };
    if (editing) product.active = productForm.elements.active.checked;
    const saved = editing
      ? await ctx.api.put(`/products/${editing.id}`, product)
      : await ctx.api.post("/products", product);
    productDialog.close();
    await attempt(message, null, () => refresh(t("products.saved", { sku: saved.sku })));
  });

  async function deactivate(product) {
    const question = t("products.deactivateQuestion", { sku: product.sku, name: product.name });
    if (!(await confirmAction(question, t("products.deactivate")))) return;
    await attempt(message, null, async () => {
      await ctx.api.delete(`/products/${product.id}`);
      await refresh(t("products.deactivated", { sku: product.sku }));
    });
  }

  // --- stock adjustments (warehouse, admins) ------------------------------------------------------------------------

  function openAdjust(product, stock) {
    adjusting = product;
    adjustForm.reset();
    const current = stock === undefined ? "" : ` (${t("adjust.now", { count: stock })})`;
    document.getElementById("adjust-product").textContent = `${product.sku} · ${product.name}${current}`;
    openDialog(adjustDialog);
  }

  onSubmit(adjustForm, adjustDialog.querySelector(".message"), async (values) => {
    const result = await ctx.api.post("/stock/adjustments", {
      product_id: adjusting.id,
      delta: integer(values.delta),
      reason: values.reason,
    });
    adjustDialog.close();
    const { sku, stock } = result.stock;
    await attempt(message, null, () => refresh(t("adjust.done", { sku, count: stock })));
  });

  // --- movement history ---------------------------------------------------------------------------------------------

  async function showHistory(product) {
    const rows = document.getElementById("history-body");
    historyDialog.querySelector("h2").textContent = t("products.movementsOf", { sku: product.sku });
    rows.replaceChildren(loadingRow(4));
    openDialog(historyDialog);
    await attempt(historyDialog.querySelector(".message"), null, async () => {
      const page = await ctx.api.get("/stock/movements", { product_id: product.id, limit: 100 });
      rows.replaceChildren(
        ...page.items.map((m) =>
          h(
            "tr",
            { "data-testid": "movement-row" },
            h("td", { text: dateTime(m.created_at) }),
            h("td", { text: has(`movement.${m.kind}`) ? t(`movement.${m.kind}`) : m.kind }),
            h("td", { class: "num", text: m.delta > 0 ? `+${number(m.delta)}` : number(m.delta) }),
            h("td", { text: m.reason ?? "" }),
          ),
        ),
      );
      if (!page.items.length) rows.append(emptyRow(4, t("products.noMovements")));
    });
  }

  /** Reloads the table, then says what was done (a failed reload shows its own error instead). */
  async function refresh(done) {
    await load();
    showMessage(message, done, "ok");
  }

  showInactive.addEventListener("change", () => attempt(message, showInactive, load));
  lowOnly.addEventListener("change", () => attempt(message, lowOnly, load));
  onSearch(search, () => attempt(message, null, load));
  document.getElementById("product-new").addEventListener("click", () => openProduct(null));

  return {
    show: () => {
      if (!body.children.length) body.replaceChildren(loadingRow(8));
      return attempt(message, null, load);
    },
    reset: () => {
      body.replaceChildren();
      search.value = "";
      lowOnly.checked = false;
    },
  };
}
