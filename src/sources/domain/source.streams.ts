/** The stream that holds a source's events, one stream a source. */
export const sourceStreamId = (sourceId: string) => `source-${sourceId}`;
