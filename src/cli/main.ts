import { Command, CommanderError, Option } from 'commander';
import { VigilError } from '../core/errors.js';
import { EXIT, exitCodeFor, formatError } from './errors.js';
import { runScan, type CommonOptions } from './commands/scan.js';
import { registerDbCommands } from './commands/db.js';
import { registerBenchCommands } from './commands/bench.js';
import { registerServerCommand } from './commands/server.js';
import { vigilVersion } from './version.js';
import { reportFormats } from '../report/index.js';

// The formats that exist, from the reporter registry (SARIF arrives with the matcher).
const FORMATS = reportFormats();

/** `vigil scan image --server …` (commands/remote-scan.ts). */
interface RemoteFlags {
  server?: string;
  token?: string;
  serverCa?: string[];
  insecureServer?: boolean;
}

function collect(v: string, prev: string[] = []): string[] {
  return [...prev, v];
}

function common(cmd: Command, defaultFormat = 'table'): Command {
  return cmd
    .addOption(new Option('-f, --format <format>', `output format: ${FORMATS.join(', ')}`).default(defaultFormat))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('--severity <list>', 'only these severities (comma-separated)')
    .option('--ignore-unfixed', 'hide vulnerabilities that have no fix')
    .option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity')
    .option('--layers', 'group findings by the layer that brought them')
    .option('--platform <os/arch[/variant]>', 'platform to pick from a multi-platform image', 'linux/amd64')
    .option('-q, --quiet', 'no progress display')
    .option('--insecure-registry', 'allow plain HTTP and unverified TLS for the registry')
    .option('--username <user>', 'registry user name (password from --password-stdin or VIGIL_REGISTRY_PASSWORD)')
    .option('--password-stdin', 'read the registry password from standard input')
    .option('--ca-file <pem>', 'trust this CA certificate for the registry (repeatable)', collect)
    .option('--timeout <seconds>', 'timeout for each registry request')
    .option('--skip-dirs <dir>', 'rootfs/host: a directory not to walk (repeatable)', collect)
    .option('--vex <file>', 'OpenVEX document: not_affected/fixed statements suppress findings (repeatable)', collect)
    .option('--ignore-file <file>', 'ignore file with reasons and expiry dates (default: ./.vigilignore.yaml if present)')
    .option('--db <file>', 'vulnerability DB (default: $VIGIL_DB, else $VIGIL_HOME/db/vigil.db, else ~/.vigil/db/vigil.db)')
    .option('--db-max-age <days>', 'warn in the report when the DB is older than this (default 7)')
    .option('--debug', 'print stack traces of errors');
}

function buildProgram(result: { code: number }): Command {
  const program = new Command('vigil')
    .description('Vigil: vulnerability scanning and compliance for containers')
    .version(vigilVersion(), '-v, --version')
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({ writeErr: () => {}, writeOut: (s) => process.stdout.write(s) });

  const scan = program.command('scan').description('scan an image, a root filesystem, this host or an SBOM').exitOverride();
  common(scan.command('image').argument('<ref>', 'docker-archive:<file>, oci:<dir>[:<tag>] or a registry reference').description('scan a container image'))
    .option('--server <url>', 'ask this Vigil controller to scan the registry image (also VIGIL_SERVER); no local DB needed')
    .option('--token <token>', 'API token with the scan scope for --server (prefer VIGIL_TOKEN: a command line is visible to other users)')
    .option('--server-ca <pem>', "trust this CA certificate for --server, e.g. the controller's <data-dir>/tls/server.crt (repeatable)", collect)
    .option('--insecure-server', 'do not verify the TLS certificate of --server')
    .action(async (ref: string, o: CommonOptions & RemoteFlags) => {
      const server = o.server ?? (process.env.VIGIL_SERVER || undefined);
      if (!server) {
        const stray = o.token !== undefined ? '--token' : o.serverCa ? '--server-ca' : o.insecureServer ? '--insecure-server' : undefined;
        if (stray) throw new VigilError('bad-option', `${stray} goes with --server (or VIGIL_SERVER)`, { kind: 'usage' });
        result.code = await runScan({ kind: 'image', ref }, o);
        return;
      }
      const { runRemoteScan } = await import('./commands/remote-scan.js');
      result.code = await runRemoteScan(ref, { ...o, server, token: o.token ?? (process.env.VIGIL_TOKEN || undefined) });
    });
  common(scan.command('rootfs').argument('<dir>', 'an unpacked root filesystem').description('scan an unpacked root filesystem')).action(async (dir: string, o: CommonOptions) => {
    result.code = await runScan({ kind: 'rootfs', dir }, o);
  });
  common(scan.command('host').description('scan this host (or a mounted host root)').option('--root <dir>', 'the host root', '/')).action(async (o: CommonOptions & { root: string }) => {
    result.code = await runScan({ kind: 'host', root: o.root }, o);
  });
  common(scan.command('sbom').argument('<file>', 'a CycloneDX or SPDX JSON SBOM').description('scan a CycloneDX or SPDX JSON SBOM')).action(async (file: string, o: CommonOptions) => {
    result.code = await runScan({ kind: 'sbom', file }, o);
  });

  common(program.command('sbom').argument('<ref>', 'an image reference, or a directory with --rootfs').description('inventory only: CycloneDX 1.6 JSON (or --format spdx-json)'), 'cyclonedx')
    .option('--rootfs', 'the argument is an unpacked root filesystem')
    .option('--with-vulnerabilities', 'match against the DB and put the findings in the SBOM (CycloneDX)')
    .action(async (ref: string, o: CommonOptions & { rootfs?: boolean; withVulnerabilities?: boolean }) => {
      if (o.format !== 'cyclonedx' && o.format !== 'spdx-json' && o.format !== 'json' && o.format !== 'table') {
        throw new VigilError('bad-format', `vigil sbom writes cyclonedx or spdx-json (or json/table), not ${o.format}`, { kind: 'usage' });
      }
      result.code = await runScan(o.rootfs ? { kind: 'rootfs', dir: ref } : { kind: 'image', ref }, o, { match: o.withVulnerabilities ?? false });
    });

  registerDbCommands(program, result);
  registerBenchCommands(program, result);
  registerServerCommand(program, result);

  for (const c of [program, scan, ...program.commands, ...scan.commands]) c.exitOverride();
  return program;
}

/** Runs the CLI; returns the exit code (SPEC: 0 ok, 1 --fail-on hit, 2 bad input, 3 internal). */
export async function main(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug');
  const result = { code: EXIT.ok as number };
  const program = buildProgram(result);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return result.code;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT.ok;
      if (e.code === 'commander.executeSubCommandAsync') return EXIT.ok;
      // Commander adds suggestions on a second line ("(Did you mean scan?)"); SPEC wants one line.
      const msg = e.message.replace(/^error: /, '').split('\n').map((l) => l.trim()).filter(Boolean).join(' ');
      process.stderr.write(`vigil: usage: ${msg}\n`);
      return EXIT.badInput;
    }
    process.stderr.write(formatError(e, debug) + '\n');
    return exitCodeFor(e);
  }
}
