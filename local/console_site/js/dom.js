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
