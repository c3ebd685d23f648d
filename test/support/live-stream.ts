import { KEYS } from './test-app.js';

// A reader following GET /stream (Server-Sent Events), frame by frame.

export interface ChangeFrame {
  id: string;
  event: string;
  data: { entity: string; id: string; version: number; type: string; recordedAt: string };
  /** performance.now() when the frame arrived. */
  arrivedAt: number;
}

/** Opens /stream on the service at `baseUrl` and hands back its frames as they arrive. */
export async function follow(baseUrl: string, query = '', headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const response = await fetch(`${baseUrl}/stream${query}`, { headers: { authorization: `Bearer ${KEYS.reader}`, ...headers }, signal: controller.signal });
  if (response.status !== 200 || !/^text\/event-stream/.test(response.headers.get('content-type') ?? '')) {
    throw new Error(`GET /stream answered ${response.status} ${response.headers.get('content-type')}`);
  }
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  const frames: ChangeFrame[] = [];
  return {
    /** Waits until `count` change frames have arrived (in all), and returns them. */
    async next(count: number): Promise<ChangeFrame[]> {
      while (frames.length < count) {
        const { value, done } = await reader.read();
        if (done) throw new Error('the stream ended');
        buffer += value;
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = Object.fromEntries(block.split('\n').filter((line) => !line.startsWith(':') && line.includes(': ')).map((line) => [line.slice(0, line.indexOf(': ')), line.slice(line.indexOf(': ') + 2)]));
          if (fields.event) frames.push({ id: fields.id, event: fields.event, data: JSON.parse(fields.data), arrivedAt: performance.now() });
        }
      }
      return frames.slice(0, count);
    },
    close: () => controller.abort(),
  };
}
