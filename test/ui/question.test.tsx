/** The Ink-backed prompter end to end through the App: confirm and text questions as a user answers them. */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { cleanup } from 'ink-testing-library';
import { createPromptChannel } from '../../source/core/prompter.ts';
import { keys, renderDoctor } from '../helpers/render-ui.tsx';

afterEach(() => cleanup());

test('confirm: enter takes the default, y and n answer, the flag that answers it is shown', async () => {
  const prompts = createPromptChannel();
  const ui = renderDoctor({ prompts });
  const first = prompts.prompter.confirm({ message: 'Apply the plan?', flag: '--yes', default: true });
  const frame = await ui.waitFor((f) => f.includes('Apply the plan?'), 'the question');
  assert.match(frame, /\(Y\/n\)/);
  assert.match(frame, /next time: --yes/);
  assert.match(frame, /y yes {2}n no {2}esc back/);
  await ui.press(keys.enter);
  assert.equal(await first, true);

  const second = prompts.prompter.confirm({ message: 'Restart the server?', flag: '--yes' });
  await ui.waitFor((f) => f.includes('Restart the server?') && f.includes('(y/n)'), 'the second question');
  await ui.press(keys.enter);
  await ui.press('n');
  assert.equal(await second, false, 'enter alone does not answer a question without a default');
});

test('text: typed in clear, checked by validate before it is accepted', async () => {
  const prompts = createPromptChannel();
  const ui = renderDoctor({ prompts });
  const answer = prompts.prompter.input({
    message: 'Database name:',
    flag: '--database',
    validate: (value) => (/^[a-z0-9_]+$/.test(value) ? undefined : 'letters, digits and _ only'),
  });
  await ui.waitFor((f) => f.includes('Database name:'), 'the question');
  for (const key of 'my db') await ui.press(key);
  await ui.waitFor((f) => f.includes('> my db_'), 'the echoed value');
  await ui.press(keys.enter);
  await ui.waitFor((f) => f.includes('letters, digits and _ only'), 'the validation message');
  for (let i = 0; i < 3; i += 1) await ui.press(keys.backspace);
  for (const key of '_db') await ui.press(key);
  await ui.press(keys.enter);
  assert.equal(await answer, 'my_db');
});
