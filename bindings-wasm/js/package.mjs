// Packaging steps of scripts/build-wasm.sh: the entry modules (and the glue's JSDoc
// taken out of the shipped JS), the "env" import check and package.json. Usage: node package.mjs entry DIR SNIPPET | check-imports WASM | manifest PKG README
//
// Entries: web/index.js instantiates the .wasm on import (top-level await on the URL
// next to the glue, which Vite and webpack 5 copy); web/manual.js exports the same
// API and leaves `init()` to the caller ("mapsindoors-auth/manual"); node/index.js
// (Node instantiates in the glue, on import) serves both specifiers under Node.
import fs from "node:fs";
import path from "node:path";

const ERRORS = ["MapsIndoorsAuthError", "InvalidClientError", "InvalidGrantError", "OAuthError",
  "UnauthorizedError", "ForbiddenError", "NotFoundError", "RateLimitedError", "BadRequestError", "ServerError",
  "UnexpectedResponseError", "InvalidInputError", "TransportError", "StoreError", "StoreConflictError", "RotationIncompleteError", "errorClass", "eventStream"];
const here = path.dirname(new URL(import.meta.url).pathname);
const [cmd, a, b] = process.argv.slice(2);
const write = (dir, name, js, dts) => {
  fs.writeFileSync(path.join(dir, `${name}.js`), js.join("\n") + "\n");
  fs.writeFileSync(path.join(dir, `${name}.d.ts`), dts.join("\n") + "\n");
};

if (cmd === "entry") {
  // The glue's JSDoc blocks (wasm-bindgen copies every Rust doc comment into them) are
  // left out of the shipped JS: the .d.ts keeps them for editors (about 2.7 KB gzipped).
  const glueFile = path.join(a, "mapsindoors_auth.js");
  const glue = fs.readFileSync(glueFile, "utf8").replace(/^[ \t]*\/\*\*[\s\S]*?\*\/[ \t]*\n/gm, "");
  fs.writeFileSync(glueFile, glue);
  const hasInit = /export default|\bas default\b/.test(glue);
  fs.copyFileSync(path.join(here, "errors.d.ts"), path.join(a, b.replace(/\.js$/, ".d.ts")));
  const api = [
    `export * from "./mapsindoors_auth.js";`,
    `export { ${ERRORS.join(", ")} } from "${b}";`,
  ];
  const types = [
    `export * from "./mapsindoors_auth.js";`,
    `export { ${ERRORS.join(", ")}, type ErrorCode, type EventStream } from "${b}";`,
  ];
  if (hasInit) {
    // manual.js: init() is the caller's; index.js: the same API, initialised on import.
    write(a, "manual", [...api, `export { default } from "./mapsindoors_auth.js";`],
      [...types, `export { default } from "./mapsindoors_auth.js";`]);
    write(a, "index", [
      `import init from "./manual.js";`,
      `export * from "./manual.js";`,
      `export { init as default };`,
      `await init();`,
    ], [`export * from "./manual.js";`, `export { default } from "./manual.js";`]);
  } else {
    write(a, "index", [...api,
      `/** Node initialises on import; kept so the same code runs in pages and Node. */\nexport default async function init() {}\nexport function initSync() {}`],
    [...types, `export default function init(): Promise<void>;\nexport function initSync(): void;`]);
  }
} else if (cmd === "check-imports") {
  const mod = new WebAssembly.Module(fs.readFileSync(a));
  const env = WebAssembly.Module.imports(mod).filter((i) => i.module === "env");
  if (env.length) {
    console.error(`check-imports: ${a} imports from "env": ${env.map((i) => i.name).join(", ")}`);
    process.exit(1);
  }
  console.error(`check-imports: no "env" imports (${WebAssembly.Module.imports(mod).length} imports in all)`);
} else if (cmd === "manifest") {
  const manifest = {
    name: "mapsindoors-auth",
    version: "0.1.0",
    description: "MapsIndoors auth API client (tokens, client secrets, crash-safe rotation) for browsers and Node, in WebAssembly.",
    license: "MIT OR Apache-2.0",
    type: "module",
    files: ["web", "node", "README.md"],
    main: "./node/index.js",
    module: "./web/index.js",
    types: "./web/index.d.ts",
    // types first (TypeScript takes the first match); browser before node, so a
    // bundler that sets both (Electron renderers, some test runners) gets the web build.
    exports: {
      ".": {
        types: "./web/index.d.ts",
        browser: "./web/index.js",
        node: "./node/index.js",
        default: "./web/index.js",
      },
      "./manual": {
        types: "./web/manual.d.ts",
        browser: "./web/manual.js",
        node: "./node/index.js",
        default: "./web/manual.js",
      },
      // For the manual way in a bundler: its URL as an asset (Vite "…?url", esbuild's file loader).
      "./mapsindoors_auth_bg.wasm": "./web/mapsindoors_auth_bg.wasm",
      "./package.json": "./package.json",
    },
    // Only web/index.js runs code on import that must be kept: its top-level
    // `await init()`. Marked side-effect free, a bundler would skip that re-export
    // module and bind `Client` straight to the glue, never instantiating the .wasm.
    sideEffects: ["./web/index.js"],
    engines: { node: ">=20" },
  };
  fs.writeFileSync(path.join(a, "package.json"), JSON.stringify(manifest, null, 2) + "\n");
  fs.copyFileSync(b, path.join(a, "README.md"));
} else {
  console.error("usage: node package.mjs entry DIR SNIPPET | check-imports WASM | manifest PKG README");
  process.exit(2);
}
