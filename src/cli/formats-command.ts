import { FORMATS } from '../formats/registry.js';

export function formatsCommand(o: { json?: boolean }): void {
  const list = FORMATS.map((f) => ({ name: f.name, title: f.title, fills: f.fills, sample: f.samples[0] }));
  if (o.json) {
    process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
    return;
  }
  const out = ['auto  sniffs each file from a sample of its lines and says which format it chose and why', ''];
  for (const f of list) out.push(`${f.name}  ${f.title}`, `  fills:  ${f.fills.join(', ')}`, `  sample: ${f.sample}`, '');
  out.push(
    "{nginx: '<log_format>'} / {apache: '<LogFormat>'}  the server's own format definition, pasted from its configuration",
    "  fills:  what its variables hold (README: Formats)",
    `  sample: format: {nginx: '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_id'}`,
    '',
  );
  process.stdout.write(`${out.join('\n')}`);
}
