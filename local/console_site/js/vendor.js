// The node packages the views draw with, served by the console from node_modules (/vendor/...), each loaded once.

const loaded = new Map();

function once(key, load) {
  if (!loaded.has(key)) {
    loaded.set(
      key,
      load().catch((error) => {
        loaded.delete(key); // a later visit tries again (after npm ci, say)
        throw error;
      }),
    );
  }
  return loaded.get(key);
}

function appendToHead(element, what) {
  return new Promise((resolve, reject) => {
    element.addEventListener("load", () => resolve(), { once: true });
    element.addEventListener("error", () => reject(new Error(`${what} did not load`)), { once: true });
    document.head.append(element);
  });
}

export function mermaid() {
  return once("mermaid", async () => {
    const module = await import("/vendor/mermaid/mermaid.esm.min.mjs");
    const api = module.default;
    // strict: labels are sanitized and click handlers off, whatever the diagram's text says
    api.initialize({ startOnLoad: false, securityLevel: "strict", theme: "neutral" });
    return api;
  });
}

// swagger-ui's browser build is a classic script that defines window.SwaggerUIBundle.
export function swaggerUi() {
  return once("swagger-ui", async () => {
    const style = Object.assign(document.createElement("link"), {
      rel: "stylesheet",
      href: "/vendor/swagger-ui/swagger-ui.css",
    });
    const script = Object.assign(document.createElement("script"), { src: "/vendor/swagger-ui/swagger-ui-bundle.js" });
    await Promise.all([appendToHead(style, "swagger-ui's stylesheet"), appendToHead(script, "swagger-ui")]);
    return window.SwaggerUIBundle;
  });
}
