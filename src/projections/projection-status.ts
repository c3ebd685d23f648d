// GET /admin/projections' answer, one per projection. Imports nothing, so that the desk
// (web/) reads the same shape the service writes.

export interface ProjectionStatus {
  name: string;
  /** `failed`: stopped at an event it could not apply (see error) until rebuilt. A rebuild under way leaves it as it is. */
  status: 'running' | 'failed';
  /** A rebuild of it runs now, in this process or another. */
  rebuilding: boolean;
  error: string | null;
  /** The last ledger position applied; null before the first event. */
  checkpoint: string | null;
  eventsApplied: number;
  lag: { events: number; eventsCapped: boolean; seconds: number };
}
