/** The steps of the killed-run test, shared by the child that is killed and the test that undoes its run. */
import { FakeWorld, FileStore } from './fake-world.ts';

export function killedRunSteps(worldFile: string, options: { hang?: () => Promise<void> } = {}) {
  const world = new FakeWorld(new FileStore(worldFile));
  const steps = [
    world.step({ id: 'app-identity' }),
    world.step({ id: 'entra-auth' }),
    world.step({
      id: 'database-role',
      after: ['app-identity', 'entra-auth'],
      checkpoint: true,
      afterChange: options.hang,
    }),
  ];
  return { world, steps };
}
