// Recent events per BalancedService, for `bso describe`. Bounded: the newest N per service.
// A listener sees each event as recorded (a repeat with its count), to show it elsewhere too
// (Kubernetes Events).

export interface OperatorEvent {
  time: string;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  count: number;
}

export class EventLog {
  private readonly events = new Map<string, OperatorEvent[]>();

  constructor(private readonly perService = 30, private readonly listener?: (name: string, event: OperatorEvent) => void) {}

  record(name: string, type: OperatorEvent['type'], reason: string, message: string, now = new Date().toISOString()): void {
    const list = this.events.get(name) ?? [];
    const last = list[list.length - 1];
    let event: OperatorEvent;
    if (last && last.reason === reason && last.message === message) {
      last.count++;
      last.time = now;
      event = last;
    } else {
      event = { time: now, type, reason, message, count: 1 };
      list.push(event);
      if (list.length > this.perService) list.shift();
    }
    this.events.set(name, list);
    this.listener?.(name, { ...event });
  }

  list(name: string): OperatorEvent[] {
    return [...(this.events.get(name) ?? [])];
  }

  forget(name: string): void {
    this.events.delete(name);
  }
}
