// Packaging steps of scripts/build-wasm.sh: the entry modules, the "env" import
// check and package.json. Usage: node package.mjs entry DIR SNIPPET | check-imports WASM | manifest PKG README
import fs from "node:fs";
import path from "node:path";

const ERRORS = ["MapsIndoorsAuthError", "InvalidClientError", "InvalidGrantError", "OAuthError",
  "UnauthorizedError", "ForbiddenError", "NotFoundError", "RateLimitedError", "BadRequestError", "ServerError",
  "UnexpectedResponseError", "InvalidInputError", "TransportError", "StoreError", "StoreConflictError", "RotationIncompleteError", "errorClass"];
const here = path.dirname(new URL(import.meta.url).pathname);
const [cmd, a, b] = process.argv.slice(2);

if (cmd === "entry") {
  const glue = fs.readFileSync(path.join(a, "mapsindoors_auth.js"), "utf8");
  const hasInit = /export default|\bas default\b/.test(glue);
  fs.copyFileSync(path.join(here, "errors.d.ts"), path.join(a, b.replace(/\.js$/, ".d.ts")));
  const js = [
    `export * from "./mapsindoors_auth.js";`,
    `export { ${ERRORS.join(", ")} } from "${b}";`,
    hasInit
      ? `export { default } from "./mapsindoors_auth.js";`
      : `/** Node initialises on import; kept so the same code runs in pages and Node. */\nexport default async function init() {}\nexport function initSync() {}`,
  ].join("\n") + "\n";
  const dts = [
    `export * from "./mapsindoors_auth.js";`,
    `export { ${ERRORS.join(", ")}, type ErrorCode } from "${b}";`,
    hasInit
      ? `export { default } from "./mapsindoors_auth.js";`
      : `export default function init(): Promise<void>;\nexport function initSync(): void;`,
  ].join("\n") + "\n";
  fs.writeFileSync(path.join(a, "index.js"), js);
  fs.writeFileSync(path.join(a, "index.d.ts"), dts);
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
    exports: {
      ".": {
        types: "./web/index.d.ts",
        node: "./node/index.js",
        default: "./web/index.js",
      },
      "./package.json": "./package.json",
    },
    sideEffects: false,
    engines: { node: ">=20" },
  };
  fs.writeFileSync(path.join(a, "package.json"), JSON.stringify(manifest, null, 2) + "\n");
  fs.copyFileSync(b, path.join(a, "README.md"));
} else {
  console.error("usage: node package.mjs entry DIR SNIPPET | check-imports WASM | manifest PKG README");
  process.exit(2);
}
