// The structure issue 15 asks for, kept: no file in src/ over 400 lines, no function over 60,
// and every import going to the same stage, an earlier one, or the shared db/ and util/.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fg from 'fast-glob';
import path from 'node:path';
import { ROOT as repoRoot } from './helpers.js';

const MAX_FILE_LINES = 400;
const MAX_FUNCTION_LINES = 60;

/** Pipeline order: a module may import its own stage, an earlier one, or db/ and util/. */
const STAGES = ['util', 'db', 'formats', 'case', 'ingest', 'analyze', 'init', 'report', 'export', 'dashboard', 'cli'] as const;
/** Stages that are peers (renderers): none imports another, except through what came before. */
const RENDERERS = new Set(['report', 'export', 'dashboard']);
/** Known uses of a renderer by a renderer: export and the dashboard reuse the report's terminal/escaping helpers. */
const RENDERER_SHARED = /^report\/(terminal-safe|sql-csv|report-model|section|timeline-buckets)\b/;

const sources = fg.sync('src/**/*.{ts,tsx}', { cwd: repoRoot }).sort();

/**
 * The `{...}` blocks of TypeScript source, brace-matched outside strings, template text,
 * comments and regex literals: [line of `{`, line of `}`] pairs, 1-based.
 */
export function blocks(text: string): { open: number; close: number; header: string }[] {
  const out: { open: number; close: number; header: string }[] = [];
  const stack: { line: number; header: string; template: boolean }[] = [];
  const templateDepth: number[] = [];
  let line = 1;
  let lineStart = 0;
  let prev = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n') {
      line++;
      lineStart = i + 1;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') continue;
    if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      i--;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      for (let k = i; k < end; k++) if (text[k] === '\n') (line++, (lineStart = k + 1));
      i = end + 1;
      continue;
    }
    if (c === '"' || c === "'") {
      for (i++; i < text.length && text[i] !== c; i++) if (text[i] === '\\') i++;
      prev = 'a';
      continue;
    }
    if (c === '`' || (c === '}' && templateDepth.length > 0 && templateDepth[templateDepth.length - 1] === stack.length)) {
      if (c === '}') templateDepth.pop();
      // template text up to the closing backtick or the next ${
      for (i++; i < text.length; i++) {
        const t = text[i];
        if (t === '\\') i++;
        else if (t === '\n') (line++, (lineStart = i + 1));
        else if (t === '`') break;
        else if (t === '$' && text[i + 1] === '{') {
          i++;
          templateDepth.push(stack.length);
          break;
        }
      }
      prev = 'a';
      continue;
    }
    if (c === '/' && (prev === '' || '(,=:[!&|?{};+-*%<>~^'.includes(prev) || /\b(return|typeof|case)$/.test(text.slice(lineStart, i).trimEnd()))) {
      let inClass = false;
      for (i++; i < text.length; i++) {
        const t = text[i];
        if (t === '\\') i++;
        else if (t === '[') inClass = true;
        else if (t === ']') inClass = false;
        else if (t === '/' && !inClass) break;
      }
      prev = 'a';
      continue;
    }
    if (c === '{') stack.push({ line, header: text.slice(lineStart, i), template: false });
    else if (c === '}') {
      const open = stack.pop();
      if (open) out.push({ open: open.line, close: line, header: open.header });
    }
    prev = /[A-Za-z0-9_$)\]]/.test(c) ? 'a' : c;
  }
  return out;
}

/** A block that is a function body: after `=>`, a `function` header, or a method's `name(...)` / `): T`. */
const FUNCTION_HEADER = /=>\s*$|\bfunction\b|^\s*(?:(?:export|default|async|static|private|public|protected|get|set)\s+)*[A-Za-z_$][\w$]*\s*(?:<[^>]*>)?\(.*\)\s*(?::\s*.+)?$|^\s*\)\s*(?::\s*.+)?$/;

test('when a file in src/ is read then it has at most 400 lines', () => {
  const long = sources.map((f) => ({ f, n: readFileSync(`${repoRoot}/${f}`, 'utf8').split('\n').length - 1 })).filter((x) => x.n > MAX_FILE_LINES);
  assert.deepEqual(long.map((x) => `${x.f}: ${x.n} lines`), []);
});

test('when a function in src/ is read then its body has at most 60 lines', () => {
  const long: string[] = [];
  for (const f of sources) {
    for (const b of blocks(readFileSync(`${repoRoot}/${f}`, 'utf8'))) {
      const n = b.close - b.open + 1;
      if (n > MAX_FUNCTION_LINES && FUNCTION_HEADER.test(b.header)) long.push(`${f}:${b.open}: ${n} lines`);
    }
  }
  assert.deepEqual(long, []);
});

test('when the brace scanner reads strings, templates, regexes and comments then only code braces count', () => {
  const text = "function a() {\n  const s = '{';\n  const t = `x${'}'}{`;\n  const r = /[{}]/;\n  // {\n  /* } */\n  return { b: 1 };\n}\n";
  assert.deepEqual(blocks(text).map((b) => [b.open, b.close]), [[7, 7], [1, 8]]);
});

test('when a module imports another then it is the same stage, an earlier one, db/ or util/', () => {
  const wrong: string[] = [];
  for (const f of sources) {
    const from = f.split('/')[1]!;
    for (const m of readFileSync(`${repoRoot}/${f}`, 'utf8').matchAll(/^(?:import|export)\b[^;]*?from\s+'(\.[^']+)'/gms)) {
      const target = path.posix.relative('src', path.posix.join(path.posix.dirname(f), m[1]!));
      const to = target.split('/')[0]!;
      const fi = STAGES.indexOf(from as (typeof STAGES)[number]);
      const ti = STAGES.indexOf(to as (typeof STAGES)[number]);
      const peerRenderers = RENDERERS.has(from) && RENDERERS.has(to) && from !== to;
      if (ti > fi || (peerRenderers && !RENDERER_SHARED.test(target))) wrong.push(`${f} imports ${target}`);
    }
  }
  assert.deepEqual(wrong, []);
});
