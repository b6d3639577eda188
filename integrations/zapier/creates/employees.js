'use strict';

// Actions: hire an employee (POST /api/v1/employees/) and change one
// (PATCH /api/v1/employees/{id}/). Field names are the API's (docs/api.md, section 3);
// the company's custom fields are offered too (lib/custom-fields.js). Kluis validates every
// value and answers a refusal with the fields it refused, which the Zap's history shows
// (lib/http.js). Blank inputs are not sent: a blank field in "Update Employee" leaves that
// field as it is.

const crypto = require('crypto');

const { apiUrl } = require('../lib/config');
const { jsonRequest } = require('../lib/http');
const { EMPLOYEE_SAMPLE } = require('../lib/events');
const { customFieldInputs, customFieldValues } = require('../lib/custom-fields');

// Personal data: the connection may write it (employees:write) but not read it back (it
// does not ask for personal:read), so it is absent from the answer and from triggers.
const PRIVATE = 'Private data: written to Kluis, not shown back to Zapier.';

const PERSON_FIELDS = [
  { key: 'first_name', label: 'First Name' },
  { key: 'last_name', label: 'Last Name' },
  { key: 'preferred_name', label: 'Preferred Name' },
  { key: 'employee_number', label: 'Employee Number', helpText: 'Left blank on hire: Kluis gives the next number.' },
  { key: 'work_email', label: 'Work Email' },
  { key: 'work_phone', label: 'Work Phone', helpText: 'International format, e.g. +32 2 555 01 99.' },
  { key: 'private_email', label: 'Private Email', helpText: PRIVATE },
  { key: 'private_phone', label: 'Private Phone', helpText: PRIVATE },
  { key: 'birth_date', label: 'Birth Date', type: 'datetime', helpText: `A date (YYYY-MM-DD). ${PRIVATE}` },
  { key: 'nationality', label: 'Nationality', helpText: `Two-letter country code, e.g. BE. ${PRIVATE}` },
];

const CONTRACT_TYPES = {
  permanent: 'Permanent',
  fixed_term: 'Fixed term (needs an end date)',
  student: 'Student',
  interim: 'Interim',
  freelance: 'Freelance',
};

const EMPLOYMENT_FIELDS = [
  { key: 'start_date', label: 'Start Date', type: 'datetime', required: true, helpText: 'First working day (YYYY-MM-DD).' },
  { key: 'job_title', label: 'Job Title', required: true },
  { key: 'contract_type', label: 'Contract Type', choices: CONTRACT_TYPES, default: 'permanent' },
  { key: 'end_date', label: 'End Date', type: 'datetime', helpText: 'For a fixed-term contract (YYYY-MM-DD).' },
  { key: 'probation_end_date', label: 'End of Probation', type: 'datetime', helpText: 'Last day of the probation period (YYYY-MM-DD), within the contract.' },
  { key: 'hours_per_week', label: 'Hours per Week', type: 'number' },
  { key: 'cost_centre', label: 'Cost Centre' },
  { key: 'department', label: 'Department ID', type: 'integer' },
  { key: 'team', label: 'Team ID', type: 'integer' },
  { key: 'manager', label: 'Manager', type: 'integer', dynamic: 'employee_list.id.name', helpText: 'The employee they report to.' },
];

const DATE_FIELDS = new Set(['birth_date', 'start_date', 'end_date', 'probation_end_date']);
const NUMBER_FIELDS = new Set(['hours_per_week']);
const ID_FIELDS = new Set(['department', 'team', 'manager']);

const blank = (value) => value === undefined || value === null || (typeof value === 'string' && value.trim() === '');

// A date as Kluis takes it: Zapier gives a datetime input as ISO 8601 in the Zap's time
// zone ("2026-04-01T00:00:00+02:00"); its calendar date is the one meant.
const asDate = (value) => {
  const text = String(value).trim();
  const match = /^(\d{4}-\d{2}-\d{2})/.exec(text);
  return match ? match[1] : text;
};

const asValue = (key, value) => {
  if (DATE_FIELDS.has(key)) {
    return asDate(value);
  }
  if (NUMBER_FIELDS.has(key)) {
    return typeof value === 'number' ? value : Number(String(value).trim());
  }
  if (ID_FIELDS.has(key)) {
    return Number.parseInt(String(value).trim(), 10);
  }
  return typeof value === 'string' ? value.trim() : value;
};

const pick = (inputData, fields) => {
  const out = {};
  for (const field of fields) {
    const value = inputData[field.key];
    if (!blank(value)) {
      out[field.key] = asValue(field.key, value);
    }
  }
  return out;
};

// The same hire sent again within Kluis's 24 hours (Zapier retrying after a lost answer,
// a Zap replayed) returns the first answer instead of hiring twice.
const idempotencyKey = (body) =>
  `zapier-${crypto.createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 48)}`;

const createEmployee = async (z, bundle) => {
  const body = {
    ...pick(bundle.inputData, PERSON_FIELDS),
    employment: pick(bundle.inputData, EMPLOYMENT_FIELDS),
    ...(await customFieldValues(z, bundle.inputData)),
  };
  const response = await z.request(
    jsonRequest('POST', apiUrl('employees/'), body, { headers: { 'Idempotency-Key': idempotencyKey(body) } }),
  );
  return response.data;
};

const STATUSES = { onboarding: 'Onboarding', active: 'Active', left: 'Left' };

const UPDATE_FIELDS = [
  ...PERSON_FIELDS,
  { key: 'status', label: 'Status', choices: STATUSES, helpText: 'Left: the employee leaves the company.' },
];

const updateEmployee = async (z, bundle) => {
  const id = Number.parseInt(String(bundle.inputData.employee_id || '').trim(), 10);
  if (!Number.isInteger(id) || id <= 0) {
    throw new z.errors.Error('Choose the employee to update (an employee ID).', 'invalid_input', 400);
  }
  const body = {
    ...pick(bundle.inputData, UPDATE_FIELDS),
    ...(await customFieldValues(z, bundle.inputData)),
  };
  if (!blank(bundle.inputData.version)) {
    body.version = Number.parseInt(String(bundle.inputData.version), 10);
  }
  if (!Object.keys(body).filter((key) => key !== 'version').length) {
    throw new z.errors.Error('Fill in at least one field to change.', 'invalid_input', 400);
  }
  const response = await z.request(jsonRequest('PATCH', apiUrl(`employees/${id}/`), body));
  return response.data;
};

const asInputFields = (fields) =>
  fields.map(({ key, label, type, required, helpText, choices, dynamic, default: preset }) => ({
    key,
    label,
    type: type || 'string',
    required: Boolean(required),
    ...(helpText ? { helpText } : {}),
    ...(choices ? { choices } : {}),
    ...(dynamic ? { dynamic } : {}),
    ...(preset ? { default: preset } : {}),
  }));

const createEmployeeAction = {
  key: 'create_employee',
  noun: 'Employee',
  display: {
    label: 'Create Employee',
    description: 'Hires an employee in Kluis, with their first contract.',
  },
  operation: {
    inputFields: [
      ...asInputFields([
        ...PERSON_FIELDS.map((field) =>
          ['first_name', 'last_name'].includes(field.key) ? { ...field, required: true } : field,
        ),
        ...EMPLOYMENT_FIELDS,
      ]),
      customFieldInputs({ forHire: true }),
    ],
    perform: createEmployee,
    sample: EMPLOYEE_SAMPLE,
  },
};

const updateEmployeeAction = {
  key: 'update_employee',
  noun: 'Employee',
  display: {
    label: 'Update Employee',
    description: "Changes an employee's file in Kluis (blank fields stay as they are).",
  },
  operation: {
    inputFields: [
      {
        key: 'employee_id',
        label: 'Employee',
        type: 'integer',
        required: true,
        dynamic: 'employee_list.id.name',
      },
      ...asInputFields(UPDATE_FIELDS),
      {
        key: 'version',
        label: 'Version',
        type: 'integer',
        required: false,
        helpText:
          'Optional: the version you read (from a trigger). If someone changed the employee ' +
          'since, Kluis refuses the change instead of overwriting theirs.',
      },
      customFieldInputs({ forHire: false }),
    ],
    perform: updateEmployee,
    sample: EMPLOYEE_SAMPLE,
  },
};

module.exports = { createEmployeeAction, updateEmployeeAction, idempotencyKey, asDate };
