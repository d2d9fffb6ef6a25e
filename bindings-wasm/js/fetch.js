// The package's fetch; src/transport.rs documents its policy.
const fail = (kind, message) => Object.assign(new Error(message), { kind });

export async function send(method, url, headers, body, timeoutMs, maxBody) {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  const timedOut = () => fail("timeout", `no complete answer within ${timeoutMs} ms`);
  try {
    let response;
    try {
      response = await fetch(url, { method, headers, body: body.length ? body : undefined, redirect: "manual", signal: abort.signal });
    } catch (e) {
      if (abort.signal.aborted) throw timedOut();
      // Name and code only: a message may quote a header value.
      const code = e?.cause?.code ?? e?.name;
      if (code === "UND_ERR_HEADERS_OVERFLOW") throw fail("interrupted", `the answer's headers are too large (${code})`);
      throw fail("connect", `fetch failed (${code}); is the server up and does it allow this origin (CORS)?`);
    }
    // A browser hides a redirect's code and Location: a 3xx to a host nobody can read.
    if (response.type === "opaqueredirect") return { status: 300, headers: [["location", "hidden://"]] };
    const chunks = [];
    let size = 0;
    if (response.body) {
      const reader = response.body.getReader();
      try {
        while (size <= maxBody) {
          const { done, value } = await reader.read();
          if (done) break;
          chunks.push(value);
          size += value.length;
        }
      } catch (e) {
        if (abort.signal.aborted) throw timedOut();
        throw fail("interrupted", `reading the body failed (${e?.cause?.code ?? e?.name})`);
      }
    }
    const out = new Uint8Array(Math.min(size, maxBody + 1));
    let at = 0;
    for (const chunk of chunks) {
      const part = chunk.subarray(0, out.length - at);
      out.set(part, at);
      at += part.length;
    }
    return { status: response.status, headers: [...response.headers], body: out };
  } finally {
    clearTimeout(timer);
    // Ends whatever is still open: a capped body, a dripping server.
    abort.abort();
  }
}
