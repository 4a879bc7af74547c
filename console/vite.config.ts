/**
 * The console's build: one entry (index.html), React bundled in, every asset named by its content's
 * hash and addressed relative to the page, so the gateway serves it at /console/ behind any path prefix.
 * `npm run build` writes it to dist/console/; src/console.ts builds it in memory when that is absent.
 */
import { defineConfig } from 'vite';

export default defineConfig({
  base: './',
  mode: 'production',
  logLevel: 'warn',
  // Nothing of the page may be inline: the CSP has no 'unsafe-inline' (and React's dev build is not shipped).
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  // Never React's development JSX, whatever NODE_ENV the building process has (vitest's is "test").
  esbuild: { jsx: 'automatic', jsxDev: false },
  build: {
    outDir: '../dist/console',
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
});
