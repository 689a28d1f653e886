// Clients: everyone on staff reads and searches them; sellers and admins create and update them; only admins delete
// them.

import {
  actionsCell,
  attempt,
  confirmAction,
  emptyRow,
  h,
  loadingRow,
  onSubmit,
  openDialog,
  rowButton,
  showMessage,
} from "../dom.js";
import { t } from "../i18n.js";
import { newestOnly, onSearch, searchText } from "../search.js";

export function clientsView(ctx) {
  const section = document.getElementById("view-clients");
  const message = section.querySelector(".message");
  const body = document.getElementById("clients-body");
  const dialog = document.getElementById("client-dialog");
  const form = document.getElementById("client-form");
  const search = document.getElementById("clients-search");
  const shown = newestOnly(); // a slow answer to an older search never replaces a newer one
  let editing = null;

  async function load() {
    const q = searchText(search);
    await shown(ctx.api.all("/clients", { q }), (clients) => {
      body.replaceChildren(...clients.map(row));
      if (!clients.length) body.append(emptyRow(5, q ? t("clients.noMatch", { q }) : t("clients.none")));
    });
  }

  function row(client) {
    const who = `${client.name} (${client.document_id})`;
    const edit = () => open(client);
    const remove = () => removeClient(client);
    return h(
      "tr",
      { "data-testid": `client-row-${client.document_id}` },
      h("td", { text: client.name }),
      h("td", { text: client.document_id }),
      h("td", { text: client.email ?? "" }),
      h("td", { text: client.phone ?? "" }),
      actionsCell(
        ctx.can.editClients && rowButton(t("action.edit"), t("action.editOf", { what: who }), "client-edit", edit),
        ctx.can.deleteClients &&
          rowButton(t("action.delete"), t("action.deleteOf", { what: who }), "client-delete", remove, "danger small"),
      ),
    );
  }

  function open(client) {
    editing = client;
    form.reset();
    dialog.querySelector("h2").textContent = client ? t("action.editOf", { what: client.name }) : t("clients.new");
    for (const name of ["name", "document_id", "email", "phone"]) form.elements[name].value = client?.[name] ?? "";
    openDialog(dialog);
  }

  onSubmit(form, dialog.querySelector(".message"), async (values) => {
    const client = {
      name: values.name,
      document_id: values.document_id,
      email: values.email.trim() || null,
      phone: values.phone.trim() || null,
    };
    const saved = editing
      ? await ctx.api.put(`/clients/${editing.id}`, client)
      : await ctx.api.post("/clients", client);
    dialog.close();
    await attempt(message, null, () => refresh(t("clients.saved", { name: saved.name })));
  });

  async function removeClient(client) {
    const question = t("clients.deleteQuestion", { name: client.name, document: client.document_id });
    if (!(await confirmAction(question, t("action.delete")))) return;
    await attempt(message, null, async () => {
      await ctx.api.delete(`/clients/${client.id}`);
      await refresh(t("clients.deleted", { name: client.name }));
    });
  }

  async function refresh(done) {
    await load();
    showMessage(message, done, "ok");
  }

  document.getElementById("client-new").addEventListener("click", () => open(null));
  onSearch(search, () => attempt(message, null, load));

  return {
    show: () => {
      if (!body.children.length) body.replaceChildren(loadingRow(5));
      return attempt(message, null, load);
    },
    reset: () => {
      body.replaceChildren();
      search.value = "";
    },
  };
}
