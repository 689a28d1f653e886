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
    reports: any("admins", "sellers"),
    dailyReport: any("admins"),
    settings: any("admins"),
  };
}

/** Shows or hides every element marked data-can="<permission>". */
export function applyPermissions(can, root = document) {
  for (const el of root.querySelectorAll("[data-can]")) el.hidden = !can[el.dataset.can];
}
