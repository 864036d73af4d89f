import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatUserMessage } from '../../src/util/user-error.js';

describe('formatUserMessage', () => {
  test('when every field carries escape sequences then none reaches the terminal raw', () => {
    const name = 'logs/x\x1b]0;PWNED\x07\x1b[31m.log';
    const text = formatUserMessage({ what: `${name}: no format fits this file`, where: `/case/${name}`, why: `${name} is a named pipe\r\nerror: forged`, help: `leave ${name} out\u202e` });
    assert.doesNotMatch(text, /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202e]/);
    assert.equal(
      text,
      [
        'error: logs/x\\x1b]0;PWNED\\x07\\x1b[31m.log: no format fits this file',
        '  where: /case/logs/x\\x1b]0;PWNED\\x07\\x1b[31m.log',
        '  why:   logs/x\\x1b]0;PWNED\\x07\\x1b[31m.log is a named pipe\\x0d\\x0aerror: forged',
        '  fix:   leave logs/x\\x1b]0;PWNED\\x07\\x1b[31m.log out\\u202e',
      ].join('\n'),
    );
  });

  test('when a path holds spaces and letters of other scripts then it reads as written', () => {
    assert.equal(formatUserMessage({ what: "source 'web': 'logs/Jahresübersicht 2015/日志 ünïcode.log' matches no file", where: 'case.yaml (sources[0].path)' }),
      "error: source 'web': 'logs/Jahresübersicht 2015/日志 ünïcode.log' matches no file\n  where: case.yaml (sources[0].path)");
  });
});
