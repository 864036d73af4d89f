#!/usr/bin/env node
import { Command, CommanderError, Option } from 'commander';
import { toolVersion } from '../util/project-root.js';
import { terminalSafe } from '../util/terminal-safe.js';
import { EXIT, UserError, formatUserMessage, isOutOfMemory, outOfMemoryError } from '../util/user-error.js';
import { addExamples } from './help-examples.js';
import { positiveInteger } from './options.js';
import { engineOptions, type EngineOptions } from './engine-option.js';

// `breachscope analyze case.yaml | head -1`: the reader has gone, so the rest of the output has
// nowhere to go. That ends the command quietly, as a Unix filter does, not with a stack trace.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(EXIT.ok);
  throw e;
});


export interface GlobalOptions {
  readonly debug: boolean;
  readonly stats: boolean;
}

// Commands are imported when run: loading DuckDB's native module alone takes about a second,
// which `--help` and `formats` need not pay.
const started = performance.now();
let globals: GlobalOptions = { debug: false, stats: false };

function printStats(): void {
  if (!globals.stats) return;
  const usage = process.resourceUsage();
  process.stderr.write(`breachscope-stats ${JSON.stringify({ wall_ms: Math.round(performance.now() - started), max_rss_bytes: usage.maxRSS * 1024 })}\n`);
}

function fail(thrown: unknown): never {
  const e = isOutOfMemory(thrown) ? outOfMemoryError(thrown as Error) : thrown;
  if (e instanceof UserError) {
    process.stderr.write(`${e.messages.map(formatUserMessage).join('\n')}\n`);
    if (globals.debug) process.stderr.write(`${e.stack}\n`);
    printStats();
    process.exit(e.exitCode);
  }
  const err = e instanceof Error ? e : new Error(String(e));
  // A runtime error may quote a file name or a line (DuckDB's do): shown escaped like any log text.
  process.stderr.write(`error: ${terminalSafe(err.message)}\n`);
  process.stderr.write(globals.debug ? `${err.stack}\n` : '  (run with --debug for the stack trace)\n');
  printStats();
  process.exit(EXIT.runtime);
}

const program = new Command()
  .name('breachscope')
  .description('Size a personal-data breach from web-server and application logs: who saw whose documents, how often, from where, and when.')
  .version(toolVersion())
  .option('--debug', 'show stack traces for errors')
  .option('--stats', 'print wall time and peak memory on stderr when done')
  .showHelpAfterError()
  .exitOverride()
  .hook('preAction', (cmd) => {
    const o = cmd.opts<{ debug?: boolean; stats?: boolean }>();
    globals = { debug: Boolean(o.debug), stats: Boolean(o.stats) };
  });

const dbOption = () => new Option('--db <dir>', 'case store directory (default: .breachscope/ beside the case file)');

program
  .command('ingest')
  .description('read the case\'s log files into its store (files already there are skipped)')
  .argument('<case>', 'case file (YAML)')
  .addOption(dbOption())
  .option('--json', 'print the per-file report as JSON')
  .option('--shard <I/N>', 'read only the files whose SHA-256 falls in shard I of N (with --parquet; one process per shard)')
  .option('--parquet <dir>', 'also write the events with provenance, the reference data and a manifest as Hive-partitioned Parquet under <dir>')
  .action(async (casePath: string, o: { db?: string; json?: boolean; shard?: string; parquet?: string }) => (await import('./ingest-command.js')).ingestCommand(casePath, o));

program
  .command('analyze')
  .description('ingest what is new, then size the breach: figures, top actors, detectors, coverage')
  .argument('<case>', 'case file (YAML)')
  .addOption(dbOption())
  .option('--json', 'print one JSON object on stdout')
  .option('--top <n>', 'rows in each top list', positiveInteger, 10)
  .option('--gap-hours <n>', 'coverage: name gaps longer than this between events of a source', positiveInteger, 6)
  .addOption(engineOptions()[0]!)
  .addOption(engineOptions()[1]!)
  .addOption(engineOptions()[2]!)
  .addOption(engineOptions()[3]!)
  .action(async (casePath: string, o: { db?: string; json?: boolean; top: number; gapHours: number } & EngineOptions) => (await import('./analyze-command.js')).analyzeCommand(casePath, o));

program
  .command('routes')
  .description('ingest what is new, then list the path shapes requested with id-like positions and the documents.routes lines to paste')
  .argument('<case>', 'case file (YAML)')
  .addOption(dbOption())
  .option('--json', 'print one JSON object on stdout')
  .option('--top <n>', 'shapes to list, best first', positiveInteger, 20)
  .action(async (casePath: string, o: { db?: string; json?: boolean; top: number }) => (await import('./routes-command.js')).routesCommand(casePath, o));

program
  .command('actors')
  .description('ingest what is new, analyze, then list who did it: per account (or client IP when anonymous) the timeline of its document requests, sessions, attempts, enumeration, crawlers')
  .argument('<case>', 'case file (YAML)')
  .addOption(dbOption())
  .option('--json', 'print one JSON object on stdout')
  .option('--top <n>', 'actors to list (most accesses first), and sessions and IPs per actor shown with --actor', positiveInteger, 50)
  .option('--actor <key>', 'show this actor (an account, or a client IP for anonymous access) in detail: sessions and client IPs')
  .action(async (casePath: string, o: { db?: string; json?: boolean; top: number; actor?: string }) => (await import('./actors-command.js')).actorsCommand(casePath, o));

program
  .command('dashboard')
  .description('ingest what is new, then browse the figures, timeline, top actors and detectors in the terminal; drill down to the raw lines')
  .argument('<case>', 'case file (YAML)')
  .addOption(dbOption())
  .option('--follow', 'watch the source files and show new lines within 2 seconds')
  .action(async (casePath: string, o: { db?: string; follow?: boolean }) => (await import('./dashboard-command.js')).dashboardCommand(casePath, o));

program
  .command('report')
  .description('analyze, then write the evidence pack: report.html, report.md, evidence.csv/.parquet/.arrow, subjects.csv, manifest.json')
  .argument('<case>', 'case file (YAML)')
  .requiredOption('--out <dir>', 'folder for the evidence pack')
  .addOption(dbOption())
  .option('--generated-at <time>', 'ISO 8601 time to record as generated-at (default: SOURCE_DATE_EPOCH, else now)')
  .option('--gap-hours <n>', 'report gaps longer than this between events of a source', positiveInteger, 6)
  .option('--max-rows <n>', 'rows per table in report.html/report.md, most accesses first (the evidence files hold every access)', positiveInteger, 1000)
  .option('--sign <secret-key>', 'sign manifest.json with this minisign secret key (breachscope keygen) into manifest.json.minisig')
  .addOption(engineOptions()[0]!)
  .addOption(engineOptions()[1]!)
  .addOption(engineOptions()[2]!)
  .addOption(engineOptions()[3]!)
  .option('--notices', 'also write notices/: one GDPR Art. 34 notice per affected person (.md and .html) and notices.csv for mail merge')
  .option('--previous <pack>', 'a previous evidence pack of the case (verified first): add a "Changes since the previous report" section')
  .action(async (casePath: string, o: { out: string; db?: string; generatedAt?: string; gapHours: number; maxRows: number; sign?: string; notices?: boolean; previous?: string } & EngineOptions) => (await import('./report-command.js')).reportCommand(casePath, o));

program
  .command('verify')
  .description('check an evidence pack: every hash, the manifest\'s shape, and its figures against the evidence rows; exit 0 when intact, 1 naming each problem')
  .argument('<dir>', 'evidence pack folder')
  .option('--case <case>', 'the case file the pack was reported from: also re-hash the log and reference files its manifest names')
  .option('--pubkey <file>', 'the signer\'s minisign public key: manifest.json.minisig must be its valid signature (exit 1 if bad or missing)')
  .action(async (dir: string, o: { case?: string; pubkey?: string }) => (await import('./verify-command.js')).verifyCommand(dir, o));

program
  .command('diff')
  .description('compare two evidence packs (both verified first): new and withdrawn accesses, documents, people and IPs; window, coverage and case file')
  .argument('<old-pack>', 'the earlier evidence pack folder')
  .argument('<new-pack>', 'the later evidence pack folder')
  .option('--json', 'print one JSON object on stdout')
  .option('--max-rows <n>', 'items listed per kind of change (the counts are always whole)', positiveInteger, 1000)
  .action(async (oldPack: string, newPack: string, o: { json?: boolean; maxRows: number }) => (await import('./diff-command.js')).diffCommand(oldPack, newPack, o));

program
  .command('export')
  .description('analyze, then write the counted unauthorized accesses (--all: every document request with its verdict) as one JSON object a line for Timesketch, Elastic (ECS) or OCSF tools')
  .argument('<case>', 'case file (YAML)')
  .requiredOption('--to <format>', 'timesketch | ecs | ocsf')
  .requiredOption('--out <file>', 'the JSON lines file to write (gzipped when it ends in .gz)')
  .option('--all', 'every document request with its verdict, not only the counted accesses')
  .addOption(dbOption())
  .option('--gap-hours <n>', 'coverage: name gaps longer than this between events of a source', positiveInteger, 6)
  .action(async (casePath: string, o: { to: string; out: string; all?: boolean; db?: string; gapHours: number }) => (await import('./export-command.js')).exportCommand(casePath, o));

program
  .command('init')
  .description('write a first case file from a folder of logs: sources (formats, rotated sets, identity logs), the window, routes, and a TODO on what only the controller knows')
  .argument('<folder-or-glob>', 'folder of log files, or a glob in quotes')
  .option('--out <file>', 'case file to write', 'case.yaml')
  .option('--owners <file>', 'the owners CSV (document_id,owner_account), if you have it: ranks the routes and is named in the case')
  .option('--force', 'replace the --out file if it exists')
  .addOption(dbOption())
  .action(async (input: string, o: { out: string; owners?: string; force?: boolean; db?: string }) => (await import('./init-command.js')).initCommand(input, o));

program
  .command('keygen')
  .description('write a minisign Ed25519 key pair for signing evidence packs: DIR/breachscope.key (passphrase from a prompt or BREACHSCOPE_KEY_PASSWORD) and DIR/breachscope.pub')
  .requiredOption('--out <dir>', 'folder for the key files')
  .option('--no-password', 'leave the secret key unencrypted (for automation; keep the file private)')
  .option('--force', 'replace key files already in the folder')
  .action(async (o: { out: string; password: boolean; force?: boolean }) => (await import('./keygen-command.js')).keygenCommand(o));

program
  .command('formats')
  .description('list the log formats breachscope reads, with a sample line and the fields each fills')
  .option('--json', 'print as JSON')
  .action(async (o: { json?: boolean }) => (await import('./formats-command.js')).formatsCommand(o));

program
  .command('detectors')
  .description('list the detectors (queries/*.sql) with their metadata and parameters')
  .option('--json', 'print as JSON')
  .action(async (o: { json?: boolean }) => (await import('./detectors-command.js')).detectorsCommand(o));

program
  .command('completion')
  .description('print a completion script for bash, zsh or fish: commands, options and case files (install: see the README)')
  .argument('<shell>', 'bash | zsh | fish')
  .action(async (shell: string) => (await import('./completion-command.js')).completionCommand(shell, program));

addExamples(program);

try {
  await program.parseAsync(process.argv);
  printStats();
} catch (e) {
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0) process.exit(0);
    printStats();
    process.exit(EXIT.usage);
  }
  fail(e);
}
