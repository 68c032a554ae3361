/**
 * What a role may do, as scopes. A route names the one scope it needs; a session carries every
 * scope of the user's role, an API token the scopes it was created with (never more than the role).
 */
import type { Role } from '../store/schema.js';

export const SCOPES = ['read', 'scan', 'write', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export const ROLE_SCOPES: Record<Role, readonly Scope[]> = {
  admin: SCOPES,
  ci: ['read', 'scan'],
  reader: ['read'],
};
