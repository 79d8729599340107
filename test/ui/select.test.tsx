/** The pick list: arrows, type-to-filter, enter, esc, a spinner while its choices load, and focus. */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { cleanup } from 'ink-testing-library';
import { type Choice, type ChoiceLoader, createPromptChannel } from '../../source/core/prompter.ts';
import { Select } from '../../source/ui/widgets/Select.tsx';
import {
  highlightedChoice,
  initialSelectState,
  selectReducer,
} from '../../source/ui/widgets/select-state.ts';
import { renderWithProviders } from '../helpers/render-screen.tsx';
import { keys, renderDoctor } from '../helpers/render-ui.tsx';

afterEach(() => cleanup());

const servers: Choice<string>[] = [
  { label: 'pg-orders', value: 'id-pg', hint: 'PostgreSQL · rg-orders' },
  { label: 'my-billing', value: 'id-my', hint: 'MySQL · rg-billing' },
  { label: 'sql-reports', value: 'id-sql', hint: 'SQL Database · rg-orders' },
];

function renderSelect(choices: Choice<string>[] | ChoiceLoader<string>, isActive = true) {
  const picked: string[] = [];
  let backs = 0;
  const ui = renderWithProviders(
    <Select
      choices={choices}
      isActive={isActive}
      onSubmit={(value) => picked.push(value)}
      onBack={() => {
        backs += 1;
      }}
      color={false}
    />,
  );
  return { ui, picked, backs: () => backs };
}

test('arrows move the highlight (wrapping) and enter picks the highlighted value', async () => {
  const { ui, picked } = renderSelect(servers);
  let frame = await ui.waitFor((f) => f.includes('pg-orders'), 'the list');
  assert.match(frame, /❯ pg-orders +PostgreSQL · rg-orders/);
  await ui.press(keys.down);
  frame = await ui.waitFor((f) => /❯ my-billing/.test(f), 'the second row highlighted');
  await ui.press(keys.up);
  await ui.press(keys.up);
  await ui.waitFor((f) => /❯ sql-reports/.test(f), 'wrapped to the last row');
  await ui.press(keys.enter);
  assert.deepEqual(picked, ['id-sql']);
});

test('typing filters on label and hint, backspace widens again, enter picks among what is left', async () => {
  const { ui, picked } = renderSelect(servers);
  await ui.waitFor((f) => f.includes('filter: _'), 'the empty filter');
  for (const key of 'rg-or') await ui.press(key);
  let frame = await ui.waitFor((f) => f.includes('filter: rg-or_'), 'the typed filter');
  assert.match(frame, /❯ pg-orders/);
  assert.match(frame, /sql-reports/);
  assert.doesNotMatch(frame, /my-billing/);
  // j and k are letters to filter by here, not movement keys.
  await ui.press('j');
  frame = await ui.waitFor((f) => f.includes('nothing matches'), 'no match for rg-orj');
  await ui.press(keys.backspace);
  await ui.press(keys.down);
  await ui.waitFor((f) => /❯ sql-reports/.test(f), 'the second remaining row');
  await ui.press(keys.enter);
  assert.deepEqual(picked, ['id-sql']);
});

test('esc goes back without picking', async () => {
  const { ui, picked, backs } = renderSelect(servers);
  await ui.waitFor((f) => f.includes('pg-orders'), 'the list');
  await ui.press(keys.escape);
  await ui.waitFor(() => backs() === 1, 'onBack');
  assert.deepEqual(picked, []);
});

test('a spinner shows while the choices load; the list replaces it', async () => {
  let release: (choices: Choice<string>[]) => void = () => {};
  const loader = () =>
    new Promise<Choice<string>[]>((resolve) => {
      release = resolve;
    });
  const { ui, picked } = renderSelect(loader);
  const frame = await ui.waitFor((f) => f.includes('loading…'), 'the spinner');
  assert.match(frame, /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] loading…/);
  await ui.press(keys.enter);
  assert.deepEqual(picked, [], 'nothing to pick while loading');
  release(servers);
  await ui.waitFor((f) => /❯ pg-orders/.test(f) && !f.includes('loading'), 'the loaded list');
  await ui.press(keys.enter);
  assert.deepEqual(picked, ['id-pg']);
});

test('a loader that fails says so instead of spinning', async () => {
  const { ui } = renderSelect(async () => {
    throw new Error('403 AuthorizationFailed');
  });
  await ui.waitFor((f) => f.includes('could not load the list: 403 AuthorizationFailed'), 'the error');
});

test('notes from the loader show under the list; an empty list says so instead of "nothing matches"', async () => {
  const { ui } = renderSelect(async () => ({
    choices: [],
    notes: ['could not list Azure SQL servers: 403 AuthorizationFailed'],
  }));
  const frame = await ui.waitFor((f) => f.includes('nothing to choose from'), 'the empty list');
  assert.match(frame, /^! could not list Azure SQL servers: 403 AuthorizationFailed$/m);
  assert.doesNotMatch(frame, /nothing matches/);
});

test('an inactive list ignores every key', async () => {
  const { ui, picked, backs } = renderSelect(servers, false);
  await ui.waitFor((f) => f.includes('pg-orders'), 'the list');
  for (const key of [keys.down, 'x', keys.escape, keys.enter]) await ui.press(key);
  assert.match(ui.lastFrame(), /❯ pg-orders/);
  assert.match(ui.lastFrame(), /filter: _/);
  assert.deepEqual([picked, backs()], [[], 0]);
});

test('the reducer keeps the highlight inside the filtered list', () => {
  let state = initialSelectState(servers);
  state = selectReducer(state, { type: 'move', delta: 2 });
  assert.equal(highlightedChoice(state)?.value, 'id-sql');
  state = selectReducer(state, { type: 'type', text: 'mysql' });
  assert.equal(highlightedChoice(state)?.value, 'id-my');
  state = selectReducer(state, { type: 'move', delta: 1 });
  assert.equal(highlightedChoice(state)?.value, 'id-my', 'one choice left: moving stays on it');
});

test('a picker asked again (esc on the next question went back to it) starts on what was picked before', async () => {
  const prompts = createPromptChannel();
  const ui = renderDoctor({ prompts });
  const question = {
    message: 'Which database server?',
    flag: '--server',
    // Loaded, as the real pickers are: the memory must survive the spinner.
    choices: async () => servers,
  };
  const first = prompts.prompter.pick(question);
  await ui.waitFor((f) => /❯ pg-orders/.test(f), 'the first asking');
  await ui.press(keys.down);
  await ui.press(keys.down);
  await ui.waitFor((f) => /❯ sql-reports/.test(f), 'sql-reports highlighted');
  await ui.press(keys.enter);
  assert.equal(await first, 'id-sql');

  // The next question, backed out of with esc.
  const next = prompts.prompter.pick({
    message: 'Which database on sql-reports?',
    flag: '--database',
    choices: [{ label: 'orders', value: 'orders' }],
  });
  await ui.waitFor((f) => f.includes('Which database on sql-reports?'), 'the next question');
  await ui.press(keys.escape);
  assert.equal(await next, undefined);

  const again = prompts.prompter.pick(question);
  const frame = await ui.waitFor(
    (f) => f.includes('Which database server?') && /❯/.test(f),
    'the server asked again',
  );
  assert.match(frame, /❯ sql-reports/, 'the previous choice, not the first row');
  await ui.press(keys.enter);
  assert.equal(await again, 'id-sql');
  ui.unmount();
});

test('select state: the remembered label is highlighted once the choices load, the first row when it is gone', () => {
  const loading = initialSelectState<string>(null, 'my-billing');
  assert.equal(
    highlightedChoice(selectReducer(loading, { type: 'loaded', choices: servers }))?.label,
    'my-billing',
  );
  const gone = initialSelectState<string>(null, 'deleted-server');
  assert.equal(
    highlightedChoice(selectReducer(gone, { type: 'loaded', choices: servers }))?.label,
    'pg-orders',
  );
  assert.equal(highlightedChoice(initialSelectState(servers, 'sql-reports'))?.label, 'sql-reports');
});
