/**
 * The real network services on loopback only: TCP connects to a local listener and to a closed port,
 * the routing-table reader on sample tables, the IPv4 helpers, and the stated public IP. The real DNS
 * resolver is not exercised here: it would ask the machine's DNS servers.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { addressKind, ipv4InCidr, ipv4InRange } from '../../source/core/ip.ts';
import { createNodeNet, linuxRoutes } from '../../source/services/net.ts';
import { statedPublicIp } from '../../source/services/public-ip.ts';

test('tcpConnect: a listening loopback port connects; a closed one is refused', async () => {
  const server = createServer((socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const net = createNodeNet();
  try {
    assert.deepEqual(await net.tcpConnect('127.0.0.1', port, { timeoutMs: 2_000 }), { ok: true });
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
  const closed = await net.tcpConnect('127.0.0.1', port, { timeoutMs: 2_000 });
  assert.deepEqual(closed, { ok: false, reason: 'refused', code: 'ECONNREFUSED' });
});

test('tcpConnect: an aborted signal ends the attempt as aborted', async () => {
  const net = createNodeNet();
  const controller = new AbortController();
  controller.abort();
  assert.deepEqual(await net.tcpConnect('127.0.0.1', 9, { timeoutMs: 2_000, signal: controller.signal }), {
    ok: false,
    reason: 'aborted',
  });
});

// A laptop on Wi-Fi (192.168.1.0/24) with a default route, and a VPN route for 10.20.0.0/16.
const ROUTES = `Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
wlan0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0
wlan0\t0001A8C0\t00000000\t0001\t0\t0\t600\t00FFFFFF\t0\t0\t0
tun0\t0000140A\t00000000\t0001\t0\t0\t50\t0000FFFF\t0\t0\t0
`;

test('linuxRoutes reads /proc/net/route and leaves the default route out', () => {
  assert.deepEqual(linuxRoutes(ROUTES), [
    { network: '192.168.1.0', prefix: 24 },
    { network: '10.20.0.0', prefix: 16 },
  ]);
});

test('hasRouteTo: a VPN route covers its VNet; the default route alone covers nothing private', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sc-doctor-routes-'));
  try {
    const file = join(dir, 'route');
    await writeFile(file, ROUTES);
    const net = createNodeNet(file);
    assert.equal(await net.hasRouteTo('10.20.1.4'), true);
    assert.equal(await net.hasRouteTo('10.30.1.4'), false);
    assert.equal(await net.hasRouteTo('172.16.5.4'), false);
    assert.equal(await net.hasRouteTo('fd00::4'), undefined);
    // Loopback is on an interface subnet (lo, 127.0.0.0/8) whatever the table says.
    assert.equal(await net.hasRouteTo('127.0.0.1'), true);
    assert.equal(await createNodeNet(join(dir, 'missing')).hasRouteTo('10.30.1.4'), undefined);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('IPv4 helpers: private ranges, CIDR and inclusive rule ranges', () => {
  assert.equal(addressKind('10.1.2.3'), 'private');
  assert.equal(addressKind('172.16.0.1'), 'private');
  assert.equal(addressKind('172.31.255.255'), 'private');
  assert.equal(addressKind('172.32.0.1'), 'public');
  assert.equal(addressKind('192.168.10.1'), 'private');
  assert.equal(addressKind('100.64.0.1'), 'private');
  assert.equal(addressKind('20.62.1.7'), 'public');
  assert.equal(addressKind('127.0.0.1'), 'loopback');
  assert.equal(addressKind('fd12::1'), 'private');
  assert.equal(ipv4InCidr('10.20.1.4', '10.20.0.0', 16), true);
  assert.equal(ipv4InCidr('10.21.1.4', '10.20.0.0', 16), false);
  assert.equal(ipv4InRange('203.0.113.7', '203.0.113.0', '203.0.113.7'), true);
  assert.equal(ipv4InRange('203.0.113.8', '203.0.113.0', '203.0.113.7'), false);
  assert.equal(ipv4InRange('203.0.113.7', '0.0.0.0', '255.255.255.255'), true);
  assert.equal(ipv4InRange('not-an-ip', '0.0.0.0', '255.255.255.255'), false);
});

test('a stated public IP is answered as stated, naming where it came from', async () => {
  assert.deepEqual(await statedPublicIp('203.0.113.7').lookup(), {
    ok: true,
    address: '203.0.113.7',
    source: 'SC_DOCTOR_PUBLIC_IP',
  });
});
