/** HR employees of the source with filters, their learner, where a sync would leave them and why, and select → import. */
import { useState, type FormEvent } from 'react';
import type { ScreenProps } from '../App';
import { useAction, useApi, useLoad } from '../hooks';
import { PROVISIONING_FIELDS, ProvisioningCell, type Provisioning } from '../employees/ProvisioningCell';
import { Alert, Section, Head, hidden } from '../ui';

interface Employee {
  id: string;
  sourceId: string;
  displayName: string;
  workEmail: string | null;
  department: string | null;
  employmentStatus: string | null;
  status: string;
  accessEnabled: boolean;
  learner: { userName: string; active: boolean } | null;
  provisioning: Provisioning | null;
}

interface Filter {
  search: string;
  department: string;
  status: string;
  access: string;
}

const PAGE = 50;
const EMPTY: Filter = { search: '', department: '', status: '', access: '' };

const QUERY = `query($first: Int, $after: String, $filter: EmployeeFilter) {
  employees(first: $first, after: $after, filter: $filter) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { id sourceId displayName workEmail department employmentStatus status accessEnabled learner { userName active } ${PROVISIONING_FIELDS} }
  }
}`;

/** The form's fields as the API's EmployeeFilter: blank fields are left out. */
function asFilter(source: string, filter: Filter) {
  return {
    source,
    ...(filter.search && { search: filter.search }),
    ...(filter.department && { department: filter.department }),
    ...(filter.status && { status: filter.status }),
    ...(filter.access && { accessEnabled: filter.access === 'on' }),
  };
}

export function Employees({ source, navigate }: ScreenProps) {
  const api = useApi();
  const [draft, setDraft] = useState(EMPTY);
  const [filter, setFilter] = useState(EMPTY);
  // Cursors of the pages before this one, so "Previous" goes back without the API paging backwards.
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const after = cursors[cursors.length - 1] ?? null;
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const page = useLoad(
    (client) =>
      client.request<{ employees: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: Employee[] } }>(QUERY, {
        first: PAGE,
        after,
        filter: asFilter(source, filter),
      }),
    [source, filter, after],
  );
  const importSelected = useAction(async () => {
    const { importEmployees } = await api.request<{ importEmployees: { runId: string } }>(
      'mutation($input: ImportEmployeesInput!) { importEmployees(input: $input) { runId } }',
      { input: { source, employeeIds: [...selected] } },
    );
    navigate(`sync/${importEmployees.runId}`);
  });

  const apply = (event: FormEvent) => {
    event.preventDefault();
    setFilter(draft);
    setCursors([null]);
  };
  const toggle = (id: string) =>
    setSelected((previous) => {
      const next = new Set(previous);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  const field = (name: keyof Filter) => ({
    value: draft[name],
    onChange: (event: { target: { value: string } }) => setDraft({ ...draft, [name]: event.target.value }),
  });
  const employees = page.data?.employees;

  return (
    <Section
      title="Employees"
      actions={
        <button type="button" disabled={selected.size === 0 || importSelected.pending} onClick={() => void importSelected.run()}>
          Import selected ({selected.size})
        </button>
      }
    >
      <form className="filters" onSubmit={apply} aria-label="Filter employees">
        <label>
          Search <input type="search" placeholder="name, email, number, title" {...field('search')} />
        </label>
        <label>
          Department <input type="text" {...field('department')} />
        </label>
        <label>
          Status
          <select {...field('status')}>
            <option value="">any</option>
            <option value="ACTIVE">active</option>
            <option value="PENDING">pending (pre-hire)</option>
            <option value="INACTIVE">inactive</option>
          </select>
        </label>
        <label>
          Access flag
          <select {...field('access')}>
            <option value="">any</option>
            <option value="on">on</option>
            <option value="off">off</option>
          </select>
        </label>
        <button type="submit">Filter</button>
      </form>
      <Alert error={page.error ?? importSelected.error} />
      <p role="status" className="status-line">
        {page.loading ? 'Loading…' : employees && `${employees.totalCount} employees`}
      </p>
      <table>
        <Head columns={[hidden('Select'), 'Name', 'Work email', 'Department', 'Employment status', 'Access flag', 'Learner', 'Provisioning']} />
        <tbody>
          {employees?.nodes.map((employee) => (
            <tr key={employee.id}>
              <td>
                <input type="checkbox" aria-label={`Select ${employee.displayName}`} checked={selected.has(employee.id)} onChange={() => toggle(employee.id)} />
              </td>
              <th scope="row">{employee.displayName}</th>
              <td>{employee.workEmail ?? '—'}</td>
              <td>{employee.department ?? '—'}</td>
              <td>
                {employee.employmentStatus ?? '—'} <small>({employee.status.toLowerCase()})</small>
              </td>
              <td>{employee.accessEnabled ? 'on' : 'off'}</td>
              <td>{employee.learner ? `${employee.learner.userName}${employee.learner.active ? '' : ' (inactive)'}` : '—'}</td>
              <td>
                <ProvisioningCell name={employee.displayName} provisioning={employee.provisioning} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="pager">
        <button type="button" disabled={cursors.length < 2} onClick={() => setCursors(cursors.slice(0, -1))}>
          Previous page
        </button>
        <button type="button" disabled={!employees?.pageInfo.hasNextPage} onClick={() => employees && setCursors([...cursors, employees.pageInfo.endCursor])}>
          Next page
        </button>
      </div>
    </Section>
  );
}
