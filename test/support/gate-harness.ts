// The action gate as the gateway serves it: the real app (src/api/server.ts builds the gate, its
// ports and its downstream on the one clock) on 127.0.0.1, with what the gate's tests need at hand.
import type { Config } from '../../src/config/schema.js';
import type { Clock } from '../../src/core/clock.js';
import type { ActionGate } from '../../src/gate/gate.js';
import type { SignerKey } from '../../src/ledger/note.js';
import { createApiKey } from '../../src/pipeline/auth.js';
import type { Scope, Store } from '../../src/store/store.js';
import { startTestGateway } from '../helpers.js';

export interface GateHarness {
  url: string;
  gate: ActionGate;
  store: Store;
  config: Config;
  policyHash: string;
  /** The ledger's signing key (receipts verify with it). */
  signer: SignerKey;
  /** The gateway's log lines (JSON), warnings and background failures included. */
  logs: string[];
  /** A new API key with these scopes, usable at once. */
  key(name: string, scopes: Scope[]): Promise<string>;
  /** As the server's shutdown (waiting clients are told 503), then the store closes too; the data directory stays. */
  close(): Promise<void>;
}

export interface GateHarnessOptions {
  /** The data directory (kept on close, so a restart can reuse it). */
  dataDirectory: string;
  clock: Clock;
  /** Reuse a ledger signing key (a restart over the same data directory). */
  signer?: SignerKey;
}

export async function startGateHarness(
  rawConfig: Record<string, unknown>,
  options: GateHarnessOptions,
): Promise<GateHarness> {
  const gateway = await startTestGateway(rawConfig, {
    dataDirectory: options.dataDirectory,
    signer: options.signer,
    clock: options.clock,
  });
  const { app, store } = gateway;
  return {
    url: gateway.url,
    gate: app.gate,
    store,
    config: gateway.config,
    policyHash: app.gateway.policyHash,
    signer: gateway.signer,
    logs: gateway.logs,
    async key(name, scopes) {
      const { key } = await createApiKey(store, { name, scopes, rpm: null, now: options.clock.now() });
      // Without waiting for the periodic reload (which runs on the test's clock).
      await app.keys.refresh();
      return key;
    },
    close: () => gateway.close(),
  };
}
