import { eventStreamParser } from '../web/src/event-stream.js';

// The desk reads the alerts stream through fetch (EventSource cannot send the bearer key),
// so it cuts the text/event-stream body into events itself, however the chunks fall.

describe('the desk’s event-stream parser', () => {
  it('given an alert split across chunks, then it yields it once, whole, when its blank line arrives', () => {
    const parser = eventStreamParser();
    expect(parser.push('id: 7\nevent: al')).toEqual([]);
    expect(parser.push('ert\ndata: {"seq":7,')).toEqual([]);
    expect(parser.push('"headline":"x"}\n')).toEqual([]);
    expect(parser.push('\n')).toEqual([{ id: '7', event: 'alert', data: '{"seq":7,"headline":"x"}' }]);
  });

  it('given heartbeats (comments), CRLF line ends and data on several lines, then it yields only the events, their data joined by newlines', () => {
    const parser = eventStreamParser();
    expect(parser.push(': heartbeat\r\n\r\n')).toEqual([]);
    expect(parser.push('id:8\r\nevent:alert\r\ndata:a\r\ndata: b\r\n\r\n: heartbeat\n\nid: 9\ndata: c\n\n')).toEqual([
      { id: '8', event: 'alert', data: 'a\nb' },
      { id: '9', event: 'message', data: 'c' },
    ]);
  });

  it('given a CRLF cut between its CR and its LF, then the LF does not end the event early', () => {
    const parser = eventStreamParser();
    expect(parser.push('id: 3\r')).toEqual([]);
    expect(parser.push('\ndata: d\r\n\r\n')).toEqual([{ id: '3', event: 'message', data: 'd' }]);
  });
});
