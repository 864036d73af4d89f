import { diffText } from '../report/diff-text.js';
import { diffPacks } from '../report/pack-diff.js';
import { verifiedPack } from './verified-pack.js';

/** `breachscope diff OLD NEW`: both packs verified, then compared (see README "Follow-up reports"). */
export async function diffCommand(oldPack: string, newPack: string, o: { json?: boolean; maxRows: number }): Promise<void> {
  const before = await verifiedPack(oldPack, 'OLD_PACK');
  const after = await verifiedPack(newPack, 'NEW_PACK');
  const d = await diffPacks(before, after, o.maxRows);
  process.stdout.write(o.json ? `${JSON.stringify({ schema_version: 1, ...d })}\n` : diffText(d));
}
