// Opens the pack's report.html in headless Chromium (chromium.ts: the DevTools protocol over a pipe).
import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { ROOT, runCli, tempDir } from '../helpers.js';
import { CHROMIUM, openInChromium } from './chromium.js';

const FIGURES = '235 unauthorized accesses to 119 documents from 36 unique IP addresses, affecting 71 people';
const WIDTH = 1280;
const HEIGHT = 2000;

interface PageVisit {
  readonly problems: string[];
  readonly requests: string[];
  readonly text: string;
  readonly scripts: number;
  readonly figuresBox: { top: number; bottom: number; width: number; height: number } | null;
  readonly png: Buffer;
}

/** Loads `file` at WIDTH x HEIGHT and records console errors, exceptions, requests, the rendered text and a screenshot. */
async function visit(file: string): Promise<PageVisit> {
  const v = await openInChromium<Pick<PageVisit, 'text' | 'scripts' | 'figuresBox'>>(
    file,
    { width: WIDTH, height: HEIGHT },
    `(() => {
        const norm = (s) => s.replace(/\\s+/g, ' ');
        const has = (el) => el.getClientRects().length > 0 && norm(el.innerText ?? '').includes(${JSON.stringify(FIGURES)});
        // The innermost rendered element whose text holds the whole sentence.
        let el = has(document.body) ? document.body : null;
        for (let c = el && [...el.children].find(has); c; c = [...c.children].find(has)) el = c;
        const r = el?.getBoundingClientRect();
        return {
          text: norm(document.body.innerText),
          scripts: document.scripts.length,
          figuresBox: r ? { top: r.top, bottom: r.bottom, width: r.width, height: r.height } : null,
        };
      })()`,
  );
  return { problems: v.problems, requests: v.requests, ...v.value, png: v.png };
}
test(
  'when the ticketviewer pack is opened in headless Chromium then it logs no error, requests nothing but itself, shows the figures and renders',
  { skip: existsSync(CHROMIUM) ? false : 'chromium not installed (apt-get install chromium)', timeout: 60_000 },
  async (t) => {
    const dir = path.join(tempDir(), 'ticketviewer');
    cpSync(path.join(ROOT, 'sample-logs', 'ticketviewer'), dir, { recursive: true, filter: (src) => !src.includes('.breachscope') });
    const out = tempDir();
    const r = runCli(['report', path.join(dir, 'case.yaml'), '--out', out, '--generated-at', '2015-04-20T12:00:00Z']);
    assert.equal(r.code, 0, r.stderr);
    const html = path.join(out, 'report.html');
    assert.ok(existsSync(html), 'the pack has a report.html');

    const v = await visit(html);
    const shot = path.join(tmpdir(), 'breachscope-report.png');
    writeFileSync(shot, v.png);
    t.diagnostic(`screenshot: ${shot}`);

    const own = pathToFileURL(html).href;
    assert.deepEqual(v.requests.filter((u) => u !== own && !u.startsWith('data:')), [], 'requests other than report.html itself');
    assert.ok(v.requests.includes(own), `Chromium's requests were seen: ${JSON.stringify(v.requests)}`);
    assert.deepEqual(v.problems, [], 'console errors, exceptions or error log entries');
    assert.equal(v.scripts, 0, 'script elements');
    assert.ok(v.text.includes(FIGURES), `rendered text has the figures; it begins: ${v.text.slice(0, 400)}`);
    assert.ok(v.figuresBox && v.figuresBox.width > 0 && v.figuresBox.height > 0, `the figures take up space: ${JSON.stringify(v.figuresBox)}`);
    assert.ok(v.figuresBox.bottom <= HEIGHT, `the figures are in the first ${HEIGHT}px, the screenshot: ${JSON.stringify(v.figuresBox)}`);
    assert.ok(readFileSync(shot).subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), 'the screenshot is a PNG');
    assert.ok(v.png.length > 10_000, `the screenshot has content (${v.png.length} bytes)`);
  },
);
