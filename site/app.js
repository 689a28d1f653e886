// Reads the runtime config the deployment writes (config.json) so the same files work locally and in the cloud.
async function loadConfig() {
  const response = await fetch("config.json", { cache: "no-store" });
  if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
  return response.json();
}

loadConfig()
  .then((config) => {
    document.getElementById("status").textContent = `API: ${config.apiUrl}`;
  })
  .catch((error) => {
    document.getElementById("status").textContent = `Could not load the configuration (${error.message}).`;
  });
