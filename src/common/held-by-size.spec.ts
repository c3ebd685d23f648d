import { HeldBySize } from './held-by-size.js';

const answer = (bytes: number) => ({ body: Buffer.alloc(bytes) });

describe('HeldBySize', () => {
  it('holds answers up to its size, dropping the ones used least lately first', () => {
    const held = new HeldBySize(300);
    held.set('a', answer(100));
    held.set('b', answer(100));
    held.set('c', answer(100));
    held.get('a'); // read lately: b is now the least used

    held.set('d', answer(100));

    expect([held.get('a'), held.get('b'), held.get('c'), held.get('d')].map((value) => value !== undefined)).toEqual([true, false, true, true]);
    expect(held.bytes).toBe(300);
  });

  it('counts an answer set again once, at its new size', () => {
    const held = new HeldBySize(1_000);
    held.set('a', answer(100));
    held.set('a', answer(250));

    expect(held.bytes).toBe(250);
    expect(held.size).toBe(1);
  });

  it('holds nothing bigger than its size', () => {
    const held = new HeldBySize(100);
    held.set('small', answer(50));
    held.set('huge', answer(101));

    expect(held.size).toBe(0);
    expect(held.bytes).toBe(0);
  });

  it('gives back the bytes of what it drops, one by one, by a rule, or all at once', () => {
    const held = new HeldBySize<{ body: Buffer; tag?: string }>(1_000);
    held.set('a', { body: Buffer.alloc(100), tag: 'x' });
    held.set('b', { body: Buffer.alloc(200), tag: 'y' });
    held.set('c', { body: Buffer.alloc(300), tag: 'x' });

    held.delete('b');
    expect(held.bytes).toBe(400);
    held.deleteWhere((value) => value.tag === 'x');
    expect([held.size, held.bytes]).toEqual([0, 0]);
    held.set('d', answer(10));
    held.clear();
    expect([held.size, held.bytes]).toEqual([0, 0]);
  });
});
