// The SSRF guard (core/address-guard.ts): which addresses an upstream may be reached on, checked
// on what its name resolves to at connect time, on the addresses written in the config at start,
// and no redirect followed; end to end through the gateway on 127.0.0.1.
import assert from 'node:assert/strict';
import { lookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { hostname } from 'node:os';
import { describe, it } from 'node:test';
import { parseConfig } from '../src/config/load.js';
import {
  type AddressKind,
  type AddressRule,
  addressKind,
  checkConfiguredUrl,
  guardedLookup,
} from '../src/core/address-guard.js';
import { startDouble } from './doubles/http-double.js';
import { startOpenAIDouble } from './doubles/openai-upstream.js';
import { postJson, providerEntry, startTestGateway, type TestGateway } from './helpers.js';
import { startEverythingServer } from './support/everything-http.js';
import { eventually } from './support/manual-clock.js';
import { entriesOf } from './support/entry-record.js';

const rented: AddressRule = { name: 'provider "cloud"', ownership: 'rented' };
const owned: AddressRule = { name: 'provider "local"', ownership: 'owned' };
const flagged: AddressRule = { name: 'provider "link"', ownership: 'rented', privateNetwork: true };

describe('the SSRF guard: kinds of address', () => {
  const table: Array<[string, AddressKind]> = [
    ['8.8.8.8', 'public'],
    ['2606:4700:4700::1111', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['0.0.0.0', 'loopback'],
    ['::1', 'loopback'],
    ['::', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['64:ff9b::7f00:1', 'loopback'],
    ['2002:7f00:1::', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.1', 'public'],
    ['192.168.1.20', 'private'],
    ['100.64.0.1', 'private'],
    ['fd12:3456::1', 'private'],
    ['::ffff:10.0.0.1', 'private'],
    ['2002:c0a8:0101::', 'private'],
    ['169.254.169.254', 'link-local'],
    ['fe80::1', 'link-local'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['64:ff9b::a9fe:a9fe', 'link-local'],
    ['224.0.0.1', 'unusable'],
    ['255.255.255.255', 'unusable'],
    ['ff02::1', 'unusable'],
    ['192.0.2.1', 'unusable'],
    ['::7f00:1', 'loopback'],
    ['::127.0.0.1', 'loopback'],
    ['::ffff:0:a9fe:a9fe', 'link-local'],
    ['64:ff9b:1::a9fe:a9fe', 'link-local'],
    ['fec0::1', 'private'],
    ['fd00:ec2::254', 'link-local'],
    ['fd20:ce::254', 'link-local'],
    ['100.100.100.200', 'link-local'],
    ['100.100.100.201', 'private'],
    ['not an address', 'unusable'],
  ];
  for (const [address, kind] of table)
    it(`${address} is ${kind}`, () => {
      assert.equal(addressKind(address), kind);
    });
});

describe('the SSRF guard: addresses written in the config', () => {
  it('allows a loopback address or localhost for anyone, as the operator wrote it', () => {
    for (const url of ['http://127.0.0.1:9000/v1', 'http://[::1]:9000', 'http://localhost:8080', 'http://a.localhost'])
      assert.equal(checkConfiguredUrl(rented, url), undefined, url);
  });
  it('allows a private address to an owned upstream or one saying private_network, refuses it otherwise', () => {
    assert.equal(checkConfiguredUrl(owned, 'http://10.0.0.5:8000/v1'), undefined);
    assert.equal(checkConfiguredUrl(flagged, 'http://10.0.0.5:8000/v1'), undefined);
    assert.match(
      checkConfiguredUrl(rented, 'http://10.0.0.5:8000/v1') ?? '',
      /^10\.0\.0\.5 is a private address, and the rented upstream does not say private_network: true$/,
    );
  });
  it('refuses link-local (cloud metadata) unless private_network says so, even when owned', () => {
    assert.match(checkConfiguredUrl(owned, 'http://169.254.169.254/latest') ?? '', /link-local/);
    assert.match(checkConfiguredUrl(rented, 'http://[fe80::1]/') ?? '', /link-local/);
    assert.equal(checkConfiguredUrl(flagged, 'http://169.254.169.254/'), undefined);
  });
  it('refuses multicast and reserved addresses whatever the config says', () => {
    assert.match(checkConfiguredUrl(flagged, 'http://224.0.0.1/') ?? '', /multicast, reserved/);
  });
  it('leaves names to the connect-time check', () => {
    assert.equal(checkConfiguredUrl(rented, 'https://api.example.com/v1'), undefined);
  });
  it('stops config check and start on a refused address, naming where it is written', () => {
    const invalid = (raw: Record<string, unknown>): string => {
      try {
        parseConfig(raw, 'test config');
      } catch (error) {
        return (error as Error).message;
      }
      return 'valid';
    };
    assert.match(
      invalid({
        providers: [providerEntry('cloud', 'http://169.254.169.254/v1', { ownership: 'rented' })],
        models: { default: { candidates: ['cloud/m1'] } },
      }),
      /providers\[0\]\.base_url: 169\.254\.169\.254 is a link-local address/,
    );
    assert.match(
      invalid({ actions: { downstream: 'http://169.254.169.254/act' } }),
      /actions\.downstream: 169\.254\.169\.254 is a link-local address/,
    );
    const server = { transport: 'http', jurisdiction: 'US', operator: 'CRM Inc', ownership: 'rented' };
    assert.match(
      invalid({ mcp: { servers: [{ id: 'crm', url: 'http://10.1.1.1/mcp', ...server }] } }),
      /mcp\.servers\[0\]\.url: 10\.1\.1\.1 is a private address, and the rented upstream does not say private_network: true/,
    );
    assert.equal(
      invalid({ mcp: { servers: [{ id: 'crm', url: 'http://10.1.1.1/mcp', ...server, private_network: true }] } }),
      'valid',
    );
  });
});

/** A resolver that answers `addresses` for every name (the system's own is used end to end below). */
function resolvingTo(...addresses: string[]) {
  return ((_name: string, _options: unknown, callback: (error: null, found: LookupAddress[]) => void) =>
    callback(
      null,
      addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    )) as unknown as typeof lookup;
}

function lookUp(
  rule: AddressRule,
  resolver: typeof lookup,
  all: boolean,
): Promise<{ error: (Error & { code?: string }) | null; found: unknown }> {
  return new Promise((resolve) =>
    guardedLookup(rule, resolver)('api.example.com', { all }, (error, found) => resolve({ error, found })),
  );
}

describe('the SSRF guard: names, as they resolve at connect time', () => {
  it('refuses a name that resolves to loopback, private or link-local for a rented upstream', async () => {
    for (const address of ['127.0.0.1', '10.0.0.9', '169.254.169.254', '::ffff:192.168.0.1']) {
      const { error } = await lookUp(rented, resolvingTo(address), true);
      assert.equal(error?.code, 'ERR_ADDRESS_REFUSED', address);
      assert.match(
        error!.message,
        new RegExp(`^provider "cloud": api\\.example\\.com refused: it resolved to ${address.replace(/\./g, '\\.')}`),
      );
    }
  });
  it('lets an owned upstream resolve to loopback and private addresses, not link-local', async () => {
    assert.equal((await lookUp(owned, resolvingTo('10.0.0.9'), true)).error, null);
    assert.equal((await lookUp(owned, resolvingTo('127.0.0.1'), false)).found, '127.0.0.1');
    assert.equal((await lookUp(owned, resolvingTo('169.254.169.254'), true)).error?.code, 'ERR_ADDRESS_REFUSED');
  });
  it('keeps only the allowed addresses of a name that resolves to both (a rebinding attempt)', async () => {
    const { error, found } = await lookUp(rented, resolvingTo('127.0.0.1', '93.184.215.14', '10.0.0.1'), true);
    assert.equal(error, null);
    assert.deepEqual(found, [{ address: '93.184.215.14', family: 4 }]);
    assert.equal((await lookUp(rented, resolvingTo('127.0.0.1', '93.184.215.14'), false)).found, '93.184.215.14');
  });
  it('answers localhost names itself, as the config check reads them: allowed for anyone, no resolver asked', async () => {
    const never = (() => {
      throw new Error('the resolver was asked');
    }) as unknown as typeof lookup;
    for (const name of ['localhost', 'LOCALHOST', 'localhost.', 'api.localhost']) {
      const { error, found } = await new Promise<{ error: Error | null; found: unknown }>((resolve) =>
        guardedLookup(rented, never)(name, { all: true }, (failure, addresses) =>
          resolve({ error: failure, found: addresses }),
        ),
      );
      assert.equal(error, null, name);
      assert.deepEqual(found, [{ address: '127.0.0.1', family: 4 }]);
    }
  });
  it('passes a resolution error on as it is', async () => {
    const failing = ((_name: string, _options: unknown, callback: (error: Error) => void) =>
      callback(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }))) as unknown as typeof lookup;
    assert.equal((await lookUp(rented, failing, true)).error?.code, 'ENOTFOUND');
  });
});

/** This machine's name when it resolves to 127.0.0.1 (it does in most /etc/hosts), for a name that is not a literal. */
async function loopbackName(): Promise<string | undefined> {
  const name = hostname();
  const found = await new Promise<LookupAddress[]>((resolve) =>
    lookup(name, { all: true }, (error, addresses) => resolve(error ? [] : addresses)),
  );
  return found.length > 0 && found.every((entry) => entry.address === '127.0.0.1') ? name : undefined;
}

describe('the SSRF guard end to end, names resolved by a resolver of the test', () => {
  /** Every name resolves to 127.0.0.1, as a rebound or hostile DNS answer would make it. */
  const rebound = resolvingTo('127.0.0.1') as unknown as LookupFunction;

  it('refuses a rented provider whose name resolves to loopback at connect time, and reaches it with private_network', async () => {
    const upstream = await startOpenAIDouble();
    const url = upstream.url.replace('127.0.0.1', 'api.cloud.example');
    const gateway = await startTestGateway(
      {
        providers: [
          providerEntry('cloud', url, { ownership: 'rented', jurisdiction: 'US' }),
          providerEntry('linked', url, { ownership: 'rented', jurisdiction: 'US', private_network: true }),
          providerEntry('own', url, { ownership: 'owned' }),
        ],
        models: {
          refused: { candidates: ['cloud/m1'] },
          linked: { candidates: ['linked/m1'] },
          own: { candidates: ['own/m1'] },
        },
        routing: { retries: 0 },
      },
      { resolve: rebound },
    );
    try {
      const auth = { authorization: `Bearer ${gateway.key}` };
      const ask = (model: string) =>
        postJson(`${gateway.url}/v1/chat/completions`, { model, messages: [{ role: 'user', content: 'hello' }] }, auth);
      const refused = await ask('refused');
      assert.equal(refused.status, 502, refused.text);
      assert.equal(refused.json.error.code, 'upstream_error');
      assert.ok(!refused.text.includes('127.0.0.1'), 'the client is not told where the gateway tried');
      assert.equal(upstream.received.length, 0, 'nothing reached the address');
      const [entry] = await entriesOf(gateway, refused.headers.get('x-request-id')!);
      assert.equal(entry?.attempts[0]?.outcome, 'connect');
      const listed = (await fetch(`${gateway.url}/v1/providers`, { headers: auth }).then((r) => r.json())) as any;
      assert.match(
        listed.providers.find((provider: { id: string }) => provider.id === 'cloud').last_error.message,
        /api\.cloud\.example refused: it resolved to 127\.0\.0\.1, a loopback address/,
      );
      assert.equal((await ask('linked')).status, 200, 'private_network: true');
      assert.equal((await ask('own')).status, 200, 'owned');
      assert.equal(upstream.received.length, 2);
    } finally {
      await gateway.close();
      await upstream.close();
    }
  });
});

describe('the SSRF guard end to end', async () => {
  const name = await loopbackName();
  it('refuses a rented provider whose name resolves to loopback (502, its ledger entry, the reason for admins only), and reaches it with private_network', {
    skip: name === undefined ? `this machine's name (${hostname()}) does not resolve to 127.0.0.1 alone` : false,
  }, async () => {
    const upstream = await startOpenAIDouble();
    const url = upstream.url.replace('127.0.0.1', name!);
    const gateway = await startTestGateway({
      providers: [
        providerEntry('cloud', url, { ownership: 'rented', jurisdiction: 'US' }),
        providerEntry('linked', url, { ownership: 'rented', jurisdiction: 'US', private_network: true }),
      ],
      models: { refused: { candidates: ['cloud/m1'] }, linked: { candidates: ['linked/m1'] } },
      routing: { retries: 0 },
    });
    try {
      const auth = { authorization: `Bearer ${gateway.key}` };
      const refused = await postJson(
        `${gateway.url}/v1/chat/completions`,
        { model: 'refused', messages: [{ role: 'user', content: 'hello' }] },
        auth,
      );
      assert.equal(refused.status, 502, refused.text);
      assert.equal(refused.json.error.code, 'upstream_error');
      assert.ok(!refused.text.includes('127.0.0.1'), 'the client is not told where the gateway tried');
      assert.equal(upstream.received.length, 0, 'nothing reached the address');
      const providers = await fetch(`${gateway.url}/v1/providers`, { headers: auth }).then(
        (r) => r.json() as Promise<any>,
      );
      const cloud = providers.providers.find((entry: { id: string }) => entry.id === 'cloud');
      assert.match(
        cloud.last_error.message,
        new RegExp(`${name} refused: it resolved to 127\\.0\\.0\\.1, a loopback address`),
      );
      const [entry] = await entriesOf(gateway, refused.headers.get('x-request-id')!);
      assert.equal(entry?.status, 502, 'the refusal has its ledger entry');
      assert.equal(entry?.attempts[0]?.outcome, 'connect');

      const linked = await postJson(
        `${gateway.url}/v1/chat/completions`,
        { model: 'linked', messages: [{ role: 'user', content: 'hello' }] },
        auth,
      );
      assert.equal(linked.status, 200, linked.text);
      assert.equal(upstream.received.length, 1);
    } finally {
      await gateway.close();
      await upstream.close();
    }
  });

  it('follows no redirect: a 307 to another host reaches nothing there and is a 502', async () => {
    const elsewhere = await startOpenAIDouble();
    const redirecting = await startDouble((request, _behaviour, response) => {
      response.writeHead(307, { location: `${elsewhere.url}${request.path.replace(/^\/v1/, '')}` }).end();
    });
    const gateway = await startTestGateway({
      providers: [providerEntry('moved', redirecting.url, { ownership: 'rented', jurisdiction: 'US' })],
      models: { default: { candidates: ['moved/m1'] } },
      routing: { retries: 0 },
    });
    try {
      const response = await postJson(
        `${gateway.url}/v1/chat/completions`,
        { model: 'default', messages: [{ role: 'user', content: 'hello' }] },
        { authorization: `Bearer ${gateway.key}` },
      );
      assert.equal(response.status, 502, response.text);
      assert.equal(redirecting.received.length, 1);
      assert.equal(elsewhere.received.length, 0, 'the redirect was not followed');
    } finally {
      await gateway.close();
      await redirecting.close();
      await elsewhere.close();
    }
  });
});

describe('the SSRF guard for tool servers', async () => {
  const name = await loopbackName();
  const servers = async (gateway: TestGateway): Promise<any[]> =>
    (
      (await (
        await fetch(`${gateway.url}/v1/mcp/servers`, { headers: { authorization: `Bearer ${gateway.key}` } })
      ).json()) as { servers: any[] }
    ).servers;

  it('keeps a rented tool server whose name resolves to loopback down, saying why, and reaches it with private_network', {
    skip: name === undefined ? `this machine's name (${hostname()}) does not resolve to 127.0.0.1 alone` : false,
  }, async () => {
    const tools = await startEverythingServer();
    const url = tools.url.replace('127.0.0.1', name!);
    const described = { transport: 'http', url, jurisdiction: 'US', operator: 'Tools Inc', ownership: 'rented' };
    const gateway = await startTestGateway({
      providers: [],
      models: {},
      mcp: {
        servers: [
          { id: 'refused', ...described },
          { id: 'linked', ...described, private_network: true },
        ],
      },
    });
    try {
      const listed = await eventually(
        () => servers(gateway),
        (list) => list.every((server) => server.state !== 'starting'),
        'both tool servers tried',
      );
      const refused = listed.find((server) => server.id === 'refused');
      assert.equal(refused.state, 'down');
      assert.match(
        refused.last_error,
        new RegExp(`${name} refused: it resolved to 127\\.0\\.0\\.1, a loopback address`),
      );
      assert.equal(listed.find((server) => server.id === 'linked').state, 'ready');
    } finally {
      await gateway.close();
      await tools.close();
    }
  });

  it('follows no redirect from a tool server', async () => {
    const tools = await startEverythingServer();
    const redirecting = await startDouble((request, _behaviour, response) => {
      response.writeHead(307, { location: `${tools.url}${request.path}` }).end();
    }, '');
    const gateway = await startTestGateway({
      providers: [],
      models: {},
      mcp: {
        servers: [
          {
            id: 'moved',
            transport: 'http',
            url: `${redirecting.url}/mcp`,
            jurisdiction: 'local',
            operator: 'IT',
            ownership: 'owned',
          },
        ],
      },
    });
    try {
      const [moved] = await eventually(
        () => servers(gateway),
        (list) => list[0]?.state !== 'starting',
        'the tool server tried',
      );
      assert.equal(moved.state, 'down');
      assert.ok(redirecting.received.length >= 1, 'the redirecting server was asked');
      assert.equal(tools.received.length, 0, 'the redirect was not followed');
    } finally {
      await gateway.close();
      await redirecting.close();
      await tools.close();
    }
  });
});
