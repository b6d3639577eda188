'use strict';

// Requests to Kluis and what a Zap's user sees when Kluis refuses one. Kluis answers every
// error with an RFC 9457 problem document (application/problem+json) whose `errors` list
// names each refused field; the message below says it in one line, so the Zap's history
// shows "work_email: Enter a valid email address." instead of a status code.

const { SCOPES } = require('./config');

const problemOf = (response) => {
  const data = response.data;
  if (data && typeof data === 'object' && !Array.isArray(data)) {
    return data;
  }
  try {
    const parsed = JSON.parse(response.content || '');
    return parsed && typeof parsed === 'object' ? parsed : {};
  } catch (error) {
    return {};
  }
};

// "detail (field: message; field: message)" from a problem document.
const describeProblem = (problem, status) => {
  const detail = String(problem.detail || problem.title || `HTTP ${status}`).trim();
  const errors = Array.isArray(problem.errors) ? problem.errors : [];
  const fields = errors
    .map((error) => {
      const message = String((error && error.message) || '').trim();
      const field = String((error && error.field) || '').trim();
      return field ? `${field}: ${message}` : message;
    })
    .filter(Boolean);
  return fields.length ? `${detail} ${fields.join(' ')}` : detail;
};

const WHY = {
  400: 'Kluis could not read the request.',
  403:
    'This connection may not do this: reconnect Kluis and approve the scopes ' +
    `${SCOPES.join(', ')} (only an owner or HR admin holds them all).`,
  404: 'Kluis has no such object in your company (it may have been removed).',
  409: 'Kluis refused the change because of the object\'s state.',
  412:
    'Someone changed this employee in Kluis after the version you sent: use the current ' +
    'version, or leave the version out to change the employee as it is now.',
  415: 'Kluis expected JSON.',
  422: 'Kluis refused the values.',
};

// afterResponse: turn Kluis's refusals into errors a Zap's user can act on. 401 and 429
// are handled before this by zapier-platform-core (token refresh, throttling with
// Retry-After); a request that wants to look at an error itself sets skipThrowForStatus.
const explainErrors = (response, z) => {
  if (response.status < 400 || response.skipThrowForStatus) {
    return response;
  }
  const problem = problemOf(response);
  const why = WHY[response.status] || `Kluis answered HTTP ${response.status}.`;
  const message = `${why} ${describeProblem(problem, response.status)}`.trim();
  const code = String(problem.type || `http_${response.status}`).replace(/^urn:kluis:problem:/, '');
  if (response.status >= 500) {
    // Zapier shows it and may retry; nothing of the request was kept by Kluis.
    throw new z.errors.Error(`Kluis had a problem (HTTP ${response.status}); try again later.`, code, response.status);
  }
  throw new z.errors.Error(message, code, response.status);
};

const jsonRequest = (method, url, body, extra = {}) => ({
  method,
  url,
  headers: { Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...(extra.headers || {}) },
  ...(body === undefined ? {} : { body }),
  ...Object.fromEntries(Object.entries(extra).filter(([key]) => key !== 'headers')),
});

module.exports = { explainErrors, describeProblem, problemOf, jsonRequest };
