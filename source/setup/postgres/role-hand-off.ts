/**
 * `database-role`'s hand-offs: the grants only the database's owners can give, as a psql script for
 * them; or, when the server is reachable only from its network, the role and its grants as a script
 * for someone inside it. The step then ends handed off (docs/setup-postgres.md).
 */
import { describeItems, type GrantItem, PROMISES } from '../../databases/postgres/grants.ts';
import { createPrincipalSql, grantSql, ident } from '../../databases/postgres/statements.ts';
import { handOff } from '../../engine/step.ts';
import { handOffScriptOf } from '../hand-off-file.ts';
import { handOffScriptText, type ScriptSection, writeHandOffScript } from './hand-off.ts';
import type { PostgresSetupInput } from './input.ts';
import { OWNER_PASSWORD_ENV } from './owner-password.ts';
import { ownerWords, type RoleRecord } from './role-record.ts';

/** Writes the statements only the owners can run to a script and ends the step handed off. */
export async function ownerHandOff(
  input: PostgresSetupInput,
  runId: string,
  record: RoleRecord,
  owners: Map<string, GrantItem[]>,
) {
  const sections: ScriptSection[] = [...owners].map(([owner, items]) => ({
    purpose: `As ${owner} (psql asks for its password, or set PGPASSWORD): ${describeItems(items).join('; ')}.`,
    as: { kind: 'owner', user: owner },
    database: input.database,
    statements: items.map((item) => grantSql(item, record.role)),
  }));
  const names = [...owners.keys()].join(' and ');
  const text = handOffScriptText(
    input.server,
    [
      `sc-doctor run ${runId}: the grants on ${input.database} for the role ${record.role} (${input.app.name}) that only ${names} can give.`,
      `Run it as ${names}, from a machine that can reach ${input.server.name}.`,
    ],
    sections,
  );
  const file = await writeHandOffScript(input.handOffDir ?? process.cwd(), runId, 'postgres-owner', text);
  record.handOffScript = handOffScriptOf(file, text);
  const databaseOwner = owners.has(record.databaseOwner ?? '') ? record.databaseOwner : null;
  return handOff(
    file,
    `${[...owners].map(([owner, items]) => ownerWords(owner, items, input.database)).join('; ')}: run ${file} as ${names} (psql asks for the password), then --resume checks it; or --resume with ${databaseOwner ? `${databaseOwner}'s password (asked, or ${OWNER_PASSWORD_ENV})` : 'the password when asked'} gives them itself`,
    record,
  );
}

/**
 * The server is reachable only from its network: the role and its grants go to a script for someone
 * inside it. Which objects the owner has there is not known from here, so the owner's part grants on
 * all tables and sequences of `public` (the ARM-made database's owner: the server's password admin).
 */
export async function networkHandOff(input: PostgresSetupInput, runId: string, record: RoleRecord) {
  const owner = input.server.administratorLogin || input.signedIn.user;
  const promises = PROMISES[input.grants];
  const items: GrantItem[] = [
    { on: 'database', name: input.database, privileges: [...promises.database], grantor: owner },
    { on: 'schema', name: 'public', privileges: [...promises.schema], grantor: owner },
    ...(promises.default.length > 0
      ? [{ on: 'default' as const, name: owner, privileges: [...promises.default], grantor: owner }]
      : []),
  ];
  const role = record.role;
  const allOf = (kind: 'TABLES' | 'SEQUENCES', privileges: readonly string[]) =>
    `GRANT ${privileges.join(', ')} ON ALL ${kind} IN SCHEMA ${ident('public')} TO ${ident(role)}`;
  record.handedOff = items;
  record.createdByScript = true;
  record.databaseOwner = owner;
  const sections: ScriptSection[] = [
    {
      purpose: `As the Entra admin ${input.signedIn.user} (signed in with az): create the role ${role}.`,
      as: { kind: 'entra-admin', user: input.signedIn.user },
      database: 'postgres',
      statements: [createPrincipalSql(role, record.objectId)],
    },
    {
      purpose: `As ${owner}, the owner of ${input.database} (psql asks for its password, or set PGPASSWORD): the grants.`,
      as: { kind: 'owner', user: owner },
      database: input.database,
      statements: [
        grantSql(items[0]!, role),
        grantSql(items[1]!, role),
        allOf('TABLES', promises.table),
        allOf('SEQUENCES', promises.sequence),
        ...(items[2] ? [grantSql(items[2], role)] : []),
      ],
    },
  ];
  const text = handOffScriptText(
    input.server,
    [
      `sc-doctor run ${runId}: creates the PostgreSQL role ${role} for ${input.app.name} and grants it ${input.database}.`,
      "Run it from a machine inside the server's network, signed in with az as an Entra admin of the server;",
      `its second part runs as ${owner}, the owner of ${input.database}.`,
    ],
    sections,
  );
  const file = await writeHandOffScript(input.handOffDir ?? process.cwd(), runId, 'postgres', text);
  record.handOffScript = handOffScriptOf(file, text);
  return handOff(
    file,
    `the server is reachable only from its network: run ${file} from inside it, as the Entra admin and then ${owner}, to create the role ${role} and grant it ${input.database}`,
    record,
  );
}
