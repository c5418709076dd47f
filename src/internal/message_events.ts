/**
 * The 'message' events of the server sockets fetchkit wraps (Bun's
 * `ServerWebSocket`, `ws` on Node), delivered without `EventTarget`: on Bun,
 * `new MessageEvent()` costs about 560 ns and `dispatchEvent` 210 ns more
 * (measured in a loop), which was a fifth of the server's CPU time per echoed
 * message; and `ws` has event classes of its own, not `MessageEvent`. A
 * {@linkcode SocketMessageEvent} is an instance of `MessageEvent` (its
 * prototype chain says so) with its fields as its own properties, and
 * {@linkcode MessageListeners} calls listeners in order, as `dispatchEvent`
 * would, `once`, `signal` and `stopImmediatePropagation` included. A
 * socket's other events, rare, stay with the runtime's own machinery.
 *
 * @module
 */

/**
 * A 'message' event with the fields of `MessageEvent`, built in a few
 * nanoseconds: what varies is an own field, the constants are getters on
 * this class's prototype (which comes before the native getters, whose
 * brand checks would throw on this object).
 */
export class SocketMessageEvent {
  readonly data: unknown;
  readonly target: EventTarget;
  /** Set by `stopImmediatePropagation()`: the listeners after this one are skipped. */
  stopped = false;

  constructor(target: EventTarget, data: unknown) {
    this.target = target;
    this.data = data;
  }

  get type(): string {
    return "message";
  }
  get currentTarget(): EventTarget {
    return this.target;
  }
  get srcElement(): EventTarget {
    return this.target;
  }
  get origin(): string {
    return "";
  }
  get lastEventId(): string {
    return "";
  }
  get source(): null {
    return null;
  }
  get ports(): readonly MessagePort[] {
    return [];
  }
  get bubbles(): boolean {
    return false;
  }
  get cancelable(): boolean {
    return false;
  }
  get composed(): boolean {
    return false;
  }
  get defaultPrevented(): boolean {
    return false;
  }
  get isTrusted(): boolean {
    return true;
  }
  get eventPhase(): number {
    return 2;
  }
  /** Read when asked, not when built: a clock read per message showed in the echo's profile. */
  get timeStamp(): number {
    return performance.now();
  }
  stopImmediatePropagation(): void {
    this.stopped = true;
  }
  stopPropagation(): void {}
  preventDefault(): void {}
  composedPath(): EventTarget[] {
    return [this.target];
  }
}
// `instanceof MessageEvent` holds; every field read is an own property, never the native getters.
Object.setPrototypeOf(SocketMessageEvent.prototype, MessageEvent.prototype);

type Callback = EventListenerOrEventListenerObject;

interface Entry {
  callback: Callback;
  once: boolean;
}

/** The 'message' listeners of one socket, in the order they were added (each once, as `addEventListener`). */
export class MessageListeners {
  #entries: Entry[] = [];

  add(callback: Callback | null, options?: boolean | AddEventListenerOptions): void {
    if (callback === null || this.#entries.some((entry) => entry.callback === callback)) return;
    const once = typeof options === "object" && options.once === true;
    const signal = typeof options === "object" ? options.signal : undefined;
    if (signal?.aborted) return;
    this.#entries.push({ callback, once });
    signal?.addEventListener("abort", () => this.remove(callback), { once: true });
  }

  remove(callback: Callback | null): void {
    const at = this.#entries.findIndex((entry) => entry.callback === callback);
    if (at >= 0) this.#entries = this.#entries.toSpliced(at, 1);
  }

  /** Calls every listener with `event`; one that throws is reported, the others still run (as `dispatchEvent`). */
  deliver(target: EventTarget, event: SocketMessageEvent): void {
    // A copy in effect: removing or adding during the delivery replaces the array, never this one.
    const entries = this.#entries;
    for (const entry of entries) {
      if (entry.once) this.remove(entry.callback);
      try {
        const callback = entry.callback;
        if (typeof callback === "function") callback.call(target, event as unknown as Event);
        else callback.handleEvent(event as unknown as Event);
      } catch (error) {
        reportError(error);
      }
      if (event.stopped) break;
    }
  }
}
