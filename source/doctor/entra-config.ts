/**
 * `entra-config`: is Microsoft Entra authentication set up on the server, and is the signed-in caller
 * an Entra admin (setup connects as one to create the app's database user)? Each kind reads its own
 * settings (its adapter's `entraConfig`: source/databases/<kind>/entra-config.ts).
 */
import type { CheckResult } from '../core/types.ts';
import { callerOf } from '../databases/entra.ts';
import { adapterOf } from '../databases/index.ts';
import type { DoctorCheck } from './check.ts';
import { serverFactsOf } from './facts-of.ts';

export const entraConfigCheck: DoctorCheck = {
  id: 'entra-config',
  title: 'Entra authentication',
  needs: ['server', 'signin'],
  phase: 'target',
  async run(ctx): Promise<CheckResult> {
    const server = serverFactsOf(ctx);
    if (!server) return { status: 'skip', message: 'no database server to look at' };
    const caller = callerOf(await ctx.services.azure.signIn());
    return adapterOf(server.kind).entraConfig(ctx, server, caller);
  },
};
