/**
 * One definition per step: the step a flow plans and the step undo finds in a journal are made from
 * the same definition (engine/step-registry.ts), so a flow cannot plan a step that undo from the
 * journal does not know, and the plan's undo is the definition's.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ServerFacts } from '../../source/databases/facts.ts';
import { DATABASE_KINDS, type DatabaseKind } from '../../source/databases/kind.ts';
import { is } from '../../source/engine/record-schema.ts';
import type { UndoContext, UndoRecord } from '../../source/engine/step.ts';
import { planned, type StepDefinition, undoersOf } from '../../source/engine/step-registry.ts';
import { SETUP_FLOWS } from '../../source/setup/flows.ts';
import type { SetupInput } from '../../source/setup/input.ts';
import { undoersForRun } from '../../source/setup/undoers-for.ts';

const SERVER_TYPE: Record<DatabaseKind, string> = {
  postgres: 'DBforPostgreSQL/flexibleServers',
  mysql: 'DBforMySQL/flexibleServers',
  sql: 'Sql/servers',
};

function inputOf(kind: DatabaseKind, linker: boolean, auth: SetupInput['auth']): SetupInput {
  const server = {
    kind,
    id: `/subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333/resourceGroups/rg-orders/providers/Microsoft.${SERVER_TYPE[kind]}/orders-db`,
    name: 'orders-db',
    fqdn: 'orders-db.example',
    port: 5432,
    serverIdentities: [],
  } as unknown as ServerFacts;
  return {
    server,
    database: 'orders',
    app: {
      kind: 'webapp',
      id: '/subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333/resourceGroups/rg-orders/providers/Microsoft.Web/sites/orders-api',
      name: 'orders-api',
      subscriptionId: '0b1f6471-1bf0-4dda-aec3-111122223333',
      resourceGroup: 'rg-orders',
      location: null,
      systemIdentity: null,
      userIdentities: [],
      outboundSubnetId: null,
    },
    auth,
    clientType: 'nodejs',
    linker,
    signedIn: { objectId: '0d1e2f30-4a5b-4c6d-8e7f-da0a00000001', user: 'dana@contoso.com', type: 'user' },
    grants: 'least',
  };
}

for (const kind of DATABASE_KINDS) {
  test(`every step the ${kind} flow plans is one undo from a journal knows, undone by its definition`, async () => {
    const flow = SETUP_FLOWS[kind];
    const defined = new Map(flow.definitions.map((definition) => [definition.id, definition]));
    const fromJournal = undoersForRun({ database: kind, steps: [] }, {} as never);
    const planned = new Set<string>();
    for (const linker of [true, false])
      for (const auth of [
        { kind: 'system' as const },
        { kind: 'sp' as const, clientId: '1b2c3d4e-0000-4000-8000-000000000001' },
      ]) {
        const input = flow.input(inputOf(kind, linker, auth), {}, []);
        for (const step of flow.steps(input, {} as never)) {
          planned.add(step.id);
          assert.ok(defined.has(step.id), `${kind} plans ${step.id}, which has no definition`);
          assert.ok(
            fromJournal.some((undoer) => undoer.id === step.id),
            `undo from a ${kind} journal does not know ${step.id}`,
          );
        }
      }
    // Nothing defined that no plan makes: a definition is the step, not a second table.
    assert.deepEqual([...defined.keys()].sort(), [...planned].sort());
  });
}

test('the planned step is the part the flow built, completed: its undo and commands are the definition’s', async () => {
  const calls: string[] = [];
  const definition: StepDefinition<UndoRecord & { n: number }, { env: string }> = {
    id: 'demo-step',
    title: 'Demo',
    record: { n: is.port() },
    async undo(ctx, record) {
      calls.push(`${ctx.env}:${ctx.runId}:${record.n}`);
      return { status: 'undone' };
    },
    manualUndo: (record) => [`undo ${record.n}`],
  };
  const part = {
    title: 'Demo on x',
    resource: 'x',
    consent: 'asks',
    preview: () => [],
    isDone: async () => false,
    apply: async () => ({ n: 7 }),
  };
  const step = planned(definition, part, { env: 'run' });
  // The same object: a step that settles its consent while it previews is read after the preview.
  assert.equal(step, part);
  delete (part as { consent?: string }).consent;
  assert.equal(step.consent, undefined);
  assert.equal(step.id, 'demo-step');
  const ctx = {
    runId: 'r1',
    signal: new AbortController().signal,
    progress() {},
    inFlight() {},
  } as UndoContext;
  await step.undo(ctx, { n: 7 });
  assert.deepEqual(step.manualUndo({ n: 7 }), ['undo 7']);
  const [fromJournal] = undoersOf([definition], { env: 'journal' });
  await fromJournal!.undo(ctx, { n: 8 });
  assert.deepEqual(calls, ['run:r1:7', 'journal:r1:8']);
  assert.deepEqual(fromJournal!.manualUndo({ n: 8 }), ['undo 8']);
  assert.match(fromJournal!.checkRecord({ n: 'x' }, {} as never).join(), /record\.n must be a port number/);
  assert.throws(
    () => undoersOf([definition, definition], { env: 'journal' }),
    /two step definitions have the id demo-step/,
  );
});
