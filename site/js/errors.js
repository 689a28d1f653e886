// Errors whose message is written for the person using the app, in their language: never a stack trace or raw JSON.
// The API's refusals carry a stable {code, params}; the text shown is the catalogue's "error.<code>" built from them.

import { has, language, t } from "./i18n.js";
import { dateTime } from "./format.js";

/** A failure the user can act on; its text is the catalogue's `key` with `params`, in the language shown now. */
export class UserError extends Error {
  constructor(key, params = {}) {
    super(key);
    this.key = key;
    this.params = params;
  }

  text() {
    return t(this.key, this.params);
  }
}

/** "product X: 3 requested" → "Product X: 3 requested." (API messages are lower-case fragments). */
export function sentence(text) {
  const trimmed = String(text).trim();
  if (!trimmed) return trimmed;
  const capital = trimmed[0].toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

/** Params as a sentence shows them: moments (…_at) in the store's time zone. */
export function shownParams(params = {}) {
  return Object.fromEntries(
    Object.entries(params).map(([name, value]) => [name, name.endsWith("_at") && value ? dateTime(value) : value]),
  );
}

/** The text to show for any failure; an unexpected one is a bug in the page, so it is also logged. */
export function readable(error) {
  if (error instanceof UserError) return error.text();
  console.error(error);
  return t("error.page");
}

/** A field's name as the user knows it ("items.0.quantity" → "Cantidad"), else as the API gave it. */
export function fieldName(field) {
  const last = String(field).split(".").pop();
  for (const key of [`fieldName.${field}`, `fieldName.${last}`]) if (has(key)) return t(key);
  return field;
}

/** Why one field was refused: the catalogue's "field.<code>", else the API's English words when English is shown. */
export function fieldText(error) {
  if (has(`field.${error.code}`)) return t(`field.${error.code}`, shownParams(error.params));
  return language() === "en" && error.message ? sentence(error.message) : t("field.invalid");
}

/** A refusal's field errors (a 422's errors[]) as {field: text}; none for any other failure. */
export function fieldErrors(error) {
  const list = Array.isArray(error?.errors) ? error.errors : [];
  return Object.fromEntries(list.filter((e) => e?.field).map((e) => [e.field, fieldText(e)]));
}
