import { FORMATS } from '../formats/registry.js';

export function formatsCommand(o: { json?: boolean }): void {
  const list = FORMATS.map((f) => ({ name: f.name, title: f.title, fills: f.fills, sample: f.samples[0] }));
  if (o.json) {
    process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
    return;
  }
  const out = ['auto  sniffs each file from a sample of its lines and says which format it chose and why', ''];
  for (const f of list) out.push(`${f.name}  ${f.title}`, `  fills:  ${f.fills.join(', ')}`, `  sample: ${f.sample}`, '');
  process.stdout.write(`${out.join('\n')}`);
}
