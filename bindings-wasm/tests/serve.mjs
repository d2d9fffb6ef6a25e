// A tiny static server on loopback for the browser tests and the example page:
// /pkg/* (the built package), /example/*, /tests/*, /vectors/*. It sends no
// CORS headers, so pages served from here reach the emulator only through the
// emulator's own CORS. Usage: node serve.mjs [port]  (prints "serving on http://…").
import http from "node:http";
import fs from "node:fs";
import path from "node:path";

const here = path.dirname(new URL(import.meta.url).pathname);
const root = path.resolve(here, "../..");
const ROUTES = {
  "/pkg/": process.env.MIA_WASM_PKG ?? path.join(root, "target/wasm/pkg"),
  "/example/": path.join(root, "bindings-wasm/example"),
  "/tests/": here,
  "/vectors/": path.join(root, "tests/vectors"),
};
const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".mjs": "text/javascript", ".css": "text/css", ".json": "application/json", ".wasm": "application/wasm", ".ts": "text/plain" };

export function serve(port = 0) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://localhost");
    if (url.pathname === "/") {
      res.writeHead(302, { location: "/example/" }).end();
      return;
    }
    const prefix = Object.keys(ROUTES).find((p) => url.pathname.startsWith(p));
    if (!prefix) return res.writeHead(404).end("not found");
    let rel = decodeURIComponent(url.pathname.slice(prefix.length)) || "index.html";
    if (rel.endsWith("/")) rel += "index.html";
    const file = path.resolve(ROUTES[prefix], rel);
    if (!file.startsWith(path.resolve(ROUTES[prefix]) + path.sep)) return res.writeHead(403).end("forbidden");
    fs.readFile(file, (err, data) => {
      if (err) return res.writeHead(404).end("not found");
      res.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream", "cache-control": "no-store" }).end(data);
    });
  });
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve(server)));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const server = await serve(Number(process.argv[2] ?? 8080));
  console.log(`serving on http://127.0.0.1:${server.address().port}/example/`);
}
