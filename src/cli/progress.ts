import type { ProgressEvent } from '../engine/scan.js';

/** A one-line progress display on stderr, shown only when stderr is a terminal. */
export function makeProgress(enabled: boolean): { onProgress?: (e: ProgressEvent) => void; done(): void } {
  if (!enabled || !process.stderr.isTTY) return { done() {} };
  const started = Date.now();
  let shown = false;
  let doneLayers = 0;
  const write = (s: string): void => {
    shown = true;
    process.stderr.write(`\r\x1b[2K${s}`);
  };
  return {
    onProgress(e) {
      if (e.phase === 'layer-start') write(`vigil: reading layers ${doneLayers}/${e.layers} …`);
      if (e.phase === 'layer-done') write(`vigil: reading layers ${++doneLayers}/${e.layers} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      if (e.phase === 'walk-done') write(`vigil: read ${e.entries} files`);
    },
    done() {
      if (shown) process.stderr.write('\r\x1b[2K');
    },
  };
}
