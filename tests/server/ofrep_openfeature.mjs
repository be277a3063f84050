// Drives a real `sluice serve` with the OpenFeature server SDK and its OFREP
// provider from npm, the way a Node.js service would use sluice, and checks
// values, reasons, variants and error codes.
//
// Usage: node ofrep_openfeature.mjs PATH/TO/sluice
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OpenFeature } from '@openfeature/server-sdk';
import { OFREPProvider } from '@openfeature/ofrep-provider';

const binary = process.argv[2];
const adminKey = 'ofrep-test-admin-key-0123456789abcdef';
const dataDir = mkdtempSync(join(tmpdir(), 'sluice-ofrep-'));

const config = {
  attributes: [{ name: 'country', type: 'string' }, { name: 'age', type: 'number' }],
  layers: [{ key: 'main' }],
  experiments: [{
    key: 'button', layer: 'main', status: 'running', traffic_share: 100,
    variants: [{ key: 'control', weight: 50, params: { color: 'blue' } },
               { key: 'treatment', weight: 50, params: { color: 'green' } }],
  }],
  flags: [
    { key: 'dark_mode', type: 'bool', default: false,
      rules: [{ audience: { attr: 'country', op: 'eq', value: 'NL' }, value: true }] },
    { key: 'title', type: 'string', default: 'Welcome' },
    { key: 'limit', type: 'number', default: 10, kill_switch: true, rules: [{ value: 20 }] },
    { key: 'color', type: 'string', default: 'grey',
      rules: [{ experiment: 'button', param: 'color' }] },
    { key: 'ranking', type: 'json', default: { model: 'v1', depth: 2 } },
  ],
};

function startServer() {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, ['serve', '--data', dataDir, '--listen', '127.0.0.1:0'], {
      env: { ...process.env, SLUICE_ADMIN_KEY: adminKey },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) resolve({ child, baseUrl: m[1] });
    });
    child.on('exit', (code) => reject(new Error(`sluice serve exited with ${code}: ${out}`)));
  });
}

async function call(baseUrl, method, path, key, body, headers = {}) {
  const response = await fetch(baseUrl + path, {
    method, headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  assert.ok(response.ok, `${method} ${path}: ${response.status} ${text}`);
  return JSON.parse(text);
}

const { child, baseUrl } = await startServer();
try {
  await call(baseUrl, 'PUT', '/v1/config', adminKey, config, { 'If-Match': '0' });
  const sdkKey = (await call(baseUrl, 'POST', '/v1/keys', adminKey, { name: 'node-service', role: 'sdk' })).secret;

  await OpenFeature.setProviderAndWait(new OFREPProvider({
    baseUrl, headers: { Authorization: `Bearer ${sdkKey}` },
  }));
  const client = OpenFeature.getClient();

  // Values and reasons of every kind of flag.
  let d = await client.getBooleanDetails('dark_mode', false, { targetingKey: 'u1', country: 'NL' });
  assert.equal(d.value, true);
  assert.equal(d.reason, 'TARGETING_MATCH');
  assert.equal(d.variant, 'rule-0');
  d = await client.getBooleanDetails('dark_mode', true, { targetingKey: 'u1', country: 'DE' });
  assert.equal(d.value, false);
  assert.equal(d.reason, 'DEFAULT');
  d = await client.getStringDetails('title', 'fallback', { targetingKey: 'u1' });
  assert.deepEqual([d.value, d.reason, d.errorCode], ['Welcome', 'DEFAULT', undefined]);
  d = await client.getNumberDetails('limit', 0, { targetingKey: 'u1' });
  assert.deepEqual([d.value, d.reason], [10, 'DISABLED']);
  d = await client.getObjectDetails('ranking', {}, { targetingKey: 'u1' });
  assert.deepEqual(d.value, { model: 'v1', depth: 2 });
  assert.equal(d.flagMetadata.configVersion, 1);

  // An experiment-linked flag agrees with POST /v1/decide for the same unit.
  for (const unit of ['u1', 'u2', 'u3', 'u4', 'u5', 'u6']) {
    const decided = await call(baseUrl, 'POST', '/v1/decide', sdkKey, { unit_id: unit });
    const button = decided.experiments.find((e) => e.key === 'button');
    d = await client.getStringDetails('color', 'none', { targetingKey: unit });
    assert.equal(d.reason, 'SPLIT');
    assert.equal(d.variant, button.variant);
    assert.equal(d.value, button.params.color);
    assert.equal(d.flagMetadata.experiment, 'button');
  }

  // Errors: the SDK returns the caller's default with the protocol's code.
  d = await client.getBooleanDetails('no_such_flag', true, { targetingKey: 'u1' });
  assert.deepEqual([d.value, d.reason, d.errorCode], [true, 'ERROR', 'FLAG_NOT_FOUND']);
  d = await client.getBooleanDetails('dark_mode', true, { country: 'NL' });
  assert.deepEqual([d.value, d.errorCode], [true, 'TARGETING_KEY_MISSING']);
  d = await client.getBooleanDetails('dark_mode', true, { targetingKey: 'u1', country: { nested: 1 } });
  assert.deepEqual([d.value, d.errorCode], [true, 'INVALID_CONTEXT']);
  d = await client.getNumberDetails('title', 7, { targetingKey: 'u1' });
  assert.deepEqual([d.value, d.errorCode], [7, 'TYPE_MISMATCH']);

  // A wrong key is refused (401) and the SDK falls back to the default.
  await OpenFeature.setProviderAndWait(new OFREPProvider({
    baseUrl, headers: { Authorization: 'Bearer not-a-key' },
  }));
  d = await OpenFeature.getClient().getBooleanDetails('dark_mode', true, { targetingKey: 'u1', country: 'NL' });
  assert.equal(d.value, true);
  assert.equal(d.reason, 'ERROR');
  assert.ok(d.errorCode, 'an unauthorised call reports an error code');
  await OpenFeature.close();
  console.log('OpenFeature OFREP client: all checks passed');
} finally {
  child.kill('SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
}
