/**
 * The connection-code screen after a setup: the app settings, the dependencies and each file on a
 * page of its own; code is never wrapped (a line too wide is cut with `›`, the view scrolls), and
 * `c` copies and `w` saves the generator's bytes whole. `w` over a file asks first; messages are
 * sentences.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Clipboard } from '../../source/services/clipboard.ts';
import { connectionCodeFor } from '../../source/setup/connection-code.ts';
import type { SetupOutcome } from '../../source/setup/flow-types.ts';
import type { ConnectionCode } from '../../source/setup/snippets-hook.ts';
import { type SaveFile, saveInFolder } from '../../source/ui/save-file.ts';
import { DONE_KEY_HINTS, DoneScreen } from '../../source/ui/screens/DoneScreen.tsx';
import { tempDir } from '../helpers/build.ts';
import { renderWithProviders } from '../helpers/render-screen.tsx';
import { keys } from '../helpers/render-ui.tsx';

const LONG =
  '  // Called for every new connection; the credential caches the token until shortly before expiry, so no pooled connection ever signs in with a stale one.';
const FILE = [
  "'use strict';",
  "const { Pool } = require('pg');",
  LONG,
  ...Array.from({ length: 40 }, (_, i) => `const line${i + 1} = ${i + 1};`),
  'module.exports = { pool };',
  '',
].join('\n');

const code: ConnectionCode = {
  headline: 'Done · orders-api can reach pg-orders/orders as aad_orders_api (no password)',
  settings: [
    { name: 'AZURE_POSTGRESQL_HOST', value: 'pg-orders.postgres.database.azure.com' },
    { name: 'AZURE_POSTGRESQL_DATABASE', value: 'orders' },
  ],
  dependencies: [
    { manifest: 'package.json', entry: '"pg": "^8.23.1"' },
    { manifest: 'package.json', entry: '"@azure/identity": "^4.14.1"' },
  ],
  files: [{ title: 'nodejs · db.js', fileName: 'db.js', content: FILE }],
  text: 'unused here',
};

const right = '\u001B[C';
const pageDown = '\u001B[6~';

function screen(
  options: { clipboard?: Clipboard; saveFile?: SaveFile; columns?: number; rows?: number } = {},
) {
  const copied: string[] = [];
  let quits = 0;
  const clipboard: Clipboard = options.clipboard ?? {
    async copy(text) {
      copied.push(text);
      return { via: 'OSC 52' };
    },
  };
  const rendered = renderWithProviders(
    <DoneScreen
      code={code}
      summary={[]}
      focused
      color={false}
      clipboard={clipboard}
      saveFile={options.saveFile ?? saveInFolder(tempDir('sc-doctor-save-'))}
      onQuit={() => {
        quits += 1;
      }}
      columns={options.columns ?? 80}
      rows={options.rows ?? 24}
    />,
  );
  return { ...rendered, copied, quits: () => quits };
}

function widest(frame: string): number {
  return Math.max(...frame.split('\n').map((line) => [...line].length));
}

test('code screen: settings first, then dependencies, then the file; every page fits 80x24', async (t) => {
  const s = screen();
  t.after(s.unmount);
  let frame = s.lastFrame();
  assert.match(frame, /^Done · orders-api can reach pg-orders\/orders as aad_orders_api \(no password\)/);
  assert.match(frame, /\[App settings\] {2}Dependencies {3}db\.js/);
  assert.match(frame, /^AZURE_POSTGRESQL_HOST=pg-orders\.postgres\.database\.azure\.com$/m);
  assert.match(frame, new RegExp(`${DONE_KEY_HINTS.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`));
  await s.press(right);
  frame = await s.waitFor((f) => /\[Dependencies\]/.test(f), 'the dependencies page');
  assert.match(frame, /^Dependencies · add to package\.json$/m);
  assert.match(frame, /^"@azure\/identity": "\^4\.14\.1"$/m);
  await s.press(right);
  frame = await s.waitFor((f) => /\[db\.js\]/.test(f), 'the file page');
  assert.match(frame, /^nodejs · db\.js$/m);
  assert.ok(frame.split('\n').length < 24, `the screen is shorter than the terminal:\n${frame}`);
  assert.ok(widest(frame) <= 80, `no line is wider than 80 columns:\n${frame}`);
  assert.doesNotMatch(frame, /[│┃╭╰─]/, 'no border characters around code');
});

test('code screen: a long line is cut with ›, never wrapped; ↓ and PgDn scroll to the rest', async (t) => {
  const s = screen();
  t.after(s.unmount);
  await s.press(right);
  await s.press(right);
  let frame = await s.waitFor((f) => /\[db\.js\]/.test(f), 'the file page');
  const cut = frame.split('\n').find((line) => line.startsWith('  // Called for every new connection'));
  assert.ok(cut, frame);
  assert.equal([...cut].length, 80);
  assert.ok(cut.endsWith('›'), cut);
  assert.doesNotMatch(frame, /^stale one\.$/m, 'the rest of the line does not wrap onto the next');
  assert.match(frame, /› marks a line cut at the edge: c and w keep it whole\./);
  assert.match(frame, /↓ \d+ more lines below/);
  assert.doesNotMatch(frame, /module\.exports/);

  await s.press(keys.down);
  frame = await s.waitFor((f) => /↑ 1 more lines above/.test(f), 'one line down');
  assert.doesNotMatch(frame, /^'use strict';$/m);
  await s.press(pageDown);
  await s.press(pageDown);
  await s.press(pageDown);
  frame = await s.waitFor((f) => /module\.exports = \{ pool \};/.test(f), 'the end of the file');
  assert.doesNotMatch(frame, /more lines below/);
  assert.ok(frame.split('\n').length < 24, frame);
});

test('code screen: c copies the page as the generator made it, the long line whole; the notice is a sentence', async (t) => {
  const s = screen();
  t.after(s.unmount);
  await s.press('c');
  await s.waitFor((f) => /Copied the app settings with OSC 52\./.test(f), 'the settings copied');
  assert.deepEqual(s.copied, [
    'AZURE_POSTGRESQL_HOST=pg-orders.postgres.database.azure.com\nAZURE_POSTGRESQL_DATABASE=orders\n',
  ]);
  await s.press(right);
  await s.press(right);
  await s.waitFor((f) => /\[db\.js\]/.test(f), 'the file page');
  await s.press('c');
  await s.waitFor((f) => /^Copied db\.js with OSC 52\.$/m.test(f), 'the file copied');
  assert.equal(s.copied[1], FILE, 'byte for byte');
});

test('code screen: w saves the exact bytes; w again asks before replacing; y keeps the old as .bak; n keeps it', async (t) => {
  const folder = tempDir('sc-doctor-save-');
  const s = screen({ saveFile: saveInFolder(folder) });
  t.after(s.unmount);
  await s.press('w');
  await s.waitFor(
    (f) => /Only a file can be saved: → shows one\./.test(f),
    'the settings page cannot be saved',
  );
  await s.press(right);
  await s.press(right);
  await s.waitFor((f) => /\[db\.js\]/.test(f), 'the file page');
  await s.press('w');
  const target = join(folder, 'db.js');
  await s.waitFor((f) => f.includes(`Saved db.js to ${target}.`), 'the save');
  assert.equal(readFileSync(target, 'utf8'), FILE);

  writeFileSync(target, 'mine\n');
  await s.press('w');
  let frame = await s.waitFor((f) => /Replace it\?/.test(f), 'the question');
  assert.doesNotMatch(frame, /EEXIST/);
  assert.match(
    frame.replaceAll('\n', ' '),
    /db\.js already exists\. Replace it\? The old one is kept as a \.bak file\./,
  );
  assert.match(frame, /y replace it {2}n keep it\s*$/);
  await s.press('n');
  await s.waitFor((f) => /Nothing was saved; the file there is unchanged\./.test(f), 'kept');
  assert.equal(readFileSync(target, 'utf8'), 'mine\n');

  await s.press('w');
  await s.waitFor((f) => /Replace it\?/.test(f), 'the question again');
  await s.press('y');
  frame = await s.waitFor((f) => /the old one is kept as/.test(f), 'replaced');
  assert.match(
    frame.replaceAll('\n', ' '),
    new RegExp(`kept as ${join(folder, 'db.js.bak').replaceAll('.', '\\.')}\\.`),
  );
  assert.equal(readFileSync(target, 'utf8'), FILE);
  assert.equal(readFileSync(join(folder, 'db.js.bak'), 'utf8'), 'mine\n');
  assert.ok(!existsSync(join(folder, 'db.js.bak.2')));
});

test('code screen: a save that fails says why in words, never an error code alone', async (t) => {
  const s = screen({
    saveFile: async () => {
      throw Object.assign(new Error('EACCES: permission denied, open /x/db.js'), { code: 'EACCES' });
    },
  });
  t.after(s.unmount);
  await s.press(right);
  await s.press(right);
  await s.press('w');
  await s.waitFor((f) => /^Could not save db\.js: permission denied\.$/m.test(f), 'the reason');
});

test('code screen at 60 columns: still no line wider than the terminal', async (t) => {
  const s = screen({ columns: 60, rows: 20 });
  t.after(s.unmount);
  await s.press(right);
  await s.press(right);
  const frame = await s.waitFor((f) => /\[db\.js\]/.test(f), 'the file page');
  assert.ok(widest(frame) <= 60, frame);
  assert.ok(frame.split('\n').length < 20, frame);
});

test('the code of a real setup outcome carries its dependencies and the plain text the scrollback gets', () => {
  const outcome = {
    kind: 'ran',
    doctor: [],
    title: 't',
    plan: [],
    undone: [],
    result: {
      runId: 'r',
      status: 'succeeded',
      exitCode: 0,
      cancelled: false,
      steps: [],
      notDone: [],
      failure: null,
      left: [],
      handedOff: [],
    },
    connection: {
      database: 'postgres',
      clientType: 'java',
      auth: 'system',
      serverFqdn: 'pg-orders.postgres.database.azure.com',
      databaseName: 'orders',
      user: 'aad_orders',
      appName: 'orders-api',
    },
  } as SetupOutcome;
  const code = connectionCodeFor(outcome)!;
  assert.ok(
    code.dependencies.some((d) => d.manifest === 'pom.xml' && /azure-identity-extensions/.test(d.entry)),
  );
  for (const file of code.files) assert.ok(code.text.includes(file.content.trimEnd()), file.fileName);
  assert.match(code.text, /\nDependencies\n/);
});
