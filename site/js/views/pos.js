// Point of sale (sellers, admins): find products, fill a cart, pay. The server prices the sale and takes the stock;
// the totals shown before paying are an estimate. Each sale attempt carries an Idempotency-Key that stays the same
// while the cart does, so a retry after a lost answer cannot sell twice.

import { attempt, emptyRow, h, integer, loadingRow, rowButton, showMessage } from "../dom.js";
import { money, number, percent } from "../format.js";
import { t } from "../i18n.js";
import { receipt } from "../receipt.js";

const SHOWN_RESULTS = 20;

function cents(amount) {
  return Math.round(Number(amount) * 100);
}

function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

export function posView(ctx) {
  const section = document.getElementById("view-pos");
  const message = section.querySelector(".message");
  const search = document.getElementById("pos-search");
  const results = document.getElementById("pos-results");
  const cartBody = document.getElementById("cart-body");
  const clientSelect = document.getElementById("pos-client");
  const payForm = document.getElementById("pay-form");
  const workspace = section.querySelector(".pos");
  const receiptPanel = document.getElementById("pos-receipt");
  const cartStatus = document.getElementById("cart-status");
  let products = []; // active products, each with its stock
  let clients = [];
  const cart = new Map(); // product id → {product, quantity}
  const typed = new Map(); // product id → the quantity typed in its search row, kept when the rows are drawn again
  let key = null; // the Idempotency-Key of the current cart; a new one once the cart changes

  async function load() {
    const [catalog, levels, clientList] = await Promise.all([
      ctx.api.all("/products"),
      ctx.api.all("/stock"),
      ctx.api.all("/clients"),
    ]);
    const stock = new Map(levels.map((level) => [level.product_id, level.stock]));
    products = catalog.map((product) => ({ ...product, stock: stock.get(product.id) ?? 0 }));
    clients = clientList;
    for (const line of cart.values()) {
      // the cart follows the catalog: current prices, and a product no longer sold leaves it
      const current = products.find((p) => p.id === line.product.id);
      if (current) line.product = current;
      else if (cart.delete(line.product.id)) key = null;
    }
    renderClients();
    renderResults();
    renderCart();
  }

  // --- finding products ---------------------------------------------------------------------------------------------

  function renderResults() {
    const text = search.value.trim().toLowerCase();
    const matches = (p) => p.sku.toLowerCase().includes(text) || p.name.toLowerCase().includes(text);
    const found = text ? products.filter(matches) : products;
    results.replaceChildren(...found.slice(0, SHOWN_RESULTS).map(resultRow));
    if (!found.length)
      results.append(emptyRow(6, text ? t("products.noMatch", { q: search.value.trim() }) : t("pos.nothing")));
  }

  function resultRow(product) {
    const quantity = h("input", {
      type: "number",
      min: "1",
      step: "1",
      value: typed.get(product.id) ?? "1",
      class: "qty",
      inputmode: "numeric",
      "aria-label": t("pos.quantityOf", { sku: product.sku }),
      "data-testid": "pos-qty",
      oninput: (event) => typed.set(product.id, event.target.value),
    });
    const add = () => {
      addToCart(product, integer(quantity.value));
      quantity.value = "1";
      typed.delete(product.id);
    };
    return h(
      "tr",
      { "data-testid": `pos-result-${product.sku}` },
      h("td", { text: product.sku }),
      h("td", { text: product.name }),
      h("td", { class: "num", text: money(product.price) }),
      h("td", { class: "num", text: number(product.stock) }),
      h("td", {}, quantity),
      h("td", {}, rowButton(t("pos.add"), t("pos.addOf", { sku: product.sku }), "pos-add", add, "small")),
    );
  }

  // --- the cart -----------------------------------------------------------------------------------------------------

  function addToCart(product, quantity) {
    if (!(quantity >= 1)) {
      showMessage(message, t("pos.quantityAtLeast1"));
      return;
    }
    const line = cart.get(product.id);
    setQuantity(product, (line?.quantity ?? 0) + quantity);
    clearStatus();
    // said in the cart's own status line, so nothing above the search moves
    cartStatus.textContent = t("pos.added", { count: quantity, name: product.name });
  }

  function clearStatus() {
    showMessage(message, "", "ok");
    cartStatus.textContent = "";
  }

  function setQuantity(product, quantity) {
    if (quantity >= 1) cart.set(product.id, { product, quantity });
    else cart.delete(product.id);
    cartChanged();
  }

  function cartChanged() {
    key = null; // another request body needs another key
    renderCart();
  }

  function renderCart() {
    const lines = [...cart.values()];
    cartBody.replaceChildren(...lines.map(cartRow));
    if (!lines.length) cartBody.append(emptyRow(5, t("pos.empty")));
    const subtotal = lines.reduce((sum, line) => sum + cents(line.product.price) * line.quantity, 0);
    const rate = Number(ctx.settings.tax_rate);
    const tax = Math.round(subtotal * rate);
    document.getElementById("cart-tax-label").textContent = t("totals.taxAt", { rate: percent(rate) });
    document.getElementById("cart-subtotal").textContent = money(subtotal / 100);
    document.getElementById("cart-tax").textContent = money(tax / 100);
    document.getElementById("cart-total").textContent = money((subtotal + tax) / 100);
  }

  function cartRow({ product, quantity }) {
    const input = h("input", {
      type: "number",
      min: "1",
      step: "1",
      value: String(quantity),
      class: "qty",
      inputmode: "numeric",
      "aria-label": t("pos.quantityInCart", { sku: product.sku }),
      "data-testid": "cart-qty",
      onchange: () => setQuantity(product, integer(input.value)),
    });
    return h(
      "tr",
      { "data-testid": `cart-row-${product.sku}` },
      h("td", { text: `${product.name} (${product.sku})` }),
      h("td", {}, input),
      h("td", { class: "num", text: money(product.price) }),
      h("td", { class: "num", text: money((cents(product.price) * quantity) / 100) }),
      h(
        "td",
        {},
        rowButton(t("pos.remove"), t("pos.removeOf", { sku: product.sku }), "cart-remove", () =>
          setQuantity(product, 0),
        ),
      ),
    );
  }

  function renderClients() {
    const chosen = clientSelect.value;
    clientSelect.replaceChildren(
      h("option", { value: "", text: t("pos.noClient") }),
      ...clients.map((c) => h("option", { value: c.id, text: `${c.name} (${c.document_id})` })),
    );
    if (clients.some((c) => c.id === chosen)) clientSelect.value = chosen;
  }

  // --- paying -------------------------------------------------------------------------------------------------------

  payForm.addEventListener("change", () => {
    key = null; // client and payment method are part of the request body
  });

  payForm.addEventListener("submit", (event) => {
    event.preventDefault();
    attempt(message, document.getElementById("pos-pay"), pay);
  });

  async function pay() {
    if (!cart.size) {
      showMessage(message, t("pos.addFirst"));
      return;
    }
    key ??= newKey();
    const sale = await ctx.api.post(
      "/sales",
      {
        items: [...cart.values()].map((line) => ({ product_id: line.product.id, quantity: line.quantity })),
        payment_method: document.getElementById("pos-payment").value,
        client_id: clientSelect.value || undefined,
      },
      { "Idempotency-Key": key },
    );
    const client = clients.find((c) => c.id === sale.client_id);
    cart.clear();
    key = null;
    document.getElementById("pos-receipt-body").replaceChildren(receipt(sale, client?.name, ctx.settings));
    workspace.hidden = true;
    receiptPanel.hidden = false;
    cartStatus.textContent = "";
    showMessage(message, t("pos.recorded", { number: sale.number }), "ok");
    await load(); // fresh stock for the next sale
  }

  function newSale() {
    receiptPanel.hidden = true;
    workspace.hidden = false;
    clientSelect.value = "";
    search.value = "";
    clearStatus();
    renderResults();
    renderCart();
  }

  search.addEventListener("input", renderResults);
  document.getElementById("pos-next").addEventListener("click", () => {
    newSale();
    search.focus();
  });

  return {
    show: () => {
      if (!products.length) results.replaceChildren(loadingRow(6));
      return attempt(message, null, load);
    },
    reset: () => {
      cart.clear();
      key = null;
      products = [];
      clients = [];
      newSale();
    },
  };
}
