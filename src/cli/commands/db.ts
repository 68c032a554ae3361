/** `vigil db build|import|info|update` (SPEC "CLI"); update's engine is src/vulndb/update/. */
import { Option, type Command } from 'commander';
import { copyFileSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';
import { VigilError } from '../../core/errors.js';
import { defaultDbPath } from '../../vulndb/paths.js';
import { openVulnDb } from '../../vulndb/sqlite/reader.js';
import { FEED_IDS, parseSources } from '../../vulndb/update/feeds.js';

function dbOption(cmd: Command): Command {
  return cmd.option('--db <file>', 'vulnerability DB file (default: $VIGIL_DB, else $VIGIL_HOME/db/vigil.db, else ~/.vigil/db/vigil.db)');
}

export function registerDbCommands(program: Command, result: { code: number }): void {
  const db = program.command('db').description('build, install and inspect the vulnerability DB').exitOverride();

  db.command('build')
    .description('build a vulnerability DB from feed files, directories or zips (formats detected from content)')
    .requiredOption('--out <file>', 'the DB file to write')
    .argument('<source...>', 'OSV / Debian / Alpine / NVD / KEV / EPSS files, directories or OSV all.zip')
    .option('-q, --quiet', 'no summary')
    .exitOverride()
    .action(async (sources: string[], o: { out: string; quiet?: boolean }) => {
      // Importers, the CVSS library and the HTTP stack load only for db commands that use them.
      const { buildVulnDb } = await import('../../vulndb/build.js');
      const report = await buildVulnDb({ out: resolve(o.out), inputs: sources });
      if (!o.quiet) {
        const err = (s: string) => process.stderr.write(s + '\n');
        for (const f of report.skippedFiles) err(`vigil: skipped (not a known feed): ${f}`);
        for (const f of report.rejectedFiles) err(`vigil: rejected: ${f.error}`);
        const lines = [`built ${o.out} in ${(report.ms / 1000).toFixed(1)} s: ${report.records} records, ${(report.bytes / 1048576).toFixed(1)} MiB`];
        for (const s of report.sources) lines.push(`  ${s.name.padEnd(12)} ${String(s.records).padStart(8)} records  newest ${s.updatedAt || '-'}`);
        const skips = Object.entries(report.skippedRecords);
        if (skips.length) lines.push(`  left out: ${skips.map(([k, v]) => `${k} ${v}`).join(', ')}`);
        process.stdout.write(lines.join('\n') + '\n');
      }
      result.code = 0;
    });

  dbOption(
    db
      .command('import')
      .description('check a prebuilt DB file and install it as the default DB')
      .argument('<file>', 'a DB built by `vigil db build`')
      .exitOverride(),
  ).action((file: string, o: { db?: string }) => {
    // Validate fully before touching the installed DB: a bad file must never replace a good one.
    const reader = openVulnDb(file, { verify: true, maxAgeDays: Infinity });
    const info = reader.info();
    reader.close();
    const target = defaultDbPath(o.db);
    mkdirSync(dirname(target), { recursive: true });
    const tmp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      copyFileSync(file, tmp);
      renameSync(tmp, target);
    } catch (e) {
      rmSync(tmp, { force: true });
      throw new VigilError('db-install', `cannot install the DB at ${target}: ${(e as Error).message}`, { kind: 'db', cause: e });
    }
    process.stdout.write(`installed ${target} (schema ${info.schemaVersion}, built ${info.builtAt})\n`);
    result.code = 0;
  });

  dbOption(
    db
      .command('info')
      .description('show the DB: schema version, build time, sources, size, age')
      .addOption(new Option('-f, --format <format>', 'table or json').choices(['table', 'json']).default('table'))
      .option('--max-age <days>', 'a DB older than this is stale', '7')
      .exitOverride(),
  ).action((o: { db?: string; format: string; maxAge: string }) => {
    const path = defaultDbPath(o.db);
    const maxAgeDays = Number(o.maxAge);
    if (!Number.isFinite(maxAgeDays) || maxAgeDays < 0) throw new VigilError('bad-option', `--max-age wants a number of days, not ${o.maxAge}`, { kind: 'usage' });
    const reader = openVulnDb(path, { maxAgeDays });
    try {
      const info = reader.info();
      const age = reader.ageDays();
      const out = {
        path,
        schemaVersion: info.schemaVersion,
        builtAt: info.builtAt,
        ageDays: Number.isFinite(age) ? Math.round(age * 10) / 10 : null,
        stale: reader.isStale(),
        sizeBytes: statSync(path).size,
        sources: info.sources,
      };
      if (o.format === 'json') {
        process.stdout.write(JSON.stringify(out, null, 2) + '\n');
      } else {
        const lines = [
          `DB:             ${path}`,
          `Schema version: ${out.schemaVersion}`,
          `Built:          ${out.builtAt} (${out.ageDays ?? '?'} days ago${out.stale ? ', STALE' : ''})`,
          `Size:           ${(out.sizeBytes / 1048576).toFixed(1)} MiB`,
          'Sources:',
          ...info.sources.map((s) => `  ${s.name.padEnd(12)} ${String(s.records).padStart(8)} records  newest ${s.updatedAt || '-'}`),
        ];
        const warn = reader.staleWarning();
        if (warn) lines.push(`Warning: ${warn}`);
        process.stdout.write(lines.join('\n') + '\n');
      }
    } finally {
      reader.close();
    }
    result.code = 0;
  });

  // vigil db update: download the feeds (incrementally where they allow) and rebuild the DB.
  dbOption(
    db
      .command('update')
      .description('download the feeds (incrementally where they allow it) and rebuild the DB; the old DB stays if anything fails')
      .option('--mirror <url>', 'fetch every feed from this mirror instead of upstream (layout: src/vulndb/update/feeds.ts; default $VIGIL_DB_MIRROR)')
      .option('--sources <list>', `the feeds the DB is built from, comma-separated (default: ${FEED_IDS.join(',')})`)
      .option('-q, --quiet', 'no progress or summary')
      .exitOverride(),
  ).action(async (o: { db?: string; mirror?: string; sources?: string; quiet?: boolean }) => {
    const picked = o.sources === undefined ? undefined : parseSources(o.sources);
    if (picked && (picked.unknown.length || !picked.feeds.length)) {
      throw new VigilError('bad-option', `--sources: unknown feed ${picked.unknown.join(', ') || '(none given)'} (valid: ${FEED_IDS.join(', ')})`, { kind: 'usage' });
    }
    const { describeUpdate, updateVulnDb } = await import('../../vulndb/update/update.js');
    const r = await updateVulnDb({
      db: defaultDbPath(o.db),
      ...(o.mirror !== undefined ? { mirror: o.mirror } : {}),
      ...(picked ? { sources: picked.feeds } : {}),
      ...(o.quiet ? {} : { log: (m: string) => process.stderr.write(`vigil: ${m}\n`) }),
    });
    if (!o.quiet) process.stdout.write(describeUpdate(r).join('\n') + '\n');
    result.code = 0;
  });
}
