import type { Command } from 'commander';

/** What a completion script needs of one command, read from the program itself so it cannot drift. */
export interface CommandSpec {
  readonly name: string;
  readonly summary: string;
  readonly flags: readonly { readonly long: string; readonly takesValue: boolean; readonly summary: string }[];
  /** What the first argument is: a case file, a folder, a shell name, or nothing. */
  readonly argument: 'case' | 'dir' | 'folder-or-glob' | 'shell' | undefined;
}

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** Descriptions go into shell quoting: only letters, digits, spaces and plain punctuation survive. */
const plain = (text: string, max = 70): string => {
  const s = text.split(/[:;(]/)[0]!.replace(/[^A-Za-z0-9 ,./_-]/g, '').trim();
  return s.length > max ? `${s.slice(0, max - 3).trimEnd()}...` : s;
};

export function commandSpecs(program: Command): CommandSpec[] {
  return program.commands.map((c) => {
    const arg = c.registeredArguments[0]?.name();
    const argument = arg === 'case' ? 'case' : arg === 'dir' ? 'dir' : arg === 'folder-or-glob' ? 'folder-or-glob' : arg === 'shell' ? 'shell' : undefined;
    const flags = [...c.options.filter((o) => o.long !== undefined).map((o) => ({ long: o.long!, takesValue: o.required || o.optional, summary: plain(o.description) })), { long: '--help', takesValue: false, summary: 'show help' }];
    return { name: c.name(), summary: plain(c.description()), flags, argument };
  });
}

export function completionScript(shell: Shell, program: Command): string {
  const specs = commandSpecs(program);
  const globals = program.options.filter((o) => o.long !== undefined && o.long !== '--version').map((o) => o.long!);
  if (shell === 'bash') return bashScript(specs, globals);
  if (shell === 'zsh') return zshScript(specs, globals);
  return fishScript(specs);
}

function bashScript(specs: readonly CommandSpec[], globals: readonly string[]): string {
  const valued = [...new Set(specs.flatMap((s) => s.flags.filter((f) => f.takesValue).map((f) => f.long)))];
  const cases = specs.map((s) => `    ${s.name}) opts="${s.flags.map((f) => f.long).join(' ')}"; kind=${s.argument ?? 'none'} ;;`);
  return `# bash completion for breachscope (breachscope completion bash)
_breachscope() {
  local cur prev cmd opts kind i
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  cmd=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in -*) ;; *) cmd="\${COMP_WORDS[i]}"; break ;; esac
  done
  if [ -z "$cmd" ]; then
    COMPREPLY=( $(compgen -W "${specs.map((s) => s.name).join(' ')} ${globals.join(' ')} --help --version" -- "$cur") )
    return 0
  fi
  case "$prev" in
    ${valued.join('|')}) COMPREPLY=( $(compgen -f -- "$cur") ); return 0 ;;
  esac
  case "$cmd" in
${cases.join('\n')}
    *) opts=""; kind=none ;;
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=( $(compgen -W "$opts" -- "$cur") )
    return 0
  fi
  case "$kind" in
    case) COMPREPLY=( $(compgen -f -X '!*.yaml' -- "$cur") $(compgen -f -X '!*.yml' -- "$cur") $(compgen -d -- "$cur") ) ;;
    dir|folder-or-glob) COMPREPLY=( $(compgen -d -- "$cur") ) ;;
    shell) COMPREPLY=( $(compgen -W "${SHELLS.join(' ')}" -- "$cur") ) ;;
  esac
  return 0
}
complete -o filenames -F _breachscope breachscope
`;
}

const zshArgument: Record<NonNullable<CommandSpec['argument']>, string> = {
  case: "'1:case file:_files -g \"*.(yaml|yml)\"'",
  dir: "'1:evidence pack folder:_files -/'",
  'folder-or-glob': "'1:folder of logs:_files -/'",
  shell: "'1:shell:(bash zsh fish)'",
};

function zshScript(specs: readonly CommandSpec[], globals: readonly string[]): string {
  const cases = specs.map((s) => {
    const flags = s.flags.map((f) => `'${f.long}[${f.summary}]${f.takesValue ? ':value:_files' : ''}'`);
    const arg = s.argument ? [zshArgument[s.argument]] : [];
    return `    ${s.name}) _arguments ${[...flags, ...arg].join(' ')} ;;`;
  });
  return `#compdef breachscope
# zsh completion for breachscope (breachscope completion zsh)
_breachscope() {
  local -a commands
  commands=(
${specs.map((s) => `    '${s.name}:${s.summary}'`).join('\n')}
  )
  local i=2
  while (( i < CURRENT )) && [[ $words[i] == -* ]]; do (( i++ )); done
  if (( CURRENT == i )); then
    _describe 'command' commands
    _arguments ${globals.map((g) => `'${g}'`).join(' ')} '--help' '--version'
    return
  fi
  shift $(( i - 1 )) words
  (( CURRENT -= i - 1 ))
  case $words[1] in
${cases.join('\n')}
  esac
}
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
  _breachscope "$@"
else
  compdef _breachscope breachscope
fi
`;
}

function fishScript(specs: readonly CommandSpec[]): string {
  const out = ['# fish completion for breachscope (breachscope completion fish)', 'complete -c breachscope -f'];
  const names = specs.map((s) => s.name).join(' ');
  for (const s of specs) out.push(`complete -c breachscope -n "not __fish_seen_subcommand_from ${names}" -a ${s.name} -d '${s.summary}'`);
  for (const s of specs) {
    const when = `-n "__fish_seen_subcommand_from ${s.name}"`;
    for (const f of s.flags) out.push(`complete -c breachscope ${when} -l ${f.long.slice(2)}${f.takesValue ? ' -r -F' : ''} -d '${f.summary}'`);
    if (s.argument === 'case') out.push(`complete -c breachscope ${when} -a "(__fish_complete_suffix .yaml; __fish_complete_suffix .yml)"`);
    if (s.argument === 'dir' || s.argument === 'folder-or-glob') out.push(`complete -c breachscope ${when} -a "(__fish_complete_directories)"`);
    if (s.argument === 'shell') out.push(`complete -c breachscope ${when} -a "${SHELLS.join(' ')}"`);
  }
  return `${out.join('\n')}\n`;
}
