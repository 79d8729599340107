/** The one JSON document a usage error prints when the command promised JSON (`setup --json`). */
export interface JsonUsageError {
  schemaVersion: 1;
  error: { code: 'usage'; message: string };
  exitCode: 2;
}

export function usageErrorDocument(message: string, hints: readonly string[]): JsonUsageError {
  return { schemaVersion: 1, error: { code: 'usage', message: [message, ...hints].join(' ') }, exitCode: 2 };
}
