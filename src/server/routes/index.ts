/**
 * The route table: folder = URL prefix. An explicit list rather than directory autoloading, so
 * the built package needs no file-system scan and a missing entry is a type error, not a 404.
 */
import type { VigilServer } from '../types.js';
import healthRoutes from './health.js';
import authRoutes from './api/v1/auth/index.js';
import registryRoutes from './api/v1/registries/index.js';
import eventRoutes from './api/v1/events/index.js';
import tokenRoutes from './api/v1/tokens/index.js';
import userRoutes from './api/v1/users/index.js';

export const ROUTES: ReadonlyArray<{ prefix: string; plugin: (app: VigilServer) => Promise<void> }> = [
  { prefix: '', plugin: healthRoutes },
  { prefix: '/api/v1/auth', plugin: authRoutes },
  { prefix: '/api/v1/tokens', plugin: tokenRoutes },
  { prefix: '/api/v1/users', plugin: userRoutes },
  { prefix: '/api/v1/registries', plugin: registryRoutes },
  { prefix: '/api/v1/events', plugin: eventRoutes },
];
