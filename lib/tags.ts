/** The tags every taggable resource carries (the seeds' tagging strategy); `Function` is set per component. */
export interface BaseTags {
  readonly Environment: string;
  readonly Project: string;
  readonly Owner: string;
}
