// Small DOM helpers. Text always goes through textContent, so nothing from the API is ever parsed as HTML, and no
// inline style or handler is ever written (the CSP forbids them).

import { fieldErrors, readable } from "./errors.js";

/** h("td", {class: "num", text: "3"}, child...): props named on* become listeners, others attributes. */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "text") el.textContent = value;
    else if (key === "class") el.className = value;
    else if (key === "value") el.value = value;
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  el.append(...children.flat().filter((child) => child !== null && child !== undefined && child !== false));
  return el;
}

/** A button of a table row; `label` says which row for screen readers (e.g. "Edit ARZ-1KG"). */
export function rowButton(text, label, testid, onclick, className = "secondary small") {
  return h("button", { type: "button", class: className, "aria-label": label, "data-testid": testid, onclick, text });
}

/** A table cell holding a row's buttons (the flex layout sits inside the cell, so the row keeps its borders). */
export function actionsCell(...buttons) {
  return h("td", {}, h("div", { class: "row-actions" }, ...buttons));
}

/** One full-width row saying the table is empty. */
export function emptyRow(columns, text) {
  return h("tr", { class: "empty" }, h("td", { colspan: columns, text }));
}

/** Shows `text` in a view's message line (hidden when empty); errors are announced at once. */
export function showMessage(el, text, kind = "error") {
  el.textContent = text;
  el.className = `message ${kind}`;
  el.setAttribute("role", kind === "error" ? "alert" : "status");
  el.hidden = !text;
}

export function clearMessage(el) {
  showMessage(el, "");
}

/** Runs an action for a control: disabled meanwhile (no double sale), any failure shown as a readable message. */
export async function attempt(messageEl, control, action) {
  clearMessage(messageEl);
  if (control) control.disabled = true;
  try {
    return await action();
  } catch (error) {
    showMessage(messageEl, readable(error));
    return undefined;
  } finally {
    if (control) control.disabled = false;
  }
}

/**
 * Binds a form's submit to `action(values)`, with the form's own message line and submit button; a refusal's field
 * errors also show next to their fields.
 */
export function onSubmit(form, messageEl, action) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const button = event.submitter || form.querySelector("[type=submit]");
    attempt(messageEl, button, async () => {
      clearFieldErrors(form);
      try {
        return await action(Object.fromEntries(new FormData(form)));
      } catch (error) {
        showFieldErrors(form, fieldErrors(error));
        throw error;
      }
    });
  });
}

/** Each {field: text} under its field (the field marked invalid and described by it); unknown fields are skipped. */
export function showFieldErrors(form, errors) {
  for (const [name, text] of Object.entries(errors)) {
    const field = form.elements[name];
    if (!(field instanceof HTMLElement)) continue;
    const id = `${form.id}-${name}-error`;
    const note = h("span", { id, class: "field-error", "data-testid": `field-error-${name}`, text });
    (field.closest("label") ?? field).after(note);
    field.setAttribute("aria-invalid", "true");
    field.setAttribute("aria-describedby", id);
  }
}

export function clearFieldErrors(form) {
  for (const note of form.querySelectorAll(".field-error")) note.remove();
  for (const field of form.querySelectorAll("[aria-invalid]")) {
    field.removeAttribute("aria-invalid");
    field.removeAttribute("aria-describedby");
  }
}

/** A whole number from a form field, or NaN, which the API answers with a readable 422. */
export function integer(text) {
  return /^\s*-?\d+\s*$/.test(text ?? "") ? Number.parseInt(text, 10) : Number.NaN;
}

// --- money and dates ----------------------------------------------------------------------------------------------

let currency = "PEN"; // the API's default until the settings are read
let formatter = null;

export function setCurrency(code) {
  currency = code;
  formatter = null;
}

/** An API amount ("12.50") in the store's currency. */
export function money(value) {
  const amount = Number(value);
  try {
    formatter ??= new Intl.NumberFormat(undefined, { style: "currency", currency });
    return formatter.format(amount);
  } catch {
    return `${amount.toFixed(2)} ${currency}`; // a code Intl does not know is still shown
  }
}

/** "0.18" → "18%". */
export function percent(rate) {
  return `${Number((Number(rate) * 100).toFixed(2))}%`;
}

/** The UTC day the API counts in (reports and sale filters are whole UTC days). */
export function isoDay(date = new Date()) {
  return date.toISOString().slice(0, 10);
}

/** Today (YYYY-MM-DD) in a time zone, such as the store's. */
export function storeDay(timeZone, date = new Date()) {
  const parts = { timeZone, year: "numeric", month: "2-digit", day: "2-digit" };
  return new Intl.DateTimeFormat("en-CA", parts).format(date);
}

export function addDays(day, count) {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + count);
  return isoDay(date);
}

export function dateTime(iso) {
  return iso ? new Date(iso).toLocaleString() : "—";
}

// --- dialogs ------------------------------------------------------------------------------------------------------

/** Every [data-close] button closes its dialog. */
export function wireDialogs() {
  for (const button of document.querySelectorAll("dialog [data-close]")) {
    button.addEventListener("click", () => button.closest("dialog").close());
  }
}

/** Opens a dialog with its message line cleared. */
export function openDialog(dialog) {
  const message = dialog.querySelector(".message");
  if (message) clearMessage(message);
  dialog.showModal();
}

/** Asks before a destructive action; resolves true only on the confirm button. */
export function confirmAction(text, confirmLabel) {
  const dialog = document.getElementById("confirm-dialog");
  dialog.querySelector("#confirm-text").textContent = text;
  dialog.querySelector("[data-answer=yes]").textContent = confirmLabel;
  return new Promise((resolve) => {
    const answer = (event) => {
      const button = event.target.closest("[data-answer]");
      if (button) dialog.close(button.dataset.answer);
    };
    dialog.addEventListener("click", answer);
    dialog.addEventListener(
      "close",
      () => {
        dialog.removeEventListener("click", answer);
        resolve(dialog.returnValue === "yes");
      },
      { once: true },
    );
    dialog.returnValue = "";
    dialog.showModal();
  });
}
