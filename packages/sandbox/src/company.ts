/**
 * The vendor-neutral shape of a seeded company. `generate.ts` produces one from a seed and a size;
 * each simulator maps it onto its own vendor's records (BambooHR employees, Namely profiles, Litmos
 * users). Deterministic: the same seed, size and `today` always give the same company.
 */
import type { LocalDate } from './days.js';

export interface SeedStatusRow {
  date: LocalDate;
  /** One of the company's employment statuses, or "Terminated". */
  status: string;
}

export interface SeedPerson {
  /** 1-based and dense: person n has id n. */
  id: number;
  employeeNumber: string;
  firstName: string;
  lastName: string;
  preferredName: string | null;
  /** Lower case; null for the few people HR has no work email for. */
  workEmail: string | null;
  jobTitle: string;
  department: string;
  division: string;
  location: string;
  workPhone: string | null;
  mobilePhone: string | null;
  street1: string;
  city: string;
  state: string;
  postalCode: string;
  country: string;
  /** Another person's id; null only for the top of the tree. Never forms a cycle. */
  managerId: number | null;
  hireDate: LocalDate;
  /** Set for people who left or are leaving; may lie in the future. */
  terminationDate: LocalDate | null;
  /** Oldest first; may be empty (no status at all) and may hold rows dated after `today`. */
  statusHistory: SeedStatusRow[];
  /** The access flag ("Litmos Access" / "Litmos Activated"). */
  accessEnabled: boolean;
}

export interface SeedCompany {
  seed: number;
  name: string;
  /** Subdomain for BambooHR / Namely URLs. */
  domain: string;
  emailDomain: string;
  today: LocalDate;
  divisions: string[];
  departments: string[];
  locations: string[];
  employmentStatuses: string[];
  people: SeedPerson[];
}

export interface GenerateOptions {
  /** @default 1 */
  seed?: number;
  /** Number of people. @default 250 */
  size?: number;
  /** The day the company is generated relative to. @default the current UTC day */
  today?: LocalDate;
  /** Company name; the domain and email domain derive from it. @default "Acme Rockets" */
  name?: string;
}
