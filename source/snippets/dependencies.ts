/**
 * Package versions the generated code is written against. Each exists in its registry: the npm ones
 * are the versions this repository installs and runs the Node.js snippets with; the others are the
 * versions Microsoft's Service Connector and driver documentation name, or later releases of the
 * same packages.
 */
import type { SnippetDependency } from './types.ts';

function npm(name: string, version: string): SnippetDependency {
  return { manifest: 'package.json', name, version, entry: `"${name}": "^${version}"` };
}
function pip(name: string, version: string): SnippetDependency {
  return { manifest: 'requirements.txt', name, version, entry: `${name}==${version}` };
}
function maven(group: string, artifact: string, version: string): SnippetDependency {
  return {
    manifest: 'pom.xml',
    name: `${group}:${artifact}`,
    version,
    entry: `<dependency><groupId>${group}</groupId><artifactId>${artifact}</artifactId><version>${version}</version></dependency>`,
  };
}
function nuget(name: string, version: string): SnippetDependency {
  return {
    manifest: '.csproj',
    name,
    version,
    entry: `<PackageReference Include="${name}" Version="${version}" />`,
  };
}
function goModule(path: string, version: string): SnippetDependency {
  return { manifest: 'go.mod', name: path, version, entry: `require ${path} ${version}` };
}
function gem(name: string, version: string): SnippetDependency {
  return { manifest: 'Gemfile', name, version, entry: `gem "${name}", "~> ${version}"` };
}

export const DEPS = {
  npm: {
    identity: npm('@azure/identity', '4.14.1'),
    pg: npm('pg', '8.23.1'),
    mysql2: npm('mysql2', '3.24.6'),
    tedious: npm('tedious', '20.3.9'),
  },
  pip: {
    identity: pip('azure-identity', '1.19.0'),
    psycopg2: pip('psycopg2-binary', '2.9.10'),
    pymysql: pip('PyMySQL', '1.1.1'),
    pyodbc: pip('pyodbc', '5.2.0'),
    django: pip('Django', '5.1.4'),
    mssqlDjango: pip('mssql-django', '1.5'),
  },
  maven: {
    postgres: maven('org.postgresql', 'postgresql', '42.7.5'),
    mysql: maven('com.mysql', 'mysql-connector-j', '9.0.0'),
    identityExtensions: maven('com.azure', 'azure-identity-extensions', '1.2.0'),
    mssql: maven('com.microsoft.sqlserver', 'mssql-jdbc', '10.2.0.jre11'),
    identity: maven('com.azure', 'azure-identity', '1.7.0'),
    springPostgres: maven('com.azure.spring', 'spring-cloud-azure-starter-jdbc-postgresql', '5.20.0'),
    springMysql: maven('com.azure.spring', 'spring-cloud-azure-starter-jdbc-mysql', '5.20.0'),
    springBom: {
      ...maven('com.azure.spring', 'spring-cloud-azure-dependencies', '5.20.0'),
      entry:
        '<dependencyManagement><dependencies><dependency><groupId>com.azure.spring</groupId><artifactId>spring-cloud-azure-dependencies</artifactId><version>5.20.0</version><type>pom</type><scope>import</scope></dependency></dependencies></dependencyManagement>',
    },
  },
  nuget: {
    identity: nuget('Azure.Identity', '1.13.1'),
    npgsql: nuget('Npgsql', '8.0.5'),
    mysqlConnector: nuget('MySqlConnector', '2.4.0'),
    sqlClient: nuget('Microsoft.Data.SqlClient', '5.2.2'),
  },
  go: {
    azidentity: goModule('github.com/Azure/azure-sdk-for-go/sdk/azidentity', 'v1.8.0'),
    azcore: goModule('github.com/Azure/azure-sdk-for-go/sdk/azcore', 'v1.16.0'),
    pgx: goModule('github.com/jackc/pgx/v5', 'v5.7.1'),
    mysql: goModule('github.com/go-sql-driver/mysql', 'v1.8.1'),
    mssql: goModule('github.com/microsoft/go-mssqldb', 'v1.8.0'),
  },
  gem: {
    pg: gem('pg', '1.5'),
    mysql2: gem('mysql2', '0.5'),
  },
} as const satisfies Record<string, Record<string, SnippetDependency>>;
