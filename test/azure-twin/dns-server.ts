/**
 * The twin's DNS server: UDP on 127.0.0.1, answering the twin's database host names as Azure DNS
 * answers them on the internet (dns.ts, `resolveInTwin` with no vantage: the developer's machine
 * outside every virtual network). It is what SC_DOCTOR_DNS_SERVER points sc-doctor at in a shell that
 * sourced .twin/env, so a private server's name gets the answer a machine outside its network gets,
 * and no twin host name is ever asked of the machine's DNS. Names outside the twin are REFUSED.
 */
import { createSocket, type Socket } from 'node:dgram';
import { type DnsHost, resolveInTwin } from './dns.ts';
import { type DnsQuestion, type DnsRecord, RCODE, readQuestion, TYPE, writeAnswer } from './dns-wire.ts';

/** The zones the twin answers for (its clouds' database suffixes, privatelink and private zones included). */
const TWIN_ZONE = /(^|\.)twin\.test$/i;

export interface TwinDnsServer {
  /** `127.0.0.1:PORT`, as SC_DOCTOR_DNS_SERVER takes it. */
  address: string;
  close(): Promise<void>;
}

/** What the twin answers to one question. */
export function answerQuestion(host: DnsHost, question: DnsQuestion): Buffer {
  const name = question.name.toLowerCase();
  if (!TWIN_ZONE.test(name) || question.qclass !== 1) return writeAnswer(question, RCODE.REFUSED);
  const found = resolveInTwin(host, name);
  if (!found) return writeAnswer(question, RCODE.NXDOMAIN);
  const records: DnsRecord[] = [];
  let owner = found.hostname;
  for (const target of found.cnames) {
    records.push({ name: owner, type: TYPE.CNAME, data: target });
    owner = target;
  }
  if (question.type === TYPE.CNAME) {
    return writeAnswer(question, RCODE.NOERROR, records.slice(0, 1));
  }
  // A chain that ends nowhere: the CNAMEs and no such name, as Azure's public zone answers a
  // VNet-integrated server's private target.
  if (found.addresses.length === 0) return writeAnswer(question, RCODE.NXDOMAIN, records);
  if (question.type === TYPE.A) {
    for (const address of found.addresses) records.push({ name: owner, type: TYPE.A, data: address });
  }
  // AAAA and other types: the chain, and no data of that type (the twin's servers are IPv4 only).
  return writeAnswer(question, RCODE.NOERROR, records);
}

/** Starts the server on an ephemeral 127.0.0.1 UDP port. */
export async function startTwinDnsServer(host: DnsHost): Promise<TwinDnsServer> {
  const socket: Socket = createSocket('udp4');
  socket.on('message', (message, remote) => {
    const question = readQuestion(message);
    if (!question) return;
    socket.send(answerQuestion(host, question), remote.port, remote.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      socket.off('error', reject);
      resolve();
    });
  });
  return {
    address: `127.0.0.1:${socket.address().port}`,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
