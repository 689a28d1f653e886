// Numbers, money, days and moments in the user's language and the store's currency and time zone, and amounts typed
// the way the user writes them ("9,90" or "9.90").

import { language } from "./i18n.js";

let store = { currency: "PEN", timeZone: "America/Lima" }; // the API's defaults until the settings are read
const formatters = new Map();

export function setStore(settings) {
  store = { currency: settings.currency, timeZone: settings.time_zone };
}

/** One Intl formatter per language and options, made once (tables format hundreds of cells). */
function formatter(Kind, options) {
  const key = `${Kind.name}|${language()}|${JSON.stringify(options)}`;
  if (!formatters.has(key)) formatters.set(key, new Kind(language(), options));
  return formatters.get(key);
}

/** An API amount ("12.50") in the store's currency: "S/ 12.50", "PEN 12.50"... */
export function money(value) {
  try {
    return formatter(Intl.NumberFormat, { style: "currency", currency: store.currency }).format(Number(value));
  } catch {
    return `${Number(value).toFixed(2)} ${store.currency}`; // a code Intl does not know is still shown
  }
}

export function number(value) {
  return formatter(Intl.NumberFormat, {}).format(Number(value));
}

/** "0.18" → "18%" (or "18 %", as the language writes it). */
export function percent(rate) {
  return formatter(Intl.NumberFormat, { style: "percent", maximumFractionDigits: 2 }).format(Number(rate));
}

/** A moment (ISO) as a date and time in the store's time zone. */
export function dateTime(iso) {
  if (!iso) return "—";
  const options = { dateStyle: "short", timeStyle: "short", timeZone: store.timeZone };
  return formatter(Intl.DateTimeFormat, options).format(new Date(iso));
}

/** A calendar day ("2026-12-04") in words: {day: "numeric", month: "short"} → "4 dic." / "Dec 4". */
export function dayText(day, options = { dateStyle: "medium" }) {
  return formatter(Intl.DateTimeFormat, { ...options, timeZone: "UTC" }).format(new Date(`${day}T12:00:00Z`));
}

/** Today (YYYY-MM-DD) in the store's time zone: the days the API counts in. */
export function storeDay(date = new Date()) {
  const parts = { timeZone: store.timeZone, year: "numeric", month: "2-digit", day: "2-digit" };
  return new Intl.DateTimeFormat("en-CA", parts).format(date);
}

export function addDays(day, count) {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + count);
  return date.toISOString().slice(0, 10);
}

/**
 * An amount as typed → the API's form ("1234.5"). "9,90" and "9.90" are both nine point nine; "1,250" and
 * "1.234,50" group thousands (a lone comma before exactly three digits groups, as prices have two decimals).
 * Text that is no number is returned as typed, for the API to answer with the field's error.
 */
export function decimalText(text) {
  const raw = String(text ?? "").replace(/[\s\u00a0']/g, "");
  if (!/^-?\d[\d.,]*$/.test(raw)) return raw;
  const decimal = decimalMark(raw);
  const grouping = decimal === "," ? "." : ",";
  const plain = raw.split(grouping).join("");
  return decimal === "," ? plain.replace(",", ".") : plain;
}

/** Which of "," and "." separates the decimals in `raw` (digits and separators only). */
function decimalMark(raw) {
  const comma = raw.lastIndexOf(",");
  const dot = raw.lastIndexOf(".");
  if (comma >= 0 && dot >= 0) return comma > dot ? "," : ".";
  if (comma < 0) return "."; // dots only: one is a decimal point ("1.234.567" stays invalid for the API)
  const lone = raw.indexOf(",") === comma;
  return lone && raw.length - comma - 1 !== 3 ? "," : ".";
}
