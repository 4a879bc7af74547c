/**
 * The upstream calls a hand-written resolver set makes: one HTTP request per question, straight to
 * the vendor, with no batching, no cache and no rate budget. Only what the naive resolvers need.
 */
import { SANDBOX_CREDENTIALS } from '@rostergate/sandbox';

export interface NaiveUpstreamOptions {
  /** BambooHR's origin and company subdomain. */
  bamboohr: { url: string; companyDomain: string };
  /** Litmos's API base, ending in `/v1.svc`. */
  litmos: { baseUrl: string };
}

export interface DirectoryEmployee {
  id: string;
  displayName: string;
  workEmail: string | null;
}

export interface LitmosUser {
  Id: string;
  UserName: string;
}

export interface LitmosTeam {
  Id: string;
  Name: string;
}

export interface LitmosUserCourse {
  Id: string;
  PercentageComplete: number;
}

export interface LitmosCourse {
  Id: string;
  Name: string;
}

export interface NaiveUpstream {
  directory(): Promise<DirectoryEmployee[]>;
  /** The employee's supervisor's id, one field read. */
  supervisorId(employeeId: string): Promise<string | null>;
  employee(employeeId: string): Promise<DirectoryEmployee | null>;
  user(userName: string): Promise<LitmosUser | null>;
  userTeams(userId: string): Promise<LitmosTeam[]>;
  userCourses(userId: string): Promise<LitmosUserCourse[]>;
  course(courseId: string): Promise<LitmosCourse | null>;
}

export function naiveUpstream(options: NaiveUpstreamOptions): NaiveUpstream {
  const bamboo = `${options.bamboohr.url}/api/gateway.php/${options.bamboohr.companyDomain}/v1`;
  const bambooAuth = `Basic ${Buffer.from(`${SANDBOX_CREDENTIALS.bamboohr.apiKey}:x`).toString('base64')}`;

  async function get<T>(url: string, headers: Record<string, string>): Promise<T | null> {
    const response = await fetch(url, { headers: { accept: 'application/json', ...headers } });
    if (response.status === 404) return null;
    if (!response.ok) throw new Error(`GET ${url.replace(/\?.*/, '')} → ${response.status}`);
    return (await response.json()) as T;
  }
  const fromBamboo = <T>(path: string) => get<T>(`${bamboo}${path}`, { authorization: bambooAuth });
  const fromLitmos = <T>(path: string) =>
    get<T>(`${options.litmos.baseUrl}${path}${path.includes('?') ? '&' : '?'}source=naive&format=json`, { apikey: SANDBOX_CREDENTIALS.litmos.apiKey });

  return {
    directory: async () => (await fromBamboo<{ employees: DirectoryEmployee[] }>('/employees/directory'))?.employees ?? [],
    async supervisorId(employeeId) {
      const found = await fromBamboo<{ supervisorEId?: string | null }>(`/employees/${employeeId}?fields=supervisorEId`);
      return found?.supervisorEId || null;
    },
    employee: (employeeId) => fromBamboo<DirectoryEmployee>(`/employees/${employeeId}?fields=displayName,workEmail`),
    user: (userName) => fromLitmos<LitmosUser>(`/users/${encodeURIComponent(userName)}`),
    userTeams: async (userId) => (await fromLitmos<LitmosTeam[]>(`/users/${encodeURIComponent(userId)}/teams?limit=1000`)) ?? [],
    userCourses: async (userId) => (await fromLitmos<LitmosUserCourse[]>(`/users/${encodeURIComponent(userId)}/courses?limit=1000`)) ?? [],
    course: (courseId) => fromLitmos<LitmosCourse>(`/courses/${encodeURIComponent(courseId)}`),
  };
}
