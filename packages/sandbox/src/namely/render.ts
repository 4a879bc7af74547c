/**
 * Records → Namely's JSON, shaped like the recorded responses: the JSON-API-ish envelope with
 * `profiles`, `meta`, `links` and a `linked` section holding what the page's profiles refer to.
 */
import type { Group, ProfileRecord, Team } from './directory.js';
import type { Roster } from './roster.js';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type JsonObject = Record<string, Json>;

/** Namely's placeholder manager for someone who reports to nobody (documented `no_guid`). */
const NOBODY = { id: 'no_guid', first_name: 'Nobody', last_name: 'Nobody', email: 'None' };

const PROFILE_LINKS: JsonObject = {
  'profiles.job_title': { type: 'job_titles' },
  'profiles.image': { type: 'files' },
  'profiles.groups': { type: 'groups' },
  'profiles.teams': { type: 'teams' },
};

const groupLink = (group: Group): JsonObject => ({ id: group.id, name: group.title });
const teamLink = (team: Team): JsonObject => ({ id: team.id, name: team.name });

export function renderProfile(roster: Roster, p: ProfileRecord): JsonObject {
  const jobTitle = p.job_title_id ? roster.jobTitle(p.job_title_id) : undefined;
  const jobTitleLink = jobTitle ? { id: jobTitle.id, title: jobTitle.title } : null;
  const manager = p.reports_to ? roster.profile(p.reports_to) : undefined;
  const groups = p.group_ids.flatMap((id) => roster.group(id) ?? []);
  const teams = p.team_ids.flatMap((id) => roster.team(id) ?? []);
  return {
    id: p.id,
    email: p.email,
    first_name: p.first_name,
    last_name: p.last_name,
    full_name: `${p.first_name} ${p.last_name}`,
    user_status: p.user_status,
    updated_at: p.updated_at,
    created_at: p.created_at,
    links: { job_title: jobTitleLink, groups: groups.map(groupLink), teams: teams.map(teamLink) },
    image: null,
    middle_name: p.middle_name,
    preferred_name: p.preferred_name,
    job_title: jobTitleLink,
    reports_to: [manager ? { id: manager.id, first_name: manager.first_name, last_name: manager.last_name, email: manager.email ?? 'None' } : NOBODY],
    employee_type: p.employee_type === null ? null : { title: p.employee_type },
    job_change_reason: null,
    start_date: p.start_date,
    departure_date: p.departure_date,
    employee_id: p.employee_id,
    personal_email: p.personal_email,
    bio: '',
    office_main_number: p.office_main_number,
    office_direct_dial: p.office_direct_dial,
    office_phone: p.office_phone,
    office_fax: '',
    office_company_mobile: '',
    home_phone: '',
    mobile_phone: p.mobile_phone,
    home: { address1: null, address2: null, city: null, state_id: null, zip: null, country_id: null },
    office: { ...p.office },
    linkedin_url: '',
    // Every custom field is a top-level key named after the field (see GET /profiles/fields).
    shirt_size: null,
    litmos_activated: p.litmos_activated,
  };
}

/** The `linked` section: each job title, group and team the page refers to, once. */
function linked(roster: Roster, page: readonly ProfileRecord[]): JsonObject {
  const jobTitles = new Map<string, JsonObject>();
  const groups = new Map<string, JsonObject>();
  const teams = new Map<string, JsonObject>();
  for (const p of page) {
    const jobTitle = p.job_title_id ? roster.jobTitle(p.job_title_id) : undefined;
    if (jobTitle) {
      jobTitles.set(jobTitle.id, { id: jobTitle.id, title: jobTitle.title, parent_id: null, active: true });
    }
    for (const id of p.group_ids) {
      const group = roster.group(id);
      if (group) groups.set(id, groupLink(group));
    }
    for (const id of p.team_ids) {
      const team = roster.team(id);
      if (team) teams.set(id, teamLink(team));
    }
  }
  return { job_titles: [...jobTitles.values()], files: [], groups: [...groups.values()], teams: [...teams.values()] };
}

export function profilesEnvelope(roster: Roster, page: readonly ProfileRecord[], meta: JsonObject): JsonObject {
  return {
    profiles: page.map((p) => renderProfile(roster, p)),
    meta: { count: page.length, status: 200, ...meta },
    links: PROFILE_LINKS,
    linked: linked(roster, page),
  };
}

export function renderGroup(roster: Roster, group: Group, count: number): JsonObject {
  const type = roster.groupType(group.typeId);
  return {
    id: group.id,
    title: group.title,
    type: type?.title ?? null,
    is_team: type?.x_groups_as_teams ?? false,
    address: group.address ? { ...group.address } : null,
    count,
    links: { group_type: group.typeId },
  };
}

export function renderGroupTypes(roster: Roster): JsonObject[] {
  return roster.groupTypes.map((t) => ({ ...t }));
}

export function renderTeam(team: Team): JsonObject {
  return {
    id: team.id,
    name: team.name,
    email: team.email,
    created_at: team.created_at,
    updated_at: team.updated_at,
    links: { team_categories: [...team.categoryIds] },
  };
}
