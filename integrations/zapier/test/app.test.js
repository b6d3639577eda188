'use strict';

// The app's definition and its pure parts, without a server: Zapier's schema accepts it,
// the authorize URL, Standard Webhooks signatures, problem documents in words.

// zapier-platform-core logs its memory use on every call unless it runs under test.
process.env.NODE_ENV = process.env.NODE_ENV || 'test';

const assert = require('node:assert/strict');
const { test } = require('node:test');

process.env.KLUIS_URL = process.env.KLUIS_URL || 'https://kluis.example.com';
process.env.CLIENT_ID = process.env.CLIENT_ID || 'test-client';

const zapier = require('zapier-platform-core');
const schema = require('zapier-platform-core/src/tools/schema');

const App = require('../index');
const { EVENTS } = require('../lib/events');
const { describeProblem } = require('../lib/http');
const { verify, signatureOf } = require('../lib/signature');
const { asDate, idempotencyKey } = require('../creates/employees');

const appTester = zapier.createAppTester(App);

test('Zapier accepts the app definition (what `zapier validate` checks)', () => {
  assert.deepEqual(schema.validateApp(schema.compileApp(App)), []);
});

test('every event of the table is a REST-hook trigger with subscribe, unsubscribe and a list', () => {
  assert.ok(EVENTS.length >= 3);
  for (const definition of EVENTS) {
    const trigger = App.triggers[definition.key];
    assert.equal(trigger.operation.type, 'hook');
    for (const method of ['performSubscribe', 'performUnsubscribe', 'perform', 'performList']) {
      assert.equal(typeof trigger.operation[method], 'function', `${definition.key}.${method}`);
    }
    assert.equal(trigger.operation.sample.event_type, definition.event);
  }
  assert.deepEqual(
    EVENTS.map((definition) => definition.event),
    [
      'employee.created',
      'employee.updated',
      'employee.left',
      'leave_request.created',
      'leave_request.approved',
      'absence.started',
      'checklist.started',
      'checklist.completed',
    ],
  );
});

test('the authorize URL asks Kluis for the code with the five scopes', async () => {
  const url = new URL(
    await appTester(App.authentication.oauth2Config.authorizeUrl, {
      inputData: { redirect_uri: 'https://zapier.com/return/', state: 's1' },
    }),
  );
  assert.equal(`${url.origin}${url.pathname}`, `${process.env.KLUIS_URL}/oauth/authorize`);
  assert.equal(url.searchParams.get('response_type'), 'code');
  assert.equal(url.searchParams.get('client_id'), process.env.CLIENT_ID);
  assert.equal(url.searchParams.get('redirect_uri'), 'https://zapier.com/return/');
  assert.equal(url.searchParams.get('state'), 's1');
  assert.equal(url.searchParams.get('scope'), 'employees:read employees:write timeoff:read checklists:read webhooks:write');
  assert.equal(App.authentication.oauth2Config.enablePkce, true);
});

test('a Standard Webhooks signature is checked: right, altered, old, unsigned', () => {
  const secret = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
  const body = '{"id":"evt_1","type":"employee.created"}';
  const now = 1_800_000_000;
  const headers = {
    'Http-Webhook-Id': 'msg_1',
    'Http-Webhook-Timestamp': String(now),
    'Http-Webhook-Signature': `v1,bm90IHRoaXMgb25l v1,${signatureOf(secret, 'msg_1', now, body)}`,
  };
  assert.equal(verify(secret, headers, body, now + 10), 'msg_1');
  assert.throws(() => verify(secret, headers, body.replace('evt_1', 'evt_2'), now), /does not match/);
  assert.throws(() => verify(secret, headers, body, now + 301), /too old/);
  assert.throws(() => verify(secret, {}, body, now), /not signed/);
  const other = `whsec_${Buffer.from('another secret of thirty-two by').toString('base64')}`;
  assert.throws(() => verify(other, headers, body, now), /does not match/);
});

test('a problem document becomes one line naming each refused field', () => {
  const problem = {
    type: 'urn:kluis:problem:validation-error',
    title: 'Validation error',
    status: 422,
    detail: 'Some values are not valid.',
    errors: [
      { field: 'work_email', message: 'Enter a valid email address.' },
      { field: 'employment.start_date', message: 'This field is required.' },
    ],
  };
  assert.equal(
    describeProblem(problem, 422),
    'Some values are not valid. work_email: Enter a valid email address. employment.start_date: This field is required.',
  );
  assert.equal(describeProblem({}, 500), 'HTTP 500');
});

test('dates from Zapier keep their calendar day; a repeated hire has the same idempotency key', () => {
  assert.equal(asDate('2026-04-01T00:00:00+02:00'), '2026-04-01');
  assert.equal(asDate('2026-04-01'), '2026-04-01');
  const body = { first_name: 'Ilse', employment: { start_date: '2026-04-01' } };
  assert.equal(idempotencyKey(body), idempotencyKey({ ...body }));
  assert.notEqual(idempotencyKey(body), idempotencyKey({ ...body, first_name: 'Ilsa' }));
});

// A delivery as Kluis signs it and Zapier hands it to the hook's perform.
const HOOK_SECRET = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
const signedBundle = (payload, secret = HOOK_SECRET) => {
  const content = JSON.stringify(payload);
  const now = Math.floor(Date.now() / 1000);
  return {
    subscribeData: { id: 1, secret },
    cleanedRequest: payload,
    rawRequest: {
      method: 'POST',
      querystring: '',
      content,
      headers: {
        'Http-Webhook-Id': 'msg_1',
        'Http-Webhook-Timestamp': String(now),
        'Http-Webhook-Signature': `v1,${signatureOf(secret, 'msg_1', now, content)}`,
      },
    },
  };
};

test('a hook request that is not this trigger\'s event gives no item (the ping, another event)', async () => {
  const ping = { id: 'evt_p', type: 'ping', timestamp: '2026-03-02T09:15:00Z', company: {}, data: { type: 'webhook', id: 1 } };
  const items = await appTester(App.triggers.new_employee.operation.perform, signedBundle(ping));
  assert.deepEqual(items, []);
  const other = { ...ping, id: 'evt_o', type: 'employee.left', data: { type: 'employee', id: 3, object: null } };
  assert.deepEqual(await appTester(App.triggers.new_employee.operation.perform, signedBundle(other)), []);
});

test('a hook request that cannot be checked against the secret is refused, never an item', async () => {
  // Anyone who learns a Zap's hook URL can post to it: without the raw request (or
  // without the subscription's secret) nothing proves Kluis sent it.
  const forged = {
    id: 'evt_f',
    type: 'employee.created',
    timestamp: '2026-03-02T09:15:00Z',
    company: { id: 1, slug: 'demo-bv' },
    data: { type: 'employee', id: 3, url: null, object: { id: 3, first_name: 'Mallory' } },
  };
  const perform = App.triggers.new_employee.operation.perform;
  const signed = signedBundle(forged);
  assert.equal((await appTester(perform, signed))[0].event_id, 'evt_f');
  const unchecked = [
    { subscribeData: signed.subscribeData, cleanedRequest: forged },
    { ...signed, rawRequest: { ...signed.rawRequest, content: undefined } },
    { ...signed, subscribeData: { id: 1 } },
    { cleanedRequest: forged, rawRequest: signed.rawRequest },
    { ...signed, rawRequest: { ...signed.rawRequest, headers: {} } },
  ];
  for (const bundle of unchecked) {
    await assert.rejects(appTester(perform, bundle), /Refused a delivery/);
  }
  // What is checked is what is read: the signed body, whatever else came parsed with it.
  const swapped = { ...signed, cleanedRequest: { ...forged, id: 'evt_other' } };
  assert.equal((await appTester(perform, swapped))[0].event_id, 'evt_f');
});
