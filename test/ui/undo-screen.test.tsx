/**
 * `sc-doctor undo` in a terminal: the same live list as a setup's rollback (a row per step, newest
 * first, with status and time), Ctrl-C counted like the setup's, and the closing lines at the end.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { cleanup, render } from 'ink-testing-library';
import type { RunEvent } from '../../source/run/events.ts';
import { UndoApp, type UndoScreenInput } from '../../source/ui/UndoApp.tsx';
import { keys } from '../helpers/render-ui.tsx';
import { settle } from '../helpers/wait-for.ts';

afterEach(() => cleanup());

function scriptedUndo() {
  let emit!: (event: RunEvent) => void;
  let finish!: (result: { exitCode: number; closing: string[] }) => void;
  const interrupts: number[] = [];
  const input: UndoScreenInput = {
    runId: '20261126-1000-1a2b',
    steps: [
      { id: 'app-identity', title: 'Managed identity of orders-api' },
      { id: 'entra-auth', title: 'Entra authentication on pg-orders' },
      { id: 'database-role', title: 'Database role aad_orders_api on pg-orders' },
    ],
    run: (e) => {
      emit = e;
      return new Promise((resolve) => {
        finish = resolve;
      });
    },
    interrupt: () => interrupts.push(1),
    color: false,
  };
  let exited!: (code: number) => void;
  const exitCode = new Promise<number>((resolve) => {
    exited = resolve;
  });
  const instance = render(
    <UndoApp input={input} onExit={exited} now={() => 5000} size={{ columns: 80, rows: 24 }} />,
  );
  const frame = () => instance.lastFrame() ?? '';
  const waitFor = async (predicate: (f: string) => boolean, what: string) => {
    const deadline = Date.now() + 3000;
    while (!predicate(frame())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last frame:\n${frame()}`);
      await delay(10);
    }
    return frame();
  };
  return {
    emit: (event: RunEvent) => emit(event),
    finish: (r: Parameters<typeof finish>[0]) => finish(r),
    waitFor,
    exitCode,
    interrupts,
    instance,
    frames: instance.frames,
  };
}

test('undo in a terminal: the rollback list newest first, live, then the closing lines; it leaves by itself', async () => {
  const undo = scriptedUndo();
  await undo.waitFor(() => true, 'the first frame');
  undo.emit({
    type: 'rollback:start',
    runId: '20261126-1000-1a2b',
    reason: 'undo',
    steps: [
      { id: 'database-role', title: 'Database role aad_orders_api on pg-orders' },
      { id: 'entra-auth', title: 'Entra authentication on pg-orders' },
    ],
  });
  undo.emit({
    type: 'rollback:step-start',
    id: 'database-role',
    title: 'Database role aad_orders_api on pg-orders',
    at: 0,
  });
  undo.emit({
    type: 'rollback:step-end',
    id: 'database-role',
    title: 'Database role aad_orders_api on pg-orders',
    outcome: 'undone',
    elapsedMs: 1200,
    reason: null,
  });
  undo.emit({
    type: 'rollback:step-start',
    id: 'entra-auth',
    title: 'Entra authentication on pg-orders',
    at: 0,
  });
  undo.emit({
    type: 'rollback:progress',
    id: 'entra-auth',
    detail: 'waiting for Azure: InProgress',
    elapsedMs: 3000,
  });
  let frame = await undo.waitFor((f) => /waiting for Azure: InProgress/.test(f), 'the running undo');
  assert.match(frame, /^Undoing run 20261126-1000-1a2b, newest first$/m);
  assert.match(frame, /^↺ 3 {2}Database role aad_orders_api on pg-orders +undone +1\.2s$/m);
  assert.match(frame, /^⠋ 2 {2}Entra authentication on pg-orders +waiting for Azure: InProgress/m);
  assert.match(frame, /Ctrl-C twice stops waiting and lists what is left/);
  assert.ok(frame.indexOf('Database role') < frame.indexOf('Entra authentication'), 'newest first');

  await settle();
  undo.instance.stdin.write(keys.ctrlC);
  await undo.waitFor(() => undo.interrupts.length === 1, 'Ctrl-C counted');

  undo.emit({
    type: 'rollback:step-end',
    id: 'entra-auth',
    title: 'Entra authentication on pg-orders',
    outcome: 'undone',
    elapsedMs: 40_000,
    reason: null,
  });
  undo.finish({ exitCode: 0, closing: ['Run 20261126-1000-1a2b is undone: nothing it changed is left.'] });
  assert.equal(await undo.exitCode, 0);
  frame = undo.frames.join('\n');
  assert.match(frame, /Run 20261126-1000-1a2b is undone: nothing it changed is left\./);
  assert.match(frame, /↺ 2 {2}Entra authentication on pg-orders +undone +40\.0s/);
});
