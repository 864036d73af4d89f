// End to end in a real terminal: tmux (a Debian package; .ci/run installs it) runs the built CLI
// on a copy of the ticketviewer sample, and the test reads the screen as a person would.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { CLI, ROOT, combinedLine, tempDir } from '../helpers.js';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const FIGURES = '235 unauthorized accesses · 119 documents · 36 unique IPs · 71 people affected';
/** The bound the issue sets between a line reaching the file and every panel showing it. */
const REFRESH_BOUND_MS = 2000;

class Tmux {
  readonly socket = `bs-e2e-${process.pid}`;
  private readonly env: NodeJS.ProcessEnv;

  constructor(home: string) {
    // A clean environment: no CI variables (ink renders only a last frame under CI), a UTF-8 locale.
    this.env = { PATH: process.env.PATH, HOME: home, TERM: 'xterm-256color', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', TZ: 'UTC' };
  }

  run(...args: string[]): string {
    const r = spawnSync('tmux', ['-u', '-L', this.socket, ...args], { encoding: 'utf8', env: this.env });
    if (r.status !== 0) throw new Error(`tmux ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  }

  screen(): string {
    return this.run('capture-pane', '-p', '-t', 'e2e');
  }

  show(format: string): string {
    return this.run('display-message', '-p', '-t', 'e2e', format).trim();
  }

  async keys(...keys: string[]): Promise<void> {
    for (const k of keys) {
      this.run('send-keys', '-t', 'e2e', k);
      await sleep(120);
    }
  }

  type(text: string): void {
    this.run('send-keys', '-t', 'e2e', '-l', text);
    this.run('send-keys', '-t', 'e2e', 'Enter');
  }

  /** Polls the screen every 25 ms until `ok` holds; returns it and how long that took. */
  async waitFor(what: string, ok: (screen: string) => boolean, timeoutMs: number): Promise<{ screen: string; ms: number }> {
    const t0 = performance.now();
    let screen = '';
    while (performance.now() - t0 < timeoutMs) {
      screen = this.screen();
      if (ok(screen)) return { screen, ms: performance.now() - t0 };
      await sleep(25);
    }
    assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}; the screen shows:\n${screen}`);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('breachscope dashboard --follow in tmux', { skip: hasTmux ? false : 'tmux is not installed (.ci/run installs it from Debian)' }, () => {
  const dir = tempDir('bs-tmux-');
  const tmux = new Tmux(dir);
  after(() => spawnSync('tmux', ['-L', tmux.socket, 'kill-server']));

  test('when lines are appended then the figures change within 2 s; escape sequences stay text; q restores the terminal', async (t) => {
    cpSync(path.join(ROOT, 'sample-logs', 'ticketviewer'), path.join(dir, 'tv'), { recursive: true, filter: (src) => !src.includes('.breachscope') });
    const log = path.join(dir, 'tv', 'logs', 'access.log');
    const output = path.join(dir, 'pane-output');

    tmux.run('new-session', '-d', '-s', 'e2e', '-x', '80', '-y', '24', 'bash --norc --noprofile');
    await tmux.waitFor('the shell prompt', (s) => s.trim() !== '', 10_000);

    // The pane takes OSC 2 title changes: printed raw, the hostile sequence does retitle it.
    tmux.type(`printf '\\033]2;pwned-by-printf\\007'`);
    await tmux.waitFor('the raw title change', () => tmux.show('#{pane_title}') === 'pwned-by-printf', 5000);
    tmux.run('select-pane', '-t', 'e2e', '-T', 'ORIGINAL-TITLE');
    tmux.type('clear');
    await sleep(300);
    tmux.run('pipe-pane', '-t', 'e2e', '-o', `cat > '${output}'`);
    tmux.type(
      `echo BEFORE-DASHBOARD; stty -g > '${dir}/stty.before'; node '${CLI}' dashboard '${dir}/tv/case.yaml' --follow; echo "EXIT=$?"; stty -g > '${dir}/stty.after'`,
    );

    await tmux.waitFor('the sample figures', (s) => s.includes(FIGURES), 60_000);
    assert.equal(tmux.show('#{alternate_on}'), '1', 'the dashboard draws on the alternate screen');

    // A new unauthorized access from a new IP: headline, IP count, and the detectors panel move.
    await sleep(300);
    const writtenBefore = statSync(output).size;
    appendFileSync(log, `${combinedLine({ ip: '198.18.0.99', time: '10/Apr/2015:10:00:00 +0000', path: '/tickets/IT40561310/image' })}\n`);
    const appended = await tmux.waitFor(
      'the new figures',
      (s) => s.includes('236 unauthorized accesses · 119 documents · 37 unique IPs') && /anonymous_document_access +116/.test(s) && /IT40561310 +12 +12/.test(s),
      10_000,
    );
    t.diagnostic(`refresh latency: ${Math.round(appended.ms)} ms from the append to the new figures on screen`);
    assert.ok(appended.ms < REFRESH_BOUND_MS, `the figures took ${Math.round(appended.ms)} ms to change`);
    await sleep(300);
    // The update was drawn in place: no full-screen clear, one synchronized write.
    const update = readFileSync(output, 'latin1').slice(writtenBefore);
    assert.ok(!update.includes('\x1b[2J') && !update.includes('\x1b[3J'), 'no full-screen clear while updating');
    assert.equal(update.split('\x1b[?2026h').length - 1, 1, 'the refresh is one synchronized update');
    assert.equal(update.split('\x1b[?2026l').length - 1, 1);

    // A hostile line: its account and user agent retitle the terminal, clear it and colour it if printed raw.
    const hostile = combinedLine({ ip: '198.18.0.98', user: '\x1b]2;pwned\x07', time: '10/Apr/2015:11:00:00 +0000', path: '/tickets/IT40561311/image', ua: 'Evil\x1b]2;pwned-ua\x07\x1b[2J\x1b[31mRED' });
    appendFileSync(log, `${hostile}\n`);
    await tmux.waitFor('the hostile access counted', (s) => s.includes('237 unauthorized accesses'), 10_000);
    await tmux.keys('Tab', '/');
    tmux.type('pwned');
    await tmux.waitFor('the filtered accounts panel', (s) => s.includes('› \\x1b]2;pwned\\x07'), 5000);
    await tmux.keys('Enter');
    await tmux.waitFor('the events of the hostile account', (s) => s.includes('Events of account \\x1b]2;pwned\\x07: 1 unauthorized access'), 5000);
    await tmux.keys('Enter');
    const detail = await tmux.waitFor('the raw line', (s) => s.includes('agent     Evil\\x1b]2;pwned-ua\\x07\\x1b[2J\\x1b[31mRED'), 5000);
    assert.match(detail.screen, /^line {6}logs\/access\.log:\d+ \(source web\)$/m);
    assert.match(detail.screen, /^sha256 {4}[0-9a-f]{64}$/m);
    assert.match(detail.screen, /^Ticketviewer exposure 2015 /m, 'the screen was not cleared');
    assert.equal(tmux.show('#{pane_title}'), 'ORIGINAL-TITLE', 'the pane title did not change');

    // Resizes are followed: the frame fills the new width and height.
    tmux.run('resize-window', '-t', 'e2e', '-x', '100', '-y', '30');
    await tmux.waitFor('the frame at 100x30', (s) => s.split('\n')[28]?.startsWith('Esc back') === true && s.split('\n')[0]!.length === 100, 5000);
    tmux.run('resize-window', '-t', 'e2e', '-x', '80', '-y', '24');
    await tmux.waitFor('the frame at 80x24', (s) => s.split('\n')[22]?.startsWith('Esc back') === true, 5000);

    await tmux.keys('Escape', 'Escape', 'q');
    const end = await tmux.waitFor('the dashboard to end', (s) => s.includes('EXIT=0'), 10_000);
    assert.match(end.screen, /BEFORE-DASHBOARD/, "the shell's screen is back");
    assert.equal(tmux.show('#{alternate_on}'), '0');
    assert.equal(tmux.show('#{cursor_flag}'), '1', 'the cursor shows again');
    assert.equal(tmux.show('#{pane_current_command}'), 'bash', 'the process ended');
    await tmux.waitFor('stty after', () => spawnSync('test', ['-s', `${dir}/stty.after`]).status === 0, 5000);
    assert.equal(readFileSync(`${dir}/stty.after`, 'utf8'), readFileSync(`${dir}/stty.before`, 'utf8'), 'terminal modes restored (raw mode off, echo on)');
    assert.equal(tmux.show('#{pane_title}'), 'ORIGINAL-TITLE');

    tmux.run('pipe-pane', '-t', 'e2e');
  });
});
