/** @jsxRuntime automatic */
// Frame tests: each panel, and the drill-down path through the whole app, rendered by ink at a
// fixed width and compared with golden frames (test/dashboard/frames/*.txt, see golden.ts).
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { render, cleanup } from 'ink-testing-library';
import { Dashboard } from '../../src/dashboard/components/Dashboard.js';
import { DashboardApp } from '../../src/dashboard/components/DashboardApp.js';
import { DetectorsPanel } from '../../src/dashboard/components/DetectorsPanel.js';
import { EventDetailView } from '../../src/dashboard/components/EventDetailView.js';
import { EventList } from '../../src/dashboard/components/EventList.js';
import { Footer } from '../../src/dashboard/components/Footer.js';
import { Header } from '../../src/dashboard/components/Header.js';
import { KeysHelp } from '../../src/dashboard/components/KeysHelp.js';
import { Timeline } from '../../src/dashboard/components/Timeline.js';
import { TopPanel } from '../../src/dashboard/components/TopPanel.js';
import { DashboardController } from '../../src/dashboard/dashboard-controller.js';
import type { EventsView, EventView } from '../../src/dashboard/dashboard-state.js';
import { DAILY, FakeSource, HOSTILE_ACCOUNT, analysis, detail, eventRows, snapshot, state } from './fixtures.js';
import stringWidth from 'string-width';
import { assertGolden, assertNoRawControls, plain } from './golden.js';

const WIDTH = 80;

afterEach(() => cleanup());

describe('dashboard panels at 80 columns', () => {
  test('when the analysis is in then the header shows title, the figures as analyze counts them, window and ingest', () => {
    const { lastFrame } = render(<Header title="Ticketviewer exposure 2015" snapshot={snapshot()} ingest={{ following: true, updated: '12:00:00', error: undefined }} width={WIDTH} />);
    assertGolden('header', lastFrame());
    assert.match(plain(lastFrame()), /^235 unauthorized accesses · 119 documents · 36 unique IPs · 71 people affected$/m);
  });

  test('when analyze warns then the header names the warnings on the ingest line, within 80 columns', () => {
    const warned = snapshot({ unauthorized_accesses: 0, documents: 0, unique_ips: 0, affected_subjects: 0 });
    const withWarnings = { ...warned, analysis: { ...warned.analysis, warnings: [{ code: 'no_document_requests' as const, message: 'none of the requests matched' }] } };
    const { lastFrame } = render(<Header title="t" snapshot={withWarnings} ingest={{ following: false, updated: undefined, error: undefined }} width={WIDTH} />);
    const lines = plain(lastFrame()).split('\n');
    assert.match(lines[3]!, /^ingest {2}3 files · 2,606 lines · 3 rejected · ! 1 warning: no_document_requests/);
    assert.ok(lines.every((l) => stringWidth(l) <= WIDTH));
  });

  test('when the numbers grow or no window is set then the header lines shorten to fit, never wrap', () => {
    const big = snapshot({ unauthorized_accesses: 42446, documents: 17571, unique_ips: 4121, affected_subjects: 1999, anonymous_accesses: 32449 });
    const open = { ...big, analysis: { ...big.analysis, window: { from: null, to: null } } };
    const { lastFrame } = render(<Header title="Bench 2M" snapshot={open} ingest={{ following: false, updated: '12:00:00', error: undefined }} width={WIDTH} />);
    assertGolden('header-large', lastFrame());
    const lines = plain(lastFrame()).split('\n');
    assert.equal(lines[1], '42,446 unauthorized accesses · 17,571 documents · 4,121 IPs · 1,999 people');
    assert.equal(lines[2], 'window  none: all the logs · 9,997 signed-in, 32,449 anonymous');
  });

  test('when ingest failed then the header says so in red beside the counts', () => {
    const { lastFrame } = render(<Header title="T" snapshot={snapshot()} ingest={{ following: true, updated: '12:00:01', error: 'logs/new.log: no format fits this file' }} width={WIDTH} />);
    assert.match(plain(lastFrame()), /^ingest {2}3 files · 2,606 lines · 3 rejected · ingest failed: logs\/new\.log: no fo…$/m);
  });

  test('when there are 28 days then each day takes two columns, scaled to the peak', () => {
    const { lastFrame } = render(<Timeline timeline={snapshot().timeline} width={WIDTH} />);
    assertGolden('timeline-days', lastFrame());
    const [upper, lower, label] = plain(lastFrame()).split('\n');
    assert.equal(label!.length, DAILY.length * 2, 'the labels span the bars');
    assert.match(label!, /^2015-03-16 +per day \(UTC\), peak 22 +2015-04-12$/);
    assert.equal(upper!.slice(8, 10), '██', 'the peak day (22) fills both rows');
    assert.equal(lower!.slice(30, 32), '  ', 'a day without access stays empty');
  });

  test('when a span has more buckets than columns then neighbours are merged and the label says so', () => {
    const counts = Array.from({ length: 200 }, (_, i) => (i % 7 === 0 ? 5 : 1));
    const { lastFrame } = render(<Timeline timeline={{ unit: 'day', step: 1, start: '2014-01-01T00:00:00Z', counts, gaps: [] }} width={WIDTH} />);
    assertGolden('timeline-merged', lastFrame());
    assert.match(plain(lastFrame()), /per 3 days \(UTC\), peak 7 /);
  });

  test('when the buckets are minutes then the ends are labelled with day and minute', () => {
    const counts = Array.from({ length: 15 }, (_, i) => (i === 3 ? 3 : 1));
    const [, , label] = plain(render(<Timeline timeline={{ unit: 'minute', step: 1, start: '2015-03-16T10:00:00Z', counts, gaps: [] }} width={WIDTH} />).lastFrame()).split('\n');
    assert.match(label!, /^03-16 10:00 +per minute \(UTC\), peak 3 +03-16 10:14$/);
  });

  test('when logs miss part of the span then its empty days are drawn as no logs, not as zero', () => {
    // Days 10-14 (2015-03-26 to 2015-03-31) lie in a gap; day 15 has no access but logs exist.
    const counts = DAILY.map((c, i) => (i >= 10 && i < 15 ? 0 : c));
    const gaps = [{ from: '2015-03-26T00:00:00Z', to: '2015-03-31T00:00:00Z' }];
    const [, lower, label] = plain(render(<Timeline timeline={{ unit: 'day', step: 1, start: '2015-03-16T00:00:00Z', counts, gaps }} width={WIDTH} />).lastFrame()).split('\n');
    assert.equal(lower!.slice(20, 30), '░'.repeat(10), 'the five gap days, two columns each');
    assert.equal(lower!.slice(30, 32), '  ', 'a day without access but with logs stays empty');
    assert.match(label!, /peak 22, ░ no logs/);
  });

  test('when the IP panel has focus then its title and selected row carry markers', () => {
    const rows = analysis().top.ips;
    const { lastFrame } = render(<TopPanel title="Top client IPs" keyTitle="client IP" columns={['documents', 'accounts']} rows={rows} selected={1} focused filter="" width={39} height={5} loading={false} />);
    assertGolden('panel-ips', lastFrame());
  });

  test('when the selection passes the last visible row then the panel turns a page', () => {
    const rows = analysis().top.ips;
    const { lastFrame } = render(<TopPanel title="Top client IPs" keyTitle="client IP" columns={['documents', 'accounts']} rows={rows} selected={5} focused filter="" width={39} height={5} loading={false} />);
    assert.match(plain(lastFrame()), /6\/7\n/);
    assert.match(plain(lastFrame()), /› 2001:db8:85a3::…/);
    assert.doesNotMatch(plain(lastFrame()), /203\.0\.113\.7 /);
  });

  test('when an account name holds escape sequences then the accounts panel shows them as visible escapes', () => {
    const { lastFrame } = render(<TopPanel title="Top accounts" keyTitle="account" columns={['documents', 'ips']} rows={analysis().top.accounts} selected={2} focused filter="" width={40} height={5} loading={false} />);
    assertGolden('panel-accounts-hostile', lastFrame());
    assert.ok(plain(lastFrame()).includes('\\x1b]2;pwned\\x07'));
    assertNoRawControls(lastFrame());
  });

  test('when a filter matches nothing then the panel says what was searched', () => {
    const { lastFrame } = render(<TopPanel title="Top documents" keyTitle="document" columns={['ips', 'accounts']} rows={[]} selected={0} focused={false} filter="XY" width={40} height={5} loading={false} />);
    assert.match(plain(lastFrame()), /Top documents \/XY\/\n.*\n {2}no document contains 'XY'/);
  });

  test('when a detector failed then its count reads ERROR, and at 50 columns the kind is shown', () => {
    const narrow = render(<DetectorsPanel title="Detectors" rows={analysis().detectors} selected={0} focused={false} filter="" width={40} height={5} />);
    assertGolden('panel-detectors', narrow.lastFrame());
    const wide = render(<DetectorsPanel title="Detectors" rows={analysis().detectors} selected={0} focused filter="" width={60} height={5} />);
    assert.match(plain(wide.lastFrame()), /document_access_attempts +attempt +8/);
  });

  test('when events of an IP are listed then each row shows time, IP, account, document, status and detector', () => {
    const view: EventsView = { kind: 'events', id: 1, target: { panel: 'ips', key: '203.0.113.7' }, filter: '', selected: 0, page: { total: 33, offset: 0, rows: eventRows(33) } };
    const { lastFrame } = render(<EventList view={view} width={WIDTH} height={8} />);
    assertGolden('events-ip', lastFrame());
    assertNoRawControls(lastFrame());
  });

  test('when an event is shown then its raw line comes with file:line and SHA-256, escapes visible', () => {
    const view: EventView = { kind: 'event', id: 2, eventId: 1_000_000_000_374, detail: detail(1_000_000_000_374) };
    const { lastFrame } = render(<EventDetailView view={view} zone="Europe/London" width={WIDTH} height={18} />);
    assertGolden('event-detail', lastFrame());
    assert.match(plain(lastFrame()), /^line {6}logs\/access\.log\.2\.gz:374 \(source web\)$/m);
    assert.match(plain(lastFrame()), /^sha256 {4}37095a5afe8bb8d84ffddaa2e094aaa07cbe827e6f9ba59262e6b886d387fe2a$/m);
    assert.ok(plain(lastFrame()).includes('Evil\\x1b]2;pwned-ua\\x07\\x1b[31mRED\\x9b2J'));
    assertNoRawControls(lastFrame());
  });

  test('when ? is pressed then the keys are listed', () => {
    const { lastFrame } = render(<KeysHelp width={WIDTH} height={18} />);
    assertGolden('keys', lastFrame());
  });

  test('when a window is typed wrong then the prompt keeps the text and says why', () => {
    const { lastFrame } = render(<Footer prompt={{ kind: 'window', text: '2015-03-16 .. yesterday', error: "'yesterday' is not an ISO 8601 time" }} message={undefined} mode="overview" width={WIDTH} />);
    assert.equal(plain(lastFrame()), "window (FROM .. TO, ISO 8601): 2015-03-16 .. yesterday▏  'yesterday' is not an …");
  });

  test('when the whole overview renders at 80x24 then it is 23 lines of at most 80 columns', () => {
    const { lastFrame } = render(<Dashboard state={state()} />);
    assertGolden('overview-80x24', lastFrame());
    const lines = plain(lastFrame()).split('\n');
    assert.equal(lines.length, 23);
    assert.ok(lines.every((l) => l.length <= 80), 'no line wider than the terminal');
  });
});

describe('dashboard text of double-width characters', () => {
  // CJK and fullwidth letters take two columns each; a row measured in characters overflowed and
  // pushed the next column to '...'.
  const CJK_ACCOUNT = '山田太郎のアカウント名前ＡＢＣ';
  const CJK_UA = 'Mozilla/5.0 (Linux; 中文浏览器 ＦＵＬＬＷＩＤＴＨ) 日本語のユーザーエージェント文字列はとても長いです、折り返しも正しく';

  /** Display columns at which each line's text ends, and that no line is wider than the frame. */
  function widths(frame: string | undefined, max: number): number[] {
    const lines = plain(frame).split('\n');
    for (const l of lines) assert.ok(stringWidth(l) <= max, `a line of ${stringWidth(l)} columns: ${l}`);
    return lines.map((l) => stringWidth(l));
  }

  test('when an account is written in CJK then the overview at 80 columns keeps every column where it belongs', () => {
    const base = snapshot();
    const accounts = [{ ...base.analysis.top.accounts[0]!, key: CJK_ACCOUNT }, { ...base.analysis.top.accounts[1]!, key: '李' }, ...base.analysis.top.accounts.slice(2)];
    const snap = { ...base, analysis: { ...base.analysis, top: { ...base.analysis.top, accounts } } };
    const { lastFrame } = render(<Dashboard state={state({ snapshot: snap })} />);
    assertGolden('overview-80x24-cjk', lastFrame());
    widths(lastFrame(), 80);
    // The accounts panel's counts end in the same column as in the plain-ASCII frame.
    const ends = (frame: string | undefined, second: string) => plain(frame).split('\n').filter((l) => l.includes('52    40') || l.includes(`24    18     1   ${second}`)).map((l) => stringWidth(l));
    const ascii = render(<Dashboard state={state()} />);
    assert.deepEqual(ends(lastFrame(), '李'), ends(ascii.lastFrame(), 'M118840'));
    assert.equal(ends(lastFrame(), '李').length, 2);
    assert.match(plain(lastFrame()), /^› 203\.0\.113\.7 +33 +28 +1 {3}山田太郎のアカ… +52 +40 +2$/m);
  });

  test('when an event list and an event show a CJK account and user agent then columns align and wrapped lines fit 80 columns', () => {
    const rows = eventRows(3).map((r) => ({ ...r, account: CJK_ACCOUNT }));
    const view: EventsView = { kind: 'events', id: 1, target: { panel: 'accounts', key: CJK_ACCOUNT }, filter: '', selected: 0, page: { total: 3, offset: 0, rows } };
    const list = render(<EventList view={view} width={WIDTH} height={4} />);
    assertGolden('events-cjk', list.lastFrame());
    const lines = plain(list.lastFrame()).split('\n');
    const statusAt = (l: string) => stringWidth(l.slice(0, l.indexOf(' 200 ')));
    const data = lines.filter((l) => l.includes(' 200 '));
    assert.equal(data.length, 3);
    assert.equal(new Set(data.map(statusAt)).size, 1, 'the status column starts at one display column on every row');
    widths(list.lastFrame(), 80);
    const d = detail(1_000_000_000_374);
    const ev: EventView = { kind: 'event', id: 2, eventId: d.event_id, detail: { ...d, account: CJK_ACCOUNT, user_agent: CJK_UA, raw: `203.0.113.7 - - [16/Mar/2015:19:41:43 +0000] "GET / HTTP/1.1" 200 1 "-" "${CJK_UA}"` } };
    const shown = render(<EventDetailView view={ev} zone="Europe/London" width={WIDTH} height={18} />);
    assertGolden('event-detail-cjk', shown.lastFrame());
    widths(shown.lastFrame(), 80);
  });
});

/** Lets ink read the key, the controller run its queries, and React render. */
async function settle(controller: DashboardController): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setImmediate(r));
    await controller.idle();
  }
  await new Promise((r) => setTimeout(r, 20));
}

describe('dashboard drill-down path', () => {
  test('when Tab, Enter, Enter, Esc, Esc are pressed then overview -> events of the account -> raw line -> back', async () => {
    const source = new FakeSource();
    const controller = new DashboardController(source, state({ snapshot: undefined }), () => new Date(2015, 3, 20, 12, 0, 0));
    await controller.refresh({ ingest: false });
    const app = render(<DashboardApp controller={controller} fitTerminal={false} />);
    const frame = () => app.lastFrame();
    await settle(controller);
    assertGolden('path-1-overview', frame());

    app.stdin.write('\t');
    await settle(controller);
    assert.match(plain(frame()), /▸ Top accounts/);
    app.stdin.write('\x1b[B');
    await settle(controller);
    assert.match(plain(frame()), /› M118840/);
    app.stdin.write('\x1b[A');
    await settle(controller);
    app.stdin.write('\r');
    await settle(controller);
    assertGolden('path-2-events-of-account', frame());
    assert.deepEqual(source.calls.slice(-1), ['events accounts M104233 \'\' 0 100'], 'one page is queried, not all events');

    app.stdin.write('\x1b[B');
    await settle(controller);
    app.stdin.write('\r');
    await settle(controller);
    assertGolden('path-3-raw-line', frame());
    assert.equal(source.calls.at(-1), 'event 1000000000375');
    assertNoRawControls(frame());

    app.stdin.write('\x1b');
    await settle(controller);
    assert.match(plain(frame()), /Events of account M104233: 33 unauthorized accesses +2\/33/);
    app.stdin.write('\x1b');
    await settle(controller);
    assert.match(plain(frame()), /▸ Top accounts/);
    assert.match(plain(frame()), /^↑↓ row {2}Tab panel/m);

    app.stdin.write('q');
    await settle(controller);
    assert.equal(controller.getState().quit, true);
  });

  test('when a detector row is opened then its findings are listed, and / filters them through the source', async () => {
    const source = new FakeSource();
    const controller = new DashboardController(source, state(), () => new Date(2015, 3, 20, 12, 0, 0));
    const app = render(<DashboardApp controller={controller} fitTerminal={false} />);
    for (const k of ['\t', '\t', '\t', '\x1b[B', '\r']) {
      app.stdin.write(k);
      await settle(controller);
    }
    assert.match(plain(app.lastFrame()), /Events of detector cross_account_document_access: 33 findings/);
    for (const k of ['/', 'M', '1', '\r']) {
      app.stdin.write(k);
      await settle(controller);
    }
    assert.equal(source.calls.at(-1), "events detectors cross_account_document_access 'M1' 0 100");
    assert.match(plain(app.lastFrame()), /33 findings \/M1\//);
  });

  test('when the data refreshes while an event list is open then figures and list change in one frame', async () => {
    const source = new FakeSource();
    const controller = new DashboardController(source, state(), () => new Date(2015, 3, 20, 12, 0, 5));
    const app = render(<DashboardApp controller={controller} fitTerminal={false} />);
    app.stdin.write('\r');
    await settle(controller);
    const before = app.frames.length;
    source.current = snapshot({ unauthorized_accesses: 236, unique_ips: 37 });
    source.total = 34;
    await controller.refresh({ ingest: true });
    await settle(controller);
    const after = app.frames.slice(before).map(plain);
    assert.equal(after.length, 1, 'one render for the refresh');
    assert.match(after[0]!, /236 unauthorized accesses · 119 documents · 37 unique IPs/);
    assert.match(after[0]!, /Events of client IP 203\.0\.113\.7: 34 unauthorized accesses/);
    assert.match(after[0]!, /following · updated 12:00:05/);
    assert.deepEqual(source.calls.slice(-3), ['ingest', 'snapshot', "events ips 203.0.113.7 '' 0 100"]);
  });

  test('when the hostile account is shown in any view then no raw escape reaches the output', async () => {
    const controller = new DashboardController(new FakeSource(), state(), () => new Date(0));
    const app = render(<DashboardApp controller={controller} fitTerminal={false} />);
    for (const k of ['\t', 'G', '\r', '\x1b[B', '\x1b[B', '\r']) {
      app.stdin.write(k);
      await settle(controller);
    }
    for (const f of app.frames) assertNoRawControls(f);
    assert.ok(app.frames.some((f) => plain(f).includes('\\x1b]2;pwned\\x07\\x1b[2J')), 'shown as visible escapes');
    assert.ok(!app.frames.some((f) => f.includes(HOSTILE_ACCOUNT)));
  });

  test('when a is pressed on an account then its actor view shows sessions, IPs with their context and enumeration; Esc goes back', async () => {
    const source = new FakeSource();
    const controller = new DashboardController(source, state(), () => new Date(0));
    const app = render(<DashboardApp controller={controller} fitTerminal={false} />);
    for (const k of ['\t', 'a']) {
      app.stdin.write(k);
      await settle(controller);
    }
    assert.equal(source.calls.at(-1), 'actor accounts M104233');
    assertGolden('actor-account', app.lastFrame());
    const f = plain(app.lastFrame());
    assert.match(f, /^account M104233 · 52 accesses · 40 documents · 2 sessions · 2 IPs · 2 UAs$/m);
    assert.match(f, /^enumeration: up to 17 documents within 10 min; walk of 32 consecutive ids$/m);
    assert.match(f, /^ {3}2 {2}2015-03-19 12:17:01 \.\. 12:26:57 {2}18 req 18 acc 0 att 17 docs {2}203\.0\.113\.88$/m);
    assert.match(f, /^ {2}203\.0\.113\.7 {2}34 req {2}AS64500 · EXAMPLE-NET · GB · tor-exits$/m);
    app.stdin.write('\x1b');
    await settle(controller);
    assert.match(plain(app.lastFrame()), /▸ Top accounts/);
  });

  test('when a is pressed on an IP then the accounts seen from it are listed, hostile names as visible escapes', async () => {
    const source = new FakeSource();
    const controller = new DashboardController(source, state(), () => new Date(0));
    const app = render(<DashboardApp controller={controller} fitTerminal={false} />);
    app.stdin.write('a');
    await settle(controller);
    assert.equal(source.calls.at(-1), 'actor ips 203.0.113.7');
    for (const fr of app.frames) assertNoRawControls(fr);
    assert.match(plain(app.lastFrame()), /^accounts from 203\.0\.113\.7: \\x1b\]2;pwned/m);
  });

  test('when a is pressed on a row with no actor then the view says so', async () => {
    const controller = new DashboardController(new FakeSource(), state(), () => new Date(0));
    const app = render(<DashboardApp controller={controller} fitTerminal={false} />);
    for (const k of ['\x1b[B', 'a']) {
      app.stdin.write(k);
      await settle(controller);
    }
    assert.match(plain(app.lastFrame()), /no actor with an unauthorized access behind 198\.51\.100\.23/);
  });
});
