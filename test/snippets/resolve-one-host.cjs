/**
 * Preloaded (`node --require`) into a generated snippet's process by the executed-snippet tests only:
 * resolves the one host name in SNIPPET_TEST_RESOLVE (`name=address`) to that address, as a hosts
 * file line would, and leaves every other lookup to the system. The generated code keeps the Azure
 * name, so TLS SNI, the certificate check and the TDS LOGIN7 server name are all the real name; only
 * the address the name resolves to changes, and no resolver is asked for a name that is not real.
 */
'use strict';
const dns = require('node:dns');

const [name, address] = String(process.env.SNIPPET_TEST_RESOLVE || '').split('=');
if (!name || !address) throw new Error('SNIPPET_TEST_RESOLVE must be name=address');
const systemLookup = dns.lookup;

dns.lookup = function lookup(hostname, ...rest) {
  if (String(hostname).toLowerCase() !== name.toLowerCase()) {
    return systemLookup.call(this, hostname, ...rest);
  }
  const [options, callback] = rest;
  const done = typeof options === 'function' ? options : callback;
  const all = typeof options === 'object' && options !== null && options.all;
  process.nextTick(() => (all ? done(null, [{ address, family: 4 }]) : done(null, address, 4)));
  return {};
};
