'use strict';

// The Kluis events this app offers as Zapier triggers. A later feature that adds an event
// to Kluis's catalogue (GET /api/v1/webhook-event-types/) adds one row here: the trigger,
// its REST-hook subscription, its samples and its tests follow from the row.
//
//   key          the Zapier trigger's key (stable: Zaps refer to it)
//   event        the Kluis event type name
//   noun, label, description   what Zapier's editor shows
//   resource     the API resource of the event's object (/api/v1/<resource>/)
//   objectKey    where the object is put in a trigger item
//   recent       query of that resource that finds example objects when the company has
//                no event of this type yet (the editor's samples)
//   sample       a made-up object for Zapier's editor and the app's schema checks

const EMPLOYEE_SAMPLE = {
  id: 42,
  version: 3,
  created_at: '2026-01-05T09:00:00Z',
  updated_at: '2026-03-01T14:12:00Z',
  employee_number: '00042',
  status: 'active',
  first_name: 'Anna',
  last_name: 'Peeters',
  preferred_name: '',
  work_email: 'anna.peeters@example.com',
  work_phone: '+3225550101',
  job_title: 'Payroll officer',
  department: 2,
  team: 5,
  manager: 7,
  custom_fields: {},
};

const LEAVE_REQUEST_SAMPLE = {
  id: 118,
  employee: 42,
  leave_type: 1,
  start_date: '2026-07-06',
  end_date: '2026-07-17',
  start_part: 'full',
  end_part: 'full',
  hours: '76.00',
  reason: '',
  status: 'requested',
  stage: '',
  decided_by: null,
  decided_at: null,
  decision_comment: '',
  version: 1,
  created_at: '2026-03-02T09:15:00Z',
  updated_at: '2026-03-02T09:15:00Z',
};

const ABSENCE_SAMPLE = {
  id: 57,
  employee: 42,
  start_date: '2026-11-03',
  end_date: null,
  version: 1,
  created_at: '2026-11-03T07:40:00Z',
  updated_at: '2026-11-03T07:40:00Z',
};

const CHECKLIST_SAMPLE = {
  id: 12,
  employee: 42,
  template: 4,
  kind: 'onboarding',
  name: 'Onboarding (everyone)',
  anchor_date: '2026-04-01',
  status: 'open',
  started_by: 'hr@example.com',
  started_at: '2026-03-20T10:12:00Z',
  completed_at: null,
  version: 1,
};

const EVENTS = [
  {
    key: 'new_employee',
    event: 'employee.created',
    noun: 'Employee',
    label: 'New Employee',
    description: 'Triggers when an employee is hired in Kluis.',
    resource: 'employees',
    objectKey: 'employee',
    recent: { ordering: '-created_at' },
    sample: EMPLOYEE_SAMPLE,
  },
  {
    key: 'updated_employee',
    event: 'employee.updated',
    noun: 'Employee',
    label: 'Updated Employee',
    description:
      "Triggers when an employee's file changes in Kluis; tells which fields changed.",
    resource: 'employees',
    objectKey: 'employee',
    recent: { ordering: '-updated_at' },
    sample: EMPLOYEE_SAMPLE,
    changedFields: ['job_title', 'work_email'],
  },
  {
    key: 'employee_left',
    event: 'employee.left',
    noun: 'Employee',
    label: 'Employee Left',
    description: 'Triggers when an employee leaves the company in Kluis (status becomes left).',
    resource: 'employees',
    objectKey: 'employee',
    recent: { ordering: '-updated_at', status: 'left' },
    sample: { ...EMPLOYEE_SAMPLE, status: 'left' },
  },
  // Time off (a later feature): needs the timeoff:read scope.
  {
    key: 'new_leave_request',
    event: 'leave_request.created',
    noun: 'Leave Request',
    label: 'New Leave Request',
    description: 'Triggers when someone asks for leave in Kluis.',
    resource: 'leave-requests',
    objectKey: 'leave_request',
    recent: { ordering: '-created_at' },
    sample: LEAVE_REQUEST_SAMPLE,
  },
  {
    key: 'leave_request_approved',
    event: 'leave_request.approved',
    noun: 'Leave Request',
    label: 'Leave Request Approved',
    description: 'Triggers when a leave request is approved in Kluis (its last approver said yes).',
    resource: 'leave-requests',
    objectKey: 'leave_request',
    recent: { ordering: '-updated_at', status: 'approved' },
    sample: {
      ...LEAVE_REQUEST_SAMPLE,
      status: 'approved',
      decided_by: 'hr@example.com',
      decided_at: '2026-03-03T10:00:00Z',
      version: 2,
      updated_at: '2026-03-03T10:00:00Z',
    },
  },
  // Absence (a later feature): dates only, with the timeoff:read scope; the kind and the
  // reason of an absence need absence:read, which this app does not ask for.
  {
    key: 'new_absence',
    event: 'absence.started',
    noun: 'Absence',
    label: 'New Absence',
    description: 'Triggers when an absence (for example sick leave) is registered in Kluis; gives its dates, never its reason.',
    resource: 'absences',
    objectKey: 'absence',
    recent: { ordering: '-start_date' },
    sample: ABSENCE_SAMPLE,
  },
  // Checklists (a later feature: onboarding and offboarding tasks), checklists:read.
  {
    key: 'new_checklist',
    event: 'checklist.started',
    noun: 'Checklist',
    label: 'New Checklist',
    description: 'Triggers when an onboarding or offboarding checklist is started for an employee in Kluis.',
    resource: 'checklists',
    objectKey: 'checklist',
    recent: { ordering: '-started_at' },
    sample: CHECKLIST_SAMPLE,
  },
  {
    key: 'checklist_completed',
    event: 'checklist.completed',
    noun: 'Checklist',
    label: 'Checklist Completed',
    description: 'Triggers when every task of a checklist is done in Kluis.',
    resource: 'checklists',
    objectKey: 'checklist',
    recent: { ordering: '-started_at', status: 'completed' },
    sample: { ...CHECKLIST_SAMPLE, status: 'completed', completed_at: '2026-04-10T16:00:00Z', version: 4 },
  },
];

module.exports = { EVENTS, EMPLOYEE_SAMPLE, LEAVE_REQUEST_SAMPLE, ABSENCE_SAMPLE, CHECKLIST_SAMPLE };
