/**
 * Business time: the "now" that evaluations, runs, reminders, digests, alert reconciles and the pages'
 * default period are computed at. Injected (the app's ConfigModule provides it) so that a test or a
 * demo can fix it; infrastructure time (caches, timeouts, job id suffixes) stays on the system clock.
 */
export abstract class Clock {
  abstract now(): Date;
}

export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}

/** A clock that reads the moment it was last set to (tests, demos). */
export class FixedClock extends Clock {
  constructor(private at: Date) {
    super();
  }

  set(at: Date): void {
    this.at = at;
  }

  now(): Date {
    return new Date(this.at);
  }
}
