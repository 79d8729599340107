/** The pieces of the target flags' parser: name rules, shapes, and the problem a bad flag is. */
import { type NameRuleOf, nameProblem, nameWhat } from '../azure/resource-id.ts';

/** A target flag that cannot be right: the flag, what is wrong, and the shape it expects. */
export interface TargetProblem {
  flag: string;
  message: string;
  hint: string;
}

export const SEGMENT = /^[^/?#]+$/;
export const SERVER_ID_SHAPE =
  '/subscriptions/<guid>/resourceGroups/<group>/providers/<type>/<name>, where <type> is\n' +
  '  Microsoft.DBforPostgreSQL/flexibleServers, Microsoft.DBforMySQL/flexibleServers or Microsoft.Sql/servers';
export const SOURCE_ID_SHAPE =
  '/subscriptions/<guid>/resourceGroups/<group>/providers/<type>/<name>, where <type> is\n' +
  '  Microsoft.Web/sites or Microsoft.App/containerApps (Spring: .../Microsoft.AppPlatform/Spring/<service>/apps/<name>)';
export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The first of `[flag, kind, value]` whose value breaks Azure's naming rule for its kind, as a
 * problem naming the flag and the rule; undefined when every value given is a valid name.
 */
export function namesProblem(
  checks: [flag: string, kind: NameRuleOf, value: string | undefined][],
): TargetProblem | undefined {
  for (const [flag, kind, value] of checks) {
    if (value === undefined) continue;
    const rule = nameProblem(kind, value);
    if (rule !== undefined)
      return {
        flag,
        message: `${flag}: '${clip(value)}' is not a valid ${nameWhat(kind)}: Azure allows ${rule}.`,
        hint: 'Pass the name exactly as the Azure portal or az shows it.',
      };
  }
  return undefined;
}

export function clip(value: string): string {
  return value.length > 120 ? `${value.slice(0, 117)}...` : value;
}
