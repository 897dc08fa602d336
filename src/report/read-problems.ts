// What reading hunt results could not use: counted, the first ones kept with their line number.
export interface ReadProblems {
  count: number;
  /** The first problems, with their line numbers. */
  first: Array<{ line: number; message: string }>;
}
