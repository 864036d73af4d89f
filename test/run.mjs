// Runs every test/**/*.test.ts with node's test runner (through tsx), in a pinned time zone and
// locale so that no test depends on the machine. `node test/run.mjs <filter>...` runs the files matching any filter.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.dirname(new URL(import.meta.url).pathname);
const files = [];
(function walk(dir) {
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (name === 'node_modules' || name === 'bench' || name.startsWith('.')) continue;
    if (statSync(full).isDirectory()) walk(full);
    else if (name.endsWith('.test.ts') || name.endsWith('.test.tsx')) files.push(full);
  }
})(root);
const filters = process.argv.slice(2);
const chosen = filters.length > 0 ? files.filter((f) => filters.some((x) => f.includes(x))) : files;
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...chosen], {
  stdio: 'inherit',
  env: { ...process.env, TZ: 'America/New_York', LANG: 'C', LC_ALL: 'C' },
});
process.exit(result.status ?? 1);
