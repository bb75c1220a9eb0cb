import { DateTime, Duration } from 'luxon';
import { addDuration, parseDuration } from '@loyalty/platform';

const luxon = (from: Date, d: Duration) => DateTime.fromJSDate(from, { zone: 'utc' }).plus(d).toJSDate();

describe('addDuration', () => {
  it('adds calendar durations as luxon does, on every kind of day and time of day', () => {
    const texts = ['P1Y', 'P6M', 'P1M', 'P3M', 'P90D', 'P2W', 'P1Y2M3D', 'PT12S', 'P1DT2H', 'PT36H', 'P0.5Y'];
    // Month ends, leap days, year ends, the epoch and before it, far ahead.
    const days = [
      '2024-01-31',
      '2024-02-29',
      '2023-02-28',
      '2024-03-31',
      '2024-12-31',
      '2025-05-31',
      '1970-01-01',
      '1969-12-31',
      '2100-02-28',
      '2026-12-03',
    ];
    const times = ['00:00:00.000', '00:00:00.001', '11:59:59.999', '23:59:59.999'];
    const durations = [
      ...texts.map((text) => [text, Duration.fromISO(text)] as const),
      ['a quarter', Duration.fromObject({ quarters: 1 })] as const,
    ];
    for (const [text, d] of durations) {
      for (const day of days)
        for (const time of times) {
          const from = new Date(`${day}T${time}Z`);
          expect([text, addDuration(from, d).toISOString()]).toEqual([text, luxon(from, d).toISOString()]);
        }
    }
  });

  it('gives each moment its own answer when the same duration goes back and forth between days', () => {
    const year = parseDuration('P1Y')!;
    const moments = [
      '2024-02-29T10:00:00Z',
      '2024-02-28T23:00:00Z',
      '2024-02-29T23:59:59.999Z',
      '2023-03-01T00:00:00Z',
    ];
    for (let i = 0; i < 3; i++)
      for (const m of moments)
        expect(addDuration(new Date(m), year).toISOString()).toBe(luxon(new Date(m), year).toISOString());
  });

  it('asks luxon once a day for a duration of whole dates, every time for one with hours', () => {
    const plus = jest.spyOn(DateTime.prototype, 'plus');
    try {
      const year = Duration.fromISO('P1Y');
      const start = Date.parse('2026-12-03T08:00:00Z');
      for (let i = 0; i < 100; i++) addDuration(new Date(start + i * 1000), year);
      expect(plus).toHaveBeenCalledTimes(1);
      addDuration(new Date('2026-12-04T08:00:00Z'), year);
      expect(plus).toHaveBeenCalledTimes(2);
      const hours = Duration.fromISO('PT36H');
      for (let i = 0; i < 3; i++) addDuration(new Date(start + i * 1000), hours);
      expect(plus).toHaveBeenCalledTimes(5);
    } finally {
      plus.mockRestore();
    }
  });

  it('leaves an invalid date invalid', () => {
    expect(Number.isNaN(addDuration(new Date(Number.NaN), parseDuration('P1Y')!).getTime())).toBe(true);
  });
});
