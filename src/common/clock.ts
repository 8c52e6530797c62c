/** Business time, injected so tests and demos can fix it; infrastructure time stays on the system clock. */
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
