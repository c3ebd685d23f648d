/**
 * Group commit. Appends wait here while a group is being written, and go together in the
 * next: one statement, one transaction, one flush of the WAL for all of them. Nothing waits
 * on a timer: a lone writer finds no group in flight and goes at once; under load, the appends
 * that arrive during one group's round trip make the next group.
 */
export class AppendQueue<Append, Result> {
  private readonly waiting: { append: Append; resolve: (result: Result) => void; reject: (error: unknown) => void }[] = [];
  private inFlight = 0;

  constructor(
    /** Writes a group, answering each append in order (a result, or the error that append alone met). */
    private readonly write: (group: Append[]) => Promise<(Result | Error)[]>,
    private readonly options: { groupsInFlight: number; largestGroup: number },
  ) {}

  append(append: Append): Promise<Result> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ append, resolve, reject });
      this.next();
    });
  }

  private next(): void {
    while (this.inFlight < this.options.groupsInFlight && this.waiting.length > 0) {
      const group = this.waiting.splice(0, this.options.largestGroup);
      this.inFlight++;
      void this.write(group.map(({ append }) => append))
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
