import { parseIsoTime } from '../case/case-file.js';
import { UserError } from '../util/user-error.js';

/** --generated-at, else SOURCE_DATE_EPOCH (reproducible builds' convention), else now. */
export function generatedAt(flag: string | undefined): Date {
  if (flag !== undefined) {
    const d = parseIsoTime(flag);
    if (!d) throw new UserError({ what: `--generated-at '${flag}' is not an ISO 8601 time`, help: 'e.g. --generated-at 2015-04-20T12:00:00Z' });
    return d;
  }
  const epoch = process.env.SOURCE_DATE_EPOCH;
  if (epoch !== undefined) {
    if (!/^\d+$/.test(epoch)) throw new UserError({ what: `SOURCE_DATE_EPOCH '${epoch}' is not a whole number of seconds`, help: 'unset it, or set it to seconds since 1970' });
    return new Date(Number(epoch) * 1000);
  }
  return new Date(Math.floor(Date.now() / 1000) * 1000);
}
