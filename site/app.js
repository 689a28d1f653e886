// The store's web app: loads config.json, signs in with Cognito, then shows the screens the user's groups allow
// (hash routes: #/products, #/clients, #/pos, #/sales, #/reports, #/settings).

import { Api, loadConfig } from "./js/api.js";
import * as auth from "./js/auth.js";
import { attempt, clearMessage, onSubmit, setCurrency, showMessage, wireDialogs } from "./js/dom.js";
import { readable } from "./js/errors.js";
import { applyPermissions, permissions } from "./js/roles.js";
import { clientsView } from "./js/views/clients.js";
import { posView } from "./js/views/pos.js";
import { productsView } from "./js/views/products.js";
import { reportsView } from "./js/views/reports.js";
import { salesView } from "./js/views/sales.js";
import { settingsView } from "./js/views/settings.js";

// Each screen and the permission it needs (null: every member of staff).
const ROUTES = {
  products: { permission: null, create: productsView },
  clients: { permission: null, create: clientsView },
  pos: { permission: "sell", create: posView },
  sales: { permission: "sell", create: salesView },
  reports: { permission: "reports", create: reportsView },
  settings: { permission: "settings", create: settingsView },
};
const DEFAULT_ROUTE = "products";
// The API's own defaults (a Peruvian store), used only while GET /settings has not answered.
const DEFAULT_SETTINGS = {
  store_name: "Mi tienda",
  ruc: null,
  address: null,
  currency: "PEN",
  tax_rate: "0.18",
  low_stock_threshold: 5,
  language: "es-PE",
  time_zone: "America/Lima",
};

const signInView = document.getElementById("view-signin");
const signInMessage = signInView.querySelector(".message");
const nav = document.getElementById("nav");
const userBox = document.getElementById("user-box");
const setupNotice = document.getElementById("setup-notice");

let config = null;
let session = null;

// What the views share; `api` and `can` change with the signed-in user, the views are built once.
const ctx = {
  api: null,
  can: permissions([]),
  settings: DEFAULT_SETTINGS,
  applySettings(settings) {
    ctx.settings = settings;
    setCurrency(settings.currency);
    document.getElementById("store-name").textContent = settings.store_name;
    document.title = settings.store_name;
    // first run: an admin is asked to set the store up until the settings are saved once
    setupNotice.hidden = !(session && ctx.can.settings && settings.configured === false);
  },
};
const views = Object.fromEntries(Object.entries(ROUTES).map(([name, route]) => [name, route.create(ctx)]));

function showOnly(section) {
  for (const view of document.querySelectorAll("main > .view")) view.hidden = view !== section;
}

function route() {
  if (!session) return;
  let name = location.hash.replace(/^#\/?/, "");
  const entry = ROUTES[name];
  if (!entry || (entry.permission && !ctx.can[entry.permission])) {
    name = DEFAULT_ROUTE;
    history.replaceState(null, "", `#/${name}`);
  }
  for (const link of nav.querySelectorAll("a")) {
    if (link.dataset.route === name) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  showOnly(document.getElementById(`view-${name}`));
  views[name].show();
}

async function startSession(current) {
  session = current;
  ctx.can = permissions(session.groups);
  ctx.api = new Api(config.apiUrl, () => (auth.isLive(session) ? session.idToken : null), endSession);
  applyPermissions(ctx.can);
  document.getElementById("user-name").textContent = `${session.email} (${session.groups.join(", ") || "no group"})`;
  nav.hidden = false;
  userBox.hidden = false;
  try {
    ctx.applySettings(await ctx.api.get("/settings"));
  } catch {
    // the defaults stay; the screen's own calls show what is wrong
  }
  route();
}

/** Back to the sign-in screen, saying why (expired session, signed out). */
function endSession(text, kind = "error") {
  if (!session) return;
  session = null;
  ctx.api = null;
  auth.forget();
  for (const view of Object.values(views)) view.reset();
  for (const dialog of document.querySelectorAll("dialog[open]")) dialog.close();
  nav.hidden = true;
  userBox.hidden = true;
  ctx.applySettings(DEFAULT_SETTINGS);
  showOnly(signInView);
  showMessage(signInMessage, text, kind);
}

async function boot() {
  wireDialogs();
  const bootMessage = document.getElementById("boot-message");
  try {
    config = await loadConfig();
  } catch (error) {
    showMessage(bootMessage, readable(error));
    return;
  }
  bootMessage.hidden = true;

  const signInForm = document.getElementById("signin-form");
  onSubmit(signInForm, signInMessage, async (values) => {
    const current = await auth.signIn(config, values.email.trim(), values.password);
    signInForm.reset();
    clearMessage(signInMessage);
    await startSession(current);
  });
  document.getElementById("sign-out").addEventListener("click", (event) =>
    attempt(signInMessage, event.currentTarget, async () => {
      const ending = session;
      endSession("You have signed out.", "ok");
      history.replaceState(null, "", location.pathname);
      await auth.signOut(config, ending);
    }),
  );
  window.addEventListener("hashchange", route);

  const saved = auth.readSession();
  if (auth.isLive(saved)) {
    await startSession(saved);
  } else {
    showOnly(signInView);
    if (saved) {
      auth.forget();
      showMessage(signInMessage, "Your session has expired. Please sign in again.");
    }
  }
}

boot();
