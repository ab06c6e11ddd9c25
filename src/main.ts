/** Entry point of the `fosip` executable. */
export async function main(argv: string[]): Promise<void> {
  const { buildProgram } = await import('./cli/program.js');
  await buildProgram().parseAsync(argv);
}
