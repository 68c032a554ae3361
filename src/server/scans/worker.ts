/**
 * A scan worker thread: pulls one image at a time and returns its inventory. It never touches
 * the store or the vulnerability DB; the controller matches and stores in the main thread, so a
 * worker that is terminated (timeout, cancellation) leaves nothing half-written.
 */
import { parentPort } from 'node:worker_threads';
import { isVigilError, describeError } from '../../core/errors.js';
import { runImageChecksWithInventory } from '../../compliance/image/index.js';
import { openImage } from '../../image/index.js';
import type { WorkerReply, WorkerRequest } from './task.js';

const port = parentPort;
if (!port) throw new Error('scans/worker.js runs as a worker thread');

function post(m: WorkerReply): void {
  port!.postMessage(m);
}

port.on('message', (m: WorkerRequest) => {
  if (m.type !== 'scan') return;
  void (async () => {
    const started = performance.now();
    try {
      const img = await openImage(m.task.reference, m.task.image);
      try {
        // The inventory and the image checks (root user, HEALTHCHECK, setuid, ADD, secrets) in one pass.
        const { inventory, compliance } = await runImageChecksWithInventory(img, {
          ...(m.task.layerConcurrency ? { concurrency: m.task.layerConcurrency } : {}),
          onProgress: (e) => {
            if (e.phase === 'layer-start') post({ type: 'progress', id: m.id, text: `layer ${(e.layer ?? 0) + 1}/${e.layers ?? '?'}` });
          },
        });
        post({ type: 'done', id: m.id, outcome: { inventory, compliance, scanMs: Math.round(performance.now() - started) } });
      } finally {
        await img.close();
      }
    } catch (e) {
      const error = isVigilError(e) ? { code: e.code, message: e.message, kind: e.kind } : { code: 'internal', message: describeError(e), kind: 'internal' };
      post({ type: 'failed', id: m.id, error });
    }
  })();
});
