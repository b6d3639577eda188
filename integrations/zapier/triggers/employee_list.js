'use strict';

// A hidden polling trigger that fills the "Employee" and "Manager" dropdowns of the
// actions: the company's employees by last name, 200 to a page.

const { apiUrl } = require('../lib/config');
const { jsonRequest } = require('../lib/http');
const { EMPLOYEE_SAMPLE } = require('../lib/events');

const PAGE_SIZE = 200;

// Kluis pages with signed cursors; Zapier asks for page 0, 1, 2... of a dropdown. Page N
// follows `next` N times: no state kept between Zapier's calls, and a dropdown rarely goes
// past the first page of 200.
const perform = async (z, bundle) => {
  const wanted = Math.max(0, Number.parseInt((bundle.meta && bundle.meta.page) || 0, 10) || 0);
  let url = apiUrl('employees/');
  let params = {
    ordering: 'last_name',
    page_size: PAGE_SIZE,
    fields: 'first_name,last_name,preferred_name,employee_number,status',
  };
  let page = null;
  for (let index = 0; index <= wanted; index += 1) {
    if (!url) {
      return [];
    }
    const response = await z.request(jsonRequest('GET', url, undefined, { params }));
    page = response.data;
    url = page.next;
    params = {}; // `next` carries the query
  }
  return page.results.map((employee) => ({
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
