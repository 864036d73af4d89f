import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { runCli, tempDir, writeFiles } from '../helpers.js';

/** The shell, when installed (.ci/run installs zsh and fish from Debian). */
function has(shell: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${shell}`]).status === 0;
}

function script(shell: string): string {
  const r = runCli(['completion', shell]);
  assert.equal(r.code, 0, r.stderr);
  const file = path.join(tempDir('bs-completion-'), `breachscope.${shell}`);
  writeFileSync(file, r.stdout);
  return file;
}

/** Runs the bash completion function as bash does on Tab, in `cwd`, and returns its candidates. */
function bashComplete(words: readonly string[], cwd: string): string[] {
  const file = script('bash');
  const array = words.map((w) => `'${w}'`).join(' ');
  const r = spawnSync('bash', ['-c', `source '${file}'; COMP_WORDS=(${array}); COMP_CWORD=${words.length - 1}; _breachscope; printf '%s\\n' "\${COMPREPLY[@]}"`], { cwd, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\n').filter(Boolean).sort();
}

describe('breachscope completion', () => {
  it('when the bash script is checked by bash -n then it parses', () => {
    const r = spawnSync('bash', ['-n', script('bash')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });

  it('when the zsh script is checked by zsh -n then it parses', (t) => {
    if (!has('zsh')) return t.skip('zsh is not installed (.ci/run installs it): not checked');
    const r = spawnSync('zsh', ['-n', script('zsh')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });

  it('when the fish script is checked by fish --no-execute then it parses', (t) => {
    if (!has('fish')) return t.skip('fish is not installed (.ci/run installs it): not checked');
    const r = spawnSync('fish', ['--no-execute', script('fish')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });

  it('when a command is half typed then bash offers the commands it may be', () => {
    assert.deepEqual(bashComplete(['breachscope', 'in'], tempDir()), ['ingest', 'init']);
    assert.deepEqual(bashComplete(['breachscope', '--debug', 'co'], tempDir()), ['completion']);
  });

  it('when a case argument is completed then bash offers the YAML files and folders, not other files', () => {
    const dir = tempDir();
    writeFiles(dir, { 'case.yaml': '', 'other.yml': '', 'notes.txt': '', 'logs/access.log': '' });
    assert.deepEqual(bashComplete(['breachscope', 'analyze', ''], dir), ['case.yaml', 'logs', 'other.yml']);
  });

  it('when an option is completed then bash offers that command\'s options', () => {
    const offered = bashComplete(['breachscope', 'init', '--'], tempDir());
    assert.deepEqual(offered, ['--db', '--force', '--help', '--out', '--owners']);
  });

  it('when the shell is not one breachscope writes for then exit 2 names the ones it does', () => {
    const r = runCli(['completion', 'tcsh']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^error: completion: no script for the shell 'tcsh'\n[\s\S]*fix: +use one of bash, zsh, fish/m);
  });
});
