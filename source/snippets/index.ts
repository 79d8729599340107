/**
 * The connection-code generator: database × client type × auth type → the app settings, the code
 * that reads them and signs in with a Microsoft Entra token, its dependencies, and notes. Pure
 * functions over data; the `snippet` command and the setup's code screen both call `generateSnippet`.
 */

import { DATABASE_KINDS, type DatabaseKind } from '../databases/kind.ts';
import { dotnetMysql, dotnetPostgres, dotnetSql } from './languages/dotnet.ts';
import { goMysql, goPostgres, goSql } from './languages/go.ts';
import {
  javaMysql,
  javaPostgres,
  javaSql,
  springMysql,
  springPostgres,
  springSql,
} from './languages/java.ts';
import { nodeMysql, nodePostgres, nodeSql } from './languages/nodejs.ts';
import { phpMysql, phpPostgres, phpSql } from './languages/php.ts';
import {
  djangoMysql,
  djangoPostgres,
  djangoSql,
  pythonMysql,
  pythonPostgres,
  pythonSql,
} from './languages/python.ts';
import { rubyMysql, rubyPostgres, rubySql } from './languages/ruby.ts';
import { resolveInputs, settingPrefix, settingsFor } from './settings.ts';
import { PUBLIC_OSSRDBMS_RESOURCE, type Template } from './template.ts';
import { CLIENT_TYPES, type ClientType, SNIPPET_AUTHS, type Snippet, type SnippetRequest } from './types.ts';

export * from './types.ts';

const noCode: Template = ({ database, scope }) => ({
  files: [],
  dependencies: [],
  notes: [
    'Client type none: these are the settings only. Pick a language with --client-type to get code.',
    database === 'sql'
      ? 'Azure SQL drivers fetch the token themselves when told the authentication mode.'
      : `The app fetches a token for ${scope} for each new connection and sends it as the password over verified TLS.`,
  ],
});

const TEMPLATES: Record<DatabaseKind, Record<ClientType, Template>> = {
  postgres: {
    java: javaPostgres,
    springBoot: springPostgres,
    dotnet: dotnetPostgres,
    python: pythonPostgres,
    django: djangoPostgres,
    nodejs: nodePostgres,
    go: goPostgres,
    php: phpPostgres,
    ruby: rubyPostgres,
    none: noCode,
  },
  mysql: {
    java: javaMysql,
    springBoot: springMysql,
    dotnet: dotnetMysql,
    python: pythonMysql,
    django: djangoMysql,
    nodejs: nodeMysql,
    go: goMysql,
    php: phpMysql,
    ruby: rubyMysql,
    none: noCode,
  },
  sql: {
    java: javaSql,
    springBoot: springSql,
    dotnet: dotnetSql,
    python: pythonSql,
    django: djangoSql,
    nodejs: nodeSql,
    go: goSql,
    php: phpSql,
    ruby: rubySql,
    none: noCode,
  },
};

/** The settings, files, dependencies and notes for one combination. Names default to placeholders. */
export function generateSnippet(request: SnippetRequest): Snippet {
  const { database, clientType, auth } = request;
  const names = resolveInputs(database, request);
  const bareUser = database === 'mysql' ? withoutServerSuffix(names.user, names.server) : names.user;
  const stripped = bareUser !== names.user;
  names.user = bareUser;
  const resource = (request.ossrdbmsResource || PUBLIC_OSSRDBMS_RESOURCE).replace(/\/+$/, '');
  const result = TEMPLATES[database][clientType]({
    database,
    auth,
    prefix: settingPrefix(database),
    names,
    scope: `${resource}/.default`,
    resource,
    settingsWriter: request.settingsWriter ?? 'sc-doctor',
  });
  return {
    database,
    clientType,
    auth,
    support: result.support ?? 'supported',
    settings: result.settings ?? settingsFor(database, clientType, auth, names, request.settingsWriter),
    files: result.files,
    dependencies: result.dependencies,
    notes: stripped
      ? [
          ...result.notes,
          `The user was given as ${request.user}, the single-server form; flexible server takes the bare name ${bareUser}, used here.`,
        ]
      : result.notes,
  };
}

/** `aad_orders@mysql-orders` → `aad_orders` when mysql-orders is this server (single-server syntax). */
function withoutServerSuffix(user: string, server: string): string {
  const at = user.lastIndexOf('@');
  if (at <= 0) return user;
  const serverName = server.split('.')[0]?.toLowerCase();
  return user.slice(at + 1).toLowerCase() === serverName ? user.slice(0, at) : user;
}

/** Every combination (3 databases × 10 client types × 3 auth types), with placeholder names. */
export function generateAllSnippets(): Snippet[] {
  const all: Snippet[] = [];
  for (const database of DATABASE_KINDS)
    for (const clientType of CLIENT_TYPES)
      for (const auth of SNIPPET_AUTHS) all.push(generateSnippet({ database, clientType, auth }));
  return all;
}
