'use strict';

// OAuth 2.0 authorization code with PKCE (S256), Kluis's connected-apps flow
// (docs/api.md, section 1b). Zapier sends the member to /oauth/authorize with its own
// state, redirect URI and PKCE challenge (enablePkce); an owner or HR admin approves the
// scopes for their company; Zapier exchanges the code at /oauth/token, authenticating with
// HTTP Basic. Access tokens live an hour; refresh tokens rotate on every use (Kluis revokes
// the family when an old one is presented again), so the new one is always kept.

const { SCOPES, baseUrl, apiUrl } = require('./lib/config');

const basic = () =>
  `Basic ${Buffer.from(
    `${encodeURIComponent(process.env.CLIENT_ID || '')}:${encodeURIComponent(process.env.CLIENT_SECRET || '')}`,
  ).toString('base64')}`;

const tokenRequest = async (z, form) => {
  const response = await z.request({
    method: 'POST',
    url: `${baseUrl()}/oauth/token`,
    headers: {
      Authorization: basic(),
      'Content-Type': 'application/x-www-form-urlencoded',
      Accept: 'application/json',
    },
    body: form,
    skipThrowForStatus: true,
  });
  const data = response.data || {};
  if (response.status !== 200 || !data.access_token) {
    const why = data.error_description || data.error || data.detail || `HTTP ${response.status}`;
    if (form.grant_type === 'refresh_token') {
      // The refresh token is no longer valid (app disconnected, member gone): reconnect.
      throw new z.errors.ExpiredAuthError(`Kluis refused to refresh the connection (${why}): reconnect Kluis.`);
    }
    throw new z.errors.Error(`Kluis refused the sign-in (${why}).`, 'oauth_error', response.status);
  }
  return {
    access_token: data.access_token,
    refresh_token: data.refresh_token,
    expires_in: data.expires_in,
    scope: data.scope,
  };
};

const getAccessToken = (z, bundle) =>
  tokenRequest(z, {
    grant_type: 'authorization_code',
    code: bundle.inputData.code,
    redirect_uri: bundle.inputData.redirect_uri,
    code_verifier: bundle.inputData.code_verifier,
  });

const refreshAccessToken = (z, bundle) =>
  tokenRequest(z, { grant_type: 'refresh_token', refresh_token: bundle.authData.refresh_token });

const authorizeUrl = (z, bundle) => {
  const url = new URL(`${baseUrl()}/oauth/authorize`);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: process.env.CLIENT_ID || '',
    redirect_uri: bundle.inputData.redirect_uri,
    state: bundle.inputData.state,
    scope: SCOPES.join(' '),
  }).toString();
  return url.toString();
};

// The connection test: one cheap read that the employees:read scope allows.
const test = async (z) => {
  const response = await z.request({
    url: apiUrl('employees/'),
    params: { page_size: 1, fields: 'id' },
    headers: { Accept: 'application/json' },
  });
  return { ok: true, employees_visible: ((response.data && response.data.results) || []).length > 0 };
};

// Every request to Kluis carries the token; a 401 makes Zapier refresh it (autoRefresh).
const includeBearerToken = (request, z, bundle) => {
  if (bundle.authData && bundle.authData.access_token && !request.headers.Authorization) {
    request.headers.Authorization = `Bearer ${bundle.authData.access_token}`;
  }
  return request;
};

module.exports = {
  config: {
    type: 'oauth2',
    oauth2Config: {
      authorizeUrl,
      getAccessToken,
      refreshAccessToken,
      scope: SCOPES.join(' '),
      autoRefresh: true,
      enablePkce: true,
    },
    fields: [],
    test,
    connectionLabel: () => `Kluis (${new URL(baseUrl()).host})`,
  },
  includeBearerToken,
  SCOPES,
};
