/** What crosses the boundary between the controller and its scan worker threads. */
import type { ComplianceReport } from '../../compliance/types.js';
import type { Inventory } from '../../core/types.js';
import type { ImageOptions } from '../../image/types.js';

export interface ScanTask {
  /** host[:port]/repository@digest (or :tag) */
  reference: string;
  image: ImageOptions;
  /** Layers of this image read at once (the controller runs several images at once instead). */
  layerConcurrency?: number;
}

export interface ScanOutcome {
  inventory: Inventory;
  /** The image checks (I.4.x), from the same pass over the layers. */
  compliance: ComplianceReport;
  scanMs: number;
}

export interface TaskError {
  code: string;
  message: string;
  kind: string;
}

export type WorkerRequest = { type: 'scan'; id: number; task: ScanTask };

export type WorkerReply =
  | { type: 'progress'; id: number; text: string }
  | { type: 'done'; id: number; outcome: ScanOutcome }
  | { type: 'failed'; id: number; error: TaskError };
