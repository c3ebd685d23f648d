// Server-Sent Events, read by hand: the desk follows streams through fetch, which can send
// the bearer key that EventSource cannot. This file imports nothing (the tests take it as it is).

/** One event of a `text/event-stream` body. */
export interface ServerSentEvent {
  id?: string;
  event: string;
  data: string;
}

/**
 * Cuts a `text/event-stream` body into events as its chunks arrive: `push` takes the next
 * chunk and returns the events it completed. Comments (the heartbeats) complete nothing.
 */
export function eventStreamParser(): { push: (chunk: string) => ServerSentEvent[] } {
  let buffer = '';
  let event: { id?: string; event?: string; data: string[] } = { data: [] };
  return {
    push(chunk) {
      buffer += chunk;
      // A CR at the end may be the first half of a CRLF: it waits for the next chunk.
      const held = buffer.endsWith('\r') ? '\r' : '';
      const lines = buffer.slice(0, buffer.length - held.length).split(/\r\n|\r|\n/);
      // The last piece may be half a line: keep it for the next chunk.
      buffer = (lines.pop() ?? '') + held;
      const done: ServerSentEvent[] = [];
      for (const line of lines) {
        if (line === '') {
          if (event.data.length > 0) done.push({ id: event.id, event: event.event ?? 'message', data: event.data.join('\n') });
          event = { data: [] };
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon === -1 ? line : line.slice(0, colon);
        const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'data') event.data.push(value);
        else if (field === 'event') event.event = value;
        else if (field === 'id') event.id = value;
      }
      return done;
    },
  };
}
