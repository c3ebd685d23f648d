import { useCallback, useRef, useState } from 'react';
import { ApiError, newIdempotencyKey, newUuid, NoAnswerError, type FieldError, type WriteResult } from '../api';
import { useDesk } from '../desk-context';

// One form's way to write. Every submission carries an Idempotency-Key made once for it
// and kept until the service records it: a double-click sends nothing twice, and a retry
// after a lost answer replays the first answer instead of writing again. What a form
// creates (a source, an incident, a statement, a claim) gets its id here, kept just as
// long, so that even a retry the service no longer remembers (after a 503, which frees the
// key) finds its own entity instead of logging a second one. A 412 (someone else wrote
// since the editor's version) is explained and can be re-applied.

export interface Submission {
  method: 'POST' | 'PATCH' | 'DELETE';
  path: string;
  /** None for a DELETE. */
  body?: unknown;
  /** The version the editor saw; the service refuses the write (412) if the entity moved on. */
  ifMatch?: number;
}

/** What changed between the editor's version and the current one, in the desk's words. */
export interface Conflict {
  baseVersion: number;
  currentVersion: number;
  /** Who recorded what in between, one line per step (when the entity keeps a timeline). */
  steps: string[];
  /** What those steps changed in what the editor sees. */
  changes: string[];
}

export type ExplainConflict = (baseVersion: number) => Promise<Conflict>;

export interface WriteState {
  pending: boolean;
  /** Per field, as the API names them (`figures[0].value`). */
  errors: FieldError[];
  /** What went wrong, for the whole form. */
  problem?: string;
  conflict?: Conflict;
}

export interface Write extends WriteState {
  submit: (submission: Submission) => Promise<void>;
  /** The id of what this submission creates: the same on every retry, a new one once it is recorded. */
  createdId: () => string;
  /** Sends the refused submission again, against the current version. */
  reapply: () => Promise<void>;
  /** Back to the form, which now writes against the current version. */
  dismissConflict: () => void;
}

export function useWrite(onRecorded: (result: WriteResult) => void | Promise<void>, explainConflict?: ExplainConflict): Write {
  const { api } = useDesk();
  const [state, setState] = useState<WriteState>({ pending: false, errors: [] });
  const idempotencyKey = useRef<string | null>(null);
  const createdIdRef = useRef<string | null>(null);
  const createdId = useCallback(() => (createdIdRef.current ??= newUuid()), []);
  const inFlight = useRef(false);
  const lastSubmission = useRef<Submission | null>(null);
  // Once the editor has been shown a 412's changes, the form writes against the version they saw there.
  const rebasedTo = useRef<number | null>(null);

  const submit = useCallback(
    async (submission: Submission) => {
      if (inFlight.current) return; // a second click while the first submission is on its way
      inFlight.current = true;
      idempotencyKey.current ??= newIdempotencyKey();
      if (submission.ifMatch !== undefined && rebasedTo.current !== null) submission = { ...submission, ifMatch: Math.max(submission.ifMatch, rebasedTo.current) };
      lastSubmission.current = submission;
      setState({ pending: true, errors: [] });
      let result: WriteResult;
      try {
        result = await api.write({ ...submission, idempotencyKey: idempotencyKey.current });
      } catch (error) {
        setState(await refused(error, submission, explainConflict));
        inFlight.current = false;
        return;
      }
      // Recorded: the next submission is a new one.
      idempotencyKey.current = null;
      createdIdRef.current = null;
      try {
        await onRecorded(result);
        setState({ pending: false, errors: [] });
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        setState({ pending: false, errors: [], problem: `Recorded as version ${result.version}, but the page could not show it yet: ${reason}` });
      } finally {
        inFlight.current = false;
      }
    },
    [api, onRecorded, explainConflict],
  );

  const reapply = useCallback(async () => {
    const refusedSubmission = lastSubmission.current;
    if (!refusedSubmission || !state.conflict) return;
    rebasedTo.current = state.conflict.currentVersion;
    await submit(refusedSubmission);
  }, [state.conflict, submit]);

  const dismissConflict = useCallback(() => {
    if (state.conflict) rebasedTo.current = state.conflict.currentVersion;
    setState((current) => ({ ...current, conflict: undefined, problem: undefined }));
  }, [state.conflict]);

  return { ...state, submit, createdId, reapply, dismissConflict };
}

async function refused(error: unknown, submission: Submission, explainConflict?: ExplainConflict): Promise<WriteState> {
  if (error instanceof ApiError) {
    const { problem } = error;
    if (problem.status === 412 && submission.ifMatch !== undefined && explainConflict) {
      try {
        return { pending: false, errors: [], conflict: await explainConflict(submission.ifMatch) };
      } catch {
        return { pending: false, errors: [], problem: `${problem.detail} Reload the page to see what changed.` };
      }
    }
    if (problem.code === 'idempotency_key_reused') {
      return { pending: false, errors: [], problem: 'Your earlier submission was recorded, with other values than these. Reload the page to see what is on record.' };
    }
    return { pending: false, errors: problem.errors ?? [], problem: problem.detail };
  }
  if (error instanceof NoAnswerError) {
    return { pending: false, errors: [], problem: `${error.message} Submit again: it will not be recorded twice.` };
  }
  return { pending: false, errors: [], problem: error instanceof Error ? error.message : String(error) };
}
