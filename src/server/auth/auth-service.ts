/**
 * Users, sessions, API tokens and the lockout rule. Bearer tokens are 32 random bytes; only
 * their sha256 is stored (a random token needs no slow hash). Session tokens start `vgs_`, API
 * tokens `vgt_`, so a leaked one is recognisable in logs and secret scanners.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { VigilError } from '../../core/errors.js';
import { badRequest, conflict, forbidden, notFound, unauthorized } from '../errors.js';
import type { ApiToken, Database, Role, User } from '../store/schema.js';
import { AuditLog } from './audit.js';
import { dummyHash, hashPassword, verifyPassword } from './passwords.js';
import { ROLE_SCOPES, type Scope } from './scopes.js';

export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MS = 15 * 60_000;
export const DEFAULT_SESSION_TTL_MS = 12 * 3600_000;

export interface Principal {
  userId: string;
  username: string;
  role: Role;
  scopes: readonly Scope[];
  via: 'session' | 'token';
  /** session or API token id */
  credentialId: string;
}

export interface UserView {
  id: string;
  username: string;
  role: Role;
  lockedUntil: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface TokenView {
  id: string;
  name: string;
  username: string;
  scopes: Scope[];
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
}

export interface AuthServiceOptions {
  sessionTtlMs?: number;
  now?: () => Date;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const newToken = (prefix: string) => prefix + randomBytes(32).toString('base64url');

export class AuthService {
  readonly audit: AuditLog;
  private readonly now: () => Date;
  private readonly sessionTtlMs: number;

  constructor(
    private readonly db: Kysely<Database>,
    o: AuthServiceOptions = {},
  ) {
    this.now = o.now ?? (() => new Date());
    this.sessionTtlMs = o.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS;
    this.audit = new AuditLog(db, this.now);
  }

  /**
   * First start: when there is no user, create `admin` with the given password (or a random one,
   * which the caller prints once). Returns the password only when it made the user.
   */
  async bootstrapAdmin(password: string): Promise<boolean> {
    const any = await this.db.selectFrom('users').select('id').limit(1).executeTakeFirst();
    if (any) return false;
    await this.insertUser('admin', password, 'admin');
    await this.audit.record({ actor: null, action: 'user.create', target: 'admin', detail: { role: 'admin', bootstrap: true } });
    return true;
  }

  async login(username: string, password: string, ip: string | null): Promise<{ token: string; expiresAt: string; user: UserView }> {
    const user = await this.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
    const now = this.now();
    if (!user) {
      await verifyPassword(password, await dummyHash());
      await this.audit.record({ actor: null, action: 'auth.login.failed', target: username, detail: { reason: 'unknown user' }, ip });
      throw new VigilError('bad-credentials', 'wrong user name or password');
    }
    if (user.locked_until && user.locked_until > now.toISOString()) {
      await this.audit.record({ actor: null, action: 'auth.login.refused', target: username, detail: { reason: 'locked', lockedUntil: user.locked_until }, ip });
      throw lockedOut(user.locked_until);
    }
    if (!(await verifyPassword(password, user.password_hash))) {
      // Counted in SQL, not read-modify-write, so parallel guesses cannot undercount.
      const { failed_logins: failed } = await this.db
        .updateTable('users')
        .set({ failed_logins: sql<number>`failed_logins + 1` })
        .where('id', '=', user.id)
        .returning('failed_logins')
        .executeTakeFirstOrThrow();
      const lock = failed >= MAX_FAILED_LOGINS ? new Date(now.getTime() + LOCKOUT_MS).toISOString() : null;
      if (lock) await this.db.updateTable('users').set({ failed_logins: 0, locked_until: lock }).where('id', '=', user.id).execute();
      await this.audit.record({ actor: null, action: 'auth.login.failed', target: username, detail: { reason: 'bad password', failed }, ip });
      if (lock) {
        await this.audit.record({ actor: null, action: 'auth.lockout', target: username, detail: { lockedUntil: lock }, ip });
        throw lockedOut(lock);
      }
      throw new VigilError('bad-credentials', 'wrong user name or password');
    }
    await this.db.updateTable('users').set({ failed_logins: 0, locked_until: null }).where('id', '=', user.id).execute();
    const token = newToken('vgs_');
    const expiresAt = new Date(now.getTime() + this.sessionTtlMs).toISOString();
    await this.db
      .insertInto('sessions')
      .values({ id: randomUUID(), token_hash: sha256(token), user_id: user.id, created_at: now.toISOString(), expires_at: expiresAt })
      .execute();
    // Expired sessions are dropped here, the one place they accumulate.
    await this.db.deleteFrom('sessions').where('expires_at', '<=', now.toISOString()).execute();
    await this.audit.record({ actor: username, action: 'auth.login', target: username, ip });
    return { token, expiresAt, user: userView(user) };
  }

  async logout(p: Principal, ip: string | null): Promise<void> {
    if (p.via !== 'session') throw badRequest('logout ends a session; delete an API token with DELETE /api/v1/tokens/{id}');
    await this.db.deleteFrom('sessions').where('id', '=', p.credentialId).execute();
    await this.audit.record({ actor: p.username, action: 'auth.logout', target: p.username, ip });
  }

  /** The principal behind a bearer token, or an `unauthorized` error. */
  async authenticate(bearer: string): Promise<Principal> {
    const now = this.now().toISOString();
    const hash = sha256(bearer);
    if (bearer.startsWith('vgs_')) {
      const row = await this.db
        .selectFrom('sessions')
        .innerJoin('users', 'users.id', 'sessions.user_id')
        .select(['sessions.id as sid', 'sessions.expires_at', 'users.id as uid', 'users.username', 'users.role'])
        .where('sessions.token_hash', '=', hash)
        .executeTakeFirst();
      if (!row || row.expires_at <= now) throw unauthorized('the session has expired or was ended; log in again');
      return { userId: row.uid, username: row.username, role: row.role, scopes: ROLE_SCOPES[row.role], via: 'session', credentialId: row.sid };
    }
    if (bearer.startsWith('vgt_')) {
      const row = await this.db
        .selectFrom('api_tokens')
        .innerJoin('users', 'users.id', 'api_tokens.user_id')
        .select(['api_tokens.id as tid', 'api_tokens.expires_at', 'api_tokens.scopes', 'users.id as uid', 'users.username', 'users.role'])
        .where('api_tokens.token_hash', '=', hash)
        .executeTakeFirst();
      if (!row || (row.expires_at !== null && row.expires_at <= now)) throw unauthorized('the API token is unknown, deleted or expired');
      await this.db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', row.tid).execute();
      // A token never outlives a demotion of its user: its scopes are cut to the user's role now.
      const allowed = ROLE_SCOPES[row.role];
      const scopes = (JSON.parse(row.scopes) as Scope[]).filter((s) => allowed.includes(s));
      return { userId: row.uid, username: row.username, role: row.role, scopes, via: 'token', credentialId: row.tid };
    }
    throw unauthorized('the bearer token is not a Vigil token');
  }

  // --- API tokens ---------------------------------------------------------------------------

  async createToken(
    actor: Principal,
    o: { name: string; scopes: Scope[]; username?: string; expiresInDays?: number },
    ip: string | null,
  ): Promise<{ token: string; info: TokenView }> {
    const owner = o.username ? await this.userByName(o.username) : await this.userById(actor.userId);
    const allowed = ROLE_SCOPES[owner.role];
    const extra = o.scopes.filter((s) => !allowed.includes(s));
    if (extra.length) throw badRequest(`a ${owner.role} user cannot hold the scope(s) ${extra.join(', ')}`);
    const now = this.now();
    const token = newToken('vgt_');
    const row: ApiToken = {
      id: randomUUID(),
      name: o.name,
      token_hash: sha256(token),
      user_id: owner.id,
      scopes: JSON.stringify([...new Set(o.scopes)]),
      created_at: now.toISOString(),
      expires_at: o.expiresInDays ? new Date(now.getTime() + o.expiresInDays * 86400_000).toISOString() : null,
      last_used_at: null,
    };
    await this.db.insertInto('api_tokens').values(row).execute();
    await this.audit.record({ actor: actor.username, action: 'token.create', target: row.id, detail: { name: o.name, owner: owner.username, scopes: o.scopes }, ip });
    return { token, info: tokenView(row, owner.username) };
  }

  /** Admins see every token; anyone else sees their own. */
  async listTokens(actor: Principal): Promise<TokenView[]> {
    let q = this.db.selectFrom('api_tokens').innerJoin('users', 'users.id', 'api_tokens.user_id').selectAll('api_tokens').select('users.username');
    if (!actor.scopes.includes('admin')) q = q.where('api_tokens.user_id', '=', actor.userId);
    const rows = await q.orderBy('api_tokens.created_at').execute();
    return rows.map((r) => tokenView(r, r.username));
  }

  async deleteToken(actor: Principal, id: string, ip: string | null): Promise<void> {
    const r = await this.db.deleteFrom('api_tokens').where('id', '=', id).executeTakeFirst();
    if (!r.numDeletedRows) throw notFound(`no API token ${id}`);
    await this.audit.record({ actor: actor.username, action: 'token.delete', target: id, ip });
  }

  // --- users --------------------------------------------------------------------------------

  async listUsers(): Promise<UserView[]> {
    const rows = await this.db.selectFrom('users').selectAll().orderBy('username').execute();
    return rows.map(userView);
  }

  async getUser(id: string): Promise<UserView> {
    return userView(await this.userById(id));
  }

  async createUser(actor: Principal, o: { username: string; password: string; role: Role }, ip: string | null): Promise<UserView> {
    if (await this.db.selectFrom('users').select('id').where('username', '=', o.username).executeTakeFirst()) throw conflict(`user ${o.username} exists`);
    const u = await this.insertUser(o.username, o.password, o.role);
    await this.audit.record({ actor: actor.username, action: 'user.create', target: o.username, detail: { role: o.role }, ip });
    return userView(u);
  }

  async updateUser(actor: Principal, id: string, o: { password?: string; role?: Role; unlock?: boolean }, ip: string | null): Promise<UserView> {
    const u = await this.userById(id);
    if (o.role && o.role !== 'admin' && u.role === 'admin') await this.keepOneAdmin(u.id);
    const set: Partial<User> = { updated_at: this.now().toISOString() };
    if (o.password !== undefined) set.password_hash = await hashPassword(o.password);
    if (o.role) set.role = o.role;
    if (o.unlock) Object.assign(set, { failed_logins: 0, locked_until: null });
    await this.db.updateTable('users').set(set).where('id', '=', id).execute();
    // A new password or role ends the user's sessions: they log in again under the new rules.
    if (o.password !== undefined || o.role) await this.db.deleteFrom('sessions').where('user_id', '=', id).execute();
    const changed = Object.keys(o).filter((k) => o[k as keyof typeof o] !== undefined);
    await this.audit.record({ actor: actor.username, action: 'user.update', target: u.username, detail: { changed, ...(o.role ? { role: o.role } : {}) }, ip });
    return userView(await this.userById(id));
  }

  async deleteUser(actor: Principal, id: string, ip: string | null): Promise<void> {
    const u = await this.userById(id);
    if (u.id === actor.userId) throw forbidden('you cannot delete your own user');
    if (u.role === 'admin') await this.keepOneAdmin(u.id);
    await this.db.deleteFrom('users').where('id', '=', id).execute();
    await this.audit.record({ actor: actor.username, action: 'user.delete', target: u.username, ip });
  }

  private async keepOneAdmin(leaving: string): Promise<void> {
    const other = await this.db.selectFrom('users').select('id').where('role', '=', 'admin').where('id', '!=', leaving).limit(1).executeTakeFirst();
    if (!other) throw conflict('the last admin cannot be removed or demoted');
  }

  private async insertUser(username: string, password: string, role: Role): Promise<User> {
    const now = this.now().toISOString();
    const u: User = { id: randomUUID(), username, password_hash: await hashPassword(password), role, failed_logins: 0, locked_until: null, created_at: now, updated_at: now };
    await this.db.insertInto('users').values(u).execute();
    return u;
  }

  private async userById(id: string): Promise<User> {
    const u = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    if (!u) throw notFound(`no user ${id}`);
    return u;
  }

  private async userByName(username: string): Promise<User> {
    const u = await this.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
    if (!u) throw notFound(`no user ${username}`);
    return u;
  }
}

function lockedOut(until: string): VigilError {
  return new VigilError('locked-out', `too many failed logins; the account is locked until ${until}`);
}

function userView(u: User): UserView {
  return { id: u.id, username: u.username, role: u.role, lockedUntil: u.locked_until, createdAt: u.created_at, updatedAt: u.updated_at };
}

function tokenView(r: ApiToken, username: string): TokenView {
  return { id: r.id, name: r.name, username, scopes: JSON.parse(r.scopes) as Scope[], createdAt: r.created_at, expiresAt: r.expires_at, lastUsedAt: r.last_used_at };
}
