/** What `main` needs past help and version: the options of every command, loaded as one. */
export { doctorOptionsFrom } from './doctor-options.ts';
export { assertFlagsFor, setupCommandLine, setupRequestFrom, undoRequestFrom } from './setup-options.ts';
