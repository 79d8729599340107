import { Box, Spacer, Text } from 'ink';

export interface HeaderProps {
  tool: string;
  version: string;
  command: string;
  /** `data` of the `signin` check, once it reported. */
  signin: Record<string, unknown> | null;
  /** `data` of the `subscription` check, once it reported. */
  subscription: Record<string, unknown> | null;
}

/** `sc-doctor 0.1.0 · doctor`, then who is signed in and which subscription, as soon as known. */
export function Header({ tool, version, command, signin, subscription }: HeaderProps) {
  const who = signinText(signin);
  const sub = subscriptionText(subscription);
  return (
    <Box flexDirection="column">
      {/* One line: a long account (a tenant GUID) is cut, not wrapped under the title; the
          Signed in row shows it whole. */}
      <Box>
        <Box flexShrink={0}>
          <Text bold>{`${tool} ${version} · ${command}`}</Text>
        </Box>
        <Spacer />
        {who ? <Text wrap="truncate-end">{`  ${who}`}</Text> : null}
      </Box>
      {sub ? <Text>{`Subscription  ${sub}`}</Text> : null}
    </Box>
  );
}

/** `dana@contoso.com (user) · tenant <id>`; any part may be missing. */
export function signinText(data: Record<string, unknown> | null): string | null {
  if (!data) return null;
  const user = text(data.user);
  const type = text(data.userType);
  const tenant = text(data.tenantId);
  const parts = [user ? (type ? `${user} (${type})` : user) : null, tenant ? `tenant ${tenant}` : null];
  const shown = parts.filter((part): part is string => part !== null);
  return shown.length > 0 ? shown.join(' · ') : null;
}

/** `Contoso Dev (0b1f…3333) · Enabled`; any part may be missing. */
export function subscriptionText(data: Record<string, unknown> | null): string | null {
  if (!data) return null;
  const name = text(data.displayName);
  const id = text(data.subscriptionId);
  const state = text(data.state);
  const shortId = id && id.length > 12 ? `${id.slice(0, 4)}…${id.slice(-4)}` : id;
  const label = name ? (shortId ? `${name} (${shortId})` : name) : shortId;
  if (!label) return null;
  return state ? `${label} · ${state}` : label;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}
