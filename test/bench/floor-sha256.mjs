// @ts-check
// The first floor: the SHA-256 of the log, streamed through node's crypto (OpenSSL). breachscope
// hashes every file it reads, so no ingest can be faster than this on the same machine.
// Usage: node test/bench/floor-sha256.mjs <log>. Prints {"bytes":…,"sha256":"…"}.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

const path = process.argv[2];
if (path === undefined) {
  process.stderr.write('usage: node floor-sha256.mjs <log>\n');
  process.exit(2);
}
const hash = createHash('sha256');
let bytes = 0;
for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
  hash.update(chunk);
  bytes += chunk.length;
}
process.stdout.write(`${JSON.stringify({ bytes, sha256: hash.digest('hex') })}\n`);
