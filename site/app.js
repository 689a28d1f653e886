// The store's web app: loads config.json, signs in with Cognito, then shows the screens the user's groups allow
// (hash routes: #/home, #/pos, #/products, #/clients, #/sales, #/reports, #/settings), in the user's language.

import { Api, loadConfig } from "./js/api.js";
import * as auth from "./js/auth.js";
import { attempt, clearMessage, labelTableCells, onSubmit, showMessage, wireDialogs } from "./js/dom.js";
import { UserError, readable } from "./js/errors.js";
import { setStore } from "./js/format.js";
import { deviceLanguage, language, pick, t, useLanguage } from "./js/i18n.js";
import { applyPermissions, homeRoute, permissions } from "./js/roles.js";
import { clientsView } from "./js/views/clients.js";
import { homeView } from "./js/views/home.js";
import { posView } from "./js/views/pos.js";
import { productsView } from "./js/views/products.js";
import { reportsView } from "./js/views/reports.js";
import { salesView } from "./js/views/sales.js";
import { settingsView } from "./js/views/settings.js";

// Each screen and the permission it needs (null: every member of staff).
const ROUTES = {
  home: { permission: "dashboard", create: homeView },
  pos: { permission: "sell", create: posView },
  products: { permission: null, create: productsView },
  clients: { permission: null, create: clientsView },
  sales: { permission: "sell", create: salesView },
  reports: { permission: "reports", create: reportsView },
  settings: { permission: "settings", create: settingsView },
};
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

const BOOT_FAILED = "La aplicación no pudo iniciar: recarga la página. · The app could not start: reload the page.";

const signInView = document.getElementById("view-signin");
const signInMessage = signInView.querySelector(".message");
const nav = document.getElementById("nav");
const menuToggle = document.getElementById("menu-toggle");
const languageSelect = document.getElementById("language");
const setupNotice = document.getElementById("setup-notice");
const signedInOnly = [nav, menuToggle, document.getElementById("user-name"), document.getElementById("sign-out")];

let config = null;
let session = null;
let preferred = null; // the user's own language (GET /preferences), null to follow the store
let chosenBeforeSignIn = null; // a language picked on the sign-in screen becomes the user's own at sign-in

// What the views share; `api` and `can` change with the signed-in user, the views are built once.
const ctx = {
  api: null,
  can: permissions([]),
  settings: DEFAULT_SETTINGS,
  async applySettings(settings) {
    showStore(settings);
    // first run: an admin is asked to set the store up until the settings are saved once
    setupNotice.hidden = !(session && ctx.can.settings && settings.configured === false);
    await showIn(pick(preferred, settings.language));
  },
};
const views = Object.fromEntries(Object.entries(ROUTES).map(([name, route]) => [name, route.create(ctx)]));

function showStore(settings) {
  ctx.settings = settings;
  setStore(settings);
  document.getElementById("store-name").textContent = settings.store_name;
  document.title = settings.store_name;
}

/** Shows the page in `lang`; the screen on show is drawn again, as its rows hold words and formats. */
async function showIn(lang) {
  languageSelect.value = lang;
  if (lang === language()) return;
  await useLanguage(lang);
  showUser();
  if (document.querySelector("main > .view:not([hidden]):not(#view-signin)")) route();
}

/** Who is signed in, and their groups in the language shown. */
function showUser() {
  if (!session) return;
  const groups = session.groups.map((group) => t(`group.${group}`)).join(", ") || t("group.none");
  document.getElementById("user-name").textContent = `${session.email} (${groups})`;
}

function showOnly(section) {
  for (const view of document.querySelectorAll("main > .view")) view.hidden = view !== section;
}

function route() {
  if (!session) return;
  let name = location.hash.replace(/^#\/?/, "");
  const entry = ROUTES[name];
  if (!entry || (entry.permission && !ctx.can[entry.permission])) {
    name = homeRoute(ctx.can);
    history.replaceState(null, "", `#/${name}`);
  }
  for (const link of nav.querySelectorAll("a")) {
    if (link.dataset.route === name) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  setMenuOpen(false);
  showOnly(document.getElementById(`view-${name}`));
  views[name].show();
}

/** On a phone the menu folds behind a button (style.css); following a link folds it again. */
function setMenuOpen(open) {
  menuToggle.setAttribute("aria-expanded", String(open));
  nav.classList.toggle("open", open);
}

async function startSession(current) {
  session = current;
  ctx.can = permissions(session.groups);
  ctx.api = new Api(config.apiUrl, () => (auth.isLive(session) ? session.idToken : null), endSession);
  applyPermissions(ctx.can);
  showUser();
  for (const el of signedInOnly) el.hidden = false;
  const [settings, preferences] = await Promise.allSettled([ctx.api.get("/settings"), ctx.api.get("/preferences")]);
  preferred = preferences.value?.language ?? (await keepChoice());
  // without the settings the defaults stay; the screen's own calls show what is wrong
  await ctx.applySettings(settings.value ?? DEFAULT_SETTINGS);
  route();
}

/** The language picked before signing in, saved as the user's own (null when none was picked, or on failure). */
async function keepChoice() {
  if (!chosenBeforeSignIn) return null;
  const chosen = chosenBeforeSignIn;
  chosenBeforeSignIn = null;
  try {
    return (await ctx.api.put("/preferences", { language: chosen })).language ?? chosen;
  } catch {
    return chosen; // kept for this session at least
  }
}

/** Back to the sign-in screen, saying why (an expired session, signing out). */
function endSession(why, kind = "error") {
  if (!session) return;
  session = null;
  preferred = null;
  ctx.api = null;
  auth.forget();
  for (const view of Object.values(views)) view.reset();
  for (const dialog of document.querySelectorAll("dialog[open]")) dialog.close();
  for (const el of signedInOnly) el.hidden = true;
  showStore(DEFAULT_SETTINGS); // the language stays as it was
  setupNotice.hidden = true;
  showOnly(signInView);
  showMessage(signInMessage, readable(why), kind);
}

/** The language switch: the user's own choice, kept by the API for their next sign-in on any device. */
function wireLanguageSwitch() {
  const shownMessage = () => document.querySelector("main > .view:not([hidden]) .message") ?? signInMessage;
  languageSelect.addEventListener("change", () =>
    attempt(shownMessage(), languageSelect, async () => {
      const lang = languageSelect.value;
      if (session) preferred = (await ctx.api.put("/preferences", { language: lang })).language ?? lang;
      else chosenBeforeSignIn = lang;
      await showIn(lang);
    }),
  );
}

async function boot() {
  const bootMessage = document.getElementById("boot-message");
  try {
    await useLanguage(deviceLanguage());
    languageSelect.value = language();
    config = await loadConfig();
  } catch (error) {
    // without a catalogue there are no words to say it with but these
    showMessage(bootMessage, error instanceof UserError ? error.text() : BOOT_FAILED);
    return;
  }
  bootMessage.hidden = true;
  wireDialogs();
  labelTableCells();
  wireLanguageSwitch();
  menuToggle.addEventListener("click", () => setMenuOpen(menuToggle.getAttribute("aria-expanded") !== "true"));
  nav.addEventListener("click", (event) => event.target.closest("a") && setMenuOpen(false)); // even the screen shown

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
      endSession(new UserError("signin.signedOut"), "ok");
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
      showMessage(signInMessage, t("error.sessionExpired"));
    }
  }
}

boot();
