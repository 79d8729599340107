/** Naming rules two kinds share. */
import { DOTNET_WORD, type NameRule } from '../azure/resource-id.ts';

/** A flexible server's firewall rule name (PostgreSQL's and MySQL's REST specs: `^[-\w\._]+$`). */
export const FLEXIBLE_FIREWALL_RULE: NameRule = {
  what: 'firewall rule name',
  min: 1,
  max: 128,
  shape: new RegExp(`^[-${DOTNET_WORD}._]+$`, 'u'),
  rule: '1-128 letters, digits, underscores, hyphens and periods',
};
