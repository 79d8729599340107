/**
 * `node --import tsx test/helpers/dns-sentinel.ts LOG`: a DNS server on 127.0.0.1:53 (UDP and TCP)
 * that answers every question REFUSED and appends the name asked to LOG. scripts/in-namespace.sh
 * points the namespace's resolv.conf at it, so any DNS lookup a test makes through the machine's
 * resolver (getaddrinfo, c-ares), of a twin host name or a real one, is caught and fails the run:
 * tests answer DNS with the twin's own server or an injected resolver, never the machine's.
 * Prints `ready` on stdout once both sockets listen.
 */
import { createSocket } from 'node:dgram';
import { appendFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { RCODE, readQuestion, writeAnswer } from '../azure-twin/dns-wire.ts';

const log = process.argv[2];
if (!log) {
  process.stderr.write('usage: dns-sentinel.ts LOG\n');
  process.exit(2);
}

const TYPES: Record<number, string> = { 1: 'A', 5: 'CNAME', 28: 'AAAA', 33: 'SRV', 16: 'TXT', 12: 'PTR' };

/** Logs the question and returns the REFUSED answer (undefined for a message that is no query). */
function refuse(message: Buffer): Buffer | undefined {
  const question = readQuestion(message);
  if (!question) return undefined;
  appendFileSync(log!, `${question.name} ${TYPES[question.type] ?? question.type}\n`);
  return writeAnswer(question, RCODE.REFUSED);
}

const udp = createSocket('udp4');
udp.on('message', (message, remote) => {
  const answer = refuse(message);
  if (answer) udp.send(answer, remote.port, remote.address);
});

// TCP: each message has a two-byte length prefix.
const tcp = createServer((socket) => {
  let buffered = Buffer.alloc(0);
  socket.on('data', (chunk) => {
    buffered = Buffer.concat([buffered, chunk]);
    while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
      const length = buffered.readUInt16BE(0);
      const answer = refuse(buffered.subarray(2, 2 + length));
      buffered = buffered.subarray(2 + length);
      if (answer)
        socket.write(Buffer.concat([Buffer.from([answer.length >> 8, answer.length & 0xff]), answer]));
    }
  });
  socket.on('error', () => {});
});

await Promise.all([
  new Promise<void>((resolve) => udp.bind(53, '127.0.0.1', resolve)),
  new Promise<void>((resolve) => tcp.listen(53, '127.0.0.1', resolve)),
]);
process.stdout.write('ready\n');
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => process.exit(0));
