'use strict';

// Where this deployment of the app finds its Kluis, and what it asks for. Kluis is
// self-hosted: each installation deploys its own copy of this app (docs/zapier.md) and
// sets KLUIS_URL, CLIENT_ID and CLIENT_SECRET with `zapier env:set`.

// The scopes the app asks for at consent: read and hire/change employees, read leave
// requests and absences' dates (the time-off triggers), read checklists (the checklist
// triggers), manage its own webhook subscriptions (REST hooks).
const SCOPES = ['employees:read', 'employees:write', 'timeoff:read', 'checklists:read', 'webhooks:write'];

const baseUrl = () => {
  const url = String(process.env.KLUIS_URL || '').trim().replace(/\/+$/, '');
  if (!url) {
    throw new Error(
      'KLUIS_URL is not set: set it to your Kluis address with `zapier env:set` (see docs/zapier.md).',
    );
  }
  if (!/^https:\/\/[^/\s]+$/.test(url)) {
    throw new Error('KLUIS_URL must be an https:// address without a path, e.g. https://kluis.example.com');
  }
  return url;
};

const apiUrl = (path) => `${baseUrl()}/api/v1/${path.replace(/^\/+/, '')}`;

module.exports = { SCOPES, baseUrl, apiUrl };
