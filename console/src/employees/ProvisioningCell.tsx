/** Where a sync would leave an employee today, and every rule that decided it, opened from the state's badge. */
import { Badge } from '../ui';

export interface Provisioning {
  state: string;
  reasons: { code: string; message: string; since: string | null }[];
  lastRun: { runId: string; outcome: string } | null;
}

export const PROVISIONING_FIELDS = 'provisioning { state reasons { code message since } lastRun { runId outcome } }';

export function ProvisioningCell({ name, provisioning }: { name: string; provisioning: Provisioning | null }) {
  if (!provisioning) return <>—</>;
  return (
    <details className="reasons">
      <summary aria-label={`${provisioning.state.replace(/_/g, ' ').toLowerCase()}: why, for ${name}`}>
        <Badge value={provisioning.state} />
      </summary>
      <ul>
        {provisioning.reasons.map((reason) => (
          <li key={reason.code}>
            <code>{reason.code}</code> {reason.message}
            {reason.since && <small> (since {reason.since})</small>}
          </li>
        ))}
      </ul>
      {provisioning.lastRun && (
        <p>
          Last run: <Badge value={provisioning.lastRun.outcome} /> <a href={`#runs/${provisioning.lastRun.runId}`}>see the run</a>
        </p>
      )}
    </details>
  );
}
