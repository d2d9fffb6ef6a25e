// Vite builds two pages into dist/: page/ (a copy of bindings-wasm/example, which
// imports "mapsindoors-auth" and lets it load its .wasm) and manual/ (the manual way:
// "mapsindoors-auth/manual" and init() with the .wasm's URL from "…?url"). Nothing
// here is specific to mapsindoors-auth: Vite copies the .wasm into dist/assets by itself.
import { defineConfig } from "vite";

export default defineConfig({
  logLevel: "warn",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    rolldownOptions: { input: { page: "page/index.html", manual: "manual/index.html" } },
  },
});
