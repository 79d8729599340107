/** The doctor's checks, in display order: machine and account first, then the target's. */

import { accessChecks } from './access-checks.ts';
import { azureCliCheck } from './azure-cli.ts';
import type { DoctorCheck } from './check.ts';
import { firewallCheck } from './firewall.ts';
import { networkPathCheck } from './network-path.ts';
import { serverCheck } from './server.ts';
import { signinCheck } from './signin.ts';
import { subscriptionCheck } from './subscription.ts';

/** Every check the doctor runs, machine and account first; the runner orders them by their `needs`. */
export function doctorChecks(): DoctorCheck[] {
  return [
    azureCliCheck,
    signinCheck,
    subscriptionCheck,
    serverCheck,
    networkPathCheck,
    firewallCheck,
    ...accessChecks(),
  ];
}
