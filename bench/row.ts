/** One line of the bench's table: a figure, ours beside its reference, and whether the target was met. */
export interface Row {
  figure: string;
  ours: string;
  reference: string;
  target: string;
  /** null: informative, no target. */
  met: boolean | null;
}
