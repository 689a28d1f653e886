// The store's API: its config, the bearer token on every call, and every failure turned into a readable message.

import { UserError, sentence } from "./errors.js";

const PAGE_SIZE = 100; // the API's largest page
const MAX_PAGES = 50;

/** config.json, written by the deployment (or the local runtime): {apiUrl, region, userPoolId, clientId, ...}. */
export async function loadConfig() {
  const response = await fetch("config.json", { cache: "no-store" });
  if (!response.ok) throw new UserError(`The app's configuration could not be loaded (HTTP ${response.status}).`);
  return response.json();
}

export class ApiError extends UserError {
  /** `body`: the refusal ({code, message, params, errors?}), so a form can show each field's error by its field. */
  constructor(message, status, body = null) {
    super(message);
    this.status = status;
    this.code = body?.code ?? null;
    this.errors = Array.isArray(body?.errors) ? body.errors : [];
  }
}

const FALLBACKS = {
  400: "the request was refused",
  403: "you are not allowed to do this",
  404: "not found",
  413: "the request is too large",
  429: "too many requests; wait a moment and try again",
};

/** The API's JSON error body ({message, errors?: [{field, message}]}) as one sentence. */
export function describeError(status, body) {
  let text = typeof body?.message === "string" && body.message ? body.message : FALLBACKS[status];
  if (!text) {
    text = status >= 500 ? `the server had a problem (HTTP ${status}); try again shortly` : `HTTP ${status}`;
  }
  if (Array.isArray(body?.errors) && body.errors.length) {
    text += `: ${body.errors.map((e) => `${e.field}: ${e.message}`).join("; ")}`;
  }
  return sentence(text);
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
   * @param {(text: string) => void} onUnauthorized ends the session (back to sign-in with `text`)
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
      throw new ApiError("The store's server cannot be reached. Check the connection and try again.", 0);
    }
    const data = await readJson(response);
    if (response.status === 401) return this.unauthorized();
    if (!response.ok) throw new ApiError(describeError(response.status, data), response.status, data);
    return data;
  }

  unauthorized() {
    const text = "Your session has expired. Please sign in again.";
    this.onUnauthorized(text);
    throw new ApiError(text, 401);
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
