// The built CLI's `setup postgres` for every identity and app platform, with check-user, snippet and undo
// (test/helpers/setup-matrix.ts).
import { setupMatrix } from '../helpers/setup-matrix.ts';

setupMatrix('postgres');
