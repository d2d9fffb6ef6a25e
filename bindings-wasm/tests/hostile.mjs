// Small hostile HTTP servers on 127.0.0.1 for the transport tests (Node and
// Chromium): a "far" server that only counts what reaches it, and a hostile
// one whose token endpoint (any POST) or other routes misbehave as asked.
// Every answer carries permissive CORS headers so a page on another origin
// sees exactly what the server did. Servers stop by themselves with close().
import http from "node:http";
import zlib from "node:zlib";

const CORS = {
  "access-control-allow-origin": "*",
  "access-control-allow-headers": "*",
  "access-control-allow-methods": "GET, POST, DELETE",
  "access-control-expose-headers": "location",
};
const TOKEN = JSON.stringify({ access_token: "hostile-test-token", token_type: "Bearer", expires_in: 3600 });

function listen(handler) {
  // `open`: requests whose exchange has not ended yet (answered in full, or abandoned by the client).
  const stats = { connections: 0, requests: [], open: 0 };
  const server = http.createServer((req, res) => {
    stats.open += 1;
    res.on("close", () => { stats.open -= 1; });
    handler(req, res);
  });
  const sockets = new Set();
  server.on("connection", (socket) => {
    stats.connections += 1;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({
    url: `http://127.0.0.1:${server.address().port}`,
    stats,
    close: () => new Promise((done) => { for (const s of sockets) s.destroy(); server.close(() => done()); }),
  })));
}

/** Writes `chunk` again and again, respecting backpressure, until the client goes away. */
function endless(out, chunk, counter) {
  let open = true;
  out.on("close", () => { open = false; });
  const pump = () => {
    while (open) {
      counter.bytes += chunk.length;
      if (!out.write(chunk)) return out.once("drain", pump);
    }
  };
  pump();
}

/**
 * Starts a far server (counts connections; answers 200 "{}") and a hostile
 * one. `mode` picks what the hostile server does:
 *  - `redirect-token` (`status`, default 307): the token endpoint redirects to the far server;
 *  - `redirect-delete` (`status`, default 302): a token is granted, a DELETE redirects to the far server;
 *  - `drip`: 200 headers, then one byte every 200 ms forever;
 *  - `hang`: never answers at all;
 *  - `endless`: 200 with an endless body;
 *  - `gzip-bomb`: 200, `Content-Encoding: gzip`, an endless stream of compressed zeros.
 * Returns `{url, far, stats, sent, close()}`; `sent.bytes` counts what the hostile server wrote.
 */
export async function startHostile(mode, { status } = {}) {
  const far = await listen((req, res) => {
    far.stats.requests.push(`${req.method} ${req.url}`);
    res.writeHead(200, { ...CORS, "content-type": "application/json" }).end("{}");
  });
  const sent = { bytes: 0 };
  const timers = new Set();
  const hostile = await listen((req, res) => {
    hostile.stats.requests.push(`${req.method} ${req.url}`);
    if (req.method === "OPTIONS") return res.writeHead(204, CORS).end();
    const isToken = req.method === "POST" && req.url.endsWith("/token");
    if (mode === "redirect-token" && isToken) {
      return res.writeHead(status ?? 307, { ...CORS, location: `${far.url}/connect/token` }).end();
    }
    if (mode === "redirect-delete") {
      if (isToken) return res.writeHead(200, { ...CORS, "content-type": "application/json" }).end(TOKEN);
      if (req.method === "DELETE") return res.writeHead(status ?? 302, { ...CORS, location: `${far.url}${req.url}` }).end();
      return res.writeHead(404, CORS).end();
    }
    if (mode === "hang") return;
    res.writeHead(200, { ...CORS, "content-type": "application/json", ...(mode === "gzip-bomb" ? { "content-encoding": "gzip" } : {}) });
    if (mode === "drip") {
      res.flushHeaders();
      const timer = setInterval(() => { sent.bytes += 1; res.write(" "); }, 200);
      timers.add(timer);
      res.on("close", () => clearInterval(timer));
    } else if (mode === "endless") {
      endless(res, Buffer.alloc(64 * 1024, 0x20), sent);
    } else if (mode === "gzip-bomb") {
      const gzip = zlib.createGzip({ level: 9 });
      gzip.pipe(res);
      res.on("close", () => gzip.destroy());
      endless(gzip, Buffer.alloc(1024 * 1024), sent);
    }
  });
  return {
    url: hostile.url,
    far,
    stats: hostile.stats,
    sent,
    close: async () => {
      for (const t of timers) clearInterval(t);
      await Promise.all([hostile.close(), far.close()]);
    },
  };
}
