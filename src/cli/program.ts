/** The `fosip` command line (commander). */
import { Command } from 'commander';

export function buildProgram(): Command {
  const program = new Command('fosip').description('FoSIP session border controller');
  return program;
}
