// The store's API: its config, the bearer token on every call, and every failure turned into a readable message
// (in the user's language, from the refusal's code and params).

import { UserError, fieldName, sentence, shownParams } from "./errors.js";
import { has, language, t } from "./i18n.js";

const PAGE_SIZE = 100; // the API's largest page
const MAX_PAGES = 50;

/** config.json, written by the deployment (or the local runtime): {apiUrl, region, userPoolId, clientId, ...}. */
export async function loadConfig() {
  const response = await fetch("config.json", { cache: "no-store" });
  if (!response.ok) throw new UserError("error.config", { status: response.status });
  return response.json();
}

/** A refusal of the API: its status and body ({code, message, params, errors?}), shown in the user's language. */
export class ApiError extends UserError {
  constructor(status, body = null) {
    super("error.refused", { status });
    this.status = status;
    this.code = typeof body?.code === "string" ? body.code : null;
    this.params = body?.params && typeof body.params === "object" ? body.params : {};
    this.english = typeof body?.message === "string" ? body.message : "";
    this.errors = Array.isArray(body?.errors) ? body.errors : []; // a form shows each under its field
  }

  text() {
    if (this.code === "invalid_request" && this.errors.length) {
      const fields = [...new Set(this.errors.map((e) => fieldName(e.field)))];
      return t("error.invalid_request", { fields: fields.join(", ") });
    }
    // a code may be told apart by its reason (sale_refused: unknown_product, product_inactive...)
    for (const key of [`error.${this.code}.${this.params.reason}`, `error.${this.code}`]) {
      if (this.code && has(key)) return t(key, shownParams(this.params));
    }
    if (this.english && language() === "en") return sentence(this.english);
    if (has(`status.${this.status}`)) return t(`status.${this.status}`);
    return t(this.status >= 500 ? "status.5xx" : "status.other", { status: this.status });
  }
}

async function readJson(response) {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null; // not JSON (a proxy's error page): the status alone says what happened
  }
}

export class Api {
  /**
   * @param {string} baseUrl the API's URL from config.json
   * @param {() => string | null} token the current ID token, or null once the session has expired
   * @param {(why: UserError) => void} onUnauthorized ends the session (back to sign-in, saying why)
   */
  constructor(baseUrl, token, onUnauthorized) {
    this.baseUrl = baseUrl.replace(/\/+$/, "");
    this.token = token;
    this.onUnauthorized = onUnauthorized;
  }

  async request(method, path, { query, body, headers } = {}) {
    const token = this.token();
    if (!token) return this.unauthorized();
    const url = new URL(this.baseUrl + path, window.location.href); // apiUrl may be a path on the app's origin
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined && value !== null && value !== "") url.searchParams.set(key, value);
    }
    const init = { method, headers: { Authorization: `Bearer ${token}`, ...headers } };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(url, init);
    } catch {
      throw new UserError("error.offline");
    }
    const data = await readJson(response);
    if (response.status === 401) return this.unauthorized();
    if (!response.ok) throw new ApiError(response.status, data);
    return data;
  }

  unauthorized() {
    const expired = new UserError("error.sessionExpired");
    this.onUnauthorized(expired);
    throw expired;
  }

  get(path, query) {
    return this.request("GET", path, { query });
  }

  post(path, body, headers) {
    return this.request("POST", path, { body, headers });
  }

  put(path, body) {
    return this.request("PUT", path, { body });
  }

  delete(path) {
    return this.request("DELETE", path);
  }

  /** Every item of a paged listing ({items, next_cursor}), following the cursors. */
  async all(path, query = {}) {
    const items = [];
    let cursor;
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const result = await this.get(path, { ...query, limit: PAGE_SIZE, cursor });
      items.push(...result.items);
      cursor = result.next_cursor;
      if (!cursor) break;
    }
    return items;
  }
}
