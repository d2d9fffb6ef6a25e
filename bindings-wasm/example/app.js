// The admin page: plain JS over the mapsindoors-auth package. Secrets are
// only ever shown in the one-time panel and are never logged.
// "mapsindoors-auth" is the package's browser entry, which loads its .wasm on import:
// a bundler resolves it from node_modules (tests/consumers/npm-vite builds this page
// with Vite); served as is, index.html's import map points it at the built package.
import { Client, StoreRecord, StoreConflictError } from "mapsindoors-auth";

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
let client = null;
let signedIn = null; // { method, authUrl, customerId, clientId?, clientSecret? }
let rotationStore = null; // in-memory compare-and-swap store — see the page's Rotate section for why

/** An in-memory store: `save` is a compare-and-swap on the record's generation. */
function memoryStore() {
  const store = {
    text: null,
    generation: 0,
    async load() { return store.text; },
    async save(record, expectedGeneration) {
      if (store.generation !== expectedGeneration) throw new StoreConflictError();
      store.text = record.toStorageString();
      store.generation = record.generation;
    },
  };
  return store;
}

function readable(err, authUrl) {
  switch (err && err.code) {
    case "invalid_client": return "The client ID or secret was rejected. Check both; if the secret was deleted or rotated, sign in another way and create a new one.";
    case "invalid_grant": return "The username or password was rejected.";
    case "transport": return `Cannot reach the auth server at ${authUrl}. Is it (or the emulator) running? If it is, it may not allow requests from this page (CORS).`;
    case "forbidden": return "This login may not manage this customer's secrets.";
    case "not_found": return "That secret no longer exists. The list has been refreshed.";
    case "unauthorized": return "Your session expired. Sign in again.";
    case "rate_limited": return `Too many requests. Try again${err.retryAfter ? ` in ${err.retryAfter} s` : " later"}.`;
    case "server_error": return `The auth server failed (HTTP ${err.status}). Try again shortly.`;
    case "bad_request": return `The auth server refused the request (HTTP ${err.status})${signedIn?.method === "password" ? "; check the client the new secret is for" : ""}: ${err.message}`;
    case "invalid_input": return `Please check the form: ${err.message.replace(/^invalid input: /, "")}`;
    case "rotation_incomplete": return "The rotation stopped part-way. Your old secret still works; press Rotate again to finish it.";
    case "store": return err.storeKind === "conflict"
      ? "Another rotation (another tab or click) changed the record meanwhile. Nothing was lost: press Rotate again."
      : err.message;
    default: return (err && err.message) || String(err);
  }
}

function showError(err) {
  const box = $("error");
  box.textContent = `${readable(err, signedIn?.authUrl ?? $("auth-url").value)}${err && err.code ? ` (${err.code})` : ""}`;
  box.hidden = false;
  say("");
}
function clearError() {
  $("error").hidden = true;
  $("error").textContent = "";
}
function say(text) {
  $("status").textContent = text;
}

async function busy(button, work) {
  button.disabled = true;
  clearError();
  try {
    await work();
  } catch (err) {
    showError(err);
  } finally {
    button.disabled = false;
  }
}

function showMethod() {
  const method = document.querySelector("input[name=method]:checked").value;
  for (const el of document.querySelectorAll("[data-method]")) el.hidden = el.dataset.method !== method;
}

async function refresh() {
  const list = await client.listSecrets();
  list.sort((a, b) => b.createdAtMs - a.createdAtMs);
  const rows = $("secret-rows");
  rows.replaceChildren(
    ...list.map((s) => {
      const tr = document.createElement("tr");
      const desc = document.createElement("td");
      desc.textContent = s.description || "(no description)";
      const owner = document.createElement("td");
      owner.textContent = s.clientId ?? "";
      const created = document.createElement("td");
      const time = document.createElement("time");
      time.dateTime = new Date(s.createdAtMs).toISOString();
      time.textContent = new Date(s.createdAtMs).toLocaleString();
      created.append(time);
      const id = document.createElement("td");
      const code = document.createElement("code");
      code.textContent = s.id;
      id.append(code);
      const actions = document.createElement("td");
      const del = document.createElement("button");
      del.type = "button";
      del.className = "danger";
      del.textContent = "Delete";
      del.setAttribute("aria-label", `Delete secret ${s.description || s.id}`);
      del.addEventListener("click", () => confirmDelete(s, del));
      actions.append(del);
      tr.append(desc, owner, created, id, actions);
      tr.dataset.id = s.id;
      return tr;
    }),
  );
  $("empty").hidden = list.length > 0;
  knownClients(list);
  return list;
}

/**
 * Signed in as a user, a new secret must name its client: offer the clients
 * of the listed secrets, pre-filling the field with the most common one.
 */
function knownClients(list) {
  const counts = new Map();
  for (const s of list) if (s.clientId) counts.set(s.clientId, (counts.get(s.clientId) ?? 0) + 1);
  const ids = [...counts.keys()].sort((a, b) => counts.get(b) - counts.get(a) || a.localeCompare(b));
  $("known-clients").replaceChildren(...ids.map((id) => Object.assign(document.createElement("option"), { value: id })));
  if (!$("new-client").value && ids.length) $("new-client").value = ids[0];
}

function confirmDelete(secret, button) {
  const dialog = $("confirm");
  $("confirm-what").textContent = `"${secret.description || "(no description)"}" (${secret.id})`;
  dialog.returnValue = "";
  dialog.onclose = () => {
    if (dialog.returnValue !== "delete") return button.focus();
    busy(button, async () => {
      try {
        await client.deleteSecret(secret.id);
        say(`Deleted secret ${secret.id}.`);
      } finally {
        await refresh().catch(() => {});
        $("refresh").focus();
      }
    });
  };
  dialog.showModal();
}

function showSecretOnce(id, value, what) {
  $("new-secret-title").textContent = what;
  $("new-secret-id").textContent = `(id ${id})`;
  $("new-secret-value").value = value;
  $("new-secret").hidden = false;
  $("new-secret").focus();
}
function hideSecret() {
  $("new-secret-value").value = "";
  $("new-secret").hidden = true;
}

function signOut() {
  client = null;
  signedIn = null;
  rotationStore = null;
  hideSecret();
  $("secret-rows").replaceChildren();
  $("new-client").value = "";
  $("secrets").hidden = true;
  $("signin").hidden = false;
  $("client-secret").value = "";
  $("password").value = "";
  say("Signed out.");
  $("auth-url").focus();
}

async function main() {
  $("auth-url").value = params.get("authUrl") ?? "http://127.0.0.1:5080";
  $("customer-id").value = params.get("customerId") ?? "demo-customer";
  for (const r of document.querySelectorAll("input[name=method]")) r.addEventListener("change", showMethod);
  showMethod();

  $("signin-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const f = new FormData(ev.target);
    const method = f.get("method");
    const base = { authUrl: f.get("authUrl").trim(), customerId: f.get("customerId").trim() };
    const creds = method === "client"
      ? { clientId: f.get("clientId").trim(), clientSecret: f.get("clientSecret") }
      : { username: f.get("username").trim(), password: f.get("password") };
    busy(ev.submitter ?? ev.target.querySelector("button"), async () => {
      signedIn = { method, ...base, ...(method === "client" ? { clientId: creds.clientId } : {}) };
      const candidate = new Client({ ...base, ...creds, description: "rotated from the admin page" });
      client = candidate;
      try {
        await refresh();
      } catch (err) {
        client = null;
        throw err;
      }
      $("client-secret").value = "";
      $("password").value = "";
      rotationStore = null;
      $("who").textContent = base.customerId;
      $("new-client-field").hidden = method !== "password";
      $("rotate-button").disabled = method !== "client";
      $("rotate-button").title = method === "client" ? "" : "Sign in with a client ID and secret to rotate that secret.";
      $("signin").hidden = true;
      $("secrets").hidden = false;
      say(`Signed in to ${base.customerId}.`);
      $("secrets-title").focus?.();
    });
  });

  $("refresh").addEventListener("click", (ev) => busy(ev.target, async () => {
    const list = await refresh();
    say(`${list.length} secret(s).`);
  }));
  $("signout").addEventListener("click", signOut);

  $("create-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const description = $("description").value.trim();
    // A client signed in with its own secret creates for itself; a user names the client.
    const clientId = signedIn?.method === "password" ? $("new-client").value.trim() : "";
    busy(ev.submitter ?? ev.target.querySelector("button"), async () => {
      const created = await client.createSecret({ ...(description && { description }), ...(clientId && { clientId }) });
      // EXPOSE: shown once so the user can copy it.
      showSecretOnce(created.id, created.exposeSecret(), "New secret");
      $("description").value = "";
      await refresh();
      say(`Created secret ${created.id}. Copy it now.`);
    });
  });

  $("copy").addEventListener("click", async () => {
    const value = $("new-secret-value").value;
    try {
      await navigator.clipboard.writeText(value);
      say("Copied to the clipboard.");
    } catch {
      $("new-secret-value").select();
      say("Press Ctrl+C (or ⌘C) to copy the selected secret.");
    }
  });
  $("dismiss").addEventListener("click", () => {
    hideSecret();
    say("The secret is hidden and cannot be shown again.");
    $("description").focus();
  });

  $("rotate-button").addEventListener("click", (ev) => busy(ev.target, async () => {
    rotationStore ??= memoryStore();
    // The first rotation seeds the store with the secret you signed in with. It is deleted
    // afterwards only if you claim it (nothing else uses it); otherwise it is kept and reported.
    const claim = $("claim-old").checked;
    if (rotationStore.text === null) await client.seed({ store: rotationStore, claim });
    const report = await client.rotate({ store: rotationStore });
    const record = StoreRecord.fromStorageString(rotationStore.text);
    // EXPOSE: the rotated secret lives only in this page's memory; show it once to keep.
    showSecretOnce(record.currentId ?? "?", record.exposeCurrentSecret(), "Your new secret (after rotation)");
    await refresh();
    const kept = report.kept.map((k) => `Kept ${k.id ?? "a secret of unknown id"}: ${k.advice}.`).join(" ");
    say(`Rotated: new secret ${report.newId}${report.deleted.length ? `, deleted ${report.deleted.join(", ")}` : ""}. Copy the new secret now.${kept ? ` ${kept}` : ""}`);
  }));
}

main().catch(showError);
