import { useAlerts } from './alerts-context';
import { hrefTo } from './route';

/** The masthead's way to the alerts, with how many came since they were last opened (editors and admins). */
export function AlertBell({ current }: { current: boolean }) {
  const alerts = useAlerts();
  if (!alerts) return null;
  const count = alerts.unseen === 0 ? '' : `${alerts.unseen}${alerts.more ? '+' : ''}`;
  return (
    <a className="alert-bell" href={hrefTo.alerts()} aria-current={current ? 'page' : undefined} aria-label={count ? `Alerts, ${count} new` : 'Alerts, none new'}>
      <svg aria-hidden="true" viewBox="0 0 24 24" width="18" height="18" focusable="false">
        <path fill="currentColor" d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1Z" />
      </svg>
      <span className="alert-bell-word">Alerts</span>
      {count && (
        <span className="alert-count" data-count={alerts.unseen}>
          {count}
        </span>
      )}
    </a>
  );
}
