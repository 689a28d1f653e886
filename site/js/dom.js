// Small DOM helpers. Text always goes through textContent, so nothing from the API is ever parsed as HTML, and no
// inline style or handler is ever written (the CSP forbids them).

import { fieldErrors, readable } from "./errors.js";
import { t } from "./i18n.js";

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

/** The row a table shows while its rows load. */
export function loadingRow(columns) {
  return h("tr", { class: "empty loading" }, h("td", { colspan: columns, text: t("list.loading") }));
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

// --- tables as cards ----------------------------------------------------------------------------------------------

/**
 * Gives every cell of a .grid table its column's heading as data-label, so that on a phone (style.css) each row
 * shows as a card of "label: value" lines. Watches the page, so rows added later are labelled too.
 */
export function labelTableCells(root = document.body) {
  const label = (row) => {
    const table = row.closest("table.grid");
    const headings = table ? [...table.querySelectorAll("thead th")] : [];
    [...row.cells].forEach((cell, i) => {
      if (!cell.colSpan || cell.colSpan > 1 || !headings[i]) return;
      cell.dataset.label = headings[i].textContent;
    });
  };
  const labelUnder = (node) => {
    if (!(node instanceof Element)) return;
    if (node.matches("table.grid tbody tr")) label(node);
    for (const row of node.querySelectorAll("table.grid tbody tr")) label(row);
  };
  labelUnder(root);
  new MutationObserver((changes) => {
    for (const change of changes) change.addedNodes.forEach(labelUnder);
  }).observe(root, { childList: true, subtree: true });
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
