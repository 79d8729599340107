/**
 * The screen router: a question from the flow takes the focus and only its keys are live; answering
 * (or esc) gives the focus back to the doctor screen, whose state survived underneath.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { cleanup } from 'ink-testing-library';
import { createPromptChannel } from '../../source/core/prompter.ts';
import { QuestionScreen } from '../../source/ui/screens/QuestionScreen.tsx';
import { appReducer, focusedScreen, initialAppState } from '../../source/ui/state/app-state.ts';
import { renderWithProviders } from '../helpers/render-screen.tsx';
import { keys, renderDoctor } from '../helpers/render-ui.tsx';
import { azCliPass, signinFail, subscriptionSkip } from './fixtures.ts';

afterEach(() => cleanup());

const question = {
  message: 'Which database server?',
  flag: '--server',
  choices: [
    { label: 'pg-orders', value: 'pg', hint: 'PostgreSQL' },
    { label: 'my-billing', value: 'my', hint: 'MySQL' },
  ],
};

test('while a question is open the doctor screen is deaf: q, arrows and enter do nothing to it', async () => {
  const prompts = createPromptChannel();
  const ui = renderDoctor({ prompts });
  ui.completeRun([azCliPass, signinFail, subscriptionSkip]);
  await ui.waitFor((f) => /❯ ✖ FAIL +Signed in/.test(f), 'the failing row selected');

  const answer = prompts.prompter.pick(question);
  let frame = await ui.waitFor((f) => f.includes('Which database server?'), 'the question screen');
  assert.match(frame, /↑↓ move {2}type to filter {2}enter choose {2}esc back/);
  assert.doesNotMatch(frame, /Signed in/, 'only the focused screen is shown');

  // q would quit and ↑ would move on the doctor screen; here they filter and move in the list.
  await ui.press(keys.q);
  frame = await ui.waitFor((f) => f.includes('filter: q_'), 'q typed into the filter');
  await ui.press(keys.backspace);
  await ui.press(keys.up);
  await ui.press(keys.enter);
  assert.equal(await answer, 'my');

  frame = await ui.waitFor((f) => f.includes('Signed in'), 'the doctor screen back');
  assert.match(frame, /❯ ✖ FAIL +Signed in/, 'the doctor selection did not move');
  assert.match(frame, /↑↓ move {2}enter details {2}q quit/);
  await ui.press(keys.q);
  assert.equal(await ui.exitCode, 1, 'q works again once the doctor has the focus');
});

test('esc backs out of a question (undefined) and Ctrl-C cancels from any screen', async () => {
  const prompts = createPromptChannel();
  const ui = renderDoctor({ prompts });
  await ui.waitFor(() => ui.runCalls() === 1, 'the run');
  const first = prompts.prompter.pick(question);
  await ui.waitFor((f) => f.includes('Which database server?'), 'the question');
  await ui.press(keys.escape);
  assert.equal(await first, undefined);

  const second = prompts.prompter.confirm({ message: 'Go on?', flag: '--yes' });
  await ui.waitFor((f) => f.includes('Go on?') && f.includes('(y/n)'), 'the confirm question');
  await ui.press(keys.ctrlC);
  assert.equal(await ui.exitCode, 130);
  assert.equal(ui.cancel.signal.aborted, true);
  // Nobody is left to answer: the flow's question resolves as backed out instead of hanging.
  assert.equal(await second, undefined);
});

test('the question screen reads the first open question from the providers and answers through actions', async () => {
  const channel = createPromptChannel();
  const opened: Parameters<Parameters<typeof channel.serve>[0]>[0][] = [];
  channel.serve((prompt) => opened.push(prompt));
  void channel.prompter.secret({ message: 'Client secret?', flag: 'AZURE_CLIENT_SECRET' });
  const state = appReducer(initialAppState(), { type: 'prompt:open', prompt: opened[0]! });
  assert.equal(focusedScreen(state), 'question');
  const ui = renderWithProviders(<QuestionScreen focused color={false} />, { state });
  await ui.waitFor((f) => f.includes('Client secret?'), 'the question');
  for (const key of 's3cr3t') await ui.press(key);
  const frame = ui.lastFrame();
  assert.doesNotMatch(frame, /s3cr3t|\*{6}|•{6}/, 'a masked answer is never echoed, not even its length');
  assert.match(frame, /next time: AZURE_CLIENT_SECRET/);
  await ui.press(keys.enter);
  assert.deepEqual(ui.calls, [['answer', opened[0]!.id, 's3cr3t']]);
});
