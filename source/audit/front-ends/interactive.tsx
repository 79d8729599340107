/** Placeholder: replaced by the Ink front-end. */

import type { AuditFrontEnd } from './input.ts';
import { runAuditPlain } from './plain.ts';

export const runAuditInteractive: AuditFrontEnd = (input) => runAuditPlain(input);
