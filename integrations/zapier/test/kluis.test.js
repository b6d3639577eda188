'use strict';

// The app against a real Kluis (started by tests/integrations/zapier/test_zapier_app.py,
// which connects the app on Kluis's consent screen and passes the code in the environment):
// the OAuth exchange and refresh, the REST hooks subscribed, a change made through the
// actions reaching this file's hook server on 127.0.0.1, the trigger's item, samples,
// refusals in words, unsubscribing and nothing arriving after. Skipped without a server.

// zapier-platform-core logs its memory use on every call unless it runs under test.
process.env.NODE_ENV = process.env.NODE_ENV || 'test';

const assert = require('node:assert/strict');
const { test } = require('node:test');

const zapier = require('zapier-platform-core');

const App = require('../index');
const { EVENTS } = require('../lib/events');
const { hookTrigger } = require('../lib/hooks');
const { apiUrl } = require('../lib/config');
const { startHookServer, zapierHeaders } = require('./hook-server');

const LIVE = Boolean(process.env.KLUIS_TEST_CODE);
const appTester = zapier.createAppTester(App);
const DELIVERY_TIMEOUT_MS = 20_000;

const bundleWith = (authData, extra = {}) => ({ authData, inputData: {}, ...extra });

// An ad hoc request through the app's own request client (token, error handling).
const call = (authData, request) =>
  appTester(async (z) => {
    const response = await z.request({ skipThrowForStatus: true, ...request });
    return { status: response.status, data: response.data };
  }, bundleWith(authData));

// A delivery as Zapier hands it to the trigger's perform.
const hookBundle = (authData, subscribeData, delivery) => ({
  authData,
  subscribeData,
  targetUrl: delivery.url,
  rawRequest: { method: 'POST', headers: zapierHeaders(delivery.headers), content: delivery.body, querystring: '' },
  cleanedRequest: JSON.parse(delivery.body),
});

test('the app against a live Kluis', { skip: LIVE ? false : 'no Kluis: run tests/integrations/zapier/test_zapier_app.py' }, async (t) => {
  const hooks = await startHookServer();
  t.after(() => hooks.close());
  let authData;
  let firstRefreshToken;

  await t.test('the authorization code is exchanged (PKCE) and the connection tests', async () => {
    authData = await appTester(App.authentication.oauth2Config.getAccessToken, {
      inputData: {
        code: process.env.KLUIS_TEST_CODE,
        code_verifier: process.env.KLUIS_TEST_CODE_VERIFIER,
        redirect_uri: process.env.KLUIS_TEST_REDIRECT_URI,
      },
    });
    assert.ok(authData.access_token && authData.refresh_token);
    assert.deepEqual(authData.scope.split(' ').sort(), ['checklists:read', 'employees:read', 'employees:write', 'timeoff:read', 'webhooks:write']);
    const tested = await appTester(App.authentication.test, bundleWith(authData));
    assert.equal(tested.ok, true);
    assert.equal(tested.employees_visible, true);
  });

  await t.test('the token is refreshed; the old refresh token is spent', async () => {
    firstRefreshToken = authData.refresh_token;
    const refreshed = await appTester(App.authentication.oauth2Config.refreshAccessToken, bundleWith(authData));
    assert.notEqual(refreshed.refresh_token, firstRefreshToken);
    assert.notEqual(refreshed.access_token, authData.access_token);
    authData = { ...authData, ...refreshed };
    await appTester(App.authentication.test, bundleWith(authData));
  });

  // Which of the table's events this Kluis offers (employee.left came with a later change).
  const offered = await (async () => {
    if (!authData) return new Set();
    const types = await call(authData, { url: apiUrl('webhook-event-types/') });
    assert.equal(types.status, 200);
    return new Set(types.data.results.map((kind) => kind.name));
  })();
  const live = EVENTS.filter((definition) => offered.has(definition.event));
  const missing = EVENTS.filter((definition) => !offered.has(definition.event));
  for (const definition of missing) {
    t.diagnostic(`Kluis does not offer ${definition.event} yet: its trigger is not driven here`);
  }
  assert.ok(live.some((definition) => definition.event === 'employee.created'));
  const subscriptions = {};

  await t.test('each trigger subscribes its hook; Kluis pings it and the ping gives no item', async () => {
    // All at once, as Zapier turns on several Zaps: each gets its own subscription and ping.
    await Promise.all(
      live.map(async (definition) => {
        const targetUrl = `${hooks.url}/${definition.key}`;
        const subscribeData = await appTester(
          App.triggers[definition.key].operation.performSubscribe,
          { ...bundleWith(authData), targetUrl },
        );
        assert.ok(Number.isInteger(subscribeData.id));
        assert.deepEqual(subscribeData.event_types, [definition.event]);
        assert.match(subscribeData.secret, /^whsec_/);
        subscriptions[definition.key] = subscribeData;
        const ping = await hooks.waitFor(
          (d) => d.path === `/${definition.key}` && d.json.type === 'ping',
          DELIVERY_TIMEOUT_MS,
        );
        const items = await appTester(
          App.triggers[definition.key].operation.perform,
          hookBundle(authData, subscribeData, ping),
        );
        assert.deepEqual(items, []);
      }),
    );
    assert.equal(new Set(Object.values(subscriptions).map((s) => s.id)).size, live.length);
    for (const definition of live) {
      const id = subscriptions[definition.key].id;
      const deadline = Date.now() + DELIVERY_TIMEOUT_MS;
      let shown;
      do {
        shown = await call(authData, { url: apiUrl(`webhooks/${id}/`) });
        if (shown.data.status === 'active') break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      } while (Date.now() < deadline);
      assert.equal(shown.data.status, 'active', JSON.stringify(shown.data));
      assert.equal(shown.data.full_objects, true);
      assert.equal(shown.data.url, `${hooks.url}/${definition.key}`);
    }
  });

  let hired;
  const suffix = Date.now().toString(36);

  await t.test('"Create Employee" hires; "New Employee" gets the event as an item with the employee', async () => {
    hired = await appTester(App.creates.create_employee.operation.perform, {
      ...bundleWith(authData),
      inputData: {
        first_name: 'Zoë',
        last_name: `Zapier-${suffix}`,
        work_email: `zoe.${suffix}@demo-bv.test`,
        start_date: '2026-04-01T00:00:00+02:00',
        probation_end_date: '2026-09-30T00:00:00+02:00',
        job_title: 'Automation officer',
        contract_type: 'permanent',
        preferred_name: '',
        private_email: `zoe.${suffix}@example.com`,
      },
    });
    assert.ok(Number.isInteger(hired.id));
    assert.ok(!('private_email' in hired), 'written, not shown back: the app does not read personal data');
    assert.equal(hired.job_title, 'Automation officer');
    assert.equal(hired.first_name, 'Zoë');
    const contracts = await call(authData, { url: apiUrl(`employments/?employee=${hired.id}`) });
    assert.equal(contracts.data.results.length, 1);
    assert.equal(contracts.data.results[0].probation_end_date, '2026-09-30', 'the end of probation reached the contract');
    const delivery = await hooks.waitFor(
      (d) => d.path === '/new_employee' && d.json.type === 'employee.created' && d.json.data.id === hired.id,
      DELIVERY_TIMEOUT_MS,
    );
    const items = await appTester(
      App.triggers.new_employee.operation.perform,
      hookBundle(authData, subscriptions.new_employee, delivery),
    );
    assert.equal(items.length, 1);
    const [item] = items;
    assert.match(item.id, /^evt_/);
    assert.equal(item.id, delivery.json.id);
    assert.equal(item.event_type, 'employee.created');
    assert.equal(item.object_id, hired.id);
    assert.equal(item.object_url, apiUrl(`employees/${hired.id}/`));
    assert.equal(item.employee.id, hired.id);
    assert.equal(item.employee.last_name, `Zapier-${suffix}`);
    assert.equal(item.company_slug, 'demo-bv');
  });

  await t.test('a delivery that was altered or not signed by Kluis is refused', async () => {
    const delivery = hooks.received.find((d) => d.path === '/new_employee' && d.json.type === 'employee.created');
    const forged = { ...delivery, body: delivery.body.replace(`"id":${hired.id}`, `"id":${hired.id + 1000}`) };
    await assert.rejects(
      appTester(App.triggers.new_employee.operation.perform, hookBundle(authData, subscriptions.new_employee, forged)),
      /does not match/,
    );
    const unsigned = { ...delivery, headers: { 'content-type': 'application/json' } };
    await assert.rejects(
      appTester(App.triggers.new_employee.operation.perform, hookBundle(authData, subscriptions.new_employee, unsigned)),
      /not signed/,
    );
  });

  await t.test('"Update Employee" changes; "Updated Employee" names the changed fields', async () => {
    const changed = await appTester(App.creates.update_employee.operation.perform, {
      ...bundleWith(authData),
      inputData: { employee_id: String(hired.id), work_phone: '+32 2 555 01 99', version: hired.version, first_name: '' },
    });
    assert.equal(changed.work_phone, '+3225550199');
    assert.equal(changed.first_name, 'Zoë');
    assert.ok(changed.version > hired.version);
    const delivery = await hooks.waitFor(
      (d) => d.path === '/updated_employee' && d.json.data.id === hired.id && d.json.type === 'employee.updated',
      DELIVERY_TIMEOUT_MS,
    );
    const [item] = await appTester(
      App.triggers.updated_employee.operation.perform,
      hookBundle(authData, subscriptions.updated_employee, delivery),
    );
    assert.deepEqual(item.changed_fields, ['work_phone']);
    assert.equal(item.employee.work_phone, '+3225550199');
    hired = changed;
  });

  const size = `zap_size_${suffix}`;
  const remote = `zap_remote_${suffix}`;
  const since = `zap_since_${suffix}`;

  await t.test("the company's custom fields are inputs of the actions and reach the employee", async () => {
    for (const [key, field_type, extra] of [
      [size, 'choice', { choices: ['S', 'M', 'L'] }],
      [remote, 'boolean', {}],
      [since, 'date', {}],
    ]) {
      const made = await call(authData, {
        method: 'POST',
        url: apiUrl('custom-fields/'),
        headers: { 'Content-Type': 'application/json' },
        body: { key, label: `Zap ${field_type}`, field_type, ...extra },
      });
      assert.equal(made.status, 201, JSON.stringify(made.data));
    }
    const inputs = await appTester(App.creates.update_employee.operation.inputFields, bundleWith(authData));
    const byKey = Object.fromEntries(inputs.map((field) => [field.key, field]));
    assert.deepEqual(byKey[`custom_fields__${size}`].choices, ['S', 'M', 'L']);
    assert.equal(byKey[`custom_fields__${remote}`].type, 'boolean');
    assert.equal(byKey[`custom_fields__${since}`].type, 'datetime');
    assert.ok(byKey.employee_id && byKey.work_phone);
    const changed = await appTester(App.creates.update_employee.operation.perform, {
      ...bundleWith(authData),
      inputData: {
        employee_id: hired.id,
        [`custom_fields__${size}`]: 'M',
        [`custom_fields__${remote}`]: 'true',
        [`custom_fields__${since}`]: '2026-05-04T00:00:00+02:00',
      },
    });
    assert.equal(changed.custom_fields[size], 'M');
    assert.equal(changed.custom_fields[remote], true);
    assert.equal(changed.custom_fields[since], '2026-05-04');
    await assert.rejects(
      appTester(App.creates.update_employee.operation.perform, {
        ...bundleWith(authData),
        inputData: { employee_id: hired.id, [`custom_fields__${size}`]: 'XXL' },
      }),
      (error) => JSON.parse(error.message).status === 422 && JSON.parse(error.message).message.includes(size),
    );
    hired = changed;
  });

  await t.test('refusals reach the Zap in words: a stale version, a bad e-mail address, no such employee', async () => {
    await assert.rejects(
      appTester(App.creates.update_employee.operation.perform, {
        ...bundleWith(authData),
        inputData: { employee_id: hired.id, work_phone: '+32 2 555 01 00', version: hired.version - 1 },
      }),
      (error) => {
        const shown = JSON.parse(error.message);
        assert.equal(shown.status, 412);
        assert.match(shown.message, /Someone changed this employee/);
        return true;
      },
    );
    await assert.rejects(
      appTester(App.creates.create_employee.operation.perform, {
        ...bundleWith(authData),
        inputData: { first_name: 'Bad', last_name: 'Address', work_email: 'not-an-address', start_date: '2026-04-01', job_title: 'Tester' },
      }),
      (error) => {
        const shown = JSON.parse(error.message);
        assert.equal(shown.status, 422);
        assert.match(shown.message, /work_email: /);
        return true;
      },
    );
    await assert.rejects(
      appTester(App.creates.update_employee.operation.perform, {
        ...bundleWith(authData),
        inputData: { employee_id: 999999999, work_phone: '+32 2 555 01 00' },
      }),
      (error) => JSON.parse(error.message).status === 404,
    );
  });

  await t.test('the "Employee" dropdown lists the new employee', async () => {
    const choices = await appTester(App.triggers.employee_list.operation.perform, bundleWith(authData, { meta: { page: 0 } }));
    const found = choices.find((choice) => choice.id === hired.id);
    assert.ok(found, 'the hired employee is in the dropdown');
    assert.match(found.name, new RegExp(`Zoë Zapier-${suffix}`));
  });

  const leaves = live.find((definition) => definition.event === 'employee.left');
  await t.test('an employee who leaves reaches "Employee Left"', { skip: leaves ? false : 'this Kluis has no employee.left event yet' }, async () => {
    await appTester(App.creates.update_employee.operation.perform, {
      ...bundleWith(authData),
      inputData: { employee_id: hired.id, status: 'left' },
    });
    const delivery = await hooks.waitFor(
      (d) => d.path === '/employee_left' && d.json.type === 'employee.left' && d.json.data.id === hired.id,
      DELIVERY_TIMEOUT_MS,
    );
    const [item] = await appTester(
      App.triggers.employee_left.operation.perform,
      hookBundle(authData, subscriptions.employee_left, delivery),
    );
    assert.equal(item.employee.status, 'left');
  });

  await t.test('performList shows the latest events with their employees', async () => {
    const items = await appTester(App.triggers.new_employee.operation.performList, bundleWith(authData));
    assert.ok(items.length >= 1 && items.length <= 3);
    assert.equal(items[0].object_id, hired.id);
    assert.equal(items[0].employee.last_name, `Zapier-${suffix}`);
    assert.match(items[0].id, /^evt_/);
    const updates = await appTester(App.triggers.updated_employee.operation.performList, bundleWith(authData));
    assert.ok(updates.some((item) => item.object_id === hired.id && item.changed_fields.includes('work_phone')));
  });

  await t.test("the leave-request triggers list the company's leave requests as they are now", async () => {
    for (const key of ['new_leave_request', 'leave_request_approved']) {
      const definition = live.find((row) => row.key === key);
      assert.ok(definition, `this Kluis offers ${key}'s event`);
      const items = await appTester(App.triggers[key].operation.performList, bundleWith(authData));
      assert.ok(items.length >= 1 && items.length <= 3, `${key}: ${items.length} items`);
      for (const item of items) {
        assert.equal(item.leave_request.id, item.object_id);
        assert.ok(Number.isInteger(item.leave_request.employee));
        assert.match(item.leave_request.start_date, /^\d{4}-\d{2}-\d{2}$/);
        if (key === 'leave_request_approved') assert.equal(item.leave_request.status, 'approved');
      }
    }
  });

  await t.test('the absence and checklist triggers list what the connection may read', async () => {
    for (const key of ['new_absence', 'new_checklist', 'checklist_completed']) {
      const definition = live.find((row) => row.key === key);
      assert.ok(definition, `this Kluis offers ${key}'s event`);
      const items = await appTester(App.triggers[key].operation.performList, bundleWith(authData));
      assert.ok(Array.isArray(items) && items.length <= 3, `${key}: ${items.length} items`);
      for (const item of items) {
        const object = item[definition.objectKey];
        assert.equal(object.id, item.object_id);
        assert.ok(Number.isInteger(object.employee));
        if (key === 'new_absence') {
          assert.match(object.start_date, /^\d{4}-\d{2}-\d{2}$/);
          assert.equal(object.reason, undefined, 'no reason without absence:read');
        }
        if (key === 'checklist_completed') assert.equal(object.status, 'completed');
      }
    }
  });

  await t.test('before a first event, the samples are recent objects (not a made-up one)', async () => {
    // A later row of the table: an event this company never had (Kluis answers its
    // documented example), and one this Kluis does not know (404).
    const sampleOf = (definition) =>
      appTester((z, bundle) => hookTrigger(definition).operation.performList(z, bundle), bundleWith(authData));
    const departments = await sampleOf({
      key: 'department_removed', event: 'department.deleted', noun: 'Department', label: 'Department Removed',
      description: 'Triggers when a department is removed.', resource: 'departments', objectKey: 'department',
      recent: { ordering: '-id' }, sample: { id: 1, name: 'Finance' },
    });
    assert.ok(departments.length >= 1);
    for (const item of departments) {
      assert.match(item.id, /^sample_department\.deleted_\d+$/);
      assert.equal(item.department.id, item.object_id);
      assert.ok(item.department.name);
    }
    const unknown = await sampleOf({ ...EVENTS[0], key: 'promoted', event: 'employee.promoted' });
    assert.ok(unknown.length >= 1 && unknown.every((item) => item.employee && item.employee.id === item.object_id));
  });

  await t.test('unsubscribing removes the hooks; a later change reaches none of them', async () => {
    for (const definition of live) {
      const subscribeData = subscriptions[definition.key];
      await appTester(App.triggers[definition.key].operation.performUnsubscribe, { ...bundleWith(authData), subscribeData });
      const gone = await call(authData, { url: apiUrl(`webhooks/${subscribeData.id}/`) });
      assert.equal(gone.status, 404);
      // Unsubscribing again (the Zap turned off twice, the hook removed in Kluis) is fine.
      await appTester(App.triggers[definition.key].operation.performUnsubscribe, { ...bundleWith(authData), subscribeData });
    }
    const before = hooks.received.length;
    const later = await appTester(App.creates.create_employee.operation.perform, {
      ...bundleWith(authData),
      inputData: {
        first_name: 'Late',
        last_name: `Zapier-${suffix}`,
        start_date: '2026-05-01',
        job_title: 'Tester',
        [`custom_fields__${size}`]: 'S',
        [`custom_fields__${remote}`]: 'no',
      },
    });
    assert.deepEqual(
      [later.custom_fields[size], later.custom_fields[remote]],
      ['S', false],
      'a hire takes custom fields too',
    );
    await appTester(App.creates.update_employee.operation.perform, {
      ...bundleWith(authData),
      inputData: { employee_id: later.id, work_phone: '+32 2 555 01 98' },
    });
    // The worker delivered each event above within about a second of the change: after
    // four, anything that was going to arrive would have.
    await new Promise((resolve) => setTimeout(resolve, 4000));
    assert.equal(hooks.received.length, before, JSON.stringify(hooks.received.slice(before).map((d) => d.json)));
  });
});
