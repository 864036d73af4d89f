// Opens the pack's report.html in headless Chromium and drives it over the DevTools protocol
// (--remote-debugging-pipe: fd 3 carries our commands, fd 4 Chromium's replies and events, each
// message JSON followed by a NUL byte), so no npm package is needed.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { tempDir } from '../helpers.js';

export const CHROMIUM = '/usr/bin/chromium';
const STEP_MS = 15_000;

interface CdpEvent {
  readonly method: string;
  readonly params: any;
  readonly sessionId?: string;
}

/** Rejects with `what` if `p` has not settled within `ms`. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    }),
  ]);
}

/** Headless Chromium in its own process group, spoken to over the DevTools pipe. */
export class Chromium {
  private readonly proc: ChildProcess;
  private readonly profile = tempDir('bs-chromium-');
  private readonly pending = new Map<number, { resolve: (r: any) => void; reject: (e: Error) => void; method: string }>();
  private readonly listeners: ((e: CdpEvent) => void)[] = [];
  private nextId = 1;
  private stderr = '';
  private exited: Error | null = null;
  readonly exit: Promise<void>;

  constructor(size: { readonly width: number; readonly height: number }) {
    this.proc = spawn(
      CHROMIUM,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-dev-shm-usage',
        '--hide-scrollbars',
        `--window-size=${size.width},${size.height}`,
        `--user-data-dir=${this.profile}`,
        '--remote-debugging-pipe',
        'about:blank',
      ],
      { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'], detached: true },
    );
    this.proc.stderr!.setEncoding('utf8').on('data', (s: string) => {
      this.stderr = (this.stderr + s).slice(-8000);
    });
    this.exit = new Promise((resolve) => {
      const done = (why: string) => {
        this.exited ??= new Error(`chromium ${why}; stderr:\n${this.stderr}`);
        for (const p of this.pending.values()) p.reject(this.exited);
        this.pending.clear();
        resolve();
      };
      this.proc.on('error', (e) => done(`failed to start (${e.message})`));
      this.proc.on('exit', (code, signal) => done(`exited (${signal ?? code})`));
    });
    let buffered = Buffer.alloc(0);
    (this.proc.stdio[4] as Readable).on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (let end = buffered.indexOf(0); end >= 0; end = buffered.indexOf(0)) {
        const msg = JSON.parse(buffered.subarray(0, end).toString('utf8'));
        buffered = buffered.subarray(end + 1);
        if (msg.id !== undefined) {
          const p = this.pending.get(msg.id);
          this.pending.delete(msg.id);
          if (msg.error) p?.reject(new Error(`${p.method}: ${msg.error.message}`));
          else p?.resolve(msg.result);
        } else {
          for (const l of this.listeners) l(msg as CdpEvent);
        }
      }
    });
    (this.proc.stdio[3] as Writable).on('error', () => {}); // a dead Chromium shows up as 'exit'
  }

  send(method: string, params: object = {}, sessionId?: string): Promise<any> {
    if (this.exited) return Promise.reject(this.exited);
    const id = this.nextId++;
    const reply = new Promise((resolve, reject) => this.pending.set(id, { resolve, reject, method }));
    (this.proc.stdio[3] as Writable).write(`${JSON.stringify({ id, method, params, sessionId })}\0`);
    return within(reply, STEP_MS, method);
  }

  on(listener: (e: CdpEvent) => void): void {
    this.listeners.push(listener);
  }

  /** The next event `method` of `sessionId`; subscribe before causing it. */
  next(method: string, sessionId: string): Promise<CdpEvent> {
    return within(
      new Promise((resolve) => this.on((e) => e.method === method && e.sessionId === sessionId && resolve(e))),
      STEP_MS,
      method,
    );
  }

  /** Asks Chromium to quit, then kills its process group; never throws. */
  async close(): Promise<void> {
    if (!this.exited) await within(this.send('Browser.close'), 2_000, 'Browser.close').catch(() => {});
    await within(this.exit, 3_000, 'chromium exit').catch(() => {});
    try {
      process.kill(-this.proc.pid!, 'SIGKILL'); // renderer and zygote processes too
    } catch {
      // already gone
    }
    await within(this.exit, 3_000, 'chromium exit after SIGKILL').catch(() => {});
    rmSync(this.profile, { recursive: true, force: true, maxRetries: 3 });
  }
}


export interface PageLoad<T> {
  readonly problems: string[];
  readonly requests: string[];
  /** What `expression` resolved to, two frames after load. */
  readonly value: T;
  readonly png: Buffer;
}

/**
 * Loads `file` at `size` and records console errors, exceptions and requests; evaluates
 * `expression` (a promise-returning JavaScript expression) two frames after load, when styles,
 * fonts and images the layout asked for have been requested; and takes a screenshot.
 */
export async function openInChromium<T>(file: string, size: { width: number; height: number }, expression: string): Promise<PageLoad<T>> {
  const browser = new Chromium(size);
  try {
    const problems: string[] = [];
    const requests: string[] = [];
    const { targetId } = await browser.send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await browser.send('Target.attachToTarget', { targetId, flatten: true });
    browser.on((e) => {
      if (e.sessionId !== sessionId) return;
      const p = e.params;
      if (e.method === 'Network.requestWillBeSent') requests.push(p.request.url);
      else if (e.method === 'Runtime.exceptionThrown') problems.push(`exception: ${p.exceptionDetails.exception?.description ?? p.exceptionDetails.text}`);
      else if (e.method === 'Runtime.consoleAPICalled' && (p.type === 'error' || p.type === 'assert'))
        problems.push(`console.${p.type}: ${p.args.map((a: any) => a.value ?? a.description).join(' ')}`);
      else if (e.method === 'Log.entryAdded' && p.entry.level === 'error') problems.push(`log (${p.entry.source}): ${p.entry.text} ${p.entry.url ?? ''}`.trim());
    });
    const page = (method: string, params: object = {}) => browser.send(method, params, sessionId);
    await Promise.all(['Page.enable', 'Runtime.enable', 'Log.enable', 'Network.enable'].map((m) => page(m)));
    await page('Emulation.setDeviceMetricsOverride', { width: size.width, height: size.height, deviceScaleFactor: 1, mobile: false });
    const loaded = browser.next('Page.loadEventFired', sessionId);
    const nav = await page('Page.navigate', { url: pathToFileURL(file).href });
    assert.equal(nav.errorText, undefined, `navigating to ${file}`);
    await loaded;
    const { result, exceptionDetails } = await page('Runtime.evaluate', {
      returnByValue: true,
      awaitPromise: true,
      expression: `new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => done(${expression}))))`,
    });
    assert.equal(exceptionDetails, undefined, `evaluating in ${path.basename(file)}: ${JSON.stringify(exceptionDetails)}`);
    const shot = await page('Page.captureScreenshot', { format: 'png' });
    return { problems, requests, value: result.value as T, png: Buffer.from(shot.data, 'base64') };
  } finally {
    await browser.close();
  }
}
