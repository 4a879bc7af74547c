import { describe, expect, it } from 'vitest';
import { chooseMode, type SyncCheckpoint } from '../../src/core/checkpoint.js';

const NOW = new Date('2026-06-15T12:00:00.000Z');
const checkpoint = (lastFullAt: string): SyncCheckpoint => ({ since: '2026-06-15T11:00:00+00:00', lastFullAt, activeLearners: 10 });
const choose = (requested: 'FULL' | 'INCREMENTAL', stored: SyncCheckpoint | null, hasFeed = true) =>
  chooseMode({ requested, checkpoint: stored, fullRunEveryDays: 7, now: NOW, hasFeed });

describe('chooseMode', () => {
  it('keeps FULL, and INCREMENTAL within the periodic full run', () => {
    expect(choose('FULL', checkpoint('2026-06-14T00:00:00.000Z'))).toEqual({ mode: 'FULL', reason: null });
    expect(choose('INCREMENTAL', checkpoint('2026-06-09T00:00:00.000Z'))).toEqual({ mode: 'INCREMENTAL', reason: null });
  });

  it('runs FULL without a checkpoint, without a feed, and once the last full run is fullRunEveryDays old', () => {
    expect(choose('INCREMENTAL', null)).toMatchObject({ mode: 'FULL', reason: expect.stringContaining('no checkpoint') as string });
    expect(choose('INCREMENTAL', checkpoint('2026-06-14T00:00:00.000Z'), false)).toMatchObject({ mode: 'FULL' });
    expect(choose('INCREMENTAL', checkpoint('2026-06-08T12:00:00.000Z'))).toMatchObject({ mode: 'FULL', reason: expect.stringContaining('7 days') as string });
    expect(choose('INCREMENTAL', checkpoint('not a date'))).toMatchObject({ mode: 'FULL' });
  });
});
