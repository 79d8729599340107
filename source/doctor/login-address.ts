/**
 * Where the doctor's own database login connects: as every login does (`loginAddress` in
 * databases/login.ts: `--connect-to`, else SC_DOCTOR_DNS_SERVER's answer, else the name).
 */

import type { ServerFacts } from '../databases/facts.ts';
import { loginAddress as addressOfLogin, type LoginAddress } from '../databases/login.ts';
import type { DoctorContext } from './check.ts';

export type { LoginAddress };

/** The address the doctor's login to `server` connects to. */
export function loginAddress(ctx: DoctorContext, server: ServerFacts): Promise<LoginAddress> {
  return addressOfLogin(ctx.services, server, ctx.options.connectTo, ctx.signal);
}
