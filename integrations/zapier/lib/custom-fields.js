'use strict';

// The company's custom fields (/api/v1/custom-fields/) as inputs of the employee actions,
// read when a Zap's editor shows the action, so a field defined in Kluis appears without a
// new version of the app. Values go to the employee's `custom_fields`, each as the JSON type
// Kluis takes for its field type (a mistyped value is Kluis's 422, never a guess).

const { apiUrl } = require('./config');
const { jsonRequest } = require('./http');

const PREFIX = 'custom_fields__';
const INPUT_TYPES = { text: 'string', number: 'number', date: 'datetime', choice: 'string', boolean: 'boolean' };
const TRUE = new Set(['true', 'yes', '1']);
const FALSE = new Set(['false', 'no', '0']);

const definitions = async (z) => {
  const response = await z.request(
    jsonRequest('GET', apiUrl('custom-fields/'), undefined, {
      params: { is_active: 'true', ordering: 'position', page_size: 200 },
    }),
  );
  return (response.data && response.data.results) || [];
};

// A function of the action's inputFields: Zapier calls it when it shows the action.
const customFieldInputs = ({ forHire }) => {
  const inputs = async (z) =>
    (await definitions(z)).map((definition) => ({
      key: `${PREFIX}${definition.key}`,
      label: definition.label,
      type: INPUT_TYPES[definition.field_type] || 'string',
      required: Boolean(forHire && definition.required),
      helpText: `Custom field "${definition.key}" (${definition.field_type}).`,
      ...(definition.field_type === 'choice' ? { choices: definition.choices } : {}),
    }));
  return inputs;
};

const asValue = (fieldType, value) => {
  if (fieldType === 'boolean' && typeof value === 'string') {
    const word = value.trim().toLowerCase();
    return TRUE.has(word) ? true : FALSE.has(word) ? false : value;
  }
  if (fieldType === 'number') {
    return typeof value === 'number' ? value : String(value).trim();
  }
  if (fieldType === 'date') {
    const match = /^(\d{4}-\d{2}-\d{2})/.exec(String(value).trim());
    return match ? match[1] : value;
  }
  return typeof value === 'string' ? value.trim() : value;
};

// {custom_fields: {...}} for the custom inputs filled in, or {} when there are none.
const customFieldValues = async (z, inputData) => {
  const given = Object.entries(inputData || {}).filter(
    ([key, value]) => key.startsWith(PREFIX) && !(value === undefined || value === null || String(value).trim() === ''),
  );
  if (!given.length) {
    return {};
  }
  const types = Object.fromEntries((await definitions(z)).map((d) => [d.key, d.field_type]));
  const values = {};
  for (const [input, value] of given) {
    const key = input.slice(PREFIX.length);
    values[key] = asValue(types[key], value); // an unknown key: Kluis names it in its 422
  }
  return { custom_fields: values };
};

module.exports = { customFieldInputs, customFieldValues, PREFIX };
