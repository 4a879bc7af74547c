/**
 * The gateway's clock. Every instant it stamps or judges by (run and event times, the day HR dates
 * are judged on, a webhook's age) is read from one Clock handed down from the composition root, so a
 * test fixes the time by handing in another.
 */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();
