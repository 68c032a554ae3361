/**
 * Versioned schema migrations, kept in code so that the built package carries them (no
 * migration folder to copy). Append only: a released migration is never edited. The names
 * sort in the order they run.
 */
import type { CreateTableBuilder, Kysely, Migration, MigrationProvider } from 'kysely';
import type { Inventory } from '../../core/types.js';
import type { ScanReport } from '../../report/types.js';
import { replaceAssetFindings } from '../risks/findings.js';
import { unpackJson } from '../scans/codec.js';
import type { Database } from './schema.js';

const migrations: Record<string, Migration> = {
  '0001_auth_and_audit': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('username', 'text', (c) => c.notNull().unique())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('failed_logins', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('locked_until', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('api_tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('scopes', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text')
        .addColumn('last_used_at', 'text')
        .execute();
      await db.schema
        .createTable('audit_events')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('actor', 'text')
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('target', 'text')
        .addColumn('detail', 'text', (c) => c.notNull())
        .addColumn('ip', 'text')
        .execute();
      await db.schema.createIndex('audit_events_at').on('audit_events').columns(['at', 'id']).execute();
      await db.schema.createIndex('sessions_expires_at').on('sessions').column('expires_at').execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      for (const t of ['audit_events', 'api_tokens', 'sessions', 'users']) await db.schema.dropTable(t).execute();
    },
  },
  '0002_registries': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('registries')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('username', 'text')
        .addColumn('password_enc', 'text')
        .addColumn('filters', 'text', (c) => c.notNull())
        .addColumn('schedule', 'text', (c) => c.notNull())
        .addColumn('rescan_after_db_update', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('layered_scan', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('repo_limit', 'integer')
        .addColumn('tag_limit', 'integer')
        .addColumn('use_proxy', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('insecure', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('ca_pem', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('registries').execute();
    },
  },
  '0003_scanning': {
    async up(db: Kysely<unknown>): Promise<void> {
      // What a crawl remembers of each registry.
      for (const [col, type] of [
        ['last_crawl_at', 'text'],
        ['last_crawl_status', 'text'],
        ['last_crawl_error', 'text'],
      ] as const) {
        await db.schema.alterTable('registries').addColumn(col, type).execute();
      }
      await db.schema.alterTable('registries').addColumn('scan_concurrency', 'integer', (c) => c.notNull().defaultTo(2)).execute();
      // One row per image digest ever scanned: the inventory is kept so that a new DB re-matches without a pull.
      await db.schema
        .createTable('images')
        .addColumn('digest', 'text', (c) => c.primaryKey())
        .addColumn('manifest_digest', 'text')
        .addColumn('config_digest', 'text', (c) => c.notNull())
        .addColumn('platform', 'text', (c) => c.notNull())
        .addColumn('os', 'text')
        .addColumn('layers', 'text', (c) => c.notNull())
        .addColumn('package_count', 'integer', (c) => c.notNull())
        .addColumn('inventory_gz', 'text', (c) => c.notNull())
        .addColumn('scanned_at', 'text', (c) => c.notNull())
        .addColumn('scan_ms', 'integer', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('image_results')
        .addColumn('digest', 'text', (c) => c.primaryKey().references('images.digest').onDelete('cascade'))
        .addColumn('db_built_at', 'text', (c) => c.notNull())
        .addColumn('matched_at', 'text', (c) => c.notNull())
        .addColumn('summary', 'text', (c) => c.notNull())
        .addColumn('finding_keys', 'text', (c) => c.notNull())
        .addColumn('report_hash', 'text', (c) => c.notNull())
        .addColumn('report_gz', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('registry_tags')
        .addColumn('registry_id', 'text', (c) => c.notNull().references('registries.id').onDelete('cascade'))
        .addColumn('repository', 'text', (c) => c.notNull())
        .addColumn('tag', 'text', (c) => c.notNull())
        .addColumn('digest', 'text', (c) => c.notNull())
        .addColumn('first_seen', 'text', (c) => c.notNull())
        .addColumn('last_seen', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('registry_tags_pk', ['registry_id', 'repository', 'tag'])
        .execute();
      await db.schema.createIndex('registry_tags_digest').on('registry_tags').column('digest').execute();
      await db.schema
        .createTable('scan_jobs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('registry_id', 'text', (c) => c.references('registries.id').onDelete('cascade'))
        .addColumn('reference', 'text', (c) => c.notNull())
        .addColumn('repository', 'text')
        .addColumn('tag', 'text')
        .addColumn('digest', 'text')
        .addColumn('priority', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('max_attempts', 'integer', (c) => c.notNull())
        .addColumn('not_before', 'text', (c) => c.notNull())
        .addColumn('progress', 'text')
        .addColumn('error', 'text')
        .addColumn('requested_by', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('started_at', 'text')
        .addColumn('finished_at', 'text')
        .execute();
      await db.schema.createIndex('scan_jobs_status').on('scan_jobs').columns(['status', 'priority', 'not_before']).execute();
      await db.schema.createIndex('scan_jobs_digest').on('scan_jobs').columns(['digest', 'status']).execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      for (const t of ['scan_jobs', 'registry_tags', 'image_results', 'images']) await db.schema.dropTable(t).execute();
      for (const c of ['last_crawl_at', 'last_crawl_status', 'last_crawl_error', 'scan_concurrency']) await db.schema.alterTable('registries').dropColumn(c).execute();
    },
  },
  '0004_webhooks': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('webhooks')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('format', 'text', (c) => c.notNull())
        .addColumn('categories', 'text', (c) => c.notNull())
        .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('secret_enc', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('webhooks').execute();
    },
  },
  '0005_event_categories': {
    async up(db: Kysely<unknown>): Promise<void> {
      // The category is the action's prefix, stored so that the events API filters on an index.
      await db.schema.alterTable('audit_events').addColumn('category', 'text', (c) => c.notNull().defaultTo('')).execute();
      const d = db as unknown as Kysely<{ audit_events: { action: string; category: string } }>;
      for (const { action } of await d.selectFrom('audit_events').select('action').distinct().execute()) {
        await d.updateTable('audit_events').set({ category: action.split('.')[0] ?? action }).where('action', '=', action).execute();
      }
      await db.schema.createIndex('audit_events_category').on('audit_events').columns(['category', 'at', 'id']).execute();
      await db.schema.createIndex('audit_events_action').on('audit_events').columns(['action', 'at', 'id']).execute();
      await db.schema.createIndex('audit_events_target').on('audit_events').columns(['target', 'at', 'id']).execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      for (const i of ['audit_events_category', 'audit_events_action', 'audit_events_target']) await db.schema.dropIndex(i).execute();
      await db.schema.alterTable('audit_events').dropColumn('category').execute();
    },
  },
  '0006_assets': {
    async up(db: Kysely<unknown>): Promise<void> {
      const stamps = (t: CreateTableBuilder<string, never>) => t.addColumn('created_at', 'text', (c) => c.notNull()).addColumn('updated_at', 'text', (c) => c.notNull());
      await stamps(db.schema.createTable('platforms').addColumn('id', 'text', (c) => c.primaryKey()).addColumn('name', 'text', (c) => c.notNull()).addColumn('type', 'text', (c) => c.notNull()).addColumn('version', 'text')).execute();
      await stamps(
        db.schema
          .createTable('groups')
          .addColumn('name', 'text', (c) => c.primaryKey())
          .addColumn('namespace', 'text')
          .addColumn('policy_mode', 'text', (c) => c.notNull())
          .addColumn('comment', 'text'),
      ).execute();
      await stamps(
        db.schema
          .createTable('nodes')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('os', 'text')
          .addColumn('kernel', 'text')
          .addColumn('address', 'text')
          .addColumn('platform_id', 'text')
          .addColumn('group_name', 'text', (c) => c.notNull())
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('labels', 'text', (c) => c.notNull()),
      ).execute();
      await stamps(
        db.schema
          .createTable('containers')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('namespace', 'text')
          .addColumn('service', 'text')
          .addColumn('group_name', 'text')
          .addColumn('image_ref', 'text')
          .addColumn('image_digest', 'text')
          .addColumn('node_id', 'text')
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('labels', 'text', (c) => c.notNull()),
      ).execute();
      for (const col of ['image_digest', 'namespace', 'service', 'group_name', 'node_id', 'name']) {
        await db.schema.createIndex(`containers_${col}`).on('containers').column(col).execute();
      }
      await stamps(
        db.schema
          .createTable('controllers')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('node_id', 'text')
          .addColumn('version', 'text')
          .addColumn('leader', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('state', 'text', (c) => c.notNull()),
      ).execute();
      await stamps(
        db.schema
          .createTable('enforcers')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('node_id', 'text')
          .addColumn('version', 'text')
          .addColumn('state', 'text', (c) => c.notNull()),
      ).execute();
      await db.schema
        .createTable('asset_results')
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('os', 'text')
        .addColumn('db_built_at', 'text')
        .addColumn('matched_at', 'text', (c) => c.notNull())
        .addColumn('summary', 'text', (c) => c.notNull())
        .addColumn('report_hash', 'text', (c) => c.notNull())
        .addColumn('report_gz', 'text', (c) => c.notNull())
        .addColumn('inventory_gz', 'text')
        .addPrimaryKeyConstraint('asset_results_pk', ['kind', 'id'])
        .execute();
      await db.schema
        .createTable('findings')
        .addColumn('asset_kind', 'text', (c) => c.notNull())
        .addColumn('asset_id', 'text', (c) => c.notNull())
        .addColumn('vuln_id', 'text', (c) => c.notNull())
        .addColumn('package_name', 'text', (c) => c.notNull())
        .addColumn('package_type', 'text', (c) => c.notNull())
        .addColumn('installed_version', 'text', (c) => c.notNull())
        .addColumn('purl', 'text')
        .addColumn('fixed_version', 'text')
        .addColumn('severity_rank', 'integer', (c) => c.notNull())
        .addColumn('score', 'double precision')
        .addColumn('kev', 'integer', (c) => c.notNull())
        .addColumn('epss', 'double precision')
        .execute();
      // Both directions are covering for the joins the risks queries make.
      await db.schema.createIndex('findings_asset').on('findings').columns(['asset_kind', 'asset_id', 'vuln_id']).execute();
      await db.schema.createIndex('findings_vuln').on('findings').columns(['vuln_id', 'asset_kind', 'asset_id']).execute();
      await db.schema
        .createTable('risk_vulns')
        .addColumn('vuln_id', 'text', (c) => c.primaryKey())
        .addColumn('severity', 'text', (c) => c.notNull())
        .addColumn('severity_rank', 'integer', (c) => c.notNull())
        .addColumn('cvss2', 'double precision')
        .addColumn('cvss3', 'double precision')
        .addColumn('score', 'double precision')
        .addColumn('published', 'text')
        .addColumn('fixable', 'integer', (c) => c.notNull())
        .addColumn('kev', 'integer', (c) => c.notNull())
        .addColumn('epss', 'double precision')
        .addColumn('title', 'text')
        .addColumn('description', 'text')
        .addColumn('link', 'text')
        .addColumn('aliases', 'text', (c) => c.notNull())
        .addColumn('packages', 'text', (c) => c.notNull())
        .addColumn('search', 'text', (c) => c.notNull())
        .addColumn('images', 'integer', (c) => c.notNull())
        .addColumn('nodes', 'integer', (c) => c.notNull())
        .addColumn('containers', 'integer', (c) => c.notNull())
        .addColumn('platforms', 'integer', (c) => c.notNull())
        .addColumn('unaffected', 'integer', (c) => c.notNull())
        .addColumn('protected', 'integer', (c) => c.notNull())
        .addColumn('unprotected', 'integer', (c) => c.notNull())
        .addColumn('dirty', 'integer', (c) => c.notNull())
        .addColumn('meta_built_at', 'text')
        .execute();
      await db.schema.createIndex('risk_vulns_dirty').on('risk_vulns').columns(['dirty', 'vuln_id']).execute();
      await db.schema.createIndex('risk_vulns_severity').on('risk_vulns').columns(['severity_rank', 'vuln_id']).execute();
      await db.schema.createIndex('risk_vulns_score').on('risk_vulns').columns(['score', 'vuln_id']).execute();
      await db.schema.createIndex('risk_vulns_published').on('risk_vulns').columns(['published', 'vuln_id']).execute();
      await db.schema
        .createTable('risk_acceptances')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('vuln_id', 'text', (c) => c.notNull())
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('target', 'text', (c) => c.notNull())
        .addColumn('comment', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text')
        .addColumn('created_by', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('risk_acceptances_key', ['vuln_id', 'scope', 'target'])
        .execute();
      await db.schema
        .createTable('compliance_results')
        .addColumn('asset_kind', 'text', (c) => c.notNull())
        .addColumn('asset_id', 'text', (c) => c.notNull())
        .addColumn('benchmark', 'text', (c) => c.notNull())
        .addColumn('check_id', 'text', (c) => c.notNull())
        .addColumn('level', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('profile', 'text', (c) => c.notNull())
        .addColumn('scored', 'integer', (c) => c.notNull())
        .addColumn('automated', 'integer', (c) => c.notNull())
        .addColumn('remediation', 'text', (c) => c.notNull())
        .addColumn('tags', 'text', (c) => c.notNull())
        .addColumn('evidence', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('compliance_results_pk', ['asset_kind', 'asset_id', 'benchmark', 'check_id'])
        .execute();
      await db.schema.createIndex('compliance_results_check').on('compliance_results').columns(['benchmark', 'check_id', 'level']).execute();
      // Images scanned before this migration: their stored findings go into the new table now.
      const d = db as unknown as Kysely<Database>;
      let after = '';
      for (;;) {
        const page = await d
          .selectFrom('image_results as r')
          .innerJoin('images as i', 'i.digest', 'r.digest')
          .select(['r.digest', 'r.report_gz', 'i.inventory_gz'])
          .where('r.digest', '>', after)
          .orderBy('r.digest')
          .limit(100)
          .execute();
        if (page.length === 0) break;
        for (const r of page) await replaceAssetFindings(d, 'image', r.digest, unpackJson<ScanReport>(r.report_gz).vulnerabilities, unpackJson<Inventory>(r.inventory_gz).packages);
        after = page[page.length - 1]!.digest;
      }
    },
    async down(db: Kysely<unknown>): Promise<void> {
      for (const t of ['compliance_results', 'risk_acceptances', 'risk_vulns', 'findings', 'asset_results', 'enforcers', 'controllers', 'containers', 'nodes', 'groups', 'platforms']) await db.schema.dropTable(t).execute();
    },
  },
  '0007_risks_indexes': {
    async up(db: Kysely<unknown>): Promise<void> {
      // The Security Risks filters read containers by namespace, service, node or image reference
      // for the digests they run: covering indexes answer that without reading the rows, also
      // for a "contains" filter (a scan of the index, not of the table).
      for (const i of ['containers_namespace', 'containers_service', 'containers_node_id']) await db.schema.dropIndex(i).execute();
      for (const col of ['namespace', 'service', 'node_id', 'image_ref']) {
        await db.schema.createIndex(`containers_${col}_digest`).on('containers').columns([col, 'state', 'image_digest']).execute();
      }
    },
    async down(db: Kysely<unknown>): Promise<void> {
      for (const col of ['namespace', 'service', 'node_id', 'image_ref']) await db.schema.dropIndex(`containers_${col}_digest`).execute();
      for (const col of ['namespace', 'service', 'node_id']) await db.schema.createIndex(`containers_${col}`).on('containers').column(col).execute();
    },
  },
  '0008_risks_covering_index': {
    async up(db: Kysely<unknown>): Promise<void> {
      // A filtered page first gathers (id, severity, score) of every matching row: from this
      // index, not from the wide rows (half the time of the broad asset filters).
      await db.schema.createIndex('risk_vulns_id_rank').on('risk_vulns').columns(['vuln_id', 'severity_rank', 'score']).execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropIndex('risk_vulns_id_rank').execute();
    },
  },
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
