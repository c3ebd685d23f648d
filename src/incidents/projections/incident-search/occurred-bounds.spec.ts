import { boundsOf, occurredBounds } from './occurred-bounds.js';

describe('occurredBounds', () => {
  it('spans the whole day of a date', () => {
    expect(occurredBounds({ from: '2024-07-27', precision: 'day' })).toEqual({ from: '2024-07-27T00:00:00.000Z', to: '2024-07-27T23:59:59.999Z' });
  });

  it('runs from the start of `from` to the end of `to`', () => {
    expect(occurredBounds({ from: '2024-07-22', to: '2024-07-27', precision: 'day' })).toEqual({ from: '2024-07-22T00:00:00.000Z', to: '2024-07-27T23:59:59.999Z' });
  });

  it('widens to the month or the year at those precisions', () => {
    expect(occurredBounds({ from: '2024-02-10', precision: 'month' })).toEqual({ from: '2024-02-01T00:00:00.000Z', to: '2024-02-29T23:59:59.999Z' });
    expect(occurredBounds({ from: '2024-07-10', to: '2024-12-01', precision: 'month' })).toEqual({ from: '2024-07-01T00:00:00.000Z', to: '2024-12-31T23:59:59.999Z' });
    expect(occurredBounds({ from: '2023-12-31T22:00:00.000Z', precision: 'year' })).toEqual({ from: '2023-01-01T00:00:00.000Z', to: '2023-12-31T23:59:59.999Z' });
  });

  it('keeps instants at time precision', () => {
    expect(occurredBounds({ from: '2024-07-27T05:30:00.000Z', precision: 'time' })).toEqual({ from: '2024-07-27T05:30:00.000Z', to: '2024-07-27T05:30:00.000Z' });
    expect(occurredBounds({ from: '2024-07-27T05:30:00.000Z', to: '2024-07-27T09:00:00.000Z', precision: 'time' })).toEqual({
      from: '2024-07-27T05:30:00.000Z',
      to: '2024-07-27T09:00:00.000Z',
    });
  });

  it('reads a date at time precision as its whole day', () => {
    expect(boundsOf('2024-07-28', 'time')).toEqual({ from: '2024-07-28T00:00:00.000Z', to: '2024-07-28T23:59:59.999Z' });
  });

  it('reads the years 0–99 as themselves', () => {
    expect(boundsOf('0070-03-01', 'year')).toEqual({ from: '0070-01-01T00:00:00.000Z', to: '0070-12-31T23:59:59.999Z' });
  });
});
