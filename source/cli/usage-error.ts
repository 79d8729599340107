/** The usage error lives in the core (the prompter raises it too); the CLI's modules import it here. */
export { UsageError } from '../core/usage-error.ts';
