/**
 * The database owner's password, for the grants only the owner can give (and take back): from
 * `SC_DOCTOR_PG_OWNER_PASSWORD` for the owner of the app's database, else asked with the prompter's
 * masked `secret()` when someone can be asked. Never in argv, the journal, a log or output; kept in
 * memory for the run, so its rollback can revoke as the owner without asking again.
 */
import type { Services } from '../../core/services.ts';

/** The environment variable with the password of the app database's owner (plain and JSON modes). */
export const OWNER_PASSWORD_ENV = 'SC_DOCTOR_PG_OWNER_PASSWORD';

/** The owners' passwords one process has, by role name. */
export class OwnerPasswords {
  readonly #known = new Map<string, string>();
  readonly #declined = new Set<string>();

  constructor(private readonly services: Services) {}

  /**
   * The password of `owner`: from memory, from `OWNER_PASSWORD_ENV` when `owner` owns `database`, or
   * asked (interactive only; an empty answer or esc declines, and it is not asked again). Undefined
   * when there is none: the owner's part is then handed off.
   */
  async get(
    owner: string,
    ownsDatabase: boolean,
    database: string,
    signal?: AbortSignal,
  ): Promise<string | undefined> {
    const known = this.#known.get(owner);
    if (known !== undefined) return known;
    const fromEnv = ownsDatabase ? this.services.env[OWNER_PASSWORD_ENV] : undefined;
    if (fromEnv) return fromEnv;
    const prompter = this.services.prompter;
    if (!prompter?.interactive || this.#declined.has(owner)) return undefined;
    const asked = await prompter.secret(
      {
        message: `Password of ${owner}, who owns ${ownsDatabase ? `database ${database}` : `tables in ${database}`} (empty: write its statements to a script instead)`,
        flag: `${OWNER_PASSWORD_ENV} (environment)`,
      },
      signal,
    );
    if (!asked) {
      this.#declined.add(owner);
      return undefined;
    }
    return asked;
  }

  /** Keeps a password the server accepted, for the rest of the run and its rollback. */
  remember(owner: string, password: string): void {
    this.#known.set(owner, password);
  }

  /** A password the server refused is not offered again. */
  forget(owner: string): void {
    this.#known.delete(owner);
  }
}
