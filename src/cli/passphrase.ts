import { EXIT, UserError } from '../util/user-error.js';

/** The environment variable an automated run sets instead of typing the passphrase. */
export const PASSPHRASE_ENV = 'BREACHSCOPE_KEY_PASSWORD';

/** Reads one line from the terminal without echoing it. */
function promptHidden(prompt: string): Promise<string> {
  const input = process.stdin;
  process.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let typed = '';
    const done = (e?: Error) => {
      input.setRawMode(false);
      input.pause();
      input.off('data', onData);
      process.stderr.write('\n');
      if (e) reject(e);
      else resolve(typed);
    };
    const onData = (chunk: Buffer) => {
      for (const c of chunk.toString('utf8')) {
        if (c === '\r' || c === '\n') return done();
        if (c === '\u0003' || c === '\u0004') return done(new UserError({ what: 'no passphrase: cancelled' }));
        if (c === '\u007f' || c === '\b') typed = [...typed].slice(0, -1).join('');
        else if (c >= ' ') typed += c;
      }
    };
    input.setRawMode(true);
    input.resume();
    input.on('data', onData);
  });
}

/**
 * The secret key's passphrase: BREACHSCOPE_KEY_PASSWORD when set, else typed at a prompt (twice
 * with `confirm`). Without a terminal and without the variable there is no way to ask: exit 2.
 */
export async function readPassphrase(what: string, o: { confirm?: boolean } = {}): Promise<string> {
  const fromEnv = process.env[PASSPHRASE_ENV];
  if (fromEnv !== undefined) {
    if (fromEnv === '') throw new UserError({ what: `${PASSPHRASE_ENV} is set but empty`, help: 'set it to the passphrase, or unset it to be asked' });
    return fromEnv;
  }
  if (!process.stdin.isTTY) {
    throw new UserError({
      what: `${what} needs a passphrase, and there is no terminal to ask it on`,
      help: `set ${PASSPHRASE_ENV}, or run in a terminal${o.confirm ? ', or pass --no-password for an unencrypted key' : ''}`,
    });
  }
  const first = await promptHidden('Passphrase: ');
  if (first === '') throw new UserError({ what: 'the passphrase is empty', help: o.confirm ? 'type a passphrase, or pass --no-password for an unencrypted key' : 'type the passphrase the key was made with' });
  if (o.confirm) {
    const again = await promptHidden('Passphrase (again): ');
    if (again !== first) throw new UserError({ what: 'the two passphrases differ', help: 'run keygen again and type the same passphrase twice' }, EXIT.usage);
  }
  return first;
}
