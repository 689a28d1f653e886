// A system's API in swagger-ui, from its OpenAPI document (GET /api/systems/{system}/openapi.json, whose server is the
// local API). "Try it out" calls that API as the demo user picked here: the console signs them in on local Cognito
// (POST /api/systems/{system}/token) and swagger-ui's requestInterceptor puts their ID token on every request to it.

import { postJson, systemPath } from "../api.js";
import { el, missingPackage } from "../dom.js";
import { swaggerUi } from "../vendor.js";

const EARLY_SECONDS = 60; // a token this close to its expiry is fetched again

// The demo users' ID tokens, fetched on first use and kept until shortly before they expire.
function tokenSource(system) {
  const held = new Map();
  return async (email) => {
    const kept = held.get(email);
    if (kept && kept.until > Date.now()) return kept.token;
    const { token, expires_in: expiresIn } = await postJson(systemPath(system, "token"), { user: email });
    held.set(email, { token, until: Date.now() + (expiresIn - EARLY_SECONDS) * 1000 });
    return token;
  };
}

function hasAuthorization(headers) {
  return Object.keys(headers ?? {}).some((name) => name.toLowerCase() === "authorization");
}

function userPicker(system) {
  const options = system.users.map((u) => el("option", { value: u.email }, `${u.email} (${u.groups.join(", ")})`));
  return el(
    "select",
    { id: "explorer-user", "data-testid": "explorer-user" },
    ...options,
    el("option", { value: "" }, "nobody (no token)"),
  );
}

export async function explorerView(container, { system, packages }) {
  container.append(el("h2", {}, `${system.title}: API explorer`));
  if (!packages["swagger-ui"]) {
    container.append(missingPackage("swagger-ui", "npm ci"));
    return;
  }
  const picker = userPicker(system);
  const status = el("p", { class: "hint", role: "status", "data-testid": "explorer-auth" });
  const mount = el("div", { class: "swagger", "data-testid": "swagger" });
  container.append(
    el("div", { class: "toolbar" }, el("label", { for: "explorer-user" }, "Call as"), picker),
    status,
    mount,
  );
  const token = tokenSource(system);
  const describe = async () => {
    const email = picker.value;
    if (!email) {
      status.textContent = "Requests carry no token: signed-in routes answer 401.";
      return;
    }
    status.textContent = `Signing in ${email}…`;
    try {
      await token(email);
      if (picker.value === email) status.textContent = `Requests to ${system.api_url} carry ${email}'s ID token.`;
    } catch (error) {
      status.textContent = `No token for ${email}: ${error.message}`;
    }
  };
  picker.addEventListener("change", describe);
  describe();
  const SwaggerUIBundle = await swaggerUi();
  SwaggerUIBundle({
    domNode: mount,
    url: systemPath(system, "openapi.json"),
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    deepLinking: false, // the console's own routes live in the hash
    validatorUrl: null, // no badge fetched from swagger.io
    tryItOutEnabled: true,
    displayRequestDuration: true,
    // A token typed into swagger-ui's own Authorize dialog wins; otherwise the picked user's.
    requestInterceptor: async (request) => {
      const email = picker.value;
      if (email && request.url.startsWith(`${system.api_url}/`) && !hasAuthorization(request.headers)) {
        request.headers = { ...request.headers, Authorization: `Bearer ${await token(email)}` };
      }
      return request;
    },
  });
}
