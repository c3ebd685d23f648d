/**
 * Group commit (the event store's appends, the webhook deliverer's attempts). Writes wait here
 * while a group is being written, and go together in the next: one statement, one
 * transaction, one flush of the WAL for all of them. Nothing waits on a timer: a lone writer
 * finds no group in flight and goes at once; under load, the writes that arrive during one
 * group's round trip make the next group.
 */
export class GroupCommit<Write, Result> {
  private readonly waiting: { write: Write; resolve: (result: Result) => void; reject: (error: unknown) => void }[] = [];
  private inFlight = 0;

  constructor(
    /** Writes a group, answering each write in order (a result, or the error that write alone met). */
    private readonly writeGroup: (group: Write[]) => Promise<(Result | Error)[]>,
    private readonly options: { groupsInFlight: number; largestGroup: number },
  ) {}

  add(write: Write): Promise<Result> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ write, resolve, reject });
      this.next();
    });
  }

  private next(): void {
    while (this.inFlight < this.options.groupsInFlight && this.waiting.length > 0) {
      const group = this.waiting.splice(0, this.options.largestGroup);
      this.inFlight++;
      void this.writeGroup(group.map(({ write }) => write))
        .then(
          (results) => group.forEach(({ resolve, reject }, index) => (results[index] instanceof Error ? reject(results[index]) : resolve(results[index] as Result))),
          (error: unknown) => group.forEach(({ reject }) => reject(error)),
        )
        .finally(() => {
          this.inFlight--;
          this.next();
        });
    }
  }
}
