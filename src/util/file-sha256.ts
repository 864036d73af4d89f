import { createReadStream } from 'node:fs';
import { createHash } from 'node:crypto';

/** SHA-256 of a file's bytes on disk, streamed: no file is held in memory. */
export async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
