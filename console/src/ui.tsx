/** Small pieces every screen uses: the alert for a refusal, status badges, dates, counts. */
import type { ReactNode } from 'react';
import { ApiError } from './api';

/** A refusal, announced to screen readers as it appears, with the gateway's code beside the message. */
export function Alert({ error }: { error: Error | undefined }) {
  if (!error) return null;
  return (
    <p role="alert" className="alert">
      {error instanceof ApiError && <code>{error.code}</code>} {error.message}
    </p>
  );
}

export function Badge({ value }: { value: string }) {
  return <span className={`badge badge-${value.toLowerCase().replace(/[^a-z]+/g, '-')}`}>{value.replace(/_/g, ' ')}</span>;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export const when = (iso: string | null | undefined): string => (iso ? dateTime.format(new Date(iso)) : '—');

export const COUNT_NAMES = ['created', 'linked', 'updated', 'deactivated', 'reactivated', 'unchanged', 'skipped', 'failed'] as const;
export type Counts = Record<(typeof COUNT_NAMES)[number], number>;

/** A run's counts as a definition list: each outcome and how many employees had it. */
export function CountList({ counts }: { counts: Counts }) {
  return (
    <dl className="counts">
      {COUNT_NAMES.map((name) => (
        <div key={name}>
          <dt>{name}</dt>
          <dd>{counts[name]}</dd>
        </div>
      ))}
    </dl>
  );
}

export function Section({ title, children, actions }: { title: string; children: ReactNode; actions?: ReactNode }) {
  const id = `section-${title.toLowerCase().replace(/[^a-z]+/g, '-')}`;
  return (
    <section aria-labelledby={id}>
      <div className="section-head">
        <h2 id={id}>{title}</h2>
        {actions}
      </div>
      {children}
    </section>
  );
}

/** A column a sighted reader needs no heading for (checkboxes, buttons), named for screen readers. */
export const hidden = (name: string) => ({ hidden: name });

/** A table's header row. */
export function Head({ columns }: { columns: readonly (string | { hidden: string })[] }) {
  return (
    <thead>
      <tr>
        {columns.map((column) =>
          typeof column === 'string' ? (
            <th scope="col" key={column}>
              {column}
            </th>
          ) : (
            <th scope="col" key={column.hidden}>
              <span className="visually-hidden">{column.hidden}</span>
            </th>
          ),
        )}
      </tr>
    </thead>
  );
}
