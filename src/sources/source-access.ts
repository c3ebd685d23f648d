// What the access log answers (GET /sources/{id}/access-log). Imports nothing: the desk's
// bundle takes these shapes as they are.

/** One showing of a confidential source's identity. */
export interface SourceAccess {
  id: number;
  /** The API key's name. */
  principal: string;
  route: string;
  shownAt: string;
}

export interface SourceAccessPage {
  sourceId: string;
  /** Newest first. */
  entries: SourceAccess[];
  /** Pass as `before` for the next (older) page; null on the last. */
  nextBefore: number | null;
}
