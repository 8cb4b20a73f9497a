/**
 * A small typed event emitter on top of EventTarget (browsers and Node alike).
 * Listeners receive the detail, not the event. As with DOM events, a throwing listener is reported
 * as an uncaught error and the other listeners still run.
 */
export class TypedEmitter<Events extends object> {
  private readonly target = new EventTarget();

  /** Subscribes; returns the function that unsubscribes. */
  on<K extends keyof Events & string>(type: K, listener: (detail: Events[K]) => void): () => void {
    const wrapped = (event: Event) => listener((event as CustomEvent<Events[K]>).detail);
    this.target.addEventListener(type, wrapped);
    return () => this.target.removeEventListener(type, wrapped);
  }

  emit<K extends keyof Events & string>(type: K, detail: Events[K]): void {
    this.target.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
