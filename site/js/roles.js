// What each Cognito group may do in the UI; the API enforces the same rules per route (architectures/retail.py).

export function permissions(groups) {
  const any = (...names) => names.some((name) => groups.includes(name));
  return {
    sell: any("admins", "sellers"),
    adjustStock: any("admins", "warehouse"),
    editProducts: any("admins"),
    editClients: any("admins", "sellers"),
    deleteClients: any("admins"),
    voidSales: any("admins"),
    dashboard: any("admins"),
    reports: any("admins", "sellers"),
    reportFiles: any("admins"),
    settings: any("admins"),
  };
}

/** The screen a user starts at: admins their dashboard, sellers the till, warehouse staff the stock. */
export function homeRoute(can) {
  if (can.dashboard) return "home";
  return can.sell ? "pos" : "products";
}

/** Shows or hides every element marked data-can="<permission>". */
export function applyPermissions(can, root = document) {
  for (const el of root.querySelectorAll("[data-can]")) el.hidden = !can[el.dataset.can];
}
