/**
 * The route table: folder = URL prefix. An explicit list rather than directory autoloading, so
 * the built package needs no file-system scan and a missing entry is a type error, not a 404.
 */
import type { VigilServer } from '../types.js';
import healthRoutes from './health.js';
import authRoutes from './api/v1/auth/index.js';
import registryRoutes from './api/v1/registries/index.js';
import eventRoutes from './api/v1/events/index.js';
import ciScanRoutes from './api/v1/scan/index.js';
import dbRoutes from './api/v1/db/index.js';
import imageRoutes from './api/v1/images/index.js';
import scanJobRoutes from './api/v1/scans/index.js';
import tokenRoutes from './api/v1/tokens/index.js';
import userRoutes from './api/v1/users/index.js';
import webhookRoutes from './api/v1/webhooks/index.js';
import containerRoutes from './api/v1/containers/index.js';
import controllerRoutes from './api/v1/controllers/index.js';
import enforcerRoutes from './api/v1/enforcers/index.js';
import groupRoutes from './api/v1/groups/index.js';
import nodeRoutes from './api/v1/nodes/index.js';
import platformRoutes from './api/v1/platforms/index.js';
import riskRoutes from './api/v1/risks/index.js';

export const ROUTES: ReadonlyArray<{ prefix: string; plugin: (app: VigilServer) => Promise<void> }> = [
  { prefix: '', plugin: healthRoutes },
  { prefix: '/api/v1/auth', plugin: authRoutes },
  { prefix: '/api/v1/tokens', plugin: tokenRoutes },
  { prefix: '/api/v1/users', plugin: userRoutes },
  { prefix: '/api/v1/registries', plugin: registryRoutes },
  { prefix: '/api/v1/events', plugin: eventRoutes },
  { prefix: '/api/v1/scan', plugin: ciScanRoutes },
  { prefix: '/api/v1/scans', plugin: scanJobRoutes },
  { prefix: '/api/v1/images', plugin: imageRoutes },
  { prefix: '/api/v1/db', plugin: dbRoutes },
  { prefix: '/api/v1/webhooks', plugin: webhookRoutes },
  { prefix: '/api/v1/nodes', plugin: nodeRoutes },
  { prefix: '/api/v1/containers', plugin: containerRoutes },
  { prefix: '/api/v1/groups', plugin: groupRoutes },
  { prefix: '/api/v1/platforms', plugin: platformRoutes },
  { prefix: '/api/v1/controllers', plugin: controllerRoutes },
  { prefix: '/api/v1/enforcers', plugin: enforcerRoutes },
  { prefix: '/api/v1/risks', plugin: riskRoutes },
];
