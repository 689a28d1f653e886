// The app's words in Spanish (Peru) or English: the catalogues are site/locales/<language>.json, fetched once each.
// The language is the user's own choice, else the store's, else the browser's; <html lang> follows it.
//
// In the page, an element with data-i18n="key" gets the key's text; data-i18n-attr="placeholder:key,aria-label:key"
// sets attributes. In code, t("key", {name: value}) fills {name} placeholders; a key whose entry is {one, other}
// picks by params.count (Intl.PluralRules).

export const LANGUAGES = ["es-PE", "en"];
export const DEFAULT_LANGUAGE = "es-PE"; // the store's own default
const REMEMBERED = "retail.language"; // the last language used on this device, for the sign-in screen

const loaded = new Map(); // language → its catalogue
let current = DEFAULT_LANGUAGE;
let words = {};
let plurals = new Intl.PluralRules(current);

/** The supported language a tag such as "es-419" or "en-GB" falls to, or null. */
export function supported(tag) {
  const base = String(tag ?? "")
    .toLowerCase()
    .split("-")[0];
  return LANGUAGES.find((language) => language.toLowerCase().split("-")[0] === base) ?? null;
}

/** The first supported of the given tags (null/undefined skipped), else the store's default. */
export function pick(...tags) {
  for (const tag of tags.flat()) {
    const language = tag ? supported(tag) : null;
    if (language) return language;
  }
  return DEFAULT_LANGUAGE;
}

/** Before sign-in: this device's last language, else the browser's. */
export function deviceLanguage() {
  return pick(localStorage.getItem(REMEMBERED), navigator.languages ?? [navigator.language]);
}

export function language() {
  return current;
}

async function catalogue(lang) {
  if (!loaded.has(lang)) {
    const response = await fetch(`locales/${lang}.json`);
    if (!response.ok) throw new Error(`locales/${lang}.json: HTTP ${response.status}`);
    loaded.set(lang, await response.json());
  }
  return loaded.get(lang);
}

/** Switches the page to `lang` (a supported language) and remembers it on this device. */
export async function useLanguage(lang) {
  words = await catalogue(lang);
  current = lang;
  plurals = new Intl.PluralRules(lang);
  document.documentElement.lang = lang;
  localStorage.setItem(REMEMBERED, lang);
  translate(document);
}

export function has(key) {
  return Object.hasOwn(words, key);
}

/** The text of `key` with its {placeholders} filled; a missing key is a bug, logged, and shown as the key. */
export function t(key, params = {}) {
  let entry = words[key];
  if (entry === undefined) {
    console.error(`missing text "${key}" in ${current}`);
    return key;
  }
  if (typeof entry === "object") entry = entry[plurals.select(Number(params.count))] ?? entry.other;
  return entry.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

/** Fills every data-i18n element and data-i18n-attr attribute under `root`. */
export function translate(root) {
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-attr]")) {
    for (const pair of el.dataset.i18nAttr.split(",")) {
      const [attribute, key] = pair.split(":").map((part) => part.trim());
      el.setAttribute(attribute, t(key));
    }
  }
}
