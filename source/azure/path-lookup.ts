/** Finding a program on PATH without starting a process (process budgets count every az run). */
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';

/** The first executable file named `program` in `env.PATH`'s directories, or `undefined`. */
export async function findOnPath(
  program: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<string | undefined> {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const file = join(dir, program);
    try {
      await access(file, constants.X_OK);
      return file;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}
