'use strict';

// Kluis for Zapier: the app definition Zapier's CLI deploys (`zapier push`, docs/zapier.md).

const { version } = require('./package.json');
const { version: platformVersion } = require('zapier-platform-core');

const authentication = require('./authentication');
const { EVENTS } = require('./lib/events');
const { hookTrigger } = require('./lib/hooks');
const { explainErrors } = require('./lib/http');
const employeeList = require('./triggers/employee_list');
const { createEmployeeAction, updateEmployeeAction } = require('./creates/employees');

const hookTriggers = EVENTS.map(hookTrigger);

module.exports = {
  version,
  platformVersion,
  authentication: authentication.config,
  beforeRequest: [authentication.includeBearerToken],
  afterResponse: [explainErrors],
  triggers: Object.fromEntries(
    [...hookTriggers, employeeList].map((trigger) => [trigger.key, trigger]),
  ),
  creates: {
    [createEmployeeAction.key]: createEmployeeAction,
    [updateEmployeeAction.key]: updateEmployeeAction,
  },
};
