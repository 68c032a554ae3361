/**
 * The web console's build: React without a Babel plugin (Vite's esbuild compiles TSX with the
 * automatic runtime), output to dist/console where `vigil server` serves it. Offline and fast,
 * since `npm test` runs it.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));
const outDir = fileURLToPath(new URL('../dist/console', import.meta.url));

/**
 * Brotli and gzip copies of the text files next to them, once at build time: the server sends
 * them as they are (@fastify/static preCompressed) instead of compressing on every request.
 */
function precompress(): Plugin {
  return {
    name: 'vigil-precompress',
    apply: 'build',
    closeBundle() {
      const walk = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
      for (const file of walk(outDir)) {
        if (!/\.(js|css|html|svg|json)$/.test(file)) continue;
        const data = readFileSync(file);
        writeFileSync(`${file}.br`, brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
        writeFileSync(`${file}.gz`, gzipSync(data, { level: 9 }));
      }
    },
  };
}

export default defineConfig({
  root: here,
  base: '/',
  logLevel: 'warn',
  esbuild: { jsx: 'automatic' },
  plugins: [precompress()],
  build: {
    outDir,
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
