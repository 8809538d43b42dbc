import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

// The page and its assets go to dist/, which the master's --dashboard-port and `sloth-runner ui` serve as they are:
// no CDN, no server-side rendering.
export default defineConfig({
  plugins: [preact()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 400 },
});
