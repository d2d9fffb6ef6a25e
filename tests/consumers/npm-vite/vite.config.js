// Vite builds page/ (a copy of bindings-wasm/example) into dist/. Nothing here is
// specific to mapsindoors-auth: the package's browser entry loads its .wasm through
// new URL(…, import.meta.url), which Vite copies into dist/assets by itself.
import { defineConfig } from "vite";

export default defineConfig({
  root: "page",
  logLevel: "warn",
  build: { outDir: "../dist", emptyOutDir: true },
});
