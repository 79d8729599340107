/**
 * `npm run twin -- --help`: the twin's flags and every scenario with what it seeds. A scenario's line
 * is the TSDoc comment above its entry in scenarios.ts or a scenarios-*.ts (one description, kept
 * next to the code it describes); a scenario without one is listed by name alone.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { generatedScenarioNames, scenarioNames } from './scenarios.ts';

/** The flags main.ts understands (a `=` value is allowed after `--latency` and `--lro-delay`). */
export const KNOWN_FLAGS = ['--no-databases', '--latency', '--lro-delay', '--help', '-h'];

/** scenarios.ts first, then the files it spreads in (scenarios-arm.ts and any later `scenarios-*.ts`). */
function scenarioSources(): URL[] {
  const here = new URL('./', import.meta.url);
  const others = readdirSync(here)
    .filter((name) => /^scenarios-.+\.ts$/.test(name) && !name.endsWith('.test.ts'))
    .sort();
  return ['scenarios.ts', ...others].map((name) => new URL(name, here));
}

/** Scenario name → the text of the TSDoc comment right above its entry. */
export function scenarioSummaries(): Map<string, string> {
  const found = new Map<string, string>();
  const entry = /\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*\n\s*(?:'([a-z0-9-]+)'|([a-z][a-z0-9]*)):/g;
  for (const source of scenarioSources()) {
    const text = readFileSync(source, 'utf8');
    for (const match of text.matchAll(entry)) {
      const name = match[2] ?? match[3]!;
      const summary = match[1]!
        .split('\n')
        .map((line) => line.replace(/^\s*\*\s?/, '').trim())
        .filter(Boolean)
        .join(' ');
      if (!found.has(name)) found.set(name, summary);
    }
  }
  return found;
}

/** Words of `text` in lines of at most `width` columns, each after `indent`. */
function wrap(text: string, width: number, indent: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(indent + line);
  return lines;
}

/** The help text, fitted to `columns` (80 when unknown or wider). */
export function twinHelp(columns?: number): string {
  const width = Math.max(40, Math.min(columns ?? 80, 80));
  const summaries = scenarioSummaries();
  const paragraph = (text: string) => wrap(text, width, '');
  const option = (flag: string, text: string) => [`  ${flag}`, ...wrap(text, width, '      ')];
  const lines = [
    'Usage: npm run twin -- [SCENARIO] [OPTIONS]',
    '',
    ...paragraph(
      'Starts the local Azure twin on 127.0.0.1 only: ARM, Microsoft Graph, an Entra token endpoint, ' +
        "the orders-api app's managed-identity endpoint and a stand-in az, with real PostgreSQL 17 and " +
        'MariaDB and an Azure SQL (TDS) stand-in behind its database servers. It writes .twin/env for a ' +
        'shell to source (then `npm start -- doctor` runs against the twin) and .twin/app-env (what an app ' +
        'on orders-api would see), and runs until Ctrl-C or SIGTERM, which stop everything it started.',
    ),
    '',
    'Options:',
    ...option('SCENARIO', 'the world to start with (default: healthy); the list is below.'),
    ...option(
      '--no-databases',
      'ARM and Graph only, no database servers. Without it, databases that cannot start end the twin with exit 1 and the reason.',
    ),
    ...option('--latency=MS', 'delay every ARM and Graph answer by MS milliseconds.'),
    ...option(
      '--lro-delay=MS',
      'make each long-running operation take MS milliseconds (both can be changed later with POST /_twin/latency).',
    ),
    ...option('-h, --help', 'this help.'),
    '',
    'Environment:',
    ...option(
      'TWIN_ENV_FILE',
      'where to write the shell env file (default .twin/env; app-env goes next to it).',
    ),
    '',
    'Scenarios:',
    ...[...scenarioNames(), ...generatedScenarioNames()].flatMap((name) => {
      const summary = summaries.get(name);
      return summary ? [`  ${name}`, ...wrap(summary, width, '      ')] : [`  ${name}`];
    }),
    '',
    ...paragraph(
      '`npm run demo -- [sc-doctor args]` starts a twin (scenario from TWIN_SCENARIO, default healthy), runs sc-doctor against it and stops it.',
    ),
    '',
  ];
  return lines.join('\n');
}
