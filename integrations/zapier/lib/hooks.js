'use strict';

// A REST-hook trigger for one Kluis event (a row of lib/events.js).
//
// performSubscribe  POST /api/v1/webhooks/ with Zapier's hook URL and the one event; the
//                   answer (its id and its signing secret, shown once) is what Zapier keeps
//                   as bundle.subscribeData. Kluis then pings the URL: the subscription is
//                   active once the hook answered (Zapier's do at once).
// performUnsubscribe DELETE /api/v1/webhooks/{id}/ (already gone in Kluis: nothing to do).
// perform           a delivery Zapier received: its signature checked with that secret
//                   (refused when it cannot be), then one item, keyed by the event id (Zapier's dedupe key: a delivery
//                   repeated by Kluis carries the same event and is not run twice). The
//                   `ping` and anything that is not this trigger's event give no item.
// performList       the latest events of this type (Kluis's samples, for Zapier's editor),
//                   with their objects as they are now; recent objects when there are none.

const { apiUrl } = require('./config');
const { jsonRequest } = require('./http');
const { verify } = require('./signature');

// One trigger item from a Kluis webhook payload ({id, type, timestamp, company, data}).
const itemFrom = (definition, body, object) => {
  const data = body.data || {};
  const company = body.company || {};
  return {
    id: body.id,
    event_id: body.id,
    event_type: body.type,
    occurred_at: body.timestamp,
    company_id: company.id,
    company_slug: company.slug,
    object_type: data.type,
    object_id: data.id,
    object_url: data.url || null,
    changed_fields: Array.isArray(data.changed_fields) ? data.changed_fields : [],
    [definition.objectKey]: object === undefined ? null : object,
  };
};

// The object as the connection may read it now (null when it may not, or it is gone).
const readObject = async (z, url) => {
  if (!url) {
    return null;
  }
  const response = await z.request(jsonRequest('GET', url, undefined, { skipThrowForStatus: true }));
  if (response.status === 401 || response.status === 429) {
    response.throwForStatus(); // let Zapier refresh the token or wait, as for any request
  }
  return response.status === 200 ? response.data : null;
};

const subscribe = (definition) => async (z, bundle) => {
  const response = await z.request(
    jsonRequest('POST', apiUrl('webhooks/'), {
      url: bundle.targetUrl,
      event_types: [definition.event],
      description: `Zapier: ${definition.label}`,
      full_objects: true,
    }),
  );
  const created = response.data;
  return {
    id: created.id,
    url: created.url,
    event_types: created.event_types,
    status: created.status,
    secret: created.secret,
  };
};

const unsubscribe = async (z, bundle) => {
  const id = bundle.subscribeData && bundle.subscribeData.id;
  if (!id) {
    return {};
  }
  const response = await z.request(
    jsonRequest('DELETE', apiUrl(`webhooks/${encodeURIComponent(id)}/`), undefined, {
      skipThrowForStatus: true,
    }),
  );
  if (response.status === 204 || response.status === 404) {
    return {}; // gone now, or removed in Kluis before
  }
  response.throwForStatus();
  return {};
};

// Anyone who learns a Zap's hook URL can post to it, so a request is an item only when its
// raw body verifies against the subscription's secret, and that verified body is what is
// read (not Zapier's parse of whatever came): no secret or no raw body is a refusal.
const receive = (definition) => async (z, bundle) => {
  const secret = bundle.subscribeData && bundle.subscribeData.secret;
  const raw = bundle.rawRequest;
  let body;
  try {
    if (!secret || !raw || typeof raw.content !== 'string') {
      throw new Error('it cannot be checked (no signing secret or no raw request).');
    }
    verify(secret, raw.headers, raw.content);
    body = JSON.parse(raw.content);
  } catch (error) {
    throw new z.errors.Error(`Refused a delivery: ${error.message}`, 'bad_signature', 401);
  }
  if (!body || body.type !== definition.event || !body.id) {
    return []; // the ping a new subscription gets, or an event this trigger did not ask for
  }
  const data = body.data || {};
  const object = 'object' in data ? data.object : await readObject(z, data.url);
  return [itemFrom(definition, body, object)];
};

// The id of the example payload Kluis's samples endpoint answers while a company has no
// event of the type (docs: /api/v1/webhook-event-types/{name}/samples/).
const DOCUMENTED_EXAMPLE_ID = 'evt_5f0c2a9e7b1d4c3a8e6f9b21';

const recentObjects = async (z, definition) => {
  const response = await z.request(
    jsonRequest('GET', apiUrl(`${definition.resource}/`), undefined, {
      params: { page_size: 3, ...definition.recent },
    }),
  );
  return (response.data && response.data.results) || [];
};

const list = (definition) => async (z, bundle) => {
  const response = await z.request(
    jsonRequest('GET', apiUrl(`webhook-event-types/${encodeURIComponent(definition.event)}/samples/`), undefined, {
      skipThrowForStatus: true,
    }),
  );
  if (response.status !== 404) {
    response.throwForStatus();
  }
  const samples = (response.status === 200 ? (response.data && response.data.results) || [] : [])
    .filter((sample) => sample && sample.id !== DOCUMENTED_EXAMPLE_ID);
  const items = [];
  for (const sample of samples) {
    const object = await readObject(z, sample.data && sample.data.url);
    if (object) {
      items.push(itemFrom(definition, sample, object));
    }
  }
  if (items.length) {
    return items;
  }
  // No event of this type in the company yet: show recent objects as such an event would
  // carry them (rather than Kluis's documented example, whose object is made up).
  const objects = await recentObjects(z, definition);
  const now = new Date().toISOString();
  return objects.map((object) =>
    itemFrom(
      definition,
      {
        id: `sample_${definition.event}_${object.id}`,
        type: definition.event,
        timestamp: object.updated_at || now,
        company: {},
        data: {
          type: definition.objectKey,
          id: object.id,
          url: apiUrl(`${definition.resource}/${object.id}/`),
          ...(definition.changedFields ? { changed_fields: definition.changedFields } : {}),
        },
      },
      object,
    ),
  );
};

const sampleItem = (definition) =>
  itemFrom(
    definition,
    {
      id: 'evt_5f0c2a9e7b1d4c3a8e6f9b21',
      type: definition.event,
      timestamp: '2026-03-02T09:15:00Z',
      company: { id: 1, slug: 'demo-bv' },
      data: {
        type: definition.objectKey,
        id: definition.sample.id,
        url: `https://kluis.example.com/api/v1/${definition.resource}/${definition.sample.id}/`,
        changed_fields: definition.changedFields || [],
      },
    },
    definition.sample,
  );

const hookTrigger = (definition) => ({
  key: definition.key,
  noun: definition.noun,
  display: { label: definition.label, description: definition.description },
  operation: {
    type: 'hook',
    performSubscribe: subscribe(definition),
    performUnsubscribe: unsubscribe,
    perform: receive(definition),
    performList: list(definition),
    sample: sampleItem(definition),
    outputFields: [
      { key: 'id', label: 'Event ID' },
      { key: 'event_type', label: 'Event Type' },
      { key: 'occurred_at', label: 'Occurred At', type: 'datetime' },
      { key: 'object_id', label: `${definition.noun} ID`, type: 'integer' },
      { key: 'changed_fields', label: 'Changed Fields', list: true },
    ],
  },
});

module.exports = { hookTrigger, itemFrom };
