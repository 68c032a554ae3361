/** Schemas shared by several routes (TypeBox: validation, TypeScript types and OpenAPI at once). */
import { Type, type Static } from 'typebox';
import type { Scope } from '../auth/scopes.js';
import type { Role } from '../store/schema.js';

export const ErrorBody = Type.Object({ code: Type.String(), message: Type.String() }, { $id: 'Error', description: 'every 4xx and 5xx answer' });
export const RoleT = Type.Union([Type.Literal('admin'), Type.Literal('reader'), Type.Literal('ci')]);
export const ScopeT = Type.Union([Type.Literal('read'), Type.Literal('scan'), Type.Literal('write'), Type.Literal('admin')]);

export const UserT = Type.Object({
  id: Type.String(),
  username: Type.String(),
  role: RoleT,
  lockedUntil: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

export const TokenT = Type.Object({
  id: Type.String(),
  name: Type.String(),
  username: Type.String(),
  scopes: Type.Array(ScopeT),
  createdAt: Type.String(),
  expiresAt: Type.Union([Type.String(), Type.Null()]),
  lastUsedAt: Type.Union([Type.String(), Type.Null()]),
});

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

/** The usual error answers, for the OpenAPI document. */
export const errors = (...statuses: number[]) => Object.fromEntries(statuses.map((s) => [s, ErrorBody]));

// The schemas above must list exactly the roles and scopes the code knows.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const _rolesMatch: Same<Static<typeof RoleT>, Role> = true;
export const _scopesMatch: Same<Static<typeof ScopeT>, Scope> = true;
