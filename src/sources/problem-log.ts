// The problems a reader meets: every one counted, the first `max` kept with their location, so a
// garbage file cannot grow memory without bound.
import type { SourceProblem } from './types.js';

export class ProblemLog {
  readonly problems: SourceProblem[] = [];
  count = 0;

  constructor(
    private readonly file: string,
    private readonly max: number,
  ) {}

  add(line: number | undefined, message: string): void {
    this.count++;
    if (this.problems.length < this.max) this.problems.push({ location: line === undefined ? { file: this.file } : { file: this.file, line }, message });
  }
}
