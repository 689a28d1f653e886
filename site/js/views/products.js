// Products & stock: the catalog with each product's stock and a "low" badge, searchable by SKU or name and narrowed
// to the low ones on request; admins create, edit and deactivate products; warehouse staff and admins record stock
// adjustments; everyone can read a product's movements.

import {
  actionsCell,
  attempt,
  confirmAction,
  dateTime,
  emptyRow,
  h,
  integer,
  money,
  onSubmit,
  openDialog,
  rowButton,
  showMessage,
} from "../dom.js";
import { newestOnly, noMatch, onSearch, searchText } from "../search.js";

const MOVEMENT_KINDS = { ADJUSTMENT: "Adjustment", SALE: "Sale", VOID: "Voided sale" };

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
      const products = low ? catalog.filter((p) => stock.has(p.id)) : catalog;
      body.replaceChildren(...products.map((p) => row(p, stock.get(p.id))));
      if (!products.length) body.append(emptyRow(8, emptyText(q, low)));
    });
  }

  function emptyText(q, low) {
    if (q) return noMatch(low ? "low-stock products" : "products", q);
    return low ? "No product is low on stock." : "No products yet.";
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
      h("td", { class: "num", "data-testid": "stock", text: stock === undefined ? "—" : String(stock) }),
      h("td", { class: "num", "data-testid": "min-stock", text: String(product.min_stock) }),
      h(
        "td",
        {},
        low && h("span", { class: "badge low", "data-testid": "low-badge", text: "low" }),
        !product.active && h("span", { class: "badge muted", text: "inactive" }),
      ),
      actionsCell(...actions(product, stock)),
    );
  }

  function actions(product, stock) {
    const sku = product.sku;
    const list = [rowButton("Movements", `Stock movements of ${sku}`, "product-history", () => showHistory(product))];
    if (ctx.can.adjustStock && product.active) {
      const adjust = () => openAdjust(product, stock);
      list.push(rowButton("Adjust stock", `Adjust stock of ${sku}`, "product-adjust", adjust));
    }
    if (ctx.can.editProducts) {
      list.push(rowButton("Edit", `Edit ${sku}`, "product-edit", () => openProduct(product)));
      if (product.active) {
        const remove = () => deactivate(product);
        list.push(rowButton("Deactivate", `Deactivate ${sku}`, "product-delete", remove, "danger small"));
      }
    }
    return list;
  }

  // --- create and edit (admins) -------------------------------------------------------------------------------------

  function openProduct(product) {
    editing = product;
    productForm.reset();
    productDialog.querySelector("h2").textContent = product ? `Edit ${product.sku}` : "New product";
    const fields = productForm.elements;
    fields.sku.value = product?.sku ?? "";
    fields.name.value = product?.name ?? "";
    fields.category.value = product?.category ?? "";
    fields.price.value = product?.price ?? "";
    // left empty, the API applies the store's low-stock threshold (new) or keeps the current minimum (edit)
    fields.min_stock.value = product ? String(product.min_stock) : "";
    fields.min_stock.placeholder = `Store default (${ctx.settings.low_stock_threshold})`;
    fields.active.checked = product?.active ?? true;
    document.getElementById("product-active-label").hidden = !product; // a new product is always active
    openDialog(productDialog);
  }

  onSubmit(productForm, productDialog.querySelector(".message"), async (values) => {
    const product = {
      sku: values.sku,
      name: values.name,
      category: values.category,
      price: values.price.trim(),
      min_stock: values.min_stock.trim() === "" ? undefined : integer(values.min_stock),
    };
    if (editing) product.active = productForm.elements.active.checked;
    const saved = editing
      ? await ctx.api.put(`/products/${editing.id}`, product)
      : await ctx.api.post("/products", product);
    productDialog.close();
    await attempt(message, null, () => refresh(`Product ${saved.sku} saved.`));
  });

  async function deactivate(product) {
    const question = `Deactivate ${product.sku} (${product.name})? It will no longer be sold.`;
    if (!(await confirmAction(question, "Deactivate"))) return;
    await attempt(message, null, async () => {
      await ctx.api.delete(`/products/${product.id}`);
      await refresh(`Product ${product.sku} deactivated.`);
    });
  }

  // --- stock adjustments (warehouse, admins) ------------------------------------------------------------------------

  function openAdjust(product, stock) {
    adjusting = product;
    adjustForm.reset();
    const current = stock === undefined ? "" : ` (now ${stock} in stock)`;
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
    await attempt(message, null, () => refresh(`Stock of ${result.stock.sku} is now ${result.stock.stock}.`));
  });

  // --- movement history ---------------------------------------------------------------------------------------------

  async function showHistory(product) {
    const rows = document.getElementById("history-body");
    historyDialog.querySelector("h2").textContent = `Stock movements of ${product.sku}`;
    rows.replaceChildren(emptyRow(4, "Loading…"));
    openDialog(historyDialog);
    await attempt(historyDialog.querySelector(".message"), null, async () => {
      const page = await ctx.api.get("/stock/movements", { product_id: product.id, limit: 100 });
      rows.replaceChildren(
        ...page.items.map((m) =>
          h(
            "tr",
            { "data-testid": "movement-row" },
            h("td", { text: dateTime(m.created_at) }),
            h("td", { text: MOVEMENT_KINDS[m.kind] ?? m.kind }),
            h("td", { class: "num", text: m.delta > 0 ? `+${m.delta}` : String(m.delta) }),
            h("td", { text: m.reason ?? "" }),
          ),
        ),
      );
      if (!page.items.length) rows.append(emptyRow(4, "No movements yet."));
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
    show: () => attempt(message, null, load),
    reset: () => {
      body.replaceChildren();
      search.value = "";
      lowOnly.checked = false;
    },
  };
}
