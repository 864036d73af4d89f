import type { Command } from 'commander';
import { UserError } from '../util/user-error.js';
import { completionScript, SHELLS, type Shell } from './completion.js';

/** `breachscope completion bash|zsh|fish`: the script on stdout, to source or install (README). */
export function completionCommand(shell: string, program: Command): void {
  if (!(SHELLS as readonly string[]).includes(shell)) {
    throw new UserError({ what: `completion: no script for the shell '${shell}'`, where: 'the <shell> argument', help: `use one of ${SHELLS.join(', ')}` });
  }
  process.stdout.write(completionScript(shell as Shell, program));
}
