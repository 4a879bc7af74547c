/**
 * The shape of the seeded company: divisions, their departments and job titles, and the offices
 * people work from. Plain tables, so a simulator can list the same values a real account would
 * offer (BambooHR's list fields, Namely's groups).
 */
import type { NonEmpty } from './random.js';

export interface DivisionSpec {
  name: string;
  /** Title of the executive who heads the division and reports to the CEO. */
  executive: string;
  /** The department the executive sits in; one of this division's. */
  executiveDepartment: string;
}

export interface DepartmentSpec {
  name: string;
  /** The one division this department belongs to. */
  division: string;
  /** Share of the staff who work here (relative). */
  weight: number;
  /** Null for the Executive department, which the CEO heads. */
  head: string | null;
  /** Title of a first-line manager; null where nobody manages a team below the head. */
  manager: string | null;
  titles: NonEmpty<string>;
}

export interface LocationSpec {
  /** The office's name as HR lists it. */
  name: string;
  street1: string;
  city: string;
  state: string;
  postalCode: string;
  country: string;
  /** Share of the staff based here (relative). */
  weight: number;
  /** `#` is a random digit. */
  workPhone: string;
  mobilePhone: string;
}

export const CEO_TITLE = 'Chief Executive Officer';

export const DIVISIONS: NonEmpty<DivisionSpec> = [
  { name: 'Corporate', executive: 'Chief Financial Officer', executiveDepartment: 'Finance' },
  { name: 'Go-To-Market', executive: 'Chief Revenue Officer', executiveDepartment: 'Sales' },
  { name: 'Research & Development', executive: 'Chief Technology Officer', executiveDepartment: 'Engineering' },
  { name: 'Customer Experience', executive: 'Chief Customer Officer', executiveDepartment: 'Customer Success' },
  { name: 'Operations', executive: 'Chief Operating Officer', executiveDepartment: 'Supply Chain' },
];

/** The CEO's department: no head of its own, and its few staff report to the CEO. */
export const EXECUTIVE: DepartmentSpec = {
  name: 'Executive',
  division: 'Corporate',
  weight: 0.5,
  head: null,
  manager: null,
  titles: ['Chief of Staff', 'Executive Assistant'],
};

export const DEPARTMENTS: NonEmpty<DepartmentSpec> = [
  EXECUTIVE,
  {
    name: 'Finance',
    division: 'Corporate',
    weight: 4,
    head: 'VP of Finance',
    manager: 'Finance Manager',
    titles: ['Accountant', 'Senior Accountant', 'Financial Analyst', 'Payroll Specialist', 'Accounts Payable Specialist'],
  },
  {
    name: 'People',
    division: 'Corporate',
    weight: 4,
    head: 'VP of People',
    manager: 'People Operations Manager',
    titles: ['HR Generalist', 'Recruiter', 'Talent Acquisition Partner', 'People Operations Specialist', 'HR Business Partner'],
  },
  {
    name: 'Legal',
    division: 'Corporate',
    weight: 1.5,
    head: 'General Counsel',
    manager: 'Legal Operations Manager',
    titles: ['Corporate Counsel', 'Paralegal', 'Contracts Manager', 'Compliance Analyst'],
  },
  {
    name: 'Sales',
    division: 'Go-To-Market',
    weight: 16,
    head: 'VP of Sales',
    manager: 'Sales Manager',
    titles: ['Account Executive', 'Senior Account Executive', 'Sales Development Representative', 'Sales Engineer', 'Sales Operations Analyst'],
  },
  {
    name: 'Marketing',
    division: 'Go-To-Market',
    weight: 7,
    head: 'VP of Marketing',
    manager: 'Marketing Manager',
    titles: ['Product Marketing Manager', 'Content Marketing Specialist', 'Demand Generation Specialist', 'Marketing Coordinator', 'Brand Designer'],
  },
  {
    name: 'Engineering',
    division: 'Research & Development',
    weight: 24,
    head: 'VP of Engineering',
    manager: 'Engineering Manager',
    titles: ['Software Engineer', 'Senior Software Engineer', 'Staff Engineer', 'QA Engineer', 'Site Reliability Engineer', 'Security Engineer'],
  },
  {
    name: 'Product',
    division: 'Research & Development',
    weight: 5,
    head: 'VP of Product',
    manager: 'Group Product Manager',
    titles: ['Product Manager', 'Senior Product Manager', 'Technical Product Manager', 'Product Analyst'],
  },
  {
    name: 'Design',
    division: 'Research & Development',
    weight: 3,
    head: 'Head of Design',
    manager: 'Design Manager',
    titles: ['Product Designer', 'Senior Product Designer', 'UX Researcher', 'Content Designer'],
  },
  {
    name: 'Data Science',
    division: 'Research & Development',
    weight: 3,
    head: 'Director of Data Science',
    manager: 'Data Science Manager',
    titles: ['Data Scientist', 'Data Engineer', 'Analytics Engineer', 'Machine Learning Engineer'],
  },
  {
    name: 'Customer Success',
    division: 'Customer Experience',
    weight: 8,
    head: 'VP of Customer Success',
    manager: 'Customer Success Team Lead',
    titles: ['Customer Success Manager', 'Onboarding Specialist', 'Renewals Manager', 'Implementation Consultant'],
  },
  {
    name: 'Support',
    division: 'Customer Experience',
    weight: 10,
    head: 'Director of Support',
    manager: 'Support Team Lead',
    titles: ['Support Specialist', 'Support Engineer', 'Technical Support Engineer', 'Knowledge Base Writer'],
  },
  {
    name: 'IT',
    division: 'Operations',
    weight: 4,
    head: 'Director of IT',
    manager: 'IT Manager',
    titles: ['IT Support Specialist', 'Systems Administrator', 'Network Engineer', 'IT Asset Coordinator'],
  },
  {
    name: 'Facilities',
    division: 'Operations',
    weight: 3,
    head: 'Director of Facilities',
    manager: 'Facilities Manager',
    titles: ['Office Coordinator', 'Workplace Specialist', 'Receptionist', 'Facilities Technician'],
  },
  {
    name: 'Supply Chain',
    division: 'Operations',
    weight: 7,
    head: 'Director of Supply Chain',
    manager: 'Logistics Manager',
    titles: ['Procurement Specialist', 'Logistics Coordinator', 'Supply Chain Analyst', 'Warehouse Associate'],
  },
];

// Mostly US, as the brief's customers are; phone patterns use ranges reserved for fiction where a
// country has them (555-01xx in North America, Ofcom's drama ranges in the UK).
export const LOCATIONS: NonEmpty<LocationSpec> = [
  {
    name: 'San Francisco',
    street1: '500 Howard Street',
    city: 'San Francisco',
    state: 'CA',
    postalCode: '94105',
    country: 'United States',
    weight: 20,
    workPhone: '+1 415-555-01##',
    mobilePhone: '+1 415-555-01##',
  },
  {
    name: 'New York',
    street1: '85 Broad Street',
    city: 'New York',
    state: 'NY',
    postalCode: '10004',
    country: 'United States',
    weight: 14,
    workPhone: '+1 212-555-01##',
    mobilePhone: '+1 917-555-01##',
  },
  {
    name: 'Austin',
    street1: '301 Congress Avenue',
    city: 'Austin',
    state: 'TX',
    postalCode: '78701',
    country: 'United States',
    weight: 10,
    workPhone: '+1 512-555-01##',
    mobilePhone: '+1 512-555-01##',
  },
  {
    name: 'Chicago',
    street1: '222 West Adams Street',
    city: 'Chicago',
    state: 'IL',
    postalCode: '60606',
    country: 'United States',
    weight: 8,
    workPhone: '+1 312-555-01##',
    mobilePhone: '+1 773-555-01##',
  },
  {
    name: 'Denver',
    street1: '1801 California Street',
    city: 'Denver',
    state: 'CO',
    postalCode: '80202',
    country: 'United States',
    weight: 6,
    workPhone: '+1 303-555-01##',
    mobilePhone: '+1 720-555-01##',
  },
  {
    name: 'Boston',
    street1: '1 Lincoln Street',
    city: 'Boston',
    state: 'MA',
    postalCode: '02111',
    country: 'United States',
    weight: 6,
    workPhone: '+1 617-555-01##',
    mobilePhone: '+1 857-555-01##',
  },
  {
    name: 'Atlanta',
    street1: '1180 Peachtree Street NE',
    city: 'Atlanta',
    state: 'GA',
    postalCode: '30309',
    country: 'United States',
    weight: 5,
    workPhone: '+1 404-555-01##',
    mobilePhone: '+1 678-555-01##',
  },
  {
    name: 'Remote (US)',
    street1: '2400 Market Street',
    city: 'Philadelphia',
    state: 'PA',
    postalCode: '19103',
    country: 'United States',
    weight: 8,
    workPhone: '+1 215-555-01##',
    mobilePhone: '+1 267-555-01##',
  },
  {
    name: 'Toronto',
    street1: '100 King Street West',
    city: 'Toronto',
    state: 'ON',
    postalCode: 'M5X 1A9',
    country: 'Canada',
    weight: 5,
    workPhone: '+1 416-555-01##',
    mobilePhone: '+1 647-555-01##',
  },
  {
    name: 'Montréal',
    street1: '1250 boulevard René-Lévesque Ouest',
    city: 'Montréal',
    state: 'QC',
    postalCode: 'H3B 4W8',
    country: 'Canada',
    weight: 2,
    workPhone: '+1 514-555-01##',
    mobilePhone: '+1 438-555-01##',
  },
  {
    name: 'London',
    street1: '30 St Mary Axe',
    city: 'London',
    state: 'England',
    postalCode: 'EC3A 8BF',
    country: 'United Kingdom',
    weight: 5,
    workPhone: '+44 20 7946 0###',
    mobilePhone: '+44 7700 900###',
  },
  {
    name: 'Berlin',
    street1: 'Friedrichstraße 68',
    city: 'Berlin',
    state: 'Berlin',
    postalCode: '10117',
    country: 'Germany',
    weight: 3,
    workPhone: '+49 30 #######',
    mobilePhone: '+49 151 ########',
  },
  {
    name: 'München',
    street1: 'Leopoldstraße 8',
    city: 'München',
    state: 'Bayern',
    postalCode: '80802',
    country: 'Germany',
    weight: 2,
    workPhone: '+49 89 #######',
    mobilePhone: '+49 160 ########',
  },
  {
    name: 'Paris',
    street1: "12 rue de la Chaussée-d'Antin",
    city: 'Paris',
    state: 'Île-de-France',
    postalCode: '75009',
    country: 'France',
    weight: 2,
    workPhone: '+33 1 ## ## ## ##',
    mobilePhone: '+33 6 ## ## ## ##',
  },
  {
    name: 'Madrid',
    street1: 'Calle de Alcalá 45',
    city: 'Madrid',
    state: 'Comunidad de Madrid',
    postalCode: '28014',
    country: 'Spain',
    weight: 2,
    workPhone: '+34 91 ### ## ##',
    mobilePhone: '+34 6## ## ## ##',
  },
  {
    name: 'São Paulo',
    street1: 'Avenida Paulista 1578',
    city: 'São Paulo',
    state: 'SP',
    postalCode: '01310-200',
    country: 'Brazil',
    weight: 2,
    workPhone: '+55 11 ####-####',
    mobilePhone: '+55 11 9####-####',
  },
];
