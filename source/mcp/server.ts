/**
 * The MCP server: its tools, in a fixed order. Read-only tools always; `apply` and `undo` only when
 * the server was started with `--allow-write`; `audit` (read-only) through its seam (audit-seam.ts).
 */
import { McpServer } from '@modelcontextprotocol/server';
import { TOOL_NAME, toolVersion } from '../core/version.ts';
import { loadAuditRunner } from './audit-seam.ts';
import type { McpContext } from './context.ts';
import { registerApply } from './tools/apply.ts';
import { registerAudit } from './tools/audit.ts';
import { registerDoctor } from './tools/doctor.ts';
import { registerPlan } from './tools/plan.ts';
import { registerRuns } from './tools/runs.ts';
import { registerSnippet } from './tools/snippet.ts';
import { registerUndo } from './tools/undo.ts';

const INSTRUCTIONS =
  'sc-doctor diagnoses and sets up passwordless (Microsoft Entra) connections from Azure apps (App Service, ' +
  'Container Apps, Spring Apps) to Azure Database for PostgreSQL, MySQL and Azure SQL. Start with doctor; plan ' +
  'shows every change a setup would make. apply and undo (offered only when the person started the server with ' +
  '--allow-write) ask the person through the client before any change; never pass secrets as arguments. audit ' +
  'checks every app → database connection of subscriptions, a management group or the tenant, read-only.';

/** A server with every tool this context allows. */
export function createMcpServer(context: McpContext): McpServer {
  const server = new McpServer(
    { name: TOOL_NAME, version: toolVersion() },
    { capabilities: { tools: {} }, instructions: INSTRUCTIONS },
  );
  registerDoctor(server, context);
  registerPlan(server, context);
  if (context.settings.allowWrite) {
    registerApply(server, context);
    registerUndo(server, context);
  }
  registerRuns(server, context);
  registerSnippet(server, context);
  const loadAudit = context.deps.loadAudit ?? loadAuditRunner;
  if (loadAudit) registerAudit(server, context, loadAudit);
  return server;
}
