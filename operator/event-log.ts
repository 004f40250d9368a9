// Recent events per BalancedService, for `bso describe`. Bounded: the newest N per service.

export interface OperatorEvent {
  time: string;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  count: number;
}

export class EventLog {
  private readonly events = new Map<string, OperatorEvent[]>();

  constructor(private readonly perService = 30) {}

  record(name: string, type: OperatorEvent['type'], reason: string, message: string, now = new Date().toISOString()): void {
    const list = this.events.get(name) ?? [];
    const last = list[list.length - 1];
    if (last && last.reason === reason && last.message === message) {
      last.count++;
      last.time = now;
    } else {
      list.push({ time: now, type, reason, message, count: 1 });
      if (list.length > this.perService) list.shift();
    }
    this.events.set(name, list);
  }

  list(name: string): OperatorEvent[] {
    return [...(this.events.get(name) ?? [])];
  }

  forget(name: string): void {
    this.events.delete(name);
  }
}
