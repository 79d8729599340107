/**
 * The person's consent, asked through the client: a form elicitation that lists every change and
 * every ⚠ item, with one box to tick. It is asked the 2026-07-28 way (the tool returns
 * `input_required` and is called again with the answer); the SDK's legacy shim turns that into an
 * `elicitation/create` request for 2025-era clients, so both eras get the same question. The state the
 * second round carries is sealed and bound to the plan handle and the digest the person saw.
 *
 * Only an explicit accept with the box ticked is a yes. Declining, dismissing, an unticked box or an
 * answer that does not parse is a no. A client that declared no form elicitation cannot ask at all.
 */
import {
  type InputRequiredResult,
  inputRequired,
  inputResponse,
  type ServerContext,
} from '@modelcontextprotocol/server';
import type { McpContext } from './context.ts';

/** How long the person has to answer before the consent round's state is refused. */
export const CONSENT_TTL_MS = 15 * 60_000;

/** The key the consent travels under in `inputRequests` / `inputResponses`. */
const CONSENT_KEY = 'consent';

/** The state of a consent round: which handle or run it was for, and the digest shown. */
export interface ConsentClaims {
  kind: 'apply-consent' | 'undo-consent';
  expiresAt: number;
  /** The plan handle's id (apply) or the run id (undo). */
  subject: string;
  digest: string;
}

/** Whether the client that sent this request can show a form (elicitation, form mode). */
export function clientCanElicit(ctx: ServerContext, clientCapabilities: () => unknown): boolean {
  const envelope = ctx.mcpReq.envelope as Record<string, unknown> | undefined;
  // 2026-07-28: declared on each request; 2025 era: declared once in `initialize`.
  const declared = (envelope?.['io.modelcontextprotocol/clientCapabilities'] ?? clientCapabilities()) as
    | { elicitation?: Record<string, unknown> }
    | undefined;
  const elicitation = declared?.elicitation;
  if (!elicitation || typeof elicitation !== 'object') return false;
  // `{}` means form only (the spec's backward-compatible reading); `{ url: {} }` alone is URL only.
  return Object.keys(elicitation).length === 0 || 'form' in elicitation;
}

/** What the person answered in the round this request carries, if it carries one. */
export type ConsentAnswer =
  | { kind: 'none' }
  | { kind: 'yes'; claims: ConsentClaims }
  | { kind: 'no'; why: string }
  | { kind: 'invalid'; problem: string };

/** Reads the consent round this request carries (its sealed state and the elicitation's answer). */
export function consentAnswer(
  ctx: ServerContext,
  context: McpContext,
  kind: ConsentClaims['kind'],
  subject: string,
): ConsentAnswer {
  const state = ctx.mcpReq.requestState<unknown>();
  if (state === undefined) return { kind: 'none' };
  const unsealed = context.sealer.unseal<ConsentClaims>(state, kind);
  if (!unsealed.ok)
    return { kind: 'invalid', problem: `the consent round's state was refused: ${unsealed.problem}` };
  if (unsealed.claims.subject !== subject)
    return { kind: 'invalid', problem: "the consent round's state belongs to another plan or run" };
  const answer = inputResponse(ctx.mcpReq.inputResponses, CONSENT_KEY);
  if (answer.kind !== 'elicit') return { kind: 'no', why: 'no answer came back' };
  if (answer.action === 'decline') return { kind: 'no', why: 'the person declined' };
  if (answer.action === 'cancel') return { kind: 'no', why: 'the person dismissed the question' };
  if (answer.content?.approve !== true) return { kind: 'no', why: 'the person did not tick the box' };
  return { kind: 'yes', claims: unsealed.claims };
}

/** The `input_required` result that asks the person, with the sealed state of this round. */
export function askConsent(
  context: McpContext,
  claims: Omit<ConsentClaims, 'expiresAt'>,
  message: string,
  boxTitle: string,
): InputRequiredResult {
  return inputRequired({
    inputRequests: {
      [CONSENT_KEY]: inputRequired.elicit({
        message,
        requestedSchema: {
          type: 'object',
          properties: {
            approve: { type: 'boolean', title: boxTitle, default: false },
          },
          required: ['approve'],
        },
      }),
    },
    requestState: context.sealer.seal<ConsentClaims>({
      ...claims,
      expiresAt: context.now() + CONSENT_TTL_MS,
    }),
  });
}
