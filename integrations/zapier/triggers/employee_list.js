'use strict';

// A hidden polling trigger that fills the "Employee" and "Manager" dropdowns of the
// actions: the company's employees by last name, a page at a time (Kluis's cursor).

const { apiUrl } = require('../lib/config');
const { jsonRequest } = require('../lib/http');
const { EMPLOYEE_SAMPLE } = require('../lib/events');

const perform = async (z, bundle) => {
  const cursor = bundle.meta && bundle.meta.page ? await z.cursor.get() : null;
  const response = await z.request(
    jsonRequest('GET', apiUrl('employees/'), undefined, {
      params: {
        ordering: 'last_name',
        page_size: 100,
        fields: 'first_name,last_name,preferred_name,employee_number,status',
        ...(cursor ? { cursor } : {}),
      },
    }),
  );
  const next = response.data.next ? new URL(response.data.next).searchParams.get('cursor') : null;
  await z.cursor.set(next || '');
  return response.data.results.map((employee) => ({
    ...employee,
    name: `${employee.preferred_name || employee.first_name} ${employee.last_name} (${employee.employee_number})`,
  }));
};

module.exports = {
  key: 'employee_list',
  noun: 'Employee',
  display: {
    label: 'Employees',
    description: 'Lists employees for choosing one in an action.',
    hidden: true,
  },
  operation: {
    type: 'polling',
    canPaginate: true,
    perform,
    sample: { ...EMPLOYEE_SAMPLE, name: 'Anna Peeters (00042)' },
  },
};
