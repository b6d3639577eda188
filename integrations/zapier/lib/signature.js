'use strict';

// Standard Webhooks signatures (the webhook-id, webhook-timestamp and webhook-signature
// headers Kluis signs every delivery with): HMAC-SHA256 over "id.timestamp.body" with the
// subscription's whsec_ secret, base64; the header holds one or more "v1,<signature>"
// (two while a rotated secret is still valid). A delivery older or newer than five minutes
// is refused, so a recorded one cannot be replayed later.

const crypto = require('crypto');

const TOLERANCE_SECONDS = 5 * 60;

class SignatureError extends Error {}

// Header names as Zapier hands them to a hook (sometimes "Http-Webhook-Id"), lower case.
const normalisedHeaders = (headers) => {
  const out = {};
  for (const [name, value] of Object.entries(headers || {})) {
    out[name.toLowerCase().replace(/^http-/, '')] = Array.isArray(value) ? value[0] : value;
  }
  return out;
};

const signatureOf = (secret, id, timestamp, body) => {
  const key = Buffer.from(String(secret).replace(/^whsec_/, ''), 'base64');
  return crypto.createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
};

const verify = (secret, headers, body, nowSeconds = Math.floor(Date.now() / 1000)) => {
  const found = normalisedHeaders(headers);
  const id = found['webhook-id'];
  const timestamp = found['webhook-timestamp'];
  const signatures = found['webhook-signature'];
  if (!id || !timestamp || !signatures) {
    throw new SignatureError('The request is not signed by Kluis (webhook-* headers missing).');
  }
  const sent = Number.parseInt(timestamp, 10);
  if (!Number.isFinite(sent) || Math.abs(nowSeconds - sent) > TOLERANCE_SECONDS) {
    throw new SignatureError('The request\'s webhook-timestamp is too old or in the future.');
  }
  const expected = Buffer.from(signatureOf(secret, id, timestamp, body));
  const matches = String(signatures)
    .split(' ')
    .map((part) => part.split(','))
    .filter(([version, value]) => version === 'v1' && value)
    .some(([, value]) => {
      const given = Buffer.from(value);
      return given.length === expected.length && crypto.timingSafeEqual(given, expected);
    });
  if (!matches) {
    throw new SignatureError('The request\'s webhook-signature does not match this subscription\'s secret.');
  }
  return id;
};

module.exports = { verify, signatureOf, normalisedHeaders, SignatureError, TOLERANCE_SECONDS };
