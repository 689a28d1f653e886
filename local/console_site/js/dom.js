// Building the page with the DOM's own methods: text is always text, never parsed as HTML.

export function el(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? "" : value);
  }
  element.append(...children);
  return element;
}

export function showProblem(text) {
  const problem = document.getElementById("problem");
  problem.textContent = text;
  problem.hidden = false;
}

// The one line a view shows when a node package it draws with is not installed.
export function missingPackage(name, install) {
  return el(
    "p",
    { class: "notice", role: "status", "data-testid": "missing-package" },
    `${name} is not installed: run `,
    el("code", {}, install),
    " in the repository, then reload.",
  );
}

// A table whose rows a view fills in: the table, and its tbody.
export function grid(testId, headings) {
  const body = el("tbody");
  const head = el("thead", {}, el("tr", {}, ...headings.map((h) => el("th", { scope: "col" }, h))));
  return [el("table", { class: "grid", "data-testid": testId }, head, body), body];
}

// One row across the table that says why it has no others (once).
export function noRows(body, columns, text) {
  if (!body.childElementCount) body.append(el("tr", {}, el("td", { colspan: columns }, text)));
}
