// The manual way: nothing is fetched on import; init() loads the .wasm from the URL
// Vite gives its asset ("?url"), then the client lists the demo customer's secrets.
import init, { Client } from "mapsindoors-auth/manual";
import wasmUrl from "mapsindoors-auth/mapsindoors_auth_bg.wasm?url";

const out = document.getElementById("out");
try {
  await init({ module_or_path: wasmUrl });
  const authUrl = new URLSearchParams(location.search).get("authUrl");
  const client = new Client({ authUrl, customerId: "demo-customer", username: "admin@example.com", password: "demo-password" });
  out.textContent = `listed ${(await client.listSecrets()).length} secrets`;
} catch (e) {
  out.textContent = `failed: ${e.name}: ${e.message}`;
}
