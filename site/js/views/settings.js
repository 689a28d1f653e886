// Settings (admins): the store's name, currency, tax rate and default low-stock threshold.

import { attempt, integer, onSubmit, showMessage } from "../dom.js";

export function settingsView(ctx) {
  const section = document.getElementById("view-settings");
  const message = section.querySelector(".message");
  const form = document.getElementById("settings-form");

  function fill(settings) {
    for (const name of ["store_name", "currency", "tax_rate", "low_stock_threshold"]) {
      form.elements[name].value = String(settings[name]);
    }
  }

  onSubmit(form, message, async (values) => {
    const saved = await ctx.api.put("/settings", {
      store_name: values.store_name,
      currency: values.currency.trim().toUpperCase(),
      tax_rate: values.tax_rate.trim(),
      low_stock_threshold: integer(values.low_stock_threshold),
    });
    ctx.applySettings(saved);
    fill(saved);
    showMessage(message, "Settings saved.", "ok");
  });

  return {
    show: () =>
      attempt(message, null, async () => {
        const settings = await ctx.api.get("/settings");
        ctx.applySettings(settings);
        fill(settings);
      }),
    reset: () => form.reset(),
  };
}
