/**
 * The web console's build: React without a Babel plugin (Vite's esbuild compiles TSX with the
 * automatic runtime), output to dist/console where `vigil server` serves it. Offline and fast,
 * since `npm test` runs it.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: '/',
  logLevel: 'warn',
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: fileURLToPath(new URL('../dist/console', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // Hashed names under /assets/ are cached for a year by the server; index.html never is.
    assetsDir: 'assets',
    chunkSizeWarningLimit: 400,
  },
  server: {
    // `npx vite --config console/vite.config.ts` against a `vigil server --http` on 8080.
    proxy: { '/api': process.env.VIGIL_CONSOLE_API ?? 'http://127.0.0.1:8080' },
  },
});
