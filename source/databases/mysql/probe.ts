/**
 * MySQL's probe of the app's database user: logged in as the signed-in account with an Entra token
 * (TLS verified against the server's Azure name). MySQL cannot show which Entra id a user stands
 * for, so the user is the one the app settings name.
 */
import type { AppSide, ProbeFinding, ProbeLogin } from '../probe.ts';
import { openMysql } from './login.ts';

/** MySQL: the user the settings name exists as an Entra user and holds grants on the database. */
export async function probeMysql(login: ProbeLogin, app: AppSide): Promise<ProbeFinding> {
  const connection = await openMysql({
    host: login.host,
    port: login.port,
    fqdn: login.fqdn,
    user: login.user,
    password: login.token,
    ca: login.ca,
    timeoutMs: login.timeoutMs,
    signal: login.signal,
  });
  try {
    if (!app.settingsUser) {
      return {
        status: 'warn',
        message: `cannot tell which MySQL user is ${app.appName}'s`,
        details: [
          'MySQL does not show which Entra id a user was created for; the app settings name the user, and none was found.',
        ],
        fixable: true,
      };
    }
    const [users] = (await connection.query(
      'SELECT User AS user, Host AS host, plugin FROM mysql.user WHERE User = ?',
      [app.settingsUser],
    )) as unknown as [{ user: string; host: string; plugin: string }[]];
    const user = users[0];
    if (!user) {
      return {
        status: 'fail',
        message: `MySQL user ${app.settingsUser} does not exist`,
        details: ["The app settings name this user; setup creates it for the app's identity."],
        fixable: true,
      };
    }
    const [grantRows] = (await connection.query('SHOW GRANTS FOR ?@?', [
      user.user,
      user.host,
    ])) as unknown as [Record<string, string>[]];
    // MariaDB appends the stored password hash to the user's grant line: never show it.
    const grants = grantRows.map((row) =>
      String(Object.values(row)[0] ?? '').replace(/\s+IDENTIFIED\s+(BY|VIA|WITH)\b.*$/i, ''),
    );
    const details = [`user ${user.user}@${user.host} (${user.plugin})`, ...grants];
    const database = app.database;
    // SHOW GRANTS doubles backticks in a name, and shows `\`, `_` and `%` escaped when the grant
    // escaped them (GRANT reads `_` and `%` as wildcards).
    const shown = database?.replace(/`/g, '``');
    const escaped = database?.replace(/[\\_%]/g, '\\$&').replace(/`/g, '``');
    // USAGE is "no privileges": only a real grant on the database (or on everything) counts.
    const granted =
      !database ||
      grants
        .filter((g) => !/^GRANT USAGE ON /i.test(g))
        .some(
          (g) =>
            g.includes(' ON *.* ') || g.includes(`ON \`${shown}\`.*`) || g.includes(`ON \`${escaped}\`.*`),
        );
    if (!granted) {
      return {
        status: 'fail',
        message: `MySQL user ${user.user} holds no grant on ${database}`,
        details,
        fixable: true,
      };
    }
    details.push('MySQL does not show which Entra id a user maps to: that is not verified.');
    return {
      status: 'pass',
      message: `MySQL user ${user.user} exists${database ? ` · granted on ${database}` : ''}`,
      details,
      fixable: false,
    };
  } finally {
    await connection.end();
  }
}
