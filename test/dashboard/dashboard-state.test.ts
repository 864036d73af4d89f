import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DashboardController } from '../../src/dashboard/dashboard-controller.js';
import { neededOffset, parseWindow, reduceKey, type DashboardState, type EventsView } from '../../src/dashboard/dashboard-state.js';
import { FakeSource, eventRows, state } from './fixtures.js';

const press = (s: DashboardState, ...keys: (string | Record<string, boolean>)[]) => {
  let out = s;
  let command;
  for (const k of keys) ({ state: out, command } = typeof k === 'string' ? reduceKey(out, k, {}) : reduceKey(out, '', k));
  return { state: out, command };
};

describe('dashboard keys', () => {
  test('when Tab, Shift+Tab and the side arrows are pressed then focus cycles through the four panels', () => {
    assert.equal(press(state(), { tab: true }).state.focus, 'accounts');
    assert.equal(press(state(), { tab: true }, { tab: true }, { tab: true }, { tab: true }).state.focus, 'ips');
    assert.equal(press(state(), { tab: true, shift: true }).state.focus, 'detectors');
    assert.equal(press(state(), { rightArrow: true }, { rightArrow: true }, { leftArrow: true }).state.focus, 'accounts');
  });

  test('when rows are moved past either end then the selection stays on the first or last row', () => {
    assert.equal(press(state(), { upArrow: true }).state.panels.ips.selected, 0);
    assert.equal(press(state(), 'G').state.panels.ips.selected, 6);
    assert.equal(press(state(), 'G', { downArrow: true }).state.panels.ips.selected, 6);
    assert.equal(press(state(), { pageDown: true }).state.panels.ips.selected, 5, 'a page is the rows a panel shows (5 at 80x24)');
  });

  test('when Enter is pressed on a row then an events view of that key opens and asks for its first page', () => {
    const { state: s, command } = press(state(), { tab: true }, { downArrow: true }, { return: true });
    assert.deepEqual(s.stack.map((v) => v.kind === 'events' && v.target), [{ panel: 'accounts', key: 'M118840' }]);
    assert.deepEqual(command, { kind: 'load-view', viewId: s.stack[0]!.id });
  });

  test('when the selection leaves the loaded page then a page load is asked for, not before', () => {
    const view: EventsView = { kind: 'events', id: 1, target: { panel: 'ips', key: 'x' }, filter: '', selected: 0, page: { total: 250, offset: 0, rows: eventRows(100) } };
    const size = { columns: 80, rows: 24 };
    assert.equal(neededOffset(view, size), undefined);
    assert.equal(neededOffset({ ...view, selected: 95 }, size), undefined, 'rows 80-95 show, all loaded');
    assert.equal(neededOffset({ ...view, selected: 100 }, size), 96, 'rows 96-111 show, 100-111 are not loaded');
    assert.equal(neededOffset({ ...view, selected: 249, page: { total: 250, offset: 240, rows: eventRows(10, 240) } }, size), undefined);
    const s = { ...state(), stack: [view] };
    assert.equal(press(s, { pageDown: true }).command, undefined);
    assert.deepEqual(press(s, 'G').command, { kind: 'load-view', viewId: 1 });
  });

  test('when Esc is pressed in a drill-down then it goes back one view; in the overview it clears the filter', () => {
    const opened = press(state(), { return: true }).state;
    assert.equal(press(opened, { escape: true }).state.stack.length, 0);
    const filtered = press(state(), '/', 'M1', { return: true });
    assert.equal(filtered.state.panels.ips.filter, 'M1');
    assert.deepEqual(filtered.command, { kind: 'filter-panel', panel: 'ips' });
    assert.equal(press(filtered.state, { escape: true }).state.panels.ips.filter, '');
  });

  test('when text is typed in a prompt then q and / are text, and pasted control characters are dropped', () => {
    const s = press(state(), '/', 'q/x', '\x1b]2;t\x07').state;
    assert.equal(s.prompt?.text, 'q/x]2;t');
    assert.equal(s.quit, false);
    assert.equal(press(s, { escape: true }).state.prompt, undefined);
    assert.equal(press(s, { escape: true }).state.panels.ips.filter, '', 'Esc cancels without applying');
  });

  test('when w is pressed then the window is offered for editing, and a wrong one is refused with the reason', () => {
    const s = press(state(), 'w').state;
    assert.equal(s.prompt?.text, '2015-03-16T00:00:00Z .. 2015-04-13T00:00:00Z');
    const bad = press({ ...s, prompt: { ...s.prompt!, text: '2015-04-01 .. 2015-03-01' } }, { return: true });
    assert.equal(bad.state.prompt?.error, 'the window must end after it starts');
    assert.equal(bad.command, undefined);
    const good = press({ ...s, prompt: { ...s.prompt!, text: '2015-03-20 .. ' } }, { return: true });
    assert.deepEqual(good.state.window, { from: new Date('2015-03-20T00:00:00Z'), to: undefined });
    assert.deepEqual(good.command, { kind: 'reanalyze' });
  });

  test('when a window is parsed then sides may be open and times need ISO 8601', () => {
    assert.deepEqual(parseWindow(' .. '), { from: undefined, to: undefined });
    assert.match(parseWindow('yesterday .. ') as string, /'yesterday' is not an ISO 8601 time/);
    assert.match(parseWindow('2015-03-16') as string, /FROM \.\. TO/);
  });

  test('when q or Ctrl+C is pressed then the dashboard quits; ? opens the keys and any key closes them', () => {
    assert.equal(press(state(), 'q').state.quit, true);
    assert.equal(reduceKey(state(), 'c', { ctrl: true }).state.quit, true);
    const help = press(state(), '?').state;
    assert.equal(help.help, true);
    assert.equal(press(help, 'x').state.help, false);
  });
});

describe('dashboard controller input', () => {
  test('when keys arrive in one burst then each counts: text, then Enter applies the prompt', async () => {
    const source = new FakeSource();
    const c = new DashboardController(source, state());
    c.key('\t/M1\r', {});
    await c.idle();
    assert.equal(c.getState().focus, 'accounts');
    assert.equal(c.getState().prompt, undefined);
    assert.equal(c.getState().panels.accounts.filter, 'M1');
    assert.deepEqual(source.calls, ['top accounts M1 30']);
    assert.deepEqual(c.getState().panels.accounts.filtered?.map((r) => r.key), ['M104233', 'M118840']);
  });

  test('when a window is applied then the analysis reruns over it and the figures are replaced in one step', async () => {
    const source = new FakeSource();
    const c = new DashboardController(source, state(), () => new Date(2015, 3, 20, 9, 30, 0));
    let renders = 0;
    c.subscribe(() => renders++);
    c.key('w', {});
    c.key('u', { ctrl: true });
    c.key('2015-03-20 .. 2015-04-01', {});
    source.current = { ...source.current, analysis: { ...source.current.analysis, summary: { ...source.current.analysis.summary, unauthorized_accesses: 99 } } };
    renders = 0;
    c.key('', { return: true });
    assert.equal(c.getState().message, 'analysing the new window…');
    await c.idle();
    assert.equal(renders, 2, 'the key, then the new figures');
    assert.equal(c.getState().snapshot?.analysis.summary.unauthorized_accesses, 99);
    assert.equal(c.getState().message, undefined);
    assert.equal(c.getState().ingest.updated, '09:30:00');
    assert.deepEqual(source.calls, ['snapshot']);
  });

  test('when the dashboard is closing then queued work is dropped, so the store can close', async () => {
    const source = new FakeSource();
    const c = new DashboardController(source, state());
    c.close();
    await c.refresh({ ingest: true });
    c.key('', { return: true });
    await c.idle();
    assert.deepEqual(source.calls, []);
  });
});
