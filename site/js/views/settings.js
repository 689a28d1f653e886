// Settings (admins): the store's name, RUC and address (on the receipts), currency, tax rate, default low-stock
// threshold, language and time zone.

import { attempt, clearFieldErrors, h, integer, onSubmit, showMessage } from "../dom.js";
import { decimalText } from "../format.js";
import { t } from "../i18n.js";

const REQUIRED = ["store_name", "currency", "tax_rate", "low_stock_threshold"];
const TIME_ZONES = [
  "America/Lima",
  "America/Bogota",
  "America/Guayaquil",
  "America/La_Paz",
  "America/Santiago",
  "America/Argentina/Buenos_Aires",
  "America/Sao_Paulo",
  "America/Mexico_City",
  "America/New_York",
  "Europe/Madrid",
  "UTC",
];

export function settingsView(ctx) {
  const section = document.getElementById("view-settings");
  const message = section.querySelector(".message");
  const form = document.getElementById("settings-form");
  const timeZone = document.getElementById("settings-time-zone");

  /** The common zones, plus the store's own when it is another one, with the store's selected. */
  function fillTimeZones(current) {
    const zones = TIME_ZONES.includes(current) || !current ? TIME_ZONES : [current, ...TIME_ZONES];
    timeZone.replaceChildren(...zones.map((zone) => h("option", { value: zone, text: zone.replaceAll("_", " ") })));
    timeZone.value = current || TIME_ZONES[0];
  }

  function fill(settings) {
    clearFieldErrors(form);
    for (const name of REQUIRED) form.elements[name].value = String(settings[name]);
    form.elements.ruc.value = settings.ruc ?? "";
    form.elements.address.value = settings.address ?? "";
    form.elements.language.value = settings.language === "en" ? "en" : "es-PE";
    fillTimeZones(settings.time_zone);
  }

  onSubmit(form, message, async (values) => {
    const saved = await ctx.api.put("/settings", {
      store_name: values.store_name,
      currency: values.currency.trim().toUpperCase(),
      tax_rate: decimalText(values.tax_rate), // "0,18" as typed in Peru
      low_stock_threshold: integer(values.low_stock_threshold),
      ruc: values.ruc.trim() || null, // empty clears it
      address: values.address.trim() || null,
      language: values.language,
      time_zone: values.time_zone,
    });
    await ctx.applySettings(saved);
    fill(saved);
    showMessage(message, t("settings.saved"), "ok");
  });

  return {
    show: () =>
      attempt(message, null, async () => {
        // nothing can be typed until the form holds the saved values, which would overwrite it
        const fields = [...form.elements];
        for (const field of fields) field.disabled = true;
        try {
          const settings = await ctx.api.get("/settings");
          await ctx.applySettings(settings);
          fill(settings);
        } finally {
          for (const field of fields) field.disabled = false;
        }
      }),
    reset: () => {
      form.reset();
      clearFieldErrors(form);
    },
  };
}
