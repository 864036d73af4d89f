import type { Command } from 'commander';

/** Two or three real invocations per command, printed at the end of its `--help` (the samples run as written). */
export const HELP_EXAMPLES: Readonly<Record<string, readonly string[]>> = {
  breachscope: [
    'breachscope init logs/ --out case.yaml               # a first case file from a folder of logs',
    'breachscope analyze sample-logs/ticketviewer/case.yaml',
    'breachscope report sample-logs/ticketviewer/case.yaml --out pack',
  ],
  ingest: ['breachscope ingest sample-logs/ticketviewer/case.yaml', 'breachscope ingest case.yaml --json --db /tmp/store   # per-file report as JSON, store elsewhere'],
  analyze: [
    'breachscope analyze sample-logs/ticketviewer/case.yaml',
    'breachscope analyze sample-logs/resident-portal/case.yaml --json',
    'breachscope analyze case.yaml --engine clickhouse       # after npm run setup:clickhouse',
  ],
  routes: ['breachscope routes sample-logs/ticketviewer/case.yaml', 'breachscope routes case.yaml --top 5 --json'],
  dashboard: ['breachscope dashboard sample-logs/ticketviewer/case.yaml', 'breachscope dashboard case.yaml --follow     # new log lines show within 2 seconds'],
  report: [
    'breachscope report sample-logs/ticketviewer/case.yaml --out pack',
    'breachscope report case.yaml --out pack --sign keys/breachscope.key',
    'breachscope report case.yaml --out pack-2 --notices --previous pack   # Art. 34 notices; changes since the first report',
  ],
  verify: ['breachscope verify pack', 'breachscope verify pack --case case.yaml --pubkey keys/breachscope.pub'],
  export: ['breachscope export sample-logs/ticketviewer/case.yaml --to ecs --out ticketviewer.jsonl.gz', 'breachscope export case.yaml --to timesketch --all --out requests.jsonl'],
  init: [
    'breachscope init logs/                                  # writes case.yaml here',
    'breachscope init "logs/access.log*" --out incident/case.yaml --owners data/documents.csv',
    'breachscope init logs/ --force                          # replace case.yaml',
  ],
  actors: [
    'breachscope actors sample-logs/ticketviewer/case.yaml',
    'breachscope actors case.yaml --actor 203.0.113.7      # one actor: sessions and client IPs',
    'breachscope actors case.yaml --json --top 500',
  ],
  diff: ['breachscope diff pack-initial pack-followup', 'breachscope diff pack-initial pack-followup --json --max-rows 100'],
  keygen: ['breachscope keygen --out keys', 'BREACHSCOPE_KEY_PASSWORD=... breachscope keygen --out keys   # no prompt', 'breachscope keygen --out keys --no-password'],
  formats: ['breachscope formats', 'breachscope formats --json'],
  detectors: ['breachscope detectors', 'breachscope detectors --json'],
  completion: ['breachscope completion bash > ~/.local/share/bash-completion/completions/breachscope', 'breachscope completion zsh > "${fpath[1]}/_breachscope"', 'breachscope completion fish > ~/.config/fish/completions/breachscope.fish'],
};

/** Adds the examples to the program's help and to every command's; a command without any fails the help tests. */
export function addExamples(program: Command): void {
  for (const c of [program, ...program.commands]) {
    const examples = HELP_EXAMPLES[c.name()];
    if (examples) c.addHelpText('after', `\nExamples:\n${examples.map((e) => `  $ ${e}`).join('\n')}\n`);
  }
}
