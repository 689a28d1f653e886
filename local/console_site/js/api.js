// The console's JSON endpoints: an answer other than 2xx becomes an Error with the server's one-line message.

async function answer(response) {
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.message ?? `${response.status} ${response.statusText}`);
  return body;
}

export async function getJson(path) {
  return answer(await fetch(path, { headers: { accept: "application/json" } }));
}

export async function postJson(path, body) {
  const headers = { "content-type": "application/json", accept: "application/json" };
  return answer(await fetch(path, { method: "POST", headers, body: JSON.stringify(body) }));
}

export function systemPath(system, rest) {
  return `/api/systems/${encodeURIComponent(system.name)}/${rest}`;
}
