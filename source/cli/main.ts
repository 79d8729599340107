/** PLACEHOLDER, completed by the CLI owner: parses argv, picks the mode, runs, returns the exit code. */
export async function main(_argv: string[]): Promise<number> {
  return 0;
}
